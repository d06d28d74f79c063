package namematch

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func newMatcher(t testing.TB) *Matcher {
	t.Helper()
	m, err := New(Config{})
	require.NoError(t, err)
	return m
}

func foldTexts(s string, legal bool) []string {
	var out []string
	for _, r := range fold(s, legal) {
		out = append(out, r.text)
	}
	return out
}

func TestFold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		in    string
		legal bool
		want  []string
	}{
		{"case and spaces", "  JOHN   Smith ", false, []string{"john", "smith"}},
		{"diacritics", "José García Núñez", false, []string{"jose", "garcia", "nunez"}},
		{"letters NFKD does not fold", "Søren Ærø Straße Łukasz", false, []string{"soren", "aero", "strasse", "lukasz"}},
		{"ligature and full width", "ﬁsh Ｊｏｈｎ", false, []string{"fish", "john"}},
		{"cyrillic", "Иванов Александр", false, []string{"ivanov", "aleksandr"}},
		{"greek", "Γεώργιος Παπαδόπουλος", false, []string{"georgios", "papadopoulos"}},
		{"han characters become syllables", "张伟", false, []string{"zhang", "wei"}},
		{"hangul full name splits after the family syllable", "김민준", false, []string{"gim", "minjun"}},
		{"hangul given name alone stays whole", "민호", false, []string{"minho"}},
		{"arabic", "محمد بن راشد", false, []string{"mhmd", "bn", "rshd"}},
		{"apostrophes join", "O'Brien d’Angelo", false, []string{"obrien", "dangelo"}},
		{"hyphens and commas separate", "Smith-Jones, Anna", false, []string{"smith", "jones", "anna"}},
		{"periods end initials in personal names", "J.R.R. Tolkien", false, []string{"j", "r", "r", "tolkien"}},
		{"periods join in legal names", "Acme S.A.", true, []string{"acme", "sa"}},
		{"ampersand is a word in legal names", "Smith & Sons", true, []string{"smith", "and", "sons"}},
		{"ampersand separates personal names", "John&Jane", false, []string{"john", "jane"}},
		{"only punctuation", " -.,; ", false, nil},
		{"invalid utf-8 is dropped", "Jo\xffhn", false, []string{"john"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, foldTexts(tc.in, tc.legal))
		})
	}
}

func TestFoldMarksScripts(t *testing.T) {
	t.Parallel()
	toks := fold("محمد Ivanov Иван", false)
	require.Len(t, toks, 3)
	require.True(t, toks[0].abjad && toks[0].translit)
	require.False(t, toks[1].abjad || toks[1].translit)
	require.True(t, !toks[2].abjad && toks[2].translit)
}

func TestFoldCaps(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 5000)
	toks := fold(long, false)
	require.Len(t, toks, 1)
	require.Len(t, toks[0].text, maxTokenLen)
	// Input is cut at maxInputLen bytes on a rune boundary.
	many := strings.Repeat("жж ", 1000)
	total := 0
	for _, tk := range fold(many, false) {
		total += len(tk.text) + 1
	}
	require.LessOrEqual(t, total, maxInputLen+1)
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	for _, tc := range []struct {
		name string
		kind Kind
		in   string
		want string
	}{
		{"honorifics dropped", Natural, "Prof. Dr. Hans Müller", "hans muller"},
		{"honorific alone kept", Natural, "Mr", "mr"},
		{"post-nominal dropped", Natural, "John Smith Esq.", "john smith"},
		{"generation kept canonical", Natural, "John Smith Junior", "john smith|jr"},
		{"generation needs two other tokens", Natural, "Smith Jr", "smith jr"},
		{"legal suffix canonical", Legal, "Acme Limited", "acme|ltd"},
		{"multi-token suffix", Legal, "Acme Global Trading Pte. Ltd.", "acme global trading|ltd"},
		{"several suffixes", Legal, "Shenzhen Acme Co., Ltd.", "shenzhen acme|ltd"},
		{"prefix form", Legal, "ООО Ромашка", "romashka|llc"},
		{"neutral form dropped", Legal, "The Coca-Cola Company", "the coca cola"},
		{"form alone kept", Legal, "Limited", "limited"},
		{"spelled-out form", Legal, "Siemens Aktiengesellschaft", "siemens|ag"},
		{"invalid kind", Kind(0), "John Smith", ""},
		{"empty", Natural, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, m.Normalize(tc.kind, tc.in))
		})
	}
}

