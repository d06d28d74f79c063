package namematch

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// fastPairs resolve on the fast path: equal after normalisation, reordered, or equal without
// spaces.
var fastPairs = [][2]string{
	{"John Smith", "JOHN SMITH"},
	{"José García Márquez", "Jose Garcia Marquez"},
	{"Smith John", "John Smith"},
	{"Zhang Wei", "Wei Zhang"},
	{"Jean-Pierre Dupont", "Jeanpierre Dupont"},
	{"Mr John Smith", "John Smith"},
	{"Müller Hans", "Hans Müller"},
	{"Olga Ivanova", "Ivanova Olga"},
}

// slowPairs need the alignment: typos, nicknames, initials, phonetic, dropped middle names,
// merges and outright mismatches.
var slowPairs = [][2]string{
	{"John Smtih", "John Smith"},
	{"Bob Smith", "Robert Smith"},
	{"J. Smith", "John Smith"},
	{"Pyotr Tchaikovsky", "Petr Chaykovskiy"},
	{"John Paul Smith", "John Smith"},
	{"Abd al-Rahman Hassan", "Abdulrahman Hassan"},
	{"Maria Garcia Lopez", "Marta Garcia Lopez"},
	{"Chinedu Okafor", "Olga Ivanova"},
}

func preparePairs(b *testing.B, m *Matcher, pairs [][2]string) [][2]Prepared {
	out := make([][2]Prepared, len(pairs))
	for i, p := range pairs {
		out[i] = [2]Prepared{m.Prepare(Natural, p[0]), m.Prepare(Natural, p[1])}
	}
	return out
}

// BenchmarkCompareFastPath measures Compare on prepared names that the fast path resolves.
// Run with -cpu 1 for the per-core figure.
func BenchmarkCompareFastPath(b *testing.B) {
	m, err := New(Config{})
	require.NoError(b, err)
	pairs := preparePairs(b, m, fastPairs)
	for i := range pairs {
		c := m.Compare(&pairs[i][0], &pairs[i][1])
		require.Equal(b, 1.0, c.Score, fastPairs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := &pairs[i%len(pairs)]
		m.Compare(&p[0], &p[1])
	}
}

// BenchmarkCompareSlowPath measures Compare on prepared names that need the full alignment.
func BenchmarkCompareSlowPath(b *testing.B) {
	m, err := New(Config{})
	require.NoError(b, err)
	pairs := preparePairs(b, m, slowPairs)
	for i := range pairs {
		c := m.Compare(&pairs[i][0], &pairs[i][1])
		require.Less(b, c.Score, 1.0, slowPairs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := &pairs[i%len(pairs)]
		m.Compare(&p[0], &p[1])
	}
}

// BenchmarkPrepare measures preparing one name (normalisation, transliteration, keys).
func BenchmarkPrepare(b *testing.B) {
	m, err := New(Config{})
	require.NoError(b, err)
	names := []string{"José García Márquez", "Иванов Александр", "Pyotr Tchaikovsky", "张伟", "Abd al-Rahman Hassan"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Prepare(Natural, names[i%len(names)])
	}
}

// BenchmarkVerify measures a whole verification from strings, as the engine calls it.
func BenchmarkVerify(b *testing.B) {
	m, err := New(Config{})
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := m.PrepareParts(Natural, Parts{Primary: "Smith", Secondary: "Bob Paul"})
		kyc := m.Prepare(Natural, "Robert Smith")
		m.Verify(&rec, &kyc)
	}
}
