package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waybill/waybill/internal/nodetest"
)

// BenchmarkCreateTransfer measures POST /v1/transfers through the whole handler stack (auth,
// huma, IVMS101 decoding, engine, SQLite) in process: a transfer to Beta's book, so each create
// also queues its inquiry (the job runner delivers it concurrently).
//
//	go test ./internal/api -run '^$' -bench CreateTransfer -benchtime 2000x
func BenchmarkCreateTransfer(b *testing.B) {
	for _, c := range []int{2, 10, 50} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) { benchCreate(b, c) })
	}
}

func benchCreate(b *testing.B, concurrency int) {
	n := nodetest.Start(b, nodetest.Options{})
	auth := "Bearer " + n.Alpha.Key()
	var seq atomic.Int64
	body := func() []byte {
		return []byte(strings.Replace(seedBody, `"f-1"`, fmt.Sprintf(`"bench-%d"`, seq.Add(1)), 1))
	}
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.SetParallelism(max(1, concurrency/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/v1/transfers", bytes.NewReader(body()))
			req.Header.Set("Authorization", auth)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			start := time.Now()
			n.Node.Handler.ServeHTTP(rec, req)
			took := time.Since(start)
			if rec.Code != http.StatusCreated {
				b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
			mu.Lock()
			lat = append(lat, took)
			mu.Unlock()
		}
	})
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
