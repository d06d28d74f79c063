package screening

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// MaxListAddresses is the most addresses one list may hold.
const MaxListAddresses = 1 << 30

// DefaultRiskScore is the risk score of an entry whose list gives none: a list is assumed to
// name addresses to block (a sanctions list), so it is the maximum.
const DefaultRiskScore = maxRiskScore

// maxRiskScore bounds risk scores, which run from 0 (none) to 10 (severe) as in GTR's
// screeningResult.
const maxRiskScore = 10

// validRiskScore reports whether d is a risk score: 0 to 10.
func validRiskScore(d decimal.Decimal) bool {
	return d.Sign() >= 0 && !d.GreaterThan(decimal.NewFromInt(maxRiskScore))
}

// ErrInvalidEntry is wrapped by the errors of Builder.Add.
var ErrInvalidEntry = errors.New("screening: invalid list entry")

// Entry is one address on a list, as an importer reads it.
type Entry struct {
	// Address is the address as the list gives it; the index keys it by NormalizeAddress.
	Address string
	// Network is the waybill network name (bitcoin, ethereum, tron, ...), empty when the list
	// does not say or the address is valid on several networks. Lookups match on the address
	// alone; the network is reported with the hit.
	Network string
	// Entity is the name of who the address belongs to (an SDN entry's name).
	Entity string
	// RiskScore is 0 (none) to 10 (severe); nil means DefaultRiskScore.
	RiskScore *decimal.Decimal
	// Tags are risk categories or, for OFAC, the sanctions programmes (CYBER2, DPRK3, ...).
	Tags []string
	// ID is the list's own identifier of the entry (an OFAC SDN uid), if any.
	ID string
}

// Version identifies one publication of a list.
type Version struct {
	// ID is what results show after the list name ("ofac-sdn@2025-06-03"): the source's
	// publication date when it has one, else a prefix of the content hash.
	ID string `json:"id"`
	// Published is the source's publication date, zero when unknown.
	Published time.Time `json:"published,omitzero"`
	// Hash is "sha256:" and the hex SHA-256 of the imported bytes, empty when unknown.
	Hash string `json:"hash,omitempty"`
}

// Hit is one list entry matching a looked-up address.
type Hit struct {
	List      string          `json:"list"`
	Version   string          `json:"version"`
	Network   string          `json:"network,omitempty"`
	Entity    string          `json:"entity,omitempty"`
	EntryID   string          `json:"entry_id,omitempty"`
	RiskScore decimal.Decimal `json:"risk_score"`
	// Tags are shared with the list: callers must not modify them.
	Tags []string `json:"tags,omitempty"`
}

// MatchedList returns the list and version of h as results show them: "name@version".
func (h Hit) MatchedList() string { return h.List + "@" + h.Version }

// entity is a deduplicated (entity name, risk score, tags, entry id) tuple.
type entity struct {
	name  string
	id    string
	score decimal.Decimal
	tags  []string
}

// record is what an address in a list points at: a network and an entity, deduplicated.
type record struct {
	network uint32
	entity  uint32
}

// List is one imported list, compiled into an immutable lookup table. It is safe for
// concurrent use.
//
// Addresses are held as 128-bit keys, each with the number of its record, in 20-byte slots
// (no per-address heap object) laid out as an ordered linear-probing table: slots sorted by
// key, each at or after its home position mulhi(key, m), with empty slots between runs. m is
// 1.25 × the number of addresses, so the table takes 25 bytes per address, and a lookup reads
// one random place in memory and scans on average about three adjacent slots, stopping at a
// greater key or an empty slot.
type List struct {
	name     string
	version  Version
	n        int    // occupied slots
	m        uint64 // home positions are in [0, m)
	table    []slot
	records  []record
	networks []string
	entities []entity
}

// slot is one (address key, record) pair: 20 bytes, 4-byte aligned so an array has no padding.
// An empty table slot has ref emptyRef.
type slot struct {
	k   [4]uint32 // key.hi high and low halves, key.lo high and low halves
	ref uint32
}

// emptyRef marks an empty table slot; no list has that many records.
const emptyRef = math.MaxUint32

func makeSlot(k key, ref uint32) slot {
	return slot{k: [4]uint32{uint32(k.hi >> 32), uint32(k.hi), uint32(k.lo >> 32), uint32(k.lo)}, ref: ref}
}

