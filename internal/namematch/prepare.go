package namematch

import (
	"slices"
	"strings"
)

// maxTokens caps the tokens of a prepared name; tokens beyond it are joined onto the last one.
// Real names have far fewer, and the cap bounds the alignment search.
const maxTokens = 12

// dmKeyLen is the Double Metaphone key length used for matching: longer than the published
// 4 so that long names are not compared by their first syllables alone.
const dmKeyLen = 6

// Field bits of a token.
const (
	fieldPrimary   uint8 = 1
	fieldSecondary uint8 = 2
)

// Token flags.
const (
	tokOptional uint8 = 1 << iota // particle or legal stopword: may stay unmatched for free
	tokInitial                    // a single letter of a natural person's name
	tokAbjad                      // transliterated from a script without written vowels
	tokKnown                      // in the name table
)

// token is one prepared token with everything Compare needs precomputed.
type token struct {
	text   string
	groups []uint16  // name-table groups, shared with the Matcher's table
	keys   [4]string // distinct Double Metaphone keys of text and of its romanisation fold
	skel   string    // consonant skeleton, for tokens compared with abjad transliterations
	vowel  byte      // class of the first vowel: 'a', 'e' (e, i, y) or 'o' (o, u); 0 if none
	field  uint8     // fieldPrimary, fieldSecondary or 0 for a whole-string name
	flags  uint8
	nkeys  uint8
	_      [5]byte
}

func (t *token) optional() bool { return t.flags&tokOptional != 0 }
func (t *token) initial() bool  { return t.flags&tokInitial != 0 }

// Prepared is a name made ready for comparison by Matcher.Prepare or Matcher.PrepareParts.
// It is immutable and safe to share between goroutines. The zero Prepared is an empty name.
type Prepared struct {
	kind    Kind
	parts   bool      // prepared from Parts: tokens carry their field
	fields  uint8     // fields of the input that were non-empty after normalisation
	forms   formKinds // kinds of the legal form, 0 when none
	toks    []token
	key     string // tokens joined by spaces, then "|" and the canonical legal form or generational suffix
	sorted  string // the same with the tokens sorted
	compact string // the same with no spaces between tokens
	gen     string // generational suffix (jr, sr, ii, ...), natural persons only
	acronym string // first letters of the regular tokens of a legal name
}

// Kind returns the kind the name was prepared with.
func (p *Prepared) Kind() Kind { return p.kind }

// Normalized returns the normalised form of the name: lower-case ASCII tokens joined by spaces,
// honorifics dropped, then "|" and the canonical legal form ("acme|ltd") or generational suffix
// ("john smith|jr") when there is one. Two names with the same normalised form compare as exact.
func (p *Prepared) Normalized() string { return p.key }

// Empty reports whether the name has no tokens (empty input, only punctuation, or an invalid
// kind).
func (p *Prepared) Empty() bool { return len(p.toks) == 0 }

// Matcher prepares and compares names. It holds the configuration and the name and legal-form
// tables; it is immutable after New and safe for concurrent use.
type Matcher struct {
	cfg   Config
	names map[string][]uint16
	forms map[string]legalForm
}

// New returns a Matcher for cfg, zero fields taking their defaults. It returns an error wrapping
// ErrConfig when a value is out of range.
func New(cfg Config) (*Matcher, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	names, err := parseNames(namesTxt)
	if err != nil {
		return nil, err
	}
	forms, err := parseLegalForms(legalFormsTxt)
	if err != nil {
		return nil, err
	}
	return &Matcher{cfg: cfg, names: names, forms: forms}, nil
}

// Config returns the configuration in effect, defaults filled in.
func (m *Matcher) Config() Config { return m.cfg }

// Prepare prepares a name given as one string (a KYC full name, a legal name).
func (m *Matcher) Prepare(kind Kind, name string) Prepared {
	if !kind.valid() {
		return Prepared{}
	}
	raw := fold(name, kind == Legal)
	fields := make([]uint8, len(raw))
	return m.build(kind, raw, fields, false)
}

