// Package email is the e-mail route ("sunrise"): it reaches a counterparty that runs no Travel
// Rule protocol through its compliance contact's mailbox.
//
// Sending: an inquiry (or a post-transaction request) becomes an e-mail with a single-use link
// (Service.Send, the route.Adapter). Later messages (the chain hash, a cancel) are e-mailed as
// notifications. E-mails never carry identity data: only who sends, a reference and the link.
//
// Answering: the link opens server-rendered pages under /sunrise/ (Service.Handler, plain HTML,
// no JavaScript). Opening the link consumes it and binds the exchange to that browser with a
// session cookie; access ends LinkLifetime after that first opening, and at HardLimit after the
// link was sent in any case. The page then e-mails a one-time code to the same address and asks
// for it, which proves the visitor reads that mailbox; wrong codes lock the link. Only then does
// it ask the counterparty to confirm or reject the destination address (for a request: that the
// transaction is its customer's), and only after a confirmation does it show the identity data,
// laid out, with accept, decline (with a reason) and not ready. Each answer becomes an inbound
// route.Message handed to the engine (route "email"), so the transfer moves as on any other
// route.
//
// Tokens, sessions and codes are stored as hashes; forms carry a CSRF token bound to the session
// and the handler rejects cross-origin requests (http.CrossOriginProtection). Link activity
// (sent, opened, code verified or failed, locked, identity shown) is written to the VASP's audit
// trail.
//
// The package must not change a transfer except through the engine, must not put identity data
// in e-mails, logs or errors, and must not show it before the address step.
package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// Engine is what the route needs from the engine: the inbound entry point and a transfer with
// its identity data (*engine.Engine implements it).
type Engine interface {
	route.Receiver
	// Get returns a transfer with its identity data, or store.ErrNotFound.
	Get(ctx context.Context, vaspID, id string) (*transfer.Transfer, error)
}

// Config wires a Service.
type Config struct {
	Engine Engine
	Store  store.Store
	Mailer Mailer
	// BaseURL is the public URL of the node; links point to BaseURL/sunrise/open.
	BaseURL string
	// LinkLifetime is how long a link stays usable after it is first opened (72h).
	LinkLifetime time.Duration
	// HardLimit is how long a link is usable at most after it was sent.
	HardLimit time.Duration
	// CodeLifetime is how long a one-time code is valid (10m).
	CodeLifetime time.Duration
	// CodeAttempts wrong codes lock a link (5).
	CodeAttempts int
	// MaxCodes bounds the codes sent for one link (10); ResendAfter spaces them (1m).
	MaxCodes    int
	ResendAfter time.Duration
	// OpenRate and OpenBurst bound, per client IP and in real time (not Clock), how fast links
	// can be opened and codes tried or requested (one every 3s, bursts of 20).
	OpenRate  time.Duration
	OpenBurst int
	Clock     func() time.Time
	Rand      io.Reader
	NewID     func() string
	Logger    *slog.Logger
	// Notify, when set, wakes the job runner after Reissue queued a job.
	Notify func()
}

// Service is the e-mail route: its adapter (Send) and its pages (Handler).
type Service struct {
	eng     Engine
	st      store.Store
	mailer  Mailer
	base    string
	secure  bool
	cfg     Config
	log     *slog.Logger
	pages   *pageSet
	limiter *limiter
	handler http.Handler
}

// New checks cfg, fills defaults, and returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Engine == nil || cfg.Store == nil || cfg.Mailer == nil || cfg.Rand == nil || cfg.NewID == nil {
		return nil, errors.New("email: engine, store, mailer, randomness and ids are required")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("email: base url %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.LinkLifetime, 72*time.Hour)
	def(&cfg.HardLimit, 7*24*time.Hour)
	def(&cfg.CodeLifetime, 10*time.Minute)
	def(&cfg.ResendAfter, time.Minute)
	def(&cfg.OpenRate, 3*time.Second)
	if cfg.HardLimit < cfg.LinkLifetime {
		cfg.HardLimit = cfg.LinkLifetime
	}
	if cfg.CodeAttempts <= 0 {
		cfg.CodeAttempts = 5
	}
	if cfg.MaxCodes <= 0 {
		cfg.MaxCodes = 10
	}
	if cfg.OpenBurst <= 0 {
		cfg.OpenBurst = 20
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Service{eng: cfg.Engine, st: cfg.Store, mailer: cfg.Mailer, base: strings.TrimRight(cfg.BaseURL, "/"),
		secure: u.Scheme == "https", cfg: cfg, log: cfg.Logger, pages: pages,
		limiter: newLimiter(cfg.OpenRate, cfg.OpenBurst, time.Now)}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the sunrise pages, to mount at /sunrise/ on the node's public listener.
func (s *Service) Handler() http.Handler { return s.handler }

func (s *Service) now() time.Time { return s.cfg.Clock().UTC() }

// Purge deletes links whose hard limit passed more than retain ago and returns how many.
func (s *Service) Purge(ctx context.Context, retain time.Duration) (int, error) {
	var n int
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.DeleteEmailLinks(ctx, s.now().Add(-retain))
		return err
	})
	return n, err
}