func (s *slot) hi() uint64 { return uint64(s.k[0])<<32 | uint64(s.k[1]) }
func (s *slot) lo() uint64 { return uint64(s.k[2])<<32 | uint64(s.k[3]) }

func compareSlots(a, b slot) int {
	switch {
	case a.less(&b):
		return -1
	case b.less(&a):
		return 1
	}
	return 0
}

// less orders slots by key, then record.
func (s *slot) less(o *slot) bool {
	if s.k != o.k {
		return s.hi() < o.hi() || s.hi() == o.hi() && s.lo() < o.lo()
	}
	return s.ref < o.ref
}

// Name returns the list's name.
func (l *List) Name() string { return l.name }

// Version returns the list's version.
func (l *List) Version() Version { return l.version }

// Len returns the number of (address, entry) pairs in the list.
func (l *List) Len() int { return l.n }

// Entities returns the number of distinct entities in the list.
func (l *List) Entities() int { return len(l.entities) }

// Lookup returns every entry of the list for address, nil when there is none.
func (l *List) Lookup(address string) []Hit {
	k, ok := keyOf(address)
	if !ok {
		return nil
	}
	return l.appendHits(nil, k)
}

func (l *List) appendHits(dst []Hit, k key) []Hit {
	for i := home(k.hi, l.m); i < uint64(len(l.table)); i++ {
		s := &l.table[i]
		if s.ref == emptyRef {
			break
		}
		if h := s.hi(); h != k.hi {
			if h > k.hi {
				break
			}
			continue
		}
		if lo := s.lo(); lo != k.lo {
			if lo > k.lo {
				break
			}
			continue
		}
		r := l.records[s.ref]
		e := &l.entities[r.entity]
		dst = append(dst, Hit{
			List: l.name, Version: l.version.ID, Network: l.networks[r.network],
			Entity: e.name, EntryID: e.id, RiskScore: e.score, Tags: e.tags,
		})
	}
	return dst
}

// home returns the home position of a key in a table of m home positions: the top bits of hi
// scaled to [0, m), which keeps the order of keys.
func home(hi, m uint64) uint64 {
	h, _ := bits.Mul64(hi, m)
	return h
}

// homes returns the number of home positions of a table for n keys: a load factor of 0.8.
func homes(n int) uint64 { return uint64(n) + uint64(n)/4 }

// tableSize is the capacity to reserve for a table of n keys: its home positions and a little
// room for runs that spill past the last one.
func tableSize(n int) int { return int(homes(n)) + 64 }

// Builder collects the entries of one list and compiles them into a List. It is not safe for
// concurrent use, and is spent by Build.
type Builder struct {
	name       string
	chunks     [][]slot // filled in order; no slot moves until Build
	n          int
	networks   []string
	networkIdx map[string]uint32
	entities   []entity
	entityIdx  map[entityKey]uint32
	records    []record
	recordIdx  map[record]uint32
	last       lastEntity
	built      bool
}

// entityKey is the identity of an entity for deduplication.
type entityKey struct {
	name, id, score, tags string
}

// lastEntity remembers the previous entry's entity so that consecutive entries of one entity
// (the usual order of every list) skip building its key and the map lookup.
type lastEntity struct {
	valid bool
	name  string
	id    string
	score decimal.Decimal
	tags  []string
	index uint32
}

// NewBuilder returns a Builder for a list called name; sizeHint, when positive, is the
// expected number of addresses.
func NewBuilder(name string, sizeHint int) *Builder {
	return &Builder{
		name:       name,
		chunks:     [][]slot{make([]slot, 0, min(max(sizeHint, 256), builderChunk))},
		networkIdx: map[string]uint32{},
		entityIdx:  map[entityKey]uint32{},
		recordIdx:  map[record]uint32{},
	}
}

// Len returns the number of entries added so far.
func (b *Builder) Len() int { return b.n }

// builderChunk is the number of slots in each chunk of a Builder: adding never copies slots,
// and Build copies them once into a table of the exact size.
const builderChunk = 1 << 16

