package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/proof"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// VASPInput names the counterparty VASP of a new transfer: by directory id, by LEI, or (for a
// counterparty not in the directory) by name. Routing by address is tried when none is given.
type VASPInput struct {
	CounterpartyID string `json:"counterparty_id,omitempty" doc:"Directory id of the counterparty VASP."`
	LEI            string `json:"lei,omitempty" doc:"LEI of the counterparty VASP, looked up in the directory."`
	Name           string `json:"name,omitempty" doc:"Name of a counterparty VASP not in the directory."`
}

// FiatInput is a fiat value the caller gives.
type FiatInput struct {
	Currency string          `json:"currency" doc:"ISO 4217 code." example:"EUR"`
	Amount   decimal.Decimal `json:"amount" doc:"Decimal string."`
}

// CreateInput is a new outgoing transfer (a withdrawal).
type CreateInput struct {
	Ref                           string            `json:"ref,omitempty"`
	Asset                         transfer.Asset    `json:"asset"`
	Amount                        decimal.Decimal   `json:"amount"`
	FiatValue                     *FiatInput        `json:"fiat_value,omitempty"`
	OriginAddress                 string            `json:"origin_address,omitempty"`
	DestinationAddress            string            `json:"destination_address"`
	Memo                          string            `json:"memo,omitempty"`
	TxHash                        string            `json:"tx_hash,omitempty"`
	Originator                    *ivms.Originator  `json:"originator,omitempty"`
	Beneficiary                   *ivms.Beneficiary `json:"beneficiary,omitempty"`
	BeneficiaryVASP               *VASPInput        `json:"beneficiary_vasp,omitempty"`
	Unhosted                      bool              `json:"unhosted,omitempty"`
	SkipBeneficiaryDataValidation bool              `json:"skip_beneficiary_data_validation,omitempty"`
	// OwnershipProof proves the customer controls the unhosted destination; network and
	// address default to the transfer's.
	OwnershipProof *proof.Proof `json:"ownership_proof,omitempty"`
}

// Kinds of transfer, as Notabene's txValidate names them.
const (
	KindTravelRule     = "TRAVELRULE"
	KindBelowThreshold = "BELOW_THRESHOLD"
	KindNonCustodial   = "NON_CUSTODIAL"
	KindInternal       = "INTERNAL"
)

// Plan is what creating a transfer would do: the dry run's answer, and the create's basis.
type Plan struct {
	Valid              bool                       `json:"valid" doc:"Whether the transfer can be created as given."`
	Errors             []FieldError               `json:"errors,omitempty" doc:"Problems that would refuse the create."`
	MissingOriginator  []FieldError               `json:"missing_originator,omitempty" doc:"Originator fields the applicable jurisdictions require and the request lacks."`
	MissingBeneficiary []FieldError               `json:"missing_beneficiary,omitempty" doc:"Beneficiary fields the applicable jurisdictions require and the request lacks."`
	Kind               string                     `json:"kind" enum:"TRAVELRULE,BELOW_THRESHOLD,NON_CUSTODIAL,INTERNAL"`
	Threshold          *transfer.Threshold        `json:"threshold,omitempty"`
	Counterparty       *counterparty.Counterparty `json:"counterparty,omitempty"`
	CounterpartySource string                     `json:"counterparty_source,omitempty" doc:"How the counterparty was found: request, lei, hosted_wallet, confirmed_transfer, attribution_list."`
	Route              transfer.Route             `json:"route,omitempty" doc:"The route approval would use; empty when none reaches the counterparty."`
	Status             transfer.Status            `json:"status" doc:"The status the transfer would be created in."`
	Screening          []transfer.ScreeningResult `json:"screening,omitempty"`
	OwnershipProof     *transfer.OwnershipProof   `json:"ownership_proof,omitempty" doc:"The check of the ownership proof given, and whether a jurisdiction's unhosted-wallet rule requires one."`

	vasp  *vasp.VASP
	asset *store.Asset
	fiat  *transfer.FiatValue
	event transfer.Event
}

