package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/proof"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// identity is the personal data of a transfer, sealed at rest as one blob.
type identity struct {
	Originator   *ivms.Originator  `json:"originator,omitempty"`
	Beneficiary  *ivms.Beneficiary `json:"beneficiary,omitempty"`
	CustomerName string            `json:"customer_name,omitempty"`
	// Proof is the ownership proof given with a withdrawal to an unhosted wallet (a
	// declaration names the customer, and signed messages may).
	Proof *proof.Proof `json:"ownership_proof,omitempty"`
}

// rec is a transfer being worked on in one transaction.
type rec struct {
	*store.Transfer
	prev    int
	isNew   bool
	id      *identity
	idDirty bool
}

func identityAAD(transferID string) []byte { return []byte("transfer-identity/" + transferID) }

func (o *op) load(vaspID, id string) (*rec, error) {
	t, err := o.tx.GetTransfer(o.ctx, vaspID, id)
	if err != nil {
		return nil, err
	}
	return &rec{Transfer: t, prev: t.Version}, nil
}

func (o *op) loadByMessage(vaspID, messageID string) (*rec, error) {
	t, err := o.tx.GetTransferByMessageID(o.ctx, vaspID, messageID)
	if err != nil {
		return nil, err
	}
	return &rec{Transfer: t, prev: t.Version}, nil
}

// identity opens the record's personal data (once per transaction).
func (o *op) identity(r *rec) (*identity, error) {
	if r.id != nil {
		return r.id, nil
	}
	id, err := o.e.openIdentity(o.ctx, r.Transfer)
	if err != nil {
		return nil, err
	}
	r.id = id
	return id, nil
}

func (e *Engine) openIdentity(ctx context.Context, t *store.Transfer) (*identity, error) {
	id := &identity{}
	if len(t.Identity) == 0 {
		return id, nil
	}
	b, err := e.keys.Open(ctx, t.VASPID, identityAAD(t.ID), t.Identity)
	if err != nil {
		return nil, fmt.Errorf("transfer %s identity: %w", t.ID, err)
	}
	if err := json.Unmarshal(b, id); err != nil {
		return nil, fmt.Errorf("transfer %s identity: %w", t.ID, err)
	}
	return id, nil
}

// full returns the domain transfer with its identity data filled in.
func (o *op) full(r *rec) (*transfer.Transfer, error) {
	id, err := o.identity(r)
	if err != nil {
		return nil, err
	}
	t := r.Transfer.Transfer
	t.Originator, t.Beneficiary, t.CustomerName = id.Originator, id.Beneficiary, id.CustomerName
	return &t, nil
}

// save writes the record: sealed identity, next version, insert or compare-and-set update.
func (o *op) save(r *rec) error {
	if r.idDirty {
		b, err := json.Marshal(r.id)
		if err != nil {
			return fmt.Errorf("encode identity: %w", err)
		}
		sealed, err := o.e.keys.Seal(o.ctx, r.VASPID, identityAAD(r.ID), b)
		if err != nil {
			return err
		}
		r.Identity = sealed
		r.idDirty = false
	}
	r.UpdatedAt = o.now
	if r.isNew {
		r.Version = 1
		if err := o.tx.CreateTransfer(o.ctx, r.Transfer); err != nil {
			return err
		}
		r.isNew = false
		r.prev = 1
		return nil
	}
	r.Version = r.prev + 1
	if err := o.tx.UpdateTransfer(o.ctx, r.Transfer, r.prev); err != nil {
		return err
	}
	r.prev = r.Version
	return nil
}

// move applies one event of the transition table to the record, with its audit event, its
// webhook and the deadline bookkeeping. The record still has to be saved.
func (o *op) move(r *rec, ev transfer.Event, reason string, data map[string]any) error {
	to, err := transfer.Next(r.Status, ev)
	if err != nil {
		return err
	}
	from := r.Status
	r.Status, r.StatusReason = to, reason
	if to == transfer.StatusACK || to == transfer.StatusAccepted || to == transfer.StatusCompleted {
		r.AddressConfirmed = true // accepting a transfer confirms its address too
	}
	if data == nil {
		data = map[string]any{}
	}
	data["event"] = string(ev)
	if r.Route != "" {
		data["route"] = string(r.Route)
	}
	if err := o.deadline(r); err != nil {
		return err
	}
	typ := "transfer.status_changed"
	if from == transfer.StatusNone {
		typ = "transfer.created"
	}
	if err := o.audit(r.VASPID, r.ID, typ, from, to, reason, data); err != nil {
		return err
	}
	if from != transfer.StatusNone {
		o.webhook(&r.Transfer.Transfer, "transfer.status_changed", from, to, reason)
	}
	o.moved = append(o.moved, moved{t: r.Transfer.Transfer, from: from, decidedBy: o.actor.Type})
	return nil
}

// deadline sets or clears the record's expiry: a transfer waiting on its counterparty gets one
// (kept while it moves between waiting statuses) and a timer job; any other has none.
func (o *op) deadline(r *rec) error {
	if !transfer.Waiting(r.Status) || !r.WeInitiated() {
		r.ExpiresAt = nil
		return nil
	}
	if r.ExpiresAt != nil {
		return nil
	}
	v, err := o.vasp(r.VASPID)
	if err != nil {
		return err
	}
	at := o.now.Add(v.Settings.Expiry())
	r.ExpiresAt = &at
	return o.enqueue(jobs.NewJob(JobExpire, "", expirePayload{VASPID: r.VASPID, TransferID: r.ID}, at, 10))
}

type expirePayload struct {
	VASPID     string `json:"vasp_id"`
	TransferID string `json:"transfer_id"`
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
