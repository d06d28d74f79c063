package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/proof"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// TransferView is a transfer as the API returns it: the record, the actions its VASP may take
// now, and on request its audit trail.
type TransferView struct {
	transfer.Transfer
	Actions []string      `json:"actions" doc:"What you may do with the transfer now, as action endpoint names (approve, cancel, confirm, reject, accept, decline, not-ready, tx-hash, request, update)."`
	Events  []audit.Event `json:"events,omitempty" doc:"The audit trail, oldest first (with include=events)."`
}

func view(t *transfer.Transfer) *TransferView {
	return &TransferView{Transfer: *t, Actions: actions(t)}
}

func actions(t *transfer.Transfer) []string {
	a := engine.Actions(t)
	if a == nil {
		a = []string{}
	}
	return a
}

// FiatBody is a fiat value a request gives.
type FiatBody struct {
	Currency string `json:"currency" minLength:"3" maxLength:"3" doc:"ISO 4217 code, upper case." example:"EUR"`
	Amount   string `json:"amount" pattern:"^[0-9]{1,40}(\\.[0-9]{1,30})?$" doc:"Decimal string." example:"1250.00"`
}

func (f *FiatBody) input() *engine.FiatInput {
	if f == nil {
		return nil
	}
	a, _ := decimal.NewFromString(f.Amount)
	return &engine.FiatInput{Currency: f.Currency, Amount: a}
}

// CreateTransferBody is a new outgoing transfer (a withdrawal).
type CreateTransferBody struct {
	Ref                           string            `json:"ref,omitempty" maxLength:"128" doc:"Your reference, unique per VASP: the idempotency key." example:"wd-2026-000123"`
	Asset                         transfer.Asset    `json:"asset"`
	Amount                        string            `json:"amount" pattern:"^[0-9]{1,40}(\\.[0-9]{1,30})?$" doc:"Decimal string in whole units of the asset, positive, with at most the asset's decimals." example:"0.25"`
	FiatValue                     *FiatBody         `json:"fiat_value,omitempty" doc:"The value in fiat, when your backend knows it; otherwise it is converted with the FX table."`
	OriginAddress                 string            `json:"origin_address,omitempty" maxLength:"256" doc:"The address the funds leave from."`
	DestinationAddress            string            `json:"destination_address" maxLength:"256" doc:"The address the funds go to."`
	Memo                          string            `json:"memo,omitempty" maxLength:"256" doc:"Memo or destination tag."`
	TxHash                        string            `json:"tx_hash,omitempty" maxLength:"256" doc:"The chain hash, when the transaction is already broadcast (post-transaction): the transfer completes on acceptance."`
	Originator                    OriginatorJSON    `json:"originator,omitempty" doc:"Your customer, the originator (IVMS101)."`
	Beneficiary                   BeneficiaryJSON   `json:"beneficiary,omitempty" doc:"The beneficiary (IVMS101). Required unless skip_beneficiary_data_validation is set."`
	BeneficiaryVASP               *engine.VASPInput `json:"beneficiary_vasp,omitempty" doc:"The beneficiary VASP; when absent it is found by address routing."`
	Unhosted                      bool              `json:"unhosted,omitempty" doc:"The destination is a self-custodied wallet: the transfer is SAVED, not transmitted."`
	SkipBeneficiaryDataValidation bool              `json:"skip_beneficiary_data_validation,omitempty" doc:"Create without complete beneficiary data: the transfer waits in MISSING_BENEFICIARY_DATA for an update."`
	OwnershipProof                *proof.Proof      `json:"ownership_proof,omitempty" doc:"Proof that your customer controls the unhosted destination (eip191, bip137, bip322 or declaration); network and address default to the transfer's. Required above a jurisdiction's unhosted-wallet threshold (EU: EUR 1,000)."`
}

