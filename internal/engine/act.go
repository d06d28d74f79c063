package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/webhook"
)

// as runs fn with another actor (a policy deciding inside a person's request, say).
func (o *op) as(a audit.Actor, fn func() error) error {
	prev := o.actor
	o.actor = a
	defer func() { o.actor = prev }()
	return fn()
}

func (o *op) counterparty(r *rec) (*counterparty.Counterparty, error) {
	if r.CounterpartyID == "" {
		return nil, nil
	}
	if cp, ok := o.cps[r.CounterpartyID]; ok {
		return cp, nil
	}
	cp, err := o.tx.GetCounterparty(o.ctx, r.VASPID, r.CounterpartyID)
	if isNotFound(err) {
		return nil, nil
	}
	if err == nil {
		o.keepCounterparty(cp)
	}
	return cp, err
}

// keepCounterparty remembers a directory entry for the rest of the transaction.
func (o *op) keepCounterparty(cp *counterparty.Counterparty) {
	if o.cps == nil {
		o.cps = map[string]*counterparty.Counterparty{}
	}
	o.cps[cp.ID] = cp
}

// decide runs the assessor and the decider at a decision point and records the decision.
func (e *Engine) decide(o *op, r *rec, point string, cp *counterparty.Counterparty) (transfer.Decision, error) {
	v, err := o.vasp(r.VASPID)
	if err != nil {
		return transfer.Decision{}, err
	}
	full, err := o.full(r)
	if err != nil {
		return transfer.Decision{}, err
	}
	rates, err := o.fxRates()
	if err != nil {
		return transfer.Decision{}, err
	}
	in := &DecisionInput{Point: point, VASP: v, Transfer: full, Counterparty: cp, Route: r.Route, Rates: rates}
	if in.Route == transfer.RouteNone && cp != nil {
		if in.Route, err = e.router.Choose(o.ctx, o.tx, r.VASPID, cp); err != nil {
			return transfer.Decision{}, err
		}
	}
	if addr := r.OurAddress(); addr != "" {
		w, _, err := o.tx.FindWallet(o.ctx, r.VASPID, r.Asset.Network, e.addr.Key(r.Asset.Network, addr))
		if err == nil {
			in.Wallet = w
		} else if !isNotFound(err) {
			return transfer.Decision{}, err
		}
	}
	if e.assessor != nil {
		if err := e.assessor.Assess(o.ctx, o.tx, in); err != nil {
			return transfer.Decision{}, err
		}
		r.Screening, r.NameMatch = full.Screening, full.NameMatch
	}
	var d transfer.Decision
	if cp != nil && cp.Standing == counterparty.StandingBlocked {
		d = transfer.Decision{Action: ActionReject, Source: "standing", Reason: fmt.Sprintf("counterparty %s is blocked", cp.Name)}
	} else if d, err = e.decider.Decide(o.ctx, o.tx, in); err != nil {
		return transfer.Decision{}, err
	}
	if d.Action == ActionNone {
		return d, nil
	}
	d.DecidedAt = o.now
	r.Decision = &d
	// The decision is recorded as made by what made it (a policy, the VASP's default).
	err = o.as(deciderActor(d), func() error {
		return o.audit(r.VASPID, r.ID, "transfer.decided", "", "", d.Reason, map[string]any{
			"point": point, "action": d.Action, "source": d.Source, "policy": d.Policy, "matched": d.Matched, "inputs": d.Inputs})
	})
	return d, err
}

func deciderActor(d transfer.Decision) audit.Actor {
	if d.Source == "policy" {
		return audit.Actor{Type: audit.ActorPolicy, ID: d.Policy, Name: d.Policy}
	}
	return audit.Actor{Type: audit.ActorSystem, ID: d.Source, Name: d.Source}
}

