package screening

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func sampleList(t *testing.T, n int) (*List, []string) {
	t.Helper()
	b := NewBuilder("sample", n)
	addrs := make([]string, n)
	var buf []byte
	for i := range addrs {
		var network string
		buf, network = genAddress(buf, 3, uint64(i))
		addrs[i] = string(buf)
		require.NoError(t, b.Add(Entry{
			Address: addrs[i], Network: network, Entity: "Entity " + strconv.Itoa(i/7),
			RiskScore: dec(strconv.Itoa(i % 11)), Tags: []string{"t" + strconv.Itoa(i%3), "all"}, ID: strconv.Itoa(i / 7),
		}))
	}
	l, err := b.Build(Version{ID: "2025-06-03", Published: time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC), Hash: "sha256:00ff"})
	require.NoError(t, err)
	return l, addrs
}

func snapshotBytes(t *testing.T, l *List) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, WriteSnapshot(&buf, l))
	return buf.Bytes()
}

func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 100, 20_000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			l, addrs := sampleList(t, n)
			data := snapshotBytes(t, l)
			got, err := ReadSnapshot(bytes.NewReader(data))
			require.NoError(t, err)
			require.Equal(t, l.Name(), got.Name())
			require.Equal(t, l.Version(), got.Version())
			require.Equal(t, l.Len(), got.Len())
			require.Equal(t, l.Entities(), got.Entities())
			for _, a := range addrs {
				require.Equal(t, normalizeHits(l.Lookup(a)), normalizeHits(got.Lookup(a)))
			}
			checkTable(t, got)
			require.Equal(t, data, snapshotBytes(t, got), "a snapshot of the read list is the same bytes")
		})
	}
}

func TestSnapshotRefusesDamage(t *testing.T) {
	t.Parallel()
	l, _ := sampleList(t, 30)
	data := snapshotBytes(t, l)

	for n := range len(data) {
		_, err := ReadSnapshot(bytes.NewReader(data[:n]))
		require.ErrorIs(t, err, ErrBadSnapshot, "truncated to %d bytes", n)
	}
	for i := range data {
		for _, flip := range []byte{0x01, 0x80} {
			bad := bytes.Clone(data)
			bad[i] ^= flip
			_, err := ReadSnapshot(bytes.NewReader(bad))
			require.ErrorIs(t, err, ErrBadSnapshot, "byte %d ^ %#x", i, flip)
		}
	}
}

// resum replaces the checksum of a snapshot after the test altered it, so the reader's other
// checks are exercised.
func resum(data []byte) []byte {
	body := data[:len(data)-4]
	return binary.LittleEndian.AppendUint32(bytes.Clone(body), crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
}

func TestSnapshotRefusesInconsistent(t *testing.T) {
	t.Parallel()
	l, _ := sampleList(t, 3)
	data := snapshotBytes(t, l)
	slotsAt := len(data) - 4 - 3*slotBytes

	tests := []struct {
		name   string
		change func([]byte) []byte
		want   string
	}{
		{"magic", func(b []byte) []byte { b[0] = 'X'; return b }, "not a screening list snapshot"},
		{"format", func(b []byte) []byte { b[8] = 2; return b }, "format version 2"},
		{"slots out of order", func(b []byte) []byte {
			first := bytes.Clone(b[slotsAt : slotsAt+slotBytes])
			copy(b[slotsAt:], b[slotsAt+slotBytes:slotsAt+2*slotBytes])
			copy(b[slotsAt+slotBytes:], first)
			return b
		}, "out of order"},
		{"record out of range", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[slotsAt+16:], 1000)
			return b
		}, "no record"},
		{"trailing count", func(b []byte) []byte { b[slotsAt-1] = 4; return b }, "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bad := resum(tt.change(bytes.Clone(data)))
			_, err := ReadSnapshot(bytes.NewReader(bad))
			require.ErrorIs(t, err, ErrBadSnapshot)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func FuzzReadSnapshot(f *testing.F) {
	b := NewBuilder("f", 0)
	for i, a := range []string{addrOTC, addrShared, addrTron} {
		if err := b.Add(Entry{Address: a, Entity: strconv.Itoa(i), Tags: []string{"x"}}); err != nil {
			f.Fatal(err)
		}
	}
	l, err := b.Build(Version{ID: "1"})
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, l); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(snapshotMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadSnapshot(bytes.NewReader(data))
		if err != nil {
			require.ErrorIs(t, err, ErrBadSnapshot)
			return
		}
		checkTable(t, got)
		var again bytes.Buffer
		require.NoError(t, WriteSnapshot(&again, got))
	})
}