// plan validates a create request and works out what it would do, without writing.
func (e *Engine) plan(o *op, vaspID string, in *CreateInput) (*Plan, error) {
	p := &Plan{}
	v, err := o.vasp(vaspID)
	if err != nil {
		return nil, err
	}
	p.vasp = v
	bad := func(path, code, msg string) {
		p.Errors = append(p.Errors, FieldError{Path: path, Code: code, Message: msg})
	}

	// The chain side.
	in.Asset.Network = strings.ToLower(strings.TrimSpace(in.Asset.Network))
	in.Asset.Symbol = strings.ToUpper(strings.TrimSpace(in.Asset.Symbol))
	if in.Asset.Network == "" {
		bad("asset.network", "required", "network is required")
	}
	if in.Asset.Symbol == "" {
		bad("asset.symbol", "required", "symbol is required")
	}
	if in.Asset.Network != "" && in.Asset.Symbol != "" {
		a, err := o.asset(in.Asset.Network, in.Asset.Symbol)
		switch {
		case isNotFound(err):
			bad("asset", "unknown_asset", fmt.Sprintf("unknown asset %s on network %s", in.Asset.Symbol, in.Asset.Network))
		case err != nil:
			return nil, err
		default:
			p.asset = a
			if in.Asset.DTI == "" {
				in.Asset.DTI = a.DTI
			}
		}
	}
	switch {
	case !in.Amount.IsPositive():
		bad("amount", "invalid_amount", "amount must be a positive decimal")
	case p.asset != nil && -in.Amount.Exponent() > p.asset.Decimals:
		bad("amount", "invalid_amount", fmt.Sprintf("amount has more than the %d decimals of %s", p.asset.Decimals, p.asset.Symbol))
	}
	if in.FiatValue != nil {
		if len(in.FiatValue.Currency) != 3 || strings.ToUpper(in.FiatValue.Currency) != in.FiatValue.Currency {
			bad("fiat_value.currency", "invalid_currency", "currency must be an ISO 4217 code in upper case")
		}
		if in.FiatValue.Amount.IsNegative() {
			bad("fiat_value.amount", "invalid_amount", "amount must not be negative")
		}
	}
	if in.DestinationAddress == "" {
		bad("destination_address", "required", "destination_address is required")
	} else if p.asset != nil {
		// Only for a known asset: an unknown network is already reported with the asset, and
		// its name (the caller's input) must not come back in a message.
		if err := e.addr.Validate(in.Asset.Network, in.DestinationAddress); err != nil {
			bad("destination_address", "invalid_address", err.Error())
		}
	}
	if in.OriginAddress != "" && p.asset != nil {
		if err := e.addr.Validate(in.Asset.Network, in.OriginAddress); err != nil {
			bad("origin_address", "invalid_address", err.Error())
		}
	}
	if len(in.Memo) > 256 {
		bad("memo", "too_long", "memo is longer than 256 characters")
	}
	if len(in.TxHash) > 256 {
		bad("tx_hash", "too_long", "tx_hash is longer than 256 characters")
	}
	if len(in.Ref) > 128 {
		bad("ref", "too_long", "ref is longer than 128 characters")
	}

	// Identity.
	if in.Originator == nil {
		bad("originator", "required", "originator is required")
	} else {
		p.Errors = append(p.Errors, validateOriginator(in.Originator, "originator", o.now)...)
	}
	if in.Beneficiary != nil {
		p.Errors = append(p.Errors, validateBeneficiary(in.Beneficiary, "beneficiary", o.now)...)
	} else if !in.SkipBeneficiaryDataValidation {
		bad("beneficiary", "required", "beneficiary is required unless skip_beneficiary_data_validation is set")
	}

	// The counterparty, and whether the destination is ours or unhosted.
	own := false
	if in.DestinationAddress != "" && in.Asset.Network != "" {
		_, _, err := o.tx.FindWallet(o.ctx, vaspID, in.Asset.Network, e.addr.Key(in.Asset.Network, in.DestinationAddress))
		if err == nil {
			own = true
		} else if !isNotFound(err) {
			return nil, err
		}
	}
	if !in.Unhosted && !own {
		cp, src, err := e.resolveCounterparty(o, vaspID, in)
		if err != nil {
			if ve, ok := err.(*ValidationError); ok {
				p.Errors = append(p.Errors, ve.Fields...)
			} else {
				return nil, err
			}
		}
		p.Counterparty, p.CounterpartySource = cp, src
		if cp != nil && cp.HostedVASPID == vaspID {
			own = true
		}
	}

	// Threshold, with the stricter of our and the counterparty's jurisdictions.
	if p.asset != nil && in.Amount.IsPositive() {
		ours, theirs, rates, err := e.jurisdictions(o, v, p.Counterparty)
		if err != nil {
			return nil, err
		}
		var given *transfer.FiatValue
		if in.FiatValue != nil {
			given = &transfer.FiatValue{Currency: in.FiatValue.Currency, Amount: in.FiatValue.Amount, Source: "given"}
			p.fiat = given
		}
		thIn := policy.ThresholdInput{Ours: ours, Theirs: theirs, Asset: in.Asset, Amount: in.Amount, FiatValue: given}
		th := policy.EvaluateThreshold(thIn, rates)
		p.Threshold = &th
		e.checkProof(o, p, in, thIn, rates)
		if p.fiat == nil && th.Value != nil {
			p.fiat = th.Value
		}
	}

	switch {
	case own:
		p.Kind, p.event = KindInternal, transfer.EventSave
	case in.Unhosted:
		p.Kind, p.event = KindNonCustodial, transfer.EventSave
	case p.Threshold != nil && !p.Threshold.Applies:
		p.Kind, p.event = KindBelowThreshold, transfer.EventSave
	default:
		p.Kind, p.event = KindTravelRule, transfer.EventCreate
	}
	if p.event == transfer.EventCreate && p.Threshold != nil {
		if in.Originator != nil {
			p.MissingOriginator = missingOriginator(in.Originator, p.Threshold.RequiredOriginator, "originator")
		}
		if in.Beneficiary != nil || !in.SkipBeneficiaryDataValidation {
			p.MissingBeneficiary = missingBeneficiary(in.Beneficiary, p.Threshold.RequiredBeneficiary, "beneficiary")
		}
		p.Errors = append(p.Errors, p.MissingOriginator...)
		if in.SkipBeneficiaryDataValidation {
			if in.Beneficiary == nil || len(p.MissingBeneficiary) > 0 {
				p.event = transfer.EventCreatePartial
			}
		} else {
			p.Errors = append(p.Errors, p.MissingBeneficiary...)
		}
	}
	if p.event == transfer.EventCreate || p.event == transfer.EventCreatePartial {
		route, err := e.router.Choose(o.ctx, o.tx, vaspID, p.Counterparty)
		if err != nil {
			return nil, err
		}
		p.Route = route
	}
	p.Status, _ = transfer.Next(transfer.StatusNone, p.event)
	p.Valid = len(p.Errors) == 0
	return p, nil
}