// decideOutgoing takes a NEW outgoing transfer through its decision: approved and sent, held
// for review, or cancelled.
func (e *Engine) decideOutgoing(o *op, r *rec, cp *counterparty.Counterparty) error {
	d, err := e.decide(o, r, PointOutgoingCreated, cp)
	if err != nil {
		return err
	}
	return o.as(deciderActor(d), func() error {
		switch d.Action {
		case ActionApprove:
			return e.send(o, r, cp)
		case ActionReject:
			return o.move(r, transfer.EventCancel, "rejected: "+d.Reason, nil)
		default:
			o.webhook(&r.Transfer.Transfer, webhook.TransferReviewRequired, "", r.Status, reasonOr(d.Reason, "held for review"))
			return nil
		}
	})
}

func reasonOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// send moves an approved transfer (or a completed INCOMPLETE record) to its counterparty: SENT
// with the first message queued, or WAITING_FOR_INFORMATION when no route reaches it.
func (e *Engine) send(o *op, r *rec, cp *counterparty.Counterparty) error {
	if cp != nil && cp.Standing == counterparty.StandingBlocked {
		return conflictf("counterparty %s is blocked", cp.Name)
	}
	ev, kind := transfer.EventApprove, route.KindInquiry
	switch {
	case r.Status == transfer.StatusIncomplete:
		ev, kind = transfer.EventRequest, route.KindRequest
	case r.Status == transfer.StatusWaitingForInformation:
		ev = transfer.EventRouteFound
	}
	if r.Initiator == transfer.InitiatorBeneficiary {
		kind = route.KindRequest
	}
	rt := transfer.RouteNone
	if cp != nil {
		var err error
		if rt, err = e.router.Choose(o.ctx, o.tx, r.VASPID, cp); err != nil {
			return err
		}
	}
	if rt == transfer.RouteNone {
		if r.Status == transfer.StatusWaitingForInformation {
			return conflictf("no route reaches the counterparty yet")
		}
		reason := "no_route: the counterparty is unknown"
		if cp != nil {
			reason = fmt.Sprintf("no_route: no protocol or e-mail reaches %s", cp.Name)
		}
		return o.move(r, transfer.EventAwaitRoute, reason, nil)
	}
	r.Route = rt
	if err := o.move(r, ev, "", nil); err != nil {
		return err
	}
	return e.queue(o, r, route.Message{Kind: kind})
}

// sendPayload is the job that delivers one message: identity and transaction are read from the
// transfer when it runs, so the job table holds no personal data.
type sendPayload struct {
	VASPID         string        `json:"vasp_id"`
	TransferID     string        `json:"transfer_id"`
	Route          string        `json:"route"`
	CounterpartyID string        `json:"counterparty_id"`
	Message        route.Message `json:"message"`
	// Identity says the message carries identity data, read from the transfer at send time.
	Identity bool `json:"identity,omitempty"`
}

// queue enqueues a message about r to its counterparty over r's route; messages of one
// transfer are delivered in order.
func (e *Engine) queue(o *op, r *rec, m route.Message) error {
	if r.Route == transfer.RouteNone || r.CounterpartyID == "" {
		return nil
	}
	m.ID = e.newID()
	m.TransferMessageID = r.MessageID
	m.SentAt = o.now
	identity := m.Kind == route.KindInquiry || m.Kind == route.KindRequest ||
		(m.Kind == route.KindDecision && m.Decision == route.DecisionAccept && r.Initiator == transfer.InitiatorBeneficiary)
	return o.enqueue(jobs.NewJob(JobSend, "msg:"+r.ID, sendPayload{VASPID: r.VASPID, TransferID: r.ID,
		Route: string(r.Route), CounterpartyID: r.CounterpartyID, Message: m, Identity: identity}, o.now, 40))
}

// Actions a caller takes on a transfer. Each loads the transfer, checks it is the caller's to
// move, applies the event, and queues the message the counterparty must get.

