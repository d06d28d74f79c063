package trisa

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/trisacrypto/trisa/pkg/ivms101"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	generic "github.com/trisacrypto/trisa/pkg/trisa/data/generic/v1beta1"
	"github.com/trisacrypto/trisa/pkg/trisa/keys"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/transfer"
)

// peerConn is a gRPC connection to one peer's TRISA services.
type peerConn struct {
	conn   *grpc.ClientConn
	net    api.TRISANetworkClient
	health api.TRISAHealthClient
	// name keys the peer's sealing key in the cache: the common name its entry names, else the
	// endpoint's host.
	name string
}

// configError is a problem with a directory entry: retrying cannot fix it.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// dial returns the connection to the peer a TRISA route names (one per endpoint, name and
// pinned pool, reused).
func (a *Adapter) dial(t *counterparty.TRISA) (*peerConn, error) {
	host, hostport, err := splitEndpoint(t.Endpoint)
	if err != nil {
		return nil, &configError{err}
	}
	pin := sha256.Sum256([]byte(t.CertPEM))
	key := hostport + "|" + strings.ToLower(t.CommonName) + "|" + hex.EncodeToString(pin[:8])
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, errors.New("trisa: the route is shutting down")
	}
	if c, ok := a.conns[key]; ok {
		return c, nil
	}
	roots := a.id.roots
	if t.CertPEM != "" {
		if roots, err = parsePool(t.CertPEM); err != nil {
			return nil, &configError{fmt.Errorf("counterparty TRISA %w", err)}
		}
	}
	conf, err := a.id.clientTLS(host, roots, t.CommonName)
	if err != nil {
		return nil, err
	}
	// Peers are servers that come back: reconnect within seconds rather than gRPC's default
	// two minutes, the job's back-off paces the retries.
	conn, err := grpc.NewClient("passthrough:///"+hostport, grpc.WithTransportCredentials(credentials.NewTLS(conf)),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.Config{BaseDelay: 200 * time.Millisecond, Multiplier: 1.6,
			Jitter: 0.2, MaxDelay: 10 * time.Second}, MinConnectTimeout: 5 * time.Second}))
	if err != nil {
		return nil, &configError{fmt.Errorf("trisa endpoint %s: %w", hostport, err)}
	}
	name := strings.ToLower(t.CommonName)
	if name == "" {
		name = strings.ToLower(host)
	}
	c := &peerConn{conn: conn, net: api.NewTRISANetworkClient(conn), health: api.NewTRISAHealthClient(conn), name: name}
	a.conns[key] = c
	return c, nil
}

// peerKey returns the peer's sealing key: cached, or from a key exchange (we send ours).
func (a *Adapter) peerKey(ctx context.Context, pc *peerConn) (*rsa.PublicKey, error) {
	if k, ok := a.cache.get(pc.name); ok {
		return k, nil
	}
	cctx, cancel := a.ctxTimeout(ctx)
	defer cancel()
	theirs, err := pc.net.KeyExchange(cctx, a.id.exchange)
	if err != nil {
		return nil, fmt.Errorf("trisa key exchange with %s: %w", pc.name, err)
	}
	k, err := exchangeKey(theirs, a.clock())
	if err != nil {
		return nil, fmt.Errorf("trisa key exchange with %s: %w", pc.name, err)
	}
	a.cache.put(pc.name, k)
	return k, nil
}

// exchangeKey reads the sealing key of a key exchange: RSA of at least 2048 bits, not revoked
// or expired.
func exchangeKey(sk *api.SigningKey, now time.Time) (*rsa.PublicKey, error) {
	if sk == nil || len(sk.Data) == 0 {
		return nil, errors.New("no signing key")
	}
	if sk.Revoked {
		return nil, errors.New("the signing key is revoked")
	}
	if sk.NotAfter != "" {
		if t, err := time.Parse(time.RFC3339, sk.NotAfter); err == nil && now.After(t) {
			return nil, errors.New("the signing key has expired")
		}
	}
	k, err := keys.FromSigningKey(sk)
	if err != nil {
		return nil, fmt.Errorf("unreadable signing key: %w", err)
	}
	pub, err := k.SealingKey()
	if err != nil {
		return nil, fmt.Errorf("unreadable signing key: %w", err)
	}
	rk, ok := pub.(*rsa.PublicKey)
	if !ok || rk.N.BitLen() < minSealingBits {
		return nil, fmt.Errorf("the sealing key must be RSA of at least %d bits", minSealingBits)
	}
	return rk, nil
}

