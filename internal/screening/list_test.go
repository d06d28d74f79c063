package screening

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

const (
	addrOTC    = "bc1q5vwqd02x8cuj80q64k77fzckjakqspchx9p2km"
	addrShared = "0xff23827e17c10cdc1c27a028caae6c9810626198"
	addrTron   = "TDwPrJTEeQPyaJ5ttEYNaDkvXeQCp2dQs9"
)

func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func buildList(t *testing.T, name, version string, entries ...Entry) *List {
	t.Helper()
	b := NewBuilder(name, len(entries))
	for _, e := range entries {
		require.NoError(t, b.Add(e))
	}
	l, err := b.Build(Version{ID: version})
	require.NoError(t, err)
	return l
}

func TestListLookup(t *testing.T) {
	t.Parallel()
	l := buildList(t, "test", "v1",
		Entry{Address: addrOTC, Network: "Bitcoin", Entity: " Example OTC ", Tags: []string{"CYBER2", " ", "CYBER2"}, ID: "90002"},
		Entry{Address: "0xFF23827E17c10CDC1c27a028caAe6c9810626198", Network: "ethereum", Entity: "Example OTC", Tags: []string{"CYBER2"}, ID: "90002"},
		Entry{Address: addrShared, Network: "ethereum", Entity: "Example Person", RiskScore: dec("7.5"), ID: "90003"},
		// The same entry twice is kept once.
		Entry{Address: addrShared, Network: "ethereum", Entity: "Example Person", RiskScore: dec("7.5"), ID: "90003"},
		Entry{Address: addrTron, Network: "tron"},
	)
	require.Equal(t, 4, l.Len())
	require.Equal(t, 3, l.Entities())

	hits := l.Lookup(strings.ToUpper(addrOTC))
	require.Equal(t, []Hit{{
		List: "test", Version: "v1", Network: "bitcoin", Entity: "Example OTC", EntryID: "90002",
		RiskScore: decimal.NewFromInt(10), Tags: []string{"CYBER2"},
	}}, normalizeHits(hits))
	require.Equal(t, "test@v1", hits[0].MatchedList())

	hits = l.Lookup(addrShared)
	require.Len(t, hits, 2)
	entities := []string{hits[0].Entity, hits[1].Entity}
	require.ElementsMatch(t, []string{"Example OTC", "Example Person"}, entities)

	require.Len(t, l.Lookup(addrTron), 1)
	require.Nil(t, l.Lookup(strings.ToLower(addrTron)), "base58 is case-sensitive")
	require.Nil(t, l.Lookup("bc1qnotonthelist"))
	require.Nil(t, l.Lookup(""))
}

// normalizeHits makes decimals comparable with require.Equal.
func normalizeHits(hits []Hit) []Hit {
	out := make([]Hit, len(hits))
	for i, h := range hits {
		h.RiskScore = decimal.RequireFromString(h.RiskScore.String())
		out[i] = h
	}
	return out
}

func TestBuilderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		entry Entry
		want  string
	}{
		{"empty address", Entry{Address: " \t"}, "address is empty"},
		{"address too long", Entry{Address: strings.Repeat("x", MaxAddressLen+1)}, "longer than 256 bytes"},
		{"negative risk", Entry{Address: "a", RiskScore: dec("-1")}, "risk score outside 0-10"},
		{"risk above 10", Entry{Address: "a", RiskScore: dec("10.01")}, "risk score outside 0-10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := NewBuilder("x", 0).Add(tt.entry)
			require.ErrorIs(t, err, ErrInvalidEntry)
			require.ErrorContains(t, err, tt.want)
		})
	}

	for _, bad := range []struct{ name, version string }{
		{"", "v1"}, {"a@b", "v1"}, {"a,b", "v1"}, {"a\nb", "v1"}, {"ok", ""}, {"ok", "v@1"}, {strings.Repeat("n", 129), "v"},
	} {
		_, err := NewBuilder(bad.name, 0).Build(Version{ID: bad.version})
		require.Error(t, err, "name %q version %q", bad.name, bad.version)
	}

	b := NewBuilder("x", 0)
	_, err := b.Build(Version{ID: "1"})
	require.NoError(t, err)
	require.Error(t, b.Add(Entry{Address: "a"}), "a built builder is spent")
	_, err = b.Build(Version{ID: "1"})
	require.Error(t, err)
}

// TestListTable checks the table's invariants and every lookup on lists of many sizes,
// including ones with many equal keys and adversarially clustered keys.
func TestListTable(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2, 15, 16, 17, 100, 1000, 50_000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(uint64(n), 1))
			b := NewBuilder("t", 0)
			addrs := make([]string, n)
			var buf []byte
			for i := range addrs {
				buf, _ = genAddress(buf, 7, uint64(i))
				addrs[i] = string(buf)
				if i > 0 && r.IntN(10) == 0 {
					addrs[i] = addrs[r.IntN(i)] // the same address for another entity
				}
				require.NoError(t, b.Add(Entry{Address: addrs[i], Entity: strconv.Itoa(i)}))
			}
			l, err := b.Build(Version{ID: "1"})
			require.NoError(t, err)
			require.Equal(t, n, l.Len())
			checkTable(t, l)
			want := map[string]int{}
			for _, a := range addrs {
				want[a]++
			}
			for i, a := range addrs {
				hits := l.Lookup(a)
				require.Len(t, hits, want[a], "address %d", i)
				found := false
				for _, h := range hits {
					found = found || h.Entity == strconv.Itoa(i)
				}
				require.True(t, found, "address %d", i)
			}
			for i := range 1000 {
				buf, _ = genAddress(buf, 8, uint64(i))
				require.Empty(t, l.Lookup(string(buf)))
			}
		})
	}
}

