package nodetest

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/cli"
	"github.com/waybill/waybill/internal/config"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/pki"
	"github.com/waybill/waybill/internal/route/trp"
	"github.com/waybill/waybill/internal/vasp"
)

// PairOptions choose a pair of nodes. The zero value gives two nodes talking TRP over mutual
// TLS; other routes plug in through Configure and Entry.
type PairOptions struct {
	// Settings apply to the demo VASPs of both nodes (see Options.Settings).
	Settings *vasp.Settings
	// NoTRP leaves the TRP route off (for pairs that talk another protocol only).
	NoTRP bool
	// Configure changes a node's configuration before it opens ("a" or "b"); the certificate
	// files are in certs (PairCerts) for routes that need them.
	Configure func(peer string, c *config.Config, certs PairCerts)
	// Entry changes the directory entry a node's demo VASP gets for the other node's (peer
	// names the node whose directory it is); add routes here.
	Entry func(peer string, other *Peer, in *engine.CounterpartyInput)
}

// PairCerts are the mutual TLS files of one node of a pair, from the pair's throw-away CA.
type PairCerts struct {
	// Identity holds the node certificate, its chain and its key (the trust.Provider layout).
	Identity string
	Cert     string
	Key      string
	// CA is the pool both nodes trust.
	CA string
	// Leaf is the node certificate itself.
	Leaf *pki.Leaf
}

// Peer is one node of a pair: a Node (with its demo VASPs Alpha and Beta) that can be stopped
// and started again on the same database, ports and keys.
type Peer struct {
	*Node
	Name  string
	Certs PairCerts
	cfg   config.Config
	opt   Options
}

// Pair is two nodes on 127.0.0.1, each with its own database, listeners and certificate from
// one throw-away CA. Node A's Alpha and node B's Beta know each other: AlphaEntry is Beta's
// (on B) directory entry for Alpha (on A), BetaEntry Alpha's (on A) for Beta (on B).
type Pair struct {
	A, B       *Peer
	CA         *pki.CA
	AlphaEntry *counterparty.Counterparty
	BetaEntry  *counterparty.Counterparty
}

// StartPair boots two nodes on driver d and links their demo VASPs. Both stop when the test
// ends.
func StartPair(t testing.TB, d Driver, opt PairOptions) *Pair {
	t.Helper()
	dir := t.TempDir()
	ca, err := pki.NewCA(pki.CAOptions{Bits: pki.TestBits, CommonName: "waybill test CA"})
	require.NoError(t, err)
	caFile, _, err := pki.WriteCA(dir, "ca", ca, false)
	require.NoError(t, err)
	p := &Pair{CA: ca}
	for _, name := range []string{"a", "b"} {
		leaf, err := ca.Issue(pki.LeafOptions{Endpoints: []string{"127.0.0.1", "localhost", "node-" + name + ".waybill.test"}, Bits: pki.TestBits})
		require.NoError(t, err)
		files, err := pki.WriteLeaf(dir, "node-"+name, leaf, false)
		require.NoError(t, err)
		certs := PairCerts{Identity: files.Identity, Cert: files.Cert, Key: files.Key, CA: caFile, Leaf: leaf}
		nodeOpt := Options{Settings: opt.Settings, Configure: func(c *config.Config) {
			if !opt.NoTRP {
				c.TRP.Enabled, c.TRP.Timeout = true, 5*time.Second
				c.TRP.Addr = "127.0.0.1:0"
				c.TRP.TLS = config.TLS{CertFile: certs.Identity, CAFile: certs.CA}
			}
			if opt.Configure != nil {
				opt.Configure(name, c, certs)
			}
		}}
		if d == Postgres {
			nodeOpt.Postgres = true
		}
		n := Start(t, nodeOpt)
		peer := &Peer{Node: n, Name: name, Certs: certs, cfg: n.Node.Config, opt: nodeOpt}
		if name == "a" {
			p.A = peer
		} else {
			p.B = peer
		}
	}
	if !opt.NoTRP {
		for _, peer := range []*Peer{p.A, p.B} {
			peer.pinTRP(t)
		}
	}
	p.BetaEntry = link(t, p.A, p.B, p.A.Alpha, p.B.Beta, opt)
	p.AlphaEntry = link(t, p.B, p.A, p.B.Beta, p.A.Alpha, opt)
	return p
}

// link adds to owner's directory (on node at) an entry for target (on node other).
func link(t testing.TB, at, other *Peer, owner, target *Party, opt PairOptions) *counterparty.Counterparty {
	t.Helper()
	in := engine.CounterpartyInput{Name: target.VASP.Name + " (node " + other.Name + ")", Country: target.VASP.Country,
		LEI: target.VASP.LEI, Standing: counterparty.StandingAllowed}
	if !opt.NoTRP {
		v, err := target.Client.GetVASPWithAddress(context.Background())
		require.NoError(t, err)
		require.NotEmpty(t, v.TravelAddress, "the TRP listener of node %s has an address", other.Name)
		in.Routes.TRP = &counterparty.TRP{TravelAddress: v.TravelAddress, AllowPrivate: true}
	}
	if opt.Entry != nil {
		opt.Entry(at.Name, other, &in)
	}
	cp, err := owner.Client.CreateCounterparty(context.Background(), in)
	require.NoError(t, err)
	return cp
}

// pinTRP waits for the node's TRP listener and records its address, so a restart binds the
// same port (the other node's directory names it).
func (p *Peer) pinTRP(t testing.TB) {
	t.Helper()
	var ta string
	Poll(t, "the TRP listener of node "+p.Name, func() bool {
		v, err := p.Alpha.Client.GetVASPWithAddress(context.Background())
		if err != nil {
			return false
		}
		ta = v.TravelAddress
		return ta != ""
	})
	u, _, err := trp.ParseAddress(ta)
	require.NoError(t, err)
	p.cfg.TRP.Addr, p.cfg.TRP.BaseURL = u.Host, "https://"+u.Host
}

// Stop takes the node down: its HTTP and TRP listeners close and its jobs stop. Its database
// stays for Restart.
func (p *Peer) Stop(t testing.TB) {
	t.Helper()
	p.Node.stop()
}

// Restart brings a stopped node up again on the same database, keys, clock and ports.
func (p *Peer) Restart(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	n, err := cli.OpenNode(ctx, p.cfg, cli.Options{Clock: p.Clock.Now, Logger: testLogger()})
	require.NoError(t, err)
	u, err := url.Parse(p.URL)
	require.NoError(t, err)
	var ln net.Listener
	Poll(t, "the port of node "+p.Name+" to be free", func() bool {
		ln, err = net.Listen("tcp", u.Host)
		return err == nil
	})
	runCtx, cancel := context.WithCancel(context.Background())
	p.Node.Node, p.Node.cancel, p.Node.done = n, cancel, make(chan error, 1)
	done := p.Node.done
	go func() { done <- n.Serve(runCtx, ln) }()
	Poll(t, "node "+p.Name+" to answer", func() bool {
		_, err := p.Alpha.Client.GetVASP(ctx)
		return err == nil
	})
}

// Config returns the configuration the node runs with (TRP address and base URL pinned).
func (p *Peer) Config() config.Config { return p.cfg }

func testLogger() *slog.Logger {
	if os.Getenv("WAYBILL_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// EachPair runs fn as a subtest per available driver with a fresh pair.
func EachPair(t *testing.T, opt PairOptions, fn func(t *testing.T, p *Pair)) {
	Each(t, func(t *testing.T, d Driver) { fn(t, StartPair(t, d, opt)) })
}
