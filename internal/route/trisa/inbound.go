package trisa

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/trisacrypto/trisa/pkg/ivms101"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	generic "github.com/trisacrypto/trisa/pkg/trisa/data/generic/v1beta1"
	"google.golang.org/protobuf/proto"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// peerCert is the authenticated sender of an inbound call: its certificate chain (leaf first)
// and the names the leaf stands for.
type peerCert struct {
	chain []*x509.Certificate
	names []string
}

func (p *peerCert) commonName() string { return p.chain[0].Subject.CommonName }

// target is the hosted VASP an envelope is for, its directory entry of the sender, and its
// record of the transfer (nil for a new exchange).
type target struct {
	vaspID string
	cp     *counterparty.Counterparty
	t      *store.Transfer
}

// senders returns the directory entries, of every hosted VASP, that the peer's certificate
// stands for: the entry's common name (or, without one, its endpoint's host) is among the
// certificate's names, and the chain verifies against the entry's pinned pool, or the node's
// pool when none is pinned.
func (a *Adapter) senders(ctx context.Context, pc *peerCert) ([]counterparty.Counterparty, error) {
	list, err := a.store.Read().ListTRISACounterparties(ctx, pc.names)
	if err != nil {
		return nil, err
	}
	nodeOK := verifyChain(pc.chain, a.id.roots, x509.ExtKeyUsageClientAuth) == nil
	out := list[:0]
	for _, cp := range list {
		t := cp.Routes.TRISA
		if t == nil || t.Endpoint == "" {
			continue
		}
		name := t.CommonName
		if name == "" {
			host, _, err := splitEndpoint(t.Endpoint)
			if err != nil {
				continue
			}
			name = host
		}
		if !hasName(pc.names, name) {
			continue
		}
		if t.CertPEM != "" {
			pool, err := parsePool(t.CertPEM)
			if err != nil || verifyChain(pc.chain, pool, x509.ExtKeyUsageClientAuth) != nil {
				continue
			}
		} else if !nodeOK {
			continue
		}
		out = append(out, cp)
	}
	return out, nil
}

