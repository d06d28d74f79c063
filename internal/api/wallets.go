package api

import (
	"bytes"
	"context"

	"github.com/waybill/waybill/internal/engine"
)

type createWalletInput struct {
	Body engine.WalletInput
}

type walletOutput struct {
	Body *WalletView
}

func (s *server) createWallet(ctx context.Context, in *createWalletInput) (*walletOutput, error) {
	p := who(ctx)
	w, err := s.eng.CreateWallet(ctx, p.actor(), p.VASPID, in.Body)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &walletOutput{Body: s.walletView(w)}, nil
}

// WalletPage is one page of the address book.
type WalletPage struct {
	Items      []WalletView `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page."`
}

type walletPageOutput struct {
	Body *WalletPage
}

func (s *server) listWallets(ctx context.Context, in *pageInput) (*walletPageOutput, error) {
	p := who(ctx)
	limit := clampLimit(in.Limit)
	list, err := s.st.Read().ListWallets(ctx, p.VASPID, in.Cursor, limit)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	page := &WalletPage{Items: make([]WalletView, 0, len(list))}
	for i := range list {
		page.Items = append(page.Items, *s.walletView(&list[i]))
	}
	if len(list) == limit {
		page.NextCursor = list[len(list)-1].ID
	}
	return &walletPageOutput{Body: page}, nil
}

type importWalletsInput struct {
	RawBody []byte `contentType:"text/csv" doc:"CSV with a header row: network, address, and optionally memo, customer_ref, customer_name."`
}

type importOutput struct {
	Body *engine.ImportResult
}

func (s *server) importWallets(ctx context.Context, in *importWalletsInput) (*importOutput, error) {
	p := who(ctx)
	res, err := s.eng.ImportWallets(ctx, p.actor(), p.VASPID, bytes.NewReader(in.RawBody), nil)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &importOutput{Body: res}, nil
}

func (s *server) getWallet(ctx context.Context, in *idInput) (*walletOutput, error) {
	p := who(ctx)
	w, err := s.eng.GetWallet(ctx, p.VASPID, in.ID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &walletOutput{Body: s.walletView(w)}, nil
}

func (s *server) deleteWallet(ctx context.Context, in *idInput) (*struct{}, error) {
	p := who(ctx)
	if err := s.eng.DeleteWallet(ctx, p.actor(), p.VASPID, in.ID); err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return nil, nil
}
