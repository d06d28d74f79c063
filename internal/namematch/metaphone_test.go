package namematch

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDoubleMetaphonePublished checks the encoder against published test vectors (see the file
// header for the source).
func TestDoubleMetaphonePublished(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/doublemetaphone.tsv")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, 3, line)
		p, a := DoubleMetaphone(cols[0], 4)
		require.Equal(t, cols[1], p, "primary of %q", cols[0])
		require.Equal(t, cols[2], a, "alternate of %q", cols[0])
		n++
	}
	require.NoError(t, sc.Err())
	require.Greater(t, n, 150)
}

// TestDoubleMetaphoneArticle checks the examples that motivate the phonetic pass, with the
// longer keys the matcher uses.
func TestDoubleMetaphoneArticle(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		word, pri, alt string
	}{
		{"Tchaikovsky", "XKFSK", "XKFSK"},
		{"Chaykovskiy", "XKFSK", "XKFSK"},
		{"Mohammed", "MHMT", "MHMT"},
		{"Muhammad", "MHMT", "MHMT"},
		{"Zhang", "JNK", "JNK"},
		{"Chang", "XNK", "XNK"},
		{"Aleksandr", "ALKSNT", "ALKSNT"},
		{"Alexander", "ALKSNT", "ALKSNT"},
		{"Raj", "RJ", "R"}, // a final J adds nothing to the alternate key
		{"", "", ""},
		{"   ", "", ""},
		{"123", "", ""},
	} {
		p, a := DoubleMetaphone(tc.word, 6)
		require.Equal(t, tc.pri, p, tc.word)
		require.Equal(t, tc.alt, a, tc.word)
	}
}

func TestDoubleMetaphoneDefaultLength(t *testing.T) {
	t.Parallel()
	p, a := DoubleMetaphone("Tchaikovsky", 0)
	require.Equal(t, "XKFS", p)
	require.Equal(t, "XKFS", a)
	long := strings.Repeat("abc", 100)
	p, _ = DoubleMetaphone(long, 1000)
	require.NotEmpty(t, p) // input beyond 64 bytes is cut, not a panic
}
