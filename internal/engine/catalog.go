package engine

import (
	"context"

	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
)

// DefaultAssets is the asset catalogue a new node starts with; more are added with the CLI or
// the admin API.
func DefaultAssets() []store.Asset {
	return []store.Asset{
		{Network: "bitcoin", Symbol: "BTC", Name: "Bitcoin", Decimals: 8, SLIP44: 0},
		{Network: "litecoin", Symbol: "LTC", Name: "Litecoin", Decimals: 8, SLIP44: 2},
		{Network: "ethereum", Symbol: "ETH", Name: "Ether", Decimals: 18, SLIP44: 60},
		{Network: "ethereum", Symbol: "USDC", Name: "USD Coin", Decimals: 6, SLIP44: -1},
		{Network: "ethereum", Symbol: "USDT", Name: "Tether USD", Decimals: 6, SLIP44: -1},
		{Network: "ethereum", Symbol: "DAI", Name: "Dai", Decimals: 18, SLIP44: -1},
		{Network: "tron", Symbol: "TRX", Name: "Tronix", Decimals: 6, SLIP44: 195},
		{Network: "tron", Symbol: "USDT", Name: "Tether USD", Decimals: 6, SLIP44: -1},
		{Network: "solana", Symbol: "SOL", Name: "Solana", Decimals: 9, SLIP44: 501},
		{Network: "solana", Symbol: "USDC", Name: "USD Coin", Decimals: 6, SLIP44: -1},
		{Network: "xrp", Symbol: "XRP", Name: "XRP", Decimals: 6, SLIP44: 144},
		{Network: "polygon", Symbol: "POL", Name: "Polygon", Decimals: 18, SLIP44: 966},
		{Network: "polygon", Symbol: "USDC", Name: "USD Coin", Decimals: 6, SLIP44: -1},
		{Network: "arbitrum", Symbol: "ETH", Name: "Ether", Decimals: 18, SLIP44: -1},
		{Network: "base", Symbol: "ETH", Name: "Ether", Decimals: 18, SLIP44: -1},
		{Network: "optimism", Symbol: "ETH", Name: "Ether", Decimals: 18, SLIP44: -1},
		{Network: "avalanche", Symbol: "AVAX", Name: "Avalanche", Decimals: 18, SLIP44: 9000},
	}
}

// Seed fills the asset catalogue and the jurisdiction table with their defaults where rows are
// missing; rows an operator changed are left alone.
func (e *Engine) Seed(ctx context.Context) error {
	return e.store.InTx(ctx, func(tx store.Tx) error {
		for _, a := range DefaultAssets() {
			if _, err := tx.GetAsset(ctx, a.Network, a.Symbol); isNotFound(err) {
				if err := tx.UpsertAsset(ctx, &a); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		}
		for _, j := range policy.DefaultJurisdictions() {
			if _, err := tx.GetJurisdiction(ctx, j.Code); isNotFound(err) {
				j.UpdatedAt = e.Now()
				if err := tx.UpsertJurisdiction(ctx, &j); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		}
		return nil
	})
}
