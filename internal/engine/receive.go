package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/webhook"
)

// errDuplicate ends a transaction that found an inbound message already received.
var errDuplicate = errors.New("duplicate inbound message")

// UnknownTransferError is returned for a message about a transfer the receiver does not hold.
type UnknownTransferError struct{ MessageID string }

func (e *UnknownTransferError) Error() string {
	return "no transfer with message id " + e.MessageID
}

// Receive applies an inbound message to the receiving VASP's records. It is idempotent: the same
// (route, message id, kind) twice changes nothing the second time. A message that the record's
// status does not allow returns the *transfer.TransitionError; one about an unknown transfer an
// *UnknownTransferError; a malformed one a *ValidationError.
func (e *Engine) Receive(ctx context.Context, in *route.Inbound) error {
	m := &in.Message
	if err := m.Validate(); err != nil {
		return invalid("message", "invalid_message", err.Error())
	}
	if m.ID == "" {
		m.ID = m.TransferMessageID
	}
	err := e.do(ctx, audit.Actor{Type: audit.ActorPeer}, func(o *op) error {
		if err := o.tx.RecordInbound(o.ctx, in.VASPID, string(in.Route), m.ID, m.DedupKind(), o.now); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return errDuplicate
			}
			return err
		}
		cp, err := e.sender(o, in)
		if err != nil {
			return err
		}
		if in.Record != nil {
			if err := in.Record(o.ctx, o.tx); err != nil {
				return err
			}
		}
		o.actor = audit.Actor{Type: audit.ActorPeer, ID: cp.ID, Name: cp.Name + " via " + string(in.Route)}
		switch m.Kind {
		case route.KindInquiry, route.KindRequest:
			return e.receiveNew(o, in, cp)
		}
		r, err := o.loadByMessage(in.VASPID, m.TransferMessageID)
		if isNotFound(err) {
			return &UnknownTransferError{MessageID: m.TransferMessageID}
		}
		if err != nil {
			return err
		}
		if r.CounterpartyID != cp.ID {
			return &UnknownTransferError{MessageID: m.TransferMessageID}
		}
		if err := e.apply(o, r, m); err != nil {
			if err == errNoChange {
				return nil
			}
			return err
		}
		return o.save(r)
	})
	if err == errDuplicate {
		return nil
	}
	return err
}

// sender resolves the counterparty a message came from, in the receiver's directory.
func (e *Engine) sender(o *op, in *route.Inbound) (*counterparty.Counterparty, error) {
	var (
		cp  *counterparty.Counterparty
		err error
	)
	switch {
	case in.CounterpartyID != "":
		cp, err = o.tx.GetCounterparty(o.ctx, in.VASPID, in.CounterpartyID)
	case in.FromHostedVASP != "":
		cp, err = o.tx.FindHostedCounterparty(o.ctx, in.VASPID, in.FromHostedVASP)
		if isNotFound(err) {
			return nil, fmt.Errorf("vasp %s has no directory entry for hosted vasp %s: %w", in.VASPID, in.FromHostedVASP, store.ErrNotFound)
		}
	default:
		return nil, errors.New("inbound message names no sender")
	}
	if err != nil {
		return nil, err
	}
	o.keepCounterparty(cp)
	return cp, nil
}

