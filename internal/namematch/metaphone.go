package namematch

// DoubleMetaphone returns the primary and alternate Double Metaphone keys of word (Lawrence
// Philips, "The Double Metaphone Search Algorithm", C/C++ Users Journal, June 2000), each at most
// maxLen characters long (at most 32); maxLen < 1 means 4, the length of the published examples. When a word
// has no alternate pronunciation the alternate key equals the primary key, as in Apache
// commons-codec, whose published test data the tests use.
//
// The word is read as ASCII: letters are upper-cased and any other byte is skipped, so callers
// pass names through a Matcher's normalisation first. One deliberate difference from
// commons-codec: a final J adds nothing to the alternate key (commons-codec adds a space).
func DoubleMetaphone(word string, maxLen int) (primary, alternate string) {
	if maxLen < 1 {
		maxLen = 4
	}
	var d dmState
	dmEncode(&d, word, maxLen)
	return string(d.primary()), string(d.alternate())
}

// dmMaxKey is the longest key dmState produces.
const dmMaxKey = 32

// dmState encodes one word. It holds everything in arrays so that an encoding does not allocate.
type dmState struct {
	w        [64]byte
	n        int
	pri, alt [dmMaxKey]byte
	np, na   int
	max      int
	slavo    bool
}

func (d *dmState) primary() []byte   { return d.pri[:d.np] }
func (d *dmState) alternate() []byte { return d.alt[:d.na] }

func (d *dmState) at(i int) byte {
	if i < 0 || i >= d.n {
		return 0
	}
	return d.w[i]
}

// has reports whether the n bytes at start equal one of opts.
func (d *dmState) has(start, n int, opts ...string) bool {
	if start < 0 || start+n > d.n {
		return false
	}
	s := d.w[start : start+n]
	for _, o := range opts {
		if string(s) == o {
			return true
		}
	}
	return false
}

func isDMVowel(c byte) bool {
	switch c {
	case 'A', 'E', 'I', 'O', 'U', 'Y':
		return true
	}
	return false
}

func (d *dmState) vowelAt(i int) bool { return isDMVowel(d.at(i)) }

func (d *dmState) addP(s string) {
	for i := 0; i < len(s) && d.np < d.max; i++ {
		d.pri[d.np] = s[i]
		d.np++
	}
}

func (d *dmState) addA(s string) {
	for i := 0; i < len(s) && d.na < d.max; i++ {
		d.alt[d.na] = s[i]
		d.na++
	}
}

func (d *dmState) add(s string)     { d.addP(s); d.addA(s) }
func (d *dmState) add2(p, a string) { d.addP(p); d.addA(a) }
func (d *dmState) done() bool       { return d.np >= d.max && d.na >= d.max }
func (d *dmState) next(i int) byte  { return d.at(i + 1) }
func (d *dmState) skipIf(i int, c byte) int {
	if d.at(i+1) == c {
		return i + 2
	}
	return i + 1
}

