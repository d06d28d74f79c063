package namematch

import "math/bits"

// Internal constants of the matcher, documented with the passes that use them.
const (
	// knownDistinctCap caps the spelling score of two different known names (John/Joan,
	// Maria/Marta, Daniel/Danielle): a one-letter difference between two real names is another
	// person more often than a typo.
	knownDistinctCap = 0.80
	// phoneticFloor is the spelling similarity two tokens need, besides a shared Double Metaphone
	// key and the same first vowel, to count as sounding alike.
	phoneticFloor = 0.70
	// mergeFloor is the similarity a token needs with two or three adjacent tokens of the other
	// name, written together, for them to be compared as one (Abdulrahman/Abdul Rahman,
	// Minjun/Min Jun, McDonald/Mc Donald).
	mergeFloor = 0.85
	// incompletePenalty multiplies the score of a single-token name against a longer one, or of
	// an alignment that leaves a whole field of a name without a counterpart.
	incompletePenalty = 0.5
	// generationPenalty multiplies the score when both names carry different generational
	// suffixes (Jr against Sr: father and son).
	generationPenalty = 0.5
	// searchBudget bounds the alignment search, in nodes.
	searchBudget = 20000
)

// Comparison is the outcome of comparing two prepared names.
type Comparison struct {
	// Score is in [0, 1]; 1 means equal after normalisation (possibly reordered).
	Score float64 `json:"score"`
	// Pass is the weakest step the best alignment needed (PassNone when nothing matched).
	Pass Pass `json:"pass"`
	// Passes holds every step the best alignment used.
	Passes PassSet `json:"-"`
	// Dropped counts tokens left unmatched on the longer name (middle names, a second surname,
	// a one-sided generational suffix); particles such as "van" or "al" are not counted.
	Dropped int `json:"dropped"`
	// Flags records further penalties.
	Flags Flags `json:"-"`
}

func exactComparison(p Pass) Comparison {
	var s PassSet
	s.add(PassExact)
	if p == PassReordered {
		s.add(PassReordered)
	}
	return Comparison{Score: 1, Pass: p, Passes: s}
}

// Compare compares two prepared names. It is symmetric, allocation-free and safe for
// concurrent use. Names of different kinds, or an empty name, score 0.
//
// The fast path resolves names that are equal after normalisation, equal up to token order, or
// equal once spaces are removed. Otherwise every token of one name is aligned with a token of
// the other (any order), each pair scored as exact, nickname, initial, phonetic or by spelling;
// the score is the weakest pair's score times a penalty for each token left unmatched.
func (m *Matcher) Compare(a, b *Prepared) Comparison {
	if a.kind != b.kind || !a.kind.valid() || len(a.toks) == 0 || len(b.toks) == 0 {
		return Comparison{}
	}
	switch {
	case a.key == b.key:
		return exactComparison(PassExact)
	case a.sorted == b.sorted:
		return exactComparison(PassReordered)
	case a.compact == b.compact:
		return exactComparison(PassExact)
	}
	if b.key < a.key {
		a, b = b, a // one canonical order makes the result symmetric by construction
	}
	return m.slow(a, b)
}

// slow runs the alignment over whole names and applies the penalties that do not depend on it.
func (m *Matcher) slow(a, b *Prepared) Comparison {
	var s search
	c := s.run(m, a, b, allTokens(a), false)
	if a.kind == Legal {
		if acr := m.acronym(a, b); acr > c.Score {
			c = Comparison{Score: acr, Pass: PassInitials}
			c.Passes.add(PassInitials)
		}
		if a.forms != 0 && b.forms != 0 && a.forms&b.forms == 0 {
			c.Score *= m.cfg.LegalFormPenalty
			c.Flags |= FlagLegalForm
		}
		return c
	}
	ra, rb := regularCount(a), regularCount(b)
	if min(ra, rb) <= 1 && max(ra, rb) >= 2 {
		c.Score *= incompletePenalty
		c.Flags |= FlagIncomplete
	}
	switch {
	case a.gen != "" && b.gen != "" && a.gen != b.gen:
		c.Score *= generationPenalty
		c.Flags |= FlagGeneration
	case (a.gen == "") != (b.gen == "") && c.Pass != PassNone:
		c.Score *= m.cfg.DropPenalty
		c.Dropped++
		c.Passes.add(PassDropped)
		c.Pass = max(c.Pass, PassDropped)
	}
	return c
}

