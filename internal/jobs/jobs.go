// Package jobs runs background work stored in the database: outbound protocol messages, webhook
// deliveries and timers. Jobs are inserted by the engine in the same transaction as the state
// change that causes them (store.Tx.Enqueue); this package claims them with leases (row locks on
// PostgreSQL), runs them on a bounded worker pool, retries failures with back-off, and finishes
// them in batched transactions. A crashed worker's lease expires and its job runs again, so
// handlers must be idempotent. It knows nothing about what the jobs do.
//
// River (riverqueue) was the first choice; it is not used because the versions this module
// proxy serves for both SQLite and database/sql PostgreSQL (v0.31.0) poll only (100 ms+ per
// hop on a lifecycle of eight hops), and because River has no per-key ordering, which webhook
// delivery "in order per transfer" needs. See docs/decisions/0001-job-queue.md.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/waybill/waybill/internal/store"
)

// Finish is run in the transaction that completes a job, so a handler's bookkeeping (a delivery
// marked delivered, say) commits together with the job's removal.
type Finish func(ctx context.Context, tx store.Tx) error

// Kind describes one kind of job.
type Kind struct {
	Name string
	// Run does the work. It returns an optional Finish to run when the job completes, or an
	// error: a *Permanent error ends the job at once, any other is retried.
	Run func(ctx context.Context, job *store.Job) (Finish, error)
	// Backoff returns the delay before attempt n+1 after attempt n (n from 1) failed.
	Backoff func(attempt int) time.Duration
	// Retry, when set, is called in the transaction that reschedules a failed job.
	Retry func(ctx context.Context, tx store.Tx, job *store.Job, cause error, next time.Time) error
	// Dead is called, in the transaction that removes the job, when its attempts are exhausted
	// or it failed permanently.
	Dead func(ctx context.Context, tx store.Tx, job *store.Job, cause error) error
	// Lease is how long a claimed job is reserved for its worker; zero means one minute.
	Lease time.Duration
}

// Permanent marks an error that retrying cannot fix.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return p.Err.Error() }

// Unwrap returns the cause.
func (p *Permanent) Unwrap() error { return p.Err }

// Exponential returns a back-off of base·factor^(n-1), capped, with ±20 % jitter.
func Exponential(base time.Duration, factor float64, cap time.Duration) func(int) time.Duration {
	return func(n int) time.Duration {
		d := float64(base)
		for i := 1; i < n && d < float64(cap); i++ {
			d *= factor
		}
		d = min(d, float64(cap))
		return time.Duration(d * (0.8 + 0.4*rand.Float64()))
	}
}

// Config configures a Runner.
type Config struct {
	Store   store.Store
	Kinds   []Kind
	Workers int           // concurrent jobs; zero means 16
	Poll    time.Duration // how often to look for jobs made by other replicas; zero means 1s
	Clock   func() time.Time
	Logger  *slog.Logger
	// Observe, when set, is told how each job ended (for metrics).
	Observe func(kind string, outcome string, latency time.Duration)
}

// Runner claims and runs jobs until its context ends.
type Runner struct {
	cfg   Config
	kinds map[string]*Kind
	names []string
	wake  chan struct{}
	done  chan result
}

type result struct {
	job    store.Job
	finish Finish
	err    error
	took   time.Duration
}

// New returns a runner for the given kinds.
func New(cfg Config) *Runner {
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runner{cfg: cfg, kinds: map[string]*Kind{}, wake: make(chan struct{}, 1), done: make(chan result, cfg.Workers)}
	for i := range cfg.Kinds {
		k := &cfg.Kinds[i]
		r.kinds[k.Name] = k
		r.names = append(r.names, k.Name)
	}
	return r
}

// Notify tells the runner new jobs may be due (called after a commit that enqueued some).
func (r *Runner) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run claims and runs jobs until ctx ends, then waits for running jobs to finish and records
// their outcome (with a fresh context, so a shutdown does not lose completed work).
func (r *Runner) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	inflight := 0
	var pending []result
	timer := time.NewTimer(0)
	defer timer.Stop()
	flushTick := time.NewTicker(5 * time.Millisecond)
	defer flushTick.Stop()

	for {
		// Drain finished jobs without blocking.
	drain:
		for {
			select {
			case res := <-r.done:
				inflight--
				pending = append(pending, res)
			default:
				break drain
			}
		}
		if len(pending) > 0 && (len(pending) >= 64 || inflight == 0) {
			r.finish(context.WithoutCancel(ctx), pending)
			pending = pending[:0]
		}
		if ctx.Err() != nil {
			break
		}
		claimed := 0
		if free := r.cfg.Workers - inflight; free > 0 {
			jobs, err := r.claim(ctx, free)
			if err != nil && ctx.Err() == nil {
				r.cfg.Logger.Error("claim jobs", "err", err)
			}
			claimed = len(jobs)
			for i := range jobs {
				inflight++
				wg.Add(1)
				go func(j store.Job) {
					defer wg.Done()
					r.done <- r.run(ctx, &j)
				}(jobs[i])
			}
			if claimed == free {
				continue // more may be waiting
			}
		}
		// Wait for a reason to look again.
		if claimed == 0 && inflight == 0 && len(pending) == 0 {
			r.resetTimer(ctx, timer)
		} else {
			resetTo(timer, r.cfg.Poll)
		}
		select {
		case <-ctx.Done():
		case <-r.wake:
		case res := <-r.done:
			inflight--
			pending = append(pending, res)
		case <-flushTick.C:
			if len(pending) > 0 {
				r.finish(context.WithoutCancel(ctx), pending)
				pending = pending[:0]
			}
		case <-timer.C:
		}
	}
	go func() { wg.Wait(); close(r.done) }()
	for res := range r.done {
		pending = append(pending, res)
	}
	if len(pending) > 0 {
		r.finish(context.WithoutCancel(ctx), pending)
	}
	return nil
}