func (b *CreateTransferBody) input(ctx context.Context) (engine.CreateInput, error) {
	in := engine.CreateInput{Ref: b.Ref, Asset: b.Asset, FiatValue: b.FiatValue.input(), OriginAddress: b.OriginAddress,
		DestinationAddress: b.DestinationAddress, Memo: b.Memo, TxHash: b.TxHash, BeneficiaryVASP: b.BeneficiaryVASP,
		Unhosted: b.Unhosted, SkipBeneficiaryDataValidation: b.SkipBeneficiaryDataValidation, OwnershipProof: b.OwnershipProof}
	in.Amount, _ = decimal.NewFromString(b.Amount)
	var err error
	if in.Originator, err = decodeOriginator(ctx, b.Originator, "originator"); err != nil {
		return in, err
	}
	if in.Beneficiary, err = decodeBeneficiary(ctx, b.Beneficiary, "beneficiary"); err != nil {
		return in, err
	}
	return in, nil
}

type createTransferInput struct {
	Body CreateTransferBody
}

type transferOutput struct {
	Status int
	Body   *TransferView
}

func (s *server) createTransfer(ctx context.Context, in *createTransferInput) (*transferOutput, error) {
	p := who(ctx)
	ci, err := in.Body.input(ctx)
	if err != nil {
		return nil, err
	}
	t, created, err := s.eng.Create(ctx, p.actor(), p.VASPID, ci)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	return &transferOutput{Status: status, Body: view(t)}, nil
}

type validateTransferInput struct {
	Body CreateTransferBody
}

type planOutput struct {
	Body *engine.Plan
}

func (s *server) validateTransfer(ctx context.Context, in *validateTransferInput) (*planOutput, error) {
	p := who(ctx)
	ci, err := in.Body.input(ctx)
	if err != nil {
		return nil, err
	}
	plan, err := s.eng.Validate(ctx, p.VASPID, ci)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &planOutput{Body: plan}, nil
}

type listTransfersInput struct {
	Cursor         string    `query:"cursor" maxLength:"64" doc:"next_cursor of the previous page."`
	Limit          int       `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Page size."`
	Status         []string  `query:"status,explode" enum:"NEW,MISSING_BENEFICIARY_DATA,INCOMPLETE,SAVED,WAITING_FOR_INFORMATION,SENT,NOT_READY,ACK,REJECTED,ACCEPTED,DECLINED,CANCELLED,COMPLETED" doc:"Only these statuses (repeat the parameter for several)."`
	Direction      string    `query:"direction" enum:"outgoing,incoming" doc:"Only withdrawals (outgoing) or deposits (incoming)."`
	Network        string    `query:"network" maxLength:"64" doc:"Only this network."`
	Symbol         string    `query:"symbol" maxLength:"32" doc:"Only this asset symbol."`
	CounterpartyID string    `query:"counterparty_id" maxLength:"64" doc:"Only transfers with this counterparty."`
	CreatedAfter   time.Time `query:"created_after" doc:"Only transfers created at or after this time (RFC 3339)."`
	CreatedBefore  time.Time `query:"created_before" doc:"Only transfers created before this time (RFC 3339)."`
	Q              string    `query:"q" maxLength:"256" doc:"Exact match on ref, id, message id, chain hash, or either address."`
	Order          string    `query:"order" enum:"newest,oldest" default:"newest" doc:"newest first (default) or oldest first (the review inbox)."`
}

// TransferPage is one page of transfers.
type TransferPage struct {
	Items      []*TransferView `json:"items"`
	NextCursor string          `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page."`
}

type transferPageOutput struct {
	Body *TransferPage
}