// dmEncode reads word (upper-casing ASCII letters, trimming spaces, cutting at 64 bytes) into d
// and computes both keys, each at most maxLen (at most dmMaxKey) long.
func dmEncode[T byteString](d *dmState, word T, maxLen int) {
	d.max = min(maxLen, dmMaxKey)
	start, end := 0, len(word)
	for start < end && word[start] == ' ' {
		start++
	}
	for end > start && word[end-1] == ' ' {
		end--
	}
	for i := start; i < end && d.n < len(d.w); i++ {
		c := word[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		d.w[d.n] = c
		d.n++
	}
	if d.n == 0 {
		return
	}
	d.encode()
}

func (d *dmState) encode() {
	w := d.w[:d.n]
	d.slavo = false
	for i := 0; i < len(w); i++ {
		if w[i] == 'W' || w[i] == 'K' {
			d.slavo = true
		}
	}
	if !d.slavo {
		d.slavo = contains(w, "CZ") || contains(w, "WITZ")
	}
	i := 0
	if d.has(0, 2, "GN", "KN", "PN", "WR", "PS") {
		i = 1
	}
	for !d.done() && i < len(w) {
		switch w[i] {
		case 'A', 'E', 'I', 'O', 'U', 'Y':
			if i == 0 {
				d.add("A")
			}
			i++
		case 'B':
			d.add("P")
			i = d.skipIf(i, 'B')
		case 'C':
			i = d.c(i)
		case 'D':
			i = d.dd(i)
		case 'F':
			d.add("F")
			i = d.skipIf(i, 'F')
		case 'G':
			i = d.g(i)
		case 'H':
			// Keep H only when first or after a vowel, and before a vowel.
			if (i == 0 || d.vowelAt(i-1)) && d.vowelAt(i+1) {
				d.add("H")
				i += 2
			} else {
				i++
			}
		case 'J':
			i = d.j(i)
		case 'K':
			d.add("K")
			i = d.skipIf(i, 'K')
		case 'L':
			if d.next(i) == 'L' {
				if d.l0(i) {
					d.addP("L")
				} else {
					d.add("L")
				}
				i += 2
			} else {
				d.add("L")
				i++
			}
		case 'M':
			d.add("M")
			if d.m0(i) {
				i += 2
			} else {
				i++
			}
		case 'N':
			d.add("N")
			i = d.skipIf(i, 'N')
		case 'P':
			if d.next(i) == 'H' {
				d.add("F")
				i += 2
			} else {
				d.add("P")
				if d.has(i+1, 1, "P", "B") {
					i += 2
				} else {
					i++
				}
			}
		case 'Q':
			d.add("K")
			i = d.skipIf(i, 'Q')
		case 'R':
			if i == len(w)-1 && !d.slavo && d.has(i-2, 2, "IE") && !d.has(i-4, 2, "ME", "MA") {
				d.addA("R")
			} else {
				d.add("R")
			}
			i = d.skipIf(i, 'R')
		case 'S':
			i = d.s(i)
		case 'T':
			i = d.t(i)
		case 'V':
			d.add("F")
			i = d.skipIf(i, 'V')
		case 'W':
			i = d.ww(i)
		case 'X':
			i = d.x(i)
		case 'Z':
			i = d.z(i)
		default:
			i++
		}
	}
}

func contains(w []byte, sub string) bool {
	for i := 0; i+len(sub) <= len(w); i++ {
		if string(w[i:i+len(sub)]) == sub {
			return true
		}
	}
	return false
}

func (d *dmState) c(i int) int {
	switch {
	case d.c0(i):
		d.add("K")
		return i + 2
	case i == 0 && d.has(i, 6, "CAESAR"):
		d.add("S")
		return i + 2
	case d.has(i, 2, "CH"):
		return d.ch(i)
	case d.has(i, 2, "CZ") && !d.has(i-2, 4, "WICZ"):
		d.add2("S", "X")
		return i + 2
	case d.has(i+1, 3, "CIA"):
		d.add("X")
		return i + 3
	case d.has(i, 2, "CC") && !(i == 1 && d.at(0) == 'M'):
		return d.cc(i)
	case d.has(i, 2, "CK", "CG", "CQ"):
		d.add("K")
		return i + 2
	case d.has(i, 2, "CI", "CE", "CY"):
		if d.has(i, 3, "CIO", "CIE", "CIA") {
			d.add2("S", "X")
		} else {
			d.add("S")
		}
		return i + 2
	}
	d.add("K")
	switch {
	case d.has(i+1, 2, " C", " Q", " G"):
		return i + 3
	case d.has(i+1, 1, "C", "K", "Q") && !d.has(i+1, 2, "CE", "CI"):
		return i + 2
	}
	return i + 1
}

// c0 is the 'ACH' rule: Bacher, Macher, Chianti.
func (d *dmState) c0(i int) bool {
	if d.has(i, 4, "CHIA") {
		return true
	}
	if i <= 1 || d.vowelAt(i-2) || !d.has(i-1, 3, "ACH") {
		return false
	}
	c := d.at(i + 2)
	return (c != 'I' && c != 'E') || d.has(i-2, 6, "BACHER", "MACHER")
}

func (d *dmState) cc(i int) int {
	if d.has(i+2, 1, "I", "E", "H") && !d.has(i+2, 2, "HU") {
		if (i == 1 && d.at(i-1) == 'A') || d.has(i-1, 5, "UCCEE", "UCCES") {
			d.add("KS") // accident, accede, succeed
		} else {
			d.add("X") // bacci, bertucci
		}
		return i + 3
	}
	d.add("K")
	return i + 2
}

func (d *dmState) ch(i int) int {
	switch {
	case i > 0 && d.has(i, 4, "CHAE"):
		d.add2("K", "X") // Michael
	case d.ch0(i), d.ch1(i):
		d.add("K")
	case i > 0:
		if d.has(0, 2, "MC") {
			d.add("K")
		} else {
			d.add2("X", "K")
		}
	default:
		d.add("X")
	}
	return i + 2
}

// ch0: Greek roots at the start (chemistry, chorus) but not "chore".
func (d *dmState) ch0(i int) bool {
	if i != 0 {
		return false
	}
	if !d.has(i+1, 5, "HARAC", "HARIS") && !d.has(i+1, 3, "HOR", "HYM", "HIA", "HEM") {
		return false
	}
	return !d.has(0, 5, "CHORE")
}

// ch1: Germanic, Greek or otherwise 'kh' sounds.
func (d *dmState) ch1(i int) bool {
	return d.has(0, 4, "VAN ", "VON ") || d.has(0, 3, "SCH") ||
		d.has(i-2, 6, "ORCHES", "ARCHIT", "ORCHID") ||
		d.has(i+2, 1, "T", "S") ||
		((d.has(i-1, 1, "A", "O", "U", "E") || i == 0) &&
			(d.has(i+2, 1, "L", "R", "N", "M", "B", "H", "F", "V", "W", " ") || i+1 == d.n-1))
}

func (d *dmState) dd(i int) int {
	switch {
	case d.has(i, 2, "DG"):
		if d.has(i+2, 1, "I", "E", "Y") {
			d.add("J") // edge
			return i + 3
		}
		d.add("TK") // edgar
		return i + 2
	case d.has(i, 2, "DT", "DD"):
		d.add("T")
		return i + 2
	}
	d.add("T")
	return i + 1
}

func (d *dmState) g(i int) int {
	nx := d.next(i)
	switch {
	case nx == 'H':
		return d.gh(i)
	case nx == 'N':
		switch {
		case i == 1 && d.vowelAt(0) && !d.slavo:
			d.add2("KN", "N")
		case !d.has(i+2, 2, "EY") && d.next(i) != 'Y' && !d.slavo:
			d.add2("N", "KN")
		default:
			d.add("KN")
		}
		return i + 2
	case d.has(i+1, 2, "LI") && !d.slavo:
		d.add2("KL", "L")
		return i + 2
	case i == 0 && (nx == 'Y' || d.has(i+1, 2, "ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER")):
		d.add2("K", "J")
		return i + 2
	case (d.has(i+1, 2, "ER") || nx == 'Y') && !d.has(0, 6, "DANGER", "RANGER", "MANGER") &&
		!d.has(i-1, 1, "E", "I") && !d.has(i-1, 3, "RGY", "OGY"):
		d.add2("K", "J")
		return i + 2
	case d.has(i+1, 1, "E", "I", "Y") || d.has(i-1, 4, "AGGI", "OGGI"):
		switch {
		case d.has(0, 4, "VAN ", "VON ") || d.has(0, 3, "SCH") || d.has(i+1, 2, "ET"):
			d.add("K")
		case d.has(i+1, 3, "IER"):
			d.add("J")
		default:
			d.add2("J", "K")
		}
		return i + 2
	case nx == 'G':
		d.add("K")
		return i + 2
	}
	d.add("K")
	return i + 1
}

func (d *dmState) gh(i int) int {
	switch {
	case i > 0 && !d.vowelAt(i-1):
		d.add("K")
	case i == 0:
		if d.at(i+2) == 'I' {
			d.add("J")
		} else {
			d.add("K")
		}
	case (i > 1 && d.has(i-2, 1, "B", "H", "D")) || (i > 2 && d.has(i-3, 1, "B", "H", "D")) ||
		(i > 3 && d.has(i-4, 1, "B", "H")):
		// Parker's rule: hugh, bough.
	default:
		if i > 2 && d.at(i-1) == 'U' && d.has(i-3, 1, "C", "G", "L", "R", "T") {
			d.add("F") // laugh, cough, tough
		} else if i > 0 && d.at(i-1) != 'I' {
			d.add("K")
		}
	}
	return i + 2
}

func (d *dmState) j(i int) int {
	if d.has(i, 4, "JOSE") || d.has(0, 4, "SAN ") {
		if (i == 0 && d.at(i+4) == ' ') || d.n == 4 || d.has(0, 4, "SAN ") {
			d.add("H")
		} else {
			d.add2("J", "H")
		}
		return i + 1
	}
	switch {
	case i == 0:
		d.add2("J", "A")
	case d.vowelAt(i-1) && !d.slavo && (d.next(i) == 'A' || d.next(i) == 'O'):
		d.add2("J", "H")
	case i == d.n-1:
		d.addP("J")
	case !d.has(i+1, 1, "L", "T", "K", "S", "N", "M", "B", "Z") && !d.has(i-1, 1, "S", "K", "L"):
		d.add("J")
	}
	return d.skipIf(i, 'J')
}

// l0: Spanish -illo, -illa, -alle where LL sounds like Y.
func (d *dmState) l0(i int) bool {
	n := d.n
	if i == n-3 && d.has(i-1, 4, "ILLO", "ILLA", "ALLE") {
		return true
	}
	return (d.has(n-2, 2, "AS", "OS") || d.has(n-1, 1, "A", "O")) && d.has(i-1, 4, "ALLE")
}

// m0: a doubled M, or the B of -UMB at the end or before ER (dumb, thumb).
func (d *dmState) m0(i int) bool {
	if d.next(i) == 'M' {
		return true
	}
	return d.has(i-1, 3, "UMB") && (i+1 == d.n-1 || d.has(i+2, 2, "ER"))
}

func (d *dmState) s(i int) int {
	switch {
	case d.has(i-1, 3, "ISL", "YSL"):
		return i + 1 // island, isle, carlisle
	case i == 0 && d.has(i, 5, "SUGAR"):
		d.add2("X", "S")
		return i + 1
	case d.has(i, 2, "SH"):
		if d.has(i+1, 4, "HEIM", "HOEK", "HOLM", "HOLZ") {
			d.add("S")
		} else {
			d.add("X")
		}
		return i + 2
	case d.has(i, 3, "SIO", "SIA") || d.has(i, 4, "SIAN"):
		if d.slavo {
			d.add("S")
		} else {
			d.add2("S", "X")
		}
		return i + 3
	case (i == 0 && d.has(i+1, 1, "M", "N", "L", "W")) || d.has(i+1, 1, "Z"):
		d.add2("S", "X") // smith/schmidt, snider/schneider
		return d.skipIf(i, 'Z')
	case d.has(i, 2, "SC"):
		return d.sc(i)
	}
	if i == d.n-1 && d.has(i-2, 2, "AI", "OI") {
		d.addA("S") // resnais, artois
	} else {
		d.add("S")
	}
	if d.has(i+1, 1, "S", "Z") {
		return i + 2
	}
	return i + 1
}

func (d *dmState) sc(i int) int {
	switch {
	case d.at(i+2) == 'H':
		switch {
		case d.has(i+3, 2, "OO", "ER", "EN", "UY", "ED", "EM"):
			if d.has(i+3, 2, "ER", "EN") {
				d.add2("X", "SK") // schermerhorn, schenker
			} else {
				d.add("SK") // school, schooner
			}
		case i == 0 && !d.vowelAt(3) && d.at(3) != 'W':
			d.add2("X", "S")
		default:
			d.add("X")
		}
	case d.has(i+2, 1, "I", "E", "Y"):
		d.add("S")
	default:
		d.add("SK")
	}
	return i + 3
}

func (d *dmState) t(i int) int {
	switch {
	case d.has(i, 4, "TION"), d.has(i, 3, "TIA", "TCH"):
		d.add("X")
		return i + 3
	case d.has(i, 2, "TH") || d.has(i, 3, "TTH"):
		if d.has(i+2, 2, "OM", "AM") || d.has(0, 4, "VAN ", "VON ") || d.has(0, 3, "SCH") {
			d.add("T")
		} else {
			d.add2("0", "T")
		}
		return i + 2
	}
	d.add("T")
	if d.has(i+1, 1, "T", "D") {
		return i + 2
	}
	return i + 1
}

func (d *dmState) ww(i int) int {
	if d.has(i, 2, "WR") {
		d.add("R")
		return i + 2
	}
	switch {
	case i == 0 && (d.vowelAt(i+1) || d.has(i, 2, "WH")):
		if d.vowelAt(i + 1) {
			d.add2("A", "F") // Wasserman/Vasserman
		} else {
			d.add("A") // Uomo/Womo
		}
		return i + 1
	case (i == d.n-1 && d.vowelAt(i-1)) || d.has(i-1, 5, "EWSKI", "EWSKY", "OWSKI", "OWSKY") || d.has(0, 3, "SCH"):
		d.addA("F") // Arnow/Arnoff
		return i + 1
	case d.has(i, 4, "WICZ", "WITZ"):
		d.add2("TS", "FX") // filipowicz
		return i + 4
	}
	return i + 1
}

func (d *dmState) x(i int) int {
	if i == 0 {
		d.add("S")
		return i + 1
	}
	if !(i == d.n-1 && (d.has(i-3, 3, "IAU", "EAU") || d.has(i-2, 2, "AU", "OU"))) {
		d.add("KS") // but not French breaux
	}
	if d.has(i+1, 1, "C", "X") {
		return i + 2
	}
	return i + 1
}

func (d *dmState) z(i int) int {
	if d.next(i) == 'H' {
		d.add("J") // pinyin zhao, zhang
		return i + 2
	}
	if d.has(i+1, 2, "ZO", "ZI", "ZA") || (d.slavo && i > 0 && d.at(i-1) != 'T') {
		d.add2("S", "TS")
	} else {
		d.add("S")
	}
	return d.skipIf(i, 'Z')
}