func allTokens(p *Prepared) uint16 { return uint16(1)<<len(p.toks) - 1 }

func regularCount(p *Prepared) int {
	n := 0
	for i := range p.toks {
		if !p.toks[i].optional() {
			n++
		}
	}
	return n
}

// acronym scores a legal name written as its initials (IBM against International Business
// Machines): one regular token against the first letters of at least two.
func (m *Matcher) acronym(a, b *Prepared) float64 {
	try := func(x, y *Prepared) bool {
		if regularCount(x) != 1 || len(y.acronym) < 2 {
			return false
		}
		for i := range x.toks {
			if !x.toks[i].optional() {
				return x.toks[i].text == y.acronym
			}
		}
		return false
	}
	if try(a, b) || try(b, a) {
		return m.cfg.InitialScore
	}
	return 0
}

// tokSim scores a pair of tokens and names the relation that gave the score.
func (m *Matcher) tokSim(x, y *token) (float64, Pass) {
	if x.text == y.text {
		return 1, PassExact
	}
	if y.text < x.text {
		x, y = y, x // symmetric by construction
	}
	if x.initial() || y.initial() {
		if !x.initial() || !y.initial() {
			if x.text[0] == y.text[0] {
				return m.cfg.InitialScore, PassInitials
			}
		}
		return 0, PassNone
	}
	s := spelling(x.text, y.text)
	if sharesGroup(x.groups, y.groups) {
		if m.cfg.NicknameScore > s {
			return m.cfg.NicknameScore, PassNickname
		}
		return s, PassFuzzy
	}
	if x.flags&tokKnown != 0 && y.flags&tokKnown != 0 {
		return min(s, knownDistinctCap), PassFuzzy
	}
	if s < m.cfg.PhoneticScore && m.soundAlike(x, y, s) {
		return m.cfg.PhoneticScore, PassPhonetic
	}
	return s, PassFuzzy
}

// soundAlike is the phonetic pass: a shared Double Metaphone key with the same first vowel and
// a spelling similarity of at least phoneticFloor, or, when exactly one token was transliterated
// from an abjad, equal consonant skeletons.
func (m *Matcher) soundAlike(x, y *token, s float64) bool {
	if (x.flags^y.flags)&tokAbjad != 0 {
		return skeletonsMatch(x.skel, y.skel)
	}
	if s < phoneticFloor || x.vowel != y.vowel {
		return false
	}
	for i := uint8(0); i < x.nkeys; i++ {
		for j := uint8(0); j < y.nkeys; j++ {
			if x.keys[i] == y.keys[j] {
				return true
			}
		}
	}
	return false
}

// skeletonsMatch compares consonant skeletons of at least two letters, forgiving one final h
// (Fatimah against فاطمة, whose final letter transliterates to nothing).
func skeletonsMatch[T byteString](p string, q T) bool {
	lp, lq := len(p), len(q)
	if min(lp, lq) < 2 || lp-lq > 1 || lq-lp > 1 {
		return false
	}
	n := min(lp, lq)
	for i := 0; i < n; i++ {
		if p[i] != q[i] {
			return false
		}
	}
	switch {
	case lp > n:
		return p[n] == 'h'
	case lq > n:
		return q[n] == 'h'
	}
	return true
}

