package namematch

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCompare walks each pass and penalty with a pair that needs it. Scores are checked to a
// range so that the intent (match at the default threshold or not) is what the test holds.
func TestCompare(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	for _, tc := range []struct {
		name    string
		kind    Kind
		a, b    string
		lo, hi  float64
		pass    Pass
		dropped int
		flags   Flags
	}{
		{"exact", Natural, "John Smith", "John Smith", 1, 1, PassExact, 0, 0},
		{"case and diacritics", Natural, "Jöhn Smíth", "JOHN SMITH", 1, 1, PassExact, 0, 0},
		{"script", Natural, "Иван Петров", "Ivan Petrov", 1, 1, PassExact, 0, 0},
		{"spaces", Natural, "Jean-Pierre Dupont", "Jeanpierre Dupont", 1, 1, PassExact, 0, 0},
		{"swapped", Natural, "Smith John", "John Smith", 1, 1, PassReordered, 0, 0},
		{"middle name dropped", Natural, "John Paul Smith", "John Smith", 0.95, 0.95, PassDropped, 1, 0},
		{"two middle names dropped", Natural, "John Paul George Smith", "John Smith", 0.9025, 0.9025, PassDropped, 2, 0},
		{"particle free", Natural, "Ludwig van Beethoven", "Ludwig Beethoven", 1, 1, PassExact, 0, 0},
		{"nickname", Natural, "Bob Smith", "Robert Smith", 0.92, 0.92, PassNickname, 0, 0},
		{"nickname and middle name", Natural, "Bob Paul Smith", "Robert Smith", 0.874, 0.874, PassNickname, 1, 0},
		{"initial", Natural, "J. Smith", "John Smith", 0.9, 0.9, PassInitials, 0, 0},
		{"wrong initial", Natural, "K. Smith", "John Smith", 0, 0, PassNone, 0, 0},
		{"phonetic romanisation", Natural, "Pyotr Tchaikovsky", "Petr Chaykovskiy", 0.9, 0.9, PassPhonetic, 0, 0},
		{"phonetic typo", Natural, "Jhon Smith", "John Smith", 0.9, 0.9, PassPhonetic, 0, 0},
		{"abjad consonants", Natural, "محمد بن راشد", "Mohammed bin Rashid", 0.9, 0.9, PassPhonetic, 0, 0},
		{"fuzzy typo", Natural, "Sarah Wiliams", "Sarah Williams", 0.92, 0.94, PassFuzzy, 0, 0},
		{"merged written together", Natural, "Abd al-Rahman Hassan", "Abdulrahman Hassan", 0.92, 0.92, PassNickname, 0, 0},
		{"merged phonetic", Natural, "Deng Xiaoping", "Teng Hsiao-ping", 0.9, 0.9, PassPhonetic, 0, 0},
		{"known distinct names", Natural, "John Smith", "Joan Smith", 0.8, 0.8, PassFuzzy, 0, 0},
		{"sibling with one letter", Natural, "Maria Garcia", "Marta Garcia", 0.8, 0.8, PassFuzzy, 0, 0},
		{"different middle names", Natural, "John Paul Smith", "John Peter Smith", 0, 0.7, PassFuzzy, 0, 0},
		{"family name alone", Natural, "Smith", "John Smith", 0.475, 0.475, PassDropped, 1, FlagIncomplete},
		{"jr against sr", Natural, "John Smith Jr", "John Smith Sr", 0.5, 0.5, PassExact, 0, FlagGeneration},
		{"one-sided jr", Natural, "John Smith Jr", "John Smith", 0.95, 0.95, PassDropped, 1, 0},
		{"unrelated", Natural, "Chinedu Okafor", "Olga Ivanova", 0, 0.5, PassFuzzy, 0, 0},
		{"legal exact", Legal, "Acme Ltd", "ACME Limited", 1, 1, PassExact, 0, 0},
		{"legal form omitted", Legal, "Acme", "Acme Ltd", 1, 1, PassExact, 0, 0},
		{"legal form differs", Legal, "Acme GmbH", "Acme AG", 0.85, 0.85, PassExact, 0, FlagLegalForm},
		{"legal word dropped", Legal, "Coinbase Global Inc", "Coinbase Inc", 0.85, 0.85, PassDropped, 1, 0},
		{"legal acronym", Legal, "International Business Machines Corp", "IBM", 0.9, 0.9, PassInitials, 0, 0},
		{"legal different words", Legal, "Acme Trading Ltd", "Acme Holdings Ltd", 0, 0.7, PassFuzzy, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := m.Prepare(tc.kind, tc.a), m.Prepare(tc.kind, tc.b)
			c := m.Compare(&a, &b)
			require.GreaterOrEqual(t, c.Score, tc.lo-1e-9)
			require.LessOrEqual(t, c.Score, tc.hi+1e-9)
			require.Equal(t, tc.pass, c.Pass, "passes %s", c.Passes)
			require.Equal(t, tc.dropped, c.Dropped)
			require.Equal(t, tc.flags, c.Flags)
			require.Equal(t, c, m.Compare(&b, &a), "symmetric")
		})
	}
}

func TestCompareEdges(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	nat, leg := m.Prepare(Natural, "Acme"), m.Prepare(Legal, "Acme")
	require.Equal(t, Comparison{}, m.Compare(&nat, &leg), "kinds never match")
	var zero Prepared
	require.Equal(t, Comparison{}, m.Compare(&zero, &zero))
	empty := m.Prepare(Natural, "...")
	require.Equal(t, Comparison{}, m.Compare(&empty, &nat))
	// The adversarial case for the search: many similar tokens on both sides.
	a := m.Prepare(Natural, "aa ab ac ad ae af ag ah ai aj ak al")
	b := m.Prepare(Natural, "ba bb bc bd be bf bg bh bi bj bk bl")
	c := m.Compare(&a, &b)
	require.True(t, c.Score >= 0 && c.Score < ThresholdLenient, "%v", c)
}

// TestCompareDoesNotAllocate holds the zero-allocation promise on both paths.
func TestCompareDoesNotAllocate(t *testing.T) {
	m := newMatcher(t)
	worst := [2]string{"aab abb acb adb aeb afb agb ahb aib ajb akb alb", "baa bba bca bda bea bfa bga bha bia bja bka bla"}
	for _, p := range append(append(fastPairs, slowPairs...), worst) {
		a, b := m.Prepare(Natural, p[0]), m.Prepare(Natural, p[1])
		allocs := testing.AllocsPerRun(50, func() { m.Compare(&a, &b) })
		require.Zero(t, allocs, p)
	}
}

func TestCompareConcurrent(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	a, b := m.Prepare(Natural, "Pyotr Tchaikovsky"), m.Prepare(Natural, "Petr Chaykovskiy")
	want := m.Compare(&a, &b)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if got := m.Compare(&a, &b); got != want {
					t.Errorf("got %v, want %v", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestPassNames(t *testing.T) {
	t.Parallel()
	require.Equal(t, "phonetic", PassPhonetic.String())
	require.Equal(t, "invalid", Pass(42).String())
	var s PassSet
	require.Equal(t, "none", s.String())
	s.add(PassNickname)
	s.add(PassExact)
	require.Equal(t, "exact+nickname", s.String())
	require.Equal(t, []Pass{PassExact, PassNickname}, s.List())
	require.Equal(t, "", Flags(0).String())
	require.Equal(t, "legal_form_differs+incomplete", (FlagLegalForm | FlagIncomplete).String())
	require.Equal(t, "natural", Natural.String())
	require.Equal(t, "invalid", Kind(0).String())
}
