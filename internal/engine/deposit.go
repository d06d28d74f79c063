package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/webhook"
)

// DepositInput is a deposit notification from the backend (Notabene's txNotify).
type DepositInput struct {
	Ref                string          `json:"ref,omitempty"`
	TxHash             string          `json:"tx_hash"`
	Asset              transfer.Asset  `json:"asset"`
	Amount             decimal.Decimal `json:"amount"`
	DestinationAddress string          `json:"destination_address"`
	OriginAddress      string          `json:"origin_address,omitempty"`
	Memo               string          `json:"memo,omitempty"`
	CounterpartyID     string          `json:"counterparty_id,omitempty" doc:"The originating VASP, when known."`
}

// NotifyDeposit records a deposit. It attaches the chain hash to the transfer already received
// for it (by hash, else by asset, destination and amount within the VASP's window), completing
// an accepted one; otherwise it creates an INCOMPLETE incoming transfer and sends
// deposit.unmatched. The same ref and body return the first result.
func (e *Engine) NotifyDeposit(ctx context.Context, actor audit.Actor, vaspID string, in DepositInput) (*transfer.Deposit, bool, error) {
	in.Asset.Network = strings.ToLower(strings.TrimSpace(in.Asset.Network))
	in.Asset.Symbol = strings.ToUpper(strings.TrimSpace(in.Asset.Symbol))
	hash := requestHash(in)
	var out *transfer.Deposit
	created := false
	err := e.do(ctx, actor, func(o *op) error {
		if in.Ref != "" {
			d, h, err := o.tx.GetDepositByRef(o.ctx, vaspID, in.Ref)
			if err == nil {
				if h != hash {
					return conflictf("this ref was already used with a different request")
				}
				out = d
				return nil
			}
			if !isNotFound(err) {
				return err
			}
		}
		if err := e.validateDeposit(o, vaspID, &in); err != nil {
			return err
		}
		v, err := o.vasp(vaspID)
		if err != nil {
			return err
		}
		d := &transfer.Deposit{ID: e.newID(), VASPID: vaspID, Ref: in.Ref, TxHash: in.TxHash, Asset: in.Asset,
			Amount: in.Amount, DestinationAddress: in.DestinationAddress, OriginAddress: in.OriginAddress, Memo: in.Memo,
			CounterpartyID: in.CounterpartyID, CreatedAt: o.now}
		destKey := e.addr.Key(in.Asset.Network, in.DestinationAddress)
		m, how, err := o.tx.MatchDeposit(o.ctx, store.DepositMatch{VASPID: vaspID, TxHash: in.TxHash, Network: in.Asset.Network,
			Symbol: in.Asset.Symbol, Destination: destKey, Amount: in.Amount, Since: o.now.Add(-v.Settings.DepositMatchWindow())})
		switch {
		case err == nil:
			r := &rec{Transfer: m, prev: m.Version}
			d.TransferID, d.Match = r.ID, how
			if r.Status.Final() {
				// The movement is already settled (or was refused): link the deposit, change nothing.
				if err := o.audit(vaspID, r.ID, "transfer.deposit_linked", "", "", "", map[string]any{"match": how, "deposit_id": d.ID, "status": r.Status}); err != nil {
					return err
				}
				break
			}
			r.TxHash = in.TxHash
			if r.Status == transfer.StatusAccepted {
				if err := o.move(r, transfer.EventTxHash, "", map[string]any{"match": how}); err != nil {
					return err
				}
			} else if err := o.audit(vaspID, r.ID, "transfer.tx_hash_attached", "", "", "", map[string]any{"match": how, "deposit_id": d.ID}); err != nil {
				return err
			}
			if err := o.save(r); err != nil {
				return err
			}
		case isNotFound(err):
			t := transfer.Transfer{ID: e.newID(), VASPID: vaspID, MessageID: e.newID(), Direction: transfer.Incoming,
				Initiator: transfer.InitiatorBeneficiary, PostTransaction: true, Asset: in.Asset, Amount: in.Amount,
				OriginAddress: in.OriginAddress, DestinationAddress: in.DestinationAddress, Memo: in.Memo, TxHash: in.TxHash,
				BeneficiaryVASP: vaspRefOf(v), CounterpartyID: in.CounterpartyID, CreatedAt: o.now}
			if in.CounterpartyID != "" {
				cp, err := o.tx.GetCounterparty(o.ctx, vaspID, in.CounterpartyID)
				if err != nil {
					return err
				}
				t.OriginatingVASP = counterpartyRef(cp)
			}
			r := &rec{Transfer: &store.Transfer{Transfer: t, DestinationKey: destKey}, isNew: true, id: &identity{}}
			if err := o.move(r, transfer.EventNotify, "deposit matched no Travel Rule message", map[string]any{"deposit_id": d.ID}); err != nil {
				return err
			}
			o.webhook(&r.Transfer.Transfer, webhook.TransferCreated, "", r.Status, "deposit matched no Travel Rule message")
			if err := o.save(r); err != nil {
				return err
			}
			d.TransferID, d.Match = r.ID, "none"
			o.depositEvent(d)
		default:
			return err
		}
		if err := o.tx.CreateDeposit(o.ctx, d, hash); err != nil {
			return err
		}
		out, created = d, true
		return nil
	})
	return out, created, err
}

func (e *Engine) validateDeposit(o *op, vaspID string, in *DepositInput) error {
	var fe []FieldError
	bad := func(path, code, msg string) { fe = append(fe, FieldError{Path: path, Code: code, Message: msg}) }
	if in.TxHash == "" || len(in.TxHash) > 256 {
		bad("tx_hash", "required", "tx_hash is required (1 to 256 characters)")
	}
	if !in.Amount.IsPositive() {
		bad("amount", "invalid_amount", "amount must be a positive decimal")
	}
	a, err := o.asset(in.Asset.Network, in.Asset.Symbol)
	switch {
	case isNotFound(err):
		bad("asset", "unknown_asset", fmt.Sprintf("unknown asset %s on network %s", in.Asset.Symbol, in.Asset.Network))
	case err != nil:
		return err
	case -in.Amount.Exponent() > a.Decimals:
		bad("amount", "invalid_amount", fmt.Sprintf("amount has more than the %d decimals of %s", a.Decimals, a.Symbol))
	}
	if in.DestinationAddress == "" {
		bad("destination_address", "required", "destination_address is required")
	} else if err := e.addr.Validate(in.Asset.Network, in.DestinationAddress); in.Asset.Network != "" && err != nil {
		bad("destination_address", "invalid_address", err.Error())
	}
	if in.OriginAddress != "" && in.Asset.Network != "" {
		if err := e.addr.Validate(in.Asset.Network, in.OriginAddress); err != nil {
			bad("origin_address", "invalid_address", err.Error())
		}
	}
	if in.CounterpartyID != "" {
		if _, err := o.tx.GetCounterparty(o.ctx, vaspID, in.CounterpartyID); isNotFound(err) {
			bad("counterparty_id", "unknown_counterparty", "no counterparty with this id in the directory")
		} else if err != nil {
			return err
		}
	}
	if len(fe) > 0 {
		return &ValidationError{Fields: fe}
	}
	return nil
}
