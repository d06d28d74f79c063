package namematch

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// nameGen draws names that exercise the matcher: tokens from a small alphabet (so that random
// pairs share letters and tokens), name-table entries, particles, initials, honorifics, legal
// forms, diacritics, other scripts and punctuation.
func nameGen() *rapid.Generator[string] {
	pieces := []string{
		"john", "jon", "joan", "smith", "smtih", "bob", "robert", "maria", "marta", "garcia", "lopez",
		"van", "de", "al", "bin", "j.", "k", "mr", "dr", "jr", "sr", "iii", "ltd", "gmbh", "s.a.", "co",
		"inc", "llc", "ooo", "&", "-", "'", ",", "José", "Müller", "Søren", "Иван", "Петров", "张伟",
		"김민준", "محمد", "Γιώργος", "zhang", "chang", "mohammed", "muhammad", "abd", "rahman",
		"abdulrahman", "xiao", "ming", "xiaoming", "hsiao", "tchaikovsky", "chaykovskiy", "a", "ab", "ba",
	}
	token := rapid.OneOf(
		rapid.SampledFrom(pieces),
		rapid.StringMatching(`[a-eA-E]{1,6}`),
		rapid.String(),
	)
	return rapid.Custom(func(t *rapid.T) string {
		toks := rapid.SliceOfN(token, 0, 7).Draw(t, "tokens")
		return strings.Join(toks, " ")
	})
}

func kindGen() *rapid.Generator[Kind] { return rapid.SampledFrom([]Kind{Natural, Legal}) }

func TestPropertyCompare(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	rapid.Check(t, func(t *rapid.T) {
		kind := kindGen().Draw(t, "kind")
		x, y := nameGen().Draw(t, "a"), nameGen().Draw(t, "b")
		a, b := m.Prepare(kind, x), m.Prepare(kind, y)
		c := m.Compare(&a, &b)
		if math.IsNaN(c.Score) || c.Score < 0 || c.Score > 1 {
			t.Fatalf("score %v out of [0,1]", c.Score)
		}
		if c2 := m.Compare(&b, &a); c2 != c {
			t.Fatalf("not symmetric: %+v against %+v", c, c2)
		}
		if !a.Empty() {
			if self := m.Compare(&a, &a); self.Score != 1 || self.Pass != PassExact {
				t.Fatalf("identity scored %+v", self)
			}
			again := m.Prepare(kind, a.Normalized())
			if c := m.Compare(&a, &again); c.Score != 1 {
				t.Fatalf("a name against its normalised form scored %+v", c)
			}
		}
		if c.Score >= 1-1e-12 && c.Pass == PassNone {
			t.Fatalf("full score with no pass: %+v", c)
		}
	})
}

func TestPropertyNormalizeIdempotent(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	rapid.Check(t, func(t *rapid.T) {
		kind := kindGen().Draw(t, "kind")
		once := m.Normalize(kind, nameGen().Draw(t, "name"))
		if twice := m.Normalize(kind, once); twice != once {
			t.Fatalf("Normalize(%q) = %q", once, twice)
		}
	})
}

// TestPropertyFastPathAgrees checks that what the fast path resolves as reordered, the full
// alignment also scores 1.
func TestPropertyFastPathAgrees(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	rapid.Check(t, func(t *rapid.T) {
		kind := kindGen().Draw(t, "kind")
		toks := strings.Fields(m.Normalize(kind, nameGen().Draw(t, "name")))
		if len(toks) == 0 {
			return
		}
		perm := rapid.Permutation(toks).Draw(t, "perm")
		a, b := m.Prepare(kind, strings.Join(toks, " ")), m.Prepare(kind, strings.Join(perm, " "))
		if a.sorted != b.sorted {
			return // a legal form moved to the front is read differently; not this property
		}
		x, y := &a, &b
		if y.key < x.key {
			x, y = y, x
		}
		if c := m.slow(x, y); c.Score < 1-1e-12 {
			t.Fatalf("fast path says reordered, alignment says %+v", c)
		}
	})
}

// TestPropertyVerifyConsistent checks that an overall match never comes with a field mismatch,
// and that verdicts follow scores.
func TestPropertyVerifyConsistent(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	rapid.Check(t, func(t *rapid.T) {
		rec := m.PrepareParts(Natural, Parts{Primary: nameGen().Draw(t, "primary"), Secondary: nameGen().Draw(t, "secondary")})
		kyc := m.Prepare(Natural, nameGen().Draw(t, "kyc"))
		r := m.Verify(&rec, &kyc)
		for _, f := range r.Fields {
			if f.Score < 0 || f.Score > 1 {
				t.Fatalf("field score %v", f.Score)
			}
			if r.Verdict == Match && f.Verdict == Mismatch {
				t.Fatalf("overall match with %s mismatch: %s", f.Field, r.Explanation)
			}
			if f.Verdict == Match && f.Score < r.Threshold {
				t.Fatalf("field verdict against score: %+v", f)
			}
		}
		if (r.Verdict == Match) != (r.Score >= r.Threshold && !rec.Empty() && !kyc.Empty()) {
			t.Fatalf("verdict against score: %s", r.Explanation)
		}
	})
}

func TestPropertySimilarity(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.StringMatching(`[a-f]{0,12}`).Draw(t, "a")
		b := rapid.StringMatching(`[a-f]{0,12}`).Draw(t, "b")
		for _, f := range []func(string, string) float64{jaroWinkler[string, string], osaRatio[string, string], spelling[string, string]} {
			v, w := f(a, b), f(b, a)
			require.InDelta(t, v, w, 1e-12, "symmetric")
			require.True(t, v >= 0 && v <= 1)
			require.Equal(t, 1.0, f(a, a))
		}
		require.Equal(t, osaDistance(a, b) == 0, a == b)
	})
}
