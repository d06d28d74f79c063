// Package cli is the waybill command line and the one place where the parts are wired
// together: it picks the store driver, builds the keyring, engine, job runner, route adapters
// and HTTP surfaces, and runs them with an orderly shutdown (HTTP, then jobs, then the
// database).
package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/waybill/waybill/internal/api"
	"github.com/waybill/waybill/internal/config"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/keyring"
	"github.com/waybill/waybill/internal/metrics"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/route/hosted"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/postgres"
	"github.com/waybill/waybill/internal/store/sqlite"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/webhook"
)

// Version is set at build time with -ldflags "-X github.com/waybill/waybill/internal/cli.Version=...".
var Version = "dev"

// Options are the parts of a node that tests replace.
type Options struct {
	Clock  func() time.Time
	Rand   io.Reader
	Logger *slog.Logger
}

// Node is a running waybill: store, engine, jobs and HTTP handler.
type Node struct {
	Config  config.Config
	Store   store.Store
	Keys    *keyring.Keyring
	Engine  *engine.Engine
	Runner  *jobs.Runner
	Metrics *metrics.Metrics
	// Mux holds every route; Handler is Mux behind the common middleware.
	Mux     *http.ServeMux
	Handler http.Handler
	Log     *slog.Logger
	Rand    io.Reader
	// MasterKeyCreated reports that this start generated the master key file.
	MasterKeyCreated bool
	Clock            func() time.Time
	NewID            func() string
	servers          []func(ctx context.Context) error
}

// OpenStore opens the database the configuration names, migrating it.
func OpenStore(ctx context.Context, c config.Config) (store.Store, error) {
	kind, loc := c.Database.Kind()
	switch kind {
	case "sqlite":
		return sqlite.Open(ctx, loc, sqlite.Options{Synchronous: c.Database.SQLiteSynchronous})
	case "postgres":
		return postgres.Open(ctx, loc, postgres.Options{MaxConns: int32(c.Database.MaxConns)})
	}
	return nil, fmt.Errorf("database url %q: unsupported", c.Database.URL)
}

