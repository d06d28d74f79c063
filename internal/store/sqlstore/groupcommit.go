package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/waybill/waybill/internal/store"
)

// Group commit, for SQLite: one writer commits for everyone. Transactions wait in a queue; the
// committer takes every transaction waiting, runs them one after the other inside one database
// transaction, each in a savepoint of its own (so one that fails is undone alone), and commits
// once. The result for each caller is exactly as if its transaction had run alone, in queue
// order; the disk sees one WAL append and one fsync per batch instead of one per transaction.
// Under load this multiplies write throughput; alone, a transaction waits for nothing.

// maxBatch bounds the transactions committed together.
const maxBatch = 64

type txReq struct {
	ctx context.Context
	fn  func(store.Tx) error
	res chan txResult
}

type txResult struct {
	err   error
	panic any
}

type committer struct {
	db   *DB
	reqs chan *txReq
	stop chan struct{}
	done chan struct{}
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, reqs: make(chan *txReq, 1024), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// errClosed is returned for transactions submitted after Close.
var errClosed = errors.New("store is closed")

func (c *committer) submit(ctx context.Context, fn func(store.Tx) error) error {
	r := &txReq{ctx: ctx, fn: fn, res: make(chan txResult, 1)}
	select {
	case c.reqs <- r:
	case <-c.stop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the transaction runs (or is skipped if its context ended first); wait for it
	// whatever happens to ctx, so the caller never misses a commit it caused.
	res := <-r.res
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

func (c *committer) run() {
	defer close(c.done)
	for {
		var first *txReq
		select {
		case first = <-c.reqs:
		case <-c.stop:
			// Finish what was queued before the stop.
			for {
				select {
				case r := <-c.reqs:
					c.exec([]*txReq{r})
				default:
					return
				}
			}
		}
		batch := []*txReq{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		c.exec(batch)
	}
}

func (c *committer) close() {
	close(c.stop)
	<-c.done
}

// exec runs a batch in one transaction.
func (c *committer) exec(batch []*txReq) {
	results := make([]txResult, len(batch))
	finish := func() {
		for i, r := range batch {
			r.res <- results[i]
		}
	}
	defer finish()
	ctx := context.Background()
	tx, err := c.db.w.BeginTx(ctx, nil)
	if err != nil {
		for i := range results {
			results[i].err = fmt.Errorf("begin: %w", err)
		}
		return
	}
	q := &queries{q: &cached{q: tx, tx: tx, c: c.db.wc}, d: &c.db.dialect}
	ok := 0
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		if len(batch) == 1 {
			results[i] = runFn(r.fn, q)
			if results[i].err == nil && results[i].panic == nil {
				ok++
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT wb"); err != nil {
			results[i].err = fmt.Errorf("savepoint: %w", err)
			continue
		}
		results[i] = runFn(r.fn, q)
		if results[i].err != nil || results[i].panic != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO wb"); err != nil {
				// The batch can no longer be trusted: undo all of it.
				_ = tx.Rollback()
				for j := range results {
					if results[j].err == nil && results[j].panic == nil {
						results[j].err = fmt.Errorf("rollback to savepoint: %w", err)
					}
				}
				return
			}
		} else {
			ok++
		}
		if _, err := tx.ExecContext(ctx, "RELEASE wb"); err != nil {
			_ = tx.Rollback()
			for j := range results {
				if results[j].err == nil && results[j].panic == nil {
					results[j].err = fmt.Errorf("release savepoint: %w", err)
				}
			}
			return
		}
	}
	if ok == 0 {
		_ = tx.Rollback()
		return
	}
	if len(batch) == 1 && (results[0].err != nil || results[0].panic != nil) {
		_ = tx.Rollback()
		return
	}
	if err := tx.Commit(); err != nil {
		for i := range results {
			if results[i].err == nil && results[i].panic == nil {
				results[i].err = fmt.Errorf("commit: %w", err)
			}
		}
	}
}

func runFn(fn func(store.Tx) error, q *queries) (res txResult) {
	defer func() {
		if p := recover(); p != nil {
			res.panic = p
		}
	}()
	res.err = fn(q)
	return res
}
