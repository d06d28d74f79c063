package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/config"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
	"github.com/waybill/waybill/internal/webhook"
)

// benchOptions are the flags of `waybill bench`.
type benchOptions struct {
	n, c              int
	database          string
	sqliteSync        string
	target            string
	alphaKey, betaKey string
	receiver          string
	retryFor          time.Duration
	verify            bool
	out               string
	cpuProfile        string
}

func (e *env) benchCmd() *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Drive N full withdrawals between two hosted VASPs and report throughput and latency",
		Long: `bench drives N withdrawals from one hosted VASP to another through the whole lifecycle
(create, the beneficiary's acceptance, the chain hash, COMPLETED on both sides) at concurrency C,
through the JSON API, with a webhook receiver that verifies every signature. It reports
lifecycles per second and p50/p95/p99 latency per API call, with progress while it runs.

By default it starts a node in this process on a fresh SQLite file (or --database, e.g. a
postgres:// URL). With --target it drives a running node instead, using the API keys of two of
its VASPs (--alpha-key, --beta-key); it then sets Alpha to approve withdrawals automatically and
Beta to hold received transfers for acceptance, adds a wallet to Beta's book, and registers
webhook endpoints pointing at its receiver (--receiver, reachable from the node), which it
removes at the end. --retry-for keeps retrying calls that fail for lack of a server (for the
crash test), and --verify checks at the end that every acknowledged transfer completed on both
sides with no doubled transition or webhook.`,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.bench(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.IntVarP(&o.n, "n", "n", 1000, "withdrawals to drive")
	f.IntVarP(&o.c, "concurrency", "c", 50, "withdrawals in flight at once")
	f.StringVar(&o.database, "database", "", "database of the in-process node (default: a fresh SQLite file)")
	f.StringVar(&o.sqliteSync, "sqlite-synchronous", "full", "in-process SQLite: full or normal")
	f.StringVar(&o.target, "target", "", "base URL of a running node (instead of an in-process one)")
	f.StringVar(&o.alphaKey, "alpha-key", "", "API key of the originating VASP (with --target)")
	f.StringVar(&o.betaKey, "beta-key", "", "API key of the beneficiary VASP (with --target)")
	f.StringVar(&o.receiver, "receiver", "127.0.0.1:0", "listen address of the webhook receiver")
	f.DurationVar(&o.retryFor, "retry-for", 0, "retry calls that find no server for this long")
	f.BoolVar(&o.verify, "verify", false, "verify every transfer and webhook at the end")
	f.StringVar(&o.out, "json", "", "also write the results as JSON to this file")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run (in-process node and driver) to this file")
	return cmd
}

// benchResult is what a run measured.
type benchResult struct {
	Target         string             `json:"target"`
	Database       string             `json:"database"`
	N              int                `json:"n"`
	Concurrency    int                `json:"concurrency"`
	Completed      int                `json:"completed"`
	Seconds        float64            `json:"seconds"`
	LifecyclesPerS float64            `json:"lifecycles_per_second"`
	Latency        map[string]latency `json:"latency_ms"`
	// CPUms is the CPU time this process used per completed lifecycle: with an in-process node
	// it covers the node, the driver and the receiver, and does not depend on what else the
	// machine runs.
	CPUms         float64  `json:"cpu_ms_per_lifecycle"`
	Webhooks      int64    `json:"webhooks_received"`
	BadSignatures int64    `json:"webhooks_bad_signature"`
	Redeliveries  int64    `json:"webhooks_redelivered"`
	Problems      []string `json:"problems,omitempty"`
}

type latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func (e *env) bench(ctx context.Context, o benchOptions) error {
	if o.n < 1 || o.c < 1 {
		return errors.New("-n and -c must be positive")
	}
	res := &benchResult{N: o.n, Concurrency: o.c, Latency: map[string]latency{}}
	alpha, beta, stop, err := e.benchNode(ctx, o, res)
	if err != nil {
		return err
	}
	defer stop()
	b := &benchRun{o: o, res: res, alpha: alpha, beta: beta, flows: map[string]*flow{}, lat: map[string][]time.Duration{},
		seen: map[string]bool{}, moves: map[string]int{}}
	if err := b.setUp(ctx); err != nil {
		return err
	}
	defer b.tearDown()
	fmt.Fprintf(e.stderr, "bench: %d withdrawals at concurrency %d against %s (%s)\n", o.n, o.c, res.Target, res.Database)
	if o.cpuProfile != "" {
		pf, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); pf.Close() }()
	}
	start := time.Now()
	cpu0 := cpuTime()
	done := make(chan struct{})
	go b.progress(e.stderr, start, done)
	b.drive(ctx)
	close(done)
	res.Seconds = time.Since(start).Seconds()
	res.Completed = int(b.completed.Load())
	res.LifecyclesPerS = float64(res.Completed) / res.Seconds
	if res.Completed > 0 {
		res.CPUms = float64((cpuTime() - cpu0).Microseconds()) / 1000 / float64(res.Completed)
	}
	// Every delivery the lifecycles caused should arrive; wait a little for stragglers.
	// After a crash, deliveries the dead process had leased run again when the lease ends.
	b.waitWebhooks(ctx, 30*time.Second+2*o.retryFor)
	res.Webhooks, res.BadSignatures, res.Redeliveries = b.hooks.Load(), b.badSig.Load(), b.redelivered.Load()
	for name, ds := range b.lat {
		res.Latency[name] = summarize(ds)
	}
	if o.verify {
		b.verifyAll(ctx)
	}
	res.Problems = append(res.Problems, b.problems...)
	e.printBench(res)
	if o.out != "" {
		data, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(o.out, data, 0o644); err != nil {
			return err
		}
	}
	if len(res.Problems) > 0 || res.Completed != o.n {
		return fmt.Errorf("bench found %d problem(s); %d of %d withdrawals completed", len(res.Problems), res.Completed, o.n)
	}
	return nil
}

// benchNode starts an in-process node, or connects to --target.
func (e *env) benchNode(ctx context.Context, o benchOptions, res *benchResult) (alpha, beta *client.Client, stop func(), err error) {
	hc := client.NewHTTPClient(30 * time.Second)
	if o.target != "" {
		if o.alphaKey == "" || o.betaKey == "" {
			return nil, nil, nil, errors.New("--target needs --alpha-key and --beta-key")
		}
		res.Target, res.Database = o.target, "remote"
		return client.New(o.target, o.alphaKey, client.WithHTTPClient(hc)), client.New(o.target, o.betaKey, client.WithHTTPClient(hc)), func() {}, nil
	}
	dir, err := os.MkdirTemp("", "waybill-bench-")
	if err != nil {
		return nil, nil, nil, err
	}
	c := config.Default()
	c.HTTP.Addr = "127.0.0.1:0"
	c.Keys.MasterKeyFile = filepath.Join(dir, "waybill.key")
	c.Database.URL = "sqlite:" + filepath.Join(dir, "bench.db")
	c.Database.SQLiteSynchronous = o.sqliteSync
	if o.database != "" {
		c.Database.URL = o.database
	}
	c.Jobs.Workers = 64
	kind, _ := c.Database.Kind()
	res.Database = kind
	if kind == "sqlite" {
		res.Database += " (synchronous=" + c.Database.SQLiteSynchronous + ")"
	}
	c.Log.Level, c.Log.Format = "warn", "text"
	n, err := OpenNode(ctx, c, Options{Logger: NewLogger(c.Log, e.stderr)})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, nil, err
	}
	d, err := SeedDemo(ctx, n, DemoOptions{})
	if err != nil {
		n.Close()
		os.RemoveAll(dir)
		return nil, nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		n.Close()
		os.RemoveAll(dir)
		return nil, nil, nil, err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan struct{})
	go func() { _ = n.Serve(sctx, ln); close(served) }()
	base := "http://" + ln.Addr().String()
	res.Target = base + " (in process)"
	stop = func() { cancel(); <-served; os.RemoveAll(dir) }
	return client.New(base, d.Alpha.APIKey, client.WithHTTPClient(hc)), client.New(base, d.Beta.APIKey, client.WithHTTPClient(hc)), stop, nil
}

