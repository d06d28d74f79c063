package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// Sender is a route adapter as the engine uses it.
type Sender = route.Adapter

// Outbound builds the full message a send job delivers: the queued message plus, when it carries
// identity (inquiries, requests and the acceptance of a request), the transaction and identity
// read from the transfer now.
func (e *Engine) Outbound(ctx context.Context, p *sendPayload) (*route.Outbound, error) {
	rd := e.store.Read()
	cp, err := e.ref.counterparty(ctx, rd, p.VASPID, p.CounterpartyID)
	if err != nil {
		return nil, err
	}
	m := p.Message
	if p.Identity {
		t, err := rd.GetTransfer(ctx, p.VASPID, p.TransferID)
		if err != nil {
			return nil, err
		}
		id, err := e.openIdentity(ctx, t)
		if err != nil {
			return nil, err
		}
		if m.Kind == route.KindDecision {
			m.Originator = id.Originator
		} else {
			m.Originator, m.Beneficiary = id.Originator, id.Beneficiary
			m.Transaction = &route.Transaction{Asset: t.Asset, Amount: t.Amount, FiatValue: t.FiatValue,
				OriginAddress: t.OriginAddress, DestinationAddress: t.DestinationAddress, Memo: t.Memo, TxHash: t.TxHash}
			m.OriginatingVASP, m.BeneficiaryVASP = t.OriginatingVASP, t.BeneficiaryVASP
		}
	}
	return &route.Outbound{VASPID: p.VASPID, TransferID: p.TransferID, Counterparty: cp, Message: m}, nil
}

func (e *Engine) sendJob(adapters map[transfer.Route]Sender) func(context.Context, *store.Job) (jobs.Finish, error) {
	return func(ctx context.Context, job *store.Job) (jobs.Finish, error) {
		p, err := jobs.Payload[sendPayload](job)
		if err != nil {
			return nil, err
		}
		a := adapters[transfer.Route(p.Route)]
		if a == nil {
			return nil, &jobs.Permanent{Err: fmt.Errorf("route %q is not enabled on this node", p.Route)}
		}
		out, err := e.Outbound(ctx, &p)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, &jobs.Permanent{Err: err}
			}
			return nil, err
		}
		if err := a.Send(ctx, out); err != nil {
			var perm *route.Permanent
			if errors.As(err, &perm) {
				return nil, &jobs.Permanent{Err: err}
			}
			return nil, err
		}
		return nil, nil
	}
}

// sendDead records, on the sender's transfer, that a message could not be delivered.
func (e *Engine) sendDead(ctx context.Context, tx store.Tx, job *store.Job, cause error) error {
	p, err := jobs.Payload[sendPayload](job)
	if err != nil {
		return nil
	}
	e.log.Warn("message undeliverable", "vasp_id", p.VASPID, "transfer_id", p.TransferID, "kind", p.Message.Kind, "route", p.Route, "err", cause)
	return tx.AppendAudit(ctx, &audit.Event{ID: e.newID(), VASPID: p.VASPID, TransferID: p.TransferID,
		Type: "transfer.message_failed", Actor: audit.Actor{Type: audit.ActorSystem, ID: "jobs"},
		Reason:    fmt.Sprintf("%s message over %s undeliverable after %d attempts", p.Message.Kind, p.Route, job.Attempts),
		CreatedAt: e.Now()})
}

func (e *Engine) expireJob(ctx context.Context, job *store.Job) (jobs.Finish, error) {
	p, err := jobs.Payload[expirePayload](job)
	if err != nil {
		return nil, err
	}
	return nil, e.Expire(ctx, p.VASPID, p.TransferID)
}

// Expire cancels a transfer whose deadline passed while it waited on its counterparty, and
// tells the counterparty. A transfer that moved on, or whose deadline is later, is left alone.
func (e *Engine) Expire(ctx context.Context, vaspID, id string) error {
	_, err := e.act(ctx, audit.Actor{Type: audit.ActorSystem, ID: "deadline", Name: "deadline"}, vaspID, id, func(o *op, r *rec) error {
		if !transfer.Waiting(r.Status) || r.ExpiresAt == nil || r.ExpiresAt.After(o.now) {
			return errNoChange
		}
		waited := r.ExpiresAt.Sub(r.CreatedAt).Round(time.Minute)
		return e.cancel(o, r, transfer.EventExpire, fmt.Sprintf("expired: no answer from the counterparty within %s", waited))
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
