package screening

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// collect reads a source with read and returns the entries it passed on.
func collect(t *testing.T, read func(context.Context, []byte, ProgressFunc, func(Entry) error) (Source, error), data []byte) ([]Entry, Source, error) {
	t.Helper()
	var entries []Entry
	src, err := read(context.Background(), data, nil, func(e Entry) error {
		if strings.TrimSpace(e.Address) == "" {
			return fmt.Errorf("%w: address is empty", ErrInvalidEntry)
		}
		entries = append(entries, e)
		return nil
	})
	return entries, src, err
}

func readCSV(ctx context.Context, data []byte, p ProgressFunc, add func(Entry) error) (Source, error) {
	return ReadCSV(ctx, bytes.NewReader(data), p, add)
}

func TestImportCSVSample(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/sample.csv")
	require.NoError(t, err)
	entries, src, err := collect(t, readCSV, data)
	require.NoError(t, err)
	require.Equal(t, []Entry{
		{Address: "0x52908400098527886E0F7030069857D2E4169EE7", Network: "ethereum", Entity: "Example Drainer", RiskScore: dec("10"), Tags: []string{"scam", "phishing"}, ID: "blk-1"},
		{Address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Network: "bitcoin", Entity: "Example Mixer, Inc.", RiskScore: dec("8.5"), Tags: []string{"mixer", "high-risk"}, ID: "blk-2"},
		{Address: addrTron, Network: "tron"},
		{Address: "rLvhZfDAQqBbra1fMY28QyvtLG4Gyd66oY", Network: "XRP", Entity: "Example Gateway", RiskScore: dec("2"), Tags: []string{"exchange"}, ID: "blk-4"},
	}, entries)
	sum := sha256.Sum256(data)
	require.Equal(t, Source{
		Progress: Progress{Rows: 4, Entries: 4, Bytes: int64(len(data))},
		Hash:     "sha256:" + hex.EncodeToString(sum[:]),
	}, src)

	l, err := Import(context.Background(), bytes.NewReader(data), FormatCSV, ImportOptions{Name: "internal"})
	require.NoError(t, err)
	require.Equal(t, "sha256:"+hex.EncodeToString(sum[:6]), l.Version().ID)
	require.Equal(t, 4, l.Len())
	hits := l.Lookup("0x52908400098527886e0f7030069857d2e4169ee7")
	require.Len(t, hits, 1)
	require.Equal(t, "Example Drainer", hits[0].Entity)
	hits = l.Lookup(addrTron)
	require.Len(t, hits, 1)
	require.Equal(t, "10", hits[0].RiskScore.String(), "no risk_score means the default")
	require.Equal(t, "xrp", l.Lookup("rLvhZfDAQqBbra1fMY28QyvtLG4Gyd66oY")[0].Network)

	_, err = Import(context.Background(), bytes.NewReader(data), FormatCSV, ImportOptions{})
	require.ErrorContains(t, err, "list name is empty")
	l, err = Import(context.Background(), bytes.NewReader(data), FormatCSV, ImportOptions{Name: "internal", Version: "r7"})
	require.NoError(t, err)
	require.Equal(t, "r7", l.Version().ID)
}

func TestImportCSVErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		csv   string
		line  int
		field string
		want  string
	}{
		{"empty file", "", 1, "", "no header"},
		{"only a BOM", "\uFEFF", 1, "", "no header"},
		{"no address column", "wallet,entity\nabc,Jane Example\n", 1, "", "no address column"},
		{"column twice", "address,Address\nabc,abc\n", 1, "address", "given twice"},
		{"empty address", "address,entity\nabc,x\n  ,Jane Example\n", 3, "address", "empty"},
		{"bad risk score", "address,entity,risk_score\r\nabc,x,1\r\ndef,Jane Example,high\r\n", 3, "risk_score", "not a number"},
		{"risk score above 10", "address,risk_score\nabc,11\n", 2, "risk_score", "not a number from 0 to 10"},
		{"negative risk score", "address,risk_score\nabc,-0.5\n", 2, "risk_score", ""},
		{"bare quote", "address,entity\nabc,x\ndef,Jane \"Example\n", 3, "", "bare \""},
		{"unterminated quote", "address,entity\nabc,x\n\"def,Jane Example\n", 3, "", "extraneous or missing \""},
		{"address too long", "address\n" + strings.Repeat("a", 300) + "\n", 2, "", "longer than 256 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Import(context.Background(), strings.NewReader(tt.csv), FormatCSV, ImportOptions{Name: "x"})
			require.Error(t, err)
			var le *LineError
			require.ErrorAs(t, err, &le)
			require.Equal(t, tt.line, le.Line, "%v", err)
			require.Equal(t, tt.field, le.Field, "%v", err)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), "Jane", "errors carry no personal data")
			require.Contains(t, err.Error(), fmt.Sprintf("line %d", tt.line))
		})
	}
}

func TestImportProgressAndCancel(t *testing.T) {
	t.Parallel()
	var csv bytes.Buffer
	csv.WriteString("address,entity\n")
	var buf []byte
	const rows = 20_000
	for i := range rows {
		buf, _ = genAddress(buf, 5, uint64(i))
		fmt.Fprintf(&csv, "%s,Entity %d\n", buf, i/10)
	}
	data := csv.Bytes()

	var reports []Progress
	l, err := Import(context.Background(), bytes.NewReader(data), FormatCSV, ImportOptions{
		Name: "big", Progress: func(p Progress) { reports = append(reports, p) },
	})
	require.NoError(t, err)
	require.Equal(t, rows, l.Len())
	require.GreaterOrEqual(t, len(reports), 3, "reports along the way and at the end")
	for i := 1; i < len(reports); i++ {
		require.GreaterOrEqual(t, reports[i].Rows, reports[i-1].Rows)
		require.GreaterOrEqual(t, reports[i].Bytes, reports[i-1].Bytes)
	}
	require.Equal(t, Progress{Rows: rows, Entries: rows, Bytes: int64(len(data))}, reports[len(reports)-1])

	ctx, cancel := context.WithCancel(context.Background())
	_, err = Import(ctx, bytes.NewReader(data), FormatCSV, ImportOptions{
		Name: "big", Progress: func(p Progress) { cancel() },
	})
	require.ErrorIs(t, err, context.Canceled)

	_, err = Import(context.Background(), bytes.NewReader(data), "xlsx", ImportOptions{Name: "x"})
	require.ErrorContains(t, err, "unknown list format")

	failing := errors.New("disk on fire")
	_, err = ReadCSV(context.Background(), bytes.NewReader(data), nil, func(Entry) error { return failing })
	require.ErrorIs(t, err, failing)
}

func FuzzImportCSV(f *testing.F) {
	sample, err := os.ReadFile("testdata/sample.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte("address\n"))
	f.Add([]byte("address,risk_score,tags\n0xabc,5,a|b;c\n\"q\"\"\",,\n"))
	f.Add([]byte("\uFEFFaddress,network\r\nbc1q,bitcoin\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var entries []Entry
		b := NewBuilder("fuzz", 0)
		_, err := ReadCSV(context.Background(), bytes.NewReader(data), nil, func(e Entry) error {
			if err := b.Add(e); err != nil {
				return err
			}
			entries = append(entries, e)
			return nil
		})
		if err != nil {
			return
		}
		l, err := b.Build(Version{ID: "1"})
		require.NoError(t, err)
		for _, e := range entries {
			require.NotEmpty(t, l.Lookup(e.Address), "every entry taken is found")
		}
	})
}