// flow is one withdrawal as the bench follows it, keyed by the shared message id.
type flow struct {
	mu       sync.Mutex
	changed  chan struct{}
	alphaID  string
	betaID   string
	reviewed bool // Beta asked for a decision
	hashDue  bool // Alpha asked for the chain hash
	doneA    bool
	doneB    bool
}

func (f *flow) update(fn func(*flow)) {
	f.mu.Lock()
	fn(f)
	ch := f.changed
	f.changed = make(chan struct{})
	f.mu.Unlock()
	close(ch)
}

// wait blocks until cond holds or ctx ends.
func (f *flow) wait(ctx context.Context, cond func(*flow) bool) bool {
	for {
		f.mu.Lock()
		ok, ch := cond(f), f.changed
		f.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}

type benchRun struct {
	o           benchOptions
	res         *benchResult
	alpha, beta *client.Client
	alphaID     string
	betaID      string
	dest        string
	srv         *http.Server
	endpoints   [2]string
	verifiers   map[string]*standardwebhooks.Webhook

	mu       sync.Mutex
	flows    map[string]*flow
	lat      map[string][]time.Duration
	seen     map[string]bool // webhook-ids
	moves    map[string]int  // vasp|transfer|type|from|to -> distinct deliveries
	problems []string
	created  []string // alpha transfer ids acknowledged

	completed, hooks, badSig, redelivered, expected atomic.Int64
}

func (b *benchRun) problem(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.problems) < 50 {
		b.problems = append(b.problems, fmt.Sprintf(format, args...))
	}
}

func (b *benchRun) flow(msgID string) *flow {
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.flows[msgID]
	if f == nil {
		f = &flow{changed: make(chan struct{})}
		b.flows[msgID] = f
	}
	return f
}

func (b *benchRun) record(name string, d time.Duration) {
	b.mu.Lock()
	b.lat[name] = append(b.lat[name], d)
	b.mu.Unlock()
}

