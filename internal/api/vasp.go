package api

import (
	"context"

	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/vasp"
)

type vaspOutput struct {
	Body *VASPView
}

func (s *server) getOwnVASP(ctx context.Context, _ *struct{}) (*vaspOutput, error) {
	v, err := s.st.Read().GetVASP(ctx, who(ctx).VASPID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &vaspOutput{Body: s.vaspView(v)}, nil
}

type settingsInput struct {
	Body vasp.Settings
}

func (s *server) putOwnSettings(ctx context.Context, in *settingsInput) (*vaspOutput, error) {
	p := who(ctx)
	v, err := s.eng.UpdateSettings(ctx, p.actor(), p.VASPID, in.Body)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &vaspOutput{Body: s.vaspView(v)}, nil
}

// JurisdictionList is the jurisdiction table.
type JurisdictionList struct {
	Items []policy.Jurisdiction `json:"items"`
}

type jurisdictionsOutput struct {
	Body *JurisdictionList
}

func (s *server) listJurisdictions(ctx context.Context, _ *struct{}) (*jurisdictionsOutput, error) {
	list, err := s.st.Read().ListJurisdictions(ctx)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	if list == nil {
		list = []policy.Jurisdiction{}
	}
	return &jurisdictionsOutput{Body: &JurisdictionList{Items: list}}, nil
}

// FXRateList is the FX table.
type FXRateList struct {
	Items []policy.FXRate `json:"items"`
}

type fxRatesOutput struct {
	Body *FXRateList
}

func (s *server) listFXRates(ctx context.Context, _ *struct{}) (*fxRatesOutput, error) {
	list, err := s.st.Read().ListFXRates(ctx)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	if list == nil {
		list = []policy.FXRate{}
	}
	return &fxRatesOutput{Body: &FXRateList{Items: list}}, nil
}

// CatalogAsset is a row of the asset catalogue (store.Asset in the document).
type CatalogAsset struct {
	Network  string `json:"network" doc:"Network (chain) name, lower case."`
	Symbol   string `json:"symbol" doc:"Asset symbol, upper case."`
	Name     string `json:"name,omitempty"`
	Decimals int32  `json:"decimals" doc:"Decimals of amounts in whole units."`
	DTI      string `json:"dti,omitempty" doc:"ISO 24165 Digital Token Identifier."`
	SLIP44   int32  `json:"slip44" doc:"SLIP-0044 coin type of the network's native coin, or -1."`
}

// AssetList is the asset catalogue.
type AssetList struct {
	Items []store.Asset `json:"items"`
}

type assetsOutput struct {
	Body *AssetList
}

func (s *server) listAssets(ctx context.Context, _ *struct{}) (*assetsOutput, error) {
	list, err := s.st.Read().ListAssets(ctx)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	if list == nil {
		list = []store.Asset{}
	}
	return &assetsOutput{Body: &AssetList{Items: list}}, nil
}