// jurisdictions loads our jurisdiction row, the counterparty's, and the FX table.
func (e *Engine) jurisdictions(o *op, v *vasp.VASP, cp *counterparty.Counterparty) (ours, theirs *policy.Jurisdiction, rates *policy.Rates, err error) {
	get := o.jurisdiction
	if ours, err = get(v.Jurisdiction); err != nil {
		return
	}
	if ours == nil {
		if ours, err = get("FATF"); err != nil {
			return
		}
	}
	if cp != nil {
		code := cp.Jurisdiction
		if code == "" {
			code = policy.JurisdictionCode(cp.Country)
		}
		if theirs, err = get(code); err != nil {
			return
		}
	}
	rates, err = o.fxRates()
	return ours, theirs, rates, err
}

// resolveCounterparty finds the beneficiary VASP: from the request, else by routing.
func (e *Engine) resolveCounterparty(o *op, vaspID string, in *CreateInput) (*counterparty.Counterparty, string, error) {
	if bv := in.BeneficiaryVASP; bv != nil {
		switch {
		case bv.CounterpartyID != "":
			cp, err := o.tx.GetCounterparty(o.ctx, vaspID, bv.CounterpartyID)
			if isNotFound(err) {
				return nil, "", invalid("beneficiary_vasp.counterparty_id", "unknown_counterparty", "no counterparty with this id in the directory")
			}
			return cp, "request", err
		case bv.LEI != "":
			cp, err := o.tx.FindCounterpartyByLEI(o.ctx, vaspID, bv.LEI)
			if isNotFound(err) {
				return nil, "", nil
			}
			return cp, "lei", err
		}
	}
	if in.DestinationAddress == "" || in.Asset.Network == "" {
		return nil, "", nil
	}
	r, err := e.lookupRoute(o.ctx, o.tx, vaspID, in.Asset.Network, in.DestinationAddress)
	if err != nil || r == nil || r.Counterparty == nil {
		return nil, "", err
	}
	return r.Counterparty, r.Source, nil
}

// Validate is the dry run of Create: what is missing for both jurisdictions, the threshold, the
// route and the status the transfer would get. It changes nothing.
func (e *Engine) Validate(ctx context.Context, vaspID string, in CreateInput) (*Plan, error) {
	var p *Plan
	err := e.store.InTx(ctx, func(tx store.Tx) error {
		o := &op{e: e, ctx: ctx, tx: tx, now: e.Now(), vasps: map[string]*vasp.VASP{}}
		var err error
		p, err = e.plan(o, vaspID, &in)
		if err == nil && p.Valid && e.assessor != nil {
			t := e.draft(o, p, vaspID, &in)
			if err := e.assessor.Assess(ctx, tx, &DecisionInput{Point: PointOutgoingCreated, VASP: p.vasp, Transfer: t, Counterparty: p.Counterparty}); err != nil {
				return err
			}
			p.Screening = t.Screening
		}
		return err
	})
	return p, err
}