// Send implements route.Adapter: it delivers one message as a TRISA envelope with the
// Transfer RPC and applies what the synchronous reply says (an acceptance or refusal of our
// inquiry or request). A refusal of the message itself is a *route.Permanent error; transport
// failures, an unavailable peer and stale keys are retried by the job.
func (a *Adapter) Send(ctx context.Context, out *route.Outbound) error {
	cp := out.Counterparty
	if cp == nil || cp.Routes.TRISA == nil || cp.Routes.TRISA.Endpoint == "" {
		return &route.Permanent{Err: errors.New("the counterparty has no TRISA endpoint")}
	}
	m := &out.Message
	if _, err := uuid.Parse(m.TransferMessageID); err != nil {
		return &route.Permanent{Err: errors.New("trisa: the transfer's message id is not a UUID, as envelope ids must be")}
	}
	pc, err := a.dial(cp.Routes.TRISA)
	if err != nil {
		var ce *configError
		if errors.As(err, &ce) {
			return &route.Permanent{Err: err}
		}
		return err
	}
	now := a.clock()
	state, payload, refuse, err := a.outgoing(ctx, out, now)
	if err != nil {
		return err
	}
	var env, kept *api.SecureEnvelope
	if refuse != nil {
		env = rejection(m.TransferMessageID, refuse, now)
		kept = env
	} else {
		key, err := a.peerKey(ctx, pc)
		if err != nil {
			return err
		}
		if env, kept, err = Seal(m.TransferMessageID, state, payload, key, now); err != nil {
			a.cache.forget(pc.name)
			return err
		}
	}
	cctx, cancel := a.ctxTimeout(ctx)
	reply, err := pc.net.Transfer(cctx, env)
	cancel()
	if err != nil {
		return rpcError(err)
	}
	a.record(ctx, histRow{vaspID: out.VASPID, transferID: out.TransferID, key: "out/" + m.ID, dir: "out",
		kind: string(m.Kind), detail: describe(env), env: kept})
	return a.reply(ctx, out, pc, env, reply)
}

// rpcError classifies a failed call: a peer that does not implement the service or refuses
// the request as malformed will not change its mind; anything else may pass later.
func rpcError(err error) error {
	switch status.Code(err) {
	case codes.Unimplemented, codes.InvalidArgument:
		return &route.Permanent{Err: fmt.Errorf("trisa transfer: %w", err)}
	}
	return fmt.Errorf("trisa transfer: %w", err)
}

// describe is the history's detail of an envelope: its state, and its error code.
func describe(env *api.SecureEnvelope) string {
	d := env.TransferState.String()
	if hasError(env) {
		d += " " + env.Error.Code.String()
	}
	return d
}

// reply applies the peer's synchronous answer to what we sent.
func (a *Adapter) reply(ctx context.Context, out *route.Outbound, pc *peerConn, sent, reply *api.SecureEnvelope) error {
	m := &out.Message
	started := m.Kind == route.KindInquiry || m.Kind == route.KindRequest
	if rej := checkEnvelope(reply); rej != nil {
		return fmt.Errorf("trisa: the peer's reply is malformed: %s", rej.Message)
	}
	if reply.Id != sent.Id {
		return errors.New("trisa: the peer's reply is about another envelope")
	}
	replyKey := "in/" + m.ID + "/reply"
	if hasError(reply) {
		e := reply.Error
		if hasError(sent) && e.Code == sent.Error.Code {
			a.record(ctx, histRow{vaspID: out.VASPID, transferID: out.TransferID, key: replyKey, dir: "in", kind: "reply", detail: describe(reply), env: reply})
			return nil // the echo of our refusal or cancel
		}
		switch band(e.Code) {
		case bandService:
			return fmt.Errorf("trisa: the peer cannot answer now: %s: %s", e.Code, cleanText(e.Message))
		case bandAuth:
			a.cache.forget(pc.name)
			if e.Retry || e.Code == api.InvalidKey || e.Code == api.NoSigningKey {
				return fmt.Errorf("trisa: the peer could not open the envelope: %s: %s", e.Code, cleanText(e.Message))
			}
			return &route.Permanent{Err: fmt.Errorf("trisa: the peer refused us: %s: %s", e.Code, cleanText(e.Message))}
		}
		a.record(ctx, histRow{vaspID: out.VASPID, transferID: out.TransferID, key: replyKey, dir: "in", kind: "reply", detail: describe(reply), env: reply})
		if !started {
			return &route.Permanent{Err: fmt.Errorf("trisa: the peer refused the %s: %s: %s", m.Kind, e.Code, cleanText(e.Message))}
		}
		in := fromError(e, true)
		if in == nil {
			return &route.Permanent{Err: fmt.Errorf("trisa: the peer refused the %s: %s", m.Kind, e.Code)}
		}
		return a.deliver(ctx, out, in, inboundID(reply, ""))
	}
	decides := started && (reply.TransferState == api.TransferAccepted || reply.TransferState == api.TransferCompleted)
	if !decides {
		// An acknowledgement (PENDING, or the echo of our envelope): nothing in it changes the
		// transfer, so it is kept as it came, sealed for our key, and opened only if someone
		// reads the history. That halves the RSA work of an exchange.
		if rej := checkSealedForUs(reply, a.id.PublicKeySignature()); rej != nil {
			return fmt.Errorf("trisa: the peer's reply: %s: %s", rej.Code, rej.Message)
		}
		a.record(ctx, histRow{vaspID: out.VASPID, transferID: out.TransferID, key: replyKey, dir: "in", kind: "reply", detail: describe(reply), env: reply})
		return nil
	}
	// The peer accepted at once (auto-approval), echoing the payload.
	payload, kept, rej := Open(reply, a.id.sealing)
	if rej != nil {
		if rej.Code == api.InvalidKey {
			a.cache.forget(pc.name)
		}
		return fmt.Errorf("trisa: could not open the peer's reply: %s: %s", rej.Code, rej.Message)
	}
	a.record(ctx, histRow{vaspID: out.VASPID, transferID: out.TransferID, key: replyKey, dir: "in", kind: "reply", detail: describe(reply), env: kept})
	c, rej := readPayload(payload)
	if rej != nil {
		return &route.Permanent{Err: fmt.Errorf("trisa: the peer's acceptance is unreadable: %s", rej.Message)}
	}
	return a.deliver(ctx, out, acceptance(c, m.Transaction), inboundID(reply, ""))
}