// retry runs call until it succeeds, or fails for a reason other than an unreachable or
// restarting server, or --retry-for runs out.
func (b *benchRun) retry(ctx context.Context, call func() error) error {
	deadline := time.Now().Add(b.o.retryFor)
	for {
		err := call()
		if err == nil || b.o.retryFor == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		var ce *client.Error
		if errors.As(err, &ce) && ce.StatusCode < 500 {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (b *benchRun) setUp(ctx context.Context) error {
	var va, vb *vasp.VASP
	err := b.retry(ctx, func() (err error) { va, err = b.alpha.GetVASP(ctx); return })
	if err != nil {
		return fmt.Errorf("alpha: %w", err)
	}
	if err := b.retry(ctx, func() (err error) { vb, err = b.beta.GetVASP(ctx); return }); err != nil {
		return fmt.Errorf("beta: %w", err)
	}
	b.alphaID, b.betaID = va.ID, vb.ID
	sa, sb := va.Settings, vb.Settings
	sa.OutgoingAction, sb.IncomingAction = vasp.ActionApprove, vasp.ActionReview
	if _, err := b.alpha.PutSettings(ctx, sa); err != nil {
		return err
	}
	if _, err := b.beta.PutSettings(ctx, sb); err != nil {
		return err
	}
	// A customer address of Beta's, so Beta confirms from its book.
	raw := make([]byte, 20)
	_, _ = rand.Read(raw)
	b.dest = "0x" + hex.EncodeToString(raw)
	if _, err := b.beta.CreateWallet(ctx, engine.WalletInput{Network: "ethereum", Address: b.dest, CustomerRef: "bench",
		CustomerName: "Bruno Dupont"}); err != nil {
		return fmt.Errorf("beta wallet: %w", err)
	}
	ln, err := net.Listen("tcp", b.o.receiver)
	if err != nil {
		return fmt.Errorf("receiver: %w", err)
	}
	b.srv = &http.Server{Handler: http.HandlerFunc(b.receive), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/hooks/"
	b.verifiers = map[string]*standardwebhooks.Webhook{}
	for i, c := range []*client.Client{b.alpha, b.beta} {
		name := []string{"alpha", "beta"}[i]
		ep, err := c.CreateWebhook(ctx, engine.EndpointInput{URL: url + name, Description: "waybill bench"})
		if err != nil {
			return fmt.Errorf("webhook endpoint: %w", err)
		}
		b.endpoints[i] = ep.ID
		wh, err := standardwebhooks.NewWebhook(ep.Secret)
		if err != nil {
			return err
		}
		b.verifiers[name] = wh
	}
	return nil
}

func (b *benchRun) tearDown() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, c := range []*client.Client{b.alpha, b.beta} {
		if b.endpoints[i] != "" {
			_ = c.DeleteWebhook(ctx, b.endpoints[i])
		}
	}
	if b.srv != nil {
		_ = b.srv.Shutdown(ctx)
	}
}

// receive is the backend's webhook endpoint: verify, then move the flow on.
func (b *benchRun) receive(w http.ResponseWriter, r *http.Request) {
	who := filepath.Base(r.URL.Path)
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	wh := b.verifiers[who]
	if wh == nil || wh.Verify(body, r.Header) != nil {
		b.badSig.Add(1)
		b.problem("webhook to %s with a bad signature", who)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	id := r.Header.Get("webhook-id")
	var ev webhook.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		b.problem("webhook %s: bad body", id)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	dup := b.seen[id]
	b.seen[id] = true
	if !dup {
		key := who + "|" + ev.Data.TransferID + "|" + ev.Type + "|" + ev.Data.From + "|" + ev.Data.To
		b.moves[key]++
		if b.moves[key] > 1 && (ev.Type == webhook.TransferStatusChanged || ev.Type == webhook.TransferCreated || ev.Type == webhook.TransferReceived) {
			b.problems = append(b.problems, fmt.Sprintf("two deliveries of %s (%s→%s) for one transfer", ev.Type, ev.Data.From, ev.Data.To))
		}
	}
	b.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
	if dup {
		b.redelivered.Add(1)
		return
	}
	b.hooks.Add(1)
	f := b.flow(ev.Data.MessageID)
	f.update(func(f *flow) {
		switch who {
		case "alpha":
			f.alphaID = ev.Data.TransferID
			switch {
			case ev.Type == webhook.TransferTxHashRequired:
				f.hashDue = true
			case ev.Type == webhook.TransferStatusChanged && ev.Data.To == string(transfer.StatusCompleted):
				f.doneA = true
			}
		case "beta":
			f.betaID = ev.Data.TransferID
			switch {
			case ev.Type == webhook.TransferReviewRequired:
				f.reviewed = true
			case ev.Type == webhook.TransferStatusChanged && ev.Data.To == string(transfer.StatusCompleted):
				f.doneB = true
			}
		}
	})
}

// Webhooks per lifecycle: Alpha gets created, NEW→SENT, SENT→ACK, ACK→ACCEPTED,
// tx_hash_required, ACCEPTED→COMPLETED; Beta gets received, SENT→ACK, review_required,
// ACK→ACCEPTED, ACCEPTED→COMPLETED.
const webhooksPerLifecycle = 11

func (b *benchRun) drive(ctx context.Context) {
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < b.o.c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				b.lifecycle(ctx, i)
			}
		}()
	}
	for i := 0; i < b.o.n; i++ {
		select {
		case work <- i:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
}

func (b *benchRun) lifecycle(ctx context.Context, i int) {
	start := time.Now()
	in := benchWithdrawal(fmt.Sprintf("bench-%s-%d", b.dest[2:10], i), b.dest)
	var t *client.Transfer
	err := b.retry(ctx, func() (err error) {
		s := time.Now()
		t, _, err = b.alpha.CreateTransfer(ctx, in)
		if err == nil {
			b.record("POST /v1/transfers", time.Since(s))
		}
		return err
	})
	if err != nil {
		b.problem("create %d: %v", i, err)
		return
	}
	b.mu.Lock()
	b.created = append(b.created, t.ID)
	b.mu.Unlock()
	b.expected.Add(webhooksPerLifecycle)
	f := b.flow(t.MessageID)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute+b.o.retryFor)
	defer cancel()
	if !f.wait(wctx, func(f *flow) bool { return f.reviewed && f.betaID != "" }) {
		b.problem("transfer %s: Beta never asked for a decision", t.ID)
		return
	}
	err = b.retry(ctx, func() error {
		s := time.Now()
		_, err := b.beta.Accept(ctx, f.betaID, engine.AcceptInput{})
		if err == nil {
			b.record("POST /v1/transfers/{id}/accept", time.Since(s))
		} else if client.StatusOf(err) == http.StatusConflict {
			return b.alreadyPast(ctx, b.beta, f.betaID, transfer.StatusAccepted)
		}
		return err
	})
	if err != nil {
		b.problem("accept %s: %v", f.betaID, err)
		return
	}
	if !f.wait(wctx, func(f *flow) bool { return f.hashDue }) {
		b.problem("transfer %s: Alpha never asked for the chain hash", t.ID)
		return
	}
	err = b.retry(ctx, func() error {
		s := time.Now()
		_, err := b.alpha.TxHash(ctx, t.ID, "0x"+fmt.Sprintf("%064x", i+1))
		if err == nil {
			b.record("POST /v1/transfers/{id}/tx-hash", time.Since(s))
		}
		return err
	})
	if err != nil {
		b.problem("tx-hash %s: %v", t.ID, err)
		return
	}
	if !f.wait(wctx, func(f *flow) bool { return f.doneA && f.doneB }) {
		b.problem("transfer %s: not COMPLETED on both sides", t.ID)
		return
	}
	b.record("lifecycle", time.Since(start))
	b.completed.Add(1)
}

// alreadyPast accepts a 409 when the transfer is already at or past the wanted status (a retry
// of a call whose answer the crash took away).
func (b *benchRun) alreadyPast(ctx context.Context, c *client.Client, id string, want transfer.Status) error {
	t, err := c.GetTransfer(ctx, id, false)
	if err != nil {
		return err
	}
	if t.Status == want || t.Status == transfer.StatusCompleted {
		return nil
	}
	return fmt.Errorf("transfer is %s", t.Status)
}

func (b *benchRun) progress(w io.Writer, start time.Time, done chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-done:
			fmt.Fprintln(w)
			return
		case <-tick.C:
			n := b.completed.Load()
			el := time.Since(start).Seconds()
			fmt.Fprintf(w, "\r[%4.0fs] %d/%d completed, %.0f/s, %d webhooks", el, n, b.o.n, float64(n)/el, b.hooks.Load())
		}
	}
}

