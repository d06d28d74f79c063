package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/vasp"
)

// Names of the demo VASPs.
const (
	demoAlpha = "Alpha Exchange GmbH"
	demoBeta  = "Beta Exchange SAS"
)

// DemoVASP is one of the demo's hosted VASPs with its API key and wallets.
type DemoVASP struct {
	VASP    *vasp.VASP
	APIKey  string
	Wallets []*vasp.Wallet
}

// Demo is what SeedDemo made.
type Demo struct {
	Alpha, Beta DemoVASP
}

// DemoOptions tune the demo VASPs.
type DemoOptions struct {
	// Settings applies to both VASPs; nil means: withdrawals approved automatically, received
	// transfers held for a person's acceptance (so the walkthrough shows both).
	Settings *vasp.Settings
	// Jurisdiction overrides the VASPs' jurisdiction table row (by default the EU's, as both
	// are registered in member states).
	Jurisdiction string
}

// SeedDemo creates two hosted VASPs, Alpha Exchange (Germany) and Beta Exchange (France), each
// with customer wallets and an API key, plus illustrative FX rates (marked as such).
func SeedDemo(ctx context.Context, n *Node, opt DemoOptions) (*Demo, error) {
	sys := audit.Actor{Type: audit.ActorSystem, ID: "demo", Name: "demo"}
	settings := vasp.DefaultSettings()
	settings.OutgoingAction, settings.IncomingAction = vasp.ActionApprove, vasp.ActionReview
	if opt.Settings != nil {
		settings = *opt.Settings
	}
	asOf := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []policy.FXRate{
		{Base: "BTC", Quote: "EUR", Rate: decimal.RequireFromString("60000")},
		{Base: "ETH", Quote: "EUR", Rate: decimal.RequireFromString("2500")},
		{Base: "USDC", Quote: "USD", Rate: decimal.RequireFromString("1")},
		{Base: "USDT", Quote: "USD", Rate: decimal.RequireFromString("1")},
		{Base: "EUR", Quote: "USD", Rate: decimal.RequireFromString("1.08")},
	} {
		r.AsOf, r.Source = asOf, "demo: illustrative, not market data"
		if _, err := n.Engine.PutFXRate(ctx, r); err != nil {
			return nil, err
		}
	}
	mk := func(name, country string, wallets []engine.WalletInput) (DemoVASP, error) {
		var d DemoVASP
		v, err := n.Engine.CreateVASP(ctx, sys, engine.NewVASP{Name: name, Country: country, Jurisdiction: opt.Jurisdiction, Settings: &settings})
		if err != nil {
			return d, err
		}
		d.VASP = v
		k, err := n.Engine.CreateAPIKey(ctx, sys, v.ID, "demo backend", n.Rand)
		if err != nil {
			return d, err
		}
		d.APIKey = k.Secret
		for _, w := range wallets {
			wl, err := n.Engine.CreateWallet(ctx, sys, v.ID, w)
			if err != nil {
				return d, fmt.Errorf("demo wallet: %w", err)
			}
			d.Wallets = append(d.Wallets, wl)
		}
		return d, nil
	}
	var d Demo
	var err error
	if d.Alpha, err = mk(demoAlpha, "DE", []engine.WalletInput{
		{Network: "ethereum", Address: "0x52908400098527886E0F7030069857D2E4169EE7", CustomerRef: "alpha-cust-1", CustomerName: "Anna Schmidt"},
		{Network: "bitcoin", Address: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", CustomerRef: "alpha-cust-1", CustomerName: "Anna Schmidt"},
	}); err != nil {
		return nil, err
	}
	if d.Beta, err = mk(demoBeta, "FR", []engine.WalletInput{
		{Network: "ethereum", Address: "0xde709f2102306220921060314715629080e2fb77", CustomerRef: "beta-cust-7", CustomerName: "Bruno Dupont"},
		{Network: "bitcoin", Address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", CustomerRef: "beta-cust-7", CustomerName: "Bruno Dupont"},
	}); err != nil {
		return nil, err
	}
	return &d, nil
}