// Add adds one entry. An entry unfit for a list is refused with an error that wraps
// ErrInvalidEntry and names the problem, never the entry's content. Add does not retain
// e.Tags.
func (b *Builder) Add(e Entry) error {
	if b.built {
		return errors.New("screening: builder already built")
	}
	if err := checkEntry(e); err != nil {
		return err
	}
	k, _ := keyOf(e.Address)
	if b.n >= MaxListAddresses {
		return fmt.Errorf("%w: list holds more than %d addresses", ErrInvalidEntry, MaxListAddresses)
	}
	score := decimal.NewFromInt(DefaultRiskScore)
	if e.RiskScore != nil {
		score = *e.RiskScore
	}
	network := strings.ToLower(strings.TrimSpace(e.Network))
	ref, err := b.recordFor(network, strings.TrimSpace(e.Entity), strings.TrimSpace(e.ID), score, e.Tags)
	if err != nil {
		return err
	}
	last := &b.chunks[len(b.chunks)-1]
	if len(*last) == cap(*last) {
		b.chunks = append(b.chunks, make([]slot, 0, builderChunk))
		last = &b.chunks[len(b.chunks)-1]
	}
	*last = append(*last, makeSlot(k, ref))
	b.n++
	return nil
}

func (b *Builder) recordFor(network, name, id string, score decimal.Decimal, tags []string) (uint32, error) {
	ei, err := b.entityFor(name, id, score, tags)
	if err != nil {
		return 0, err
	}
	ni, ok := b.networkIdx[network]
	if !ok {
		if len(b.networks) >= maxNetworks {
			return 0, fmt.Errorf("%w: more than %d networks", ErrInvalidEntry, maxNetworks)
		}
		ni = uint32(len(b.networks))
		b.networks = append(b.networks, network)
		b.networkIdx[network] = ni
	}
	r := record{network: ni, entity: ei}
	ri, ok := b.recordIdx[r]
	if !ok {
		ri = uint32(len(b.records))
		b.records = append(b.records, r)
		b.recordIdx[r] = ri
	}
	return ri, nil
}

func (b *Builder) entityFor(name, id string, score decimal.Decimal, tags []string) (uint32, error) {
	l := &b.last
	if l.valid && l.name == name && l.id == id && l.score.Equal(score) && slices.Equal(l.tags, tags) {
		return l.index, nil
	}
	clean := cleanTags(tags)
	ek := entityKey{name: name, id: id, score: score.String(), tags: strings.Join(clean, "\x00")}
	ei, ok := b.entityIdx[ek]
	if !ok {
		if len(b.entities) >= MaxListAddresses {
			return 0, fmt.Errorf("%w: too many entities", ErrInvalidEntry)
		}
		ei = uint32(len(b.entities))
		b.entities = append(b.entities, entity{name: name, id: id, score: score, tags: clean})
		b.entityIdx[ek] = ei
	}
	*l = lastEntity{valid: true, name: name, id: id, score: score, tags: slices.Clone(tags), index: ei}
	return ei, nil
}

// checkEntry reports what makes e unfit for any list: an empty or over-long address, a risk
// score outside 0-10.
func checkEntry(e Entry) error {
	addr := strings.TrimSpace(e.Address)
	switch {
	case addr == "":
		return fmt.Errorf("%w: address is empty", ErrInvalidEntry)
	case len(addr) > MaxAddressLen:
		return fmt.Errorf("%w: address is longer than %d bytes", ErrInvalidEntry, MaxAddressLen)
	case e.RiskScore != nil && !validRiskScore(*e.RiskScore):
		return fmt.Errorf("%w: risk score outside 0-%d", ErrInvalidEntry, maxRiskScore)
	}
	return nil
}

// maxNetworks bounds the distinct network names of a list.
const maxNetworks = 1 << 16

// cleanTags trims tags, drops empty ones and duplicates, and keeps the first order.
func cleanTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// Build compiles the entries into a List with version v. The list name and v.ID must be
// non-empty and free of '@', ',' and control characters. Build spends the Builder.
func (b *Builder) Build(v Version) (*List, error) {
	if b.built {
		return nil, errors.New("screening: builder already built")
	}
	if err := checkLabel("list name", b.name); err != nil {
		return nil, err
	}
	if err := checkLabel("version", v.ID); err != nil {
		return nil, err
	}
	slots := make([]slot, 0, tableSize(b.n))
	for i, c := range b.chunks {
		slots = append(slots, c...)
		b.chunks[i] = nil
	}
	l := &List{name: b.name, version: v, records: b.records, networks: b.networks, entities: b.entities}
	*b = Builder{built: true}
	sortSlots(slots)
	slots = slots[:dedupe(slots)]
	l.n, l.m = len(slots), homes(len(slots))
	l.table = place(slots, l.m)
	if l.networks == nil {
		l.networks = []string{}
	}
	return l, nil
}

