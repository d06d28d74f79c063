package screening

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func readSDN(ctx context.Context, data []byte, p ProgressFunc, add func(Entry) error) (Source, error) {
	return ReadSDN(ctx, bytes.NewReader(data), p, add)
}

func readSDNAdvanced(ctx context.Context, data []byte, p ProgressFunc, add func(Entry) error) (Source, error) {
	return ReadSDNAdvanced(ctx, bytes.NewReader(data), p, add)
}

// sdnSampleEntries are the digital currency addresses of testdata/sdn_sample.xml and
// testdata/sdn_advanced_sample.xml, which hold the same fictitious entries.
func sdnSampleEntries() []Entry {
	otc := func(addr, network string) Entry {
		return Entry{Address: addr, Network: network, Entity: "EXAMPLE OTC, S.R.O.", Tags: []string{"CYBER2"}, ID: "90002"}
	}
	person := func(addr, network string) Entry {
		return Entry{Address: addr, Network: network, Entity: "Ivan Petrovich EXAMPLOV", Tags: []string{"CYBER2", "DPRK3"}, ID: "90003"}
	}
	mixer := func(addr, network string) Entry {
		return Entry{Address: addr, Network: network, Entity: "EXAMPLE MIXER", Tags: []string{"CYBER2"}, ID: "90004"}
	}
	return []Entry{
		otc(addrOTC, "bitcoin"),
		otc("1LPGfncT4L28tLJNjFR4vze6FvnyR8bD3N", "bitcoin"),
		otc("0xFF23827E17c10CDC1c27a028caAe6c9810626198", "ethereum"),
		otc(addrTron, "tron"), // USDT: the network comes from the address format
		person("4u5qbr99jXcBHaxfUEbqomDnLSjiQVzaV8GF5N2ecFeF15nh4F5z3xN5ZGJjYEb9oyddXGsXtTD77jUPUTWxo4kii74SoNt", "monero"),
		person("ltc1qzas3sk7ctzdy8nsthf6cj8lea3spfr2tvh85kz", "litecoin"),
		person("0xff778740f88ddcf102aeb81daee289c044c4a457", "ethereum"), // USDC
		person(addrShared, "ethereum"),
		mixer("TFLDodYtFWiRLKY9c9sK2aeFAyJRVzuPqX", "tron"),
		mixer("0x1c4b6f287400f4b8e0b843f880c32d81e91bdea0", "arbitrum"),
		mixer("0x1C4B6F287400F4B8E0B843F880C32D81E91BDEA0", "bsc"),
		mixer("rLvhZfDAQqBbra1fMY28QyvtLG4Gyd66oY", "xrp"),
		mixer("341DMQpZmzPFfk9pcRsvaxFexkVo4CtHBo", "bitcoin-cash"),
	}
}

func TestReadSDNSamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		read func(context.Context, []byte, ProgressFunc, func(Entry) error) (Source, error)
	}{
		{"SDN.XML", "testdata/sdn_sample.xml", readSDN},
		{"sdn_advanced.xml", "testdata/sdn_advanced_sample.xml", readSDNAdvanced},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(tt.file)
			require.NoError(t, err)
			var entries []Entry
			b := NewBuilder("x", 0)
			src, err := tt.read(context.Background(), data, nil, func(e Entry) error {
				if err := b.Add(e); err != nil {
					return err
				}
				entries = append(entries, e)
				return nil
			})
			require.NoError(t, err)
			byAddress := func(a, b Entry) int { return strings.Compare(a.Address+a.Network, b.Address+b.Network) }
			want := sdnSampleEntries()
			slices.SortFunc(want, byAddress)
			slices.SortFunc(entries, byAddress)
			require.Equal(t, want, entries)
			sum := sha256.Sum256(data)
			require.Equal(t, Source{
				Progress:  Progress{Rows: 5, Entries: 13, Bytes: int64(len(data))},
				Skipped:   1,
				Published: time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC),
				Hash:      "sha256:" + hex.EncodeToString(sum[:]),
			}, src)
		})
	}
}

func TestImportSDN(t *testing.T) {
	t.Parallel()
	for _, format := range []Format{FormatSDN, FormatSDNAdvanced} {
		t.Run(string(format), func(t *testing.T) {
			t.Parallel()
			file := map[Format]string{FormatSDN: "testdata/sdn_sample.xml", FormatSDNAdvanced: "testdata/sdn_advanced_sample.xml"}[format]
			f, err := os.Open(file)
			require.NoError(t, err)
			t.Cleanup(func() { _ = f.Close() })
			var last Progress
			l, err := Import(context.Background(), f, format, ImportOptions{Progress: func(p Progress) { last = p }})
			require.NoError(t, err)
			require.Equal(t, OFACListName, l.Name())
			require.Equal(t, "2025-06-03", l.Version().ID)
			require.Equal(t, 13, l.Len())
			require.Equal(t, int64(13), last.Entries)

			hits := l.Lookup("BC1Q5VWQD02X8CUJ80Q64K77FZCKJAKQSPCHX9P2KM")
			require.Len(t, hits, 1)
			require.Equal(t, "ofac-sdn@2025-06-03", hits[0].MatchedList())
			require.Equal(t, "EXAMPLE OTC, S.R.O.", hits[0].Entity)
			require.Equal(t, "10", hits[0].RiskScore.String())

			hits = l.Lookup(addrShared)
			require.Len(t, hits, 2, "one address of two SDN entries")
			require.ElementsMatch(t, []string{"90002", "90003"}, []string{hits[0].EntryID, hits[1].EntryID})

			hits = l.Lookup("0x1c4b6f287400f4b8e0b843f880c32d81e91bdea0")
			require.Len(t, hits, 2, "one address listed for two networks")
			require.ElementsMatch(t, []string{"arbitrum", "bsc"}, []string{hits[0].Network, hits[1].Network})

			require.Empty(t, l.Lookup("08620563"), "other id types are not addresses")
			require.Empty(t, l.Lookup("X1234567"))
		})
	}
}