// apply moves an existing record by a message about it.
func (e *Engine) apply(o *op, r *rec, m *route.Message) error {
	switch m.Kind {
	case route.KindAddressConfirmation:
		if !m.Confirmed {
			return o.move(r, transfer.EventReject, reasonOr(m.Reason, "address_not_controlled"), nil)
		}
		if err := o.move(r, transfer.EventConfirm, "", nil); err != nil {
			return err
		}
		if r.Direction == transfer.Outgoing {
			// Routing knowledge: this counterparty controls that address.
			return o.tx.UpsertAttribution(o.ctx, &store.Attribution{VASPID: r.VASPID, Network: r.Asset.Network,
				Address: r.DestinationAddress, CounterpartyID: r.CounterpartyID, Source: SourceConfirmedTransfer,
				Confidence: "confirmed", UpdatedAt: o.now}, e.addr.Key(r.Asset.Network, r.DestinationAddress))
		}
		return nil
	case route.KindDecision:
		switch m.Decision {
		case route.DecisionAccept:
			if m.Originator != nil && r.Initiator == transfer.InitiatorBeneficiary {
				if fe := validateOriginator(m.Originator, "originator", o.now); len(fe) > 0 {
					return &ValidationError{Fields: fe}
				}
				id, err := o.identity(r)
				if err != nil {
					return err
				}
				id.Originator, r.idDirty = m.Originator, true
			}
			data := map[string]any{}
			if m.DepositAddress != "" && m.DepositAddress != r.DestinationAddress {
				data["deposit_address_given"] = true
			}
			if err := o.move(r, transfer.EventAccept, "", data); err != nil {
				return err
			}
			if r.TxHash == "" {
				o.webhook(&r.Transfer.Transfer, webhook.TransferTxHashRequired, "", r.Status, "broadcast, then report the chain hash")
				return nil
			}
			if err := o.move(r, transfer.EventTxHash, "", nil); err != nil {
				return err
			}
			if r.Initiator == transfer.InitiatorOriginator {
				return e.queue(o, r, route.Message{Kind: route.KindTxHash, TxHash: r.TxHash})
			}
			return nil
		case route.DecisionDecline:
			return o.move(r, transfer.EventDecline, reasonOr(m.Reason, "declined by the counterparty"), nil)
		default:
			return o.move(r, transfer.EventNotReady, reasonOr(m.Reason, "not ready"), nil)
		}
	case route.KindTxHash:
		if r.TxHash == m.TxHash && r.Status == transfer.StatusCompleted {
			return errNoChange
		}
		if r.TxHash != "" && r.TxHash != m.TxHash {
			return invalid("tx_hash", "conflict", "the transfer already has another chain hash")
		}
		r.TxHash = m.TxHash
		if r.Status != transfer.StatusAccepted {
			return o.audit(r.VASPID, r.ID, "transfer.tx_hash_attached", "", "", "", map[string]any{"status": r.Status})
		}
		return o.move(r, transfer.EventTxHash, "", nil)
	case route.KindCancel:
		if r.Status.Final() {
			return errNoChange
		}
		return o.move(r, transfer.EventCancel, reasonOr(m.Reason, "cancelled by the counterparty"), nil)
	}
	return invalid("message.kind", "invalid_message", "unexpected message kind "+string(m.Kind))
}

