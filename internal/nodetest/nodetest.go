// Package nodetest boots a real waybill node in process for tests: the node's own wiring
// (cli.OpenNode) on 127.0.0.1:0 over SQLite in a temporary directory or a fresh PostgreSQL
// schema, the two demo VASPs (cli.SeedDemo), an injectable clock, clients for both VASPs and
// the administrator, and a webhook receiver that verifies every signature with the Standard
// Webhooks reference library. It is imported only by tests and never sleeps: helpers poll with
// a deadline.
package nodetest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/cli"
	"github.com/waybill/waybill/internal/config"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// Clock is a settable clock shared by the node and the test.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's reading.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Options choose the node a test gets.
type Options struct {
	// Postgres runs the node on a fresh schema of WAYBILL_TEST_POSTGRES_URL (the test is
	// skipped when it is unset).
	Postgres bool
	// Settings apply to both demo VASPs; nil keeps the demo's (withdrawals approved, received
	// transfers held for review).
	Settings *vasp.Settings
	// Jurisdiction, when set, is the jurisdiction table row of both demo VASPs instead of the
	// EU's (they are registered in Germany and France).
	Jurisdiction string
	// Clock, when set, drives the node; otherwise the node runs on a Clock starting now, which
	// the test may still advance.
	Clock *Clock
	// MaxBodyBytes bounds request bodies (default 1 MiB).
	MaxBodyBytes int64
	// Configure, when set, changes the node's configuration before it opens (routes to other
	// nodes, say; see StartPair).
	Configure func(c *config.Config)
}

// Party is one demo VASP as a test drives it.
type Party struct {
	VASP   *vasp.VASP
	Client *client.Client
	// Wallets are the VASP's demo address book entries.
	Wallets []*vasp.Wallet
	// WebhookID is the receiver's endpoint registered for this VASP.
	WebhookID string
	key       string
}

// Node is a running node with its demo VASPs.
type Node struct {
	Node   *cli.Node
	URL    string
	Clock  *Clock
	Admin  *client.Client
	Alpha  *Party
	Beta   *Party
	Hooks  *Receiver
	HTTP   *client.Client // a client with no valid key, for raw requests
	cancel context.CancelFunc
	done   chan error
}

// Driver names the store a node runs on.
type Driver string

// Drivers for Each.
const (
	SQLite   Driver = "sqlite"
	Postgres Driver = "postgres"
)

// Drivers returns sqlite, plus postgres when WAYBILL_TEST_POSTGRES_URL is set.
func Drivers() []Driver {
	out := []Driver{SQLite}
	if os.Getenv(storetest.PostgresEnv) != "" {
		out = append(out, Postgres)
	}
	return out
}