// checkTable verifies that occupied slots ascend, each sits at or after its home position with
// no empty slot between the two, and that the count matches.
func checkTable(t *testing.T, l *List) {
	t.Helper()
	occupied := 0
	var prev *slot
	lastEmpty := -1
	for i := range l.table {
		s := &l.table[i]
		if s.ref == emptyRef {
			lastEmpty = i
			continue
		}
		occupied++
		if prev != nil {
			require.True(t, prev.less(s), "slot %d out of order", i)
		}
		prev = s
		h := home(s.hi(), l.m)
		require.LessOrEqual(t, h, uint64(i), "slot %d before its home", i)
		require.Less(t, lastEmpty, int(h), "empty slot between home %d and slot %d", h, i)
	}
	require.Equal(t, l.n, occupied)
}

func TestSortSlotsClustered(t *testing.T) {
	t.Parallel()
	// Keys that all share their top bits, and keys in descending order, must still sort.
	slots := make([]slot, 5000)
	for i := range slots {
		slots[i] = makeSlot(key{hi: 0xabcd << 48, lo: uint64(len(slots) - i)}, uint32(i%3))
	}
	slots = append(slots, makeSlot(key{hi: 1}, 0), makeSlot(key{hi: ^uint64(0)}, 0))
	sortSlots(slots)
	for i := 1; i < len(slots); i++ {
		require.True(t, slots[i-1].less(&slots[i]), "position %d", i)
	}
	table := place(slots, homes(len(slots)))
	l := &List{n: len(slots), m: homes(len(slots)), table: table}
	checkTable(t, l)
}

func TestBuildManyEntriesForOneAddress(t *testing.T) {
	t.Parallel()
	b := NewBuilder("t", 0)
	entities := map[string]bool{}
	for i := range 20_000 {
		// Thousands of entities for one address, most of them added more than once, in no order.
		e := strconv.Itoa(int(splitmix(uint64(i)) % 10_000))
		entities[e] = true
		require.NoError(t, b.Add(Entry{Address: addrOTC, Entity: e}))
	}
	require.NoError(t, b.Add(Entry{Address: addrTron}))
	l, err := b.Build(Version{ID: "1"})
	require.NoError(t, err)
	checkTable(t, l)
	require.Equal(t, len(entities), len(l.Lookup(addrOTC)))
	require.Equal(t, len(entities)+1, l.Len())
	require.Len(t, l.Lookup(addrTron), 1)
	require.LessOrEqual(t, cap(l.table), len(l.table)+len(l.table)/16+64, "no spare capacity kept")
}

func TestIndex(t *testing.T) {
	t.Parallel()
	ofac := buildList(t, "ofac-sdn", "2025-06-03", Entry{Address: addrOTC, Entity: "Example OTC", Tags: []string{"CYBER2"}})
	internal := buildList(t, "internal", "sha256:0123456789ab",
		Entry{Address: addrOTC, Entity: "Example OTC", RiskScore: dec("9"), Tags: []string{"mixer"}},
		Entry{Address: addrTron, Entity: "Example Drainer"})

	x, err := NewIndex(ofac, internal)
	require.NoError(t, err)
	require.Equal(t, []string{"internal@sha256:0123456789ab", "ofac-sdn@2025-06-03"}, x.Versions())
	hits := x.Lookup(addrOTC)
	require.Len(t, hits, 2)
	require.Equal(t, "internal@sha256:0123456789ab", hits[0].MatchedList())
	require.Equal(t, "ofac-sdn@2025-06-03", hits[1].MatchedList())
	require.Len(t, x.Lookup(addrTron), 1)
	require.Empty(t, x.Lookup(addrShared))

	_, err = NewIndex(ofac, ofac)
	require.ErrorContains(t, err, "given twice")

	ofac2 := buildList(t, "ofac-sdn", "2025-06-04", Entry{Address: addrShared, Entity: "Someone"})
	y := x.With(ofac2)
	require.Equal(t, []string{"internal@sha256:0123456789ab", "ofac-sdn@2025-06-04"}, y.Versions())
	require.Len(t, y.Lookup(addrOTC), 1, "the old OFAC version is gone")
	require.Len(t, x.Lookup(addrOTC), 2, "x is unchanged")
	require.Same(t, internal, y.List("internal"))

	z := y.Without("internal")
	require.Equal(t, []string{"ofac-sdn@2025-06-04"}, z.Versions())
	require.Nil(t, z.List("internal"))

	var none *Index
	require.True(t, none.Empty())
	require.True(t, none.With(nil).Empty())
	require.Empty(t, none.Lookup(addrOTC))
	require.Equal(t, []string{"ofac-sdn@2025-06-03"}, none.With(ofac).Versions())
}

func TestLookupAllocates(t *testing.T) {
	ofac := buildList(t, "ofac-sdn", "2025-06-03", Entry{Address: addrOTC, Entity: "Example OTC"})
	x, err := NewIndex(ofac)
	require.NoError(t, err)
	dst := make([]Hit, 0, 4)
	require.Zero(t, testing.AllocsPerRun(100, func() { dst = x.AppendLookup(dst[:0], addrShared) }), "a miss")
	require.Zero(t, testing.AllocsPerRun(100, func() { dst = x.AppendLookup(dst[:0], addrOTC) }), "a hit into room")
}