func sharesGroup(a, b []uint16) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// search is the state of one alignment; it lives on the caller's stack.
type search struct {
	m      *Matcher
	a, b   *Prepared
	na, nb int
	aMask  uint16 // A tokens taking part
	field  bool   // field mode: B tokens may stay unmatched for free
	sim    [maxTokens][maxTokens]float64
	rel    [maxTokens][maxTokens]Pass
	order  [maxTokens][maxTokens]int8 // B candidates of each A token, best first
	nord   [maxTokens]int8

	// Merges, committed before the search: one token against adjacent tokens written together.
	mergeA, mergeB uint16 // tokens consumed by merges
	merges         [maxTokens]merge
	nmerges        int

	cur, best          [maxTokens]int8 // A token -> B token, -1 unmatched, -2 not searched
	bestScore, bestSum float64
	nodes              int
}

type merge struct {
	ai, bi int8 // first token on each side, for the order check
	score  float64
	rel    Pass
	fieldA uint8
	fieldB uint8
}

// run aligns the tokens of a selected by aMask with the tokens of b. In field mode, tokens of b
// left unmatched cost nothing (the field is looked for inside the whole KYC name).
func (s *search) run(m *Matcher, a, b *Prepared, aMask uint16, field bool) Comparison {
	s.m, s.a, s.b, s.aMask, s.field = m, a, b, aMask, field
	s.na, s.nb = len(a.toks), len(b.toks)
	var bestA, bestB [maxTokens]float64
	for i := 0; i < s.na; i++ {
		if aMask&(1<<i) == 0 {
			continue
		}
		for j := 0; j < s.nb; j++ {
			v, r := m.tokSim(&a.toks[i], &b.toks[j])
			s.sim[i][j], s.rel[i][j] = v, r
			bestA[i] = max(bestA[i], v)
			bestB[j] = max(bestB[j], v)
		}
	}
	s.findMerges(&bestA, &bestB)
	for i := 0; i < s.na; i++ {
		n := 0
		for j := 0; j < s.nb; j++ {
			if s.mergeB&(1<<j) != 0 {
				continue
			}
			// Insertion sort by similarity, best first; ties keep index order.
			k := n
			for k > 0 && s.sim[i][s.order[i][k-1]] < s.sim[i][j] {
				s.order[i][k] = s.order[i][k-1]
				k--
			}
			s.order[i][k] = int8(j)
			n++
		}
		s.nord[i] = int8(n)
	}
	s.bestScore, s.bestSum = -1, -1
	minMerge := 1.0
	for k := 0; k < s.nmerges; k++ {
		minMerge = min(minMerge, s.merges[k].score)
	}
	s.dfs(0, 0, minMerge, 1, 0)
	if s.bestScore < 0 {
		return Comparison{}
	}
	return s.result()
}

func (s *search) dropPenalty() float64 {
	if s.a.kind == Legal {
		return s.m.cfg.LegalDropPenalty
	}
	return s.m.cfg.DropPenalty
}

func (s *search) dfs(i int, usedB uint16, curMin, curPen, sum float64) {
	s.nodes++
	if s.nodes > searchBudget || curMin*curPen <= s.bestScore {
		return
	}
	if i == s.na {
		s.leaf(usedB, curMin, curPen, sum)
		return
	}
	if s.aMask&(1<<i) == 0 || s.mergeA&(1<<i) != 0 {
		s.cur[i] = -2
		s.dfs(i+1, usedB, curMin, curPen, sum)
		return
	}
	for k := int8(0); k < s.nord[i]; k++ {
		j := s.order[i][k]
		if usedB&(1<<j) != 0 {
			continue
		}
		s.cur[i] = j
		s.dfs(i+1, usedB|1<<j, min(curMin, s.sim[i][j]), curPen, sum+s.sim[i][j])
	}
	s.cur[i] = -1
	pen := curPen
	if !s.a.toks[i].optional() {
		pen *= s.dropPenalty()
	}
	s.dfs(i+1, usedB, curMin, pen, sum)
}

