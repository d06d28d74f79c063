package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/config"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/pki"
	"github.com/waybill/waybill/internal/route/trp"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
	"github.com/waybill/waybill/internal/webhook"
)

// trpBenchOptions are the flags of `waybill trp bench`.
type trpBenchOptions struct {
	mode       string
	n, c       int
	sqliteSync string
	cpuProfile string
	out        string
}

func (e *env) trpBenchCmd() *cobra.Command {
	var o trpBenchOptions
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure TRP: inquiries accepted per second by one node, or full lifecycles between two nodes",
		Long: `bench runs in-process nodes on fresh SQLite files in a temporary directory, with TRP over mutual
TLS from a throw-away CA, on 127.0.0.1.

--mode inquiries: one node; a TRP client posts N inquiries (C at a time) to one of its VASPs and
counts those accepted ({"version"}, 200). Each is identified, recorded and decided by the node
(the VASP holds received transfers for review, so nothing is sent back).

--mode lifecycles: two nodes; N withdrawals from node A's Alpha to node B's Beta, C in flight:
create, the inquiry over TRP, B's automatic acceptance, the approval back over TRP, the chain
hash on A, the confirmation over TRP, COMPLETED on both sides. Webhooks drive the steps.`,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.trpBench(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.mode, "mode", "inquiries", "inquiries or lifecycles")
	f.IntVarP(&o.n, "n", "n", 5000, "inquiries or lifecycles to run")
	f.IntVarP(&o.c, "concurrency", "c", 64, "requests (or lifecycles) in flight")
	f.StringVar(&o.sqliteSync, "sqlite-synchronous", "full", "SQLite synchronous: full or normal")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file")
	f.StringVar(&o.out, "json", "", "also write the result as JSON to this file")
	return cmd
}

// trpBenchResult is what a run measured.
type trpBenchResult struct {
	Mode        string             `json:"mode"`
	N           int                `json:"n"`
	Concurrency int                `json:"concurrency"`
	Done        int                `json:"done"`
	Seconds     float64            `json:"seconds"`
	PerSecond   float64            `json:"per_second"`
	CPUms       float64            `json:"cpu_ms_each"`
	Latency     map[string]latency `json:"latency_ms"`
	Failures    map[string]int     `json:"failures,omitempty"`
}

// benchPeer is an in-process node with TRP on for the bench.
type benchPeer struct {
	node    *Node
	url     string
	demo    *Demo
	stop    func()
	alpha   *client.Client
	beta    *client.Client
	alphaTA string
	betaTA  string
}