// receiveNew records an inquiry (we are the beneficiary VASP) or a post-transaction request (we
// are the originating VASP), then runs the address step and the decisions.
func (e *Engine) receiveNew(o *op, in *route.Inbound, cp *counterparty.Counterparty) error {
	m := &in.Message
	if _, err := o.tx.GetTransferByMessageID(o.ctx, in.VASPID, m.TransferMessageID); err == nil {
		return nil // the same transfer sent again under another message id
	} else if !isNotFound(err) {
		return err
	}
	v, err := o.vasp(in.VASPID)
	if err != nil {
		return err
	}
	tx := m.Transaction
	t := transfer.Transfer{
		ID: e.newID(), VASPID: in.VASPID, MessageID: m.TransferMessageID, Route: in.Route, CounterpartyID: cp.ID,
		PostTransaction: tx.TxHash != "", Asset: tx.Asset, Amount: tx.Amount, FiatValue: tx.FiatValue,
		OriginAddress: tx.OriginAddress, DestinationAddress: tx.DestinationAddress, Memo: tx.Memo, TxHash: tx.TxHash,
		CreatedAt: o.now,
	}
	if m.Kind == route.KindInquiry {
		t.Direction, t.Initiator = transfer.Incoming, transfer.InitiatorOriginator
		t.OriginatingVASP, t.BeneficiaryVASP = counterpartyRef(cp), vaspRefOf(v)
	} else {
		t.Direction, t.Initiator = transfer.Outgoing, transfer.InitiatorBeneficiary
		t.OriginatingVASP, t.BeneficiaryVASP = vaspRefOf(v), counterpartyRef(cp)
	}
	r := &rec{Transfer: &store.Transfer{Transfer: t, DestinationKey: e.addr.Key(tx.Asset.Network, tx.DestinationAddress)},
		isNew: true, id: &identity{Originator: m.Originator, Beneficiary: m.Beneficiary}, idDirty: true}

	// What our jurisdictions say, for the record and the policies.
	if ours, theirs, rates, err := e.jurisdictions(o, v, cp); err != nil {
		return err
	} else {
		th := policy.EvaluateThreshold(policy.ThresholdInput{Ours: ours, Theirs: theirs, Asset: t.Asset, Amount: t.Amount, FiatValue: t.FiatValue}, rates)
		r.Threshold = &th
		if r.FiatValue == nil {
			r.FiatValue = th.Value
		}
	}
	// Our side's address: its wallet entry gives the customer's KYC name for name matching.
	ours := r.OurAddress()
	var wallet bool
	if ours != "" {
		w, sealedName, err := o.tx.FindWallet(o.ctx, in.VASPID, t.Asset.Network, e.addr.Key(t.Asset.Network, ours))
		switch {
		case err == nil:
			wallet = true
			if len(sealedName) > 0 {
				name, err := e.keys.Open(o.ctx, in.VASPID, walletNameAAD(w.ID), sealedName)
				if err != nil {
					return err
				}
				r.id.CustomerName = string(name)
			}
		case !isNotFound(err):
			return err
		}
	}
	// A post-transaction request may be about a transfer we already hold (a SAVED withdrawal):
	// its originator data answers the request.
	if m.Kind == route.KindRequest {
		if prev, err := e.findOutgoingByHash(o, in.VASPID, tx.TxHash); err != nil {
			return err
		} else if prev != nil {
			pid, err := o.identity(prev)
			if err != nil {
				return err
			}
			r.id.Originator, r.id.CustomerName = pid.Originator, pid.CustomerName
			wallet = true
		}
	}
	reason := ""
	if _, err := o.asset(t.Asset.Network, t.Asset.Symbol); isNotFound(err) {
		reason = "unsupported_asset"
	} else if err != nil {
		return err
	}
	if err := o.move(r, transfer.EventReceive, "", map[string]any{"message": string(m.Kind)}); err != nil {
		return err
	}
	o.webhook(&r.Transfer.Transfer, webhook.TransferReceived, "", r.Status, "")
	if m.Kind == route.KindInquiry {
		if err := e.supersedeIncomplete(o, r); err != nil {
			return err
		}
	}
	if reason != "" {
		return e.finishNew(o, r, e.answer(o, r, transfer.EventDecline, route.DecisionDecline, reason+": "+t.Asset.Symbol+" on "+t.Asset.Network+" is not supported"))
	}
	d, err := e.decide(o, r, PointReceived, cp)
	if err != nil {
		return err
	}
	err = o.as(deciderActor(d), func() error {
		switch d.Action {
		case ActionReject:
			return e.answer(o, r, transfer.EventDecline, route.DecisionDecline, "declined: "+d.Reason)
		case ActionNotReady:
			return e.answer(o, r, transfer.EventNotReady, route.DecisionNotReady, reasonOr(d.Reason, "not ready"))
		case ActionReview:
			o.webhook(&r.Transfer.Transfer, webhook.TransferReviewRequired, "", r.Status, reasonOr(d.Reason, "held for review"))
			return nil
		}
		if !wallet {
			o.webhook(&r.Transfer.Transfer, webhook.TransferAddressConfirmationRequired, "", r.Status, "the address is not in the address book")
			return nil
		}
		return o.as(audit.Actor{Type: audit.ActorSystem, ID: "address_book", Name: "address book"}, func() error { return e.confirm(o, r) })
	})
	return e.finishNew(o, r, err)
}

func (e *Engine) finishNew(o *op, r *rec, err error) error {
	if err != nil {
		return err
	}
	return o.save(r)
}

// findOutgoingByHash returns our outgoing transfer with that chain hash, if any.
func (e *Engine) findOutgoingByHash(o *op, vaspID, hash string) (*rec, error) {
	list, err := o.tx.ListTransfers(o.ctx, store.TransferFilter{VASPID: vaspID, Query: hash, Direction: transfer.Outgoing, Limit: 5})
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].TxHash == hash && list[i].Initiator != transfer.InitiatorBeneficiary {
			return o.load(vaspID, list[i].ID)
		}
	}
	return nil, nil
}

// supersedeIncomplete cancels an INCOMPLETE record that a deposit notification made before the
// inquiry for the same movement arrived, and takes over its chain hash.
func (e *Engine) supersedeIncomplete(o *op, r *rec) error {
	c, err := o.tx.FindIncomplete(o.ctx, store.DepositMatch{VASPID: r.VASPID, TxHash: r.TxHash, Network: r.Asset.Network,
		Symbol: r.Asset.Symbol, Destination: r.DestinationKey, Amount: r.Amount})
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	old := &rec{Transfer: c, prev: c.Version}
	if r.TxHash == "" {
		r.TxHash = old.TxHash
		r.PostTransaction = true
	}
	if err := o.as(audit.Actor{Type: audit.ActorSystem, ID: "deposit_matching"}, func() error {
		return o.move(old, transfer.EventCancel, "superseded: the Travel Rule message arrived as transfer "+r.ID, nil)
	}); err != nil {
		return err
	}
	return o.save(old)
}
