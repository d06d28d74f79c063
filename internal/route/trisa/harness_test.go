package trisa_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/keyring"
	"github.com/waybill/waybill/internal/pki"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/route/hosted"
	"github.com/waybill/waybill/internal/route/trisa"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/postgres"
	"github.com/waybill/waybill/internal/store/sqlite"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
	"github.com/waybill/waybill/internal/webhook"
)

// This harness runs two nodes in process, each with its own database, engine, job runner and
// TRISA gRPC server on 127.0.0.1, talking mutual TLS with certificates from a throw-away CA
// (internal/pki). Node A hosts Alpha, node B hosts Beta; each has the other in its directory
// as a TRISA peer. It drives the engines directly; the end-to-end tests through the public
// API live in internal/e2e.

// clock is a settable clock shared by both nodes.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type testAddr struct{}

func (testAddr) Validate(_, a string) error {
	if a == "" || strings.ContainsAny(a, " \t") {
		return errors.New("malformed address")
	}
	return nil
}

func (testAddr) Key(_, a string) string { return strings.ToLower(a) }

// node is one waybill node of the pair.
type node struct {
	t       testing.TB
	name    string
	dbURL   string // sqlite path or postgres URL, kept across restarts
	master  []byte
	leaf    *pki.Leaf
	ca      *pki.CA
	clock   *clock
	addr    string
	store   store.Store
	engine  *engine.Engine
	route   *trisa.Adapter
	runner  *jobs.Runner
	vasp    *vasp.VASP
	peer    *counterparty.Counterparty // its directory entry of the other node's VASP
	cancel  context.CancelFunc
	done    sync.WaitGroup
	running bool
}

type pair struct {
	a, b  *node
	clock *clock
	api   audit.Actor
}

// pairOptions tune the pair.
type pairOptions struct {
	postgres bool
	settings *vasp.Settings
	// bits is the RSA key size of the certificates (and sealing keys); pki.TestBits when zero.
	bits int
}

func (o pairOptions) keyBits() int {
	if o.bits == 0 {
		return pki.TestBits
	}
	return o.bits
}

func newPair(t testing.TB, opt pairOptions) *pair {
	t.Helper()
	ca, err := pki.NewCA(pki.CAOptions{Bits: opt.keyBits()})
	require.NoError(t, err)
	c := &clock{now: time.Now().UTC().Truncate(time.Millisecond)}
	p := &pair{clock: c, api: audit.Actor{Type: audit.ActorAPIKey, ID: "k", Name: "backend"}}
	p.a = newNode(t, "node-a", ca, c, opt, engine.NewVASP{Name: "Alpha Exchange GmbH", LEI: "5493001KJTIIGC8Y1R12", Country: "DE"}, alphaETH)
	p.b = newNode(t, "node-b", ca, c, opt, engine.NewVASP{Name: "Beta Exchange SAS", Country: "FR"}, betaETH)
	p.a.peer = p.a.link(t, p.b.vasp, p.b.addr, p.b.name+".trisa.test")
	p.b.peer = p.b.link(t, p.a.vasp, p.a.addr, p.a.name+".trisa.test")
	return p
}

