package engine

import (
	"context"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// Get returns a transfer with its identity data.
func (e *Engine) Get(ctx context.Context, vaspID, id string) (*transfer.Transfer, error) {
	t, err := e.store.Read().GetTransfer(ctx, vaspID, id)
	if err != nil {
		return nil, err
	}
	return e.Open(ctx, t)
}

// Open fills a stored transfer's identity data in. A transfer received from a counterparty
// shows it only once its address was confirmed (ACK), as Notabene and GTR release it: before
// that, IdentityWithheld is set and the originator and beneficiary are left out.
func (e *Engine) Open(ctx context.Context, t *store.Transfer) (*transfer.Transfer, error) {
	idn, err := e.openIdentity(ctx, t)
	if err != nil {
		return nil, err
	}
	out := t.Transfer
	out.CustomerName = idn.CustomerName
	if Withheld(&out) {
		out.IdentityWithheld = true
		return &out, nil
	}
	out.Originator, out.Beneficiary = idn.Originator, idn.Beneficiary
	return &out, nil
}

// Withheld reports whether a transfer's identity data is not to be shown yet to the VASP that
// holds it: the transfer was received (the counterparty started the exchange) and its address
// was neither confirmed nor the transfer accepted. Records we started (withdrawals, INCOMPLETE
// deposit records) are never withheld; a received transfer whose address was rejected keeps the
// counterparty's data hidden for good.
func Withheld(t *transfer.Transfer) bool {
	return !t.WeInitiated() && !t.AddressConfirmed
}

// Events returns a transfer's audit trail, oldest first.
func (e *Engine) Events(ctx context.Context, vaspID, id string) ([]audit.Event, error) {
	if _, err := e.store.Read().GetTransfer(ctx, vaspID, id); err != nil {
		return nil, err
	}
	return e.store.Read().ListAudit(ctx, vaspID, id, 1000)
}

// Action names of the API, per transfer.
const (
	ActApprove  = "approve"
	ActCancel   = "cancel"
	ActConfirm  = "confirm"
	ActReject   = "reject"
	ActAccept   = "accept"
	ActDecline  = "decline"
	ActNotReady = "not-ready"
	ActTxHash   = "tx-hash"
	ActRequest  = "request"
	ActUpdate   = "update"
)

// Actions lists what the VASP holding t may do with it now, as API action names.
func Actions(t *transfer.Transfer) []string {
	var out []string
	add := func(ok bool, a string) {
		if ok {
			out = append(out, a)
		}
	}
	s := t.Status
	mine := t.WeInitiated()
	add(s == transfer.StatusNew && (t.Direction == transfer.Outgoing || t.Initiator == transfer.InitiatorBeneficiary), ActApprove)
	add(s == transfer.StatusIncomplete, ActRequest)
	add(editable(s), ActUpdate)
	add(!mine && (s == transfer.StatusSent || s == transfer.StatusNotReady), ActConfirm)
	add(!mine && (s == transfer.StatusSent || s == transfer.StatusNotReady), ActReject)
	add(!mine && (s == transfer.StatusSent || s == transfer.StatusACK || s == transfer.StatusNotReady), ActAccept)
	add(!mine && (s == transfer.StatusSent || s == transfer.StatusACK || s == transfer.StatusNotReady), ActDecline)
	add(!mine && (s == transfer.StatusSent || s == transfer.StatusACK), ActNotReady)
	add(t.Direction == transfer.Outgoing && t.TxHash == "" && !s.Final() && t.Initiator != transfer.InitiatorBeneficiary, ActTxHash)
	_, cancellable := transferNextCancel(s)
	add(cancellable, ActCancel)
	return out
}

func transferNextCancel(s transfer.Status) (transfer.Status, bool) {
	to, err := transfer.Next(s, transfer.EventCancel)
	return to, err == nil
}
