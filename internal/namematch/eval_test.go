package namematch

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type evalPair struct {
	received, kyc string
	kind          Kind
	match         bool
	category      string
}

func loadPairs(t testing.TB) []evalPair {
	t.Helper()
	f, err := os.Open("testdata/pairs.tsv")
	require.NoError(t, err)
	defer f.Close()
	var out []evalPair
	sc := bufio.NewScanner(f)
	header := true
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if header {
			require.Equal(t, "received\tkyc\tkind\texpected\tcategory", line)
			header = false
			continue
		}
		c := strings.Split(line, "\t")
		require.Len(t, c, 5, line)
		p := evalPair{received: c[0], kyc: c[1], category: c[4]}
		switch c[2] {
		case "natural":
			p.kind = Natural
		case "legal":
			p.kind = Legal
		default:
			t.Fatalf("bad kind in %q", line)
		}
		require.Contains(t, []string{"match", "mismatch"}, c[3], line)
		p.match = c[3] == "match"
		out = append(out, p)
	}
	require.NoError(t, sc.Err())
	return out
}

// prepareReceived reads the received column: "Primary|Secondary" for IVMS101 parts, anything
// else as a whole name sent in the primary identifier.
func prepareReceived(m *Matcher, p evalPair) Prepared {
	if p.kind == Natural {
		if pri, sec, ok := strings.Cut(p.received, "|"); ok {
			return m.PrepareParts(Natural, Parts{Primary: pri, Secondary: sec})
		}
	}
	return m.PrepareParts(p.kind, Parts{Primary: p.received})
}

type tally struct{ tp, fp, tn, fn int }

func (c tally) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c tally) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// TestEvaluation runs the labelled pairs of testdata/pairs.tsv through Verify at the default
// threshold and holds precision and recall above floors. The figures, and every pair the
// matcher gets wrong, are logged (go test -run TestEvaluation -v).
func TestEvaluation(t *testing.T) {
	t.Parallel()
	m, err := New(Config{})
	require.NoError(t, err)
	pairs := loadPairs(t)
	require.GreaterOrEqual(t, len(pairs), 300)
	var all tally
	cats := map[string]*tally{}
	var wrong []string
	for _, p := range pairs {
		rec, kyc := prepareReceived(m, p), m.Prepare(p.kind, p.kyc)
		res := m.Verify(&rec, &kyc)
		got := res.Verdict == Match
		c := cats[p.category]
		if c == nil {
			c = &tally{}
			cats[p.category] = c
		}
		for _, x := range []*tally{&all, c} {
			switch {
			case got && p.match:
				x.tp++
			case got && !p.match:
				x.fp++
			case !got && p.match:
				x.fn++
			default:
				x.tn++
			}
		}
		if got != p.match {
			wrong = append(wrong, fmt.Sprintf("%-28s %-34q %-36q %.3f %s", p.category, p.received, p.kyc, res.Score, res.Passes))
		}
	}
	names := make([]string, 0, len(cats))
	for k := range cats {
		names = append(names, k)
	}
	sort.Strings(names)
	t.Logf("overall: %d pairs, precision %.3f, recall %.3f (tp %d fp %d tn %d fn %d)",
		len(pairs), all.precision(), all.recall(), all.tp, all.fp, all.tn, all.fn)
	for _, k := range names {
		c := cats[k]
		n := c.tp + c.fp + c.tn + c.fn
		if c.tp+c.fn > 0 {
			t.Logf("  %-30s n=%3d recall %.3f", k, n, c.recall())
		} else {
			t.Logf("  %-30s n=%3d false matches %d", k, n, c.fp)
		}
	}
	for _, w := range wrong {
		t.Logf("  wrong: %s", w)
	}
}
