package engine

import (
	"context"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/transfer"
)

// UpdateInput changes a transfer that has not been sent (Notabene's txUpdate). Absent fields
// stay as they are.
type UpdateInput struct {
	Originator     *ivms.Originator  `json:"originator,omitempty"`
	Beneficiary    *ivms.Beneficiary `json:"beneficiary,omitempty"`
	CounterpartyID *string           `json:"counterparty_id,omitempty" doc:"The counterparty VASP (beneficiary VASP of a withdrawal, originating VASP of a deposit)."`
	OriginAddress  *string           `json:"origin_address,omitempty"`
	Memo           *string           `json:"memo,omitempty"`
	FiatValue      *FiatInput        `json:"fiat_value,omitempty"`
	CustomerName   *string           `json:"customer_name,omitempty" doc:"Our customer's KYC name, for name matching."`
}

// editable lists the statuses whose data may still change.
func editable(s transfer.Status) bool {
	switch s {
	case transfer.StatusNew, transfer.StatusMissingBeneficiaryData, transfer.StatusIncomplete, transfer.StatusWaitingForInformation:
		return true
	}
	return false
}

// Update changes a transfer's data and moves it on when the data became complete:
// MISSING_BENEFICIARY_DATA to NEW (then to its decision), INCOMPLETE to MISSING_BENEFICIARY_DATA
// or NEW, WAITING_FOR_INFORMATION to SENT when the new counterparty is reachable.
func (e *Engine) Update(ctx context.Context, actor audit.Actor, vaspID, id string, in UpdateInput) (*transfer.Transfer, error) {
	return e.act(ctx, actor, vaspID, id, func(o *op, r *rec) error {
		onlyName := in.CustomerName != nil && in.Originator == nil && in.Beneficiary == nil && in.CounterpartyID == nil &&
			in.OriginAddress == nil && in.Memo == nil && in.FiatValue == nil
		if !editable(r.Status) && !(onlyName && !r.Status.Final()) {
			return conflictf("a transfer in status %s can no longer be changed", r.Status)
		}
		var fe []FieldError
		if in.Originator != nil {
			fe = append(fe, validateOriginator(in.Originator, "originator", o.now)...)
		}
		if in.Beneficiary != nil {
			fe = append(fe, validateBeneficiary(in.Beneficiary, "beneficiary", o.now)...)
		}
		if in.OriginAddress != nil && *in.OriginAddress != "" {
			if err := e.addr.Validate(r.Asset.Network, *in.OriginAddress); err != nil {
				fe = append(fe, FieldError{Path: "origin_address", Code: "invalid_address", Message: err.Error()})
			}
		}
		if in.FiatValue != nil && (len(in.FiatValue.Currency) != 3 || in.FiatValue.Amount.IsNegative()) {
			fe = append(fe, FieldError{Path: "fiat_value", Code: "invalid", Message: "fiat_value needs an ISO 4217 currency and a non-negative amount"})
		}
		if in.CounterpartyID != nil && *in.CounterpartyID != "" {
			cp, err := o.tx.GetCounterparty(o.ctx, vaspID, *in.CounterpartyID)
			if isNotFound(err) {
				fe = append(fe, FieldError{Path: "counterparty_id", Code: "unknown_counterparty", Message: "no counterparty with this id in the directory"})
			} else if err != nil {
				return err
			} else {
				r.CounterpartyID = cp.ID
				if r.Direction == transfer.Outgoing {
					r.BeneficiaryVASP = counterpartyRef(cp)
				} else {
					r.OriginatingVASP = counterpartyRef(cp)
				}
			}
		}
		if len(fe) > 0 {
			return &ValidationError{Fields: fe}
		}
		idn, err := o.identity(r)
		if err != nil {
			return err
		}
		if in.Originator != nil {
			idn.Originator, r.idDirty = in.Originator, true
		}
		if in.Beneficiary != nil {
			idn.Beneficiary, r.idDirty = in.Beneficiary, true
		}
		if in.CustomerName != nil {
			idn.CustomerName, r.idDirty = *in.CustomerName, true
		}
		if in.OriginAddress != nil {
			r.OriginAddress = *in.OriginAddress
		}
		if in.Memo != nil {
			r.Memo = *in.Memo
		}
		if in.FiatValue != nil {
			r.FiatValue = &transfer.FiatValue{Currency: in.FiatValue.Currency, Amount: in.FiatValue.Amount, Source: "given"}
		}
		if err := o.audit(vaspID, r.ID, "transfer.updated", "", "", "", map[string]any{"fields": updatedFields(in)}); err != nil {
			return err
		}
		cp, err := o.counterparty(r)
		if err != nil {
			return err
		}
		required := []string(nil)
		if r.Threshold != nil {
			required = r.Threshold.RequiredBeneficiary
		}
		benComplete := idn.Beneficiary != nil && len(missingBeneficiary(idn.Beneficiary, required, "beneficiary")) == 0
		switch r.Status {
		case transfer.StatusMissingBeneficiaryData:
			if benComplete && idn.Originator != nil {
				if err := o.move(r, transfer.EventComplete, "", nil); err != nil {
					return err
				}
				if r.Direction == transfer.Outgoing {
					return e.decideOutgoing(o, r, cp)
				}
			}
		case transfer.StatusIncomplete:
			switch {
			case idn.Originator != nil && benComplete:
				return o.move(r, transfer.EventComplete, "", nil)
			case idn.Originator != nil:
				return o.move(r, transfer.EventPartial, "beneficiary data missing", nil)
			}
		case transfer.StatusWaitingForInformation:
			if in.CounterpartyID != nil && cp != nil {
				if rt, err := e.router.Choose(o.ctx, o.tx, vaspID, cp); err != nil {
					return err
				} else if rt != transfer.RouteNone {
					return e.send(o, r, cp)
				}
			}
		}
		return nil
	})
}

func updatedFields(in UpdateInput) []string {
	var f []string
	add := func(ok bool, name string) {
		if ok {
			f = append(f, name)
		}
	}
	add(in.Originator != nil, "originator")
	add(in.Beneficiary != nil, "beneficiary")
	add(in.CounterpartyID != nil, "counterparty_id")
	add(in.OriginAddress != nil, "origin_address")
	add(in.Memo != nil, "memo")
	add(in.FiatValue != nil, "fiat_value")
	add(in.CustomerName != nil, "customer_name")
	return f
}

// RouteAdded re-tries every transfer waiting for a route to a counterparty, after its routes
// changed. It returns how many it sent.
func (e *Engine) RouteAdded(ctx context.Context, actor audit.Actor, vaspID, counterpartyID string) (int, error) {
	waiting, err := e.store.Read().ListAwaitingRoute(ctx, vaspID, counterpartyID, 1000)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, w := range waiting {
		_, err := e.act(ctx, actor, vaspID, w.ID, func(o *op, r *rec) error {
			if r.Status != transfer.StatusWaitingForInformation {
				return errNoChange
			}
			cp, err := o.counterparty(r)
			if err != nil || cp == nil {
				return errNoChange
			}
			rt, err := e.router.Choose(o.ctx, o.tx, vaspID, cp)
			if err != nil {
				return err
			}
			if rt == transfer.RouteNone {
				return errNoChange
			}
			sent++
			return e.send(o, r, cp)
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