// leaf scores a complete assignment.
func (s *search) leaf(usedB uint16, curMin, curPen, sum float64) {
	matched := s.nmerges
	var fieldsA, fieldsB uint8
	unA := 0
	for i := 0; i < s.na; i++ {
		switch {
		case s.cur[i] >= 0:
			matched++
			fieldsA |= s.a.toks[i].field
			fieldsB |= s.b.toks[s.cur[i]].field
		case s.cur[i] == -1 && !s.a.toks[i].optional():
			unA++
		}
	}
	if matched == 0 {
		return
	}
	score := curMin * curPen
	if !s.field {
		unB := 0
		for j := 0; j < s.nb; j++ {
			if (usedB|s.mergeB)&(1<<j) == 0 && !s.b.toks[j].optional() {
				unB++
			}
		}
		if unA > 0 && unB > 0 {
			return // both names would keep a token of their own: pair them instead
		}
		for k := 0; k < unB; k++ {
			score *= s.dropPenalty()
		}
		for k := 0; k < s.nmerges; k++ {
			fieldsA |= s.merges[k].fieldA
			fieldsB |= s.merges[k].fieldB
		}
		if (s.a.parts && fieldsA != s.a.fields) || (s.b.parts && fieldsB != s.b.fields) {
			score *= incompletePenalty
		}
	}
	if score > s.bestScore+1e-12 || (score > s.bestScore-1e-12 && sum > s.bestSum+1e-12) {
		s.bestScore, s.bestSum = score, sum
		s.best = s.cur
	}
}

// result describes the best assignment.
func (s *search) result() Comparison {
	c := Comparison{Score: s.bestScore}
	// Order check over matched pairs, by position in a.
	lastB, reordered := -1, false
	var posB [maxTokens]int8
	for i := range posB {
		posB[i] = -1
	}
	for k := 0; k < s.nmerges; k++ {
		mg := s.merges[k]
		posB[mg.ai] = mg.bi
		c.Passes.add(mg.rel)
	}
	var usedB uint16
	var fieldsA, fieldsB uint8
	for i := 0; i < s.na; i++ {
		j := s.best[i]
		switch {
		case j >= 0:
			posB[i] = j
			usedB |= 1 << j
			c.Passes.add(s.rel[i][j])
			fieldsA |= s.a.toks[i].field
			fieldsB |= s.b.toks[j].field
		case j == -1 && !s.a.toks[i].optional():
			c.Dropped++
		}
	}
	for i := 0; i < s.na; i++ {
		if posB[i] < 0 {
			continue
		}
		if int(posB[i]) < lastB {
			reordered = true
		}
		lastB = int(posB[i])
	}
	if !s.field {
		for j := 0; j < s.nb; j++ {
			if (usedB|s.mergeB)&(1<<j) == 0 && !s.b.toks[j].optional() {
				c.Dropped++
			}
		}
		for k := 0; k < s.nmerges; k++ {
			fieldsA |= s.merges[k].fieldA
			fieldsB |= s.merges[k].fieldB
		}
		if (s.a.parts && fieldsA != s.a.fields) || (s.b.parts && fieldsB != s.b.fields) {
			c.Flags |= FlagIncomplete
		}
	}
	if reordered {
		c.Passes.add(PassReordered)
	}
	if c.Dropped > 0 {
		c.Passes.add(PassDropped)
	}
	// A pair with no relation at all (a wrong initial) means the names did not match, whatever
	// else did.
	c.Pass = PassNone
	if c.Passes != 0 && !c.Passes.Has(PassNone) {
		c.Pass = Pass(bits.Len16(uint16(c.Passes)) - 1)
	}
	return c
}