// Approve sends a NEW outgoing transfer (or a NEW post-transaction request) to its
// counterparty.
func (e *Engine) Approve(ctx context.Context, actor audit.Actor, vaspID, id string) (*transfer.Transfer, error) {
	return e.act(ctx, actor, vaspID, id, func(o *op, r *rec) error {
		if r.Status != transfer.StatusNew {
			return &transfer.TransitionError{From: r.Status, Event: transfer.EventApprove}
		}
		cp, err := o.counterparty(r)
		if err != nil {
			return err
		}
		r.Decision = &transfer.Decision{Action: ActionApprove, Source: actor.Type, Reason: "approved by " + actor.Name, DecidedAt: o.now}
		return e.release(o, r, cp)
	})
}

// Request sends a post-transaction request for an INCOMPLETE deposit record to the originating
// VASP, once the record names it and carries our beneficiary's data.
func (e *Engine) Request(ctx context.Context, actor audit.Actor, vaspID, id string) (*transfer.Transfer, error) {
	return e.act(ctx, actor, vaspID, id, func(o *op, r *rec) error {
		if r.Status != transfer.StatusIncomplete && !(r.Status == transfer.StatusNew && r.Initiator == transfer.InitiatorBeneficiary) {
			return &transfer.TransitionError{From: r.Status, Event: transfer.EventRequest}
		}
		id, err := o.identity(r)
		if err != nil {
			return err
		}
		var fe []FieldError
		if id.Beneficiary == nil {
			fe = append(fe, FieldError{Path: "beneficiary", Code: "required", Message: "add the beneficiary (our customer) with PATCH before requesting"})
		}
		if r.CounterpartyID == "" {
			fe = append(fe, FieldError{Path: "counterparty_id", Code: "required", Message: "add the originating VASP with PATCH before requesting"})
		}
		if len(fe) > 0 {
			return &ValidationError{Fields: fe}
		}
		cp, err := o.counterparty(r)
		if err != nil {
			return err
		}
		return e.send(o, r, cp)
	})
}

// Cancel ends a transfer that is not final, telling the counterparty when it was contacted.
func (e *Engine) Cancel(ctx context.Context, actor audit.Actor, vaspID, id, reason string) (*transfer.Transfer, error) {
	return e.act(ctx, actor, vaspID, id, func(o *op, r *rec) error {
		return e.cancel(o, r, transfer.EventCancel, reasonOr(reason, "cancelled by "+actor.Type))
	})
}

func contacted(s transfer.Status) bool {
	switch s {
	case transfer.StatusSent, transfer.StatusACK, transfer.StatusNotReady, transfer.StatusAccepted:
		return true
	}
	return false
}

func (e *Engine) cancel(o *op, r *rec, ev transfer.Event, reason string) error {
	was := r.Status
	if err := o.move(r, ev, reason, nil); err != nil {
		return err
	}
	if contacted(was) {
		return e.queue(o, r, route.Message{Kind: route.KindCancel, Reason: reason})
	}
	return nil
}

// responder checks that r is a record we received, whose answers are ours to give.
func responder(r *rec, ev transfer.Event) error {
	if r.WeInitiated() {
		return conflictf("only the counterparty can %s this transfer", ev)
	}
	return nil
}

// Confirm confirms we control the address of a received transfer (ACK) and lets the decision
// go on.
func (e *Engine) Confirm(ctx context.Context, actor audit.Actor, vaspID, id string) (*transfer.Transfer, error) {
	return e.act(ctx, actor, vaspID, id, func(o *op, r *rec) error {
		if err := responder(r, transfer.EventConfirm); err != nil {
			return err
		}
		return e.confirm(o, r)
	})
}

func (e *Engine) confirm(o *op, r *rec) error {
	if err := o.move(r, transfer.EventConfirm, "", nil); err != nil {
		return err
	}
	if err := e.queue(o, r, route.Message{Kind: route.KindAddressConfirmation, Confirmed: true}); err != nil {
		return err
	}
	cp, err := o.counterparty(r)
	if err != nil {
		return err
	}
	d, err := e.decide(o, r, PointAddressConfirmed, cp)
	if err != nil {
		return err
	}
	return o.as(deciderActor(d), func() error { return e.applyIncomingDecision(o, r, d) })
}