// requestHash is the idempotency fingerprint of a create request.
func requestHash(v any) string {
	b, _ := json.Marshal(v)
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// draft builds the transfer a plan describes (not yet stored).
func (e *Engine) draft(o *op, p *Plan, vaspID string, in *CreateInput) *transfer.Transfer {
	t := &transfer.Transfer{
		ID: e.newID(), VASPID: vaspID, Ref: in.Ref, MessageID: e.newID(), Direction: transfer.Outgoing,
		Initiator: transfer.InitiatorOriginator, PostTransaction: in.TxHash != "", Asset: in.Asset, Amount: in.Amount,
		FiatValue: p.fiat, OriginAddress: in.OriginAddress, DestinationAddress: in.DestinationAddress, Memo: in.Memo,
		TxHash: in.TxHash, Unhosted: in.Unhosted, Originator: in.Originator, Beneficiary: in.Beneficiary,
		OriginatingVASP: vaspRefOf(p.vasp), Threshold: p.Threshold, CreatedAt: o.now, UpdatedAt: o.now,
		Kind: p.Kind, OwnershipProof: p.OwnershipProof,
	}
	if p.Counterparty != nil {
		t.CounterpartyID = p.Counterparty.ID
		t.BeneficiaryVASP = counterpartyRef(p.Counterparty)
	} else if in.BeneficiaryVASP != nil && (in.BeneficiaryVASP.Name != "" || in.BeneficiaryVASP.LEI != "") {
		t.BeneficiaryVASP = &transfer.VASPRef{Name: in.BeneficiaryVASP.Name, LEI: in.BeneficiaryVASP.LEI}
	}
	return t
}

func vaspRefOf(v *vasp.VASP) *transfer.VASPRef {
	return &transfer.VASPRef{ID: v.ID, Name: v.Name, LEI: v.LEI, Country: v.Country}
}

func counterpartyRef(c *counterparty.Counterparty) *transfer.VASPRef {
	return &transfer.VASPRef{ID: c.ID, Name: c.Name, LEI: c.LEI, Country: c.Country}
}

// Create creates an outgoing transfer and takes it as far as decisions allow (SAVED, NEW held
// for review, or SENT). A ref already used with the same request returns the existing transfer
// (created false); with another request it is a *ConflictError.
func (e *Engine) Create(ctx context.Context, actor audit.Actor, vaspID string, in CreateInput) (t *transfer.Transfer, created bool, err error) {
	hash := requestHash(in)
	err = e.do(ctx, actor, func(o *op) error {
		if in.Ref != "" {
			prev, err := o.tx.GetTransferByRef(o.ctx, vaspID, in.Ref)
			if err == nil {
				if prev.RequestHash != hash {
					return conflictf("this ref was already used with a different request")
				}
				r := &rec{Transfer: prev, prev: prev.Version}
				t, err = o.full(r)
				return err
			}
			if !isNotFound(err) {
				return err
			}
		}
		p, err := e.plan(o, vaspID, &in)
		if err != nil {
			return err
		}
		if !p.Valid {
			return &ValidationError{Fields: p.Errors}
		}
		d := e.draft(o, p, vaspID, &in)
		r := &rec{Transfer: &store.Transfer{Transfer: *d, RequestHash: hash,
			DestinationKey: e.addr.Key(in.Asset.Network, in.DestinationAddress)}, isNew: true,
			id: &identity{Originator: in.Originator, Beneficiary: in.Beneficiary, Proof: in.OwnershipProof}, idDirty: true}
		r.Transfer.Originator, r.Transfer.Beneficiary = nil, nil
		if p.event == transfer.EventSave {
			// Kept without an exchange, but decided: a policy may still stop it.
			if err := e.keep(o, r, p); err != nil {
				return err
			}
		} else {
			reason := ""
			if p.event == transfer.EventCreatePartial {
				reason = "beneficiary data missing"
			}
			if err := o.move(r, p.event, reason, map[string]any{"kind": p.Kind}); err != nil {
				return err
			}
			o.webhook(&r.Transfer.Transfer, "transfer.created", "", r.Status, reason)
			if r.Status == transfer.StatusNew {
				if err := e.decideOutgoing(o, r, p.Counterparty); err != nil {
					return err
				}
			}
		}
		if err := o.save(r); err != nil {
			return err
		}
		created = true
		t, err = o.full(r)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return t, created, nil
}