// PrepareParts prepares a name given in parts. For a natural person the given names come first
// and the family name last, so that "reordered" means the other side wrote them the other way
// round; for a legal person only Primary is read.
func (m *Matcher) PrepareParts(kind Kind, p Parts) Prepared {
	if !kind.valid() {
		return Prepared{}
	}
	if kind == Legal {
		raw := fold(p.Primary, true)
		fields := make([]uint8, len(raw))
		for i := range fields {
			fields[i] = fieldPrimary
		}
		return m.build(kind, raw, fields, true)
	}
	sec := fold(p.Secondary, false)
	pri := fold(p.Primary, false)
	raw := append(sec, pri...)
	fields := make([]uint8, len(raw))
	for i := range fields {
		if i < len(sec) {
			fields[i] = fieldSecondary
		} else {
			fields[i] = fieldPrimary
		}
	}
	return m.build(kind, raw, fields, true)
}

// Normalize returns the normalised form of name (see Prepared.Normalized). It is idempotent.
func (m *Matcher) Normalize(kind Kind, name string) string {
	p := m.Prepare(kind, name)
	return p.key
}

func (m *Matcher) build(kind Kind, raw []rawToken, fields []uint8, parts bool) Prepared {
	p := Prepared{kind: kind, parts: parts}
	var extra string
	if kind == Natural {
		raw, fields, p.gen = stripNatural(raw, fields)
		extra = p.gen
	} else {
		var canon string
		raw, fields, canon, p.forms = m.stripLegal(raw, fields)
		extra = canon
	}
	raw, fields = capTokens(raw, fields)
	p.toks = make([]token, len(raw))
	texts := make([]string, len(raw))
	var acr []byte
	for i, r := range raw {
		t := &p.toks[i]
		t.text, t.field = r.text, fields[i]
		p.fields |= fields[i]
		texts[i] = r.text
		if r.abjad {
			t.flags |= tokAbjad
		}
		if kind == Natural {
			if particle(r.text) {
				t.flags |= tokOptional
			}
			if len(r.text) == 1 && r.text[0] >= 'a' && r.text[0] <= 'z' && !r.translit {
				t.flags |= tokInitial
			}
			if g, ok := m.names[r.text]; ok {
				t.groups = g
				t.flags |= tokKnown
			}
		} else if stopword(r.text) {
			t.flags |= tokOptional
		}
		if kind == Legal && !t.optional() {
			acr = append(acr, r.text[0])
		}
		t.vowel = firstVowel(r.text)
		t.skel = skeleton(r.text)
		t.setKeys()
	}
	p.acronym = string(acr)
	join := func(ts []string, sep string) string {
		s := strings.Join(ts, sep)
		if extra != "" && len(ts) > 0 {
			s += "|" + extra // '|' never occurs in a token
		}
		return s
	}
	p.key = join(texts, " ")
	p.compact = join(texts, "")
	slices.Sort(texts)
	p.sorted = join(texts, " ")
	if len(p.toks) == 0 {
		p.key, p.compact, p.sorted, p.gen, p.forms = "", "", "", "", 0
	}
	return p
}

// stripNatural drops honorifics from the start and qualifications from the end, and takes off a
// generational suffix at the end of the name or of its given names (IVMS101 senders put "Jr" in
// either field), never leaving the name empty.
func stripNatural(raw []rawToken, fields []uint8) ([]rawToken, []uint8, string) {
	for len(raw) > 1 && honorific(raw[0].text) {
		raw, fields = raw[1:], fields[1:]
	}
	for len(raw) > 1 && postNominal(raw[len(raw)-1].text) {
		raw, fields = raw[:len(raw)-1], fields[:len(fields)-1]
	}
	if len(raw) <= 2 {
		return raw, fields, ""
	}
	at := []int{len(raw) - 1}
	for i := 0; i+1 < len(raw); i++ {
		if fields[i] == fieldSecondary && fields[i+1] != fieldSecondary && i > 0 {
			at = append(at, i) // last given name, when there is more than one token before it
		}
	}
	for _, i := range at {
		if g := generation(raw[i].text); g != "" {
			raw = append(raw[:i:i], raw[i+1:]...)
			fields = append(fields[:i:i], fields[i+1:]...)
			return raw, fields, g
		}
	}
	return raw, fields, ""
}

