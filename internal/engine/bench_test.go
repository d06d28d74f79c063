package engine_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// BenchmarkLifecycle drives full withdrawals between two hosted VASPs through the engine (no
// HTTP API), 50 at a time, and reports lifecycles per second.
func BenchmarkLifecycle(b *testing.B) {
	for name, open := range storetest.Drivers() {
		b.Run(name, func(b *testing.B) {
			s := vasp.DefaultSettings()
			s.OutgoingAction, s.IncomingAction = vasp.ActionApprove, vasp.ActionApprove
			h := newHarnessB(b, open, s)
			ctx := context.Background()
			var n atomic.Int64
			start := time.Now()
			var wg sync.WaitGroup
			work := make(chan int)
			for w := 0; w < 50; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range work {
						in := h.withdrawal(fmt.Sprintf("b-%d", i), "0xbeta1")
						out, _, err := h.e.Create(ctx, h.api, h.a.ID, in)
						require.NoError(b, err)
						h.waitB(h.a.ID, out.MessageID, transfer.StatusAccepted)
						_, err = h.e.TxHash(ctx, h.api, h.a.ID, out.ID, fmt.Sprintf("0x%d", i))
						require.NoError(b, err)
						h.waitB(h.b.ID, out.MessageID, transfer.StatusCompleted)
						n.Add(1)
					}
				}()
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				work <- i
			}
			close(work)
			wg.Wait()
			b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "lifecycles/s")
			_ = engine.ActApprove
		})
	}
}
