package screening

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"time"

	"github.com/shopspring/decimal"
)

// ErrBadSnapshot is wrapped by ReadSnapshot's errors when the data is not a complete, intact
// snapshot of a supported format version: the caller should import the list again.
var ErrBadSnapshot = errors.New("screening: bad snapshot")

// Snapshot format, version 1. All integers are little endian; "uv" is an unsigned varint and a
// string is a uv length and that many bytes.
//
//	magic      8 bytes "WBSCREEN"
//	format     uint16 = 1
//	name, version id, published (RFC 3339 or ""), hash      4 strings
//	networks   uv count, then a string each
//	entities   uv count, then per entity: name, id, risk score (decimal) strings, uv tag
//	           count and a string per tag
//	records    uv count, then per record: uv network, uv entity
//	slots      uv count, then 20 bytes per slot: the key as 4 uint32 (hi>>32, hi, lo>>32, lo)
//	           and the record number as a uint32, in ascending (key, record) order
//	checksum   uint32 CRC-32C (Castagnoli) of every byte before it
//
// The table's empty slots are not stored: the reader places the sorted slots again, which is
// one sequential pass.
const (
	snapshotMagic   = "WBSCREEN"
	snapshotFormat  = 1
	maxSnapshotText = 1 << 16
	slotBytes       = 20
	slotChunk       = 4096
)

// WriteSnapshot writes l to w in the snapshot format.
func WriteSnapshot(w io.Writer, l *List) error {
	sw := &sumWriter{w: bufio.NewWriterSize(w, 1<<16), tab: crc32.MakeTable(crc32.Castagnoli)}
	published := ""
	if !l.version.Published.IsZero() {
		published = l.version.Published.Format(time.RFC3339)
	}
	sw.raw([]byte(snapshotMagic))
	sw.raw(binary.LittleEndian.AppendUint16(nil, snapshotFormat))
	for _, s := range []string{l.name, l.version.ID, published, l.version.Hash} {
		sw.str(s)
	}
	sw.uv(uint64(len(l.networks)))
	for _, n := range l.networks {
		sw.str(n)
	}
	sw.uv(uint64(len(l.entities)))
	for i := range l.entities {
		e := &l.entities[i]
		sw.str(e.name)
		sw.str(e.id)
		sw.str(e.score.String())
		sw.uv(uint64(len(e.tags)))
		for _, t := range e.tags {
			sw.str(t)
		}
	}
	sw.uv(uint64(len(l.records)))
	for _, r := range l.records {
		sw.uv(uint64(r.network))
		sw.uv(uint64(r.entity))
	}
	sw.uv(uint64(l.n))
	buf := make([]byte, 0, slotChunk*slotBytes)
	for i := range l.table {
		s := &l.table[i]
		if s.ref == emptyRef {
			continue
		}
		for _, v := range s.k {
			buf = binary.LittleEndian.AppendUint32(buf, v)
		}
		buf = binary.LittleEndian.AppendUint32(buf, s.ref)
		if len(buf) == cap(buf) {
			sw.raw(buf)
			buf = buf[:0]
		}
	}
	sw.raw(buf)
	if sw.err != nil {
		return fmt.Errorf("screening: write snapshot of list %q: %w", l.name, sw.err)
	}
	if _, err := sw.w.Write(binary.LittleEndian.AppendUint32(nil, sw.crc)); err != nil {
		return fmt.Errorf("screening: write snapshot of list %q: %w", l.name, err)
	}
	if err := sw.w.Flush(); err != nil {
		return fmt.Errorf("screening: write snapshot of list %q: %w", l.name, err)
	}
	return nil
}

// sumWriter writes through a buffer and keeps the CRC-32C of what it wrote; the first error
// sticks.
type sumWriter struct {
	w       *bufio.Writer
	tab     *crc32.Table
	crc     uint32
	scratch []byte
	err     error
}

func (s *sumWriter) raw(p []byte) {
	if s.err != nil {
		return
	}
	s.crc = crc32.Update(s.crc, s.tab, p)
	_, s.err = s.w.Write(p)
}

func (s *sumWriter) uv(v uint64) {
	s.scratch = binary.AppendUvarint(s.scratch[:0], v)
	s.raw(s.scratch)
}

func (s *sumWriter) str(v string) {
	s.uv(uint64(len(v)))
	s.scratch = append(s.scratch[:0], v...)
	s.raw(s.scratch)
}

// ReadSnapshot reads a list written by WriteSnapshot. It refuses, with an error wrapping
// ErrBadSnapshot, data that is truncated, altered (checksum), of another format version, or
// inconsistent; it never trusts a count enough to allocate ahead of the data that backs it.
// It may read past the end of the snapshot into its buffer.
func ReadSnapshot(r io.Reader) (*List, error) {
	sr := &sumReader{r: bufio.NewReaderSize(r, 1<<16), tab: crc32.MakeTable(crc32.Castagnoli)}
	l, err := readSnapshot(sr)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = errors.New("truncated")
		}
		return nil, fmt.Errorf("%w: %w", ErrBadSnapshot, err)
	}
	return l, nil
}