// verifyClient is the TLS check of a client certificate: the node's pool, or the pinned pool
// of a directory entry that names it.
func (a *Adapter) verifyClient(raw [][]byte) error {
	certs := make([]*x509.Certificate, 0, len(raw))
	for _, r := range raw {
		c, err := x509.ParseCertificate(r)
		if err != nil {
			return fmt.Errorf("trisa: unreadable client certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return errors.New("trisa: a client certificate is required")
	}
	if verifyChain(certs, a.id.roots, x509.ExtKeyUsageClientAuth) == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	list, err := a.store.Read().ListTRISACounterparties(ctx, certNames(certs[0]))
	if err != nil {
		return fmt.Errorf("trisa: cannot check the client certificate: %w", err)
	}
	for _, cp := range list {
		if t := cp.Routes.TRISA; t != nil && t.CertPEM != "" {
			if pool, err := parsePool(t.CertPEM); err == nil && verifyChain(certs, pool, x509.ExtKeyUsageClientAuth) == nil {
				return nil
			}
		}
	}
	return errors.New("trisa: the client certificate is not signed by a trusted authority")
}

// findTransfer returns the hosted VASP holding a transfer with this envelope id from one of
// the candidate entries.
func (a *Adapter) findTransfer(ctx context.Context, cands []counterparty.Counterparty, envelopeID string) (*target, error) {
	rd := a.store.Read()
	for i := range cands {
		cp := &cands[i]
		t, err := rd.GetTransferByMessageID(ctx, cp.VASPID, envelopeID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if t.CounterpartyID == cp.ID {
			return &target{vaspID: cp.VASPID, cp: cp, t: t}, nil
		}
	}
	return nil, nil
}

// chooseVASP picks which hosted VASP a new exchange is for, when several have the sender in
// their directory: the one whose address book holds our side's address, then the one the
// identity payload names (legal name or LEI).
func (a *Adapter) chooseVASP(ctx context.Context, cands []counterparty.Counterparty, kind route.Kind, tx *route.Transaction,
	identity *ivms101.IdentityPayload) (*target, *api.Error) {
	seen := map[string]bool{}
	var uniq []*counterparty.Counterparty
	for i := range cands {
		if !seen[cands[i].VASPID] {
			seen[cands[i].VASPID] = true
			uniq = append(uniq, &cands[i])
		}
	}
	if len(uniq) == 1 {
		return &target{vaspID: uniq[0].VASPID, cp: uniq[0]}, nil
	}
	ours, person := tx.DestinationAddress, identity.GetBeneficiaryVasp().GetBeneficiaryVasp()
	if kind == route.KindRequest {
		ours, person = tx.OriginAddress, identity.GetOriginatingVasp().GetOriginatingVasp()
	}
	name, lei := vaspIDs(person)
	rd := a.store.Read()
	best, bestScore, tie := (*counterparty.Counterparty)(nil), 0, false
	for _, cp := range uniq {
		score := 0
		if ours != "" {
			if _, _, err := rd.FindWallet(ctx, cp.VASPID, tx.Asset.Network, a.addr.Key(tx.Asset.Network, ours)); err == nil {
				score += 2
			}
		}
		if v, err := rd.GetVASP(ctx, cp.VASPID); err == nil && ((lei != "" && strings.EqualFold(v.LEI, lei)) ||
			(name != "" && strings.EqualFold(strings.TrimSpace(v.Name), strings.TrimSpace(name)))) {
			score++
		}
		switch {
		case score > bestScore:
			best, bestScore, tie = cp, score, false
		case score == bestScore:
			tie = true
		}
	}
	if best == nil || tie {
		return nil, &api.Error{Code: api.UnkownWalletAddress,
			Message: "several VASPs on this node know your certificate and the envelope does not say which one it is for"}
	}
	return &target{vaspID: best.VASPID, cp: best}, nil
}

// handle answers one inbound envelope; it never fails: every problem is an error envelope.
func (a *Adapter) handle(ctx context.Context, pc *peerCert, in *api.SecureEnvelope) *api.SecureEnvelope {
	now := a.clock()
	if in == nil {
		return rejection(uuid.NewString(), badRequest("no envelope"), now)
	}
	if _, err := uuid.Parse(in.Id); err != nil {
		return rejection(uuid.NewString(), badRequest("the envelope id must be a UUID"), now)
	}
	if rej := checkEnvelope(in); rej != nil {
		return rejection(in.Id, rej, now)
	}
	cands, err := a.senders(ctx, pc)
	if err != nil {
		a.log.Error("trisa: directory lookup failed", "err", err)
		return rejection(in.Id, internalError(), now)
	}
	if len(cands) == 0 {
		return rejection(in.Id, &api.Error{Code: api.Forbidden,
			Message: fmt.Sprintf("no VASP on this node has a directory entry for the certificate %q", cleanText(pc.commonName()))}, now)
	}
	if hasError(in) {
		return a.handleError(ctx, cands, in, now)
	}
	switch in.TransferState {
	case api.TransferRejected, api.TransferRepair:
		return rejection(in.Id, badRequest(in.TransferState.String()+" envelopes carry an error"), now)
	}
	payload, kept, rej := Open(in, a.id.sealing)
	if rej != nil {
		return rejection(in.Id, rej, now)
	}
	c, rej := readPayload(payload)
	if rej != nil {
		return rejection(in.Id, rej, now)
	}
	tg, err := a.findTransfer(ctx, cands, in.Id)
	if err != nil {
		a.log.Error("trisa: transfer lookup failed", "err", err)
		return rejection(in.Id, internalError(), now)
	}
	h := &exchange{a: a, pc: pc, in: in, kept: kept, c: c, now: now, tg: tg}
	switch in.TransferState {
	case api.TransferStarted, api.TransferReview:
		return h.started(ctx, cands)
	case api.TransferStateUnspecified:
		// TRISA before v1.1 sent no state: a new exchange, or the chain hash of a known one.
		if tg == nil {
			return h.started(ctx, cands)
		}
		if c.transaction != nil && c.transaction.GetTxid() != "" {
			return h.completed(ctx)
		}
		return h.answer(ctx, nil, "reply")
	case api.TransferPending:
		return h.pending(ctx)
	case api.TransferAccepted:
		return h.accepted(ctx)
	case api.TransferCompleted:
		return h.completed(ctx)
	}
	return rejection(in.Id, badRequest("unexpected transfer state "+in.TransferState.String()), now)
}

// exchange is one inbound envelope being answered.
type exchange struct {
	a    *Adapter
	pc   *peerCert
	in   *api.SecureEnvelope
	kept *api.SecureEnvelope
	c    *content
	now  time.Time
	tg   *target
}

func (h *exchange) reject(e *api.Error) *api.SecureEnvelope { return rejection(h.in.Id, e, h.now) }

// started receives an inquiry or a post-transaction request, and answers PENDING.
func (h *exchange) started(ctx context.Context, cands []counterparty.Counterparty) *api.SecureEnvelope {
	if h.c.transaction == nil {
		return h.reject(&api.Error{Code: api.UnparseableTransaction, Message: "a STARTED envelope carries a Transaction", Retry: true})
	}
	tx, rej := fromTransaction(h.c.transaction)
	if rej != nil {
		return h.reject(rej)
	}
	orig, ben := parties(h.c.identity)
	kind := route.KindInquiry
	if x := decodeExtra(h.c.transaction.GetExtraJson()); (x != nil && x.Kind == kindRequest) || (tx.TxHash != "" && orig == nil && ben != nil) {
		kind = route.KindRequest
	}
	if kind == route.KindRequest && tx.TxHash == "" {
		return h.reject(&api.Error{Code: api.MissingFields, Message: "a post-transaction request names the chain transaction (txid)", Retry: true})
	}
	if h.tg == nil {
		var rej *api.Error
		if h.tg, rej = h.a.chooseVASP(ctx, cands, kind, tx, h.c.identity); rej != nil {
			return h.reject(rej)
		}
	}
	m := &route.Message{Kind: kind, Transaction: tx, Originator: orig, Beneficiary: ben}
	name := ""
	if v, err := h.a.store.Read().GetVASP(ctx, h.tg.vaspID); err == nil {
		name = v.Name
	}
	reply := &generic.Pending{EnvelopeId: h.in.Id, ReceivedBy: name, ReceivedAt: h.now.Format(time.RFC3339),
		Message: "received: the " + roleOf(kind) + " VASP will answer in an envelope of its own", Transaction: h.c.transaction}
	return h.answer(ctx, m, "", withPending(reply))
}

func roleOf(k route.Kind) string {
	if k == route.KindRequest {
		return "originating"
	}
	return "beneficiary"
}

// pending receives our counterparty's address confirmation or not-ready.
func (h *exchange) pending(ctx context.Context) *api.SecureEnvelope {
	m := &route.Message{Kind: route.KindDecision, Decision: route.DecisionNotReady, Reason: "not_ready: the counterparty is reviewing the transfer"}
	sub := pendingNotReady
	if p := h.c.pending; p != nil {
		x := decodeExtra(p.GetExtraJson())
		if x != nil && x.Kind == pendingAddressConfirmed {
			m = &route.Message{Kind: route.KindAddressConfirmation, Confirmed: true}
			sub = pendingAddressConfirmed
		} else if msg := cleanText(p.GetMessage()); msg != "" {
			m.Reason = msg
			if !strings.Contains(msg, ":") {
				m.Reason = "not_ready: " + msg
			}
		}
	}
	return h.answer(ctx, m, sub)
}

// accepted receives the acceptance of our inquiry (or of our request, with the originator).
func (h *exchange) accepted(ctx context.Context) *api.SecureEnvelope {
	var ours *route.Transaction
	if h.tg != nil {
		ours = &route.Transaction{DestinationAddress: h.tg.t.DestinationAddress}
	}
	return h.answer(ctx, acceptance(h.c, ours), "")
}

// completed receives the chain hash.
func (h *exchange) completed(ctx context.Context) *api.SecureEnvelope {
	txid := h.c.transaction.GetTxid()
	if txid == "" {
		return h.reject(&api.Error{Code: api.MissingFields, Message: "a COMPLETED envelope names the chain transaction (txid)", Retry: true})
	}
	if len(txid) > 256 {
		return h.reject(&api.Error{Code: api.ValidationError, Message: "the txid is longer than 256 characters", Retry: true})
	}
	return h.answer(ctx, &route.Message{Kind: route.KindTxHash, TxHash: txid}, "")
}

type answerOpt func(*answerOpts)

type answerOpts struct{ pending *generic.Pending }

func withPending(p *generic.Pending) answerOpt { return func(o *answerOpts) { o.pending = p } }

// answer hands m (when not nil) to the engine and replies: a PENDING carrying opts' Pending,
// or the echo of the envelope received, sealed for the sender. The sender's key is found
// before anything changes, so a reply we could not seal never follows a change.
func (h *exchange) answer(ctx context.Context, m *route.Message, sub string, opts ...answerOpt) *api.SecureEnvelope {
	var o answerOpts
	for _, f := range opts {
		f(&o)
	}
	if h.tg == nil {
		return h.reject(&api.Error{Code: api.BadRequest, Message: "no transfer with this envelope id"})
	}
	key, err := h.a.senderKey(ctx, h.pc, h.tg.cp)
	if err != nil {
		h.a.log.Warn("trisa: no sealing key for a peer", "peer", h.pc.commonName(), "err", err)
		return h.reject(&api.Error{Code: api.NoSigningKey, Message: "we have no sealing key of yours: call KeyExchange, then resend", Retry: true})
	}
	kind := "reply"
	id := inboundID(h.in, sub)
	if m != nil {
		kind = string(m.Kind)
		m.ID, m.TransferMessageID, m.SentAt = id, h.in.Id, h.c.sentAt
		err := h.a.recv.Receive(ctx, &route.Inbound{VASPID: h.tg.vaspID, Route: transfer.RouteTRISA, CounterpartyID: h.tg.cp.ID, Message: *m})
		if err != nil {
			return h.reject(h.a.errorFor(err))
		}
	}
	state, payload := h.in.TransferState, proto.Clone(h.c.payload).(*api.Payload)
	payload.ReceivedAt = h.now.Format(time.RFC3339)
	if o.pending != nil {
		var err error
		state = api.TransferPending
		if payload, err = newPayload(h.c.identity, o.pending, h.now, h.now); err != nil {
			h.a.log.Error("trisa: could not build a reply", "err", err)
			return h.reject(internalError())
		}
	}
	sealed, kept, err := Seal(h.in.Id, state, payload, key, h.now)
	if err != nil {
		h.a.cache.forgetAll(h.pc.names)
		h.a.log.Warn("trisa: could not seal a reply", "peer", h.pc.commonName(), "err", err)
		return h.reject(&api.Error{Code: api.NoSigningKey, Message: "could not seal the reply for your key: call KeyExchange, then resend", Retry: true})
	}
	h.keep(ctx, id, kind, kept)
	return sealed
}

// keep records the envelope received and our reply with the receiving VASP's transfer.
func (h *exchange) keep(ctx context.Context, id, kind string, reply *api.SecureEnvelope) {
	transferID := ""
	if h.tg.t != nil {
		transferID = h.tg.t.ID
	} else if t, err := h.a.store.Read().GetTransferByMessageID(ctx, h.tg.vaspID, h.in.Id); err == nil {
		transferID = t.ID
	}
	h.a.record(ctx, histRow{vaspID: h.tg.vaspID, transferID: transferID, key: "in/" + id, dir: "in", kind: kind, detail: describe(h.in), env: h.kept})
	h.a.record(ctx, histRow{vaspID: h.tg.vaspID, transferID: transferID, key: "out/" + id + "/reply", dir: "out", kind: "reply", detail: describe(reply), env: reply})
}

// handleError receives an error envelope: a refusal, a cancel or a repair request about a
// transfer we hold, answered with its echo.
func (a *Adapter) handleError(ctx context.Context, cands []counterparty.Counterparty, in *api.SecureEnvelope, now time.Time) *api.SecureEnvelope {
	tg, err := a.findTransfer(ctx, cands, in.Id)
	if err != nil {
		a.log.Error("trisa: transfer lookup failed", "err", err)
		return rejection(in.Id, internalError(), now)
	}
	if tg == nil {
		return rejection(in.Id, badRequest("no transfer with this envelope id"), now)
	}
	id := inboundID(in, "")
	kind := "reply"
	if m := fromError(in.Error, false); m != nil {
		kind = string(m.Kind)
		m.ID, m.TransferMessageID, m.SentAt = id, in.Id, now
		if err := a.recv.Receive(ctx, &route.Inbound{VASPID: tg.vaspID, Route: transfer.RouteTRISA, CounterpartyID: tg.cp.ID, Message: *m}); err != nil {
			return rejection(in.Id, a.errorFor(err), now)
		}
	} else {
		a.log.Info("trisa: the peer reported a problem with the exchange", "vasp_id", tg.vaspID, "transfer_id", tg.t.ID, "code", in.Error.Code.String())
	}
	echo := rejection(in.Id, &api.Error{Code: in.Error.Code, Message: in.Error.Message, Retry: in.Error.Retry}, now)
	a.record(ctx, histRow{vaspID: tg.vaspID, transferID: tg.t.ID, key: "in/" + id, dir: "in", kind: kind, detail: describe(in), env: in})
	a.record(ctx, histRow{vaspID: tg.vaspID, transferID: tg.t.ID, key: "out/" + id + "/reply", dir: "out", kind: "reply", detail: describe(echo), env: echo})
	return echo
}

// senderKey returns the key to seal replies to the sender with: from its key exchange with
// us, else from one we start with its endpoint, else its certificate's RSA key.
func (a *Adapter) senderKey(ctx context.Context, pc *peerCert, cp *counterparty.Counterparty) (*rsa.PublicKey, error) {
	for _, n := range pc.names {
		if k, ok := a.cache.get(n); ok {
			return k, nil
		}
	}
	var xerr error
	if cp != nil && cp.Routes.TRISA != nil {
		if conn, err := a.dial(cp.Routes.TRISA); err == nil {
			// The peer waits for our answer meanwhile: a short exchange, or the fallback.
			xctx, cancel := context.WithTimeout(ctx, min(a.timeout, 5*time.Second))
			k, err := a.peerKey(xctx, conn)
			cancel()
			if err == nil {
				return k, nil
			}
			xerr = err
		}
	}
	if rk, ok := pc.chain[0].PublicKey.(*rsa.PublicKey); ok && rk.N.BitLen() >= minSealingBits {
		return rk, nil
	}
	if xerr == nil {
		xerr = errors.New("no key exchange and no RSA certificate key")
	}
	return nil, xerr
}

// errorFor is the TRISA error that answers an envelope the engine refused (or failed on).
func (a *Adapter) errorFor(err error) *api.Error {
	var (
		ve *engine.ValidationError
		ue *engine.UnknownTransferError
		te *transfer.TransitionError
		ce *engine.ConflictError
	)
	switch {
	case errors.As(err, &ve):
		parts := make([]string, 0, len(ve.Fields))
		for _, f := range ve.Fields {
			parts = append(parts, f.Path+": "+f.Message)
		}
		return &api.Error{Code: api.ValidationError, Message: cleanText("invalid: " + strings.Join(parts, "; ")), Retry: true}
	case errors.As(err, &ue):
		return badRequest("no transfer with this envelope id")
	case errors.As(err, &te):
		return badRequest(te.Error())
	case errors.As(err, &ce):
		return &api.Error{Code: api.Rejected, Message: cleanText(ce.Msg)}
	case errors.Is(err, store.ErrNotFound):
		return &api.Error{Code: api.Forbidden, Message: "the receiving VASP has no directory entry for you"}
	}
	a.log.Error("trisa: could not apply an inbound envelope", "err", err)
	return internalError()
}

func internalError() *api.Error {
	return &api.Error{Code: api.InternalError, Message: "internal error: try again later", Retry: true}
}
