package trisa_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// BenchmarkLifecycle measures whole TRISA lifecycles between two nodes in process (each with
// its own SQLite or PostgreSQL database, gRPC over mutual TLS on 127.0.0.1, RSA-2048 keys, and
// RSA-4096 as TRISA's certificates have):
// Alpha creates a withdrawal to an address in Beta's book, Beta confirms it and accepts
// automatically, Alpha reports the chain hash, and both records reach COMPLETED: four envelopes
// (STARTED, the PENDING address confirmation, ACCEPTED, COMPLETED) and their synchronous
// replies. Reported: lifecycles per second at the given concurrency, and the median and 99th
// percentile of one lifecycle's latency.
//
//	go test ./internal/route/trisa -run '^$' -bench Lifecycle -benchtime 200x
func BenchmarkLifecycle(b *testing.B) {
	type setup struct {
		name string
		pg   bool
		bits int
	}
	setups := []setup{{"sqlite", false, 2048}, {"sqlite/rsa4096", false, 4096}}
	if hasPostgres() {
		setups = append(setups, setup{"postgres", true, 2048})
	}
	for _, su := range setups {
		for _, conc := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/concurrency=%d", su.name, conc), func(b *testing.B) {
				s := vasp.DefaultSettings()
				s.OutgoingAction, s.IncomingAction = vasp.ActionApprove, vasp.ActionApprove
				p := newPair(b, pairOptions{postgres: su.pg, settings: &s, bits: su.bits})
				ctx := context.Background()
				var (
					next int64
					mu   sync.Mutex
					lat  []time.Duration
					wg   sync.WaitGroup
				)
				b.ResetTimer()
				start := time.Now()
				for w := 0; w < conc; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							i := atomic.AddInt64(&next, 1)
							if i > int64(b.N) {
								return
							}
							t0 := time.Now()
							out, _, err := p.a.engine.Create(ctx, p.api, p.a.vasp.ID, p.withdrawal(b, fmt.Sprintf("bench-%d", i), betaETH))
							require.NoError(b, err)
							waitFast(b, p.a, out.MessageID, transfer.StatusAccepted)
							_, err = p.a.engine.TxHash(ctx, p.api, p.a.vasp.ID, out.ID, fmt.Sprintf("0x%064x", i))
							require.NoError(b, err)
							waitFast(b, p.b, out.MessageID, transfer.StatusCompleted)
							d := time.Since(t0)
							mu.Lock()
							lat = append(lat, d)
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "lifecycles/s")
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	}
}

// waitFast polls a record every 2 ms until it reaches status (more often, the polling itself
// competes with the nodes for the CPU).
func waitFast(b testing.TB, n *node, messageID string, status transfer.Status) {
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		t, err := n.store.Read().GetTransferByMessageID(context.Background(), n.vasp.ID, messageID)
		if err == nil && t.Status == status {
			return
		}
		if err == nil && t.Status.Final() {
			b.Fatalf("%s: %s (%s), want %s", n.name, t.Status, t.StatusReason, status)
		}
		select {
		case <-deadline.C:
			b.Fatalf("%s: timed out waiting for %s", n.name, status)
		case <-tick.C:
		}
	}
}