func (b *benchRun) waitWebhooks(ctx context.Context, d time.Duration) {
	deadline := time.Now().Add(d)
	for b.hooks.Load() < b.expected.Load() && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	if got, want := b.hooks.Load(), b.expected.Load(); got < want {
		b.problem("received %d of %d webhooks", got, want)
	}
}

// verifyAll checks every acknowledged withdrawal: COMPLETED on both sides, and no status change
// recorded twice in either audit trail.
func (b *benchRun) verifyAll(ctx context.Context) {
	b.mu.Lock()
	ids := slices.Clone(b.created)
	b.mu.Unlock()
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			a, err := b.alpha.GetTransfer(ctx, id, true)
			if err != nil {
				b.problem("verify %s: %v", id, err)
				return
			}
			b.checkTrail("alpha", &a.Transfer, a.Events)
			f := b.flow(a.MessageID)
			f.mu.Lock()
			betaID := f.betaID
			f.mu.Unlock()
			if betaID == "" {
				b.problem("verify %s: no counterpart at Beta", id)
				return
			}
			bt, err := b.beta.GetTransfer(ctx, betaID, true)
			if err != nil {
				b.problem("verify %s: %v", betaID, err)
				return
			}
			b.checkTrail("beta", &bt.Transfer, bt.Events)
		}()
	}
	wg.Wait()
}

