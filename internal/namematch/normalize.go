package namematch

import (
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// maxInputLen caps the bytes of a name read by Prepare; longer input is cut at a rune boundary.
// No real name comes near it, and the cap bounds the work done for garbage.
const maxInputLen = 1024

// rawToken is a token straight out of folding.
type rawToken struct {
	text     string
	abjad    bool // written in an abjad (Arabic, Hebrew, Syriac, Thaana): vowels were not written
	translit bool // transliterated from a non-Latin script
}

// tokenizer turns folded ASCII bytes into tokens.
type tokenizer struct {
	legal    bool
	buf      []byte
	abjad    bool
	translit bool
	out      []rawToken
}

func (t *tokenizer) flush() {
	if len(t.buf) > 0 {
		n := min(len(t.buf), maxTokenLen)
		t.out = append(t.out, rawToken{text: string(t.buf[:n]), abjad: t.abjad, translit: t.translit})
	}
	t.buf, t.abjad, t.translit = t.buf[:0], false, false
}

// script says where a byte of folded text came from.
type script uint8

const (
	latin script = iota
	abjadScript
	otherScript
)

func (t *tokenizer) byte(c byte, from script) {
	switch {
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
	case c >= 'A' && c <= 'Z':
		c += 'a' - 'A'
	case c == '\'' || c == '`':
		return // O'Brien, d'Angelo, and the ayn of transliterated Arabic join their token
	case c == '.' && t.legal:
		return // S.A., B.V., L.L.C. join; in personal names a period ends an initial
	case c == '&':
		t.flush()
		if t.legal {
			t.out = append(t.out, rawToken{text: "and"})
		}
		return
	default:
		t.flush()
		return
	}
	t.buf = append(t.buf, c)
	t.abjad = t.abjad || from == abjadScript
	t.translit = t.translit || from != latin
}

func (t *tokenizer) str(s string, from script) {
	for i := 0; i < len(s); i++ {
		t.byte(s[i], from)
	}
}

func isHangul(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

func scriptOf(r rune) script {
	switch {
	case unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana):
		return abjadScript
	case r < utf8.RuneSelf || unicode.In(r, unicode.Latin, unicode.Mn, unicode.Common):
		return latin
	}
	return otherScript
}

// fold turns a name into lower-case ASCII tokens: NFKD with combining marks removed (é→e),
// then unidecode for what is left (ß→ss, æ→ae, ø→o, Cyrillic, Greek, Han, Arabic, ...), then
// punctuation and white space as separators. A Hangul word of three or four syllables is split
// after its first syllable, the usual family name, so that 김민준 gives "gim minjun" like
// Kim Min-jun; two syllables are usually a given name alone and stay together.
func fold(s string, legal bool) []rawToken {
	if len(s) > maxInputLen {
		cut := maxInputLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	t := tokenizer{legal: legal, buf: make([]byte, 0, 32)}
	var dec []byte
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r < utf8.RuneSelf:
			t.byte(byte(r), latin)
		case isHangul(r):
			run, j := 0, i
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if !isHangul(r2) {
					break
				}
				run++
				j += n
			}
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			t.str(unidecode.Unidecode(string(r)), otherScript)
			if run >= 3 && run <= 4 && (i == 0 || !unicode.IsLetter(prev)) {
				t.flush()
			}
			for k := i + size; k < j; {
				r2, n := utf8.DecodeRuneInString(s[k:])
				t.str(unidecode.Unidecode(string(r2)), otherScript)
				k += n
			}
			i = j
			continue
		default:
			from := scriptOf(r)
			dec = norm.NFKD.AppendString(dec[:0], s[i:i+size])
			for k := 0; k < len(dec); {
				d, n := utf8.DecodeRune(dec[k:])
				k += n
				switch {
				case unicode.Is(unicode.Mn, d):
				case d < utf8.RuneSelf:
					t.byte(byte(d), from)
				default:
					t.str(unidecode.Unidecode(string(d)), from)
				}
			}
		}
		i += size
	}
	t.flush()
	return t.out
}