// stripLegal removes legal forms from the end (and prefix forms from the start) of a legal
// name, never leaving it empty. It returns the canonical form and kinds of the outermost form
// that is not neutral.
func (m *Matcher) stripLegal(raw []rawToken, fields []uint8) ([]rawToken, []uint8, string, formKinds) {
	canon, kinds := "", formKinds(0)
	record := func(f legalForm) {
		if canon == "" && f.kinds != 0 {
			canon, kinds = f.canonical, f.kinds
		}
	}
	for {
		found := false
		for l := min(maxFormPhrase, len(raw)-1); l >= 1; l-- {
			if f, ok := m.forms[phrase(raw[len(raw)-l:])]; ok {
				record(f)
				raw, fields = raw[:len(raw)-l], fields[:len(fields)-l]
				found = true
				break
			}
		}
		if !found {
			break
		}
	}
	for {
		found := false
		for l := min(maxFormPhrase, len(raw)-1); l >= 1; l-- {
			if f, ok := m.forms[phrase(raw[:l])]; ok && f.prefix {
				record(f)
				raw, fields = raw[l:], fields[l:]
				found = true
				break
			}
		}
		if !found {
			break
		}
	}
	return raw, fields, canon, kinds
}

func phrase(raw []rawToken) string {
	if len(raw) == 1 {
		return raw[0].text
	}
	var b strings.Builder
	for i, r := range raw {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(r.text)
	}
	return b.String()
}

// capTokens joins tokens beyond maxTokens onto the last kept token.
func capTokens(raw []rawToken, fields []uint8) ([]rawToken, []uint8) {
	if len(raw) <= maxTokens {
		return raw, fields
	}
	last := raw[maxTokens-1]
	var b strings.Builder
	b.WriteString(last.text)
	for _, r := range raw[maxTokens:] {
		b.WriteString(r.text)
		last.abjad = last.abjad || r.abjad
	}
	s := b.String()
	last.text = s[:min(len(s), maxTokenLen)]
	out := append(raw[:maxTokens-1:maxTokens-1], last)
	return out, fields[:maxTokens]
}

// firstVowel returns the class of the first vowel of a token, reading an i or y before a vowel
// as a consonant (Iuliia, Yulia and Julia all start with the vowel u) and the Korean
// Revised Romanization "eo" as the o it is often written as (Jeong/Jung, Seok/Suk).
func firstVowel[T byteString](s T) byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c == 'y' || c == 'i') && i+1 < len(s) && isVowel(s[i+1]) {
			continue
		}
		switch c {
		case 'a':
			return 'a'
		case 'e':
			if i+1 < len(s) && s[i+1] == 'o' {
				return 'o'
			}
			return 'e'
		case 'i', 'y':
			return 'e'
		case 'o', 'u':
			return 'o'
		}
	}
	return 0
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// skeleton returns the consonants of a token with vowels, w and y removed and doubled letters
// collapsed: what an Arabic or Hebrew spelling keeps (Mohammed and محمد both give "mhmd").
func skeleton(s string) string {
	var b [maxTokenLen]byte
	return string(appendSkeleton(b[:0], s))
}

func appendSkeleton[T byteString](b []byte, s T) []byte {
	n := len(b)
	b = b[:cap(b)]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isVowel(c) || c == 'w' {
			continue
		}
		if n > 0 && b[n-1] == c {
			continue
		}
		if n == len(b) {
			break
		}
		b[n] = c
		n++
	}
	return b[:n]
}

// romanFold rewrites Pinyin spellings to their Wade-Giles sound so that Double Metaphone can
// pair them: Zhang/Chang, Qian/Chien. It returns "" when nothing changes.
func romanFold(s string) string {
	switch {
	case strings.HasPrefix(s, "zh"):
		return "ch" + s[2:]
	case strings.HasPrefix(s, "qi"):
		return "ch" + s[1:]
	}
	return ""
}

func (t *token) setKeys() {
	add := func(k string) {
		if k == "" {
			return
		}
		for i := uint8(0); i < t.nkeys; i++ {
			if t.keys[i] == k {
				return
			}
		}
		if int(t.nkeys) < len(t.keys) {
			t.keys[t.nkeys] = k
			t.nkeys++
		}
	}
	p, a := DoubleMetaphone(t.text, dmKeyLen)
	add(p)
	add(a)
	if f := romanFold(t.text); f != "" {
		p, a = DoubleMetaphone(f, dmKeyLen)
		add(p)
		add(a)
	}
}
