// Package trisa is the TRISA route (TRISA v1beta1, github.com/trisacrypto/trisa v1.7.0): the
// TRISANetwork gRPC service (Transfer, TransferStream, KeyExchange, ConfirmAddress answered
// from the wallet address book) and TRISAHealth, the client that calls peers' services, and
// the mapping between SecureEnvelopes and the neutral messages of package route.
//
// Peers are static: a counterparty's directory entry names its endpoint, optionally the common
// name of its certificate and a pinned CA pool; no directory service is needed. The sender of
// an inbound envelope is identified by its mutual TLS certificate (common name and SANs)
// against the directory of each hosted VASP. Envelopes are sealed with trisa's envelope
// package (AES-256-GCM, HMAC-SHA256, RSA-OAEP-SHA512) for keys learned in key exchanges and
// cached per peer; at rest they are kept unsealed-but-encrypted under the VASP's data key in
// the messages table, never as clear text.
//
// The flow both ways (protocols.md B.4): an inquiry or a post-transaction request is a STARTED
// envelope, answered PENDING at once; the receiver's answers travel later as envelopes of
// their own: PENDING carrying our address confirmation or a not-ready, ACCEPTED, and error
// envelopes (REJECTED, or REPAIR when the sender may retry) for refusals and cancels, with the
// table in codes.go between our reasons and TRISA's codes. The chain hash is COMPLETED.
//
// The package never changes a transfer itself: inbound messages go to the engine through a
// route.Receiver. It never panics on a peer's input: every malformed envelope, unknown state or
// refused message is answered with the error envelope TRISA prescribes, and compliance
// refusals travel inside OK responses, gRPC status codes being kept for transport and
// authentication failures.
package trisa

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/waybill/waybill/internal/keyring"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
)

// AddressKeys gives the lookup form of an address (the engine's address rules).
type AddressKeys interface {
	Key(network, addr string) string
}

// Config wires the TRISA route.
type Config struct {
	Identity *Identity
	Store    store.Store
	// Keys seals the envelopes kept at rest under each VASP's data key.
	Keys     *keyring.Keyring
	Receiver route.Receiver
	Address  AddressKeys
	Clock    func() time.Time
	Logger   *slog.Logger
	// KeyTTL is how long a peer's sealing key from a key exchange is used (default one hour).
	KeyTTL time.Duration
	// Timeout bounds one call to a peer (default 30 seconds).
	Timeout time.Duration
}

// Adapter is the TRISA route of a node: the route.Adapter that sends messages as envelopes,
// and the gRPC services that receive them.
type Adapter struct {
	id      *Identity
	store   store.Store
	keys    *keyring.Keyring
	recv    route.Receiver
	addr    AddressKeys
	now     func() time.Time
	log     *slog.Logger
	timeout time.Duration
	cache   *keyCache

	mu        sync.Mutex
	conns     map[string]*peerConn
	closed    bool
	lastStamp time.Time
}

// New returns the TRISA route.
func New(cfg Config) (*Adapter, error) {
	if cfg.Identity == nil || cfg.Store == nil || cfg.Keys == nil || cfg.Receiver == nil || cfg.Address == nil {
		return nil, errors.New("trisa: identity, store, keys, receiver and address rules are required")
	}
	a := &Adapter{id: cfg.Identity, store: cfg.Store, keys: cfg.Keys, recv: cfg.Receiver, addr: cfg.Address,
		now: cfg.Clock, log: cfg.Logger, timeout: cfg.Timeout, conns: map[string]*peerConn{}}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.timeout <= 0 {
		a.timeout = 30 * time.Second
	}
	ttl := cfg.KeyTTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	a.cache = newKeyCache(ttl, a.clock)
	return a, nil
}

func (a *Adapter) clock() time.Time { return a.now().UTC() }

// Close closes the connections to peers; sends after it fail and are retried by their jobs.
func (a *Adapter) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	var errs []error
	for k, c := range a.conns {
		errs = append(errs, c.conn.Close())
		delete(a.conns, k)
	}
	return errors.Join(errs...)
}

// ctxTimeout bounds a call to a peer.
func (a *Adapter) ctxTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, a.timeout)
}
