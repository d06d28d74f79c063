package namematch

import (
	"testing"

	"github.com/adrg/strutil"
	"github.com/adrg/strutil/metrics"
	"github.com/stretchr/testify/require"
)

// TestJaroWinklerPublished checks the published examples (Winkler 1990 via the usual textbook
// and Wikipedia examples).
func TestJaroWinklerPublished(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"MARTHA", "MARHTA", 0.961},
		{"DWAYNE", "DUANE", 0.840},
		{"DIXON", "DICKSONX", 0.813},
		{"JELLYFISH", "SMELLYFISH", 0.896},
		{"CRATE", "TRACE", 0.733},
		{"abc", "abc", 1},
		{"abc", "xyz", 0},
		{"", "", 1},
		{"a", "", 0},
	} {
		require.InDelta(t, tc.want, jaroWinkler(tc.a, tc.b), 0.001, "%s/%s", tc.a, tc.b)
		require.InDelta(t, tc.want, jaroWinkler(tc.b, tc.a), 0.001, "%s/%s reversed", tc.a, tc.b)
	}
}

func TestOSADistance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"smith", "smtih", 1}, // one transposition
		{"kitten", "sitting", 3},
		{"ca", "abc", 3}, // restricted: no edit inside a transposed pair
		{"garcia", "garcai", 1},
		{"john", "jhon", 1},
	} {
		require.Equal(t, tc.want, osaDistance(tc.a, tc.b), "%s/%s", tc.a, tc.b)
		require.Equal(t, tc.want, osaDistance([]byte(tc.b), tc.a), "%s/%s reversed", tc.a, tc.b)
	}
}

// TestLevenshteinRatioAgainstStrutil uses adrg/strutil (deps.md §11) as the oracle for the
// whole-name Levenshtein ratio, and for the token ratio where no transposition is involved.
func TestLevenshteinRatioAgainstStrutil(t *testing.T) {
	t.Parallel()
	lev := metrics.NewLevenshtein()
	for _, tc := range [][2]string{
		{"john smith", "smith john"}, {"mohammed ali", "muhammad ali"}, {"a", "b"},
		{"zhang wei", "chang wei"}, {"acme global trading", "acme trading"}, {"x", "xxxxxxxxxx"},
	} {
		want := strutil.Similarity(tc[0], tc[1], lev)
		require.InDelta(t, want, levenshteinRatio(tc[0], tc[1]), 1e-9, tc)
		require.InDelta(t, want, osaRatio(tc[0], tc[1]), 1e-9, tc)
	}
	require.InDelta(t, 1.0, levenshteinRatio("", ""), 1e-9)
}

func TestSpellingExamples(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b   string
		lo, hi float64
	}{
		{"maria", "marta", 0.84, 0.86},
		{"jhon", "john", 0.83, 0.85},
		{"wiliams", "williams", 0.92, 0.94},
		{"john", "joan", 0.80, 0.82},
	} {
		got := spelling(tc.a, tc.b)
		require.True(t, got >= tc.lo && got <= tc.hi, "%s/%s = %.3f", tc.a, tc.b, got)
	}
}