// findMerges commits the best non-overlapping merges: a token of one name against two or three
// adjacent tokens of the other written together, when that scores at least mergeFloor and
// better than any single token did.
func (s *search) findMerges(bestA, bestB *[maxTokens]float64) {
	type cand struct {
		aStart, aLen, bStart, bLen int
		score                      float64
		rel                        Pass
	}
	var cands [16]cand
	nc := 0
	push := func(c cand) {
		if nc < len(cands) {
			nc++
		} else if cands[nc-1].score >= c.score {
			return
		}
		k := nc - 1
		for k > 0 && cands[k-1].score < c.score {
			cands[k] = cands[k-1]
			k--
		}
		cands[k] = c
	}
	var buf [maxTokenLen]byte
	// concat writes tokens [start, start+n) of p into buf; ok is false when a token is not
	// selected or the run is too long.
	concat := func(p *Prepared, start, n int, mask uint16) (run []byte, abjad, ok bool) {
		out := buf[:0]
		for k := start; k < start+n; k++ {
			if mask&(1<<k) == 0 || len(out)+len(p.toks[k].text) > maxTokenLen {
				return nil, false, false
			}
			out = append(out, p.toks[k].text...)
			abjad = abjad || p.toks[k].flags&tokAbjad != 0
		}
		return out, abjad, true
	}
	score := func(t *token, run []byte, abjad bool) (float64, Pass) {
		if t.text == string(run) {
			return 1, PassExact
		}
		v, rel := 0.0, PassFuzzy
		if lt, lr := len(t.text), len(run); float64(min(lt, lr)) >= 0.7*float64(max(lt, lr)) {
			v = spelling(t.text, run) // below the length ratio it cannot reach mergeFloor
		}
		// A name written in parts is still the name: Abd al-Rahman against Abdulrahman.
		if s.a.kind == Natural && t.groups != nil && sharesGroup(t.groups, s.m.names[string(run)]) &&
			s.m.cfg.NicknameScore > v {
			v, rel = s.m.cfg.NicknameScore, PassNickname
		}
		if v < s.m.cfg.PhoneticScore && runSoundsAlike(t, run, abjad, v) {
			v, rel = s.m.cfg.PhoneticScore, PassPhonetic
		}
		return v, rel
	}
	for i := 0; i < s.na; i++ {
		if s.aMask&(1<<i) == 0 || bestA[i] >= 1 {
			continue
		}
		for n := 2; n <= 3; n++ {
			for j := 0; j+n <= s.nb; j++ {
				run, abjad, ok := concat(s.b, j, n, allTokens(s.b))
				if !ok {
					continue
				}
				if v, rel := score(&s.a.toks[i], run, abjad); v >= mergeFloor && v > bestA[i]+0.02 {
					push(cand{i, 1, j, n, v, rel})
				}
			}
		}
	}
	for j := 0; j < s.nb; j++ {
		if bestB[j] >= 1 {
			continue
		}
		for n := 2; n <= 3; n++ {
			for i := 0; i+n <= s.na; i++ {
				run, abjad, ok := concat(s.a, i, n, s.aMask)
				if !ok {
					continue
				}
				if v, rel := score(&s.b.toks[j], run, abjad); v >= mergeFloor && v > bestB[j]+0.02 {
					push(cand{i, n, j, 1, v, rel})
				}
			}
		}
	}
	for k := 0; k < nc; k++ {
		c := cands[k]
		ma := uint16(1<<c.aLen-1) << c.aStart
		mb := uint16(1<<c.bLen-1) << c.bStart
		if s.mergeA&ma != 0 || s.mergeB&mb != 0 {
			continue
		}
		s.mergeA |= ma
		s.mergeB |= mb
		mg := merge{ai: int8(c.aStart), bi: int8(c.bStart), score: c.score, rel: c.rel}
		for k := c.aStart; k < c.aStart+c.aLen; k++ {
			mg.fieldA |= s.a.toks[k].field
		}
		for k := c.bStart; k < c.bStart+c.bLen; k++ {
			mg.fieldB |= s.b.toks[k].field
		}
		s.merges[s.nmerges] = mg
		s.nmerges++
	}
}

// runSoundsAlike is soundAlike for a token against adjacent tokens written together.
func runSoundsAlike(t *token, run []byte, runAbjad bool, spell float64) bool {
	if (t.flags&tokAbjad != 0) != runAbjad {
		var sb [maxTokenLen]byte
		return skeletonsMatch(t.skel, appendSkeleton(sb[:0], run))
	}
	if spell < phoneticFloor || t.vowel != firstVowel(run) {
		return false
	}
	var d dmState
	dmEncode(&d, run, dmKeyLen)
	for i := uint8(0); i < t.nkeys; i++ {
		if t.keys[i] == string(d.primary()) || t.keys[i] == string(d.alternate()) {
			return true
		}
	}
	return false
}
