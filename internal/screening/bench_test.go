package screening

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// benchAddresses is the size of the generated list the benchmarks load.
const benchAddresses = 10_000_000

// genAddress returns the i-th address of a deterministic synthetic list (salt 0) or of a
// disjoint set of addresses on no list (another salt): 60 % EVM, 30 % bech32, 10 % Tron-like
// base58, each a pure function of (salt, i).
func genAddress(buf []byte, salt, i uint64) ([]byte, string) {
	x := splitmix(salt<<40 ^ i)
	y, z := splitmix(x), splitmix(x+1)
	buf = buf[:0]
	switch i % 10 {
	case 0, 1, 2, 3, 4, 5:
		var raw [24]byte
		putUint64(raw[0:], x)
		putUint64(raw[8:], y)
		putUint64(raw[16:], z)
		buf = append(buf, "0x"...)
		buf = hex.AppendEncode(buf, raw[:20])
		return buf, "ethereum"
	case 6, 7, 8:
		buf = append(buf, "bc1q"...)
		for _, v := range [...]uint64{x, y, z} {
			for j := 0; j < 12; j++ {
				buf = append(buf, bech32Charset[v&31])
				v >>= 5
			}
		}
		return buf, "bitcoin"
	default:
		const b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
		buf = append(buf, 'T')
		for _, v := range [...]uint64{x, y, z} {
			for j := 0; j < 11; j++ {
				buf = append(buf, b58[v%58])
				v /= 58
			}
		}
		return buf, "tron"
	}
}

func putUint64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// genList builds the synthetic list of n addresses: one entity per 1,000 addresses, with
// three tag sets and several risk scores among them.
func genList(tb testing.TB, n int) *List {
	tb.Helper()
	b := NewBuilder("bench", n)
	var buf []byte
	names := make([]string, n/1000+1)
	for i := range names {
		names[i] = "Entity " + strconv.Itoa(i)
	}
	tagSets := [][]string{{"CYBER2"}, {"DPRK3", "CYBER2"}, {"mixer"}}
	for i := range n {
		var network string
		buf, network = genAddress(buf, 0, uint64(i))
		e := i / 1000
		if err := b.Add(Entry{Address: string(buf), Network: network, Entity: names[e], Tags: tagSets[e%3], ID: strconv.Itoa(e)}); err != nil {
			tb.Fatal(err)
		}
	}
	l, err := b.Build(Version{ID: "bench"})
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkLookup measures lookups in a 10-million-address list: hit (an address on the list,
// given in upper case where its format allows) and miss.
func BenchmarkLookup(b *testing.B) {
	l := genList(b, benchAddresses)
	x, err := NewIndex(l)
	if err != nil {
		b.Fatal(err)
	}
	const queries = 1 << 16
	run := func(b *testing.B, salt uint64) {
		qs := make([]string, queries)
		var buf []byte
		for i := range qs {
			buf, _ = genAddress(buf, salt, splitmix(uint64(i))%benchAddresses)
			qs[i] = string(bytes.ToUpper(buf[:2])) + string(buf[2:])
		}
		dst := make([]Hit, 0, 4)
		found := 0
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			dst = x.AppendLookup(dst[:0], qs[i&(queries-1)])
			found += len(dst)
		}
		b.StopTimer()
		if want := salt == 0; (found > 0) != want {
			b.Fatalf("found %d hits, want hits: %v", found, want)
		}
	}
	b.Run("hit", func(b *testing.B) { run(b, 0) })
	b.Run("miss", func(b *testing.B) { run(b, 1) })
}

// BenchmarkLoad measures making a 10-million-address list, reporting seconds and heap bytes
// per address of the result: "build" from entries (generating them included), "snapshot" by
// reading a snapshot file, and "csv" by importing a CSV stream (generated on the fly).
func BenchmarkLoad(b *testing.B) {
	measure := func(b *testing.B, load func() *List) {
		for b.Loop() {
			before := heapInUse()
			start := time.Now()
			l := load()
			elapsed := time.Since(start)
			after := heapInUse()
			b.ReportMetric(elapsed.Seconds(), "s/load")
			b.ReportMetric(float64(after-before)/float64(l.Len()), "heap-B/addr")
			runtime.KeepAlive(l)
		}
	}
	b.Run("build", func(b *testing.B) {
		measure(b, func() *List { return genList(b, benchAddresses) })
	})
	b.Run("snapshot", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "bench.snapshot")
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := WriteSnapshot(f, genList(b, benchAddresses)); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		measure(b, func() *List {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			l, err := ReadSnapshot(f)
			if err != nil {
				b.Fatal(err)
			}
			return l
		})
	})
	b.Run("csv", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "bench.csv")
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<16)
		w.WriteString("address,network,entity,tags,id\n")
		var buf []byte
		for i := range benchAddresses {
			var network string
			buf, network = genAddress(buf, 0, uint64(i))
			e := strconv.Itoa(i / 1000)
			w.Write(buf)
			w.WriteString("," + network + ",Entity " + e + ",CYBER2|DPRK3," + e + "\n")
		}
		if err := errors.Join(w.Flush(), f.Close()); err != nil {
			b.Fatal(err)
		}
		measure(b, func() *List {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			l, err := Import(context.Background(), f, FormatCSV, ImportOptions{Name: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			return l
		})
	})
}
