package trisa

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/trisacrypto/trisa/pkg/ivms101"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	generic "github.com/trisacrypto/trisa/pkg/trisa/data/generic/v1beta1"
	"google.golang.org/protobuf/proto"

	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// Message history: every envelope of a transfer's exchange is kept in the messages table, sealed
// under the VASP's data key with the keyring, never as clear text: the envelopes that carry a
// message in their unsealed form (ciphertext, HMAC and the secrets that open them: byte for byte
// what both sides hold), the acknowledgements we did not need to open as they came, sealed for
// our key. Rows have ids derived from the message they record, so a retry records nothing twice.

type histRow struct {
	vaspID, transferID string
	// key identifies the message among the VASP's (direction and message), for the row id.
	key    string
	dir    string // in or out
	kind   string
	detail string
	env    *api.SecureEnvelope
}

func rowID(vaspID, key string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:waybill:trisa-envelope:"+vaspID+"/"+key)).String()
}

func envelopeAAD(id string) []byte { return []byte("trisa-envelope/" + id) }

// record keeps one envelope; failures are logged, not returned: the message itself went
// through.
func (a *Adapter) record(ctx context.Context, r histRow) {
	if r.transferID == "" || r.env == nil {
		return
	}
	if err := a.recordErr(ctx, r); err != nil {
		a.log.Warn("trisa: could not keep an envelope", "vasp_id", r.vaspID, "transfer_id", r.transferID, "err", err)
	}
}

func (a *Adapter) recordErr(ctx context.Context, r histRow) error {
	id := rowID(r.vaspID, r.key)
	b, err := proto.Marshal(r.env)
	if err != nil {
		return err
	}
	sealed, err := a.keys.Seal(ctx, r.vaspID, envelopeAAD(id), b)
	if err != nil {
		return err
	}
	state := "received"
	if r.dir == "out" {
		state = "sent"
	}
	now := a.stamp()
	err = a.store.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateMessage(ctx, &store.Message{ID: id, VASPID: r.vaspID, TransferID: r.transferID, Direction: r.dir,
			Route: string(transfer.RouteTRISA), Kind: r.kind, State: state, Detail: r.detail, Sealed: sealed, CreatedAt: now, UpdatedAt: now})
	})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

// stamp is the time of a history row: the clock, moved past the previous row's so that rows
// this process writes keep their order even when the clock does not move.
func (a *Adapter) stamp() time.Time {
	now := a.clock().Truncate(time.Microsecond)
	a.mu.Lock()
	defer a.mu.Unlock()
	if !now.After(a.lastStamp) {
		now = a.lastStamp.Add(time.Microsecond)
	}
	a.lastStamp = now
	return now
}

// Envelope is one envelope of a transfer's exchange as kept at rest, opened.
type Envelope struct {
	Message  store.Message
	Envelope *api.SecureEnvelope
	// Payload is the decrypted payload; nil for error envelopes.
	Payload *api.Payload
}

// History returns the TRISA envelopes of a transfer, oldest first, opened with the VASP's data
// key (for the transfer's record and for audits: the HMACs are those both sides hold).
func (a *Adapter) History(ctx context.Context, vaspID, transferID string) ([]Envelope, error) {
	rows, err := a.store.Read().ListMessages(ctx, vaspID, transferID)
	if err != nil {
		return nil, err
	}
	var out []Envelope
	for _, m := range rows {
		if m.Route != string(transfer.RouteTRISA) || len(m.Sealed) == 0 {
			continue
		}
		env, p, err := a.openRow(ctx, &m)
		if err != nil {
			return nil, fmt.Errorf("trisa envelope %s: %w", m.ID, err)
		}
		out = append(out, Envelope{Message: m, Envelope: env, Payload: p})
	}
	return out, nil
}

func (a *Adapter) openRow(ctx context.Context, m *store.Message) (*api.SecureEnvelope, *api.Payload, error) {
	b, err := a.keys.Open(ctx, m.VASPID, envelopeAAD(m.ID), m.Sealed)
	if err != nil {
		return nil, nil, err
	}
	env := &api.SecureEnvelope{}
	if err := proto.Unmarshal(b, env); err != nil {
		return nil, nil, err
	}
	if len(env.Payload) == 0 {
		return env, nil, nil
	}
	if env.Sealed {
		// An acknowledgement kept as it came: sealed for our key.
		p, _, rej := Open(env, a.id.sealing)
		if rej != nil {
			return nil, nil, rej
		}
		return env, p, nil
	}
	p, err := openUnsealed(env)
	if err != nil {
		return nil, nil, err
	}
	return env, p, nil
}

// lastTransaction returns the identity and transaction of the latest envelope of a transfer
// that carried a Transaction (the inquiry or request, or an answer echoing it), for the echoes
// TRISA's later envelopes carry. Both are nil when none was kept.
func (a *Adapter) lastTransaction(ctx context.Context, vaspID, transferID string) (*ivms101.IdentityPayload, *generic.Transaction) {
	rows, err := a.store.Read().ListMessages(ctx, vaspID, transferID)
	if err != nil {
		a.log.Warn("trisa: could not read the envelopes of a transfer", "transfer_id", transferID, "err", err)
		return nil, nil
	}
	for i := len(rows) - 1; i >= 0; i-- {
		m := &rows[i]
		if m.Route != string(transfer.RouteTRISA) || len(m.Sealed) == 0 || m.Kind == "reply" {
			continue // acknowledgements repeat what the envelopes they answer carry
		}
		_, p, err := a.openRow(ctx, m)
		if err != nil || p == nil {
			continue
		}
		c, rej := readPayload(p)
		if rej != nil || c.transaction == nil {
			continue
		}
		return c.identity, c.transaction
	}
	return nil, nil
}