// Each runs fn as a subtest per available driver.
func Each(t *testing.T, fn func(t *testing.T, d Driver)) {
	for _, d := range Drivers() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

// StartOn boots a node on driver d.
func StartOn(t testing.TB, d Driver, opt Options) *Node {
	opt.Postgres = d == Postgres
	return Start(t, opt)
}

// Start boots a node, seeds the demo VASPs, registers the webhook receiver for both, and stops
// everything when the test ends.
func Start(t testing.TB, opt Options) *Node {
	t.Helper()
	ctx := context.Background()
	clock := opt.Clock
	if clock == nil {
		clock = NewClock(time.Now().UTC().Truncate(time.Millisecond))
	}
	c := config.Default()
	c.HTTP.Addr = "127.0.0.1:0"
	if opt.MaxBodyBytes > 0 {
		c.HTTP.MaxBodyBytes = opt.MaxBodyBytes
	}
	if opt.Postgres {
		c.Database.URL = storetest.PostgresURL(t)
		c.Database.MaxConns = 8
	} else {
		c.Database.URL = "sqlite:" + filepath.Join(t.TempDir(), "waybill.db")
		c.Database.SQLiteSynchronous = "normal"
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	c.Keys.MasterKey = base64.StdEncoding.EncodeToString(key)
	c.Jobs.Workers, c.Jobs.Poll = 8, 20*time.Millisecond
	c.Webhook.Timeout = 5 * time.Second
	c.HTTP.ShutdownTimeout = 5 * time.Second
	if opt.Configure != nil {
		opt.Configure(&c)
	}
	logger := slog.New(slog.DiscardHandler)
	if os.Getenv("WAYBILL_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	n, err := cli.OpenNode(ctx, c, cli.Options{Clock: clock.Now, Logger: logger})
	require.NoError(t, err)
	demo, err := cli.SeedDemo(ctx, n, cli.DemoOptions{Settings: opt.Settings, Jurisdiction: opt.Jurisdiction})
	if err != nil {
		_ = n.Close()
	}
	require.NoError(t, err)
	adminKey, err := n.Engine.CreateAPIKey(ctx, audit.Actor{Type: audit.ActorSystem, ID: "nodetest"}, "", "test admin", rand.Reader)
	if err != nil {
		_ = n.Close()
	}
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = n.Close()
	}
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(context.Background())
	node := &Node{Node: n, URL: "http://" + ln.Addr().String(), Clock: clock, cancel: cancel, done: make(chan error, 1)}
	go func() { node.done <- n.Serve(runCtx, ln) }()
	t.Cleanup(node.stop)

	hc := client.NewHTTPClient(30 * time.Second)
	node.HTTP = client.New(node.URL, "", client.WithHTTPClient(hc))
	node.Admin = client.New(node.URL, adminKey.Secret, client.WithHTTPClient(hc))
	node.Alpha = &Party{VASP: demo.Alpha.VASP, Client: client.New(node.URL, demo.Alpha.APIKey, client.WithHTTPClient(hc)), Wallets: demo.Alpha.Wallets, key: demo.Alpha.APIKey}
	node.Beta = &Party{VASP: demo.Beta.VASP, Client: client.New(node.URL, demo.Beta.APIKey, client.WithHTTPClient(hc)), Wallets: demo.Beta.Wallets, key: demo.Beta.APIKey}
	node.Hooks = newReceiver(t, clock)
	for _, p := range []*Party{node.Alpha, node.Beta} {
		ep, err := p.Client.CreateWebhook(ctx, engine.EndpointInput{URL: node.Hooks.URL(p.VASP.ID), Description: "nodetest receiver"})
		require.NoError(t, err)
		node.Hooks.setSecret(p.VASP.ID, ep.Secret)
		p.WebhookID = ep.ID
	}
	return node
}

func (n *Node) stop() {
	n.cancel()
	select {
	case <-n.done:
	case <-time.After(30 * time.Second):
	}
}

// Wake tells the job runner to look for due jobs now (after advancing the clock).
func (n *Node) Wake() { n.Node.Runner.Notify() }

// Deadline is how long the helpers wait for something to happen.
const Deadline = 15 * time.Second

// Poll calls cond until it returns true or the deadline passes (then the test fails with msg).
func Poll(t testing.TB, msg string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(Deadline)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return
		}
		select {
		case <-deadline.C:
			t.Fatalf("timed out waiting: %s", msg)
		case <-tick.C:
		}
	}
}

// WaitStatus polls a transfer until it reaches status and returns it.
func WaitStatus(t testing.TB, c *client.Client, id string, status transfer.Status) *client.Transfer {
	t.Helper()
	var last *client.Transfer
	Poll(t, "transfer "+id+" to reach "+string(status), func() bool {
		tr, err := c.GetTransfer(context.Background(), id, false)
		if err != nil {
			return false
		}
		last = tr
		return tr.Status == status
	})
	return last
}

// WaitCounterpart polls until the VASP behind c holds a record with messageID (the other side
// of a transfer) and returns it.
func WaitCounterpart(t testing.TB, c *client.Client, messageID string) *client.Transfer {
	t.Helper()
	var found *client.Transfer
	Poll(t, "the counterparty's record of message "+messageID, func() bool {
		page, err := c.ListTransfers(context.Background(), client.TransferFilter{Q: messageID})
		if err != nil || len(page.Items) == 0 {
			return false
		}
		found = &page.Items[0]
		return true
	})
	tr, err := c.GetTransfer(context.Background(), found.ID, false)
	require.NoError(t, err)
	return tr
}

// Quiesce waits until the node has no queued job that is due, so every effect of what the test
// did has happened.
func (n *Node) Quiesce(t testing.TB) {
	t.Helper()
	Poll(t, "the job queue to drain", func() bool {
		at, err := n.Node.Store.Read().NextJobAt(context.Background(), kinds(n))
		if err != nil {
			return false
		}
		return at.IsZero() || at.After(n.Clock.Now())
	})
}

func kinds(n *Node) []string {
	var out []string
	for _, k := range n.Node.Engine.Kinds(nil) {
		out = append(out, k.Name)
	}
	return out
}

// IsStatus reports whether err is a client error with the HTTP status code.
func IsStatus(err error, code int) bool {
	var e *client.Error
	return errors.As(err, &e) && e.StatusCode == code
}

// Key returns the API key of a demo VASP's client (for requests made without the client).
func (p *Party) Key() string { return p.key }