func (s *server) listTransfers(ctx context.Context, in *listTransfersInput) (*transferPageOutput, error) {
	p := who(ctx)
	f := store.TransferFilter{VASPID: p.VASPID, Direction: transfer.Direction(in.Direction), Network: in.Network,
		Symbol: in.Symbol, CounterpartyID: in.CounterpartyID, CreatedAfter: in.CreatedAfter, CreatedBefore: in.CreatedBefore,
		Query: in.Q, After: in.Cursor, OldestFirst: in.Order == "oldest", Limit: clampLimit(in.Limit)}
	for _, st := range in.Status {
		f.Statuses = append(f.Statuses, transfer.Status(st))
	}
	list, err := s.st.Read().ListTransfers(ctx, f)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	page := &TransferPage{Items: make([]*TransferView, 0, len(list))}
	for i := range list {
		page.Items = append(page.Items, view(&list[i].Transfer))
	}
	if len(list) == f.Limit {
		page.NextCursor = list[len(list)-1].ID
	}
	return &transferPageOutput{Body: page}, nil
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 500:
		return 500
	}
	return n
}

type getTransferInput struct {
	ID      string `path:"id" maxLength:"64" doc:"Transfer id."`
	Include string `query:"include" enum:"events" doc:"events: add the audit trail."`
}

type viewOutput struct {
	Body *TransferView
}