func resetTo(t *time.Timer, d time.Duration) {
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	t.Reset(d)
}

// resetTimer sleeps until the next job is due, but no longer than the poll interval.
func (r *Runner) resetTimer(ctx context.Context, t *time.Timer) {
	d := r.cfg.Poll
	next, err := r.cfg.Store.Read().NextJobAt(ctx, r.names)
	if err == nil && !next.IsZero() {
		if until := next.Sub(r.cfg.Clock()); until < d {
			d = max(until, time.Millisecond)
		}
	}
	resetTo(t, d)
}

func (r *Runner) claim(ctx context.Context, n int) ([]store.Job, error) {
	now := r.cfg.Clock()
	var jobs []store.Job
	err := r.cfg.Store.InTx(ctx, func(tx store.Tx) error {
		var err error
		// The lease is the longest of the kinds' leases; a job's own kind decides nothing else.
		jobs, err = tx.ClaimJobs(ctx, r.names, now, now.Add(r.maxLease()), n)
		return err
	})
	return jobs, err
}

func (r *Runner) maxLease() time.Duration {
	l := time.Minute
	for _, k := range r.kinds {
		l = max(l, k.Lease)
	}
	return l
}

func (r *Runner) run(ctx context.Context, j *store.Job) (res result) {
	start := time.Now()
	res.job = *j
	defer func() {
		if p := recover(); p != nil {
			res.err = fmt.Errorf("job %s %d panicked: %v", j.Kind, j.ID, p)
		}
		res.took = time.Since(start)
	}()
	k, ok := r.kinds[j.Kind]
	if !ok {
		res.err = &Permanent{fmt.Errorf("no handler for job kind %q", j.Kind)}
		return res
	}
	// A job that started finishes even when the runner is asked to stop; its lease bounds it.
	lease := k.Lease
	if lease <= 0 {
		lease = time.Minute
	}
	jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lease)
	defer cancel()
	res.finish, res.err = k.Run(jctx, j)
	return res
}

// finish records outcomes: completed jobs (and their Finish) in one transaction, failures one by
// one. If the batch fails, each completion is retried alone so one bad Finish cannot hold up
// the rest.
func (r *Runner) finish(ctx context.Context, results []result) {
	var ok []result
	for _, res := range results {
		if res.err == nil {
			ok = append(ok, res)
			r.observe(res, "completed")
			continue
		}
		r.fail(ctx, res)
	}
	if len(ok) == 0 {
		return
	}
	err := r.cfg.Store.InTx(ctx, func(tx store.Tx) error { return complete(ctx, tx, ok) })
	if err == nil {
		return
	}
	for _, res := range ok {
		one := []result{res}
		if err := r.cfg.Store.InTx(ctx, func(tx store.Tx) error { return complete(ctx, tx, one) }); err != nil {
			r.cfg.Logger.Error("complete job", "kind", res.job.Kind, "job_id", res.job.ID, "err", err)
		}
	}
}

func complete(ctx context.Context, tx store.Tx, rs []result) error {
	ids := make([]int64, len(rs))
	for i, res := range rs {
		ids[i] = res.job.ID
		if res.finish != nil {
			if err := res.finish(ctx, tx); err != nil {
				return err
			}
		}
	}
	return tx.CompleteJobs(ctx, ids...)
}

func (r *Runner) fail(ctx context.Context, res result) {
	j := res.job
	k := r.kinds[j.Kind]
	var perm *Permanent
	dead := errors.As(res.err, &perm) || j.Attempts >= j.MaxAttempts || k == nil
	log := r.cfg.Logger.With("kind", j.Kind, "job_id", j.ID, "attempt", j.Attempts)
	err := r.cfg.Store.InTx(ctx, func(tx store.Tx) error {
		if dead {
			if k != nil && k.Dead != nil {
				if err := k.Dead(ctx, tx, &j, res.err); err != nil {
					return err
				}
			}
			return tx.CompleteJobs(ctx, j.ID)
		}
		delay := time.Second
		if k.Backoff != nil {
			delay = k.Backoff(j.Attempts)
		}
		next := r.cfg.Clock().Add(delay)
		if k.Retry != nil {
			if err := k.Retry(ctx, tx, &j, res.err, next); err != nil {
				return err
			}
		}
		return tx.RetryJob(ctx, j.ID, next, res.err.Error())
	})
	if err != nil {
		log.Error("record job failure", "err", err)
	}
	if dead {
		log.Warn("job dead", "err", res.err)
		r.observe(res, "dead")
	} else {
		log.Info("job failed, will retry", "err", res.err)
		r.observe(res, "retry")
	}
}

func (r *Runner) observe(res result, outcome string) {
	if r.cfg.Observe != nil {
		r.cfg.Observe(res.job.Kind, outcome, res.took)
	}
}

// Payload decodes a job's JSON payload.
func Payload[T any](j *store.Job) (T, error) {
	var v T
	if err := json.Unmarshal(j.Payload, &v); err != nil {
		return v, &Permanent{fmt.Errorf("job %s %d: bad payload: %w", j.Kind, j.ID, err)}
	}
	return v, nil
}

// NewJob returns a job of the given kind with v as its JSON payload, due at runAt.
func NewJob(kind, key string, v any, runAt time.Time, maxAttempts int) (*store.Job, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s job: %w", kind, err)
	}
	return &store.Job{Kind: kind, Key: key, Payload: b, RunAt: runAt, MaxAttempts: maxAttempts}, nil
}