func (b *benchRun) checkTrail(who string, t *transfer.Transfer, events []audit.Event) {
	if t.Status != transfer.StatusCompleted {
		b.problem("%s transfer %s is %s, not COMPLETED", who, t.ID, t.Status)
	}
	seen := map[string]bool{}
	for _, ev := range events {
		if ev.Type != "transfer.status_changed" && ev.Type != "transfer.created" {
			continue
		}
		k := ev.From + ">" + ev.To
		if seen[k] {
			b.problem("%s transfer %s: transition %s recorded twice", who, t.ID, k)
		}
		seen[k] = true
	}
}

func (e *env) printBench(r *benchResult) {
	fmt.Fprintf(e.stdout, "\nwaybill bench: %s, %s\n", r.Target, r.Database)
	fmt.Fprintf(e.stdout, "  %d of %d lifecycles completed in %.1f s at concurrency %d: %.1f lifecycles/s\n",
		r.Completed, r.N, r.Seconds, r.Concurrency, r.LifecyclesPerS)
	fmt.Fprintf(e.stdout, "  CPU: %.2f ms per lifecycle (this process)\n", r.CPUms)
	fmt.Fprintf(e.stdout, "  webhooks: %d received and verified, %d redelivered (at least once), %d with a bad signature\n",
		r.Webhooks, r.Redeliveries, r.BadSignatures)
	names := make([]string, 0, len(r.Latency))
	for k := range r.Latency {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(e.stdout, "  %-34s %7s %9s %9s %9s %9s\n", "latency (ms)", "n", "p50", "p95", "p99", "max")
	for _, k := range names {
		l := r.Latency[k]
		fmt.Fprintf(e.stdout, "  %-34s %7d %9.2f %9.2f %9.2f %9.2f\n", k, l.N, l.P50, l.P95, l.P99, l.Max)
	}
	for _, p := range r.Problems {
		fmt.Fprintln(e.stdout, "  PROBLEM:", p)
	}
}

func summarize(ds []time.Duration) latency {
	if len(ds) == 0 {
		return latency{}
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(sorted)))) - 1
		i = max(0, min(i, len(sorted)-1))
		return float64(sorted[i].Microseconds()) / 1000
	}
	return latency{N: len(sorted), P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: q(1)}
}

// benchWithdrawal is a realistic withdrawal: natural persons with address and account numbers.
func benchWithdrawal(ref, dest string) engine.CreateInput {
	o, _ := ivms.DecodeOriginator([]byte(`{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Schmidt","secondaryIdentifier":"Anna","nameIdentifierType":"LEGL"}]},"geographicAddress":[{"addressType":"HOME","streetName":"Unter den Linden","buildingNumber":"1","townName":"Berlin","postCode":"10117","country":"DE"}],"dateAndPlaceOfBirth":{"dateOfBirth":"1980-04-02","placeOfBirth":"Hamburg"}}}],"accountNumber":["0x52908400098527886E0F7030069857D2E4169EE7"]}`), ivms.DecodeOptions{})
	bn, _ := ivms.DecodeBeneficiary([]byte(`{"beneficiaryPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Dupont","secondaryIdentifier":"Bruno","nameIdentifierType":"LEGL"}]}}}],"accountNumber":["`+dest+`"]}`), ivms.DecodeOptions{})
	return engine.CreateInput{Ref: ref, Asset: transfer.Asset{Network: "ethereum", Symbol: "USDC"}, Amount: decimal.RequireFromString("1500"),
		OriginAddress: "0x52908400098527886E0F7030069857D2E4169EE7", DestinationAddress: dest, Originator: o, Beneficiary: bn}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
