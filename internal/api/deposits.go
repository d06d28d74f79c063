package api

import (
	"context"
	"net/http"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/transfer"
)

// DepositBody is a deposit notification from your backend.
type DepositBody struct {
	Ref                string         `json:"ref,omitempty" maxLength:"128" doc:"Your reference, unique per VASP: the idempotency key."`
	TxHash             string         `json:"tx_hash" minLength:"1" maxLength:"256" doc:"The chain transaction hash."`
	Asset              transfer.Asset `json:"asset"`
	Amount             string         `json:"amount" pattern:"^[0-9]{1,40}(\\.[0-9]{1,30})?$" doc:"Decimal string in whole units of the asset." example:"0.25"`
	DestinationAddress string         `json:"destination_address" maxLength:"256" doc:"Your address that received the funds."`
	OriginAddress      string         `json:"origin_address,omitempty" maxLength:"256" doc:"The address the funds came from, when known."`
	Memo               string         `json:"memo,omitempty" maxLength:"256" doc:"Memo or destination tag."`
	CounterpartyID     string         `json:"counterparty_id,omitempty" maxLength:"64" doc:"The originating VASP, when you know it."`
}

type createDepositInput struct {
	Body DepositBody
}

type depositOutput struct {
	Status int
	Body   *transfer.Deposit
}

func (s *server) createDeposit(ctx context.Context, in *createDepositInput) (*depositOutput, error) {
	p := who(ctx)
	b := in.Body
	di := engine.DepositInput{Ref: b.Ref, TxHash: b.TxHash, Asset: b.Asset, DestinationAddress: b.DestinationAddress,
		OriginAddress: b.OriginAddress, Memo: b.Memo, CounterpartyID: b.CounterpartyID}
	di.Amount, _ = decimal.NewFromString(b.Amount)
	d, created, err := s.eng.NotifyDeposit(ctx, p.actor(), p.VASPID, di)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	return &depositOutput{Status: status, Body: d}, nil
}

type pageInput struct {
	Cursor string `query:"cursor" maxLength:"64" doc:"next_cursor of the previous page."`
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Page size."`
}

// DepositPage is one page of deposits.
type DepositPage struct {
	Items      []transfer.Deposit `json:"items"`
	NextCursor string             `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page."`
}

type depositPageOutput struct {
	Body *DepositPage
}

func (s *server) listDeposits(ctx context.Context, in *pageInput) (*depositPageOutput, error) {
	p := who(ctx)
	limit := clampLimit(in.Limit)
	list, err := s.st.Read().ListDeposits(ctx, p.VASPID, in.Cursor, limit)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	page := &DepositPage{Items: list}
	if page.Items == nil {
		page.Items = []transfer.Deposit{}
	}
	if len(list) == limit {
		page.NextCursor = list[len(list)-1].ID
	}
	return &depositPageOutput{Body: page}, nil
}

type oneDepositOutput struct {
	Body *transfer.Deposit
}

func (s *server) getDeposit(ctx context.Context, in *idInput) (*oneDepositOutput, error) {
	p := who(ctx)
	d, err := s.st.Read().GetDeposit(ctx, p.VASPID, in.ID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &oneDepositOutput{Body: d}, nil
}