// acceptance is the neutral message of an ACCEPTED envelope: the originator's identity when
// it answers a request, and the deposit address when it is not the one we sent.
func acceptance(c *content, ours *route.Transaction) *route.Message {
	in := &route.Message{Kind: route.KindDecision, Decision: route.DecisionAccept}
	in.Originator, _ = parties(c.identity)
	if c.transaction != nil && ours != nil {
		if b := c.transaction.GetBeneficiary(); b != "" && b != ours.DestinationAddress {
			in.DepositAddress = b
		}
	}
	return in
}

// deliver hands a message from the reply to the engine, as received from the counterparty.
func (a *Adapter) deliver(ctx context.Context, out *route.Outbound, in *route.Message, id string) error {
	in.ID, in.TransferMessageID, in.SentAt = id, out.Message.TransferMessageID, a.clock()
	err := a.recv.Receive(ctx, &route.Inbound{VASPID: out.VASPID, Route: transfer.RouteTRISA, CounterpartyID: out.Counterparty.ID, Message: *in})
	if err != nil && engine.Refused(err) {
		// The message itself was delivered; what the reply said no longer applies.
		a.log.Warn("trisa: the peer's reply was not applied", "vasp_id", out.VASPID, "transfer_id", out.TransferID, "err", err)
		return nil
	}
	return err
}

// inboundID is the id under which a received envelope is deduplicated: TRISA has no message
// ids, so the envelope id, the state, the error code and what a Pending says stand for one.
func inboundID(env *api.SecureEnvelope, sub string) string {
	id := env.Id + ":" + env.TransferState.String()
	if hasError(env) {
		id += ":" + env.Error.Code.String()
	}
	if sub != "" {
		id += ":" + sub
	}
	return id
}

