package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/waybill/waybill/internal/nodetest"
)

// BenchmarkCreateTransfer measures POST /v1/transfers through the whole handler stack (auth,
// huma, IVMS101 decoding, engine, SQLite) in process: a transfer to Beta's book, so each create
// also queues its inquiry (the job runner delivers it concurrently).
//
//	go test ./internal/api -run '^$' -bench CreateTransfer -benchtime 2000x
func BenchmarkCreateTransfer(b *testing.B) {
	n := nodetest.Start(b, nodetest.Options{})
	auth := "Bearer " + n.Alpha.Key()
	var seq atomic.Int64
	body := func() []byte {
		return []byte(strings.Replace(seedBody, `"f-1"`, fmt.Sprintf(`"bench-%d"`, seq.Add(1)), 1))
	}
	b.ReportAllocs()
	b.SetParallelism(25) // 50 concurrent requests on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/v1/transfers", bytes.NewReader(body()))
			req.Header.Set("Authorization", auth)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			n.Node.Handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
		}
	})
}
