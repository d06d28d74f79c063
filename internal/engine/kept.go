package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/proof"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/webhook"
)

// PointOutgoingKept is a new withdrawal that needs no Travel Rule exchange (below the
// threshold, to an unhosted wallet, between two customers of the VASP). It is decided too, so
// that a sanctioned or otherwise unwanted destination is stopped even when nothing would be
// sent: approve keeps it (SAVED), reject cancels it, review and not_ready hold it in NEW until a
// person approves (SAVED) or cancels it.
const PointOutgoingKept = "outgoing_kept"

// kept reports whether a withdrawal of this kind is kept without an exchange.
func kept(kind string) bool {
	return kind == KindBelowThreshold || kind == KindNonCustodial || kind == KindInternal
}

// keptReason is the status reason of a kept withdrawal.
func keptReason(t *transfer.Transfer) string {
	switch t.Kind {
	case KindInternal:
		return "same_vasp: both customers are ours"
	case KindNonCustodial:
		return "unhosted_wallet: the destination is self-custodied"
	case KindBelowThreshold:
		if t.Threshold != nil {
			return "below_threshold: " + t.Threshold.Reason
		}
		return "below_threshold"
	}
	return ""
}

// keep creates a withdrawal that needs no exchange, after its decision: SAVED when approved,
// CANCELLED when rejected, NEW held for a person otherwise.
func (e *Engine) keep(o *op, r *rec, p *Plan) error {
	d, err := e.decide(o, r, PointOutgoingKept, p.Counterparty)
	if err != nil {
		return err
	}
	reason := keptReason(&r.Transfer.Transfer)
	data := map[string]any{"kind": p.Kind}
	switch d.Action {
	case ActionApprove, ActionNone:
		return o.as(deciderActor(d), func() error {
			if err := o.move(r, transfer.EventSave, reason, data); err != nil {
				return err
			}
			o.webhook(&r.Transfer.Transfer, webhook.TransferCreated, "", r.Status, reason)
			return nil
		})
	}
	if err := o.move(r, transfer.EventCreate, reason, data); err != nil {
		return err
	}
	o.webhook(&r.Transfer.Transfer, webhook.TransferCreated, "", r.Status, reason)
	return o.as(deciderActor(d), func() error {
		if d.Action == ActionReject {
			return o.move(r, transfer.EventCancel, "rejected: "+d.Reason, nil)
		}
		o.webhook(&r.Transfer.Transfer, webhook.TransferReviewRequired, "", r.Status, reasonOr(d.Reason, "held for review"))
		return nil
	})
}

// release carries out the approval of a NEW withdrawal: a kept one is saved, any other is sent
// to its counterparty.
func (e *Engine) release(o *op, r *rec, cp *counterparty.Counterparty) error {
	if r.Direction == transfer.Outgoing && r.Initiator != transfer.InitiatorBeneficiary && kept(r.Kind) && r.Status == transfer.StatusNew {
		return o.move(r, transfer.EventSave, keptReason(&r.Transfer.Transfer), map[string]any{"kind": r.Kind})
	}
	return e.send(o, r, cp)
}

// checkProof verifies the ownership proof given with a withdrawal and applies the
// unhosted-wallet rule of the jurisdictions: above a rule's threshold, a withdrawal to an
// unhosted wallet needs a proof that verifies. It adds problems to the plan and records the
// check.
func (e *Engine) checkProof(o *op, p *Plan, in *CreateInput, th policy.ThresholdInput, rates *policy.Rates) {
	required, rule := false, ""
	if in.Unhosted {
		required, rule = policy.UnhostedProofRule(th, rates)
	}
	bad := func(path, code, msg string) {
		p.Errors = append(p.Errors, FieldError{Path: path, Code: code, Message: msg})
	}
	pr := in.OwnershipProof
	if pr == nil {
		if required {
			bad("ownership_proof", "required", "a proof that the customer controls the unhosted destination is required ("+rule+
				"): give an eip191, bip137 or bip322 signed message, or a declaration")
		}
		return
	}
	if pr.Network == "" {
		pr.Network = in.Asset.Network
	}
	if pr.Address == "" {
		pr.Address = in.DestinationAddress
	}
	if pr.Network != in.Asset.Network {
		bad("ownership_proof.network", "invalid_proof", "the proof must be for the transfer's network")
		return
	}
	if e.addr.Key(pr.Network, pr.Address) != e.addr.Key(in.Asset.Network, in.DestinationAddress) {
		bad("ownership_proof.address", "address_mismatch", "the proof must be about the destination address")
		return
	}
	res, err := proof.Verify(*pr)
	if err != nil {
		var fe *proof.FieldError
		if errors.As(err, &fe) {
			bad("ownership_proof."+fe.Field, "invalid_proof", fe.Reason)
		} else {
			bad("ownership_proof", "invalid_proof", "the proof cannot be checked")
		}
		return
	}
	p.OwnershipProof = &transfer.OwnershipProof{Type: string(res.Type), Address: pr.Address, Verified: res.Verified,
		Method: res.Method, Strength: string(res.Strength), Reason: res.Reason, Required: required, Rule: rule, VerifiedAt: o.now}
	if !res.Verified {
		bad("ownership_proof", "proof_not_verified", fmt.Sprintf("the %s proof does not verify: %s", res.Type, strings.TrimSuffix(res.Reason, ".")))
	}
}