func TestReadSDNErrors(t *testing.T) {
	t.Parallel()
	classic, err := os.ReadFile("testdata/sdn_sample.xml")
	require.NoError(t, err)
	advanced, err := os.ReadFile("testdata/sdn_advanced_sample.xml")
	require.NoError(t, err)
	tests := []struct {
		name   string
		format Format
		data   string
		line   int
		want   string
	}{
		{"advanced file as classic", FormatSDN, string(advanced), 4, "root is not sdnList"},
		{"classic file as advanced", FormatSDNAdvanced, string(classic), 4, "root is not Sanctions"},
		{"empty", FormatSDN, "", 1, "no sdnList"},
		{"empty advanced", FormatSDNAdvanced, "  ", 1, "no Sanctions"},
		{"broken XML", FormatSDN, "<sdnList>\n<sdnEntry>\n<uid>1</uid>\n</sdnList>", 4, "closed by"},
		{"truncated", FormatSDN, string(classic[:len(classic)/2]), bytes.Count(classic[:len(classic)/2], []byte("\n")) + 1, "unexpected EOF"},
		{"parties before reference values", FormatSDNAdvanced, "<Sanctions>\n<DistinctParties>\n<DistinctParty FixedRef=\"1\"/>", 3, "before ReferenceValueSets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Import(context.Background(), strings.NewReader(tt.data), tt.format, ImportOptions{})
			var le *LineError
			require.ErrorAs(t, err, &le)
			require.Equal(t, tt.line, le.Line, "%v", err)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestOFACNetwork(t *testing.T) {
	t.Parallel()
	tests := []struct{ code, address, want string }{
		{"XBT", "1LPGfncT4L28tLJNjFR4vze6FvnyR8bD3N", "bitcoin"},
		{"xbt", "whatever", "bitcoin"},
		{"ETH", addrShared, "ethereum"},
		{"LTC", "ltc1q", "litecoin"},
		{"TRX", addrTron, "tron"},
		{"XRP", "r", "xrp"},
		{"XMR", "4", "monero"},
		{"ARB", addrShared, "arbitrum"},
		{"BSC", addrShared, "bsc"},
		{"BCH", "q", "bitcoin-cash"},
		{"ETC", addrShared, "ethereum-classic"},
		{"USDT", addrTron, "tron"},
		{"USDT", addrShared, "ethereum"},
		{"USDC", " " + addrShared + " ", "ethereum"},
		{"USDT", "not-an-address", ""},
		{"XYZ", "T" + strings.Repeat("0", 33), ""}, // 0 is not base58
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, OFACNetwork(tt.code, tt.address), "%s %s", tt.code, tt.address)
	}
}

func FuzzImportSDN(f *testing.F) {
	for _, file := range []string{"testdata/sdn_sample.xml", "testdata/sdn_advanced_sample.xml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<sdnList><sdnEntry><uid>1</uid><idList><id><idType>Digital Currency Address - ETH</idType><idNumber>0x1</idNumber></id></idList></sdnEntry></sdnList>`))
	f.Add([]byte(`<Sanctions><ReferenceValueSets><FeatureTypeValues><FeatureType ID="1">Digital Currency Address - XBT</FeatureType></FeatureTypeValues></ReferenceValueSets><DistinctParty><Profile ID="2"><Feature FeatureTypeID="1"><FeatureVersion><VersionDetail>bc1q</VersionDetail></FeatureVersion></Feature></Profile></DistinctParty></Sanctions>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, read := range []func(context.Context, io.Reader, ProgressFunc, func(Entry) error) (Source, error){ReadSDN, ReadSDNAdvanced} {
			var entries []Entry
			b := NewBuilder("fuzz", 0)
			_, err := read(context.Background(), bytes.NewReader(data), nil, func(e Entry) error {
				if err := b.Add(e); err != nil {
					return err
				}
				entries = append(entries, e)
				return nil
			})
			if err != nil {
				continue
			}
			l, err := b.Build(Version{ID: "1"})
			require.NoError(t, err)
			for _, e := range entries {
				require.NotEmpty(t, l.Lookup(e.Address))
			}
		}
	})
}
