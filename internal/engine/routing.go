package engine

import (
	"context"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/store"
)

// Sources of routing knowledge.
const (
	SourceOwnWallet         = "own_wallet"
	SourceHostedWallet      = "hosted_wallet"
	SourceConfirmedTransfer = "confirmed_transfer"
	SourceAttributionList   = "attribution_list"
)

// RouteResult says who controls an address, how we know, and how sure we are.
type RouteResult struct {
	Network      string                     `json:"network"`
	Address      string                     `json:"address"`
	Found        bool                       `json:"found"`
	Ours         bool                       `json:"ours" doc:"The address is in our own address book."`
	Counterparty *counterparty.Counterparty `json:"counterparty,omitempty"`
	Source       string                     `json:"source,omitempty" enum:"own_wallet,hosted_wallet,confirmed_transfer,attribution_list"`
	Confidence   string                     `json:"confidence,omitempty" enum:"confirmed,likely"`
}

// Routing answers which VASP controls an address, from our own book, the books of VASPs hosted
// on this node, addresses confirmed in earlier transfers, and attribution lists.
func (e *Engine) Routing(ctx context.Context, vaspID, network, address string) (*RouteResult, error) {
	if err := e.addr.Validate(network, address); err != nil {
		return nil, invalid("address", "invalid_address", err.Error())
	}
	r, err := e.lookupRoute(ctx, e.store.Read(), vaspID, network, address)
	if err != nil {
		return nil, err
	}
	if r == nil {
		r = &RouteResult{}
	}
	r.Network, r.Address = network, address
	return r, nil
}

func (e *Engine) lookupRoute(ctx context.Context, q store.Tx, vaspID, network, address string) (*RouteResult, error) {
	key := e.addr.Key(network, address)
	if _, _, err := q.FindWallet(ctx, vaspID, network, key); err == nil {
		return &RouteResult{Found: true, Ours: true, Source: SourceOwnWallet, Confidence: "confirmed"}, nil
	} else if !isNotFound(err) {
		return nil, err
	}
	if w, err := q.FindHostedWallet(ctx, network, key); err == nil && w.VASPID != vaspID {
		cp, err := q.FindHostedCounterparty(ctx, vaspID, w.VASPID)
		if err == nil {
			return &RouteResult{Found: true, Counterparty: cp, Source: SourceHostedWallet, Confidence: "confirmed"}, nil
		}
		if !isNotFound(err) {
			return nil, err
		}
	} else if err != nil && !isNotFound(err) {
		return nil, err
	}
	a, err := q.FindAttribution(ctx, vaspID, network, key)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cp, err := q.GetCounterparty(ctx, vaspID, a.CounterpartyID)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &RouteResult{Found: true, Counterparty: cp, Source: a.Source, Confidence: a.Confidence}, nil
}