// NewLogger returns the slog logger the configuration asks for.
func NewLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(c.Level)))
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(c.Format, "text") {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// OpenNode builds a node from its configuration.
func OpenNode(ctx context.Context, c config.Config, opt Options) (*Node, error) {
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Rand == nil {
		opt.Rand = rand.Reader
	}
	if opt.Logger == nil {
		opt.Logger = NewLogger(c.Log, os.Stderr)
	}
	n := &Node{Config: c, Log: opt.Logger, Rand: opt.Rand, Metrics: metrics.New()}
	master, created, err := masterKey(c.Keys, opt.Rand)
	if err != nil {
		return nil, err
	}
	n.MasterKeyCreated = created
	if n.Store, err = OpenStore(ctx, c); err != nil {
		return nil, err
	}
	if n.Keys, err = keyring.New(master, opt.Rand, func(ctx context.Context, id string) ([]byte, error) {
		return n.Store.Read().DataKey(ctx, id)
	}); err != nil {
		n.Store.Close()
		return nil, err
	}
	newID := func() string { return uuid.Must(uuid.NewV7FromReader(opt.Rand)).String() }
	client := &http.Client{Timeout: c.Webhook.Timeout, Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment, MaxIdleConns: 256, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second,
		ForceAttemptHTTP2: true, TLSHandshakeTimeout: 10 * time.Second}}
	n.Clock, n.NewID = opt.Clock, newID
	hooks := &webhook.Dispatcher{Store: n.Store, Keys: n.Keys, Client: client, Clock: opt.Clock, NewID: newID, UserAgent: "waybill/" + Version}
	w := &wiring{adapters: map[transfer.Route]engine.Sender{}, enabled: map[transfer.Route]bool{transfer.RouteInternal: true}}
	fail := func(err error) (*Node, error) {
		n.Store.Close()
		return nil, err
	}
	// Capabilities contribute before the engine exists (deciders, assessors, routes enabled)...
	for _, before := range []func(context.Context, *wiring) error{n.decisionsBefore, n.trpBefore, n.trisaBefore, n.emailBefore} {
		if err := before(ctx, w); err != nil {
			return fail(err)
		}
	}
	n.Engine, err = engine.New(engine.Config{Store: n.Store, Keys: n.Keys, Webhooks: hooks, Address: addressRules{}, Clock: opt.Clock,
		NewID: newID, Logger: opt.Logger, Notify: func() { n.Runner.Notify() }, Observe: n.Metrics.Transition,
		Decider: w.decider, Assessor: w.assessor, Router: route.Chooser{Enabled: w.enabled}})
	if err != nil {
		return fail(err)
	}
	if err := n.Engine.Seed(ctx); err != nil {
		return fail(err)
	}
	w.adapters[transfer.RouteInternal] = &hosted.Adapter{Receiver: n.Engine}
	n.Mux = http.NewServeMux()
	// ...and after it (route adapters, HTTP surfaces, servers, job kinds).
	for _, after := range []func(context.Context, *wiring) error{n.decisionsAfter, n.trpAfter, n.trisaAfter, n.emailAfter, n.webAfter} {
		if err := after(ctx, w); err != nil {
			return fail(err)
		}
	}
	n.servers = w.servers
	n.Runner = jobs.New(jobs.Config{Store: n.Store, Kinds: append(n.Engine.Kinds(w.adapters), w.kinds...), Workers: c.Jobs.Workers,
		Poll: c.Jobs.Poll, Clock: opt.Clock, Logger: opt.Logger, Observe: n.Metrics.Job})
	api.Register(n.Mux, api.Config{Engine: n.Engine, Store: n.Store, Metrics: n.Metrics, Logger: opt.Logger,
		MaxBodyBytes: c.HTTP.MaxBodyBytes, Version: Version, Rand: opt.Rand, TravelAddress: travelAddresses(w), Decisions: decisionService(w),
		EmailLinks: emailLinks(w)})
	n.Handler = api.Middleware(n.Mux, opt.Logger, n.Metrics)
	return n, nil
}

// wiring collects what the optional capabilities contribute to a node.
type wiring struct {
	decider  engine.Decider
	assessor engine.Assessor
	// enabled lists the routes this node runs; adapters sends over them.
	enabled  map[transfer.Route]bool
	adapters map[transfer.Route]engine.Sender
	// kinds are extra job kinds; servers run beside the HTTP server until the node stops
	// (each returns when its context ends).
	kinds   []jobs.Kind
	servers []func(ctx context.Context) error
}

func masterKey(k config.Keys, rand io.Reader) ([]byte, bool, error) {
	if k.MasterKey != "" {
		key, err := keyring.ParseMasterKey(k.MasterKey)
		return key, false, err
	}
	return keyring.LoadOrCreateMasterKeyFile(k.MasterKeyFile, rand)
}

// Serve runs the HTTP server on ln and the job runner until ctx ends, then stops them in order:
// HTTP first (no new requests, in-flight ones finish), then jobs (running ones finish and are
// recorded), then the database.
func (n *Node) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: n.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(n.Log.Handler(), slog.LevelWarn)}
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = n.Runner.Run(jobsCtx) }()
	// Servers of the capabilities (the TRISA gRPC listener, say) stop with the HTTP server.
	srvCtx, stopServers := context.WithCancel(context.WithoutCancel(ctx))
	var swg sync.WaitGroup
	for _, run := range n.servers {
		swg.Add(1)
		go func() {
			defer swg.Done()
			if err := run(srvCtx); err != nil {
				n.Log.Error("server stopped", "err", err)
			}
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	n.Log.Info("shutting down: http")
	sctx, cancel := context.WithTimeout(context.Background(), n.Config.HTTP.ShutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		n.Log.Warn("http shutdown", "err", serr)
	}
	stopServers()
	swg.Wait()
	n.Log.Info("shutting down: jobs")
	stopJobs()
	wg.Wait()
	n.Log.Info("shutting down: database")
	if cerr := n.Store.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close releases a node that was opened but not served.
func (n *Node) Close() error { return n.Store.Close() }