func (s *server) getTransfer(ctx context.Context, in *getTransferInput) (*viewOutput, error) {
	p := who(ctx)
	t, err := s.eng.Get(ctx, p.VASPID, in.ID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	v := view(t)
	if in.Include == "events" {
		if v.Events, err = s.eng.Events(ctx, p.VASPID, in.ID); err != nil {
			return nil, s.problemFor(ctx, err)
		}
	}
	return &viewOutput{Body: v}, nil
}

type idInput struct {
	ID string `path:"id" maxLength:"64" doc:"Record id."`
}

// EventList is a transfer's audit trail.
type EventList struct {
	Items []audit.Event `json:"items"`
}

type eventsOutput struct {
	Body *EventList
}

func (s *server) transferEvents(ctx context.Context, in *idInput) (*eventsOutput, error) {
	p := who(ctx)
	evs, err := s.eng.Events(ctx, p.VASPID, in.ID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	if evs == nil {
		evs = []audit.Event{}
	}
	return &eventsOutput{Body: &EventList{Items: evs}}, nil
}

// UpdateTransferBody changes a transfer that has not been sent; absent fields stay as they are.
type UpdateTransferBody struct {
	Originator     OriginatorJSON  `json:"originator,omitempty" doc:"The originator (IVMS101), replacing the stored one."`
	Beneficiary    BeneficiaryJSON `json:"beneficiary,omitempty" doc:"The beneficiary (IVMS101), replacing the stored one."`
	CounterpartyID *string         `json:"counterparty_id,omitempty" maxLength:"64" doc:"The counterparty VASP (beneficiary VASP of a withdrawal, originating VASP of a deposit)."`
	OriginAddress  *string         `json:"origin_address,omitempty" maxLength:"256" doc:"The address the funds leave from."`
	Memo           *string         `json:"memo,omitempty" maxLength:"256" doc:"Memo or destination tag."`
	FiatValue      *FiatBody       `json:"fiat_value,omitempty" doc:"The value in fiat."`
	CustomerName   *string         `json:"customer_name,omitempty" maxLength:"200" doc:"Your customer's KYC name, for name matching (encrypted at rest)."`
}

type updateTransferInput struct {
	ID   string `path:"id" maxLength:"64" doc:"Transfer id."`
	Body UpdateTransferBody
}

func (s *server) updateTransfer(ctx context.Context, in *updateTransferInput) (*viewOutput, error) {
	p := who(ctx)
	b := in.Body
	ui := engine.UpdateInput{CounterpartyID: b.CounterpartyID, OriginAddress: b.OriginAddress, Memo: b.Memo,
		FiatValue: b.FiatValue.input(), CustomerName: b.CustomerName}
	var err error
	if ui.Originator, err = decodeOriginator(ctx, b.Originator, "originator"); err != nil {
		return nil, err
	}
	if ui.Beneficiary, err = decodeBeneficiary(ctx, b.Beneficiary, "beneficiary"); err != nil {
		return nil, err
	}
	t, err := s.eng.Update(ctx, p.actor(), p.VASPID, in.ID, ui)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &viewOutput{Body: view(t)}, nil
}

// ReasonBody gives the reason of an action, kept in the audit trail and told to the
// counterparty.
type ReasonBody struct {
	Reason string `json:"reason,omitempty" maxLength:"500" doc:"Why; kept in the audit trail and sent to the counterparty. Put no personal data here."`
}

type reasonInput struct {
	ID   string `path:"id" maxLength:"64" doc:"Transfer id."`
	Body *ReasonBody
}

// action registers POST /v1/transfers/{id}/<name> for an action with an optional reason (when
// reason is true) or no body.
func (s *server) action(a huma.API, name, summary, desc string, reason bool) {
	o := s.op("POST /v1/transfers/{id}/"+name, name+"-transfer", tagTransfers, 0, summary, desc)
	if reason {
		huma.Register(a, o, func(ctx context.Context, in *reasonInput) (*viewOutput, error) {
			r := ""
			if in.Body != nil {
				r = in.Body.Reason
			}
			return s.act(ctx, name, in.ID, r)
		})
		return
	}
	huma.Register(a, o, func(ctx context.Context, in *idInput) (*viewOutput, error) {
		return s.act(ctx, name, in.ID, "")
	})
}

func (s *server) act(ctx context.Context, name, id, reason string) (*viewOutput, error) {
	p := who(ctx)
	actor := p.actor()
	var (
		t   *transfer.Transfer
		err error
	)
	switch name {
	case engine.ActApprove:
		t, err = s.eng.Approve(ctx, actor, p.VASPID, id)
	case engine.ActCancel:
		t, err = s.eng.Cancel(ctx, actor, p.VASPID, id, reason)
	case engine.ActConfirm:
		t, err = s.eng.Confirm(ctx, actor, p.VASPID, id)
	case engine.ActReject:
		t, err = s.eng.Reject(ctx, actor, p.VASPID, id, reason)
	case engine.ActDecline:
		t, err = s.eng.Decline(ctx, actor, p.VASPID, id, reason)
	case engine.ActNotReady:
		t, err = s.eng.NotReady(ctx, actor, p.VASPID, id, reason)
	case engine.ActRequest:
		t, err = s.eng.Request(ctx, actor, p.VASPID, id)
	default:
		return nil, newProblem(ctx, http.StatusNotFound, "no such action")
	}
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &viewOutput{Body: view(t)}, nil
}

// AcceptBody is the optional content of an acceptance.
type AcceptBody struct {
	DepositAddress string         `json:"deposit_address,omitempty" maxLength:"256" doc:"Where the originator should send, when it differs from the destination address."`
	Originator     OriginatorJSON `json:"originator,omitempty" doc:"Your customer's identity (IVMS101), required when accepting a post-transaction request whose record lacks it."`
}

type acceptInput struct {
	ID   string `path:"id" maxLength:"64" doc:"Transfer id."`
	Body *AcceptBody
}

func (s *server) acceptTransfer(ctx context.Context, in *acceptInput) (*viewOutput, error) {
	p := who(ctx)
	var ai engine.AcceptInput
	if in.Body != nil {
		ai.DepositAddress = in.Body.DepositAddress
		var err error
		if ai.Originator, err = decodeOriginator(ctx, in.Body.Originator, "originator"); err != nil {
			return nil, err
		}
	}
	t, err := s.eng.Accept(ctx, p.actor(), p.VASPID, in.ID, ai)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &viewOutput{Body: view(t)}, nil
}

// TxHashBody reports a chain hash.
type TxHashBody struct {
	TxHash string `json:"tx_hash" minLength:"1" maxLength:"256" doc:"The chain transaction hash."`
}

type txHashInput struct {
	ID   string `path:"id" maxLength:"64" doc:"Transfer id."`
	Body TxHashBody
}

func (s *server) txHash(ctx context.Context, in *txHashInput) (*viewOutput, error) {
	p := who(ctx)
	t, err := s.eng.TxHash(ctx, p.actor(), p.VASPID, in.ID, in.Body.TxHash)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &viewOutput{Body: view(t)}, nil
}