func (e *env) trpBench(ctx context.Context, o trpBenchOptions) error {
	if o.n < 1 || o.c < 1 {
		return errors.New("-n and -c must be positive")
	}
	if o.mode != "inquiries" && o.mode != "lifecycles" {
		return errors.New("--mode must be inquiries or lifecycles")
	}
	dir, err := os.MkdirTemp("", "waybill-trp-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintln(e.stderr, "trp bench: making a CA and node certificates...")
	ca, err := pki.NewCA(pki.CAOptions{Bits: pki.TestBits})
	if err != nil {
		return err
	}
	caFile, _, err := pki.WriteCA(dir, "ca", ca, true)
	if err != nil {
		return err
	}
	issue := func(name string) (string, *pki.Leaf, error) {
		l, err := ca.Issue(pki.LeafOptions{Endpoints: []string{"127.0.0.1", name + ".bench.test"}, Bits: pki.TestBits})
		if err != nil {
			return "", nil, err
		}
		f, err := pki.WriteLeaf(dir, name, l, true)
		return f.Identity, l, err
	}
	res := &trpBenchResult{Mode: o.mode, N: o.n, Concurrency: o.c, Latency: map[string]latency{}, Failures: map[string]int{}}
	settings := vasp.DefaultSettings()
	settings.OutgoingAction, settings.IncomingAction = vasp.ActionApprove, vasp.ActionReview
	if o.mode == "lifecycles" {
		settings.IncomingAction = vasp.ActionApprove
	}
	bIdentity, _, err := issue("b")
	if err != nil {
		return err
	}
	b, err := e.benchPeer(ctx, dir, "b", bIdentity, caFile, o, settings)
	if err != nil {
		return err
	}
	defer b.stop()
	var run func(ctx context.Context, res *trpBenchResult) error
	switch o.mode {
	case "inquiries":
		_, sender, err := issue("sender")
		if err != nil {
			return err
		}
		run, err = e.inquiryRun(ctx, b, sender, ca, o)
		if err != nil {
			return err
		}
	default:
		aIdentity, _, err := issue("a")
		if err != nil {
			return err
		}
		a, err := e.benchPeer(ctx, dir, "a", aIdentity, caFile, o, settings)
		if err != nil {
			return err
		}
		defer a.stop()
		run, err = e.lifecycleRun(ctx, a, b, o)
		if err != nil {
			return err
		}
	}
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
	fmt.Fprintf(e.stderr, "trp bench: %d %s at concurrency %d (SQLite synchronous=%s)\n", o.n, o.mode, o.c, o.sqliteSync)
	start, cpu0 := time.Now(), cpuTime()
	err = run(ctx, res)
	res.Seconds = time.Since(start).Seconds()
	if res.Done > 0 {
		res.PerSecond = float64(res.Done) / res.Seconds
		res.CPUms = float64((cpuTime() - cpu0).Microseconds()) / 1000 / float64(res.Done)
	}
	fmt.Fprintf(e.stdout, "\nwaybill trp bench (%s): %d of %d done in %.2f s at concurrency %d: %.0f/s, CPU %.2f ms each (this process)\n",
		res.Mode, res.Done, res.N, res.Seconds, res.Concurrency, res.PerSecond, res.CPUms)
	for name, l := range res.Latency {
		fmt.Fprintf(e.stdout, "  %-22s n=%d p50=%.1f ms p95=%.1f ms p99=%.1f ms max=%.1f ms\n", name, l.N, l.P50, l.P95, l.P99, l.Max)
	}
	for what, n := range res.Failures {
		fmt.Fprintf(e.stdout, "  failures: %s: %d\n", what, n)
	}
	if o.out != "" {
		data, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(o.out, data, 0o644); err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	if res.Done != o.n {
		return fmt.Errorf("%d of %d done", res.Done, o.n)
	}
	return nil
}

// benchPeer starts a node with TRP on 127.0.0.1 and the demo VASPs.
func (e *env) benchPeer(ctx context.Context, dir, name, identity, caFile string, o trpBenchOptions, s vasp.Settings) (*benchPeer, error) {
	c := config.Default()
	c.HTTP.Addr = "127.0.0.1:0"
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	c.Keys.MasterKey = base64.StdEncoding.EncodeToString(key)
	c.Database.URL = "sqlite:" + filepath.Join(dir, name+".db")
	c.Database.SQLiteSynchronous = o.sqliteSync
	c.Jobs.Workers = 64
	c.TRP.Enabled, c.TRP.Addr = true, "127.0.0.1:0"
	c.TRP.TLS = config.TLS{CertFile: identity, CAFile: caFile}
	c.Log.Level, c.Log.Format = "error", "text"
	n, err := OpenNode(ctx, c, Options{Logger: NewLogger(c.Log, e.stderr)})
	if err != nil {
		return nil, err
	}
	d, err := SeedDemo(ctx, n, DemoOptions{Settings: &s})
	if err != nil {
		n.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		n.Close()
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan struct{})
	go func() { _ = n.Serve(sctx, ln); close(served) }()
	p := &benchPeer{node: n, url: "http://" + ln.Addr().String(), demo: d, stop: func() { cancel(); <-served }}
	hc := client.NewHTTPClient(30 * time.Second)
	p.alpha = client.New(p.url, d.Alpha.APIKey, client.WithHTTPClient(hc))
	p.beta = client.New(p.url, d.Beta.APIKey, client.WithHTTPClient(hc))
	// The TRP listener binds when the node serves; its address makes the travel addresses.
	deadline := time.Now().Add(10 * time.Second)
	for {
		va, err1 := p.alpha.GetVASPWithAddress(ctx)
		vb, err2 := p.beta.GetVASPWithAddress(ctx)
		if err1 == nil && err2 == nil && va.TravelAddress != "" && vb.TravelAddress != "" {
			p.alphaTA, p.betaTA = va.TravelAddress, vb.TravelAddress
			return p, nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, errors.New("the TRP listener did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// inquiryRun posts inquiries to node b's Beta as a TRP peer with the sender certificate.
func (e *env) inquiryRun(ctx context.Context, b *benchPeer, sender *pki.Leaf, ca *pki.CA, o trpBenchOptions) (func(context.Context, *trpBenchResult) error, error) {
	target, _, err := trp.ParseAddress(b.betaTA)
	if err != nil {
		return nil, err
	}
	// Beta knows the sender by its host and port.
	const senderOrigin = "https://127.0.0.1:1"
	if _, err := b.beta.CreateCounterparty(ctx, engine.CounterpartyInput{Name: "TRP bench sender", Standing: counterparty.StandingAllowed,
		Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: senderOrigin + "/trp/v/bench", AllowPrivate: true}}}); err != nil {
		return nil, err
	}
	orig, err := ivms.DecodeOriginator([]byte(benchOriginator), ivms.DecodeOptions{})
	if err != nil {
		return nil, err
	}
	body, err := trp.EncodeInquiry(&trp.Inquiry{Asset: trp.Asset{SLIP44: 60, HasSLIP44: true}, Amount: decimal.RequireFromString("1.5"),
		Callback: senderOrigin + "/trp/v/bench/transfers/x/resolve", Identity: &ivms.IdentityPayload{Originator: orig,
			Beneficiary: &ivms.Beneficiary{AccountNumbers: []string{b.demo.Beta.Wallets[0].Address}}}})
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: pki.ClientConfig(sender.TLSCertificate(), ca.Pool()),
		ForceAttemptHTTP2: true, MaxIdleConnsPerHost: o.c, MaxConnsPerHost: 0}}
	return func(ctx context.Context, res *trpBenchResult) error {
		var next, done atomic.Int64
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		for w := 0; w < o.c; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(o.n) {
					req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set(trp.HeaderAPIVersion, trp.APIVersion)
					req.Header.Set(trp.HeaderRequestIdentifier, uuid.NewString())
					t0 := time.Now()
					resp, err := hc.Do(req)
					if err != nil {
						mu.Lock()
						res.Failures["transport"]++
						mu.Unlock()
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					d := time.Since(t0)
					mu.Lock()
					if resp.StatusCode == http.StatusOK {
						done.Add(1)
						lat = append(lat, d)
					} else {
						res.Failures[resp.Status]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		res.Done = int(done.Load())
		res.Latency["inquiry"] = summarize(lat)
		return nil
	}, nil
}

// lifecycleRun drives withdrawals from a's Alpha to b's Beta over TRP, steered by webhooks.
func (e *env) lifecycleRun(ctx context.Context, a, b *benchPeer, o trpBenchOptions) (func(context.Context, *trpBenchResult) error, error) {
	link := func(owner *client.Client, ta string, name string) (string, error) {
		cp, err := owner.CreateCounterparty(ctx, engine.CounterpartyInput{Name: name, Standing: counterparty.StandingAllowed,
			Routes: counterparty.Routes{TRP: &counterparty.TRP{TravelAddress: ta, AllowPrivate: true}}})
		return cp.ID, err
	}
	betaEntry, err := link(a.alpha, b.betaTA, "Beta on node B")
	if err != nil {
		return nil, err
	}
	if _, err := link(b.beta, a.alphaTA, "Alpha on node A"); err != nil {
		return nil, err
	}
	// One receiver for both nodes' webhooks: it wakes the lifecycle a move belongs to.
	w := &waiters{m: map[string]chan webhook.Event{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(w.serve)}
	go func() { _ = srv.Serve(ln) }()
	for _, c := range []*client.Client{a.alpha, b.beta} {
		if _, err := c.CreateWebhook(ctx, engine.EndpointInput{URL: "http://" + ln.Addr().String() + "/hooks",
			Events: []string{webhook.TransferStatusChanged}}); err != nil {
			_ = srv.Close()
			return nil, err
		}
	}
	orig, err := ivms.DecodeOriginator([]byte(benchOriginator), ivms.DecodeOptions{})
	if err != nil {
		return nil, err
	}
	ben, err := ivms.DecodeBeneficiary([]byte(benchBeneficiary), ivms.DecodeOptions{})
	if err != nil {
		return nil, err
	}
	dest := b.demo.Beta.Wallets[0].Address
	origin := a.demo.Alpha.Wallets[0].Address
	return func(ctx context.Context, res *trpBenchResult) error {
		defer srv.Close()
		var next, done atomic.Int64
		var mu sync.Mutex
		lat := map[string][]time.Duration{}
		fail := func(what string) {
			mu.Lock()
			res.Failures[what]++
			mu.Unlock()
		}
		var wg sync.WaitGroup
		for i := 0; i < o.c; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := next.Add(1); n <= int64(o.n); n = next.Add(1) {
					t0 := time.Now()
					ref := fmt.Sprintf("trp-bench-%d-%s", n, uuid.NewString()[:8])
					ch := w.expect(ref)
					out, _, err := a.alpha.CreateTransfer(ctx, engine.CreateInput{Ref: ref, Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"},
						Amount: decimal.RequireFromString("1.5"), OriginAddress: origin, DestinationAddress: dest, Originator: orig,
						Beneficiary: ben, BeneficiaryVASP: &engine.VASPInput{CounterpartyID: betaEntry}})
					if err != nil {
						fail("create")
						w.forget(ref)
						continue
					}
					w.alias(ch, out.MessageID)
					forget := func() { w.forget(ref, out.MessageID) }
					if !w.until(ctx, ch, func(ev webhook.Event) bool {
						return ev.Data.VASPID == a.demo.Alpha.VASP.ID && ev.Data.To == string(transfer.StatusAccepted)
					}) {
						fail("accepted")
						forget()
						continue
					}
					t1 := time.Now()
					if _, err := a.alpha.TxHash(ctx, out.ID, "0x"+uuid.NewString()); err != nil {
						fail("tx_hash")
						forget()
						continue
					}
					if !w.until(ctx, ch, func(ev webhook.Event) bool {
						return ev.Data.VASPID == b.demo.Beta.VASP.ID && ev.Data.To == string(transfer.StatusCompleted)
					}) {
						fail("completed at B")
						forget()
						continue
					}
					forget()
					done.Add(1)
					mu.Lock()
					lat["to ACCEPTED"] = append(lat["to ACCEPTED"], t1.Sub(t0))
					lat["lifecycle"] = append(lat["lifecycle"], time.Since(t0))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		res.Done = int(done.Load())
		for k, v := range lat {
			res.Latency[k] = summarize(v)
		}
		return nil
	}, nil
}

// waiters routes webhook events to the lifecycle they are about: by the sender's ref, or by
// the shared message id (the beneficiary's record has no ref).
type waiters struct {
	mu sync.Mutex
	m  map[string]chan webhook.Event
}

func (w *waiters) expect(keys ...string) chan webhook.Event {
	ch := make(chan webhook.Event, 64)
	w.alias(ch, keys...)
	return ch
}

func (w *waiters) alias(ch chan webhook.Event, keys ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range keys {
		w.m[k] = ch
	}
}

func (w *waiters) forget(keys ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range keys {
		delete(w.m, k)
	}
}

func (w *waiters) serve(rw http.ResponseWriter, r *http.Request) {
	var ev webhook.Event
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&ev); err != nil {
		rw.WriteHeader(http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	ch := w.m[ev.Data.Ref]
	if ch == nil || ev.Data.Ref == "" {
		ch = w.m[ev.Data.MessageID]
	}
	w.mu.Unlock()
	if ch != nil {
		select {
		case ch <- ev:
		default:
		}
	}
	rw.WriteHeader(http.StatusNoContent)
}

// until reads events until one satisfies ok, or a minute passes.
func (w *waiters) until(ctx context.Context, ch chan webhook.Event, ok func(webhook.Event) bool) bool {
	timeout := time.NewTimer(time.Minute)
	defer timeout.Stop()
	for {
		select {
		case ev := <-ch:
			if ok(ev) {
				return true
			}
		case <-timeout.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

const benchOriginator = `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Schmidt","secondaryIdentifier":"Anna","nameIdentifierType":"LEGL"}]},` +
	`"geographicAddress":[{"addressType":"HOME","streetName":"Friedrichstrasse","buildingNumber":"12","postCode":"10117","townName":"Berlin","country":"DE"}],` +
	`"dateAndPlaceOfBirth":{"dateOfBirth":"1985-04-12","placeOfBirth":"Hamburg"},"countryOfResidence":"DE"}}],"accountNumber":["0x52908400098527886E0F7030069857D2E4169EE7"]}`

const benchBeneficiary = `{"beneficiaryPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Dupont","secondaryIdentifier":"Bruno","nameIdentifierType":"LEGL"}]}}}],` +
	`"accountNumber":["0xde709f2102306220921060314715629080e2fb77"]}`