func readSnapshot(sr *sumReader) (*List, error) {
	head := make([]byte, len(snapshotMagic)+2)
	if _, err := io.ReadFull(sr, head); err != nil {
		return nil, err
	}
	if string(head[:len(snapshotMagic)]) != snapshotMagic {
		return nil, errors.New("not a screening list snapshot")
	}
	if f := binary.LittleEndian.Uint16(head[len(snapshotMagic):]); f != snapshotFormat {
		return nil, fmt.Errorf("format version %d, want %d", f, snapshotFormat)
	}
	var text [4]string
	for i := range text {
		s, err := sr.str()
		if err != nil {
			return nil, err
		}
		text[i] = s
	}
	l := &List{name: text[0], version: Version{ID: text[1], Hash: text[3]}}
	if err := checkLabel("list name", l.name); err != nil {
		return nil, err
	}
	if err := checkLabel("version", l.version.ID); err != nil {
		return nil, err
	}
	if text[2] != "" {
		t, err := time.Parse(time.RFC3339, text[2])
		if err != nil {
			return nil, errors.New("bad publication date")
		}
		l.version.Published = t
	}

	nn, err := sr.count(maxNetworks)
	if err != nil {
		return nil, err
	}
	l.networks = make([]string, 0, min(nn, 1024))
	for range nn {
		s, err := sr.str()
		if err != nil {
			return nil, err
		}
		l.networks = append(l.networks, s)
	}

	ne, err := sr.count(MaxListAddresses)
	if err != nil {
		return nil, err
	}
	l.entities = make([]entity, 0, min(ne, 1024))
	for range ne {
		e, err := sr.entity()
		if err != nil {
			return nil, err
		}
		l.entities = append(l.entities, e)
	}

	nr, err := sr.count(MaxListAddresses)
	if err != nil {
		return nil, err
	}
	l.records = make([]record, 0, min(nr, 1024))
	for range nr {
		net, err1 := sr.count(len(l.networks) - 1)
		ent, err2 := sr.count(len(l.entities) - 1)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		l.records = append(l.records, record{network: uint32(net), entity: uint32(ent)})
	}

	n, err := sr.count(MaxListAddresses)
	if err != nil {
		return nil, err
	}
	slots, err := sr.slots(n, len(l.records))
	if err != nil {
		return nil, err
	}
	want := sr.sum()
	var tail [4]byte
	if _, err := io.ReadFull(sr.r, tail[:]); err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint32(tail[:]) != want {
		return nil, errors.New("checksum mismatch")
	}
	l.n, l.m = len(slots), homes(len(slots))
	l.table = place(slots, l.m)
	return l, nil
}

// sumReader reads through a buffer and keeps the CRC-32C of what it read. Single bytes (the
// varints) are summed in batches.
type sumReader struct {
	r       *bufio.Reader
	tab     *crc32.Table
	crc     uint32
	pending []byte
}

func (s *sumReader) flush() {
	s.crc = crc32.Update(s.crc, s.tab, s.pending)
	s.pending = s.pending[:0]
}

func (s *sumReader) sum() uint32 {
	s.flush()
	return s.crc
}

// ReadByte implements io.ByteReader for binary.ReadUvarint.
func (s *sumReader) ReadByte() (byte, error) {
	c, err := s.r.ReadByte()
	if err != nil {
		return 0, err
	}
	if len(s.pending) == cap(s.pending) {
		s.flush()
		if s.pending == nil {
			s.pending = make([]byte, 0, 512)
		}
	}
	s.pending = append(s.pending, c)
	return c, nil
}

// Read implements io.Reader.
func (s *sumReader) Read(p []byte) (int, error) {
	s.flush()
	n, err := s.r.Read(p)
	s.crc = crc32.Update(s.crc, s.tab, p[:n])
	return n, err
}

// count reads a varint no greater than limit.
func (s *sumReader) count(limit int) (int, error) {
	v, err := binary.ReadUvarint(s)
	if err != nil {
		return 0, err
	}
	if limit < 0 || v > uint64(limit) {
		return 0, fmt.Errorf("count %d out of range", v)
	}
	return int(v), nil
}

func (s *sumReader) str() (string, error) {
	n, err := s.count(maxSnapshotText)
	if err != nil {
		return "", err
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(s, b); err != nil {
		return "", err
	}
	return string(b), nil
}

func (s *sumReader) entity() (entity, error) {
	var e entity
	var score string
	for _, p := range []*string{&e.name, &e.id, &score} {
		v, err := s.str()
		if err != nil {
			return e, err
		}
		*p = v
	}
	d, err := decimal.NewFromString(score)
	if err != nil || !validRiskScore(d) {
		return e, errors.New("bad risk score")
	}
	e.score = d
	nt, err := s.count(maxSnapshotText)
	if err != nil {
		return e, err
	}
	for range nt {
		t, err := s.str()
		if err != nil {
			return e, err
		}
		e.tags = append(e.tags, t)
	}
	return e, nil
}

// slots reads n slots, checking that they ascend and point at one of records records. The
// slice grows as data arrives, up to the table size of n, so place can work in place.
func (s *sumReader) slots(n, records int) ([]slot, error) {
	size := tableSize(n)
	out := make([]slot, 0, min(size, 1<<20))
	buf := make([]byte, slotChunk*slotBytes)
	var prev slot
	for left := n; left > 0; {
		c := min(left, slotChunk)
		b := buf[:c*slotBytes]
		if _, err := io.ReadFull(s, b); err != nil {
			return nil, err
		}
		if len(out)+c > cap(out) {
			grown := make([]slot, len(out), min(max(2*cap(out), len(out)+c), size))
			copy(grown, out)
			out = grown
		}
		for i := 0; i < c; i++ {
			p := b[i*slotBytes:]
			var sl slot
			for j := range sl.k {
				sl.k[j] = binary.LittleEndian.Uint32(p[4*j:])
			}
			sl.ref = binary.LittleEndian.Uint32(p[16:])
			if uint64(sl.ref) >= uint64(records) || sl.ref == math.MaxUint32 {
				return nil, errors.New("slot points at no record")
			}
			if len(out) > 0 && !prev.less(&sl) {
				return nil, errors.New("slots out of order")
			}
			out = append(out, sl)
			prev = sl
		}
		left -= c
	}
	return out, nil
}