// outgoing builds what a message becomes: a transfer state and a payload, or a refusal.
func (a *Adapter) outgoing(ctx context.Context, out *route.Outbound, now time.Time) (api.TransferState, *api.Payload, *api.Error, error) {
	m := &out.Message
	switch m.Kind {
	case route.KindInquiry, route.KindRequest:
		if m.Transaction == nil {
			return 0, nil, nil, &route.Permanent{Err: fmt.Errorf("trisa: the %s carries no transaction", m.Kind)}
		}
		p, err := newPayload(identityPayload(m), transaction(m.Transaction, m.Kind), now, time.Time{})
		return api.TransferStarted, p, nil, err
	case route.KindAddressConfirmation:
		if !m.Confirmed {
			return 0, nil, refusal(m), nil
		}
		p, err := a.pending(ctx, out, pendingAddressConfirmed, "the beneficiary VASP controls the destination address", now)
		return api.TransferPending, p, nil, err
	case route.KindDecision:
		switch m.Decision {
		case route.DecisionDecline:
			return 0, nil, refusal(m), nil
		case route.DecisionNotReady:
			p, err := a.pending(ctx, out, pendingNotReady, cleanText(m.Reason), now)
			return api.TransferPending, p, nil, err
		}
		identity, tx := a.echo(ctx, out)
		if m.Originator != nil {
			identity.Originator = &ivms101.Originator{OriginatorPersons: m.Originator.Persons, AccountNumbers: m.Originator.AccountNumbers}
		}
		if m.DepositAddress != "" {
			tx.Beneficiary = m.DepositAddress
		}
		p, err := newPayload(identity, tx, now, now)
		return api.TransferAccepted, p, nil, err
	case route.KindTxHash:
		identity, tx := a.echo(ctx, out)
		tx.Txid = m.TxHash
		p, err := newPayload(identity, tx, now, now)
		return api.TransferCompleted, p, nil, err
	case route.KindCancel:
		return 0, nil, refusal(m), nil
	}
	return 0, nil, nil, &route.Permanent{Err: fmt.Errorf("trisa: cannot send a %q message", m.Kind)}
}

// echo returns copies of the identity and transaction of the exchange so far (TRISA's later
// envelopes repeat them), or empty ones when none was kept.
func (a *Adapter) echo(ctx context.Context, out *route.Outbound) (*ivms101.IdentityPayload, *generic.Transaction) {
	identity, tx := a.lastTransaction(ctx, out.VASPID, out.TransferID)
	if identity == nil || tx == nil {
		identity, tx = identityPayload(&out.Message), &generic.Transaction{}
		return identity, tx
	}
	return proto.Clone(identity).(*ivms101.IdentityPayload), proto.Clone(tx).(*generic.Transaction)
}

// pending is a Pending payload: our address confirmation or a not-ready, with the exchange's
// identity and transaction echoed.
func (a *Adapter) pending(ctx context.Context, out *route.Outbound, kind, msg string, now time.Time) (*api.Payload, error) {
	identity, tx := a.echo(ctx, out)
	name := ""
	if v, err := a.store.Read().GetVASP(ctx, out.VASPID); err == nil {
		name = v.Name
	}
	p := &generic.Pending{EnvelopeId: out.Message.TransferMessageID, ReceivedBy: name, ReceivedAt: now.Format(time.RFC3339),
		Message: msg, ExtraJson: encodeExtra(&extra{Kind: kind}), Transaction: tx}
	return newPayload(identity, p, now, now)
}

// ConfirmAddress asks a counterparty whether it controls an address (TRISA ConfirmAddress,
// SIMPLE confirmation; network is our network name). An error envelope in the answer is
// returned as its *api.Error.
func (a *Adapter) ConfirmAddress(ctx context.Context, cp *counterparty.Counterparty, network, address, tag string) (bool, error) {
	if cp == nil || cp.Routes.TRISA == nil || cp.Routes.TRISA.Endpoint == "" {
		return false, errors.New("the counterparty has no TRISA endpoint")
	}
	pc, err := a.dial(cp.Routes.TRISA)
	if err != nil {
		return false, err
	}
	cctx, cancel := a.ctxTimeout(ctx)
	defer cancel()
	got, err := pc.net.ConfirmAddress(cctx, &api.Address{Confirmation: api.ConfirmationTypeSimple, CryptoAddress: address,
		Network: networkCode(network), Tag: tag})
	if err != nil {
		return false, fmt.Errorf("trisa confirm address: %w", err)
	}
	if e := got.GetError(); e != nil && !e.IsZero() {
		return false, e
	}
	return got.GetControlledByEntity(), nil
}

// Status asks a counterparty's TRISAHealth service how it is.
func (a *Adapter) Status(ctx context.Context, cp *counterparty.Counterparty) (*api.ServiceState, error) {
	if cp == nil || cp.Routes.TRISA == nil || cp.Routes.TRISA.Endpoint == "" {
		return nil, errors.New("the counterparty has no TRISA endpoint")
	}
	pc, err := a.dial(cp.Routes.TRISA)
	if err != nil {
		return nil, err
	}
	cctx, cancel := a.ctxTimeout(ctx)
	defer cancel()
	st, err := pc.health.Status(cctx, &api.HealthCheck{Attempts: 1, LastCheckedAt: a.clock().Format(time.RFC3339)})
	if err != nil {
		return nil, fmt.Errorf("trisa status: %w", err)
	}
	return st, nil
}