// applyIncomingDecision carries out a decision on a received transfer.
func (e *Engine) applyIncomingDecision(o *op, r *rec, d transfer.Decision) error {
	switch d.Action {
	case ActionApprove:
		if r.Initiator == transfer.InitiatorBeneficiary {
			// Accepting a post-transaction request sends our originator's data.
			id, err := o.identity(r)
			if err != nil {
				return err
			}
			if id.Originator == nil {
				o.webhook(&r.Transfer.Transfer, webhook.TransferReviewRequired, "", r.Status, "originator data required to accept the request")
				return nil
			}
		}
		return e.accept(o, r, "", nil)
	case ActionReject:
		return e.answer(o, r, transfer.EventDecline, route.DecisionDecline, "declined: "+d.Reason)
	case ActionNotReady:
		return e.answer(o, r, transfer.EventNotReady, route.DecisionNotReady, reasonOr(d.Reason, "not ready"))
	case ActionReview:
		o.webhook(&r.Transfer.Transfer, webhook.TransferReviewRequired, "", r.Status, reasonOr(d.Reason, "held for review"))
	}
	return nil
}

// Reject says the address of a received transfer is not ours (REJECTED).
func (e *Engine) Reject(ctx context.Context, actor audit.Actor, vaspID, id, reason string) (*transfer.Transfer, error) {
	return e.act(ctx, actor, vaspID, id, func(o *op, r *rec) error {
		if err := responder(r, transfer.EventReject); err != nil {
			return err
		}
		reason = reasonOr(reason, "address_not_controlled: the destination address is not ours")
		if err := o.move(r, transfer.EventReject, reason, nil); err != nil {
			return err
		}
		return e.queue(o, r, route.Message{Kind: route.KindAddressConfirmation, Confirmed: false, Reason: reason})
	})
}

// AcceptInput is the optional content of an acceptance.
type AcceptInput struct {
	// DepositAddress tells the originator where to send, when it differs.
	DepositAddress string `json:"deposit_address,omitempty"`
	// Originator is our customer's identity, required when accepting a post-transaction request.
	Originator *ivms.Originator `json:"originator,omitempty"`
}

// Accept accepts a received transfer (ACCEPTED; COMPLETED when the chain hash is known).
func (e *Engine) Accept(ctx context.Context, actor audit.Actor, vaspID, id string, in AcceptInput) (*transfer.Transfer, error) {
	return e.act(ctx, actor, vaspID, id, func(o *op, r *rec) error {
		if err := responder(r, transfer.EventAccept); err != nil {
			return err
		}
		if in.Originator != nil {
			if fe := validateOriginator(in.Originator, "originator", o.now); len(fe) > 0 {
				return &ValidationError{Fields: fe}
			}
		}
		if r.Initiator == transfer.InitiatorBeneficiary && in.Originator == nil {
			idn, err := o.identity(r)
			if err != nil {
				return err
			}
			if idn.Originator == nil {
				return invalid("originator", "required", "accepting a post-transaction request sends our originator's identity: give it")
			}
		}
		r.Decision = &transfer.Decision{Action: ActionApprove, Source: actor.Type, Reason: "accepted by " + actor.Name, DecidedAt: o.now}
		return e.accept(o, r, in.DepositAddress, in.Originator)
	})
}

func (e *Engine) accept(o *op, r *rec, depositAddress string, originator *ivms.Originator) error {
	if originator != nil {
		id, err := o.identity(r)
		if err != nil {
			return err
		}
		id.Originator, r.idDirty = originator, true
	}
	if err := o.move(r, transfer.EventAccept, "", nil); err != nil {
		return err
	}
	// An acceptance of a post-transaction request carries our originator's identity; the job
	// reads it from the record when it runs.
	m := route.Message{Kind: route.KindDecision, Decision: route.DecisionAccept, DepositAddress: depositAddress}
	if err := e.queue(o, r, m); err != nil {
		return err
	}
	if r.TxHash != "" {
		return o.move(r, transfer.EventTxHash, "", map[string]any{"tx_hash_known": true})
	}
	return nil
}