// newNode starts a node whose certificate names name.trisa.test and 127.0.0.1, seeds it, and
// hosts one VASP with a wallet at addr.
func newNode(t testing.TB, name string, ca *pki.CA, c *clock, opt pairOptions, v engine.NewVASP, addr string) *node {
	t.Helper()
	leaf, err := ca.Issue(pki.LeafOptions{Endpoints: []string{name + ".trisa.test", "127.0.0.1"}, Bits: opt.keyBits()})
	require.NoError(t, err)
	n := &node{t: t, name: name, leaf: leaf, ca: ca, clock: c, master: make([]byte, 32)}
	_, _ = rand.Read(n.master)
	if opt.postgres {
		n.dbURL = storetest.PostgresURL(t)
	} else {
		n.dbURL = filepath.Join(t.TempDir(), name+".db")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	n.addr = ln.Addr().String()
	n.start(ln)
	t.Cleanup(n.stop)
	ctx := context.Background()
	require.NoError(t, n.engine.Seed(ctx))
	for _, r := range []policy.FXRate{{Base: "ETH", Quote: "EUR", Rate: decimal.RequireFromString("2500")},
		{Base: "EUR", Quote: "USD", Rate: decimal.RequireFromString("1.08")}} {
		r.AsOf, r.Source = c.Now(), "test"
		_, err := n.engine.PutFXRate(ctx, r)
		require.NoError(t, err)
	}
	settings := vasp.DefaultSettings()
	settings.OutgoingAction, settings.IncomingAction = vasp.ActionApprove, vasp.ActionReview
	if opt.settings != nil {
		settings = *opt.settings
	}
	v.Settings = &settings
	n.vasp, err = n.engine.CreateVASP(ctx, audit.Actor{Type: audit.ActorSystem, ID: "test"}, v)
	require.NoError(t, err)
	_, err = n.engine.CreateWallet(ctx, testActor(), n.vasp.ID, engine.WalletInput{Network: "ethereum", Address: addr, CustomerName: "Customer of " + name})
	require.NoError(t, err)
	return n
}

// testActor is the backend calling the engine.
func testActor() audit.Actor { return audit.Actor{Type: audit.ActorAPIKey, ID: "k", Name: "backend"} }

// link adds to the node's VASP directory a TRISA peer: the VASP other at endpoint, whose
// certificate names commonName.
func (n *node) link(t testing.TB, other *vasp.VASP, endpoint, commonName string) *counterparty.Counterparty {
	t.Helper()
	cp, err := n.engine.CreateCounterparty(context.Background(), testActor(), n.vasp.ID, engine.CounterpartyInput{Name: other.Name, LEI: other.LEI,
		Country: other.Country, Standing: counterparty.StandingAllowed,
		Routes: counterparty.Routes{TRISA: &counterparty.TRISA{Endpoint: endpoint, CommonName: commonName}}})
	require.NoError(t, err)
	return cp
}

// start opens the node's database and runs its engine, job runner and TRISA server on ln.
func (n *node) start(ln net.Listener) {
	t := n.t
	ctx := context.Background()
	var err error
	if strings.HasPrefix(n.dbURL, "postgres") {
		n.store, err = postgres.Open(ctx, n.dbURL, postgres.Options{MaxConns: 8})
	} else {
		n.store, err = sqlite.Open(ctx, n.dbURL, sqlite.Options{Synchronous: "normal"})
	}
	require.NoError(t, err)
	st := n.store
	keys, err := keyring.New(n.master, rand.Reader, func(ctx context.Context, id string) ([]byte, error) { return st.Read().DataKey(ctx, id) })
	require.NoError(t, err)
	newID := func() string { return uuid.Must(uuid.NewV7()).String() }
	hooks := &webhook.Dispatcher{Store: st, Keys: keys, Client: http.DefaultClient, Clock: n.clock.Now, NewID: newID}
	var runner *jobs.Runner
	n.engine, err = engine.New(engine.Config{Store: st, Keys: keys, Webhooks: hooks, Address: testAddr{}, Clock: n.clock.Now, NewID: newID,
		Router: route.Chooser{Enabled: map[transfer.Route]bool{transfer.RouteInternal: true, transfer.RouteTRISA: true}},
		Notify: func() {
			if runner != nil {
				runner.Notify()
			}
		}})
	require.NoError(t, err)
	id, err := trisa.ParseIdentity(n.leaf.CertPEM(), n.leaf.KeyPEM(), n.ca.CertPEM(), nil)
	require.NoError(t, err)
	n.route, err = trisa.New(trisa.Config{Identity: id, Store: st, Keys: keys, Receiver: n.engine, Address: testAddr{}, Clock: n.clock.Now,
		Timeout: 10 * time.Second})
	require.NoError(t, err)
	runner = jobs.New(jobs.Config{Store: st, Clock: n.clock.Now, Poll: 20 * time.Millisecond, Workers: 8,
		Kinds: n.engine.Kinds(map[transfer.Route]engine.Sender{transfer.RouteInternal: &hosted.Adapter{Receiver: n.engine}, transfer.RouteTRISA: n.route})})
	n.runner = runner
	runCtx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	n.done.Add(2)
	go func() { defer n.done.Done(); _ = runner.Run(runCtx) }()
	go func() { defer n.done.Done(); _ = n.route.Serve(runCtx, ln) }()
	n.running = true
}

// stop shuts the node down: server, jobs, database.
func (n *node) stop() {
	if !n.running {
		return
	}
	n.cancel()
	n.done.Wait()
	_ = n.store.Close()
	n.running = false
}

// restart brings a stopped node back on the same database and address.
func (n *node) restart() {
	ln, err := net.Listen("tcp", n.addr)
	require.NoError(n.t, err)
	n.start(ln)
}

// kick makes the node's due jobs run now.
func (n *node) kick() { n.runner.Notify() }

const (
	alphaETH = "0x52908400098527886E0F7030069857D2E4169EE7"
	betaETH  = "0xde709f2102306220921060314715629080e2fb77"
	otherETH = "0x8617e340b3d01fa5f11f306f4090fd50e238070d"
)

const (
	originatorName  = "Schmidt-Krügerová"
	beneficiaryName = "Dupontel"
)

func originator(t testing.TB) *ivms.Originator {
	t.Helper()
	o, err := ivms.DecodeOriginator([]byte(`{"originatorPersons": [{"naturalPerson": {
    "name": {"nameIdentifier": [{"primaryIdentifier": "`+originatorName+`", "secondaryIdentifier": "Annelise", "nameIdentifierType": "LEGL"}]},
    "geographicAddress": [{"addressType": "HOME", "streetName": "Friedrichstraße", "buildingNumber": "12", "postCode": "10117", "townName": "Berlin", "country": "DE"}],
    "nationalIdentification": {"nationalIdentifier": "L01X00T47", "nationalIdentifierType": "CCPT", "countryOfIssue": "DE"},
    "dateAndPlaceOfBirth": {"dateOfBirth": "1985-04-12", "placeOfBirth": "Hamburg"},
    "countryOfResidence": "DE"}}],
  "accountNumber": ["`+alphaETH+`"]}`), ivms.DecodeOptions{})
	require.NoError(t, err)
	return o
}

func beneficiary(t testing.TB) *ivms.Beneficiary {
	t.Helper()
	b, err := ivms.DecodeBeneficiary([]byte(`{"beneficiaryPersons": [{"naturalPerson": {
    "name": {"nameIdentifier": [{"primaryIdentifier": "`+beneficiaryName+`", "secondaryIdentifier": "Bruno", "nameIdentifierType": "LEGL"}]}}}],
  "accountNumber": ["`+betaETH+`"]}`), ivms.DecodeOptions{})
	require.NoError(t, err)
	return b
}

// withdrawal is 1.5 ETH from Alpha's customer to dest, naming Beta as beneficiary VASP.
func (p *pair) withdrawal(t testing.TB, ref, dest string) engine.CreateInput {
	return engine.CreateInput{Ref: ref, Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"}, Amount: decimal.RequireFromString("1.5"),
		OriginAddress: alphaETH, DestinationAddress: dest, Originator: originator(t), Beneficiary: beneficiary(t),
		BeneficiaryVASP: &engine.VASPInput{CounterpartyID: p.a.peer.ID}}
}

// wait polls until the node's record of messageID reaches status, and returns it.
func (n *node) wait(messageID string, status transfer.Status) *store.Transfer {
	n.t.Helper()
	var last *store.Transfer
	poll(n.t, func() bool {
		t, err := n.store.Read().GetTransferByMessageID(context.Background(), n.vasp.ID, messageID)
		if err != nil {
			return false
		}
		last = t
		return t.Status == status
	}, func() string {
		if last == nil {
			return n.name + ": no record of " + messageID + " reaching " + string(status)
		}
		return n.name + ": " + string(last.Status) + " (" + last.StatusReason + "), want " + string(status)
	})
	return last
}

// poll calls cond until it holds or 30 seconds pass (the race detector on a busy machine is slow).
func poll(t testing.TB, cond func() bool, msg func() string) {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("timed out: %s", msg())
		case <-tick.C:
		}
	}
}

// history returns the TRISA envelopes a node keeps for a transfer.
func (n *node) history(t testing.TB, transferID string) []trisa.Envelope {
	t.Helper()
	h, err := n.route.History(context.Background(), n.vasp.ID, transferID)
	require.NoError(t, err)
	return h
}

// drivers runs fn on SQLite, and on PostgreSQL when WAYBILL_TEST_POSTGRES_URL is set.
func drivers(t *testing.T, fn func(t *testing.T, pg bool)) {
	for name, pg := range map[string]bool{"sqlite": false, "postgres": true} {
		if pg && !hasPostgres() {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, pg)
		})
	}
}

func hasPostgres() bool { _, ok := storetest.Drivers()["postgres"]; return ok }

func jsonOf(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