// checkLabel validates a list name or version id, which results join as "name@version,...".
func checkLabel(what, s string) error {
	if s == "" {
		return fmt.Errorf("screening: %s is empty", what)
	}
	if len(s) > 128 {
		return fmt.Errorf("screening: %s is longer than 128 bytes", what)
	}
	for _, c := range s {
		if c == '@' || c == ',' || c < ' ' || c == 0x7f {
			return fmt.Errorf("screening: %s holds a character not allowed in it (@ , or control)", what)
		}
	}
	return nil
}

// sortSlots sorts slots by (key, record) in place, so it needs no second copy of them: an
// American flag sort (count, then cycles of swaps) by the top 8 bits, which keeps the writes in
// 256 sequential streams, then the same within each of those buckets by the next bits (down to
// 4 to 8 slots a bucket, since keys are uniform), then each small bucket by insertion sort and
// the rare large one (many entries for one address) by pdqsort.
func sortSlots(slots []slot) {
	const topBits = 8
	fineBits := uint(0)
	if n := len(slots); n >= 16 {
		fineBits = uint(bits.Len(uint(n))) - 3
	}
	top, subBits := []uint32{0, uint32(len(slots))}, fineBits
	if fineBits > topBits {
		top, subBits = flagSort(slots, 64-topBits, 1<<topBits, 0), fineBits-topBits
	}
	for t := 0; t+1 < len(top); t++ {
		run := slots[top[t]:top[t+1]]
		sub := 1 << subBits
		fine := flagSort(run, 64-fineBits, sub, uint64(t)*uint64(sub))
		for b := 0; b+1 < len(fine); b++ {
			bucket := run[fine[b]:fine[b+1]]
			if len(bucket) > 32 { // one address on the list many times over
				slices.SortFunc(bucket, compareSlots)
				continue
			}
			for i := 1; i < len(bucket); i++ {
				for j := i; j > 0 && bucket[j].less(&bucket[j-1]); j-- {
					bucket[j], bucket[j-1] = bucket[j-1], bucket[j]
				}
			}
		}
	}
}

// flagSort groups slots in place by bucket hi>>shift - base, for nb buckets, and returns the
// bucket boundaries.
func flagSort(slots []slot, shift uint, nb int, base uint64) []uint32 {
	start := make([]uint32, nb+1)
	for i := range slots {
		start[(slots[i].hi()>>shift-base)+1]++
	}
	for b := 1; b <= nb; b++ {
		start[b] += start[b-1]
	}
	next := slices.Clone(start[:nb])
	for b := range next {
		end := start[b+1]
		for i := next[b]; i < end; i = next[b] {
			d := slots[i].hi()>>shift - base
			if d == uint64(b) {
				next[b]++
				continue
			}
			j := next[d]
			next[d]++
			slots[i], slots[j] = slots[j], slots[i]
		}
	}
	return start
}

// dedupe removes repeated slots from a sorted array and returns the new length.
func dedupe(slots []slot) int {
	if len(slots) == 0 {
		return 0
	}
	w := 1
	for i := 1; i < len(slots); i++ {
		if slots[i] == slots[w-1] {
			continue
		}
		slots[w] = slots[i]
		w++
	}
	return w
}

// place spreads sorted slots into an ordered linear-probing table of m home positions: each
// slot goes to its home position or, when that is taken, to the next free one; the gaps are
// empty slots. It works in place from the back (a slot never moves to a lower position), in
// the capacity of slots when it fits the table closely, else in a new array of the table's
// size.
func place(slots []slot, m uint64) []slot {
	n := len(slots)
	if n == 0 {
		return nil
	}
	pos := make([]uint32, n) // tables stay under 2^32 slots: MaxListAddresses is 2^30
	next := uint64(0)
	for i := range slots {
		p := max(home(slots[i].hi(), m), next)
		pos[i], next = uint32(p), p+1
	}
	size := max(next, m)
	table := slots
	if c := uint64(cap(slots)); c < size || c > size+size/16+64 {
		table = make([]slot, n, size)
		copy(table, slots)
	}
	table = table[:size]
	empty := slot{ref: emptyRef}
	end := size
	for i := n - 1; i >= 0; i-- {
		p := uint64(pos[i])
		table[p] = table[i]
		for j := p + 1; j < end; j++ {
			table[j] = empty
		}
		end = p
	}
	for j := uint64(0); j < end; j++ {
		table[j] = empty
	}
	return slices.Clip(table)
}
