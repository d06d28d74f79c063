package namematch

// maxTokenLen caps a token's length in bytes. Real name tokens are far shorter; the cap keeps
// every similarity computation on fixed-size stack buffers.
const maxTokenLen = 64

type byteString interface{ ~string | ~[]byte }

// jaroWinkler returns the Jaro-Winkler similarity of a and b (Winkler 1990): matching window
// max(len)/2-1, prefix scale 0.1 over at most 4 characters, applied when the Jaro similarity
// exceeds 0.7. Inputs longer than maxTokenLen are cut. Two empty strings are identical.
func jaroWinkler[A, B byteString](a A, b B) float64 {
	la, lb := min(len(a), maxTokenLen), min(len(b), maxTokenLen)
	if la == 0 && lb == 0 {
		return 1
	}
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb uint64 // matched flags, one bit per position
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if mb&(1<<j) == 0 && a[i] == b[j] {
				ma |= 1 << i
				mb |= 1 << j
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	// Half-transpositions: matched characters of a and b compared in order.
	t, j := 0, 0
	for i := 0; i < la; i++ {
		if ma&(1<<i) == 0 {
			continue
		}
		for mb&(1<<j) == 0 {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t/2))/fm) / 3
	if jaro <= 0.7 {
		return jaro
	}
	prefix := 0
	for prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + 0.1*float64(prefix)*(1-jaro)
}

// osaDistance returns the optimal-string-alignment (restricted Damerau-Levenshtein) distance:
// insertions, deletions, substitutions and transpositions of adjacent characters each cost 1.
// Inputs longer than maxTokenLen are cut.
func osaDistance[A, B byteString](a A, b B) int {
	la, lb := min(len(a), maxTokenLen), min(len(b), maxTokenLen)
	if la == 0 {
		return lb
	}
	if lb == 0 {
		return la
	}
	// Three rows (i-2, i-1, i) rotate by index; distances fit in a byte.
	var rows [3][maxTokenLen + 1]uint8
	for j := 0; j <= lb; j++ {
		rows[1][j] = uint8(j)
	}
	r0, r1, r2 := 0, 1, 2
	for i := 1; i <= la; i++ {
		prev2, prev, cur := &rows[r0], &rows[r1], &rows[r2]
		cur[0] = uint8(i)
		ai := a[i-1]
		for j := 1; j <= lb; j++ {
			v := prev[j-1]
			if ai != b[j-1] {
				v++
			}
			v = min(v, prev[j]+1, cur[j-1]+1)
			if i > 1 && j > 1 && ai == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		r0, r1, r2 = r1, r2, r0
	}
	return int(rows[r1][lb])
}

// osaRatio is 1 - osaDistance/max(len): 1 for equal strings, 0 for nothing in common.
func osaRatio[A, B byteString](a A, b B) float64 {
	la, lb := min(len(a), maxTokenLen), min(len(b), maxTokenLen)
	if la == 0 && lb == 0 {
		return 1
	}
	return 1 - float64(osaDistance(a, b))/float64(max(la, lb))
}

// spelling is the spelling similarity of two tokens: the mean of Jaro-Winkler, which forgives
// typos late in long tokens but is generous to short ones, and the Damerau-Levenshtein ratio,
// which is strict on short tokens. Maria/Marta scores 0.85, Jhon/John 0.84, Wiliams/Williams 0.93.
func spelling[A, B byteString](a A, b B) float64 {
	return (jaroWinkler(a, b) + osaRatio(a, b)) / 2
}

// levenshteinRatio is the classic normalised Levenshtein similarity, 1 - distance/max(len), over
// whole strings of any length; it allocates and is used only for the reported token-sort ratio.
func levenshteinRatio(a, b string) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[len(b)])/float64(max(len(a), len(b)))
}