func TestPrepareParts(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	p := m.PrepareParts(Natural, Parts{Primary: "Davis", Secondary: "Mr Sammy Jr."})
	require.Equal(t, "sammy davis|jr", p.Normalized(), "honorific and a Jr in the given-names field")
	require.Equal(t, fieldSecondary, p.toks[0].field)
	require.Equal(t, fieldPrimary, p.toks[1].field)
	require.Equal(t, fieldPrimary|fieldSecondary, p.fields)

	only := m.PrepareParts(Natural, Parts{Primary: "Smith"})
	require.Equal(t, fieldPrimary, only.fields)

	legal := m.PrepareParts(Legal, Parts{Primary: "Acme Ltd", Secondary: "ignored"})
	require.Equal(t, "acme|ltd", legal.Normalized())
	require.Equal(t, Legal, legal.Kind())

	bad := m.PrepareParts(Kind(9), Parts{Primary: "x"})
	require.True(t, bad.Empty())
}

func TestPrepareTokenFlags(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	p := m.Prepare(Natural, "J. Ludwig van Beethoven")
	require.True(t, p.toks[0].initial())
	require.NotZero(t, p.toks[1].flags&tokKnown, "ludwig is in the name table")
	require.True(t, p.toks[2].optional(), "van is a particle")
	require.False(t, p.toks[3].optional())

	k := m.PrepareParts(Natural, Parts{Primary: "이", Secondary: "민호"})
	require.False(t, k.toks[1].initial(), "a letter transliterated from Hangul is not an initial")

	l := m.Prepare(Legal, "Bank of the West")
	require.True(t, l.toks[1].optional() && l.toks[2].optional())
	require.Equal(t, "bw", l.acronym)
}

func TestPrepareCapsTokens(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	in := strings.Repeat("ab ", maxTokens+5)
	p := m.Prepare(Natural, in)
	require.Len(t, p.toks, maxTokens)
	require.Equal(t, strings.Repeat("ab", 6), p.toks[maxTokens-1].text)
}

func TestFirstVowelAndSkeleton(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		vowel byte
		skel  string
	}{
		{"iuliia", 'o', "l"},
		{"yulia", 'o', "l"},
		{"julia", 'o', "jl"},
		{"tchaikovsky", 'a', "tchkvsk"},
		{"jeong", 'o', "jng"},
		{"mohammed", 'o', "mhmd"},
		{"xyz", 'e', "xz"},
		{"brr", 0, "br"},
	} {
		require.Equal(t, tc.vowel, firstVowel(tc.in), tc.in)
		require.Equal(t, tc.skel, skeleton(tc.in), tc.in)
	}
}

// TestTablesAreNormalised checks that every entry of the embedded tables is written the way
// Prepare writes tokens, so that no entry is unreachable.
func TestTablesAreNormalised(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	require.Greater(t, len(m.names), 500)
	for name := range m.names {
		require.Equal(t, []string{name}, foldTexts(name, false), name)
	}
	require.Greater(t, len(m.forms), 100)
	for ph := range m.forms {
		require.Equal(t, strings.Fields(ph), foldTexts(ph, true), ph)
	}
}

func TestTableParseErrors(t *testing.T) {
	t.Parallel()
	_, err := parseNames("bob robert\nBOB\n")
	require.ErrorContains(t, err, "line 2")
	for _, src := range []string{
		"ltd private ltd | limited\n",
		"ltd nonsense: ltd\n",
		"ltd private: Ltd.\n",
		"ltd private: a b c d e f g\n",
		"ltd private: ltd | \n",
	} {
		_, err := parseLegalForms(src)
		require.Error(t, err, src)
	}
	forms, err := parseLegalForms("# c\nooo private: ooo | ^ooo\n")
	require.NoError(t, err)
	require.True(t, forms["ooo"].prefix)
}