// answer records a decline or not-ready and tells the counterparty.
func (e *Engine) answer(o *op, r *rec, ev transfer.Event, decision, reason string) error {
	if err := o.move(r, ev, reason, nil); err != nil {
		return err
	}
	return e.queue(o, r, route.Message{Kind: route.KindDecision, Decision: decision, Reason: reason})
}

// Decline refuses a received transfer (DECLINED).
func (e *Engine) Decline(ctx context.Context, actor audit.Actor, vaspID, id, reason string) (*transfer.Transfer, error) {
	return e.act(ctx, actor, vaspID, id, func(o *op, r *rec) error {
		if err := responder(r, transfer.EventDecline); err != nil {
			return err
		}
		r.Decision = &transfer.Decision{Action: ActionReject, Source: actor.Type, Reason: reasonOr(reason, "declined by "+actor.Name), DecidedAt: o.now}
		return e.answer(o, r, transfer.EventDecline, route.DecisionDecline, reasonOr(reason, "declined"))
	})
}

// NotReady tells the counterparty we cannot answer yet (NOT_READY).
func (e *Engine) NotReady(ctx context.Context, actor audit.Actor, vaspID, id, reason string) (*transfer.Transfer, error) {
	return e.act(ctx, actor, vaspID, id, func(o *op, r *rec) error {
		if err := responder(r, transfer.EventNotReady); err != nil {
			return err
		}
		return e.answer(o, r, transfer.EventNotReady, route.DecisionNotReady, reasonOr(reason, "not ready"))
	})
}

// TxHash records the chain hash of an outgoing transfer: an accepted one completes and the hash
// goes to the counterparty; an earlier one keeps the hash until acceptance.
func (e *Engine) TxHash(ctx context.Context, actor audit.Actor, vaspID, id, hash string) (*transfer.Transfer, error) {
	if hash == "" || len(hash) > 256 {
		return nil, invalid("tx_hash", "invalid", "tx_hash must be 1 to 256 characters")
	}
	return e.act(ctx, actor, vaspID, id, func(o *op, r *rec) error {
		if r.Direction != transfer.Outgoing {
			return conflictf("the chain hash of a deposit comes with POST /v1/deposits")
		}
		if r.TxHash != "" && r.TxHash != hash {
			return conflictf("transfer already has another tx_hash")
		}
		if r.Status.Final() {
			if r.TxHash == hash && r.Status == transfer.StatusCompleted {
				return errNoChange // a retry of the call that completed it
			}
			return &transfer.TransitionError{From: r.Status, Event: transfer.EventTxHash}
		}
		r.TxHash = hash
		if r.Status != transfer.StatusAccepted {
			return o.audit(r.VASPID, r.ID, "transfer.tx_hash_attached", "", "", "", map[string]any{"status": r.Status})
		}
		if err := o.move(r, transfer.EventTxHash, "", nil); err != nil {
			return err
		}
		return e.queue(o, r, route.Message{Kind: route.KindTxHash, TxHash: hash})
	})
}

// act loads a transfer, runs fn and saves it, in one transaction, and returns the result.
func (e *Engine) act(ctx context.Context, actor audit.Actor, vaspID, id string, fn func(o *op, r *rec) error) (*transfer.Transfer, error) {
	var out *transfer.Transfer
	err := e.do(ctx, actor, func(o *op) error {
		r, err := o.load(vaspID, id)
		if err != nil {
			return err
		}
		switch err := fn(o, r); {
		case err == errNoChange:
		case err != nil:
			return err
		default:
			if err := o.save(r); err != nil {
				return err
			}
		}
		out, err = o.full(r)
		return err
	})
	return out, err
}

// errNoChange tells act that fn changed nothing and there is nothing to save.
var errNoChange = errors.New("no change")
