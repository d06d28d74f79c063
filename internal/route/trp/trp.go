// Package trp is the OpenVASP Travel Rule Protocol route (TRP core specification 3.x; we send
// api-version 3.1.0 and accept 2.1.0 up to any 3.x): the server peers post inquiries,
// resolutions and confirmations to, the discovery GETs (/version, /uptime, /extensions,
// /identity), the client that posts ours, and the travel addresses (ta…, legacy LNURL read) of
// every hosted VASP and wallet.
//
// It maps TRP onto the neutral message model of package route and back; reasons.go holds the
// table between our reasons and TRP's free-text refusals, and what travels (or cannot) over
// TRP. Inbound messages go to the engine through route.Receiver, deduplicated there by (route,
// message id, kind) with ids derived from the request-identifier and the message kind; the
// per-transfer callbacks TRP learns in band are kept in the store (store.TRPTransfer).
//
// Peers are identified by the mutual TLS certificate they present (its names matched against
// the hosts of the TRP routes in the receiving VASP's directory), narrowed by the inquiry's
// callback host when several entries share a host; an unknown peer is refused, and nothing is
// added to the directory from inbound traffic. Outbound requests never reach loopback, private
// or other internal addresses, checked on the resolved IP when dialing, unless the counterparty
// allows it (counterparty.TRP.AllowPrivate).
//
// The package must not change a transfer itself (only the engine does), follow redirects, or
// put personal data in errors and logs: errors name fields and statuses, never values.
package trp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
)

// Config wires a Service.
type Config struct {
	Store    store.Store
	Receiver route.Receiver
	// BaseURL is the public origin of our TRP server (https://host:port); empty until the
	// listener binds when it is derived from the bound address (see SetBaseURL).
	BaseURL string
	// TLS is the client side of mutual TLS (our certificate, the CAs we trust); nil sends
	// without a client certificate (insecure_http development mode).
	TLS *tls.Config
	// Certificate is our node certificate, published by /identity.
	Certificate *x509.Certificate
	// Timeout bounds one request to a peer (default 30 s).
	Timeout time.Duration
	// MaxBodyBytes bounds a request body we accept (default 1 MiB).
	MaxBodyBytes int64
	// Resolver looks peer names up (default net.DefaultResolver).
	Resolver Resolver
	Clock    func() time.Time
	Logger   *slog.Logger
	// Notify wakes the job runner after this package enqueued a job.
	Notify func()
	// Vendor is announced by /version.
	Vendor string
}

// Service is the TRP route of one node: route.Adapter for the engine's send jobs, the HTTP
// handlers peers call, travel addresses, and one job kind of its own (a cancel that waited for
// the beneficiary's approval to name a callback).
type Service struct {
	st       store.Store
	recv     route.Receiver
	client   *client
	cert     *x509.Certificate
	maxBody  int64
	clock    func() time.Time
	log      *slog.Logger
	notify   func()
	vendor   string
	started  time.Time
	insecure bool

	mu   sync.RWMutex
	base string

	// cat caches the asset catalogue (assetIn).
	cat struct {
		mu   sync.Mutex
		at   time.Time
		list []store.Asset
	}
}

// New returns the TRP service.
func New(c Config) (*Service, error) {
	if c.Store == nil || c.Receiver == nil {
		return nil, errors.New("trp: store and receiver are required")
	}
	s := &Service{st: c.Store, recv: c.Receiver, cert: c.Certificate, maxBody: c.MaxBodyBytes, clock: c.Clock, log: c.Logger,
		notify: c.Notify, vendor: c.Vendor, insecure: c.TLS == nil}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = 1 << 20
	}
	if s.vendor == "" {
		s.vendor = "waybill"
	}
	if s.notify == nil {
		s.notify = func() {}
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	s.client = newClient(c.TLS, timeout, c.Resolver, s.vendor)
	s.started = s.clock()
	s.SetBaseURL(c.BaseURL)
	return s, nil
}

// SetBaseURL sets the public origin our travel addresses and callbacks are built on.
func (s *Service) SetBaseURL(base string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.base = strings.TrimRight(base, "/")
}

// BaseURL returns the public origin, empty while unknown.
func (s *Service) BaseURL() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.base
}

// CloseIdleConnections drops the client's kept-alive connections to peers.
func (s *Service) CloseIdleConnections() { s.client.closeIdle() }

// InquiryURL returns our inquiry URL for a hosted VASP, or for one of its wallets.
func (s *Service) InquiryURL(vaspID, walletID string) string {
	base := s.BaseURL()
	if base == "" {
		return ""
	}
	return base + InquiryPath(vaspID, walletID) + "?t=i"
}

// TravelAddress returns the travel address of a hosted VASP, or of one of its wallets; empty
// while the base URL is unknown.
func (s *Service) TravelAddress(vaspID, walletID string) string {
	u := s.InquiryURL(vaspID, walletID)
	if u == "" {
		return ""
	}
	ta, err := TravelAddress(u)
	if err != nil {
		return ""
	}
	return ta
}

// certificatePEM returns our certificate as PEM for /identity.
func (s *Service) certificatePEM() string {
	if s.cert == nil {
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.cert.Raw}))
}

// JobCancel sends a cancel that waited for the beneficiary's approval to name a callback.
const JobCancel = "trp.cancel"

// Kinds returns the job kinds of the TRP route.
func (s *Service) Kinds() []jobs.Kind {
	return []jobs.Kind{{Name: JobCancel, Run: s.cancelJob, Backoff: jobs.Exponential(2*time.Second, 2, time.Hour), Lease: 2 * time.Minute}}
}

var _ route.Adapter = (*Service)(nil)

// logCtx returns the attributes every log line of a transfer carries (no personal data).
func logCtx(vaspID, messageID string) []any {
	return []any{"vasp_id", vaspID, "message_id", messageID, "route", "trp"}
}

func (s *Service) now() time.Time { return s.clock().UTC() }

// ctxTimeout bounds work a handler does on behalf of a peer.
func ctxTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 30*time.Second)
}
