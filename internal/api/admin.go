package api

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/vasp"
)

type createVASPInput struct {
	Body engine.NewVASP
}

func (s *server) adminCreateVASP(ctx context.Context, in *createVASPInput) (*vaspOutput, error) {
	v, err := s.eng.CreateVASP(ctx, who(ctx).actor(), in.Body)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &vaspOutput{Body: s.vaspView(v)}, nil
}

// VASPList is every hosted VASP.
type VASPList struct {
	Items []vasp.VASP `json:"items"`
}

type vaspListOutput struct {
	Body *VASPList
}

func (s *server) adminListVASPs(ctx context.Context, _ *struct{}) (*vaspListOutput, error) {
	list, err := s.st.Read().ListVASPs(ctx)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	if list == nil {
		list = []vasp.VASP{}
	}
	return &vaspListOutput{Body: &VASPList{Items: list}}, nil
}

func (s *server) adminGetVASP(ctx context.Context, in *idInput) (*vaspOutput, error) {
	v, err := s.st.Read().GetVASP(ctx, in.ID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &vaspOutput{Body: s.vaspView(v)}, nil
}

type adminSettingsInput struct {
	ID   string `path:"id" maxLength:"64" doc:"VASP id."`
	Body vasp.Settings
}

func (s *server) adminPutSettings(ctx context.Context, in *adminSettingsInput) (*vaspOutput, error) {
	v, err := s.eng.UpdateSettings(ctx, who(ctx).actor(), in.ID, in.Body)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &vaspOutput{Body: s.vaspView(v)}, nil
}

// NewKeyBody names a new API key.
type NewKeyBody struct {
	Name string `json:"name" minLength:"1" maxLength:"100" doc:"What the key is for (e.g. the backend that uses it)."`
}

type createKeyInput struct {
	ID   string `path:"id" maxLength:"64" doc:"VASP id."`
	Body NewKeyBody
}

type newKeyOutput struct {
	Body *engine.NewAPIKey
}

func (s *server) adminCreateKey(ctx context.Context, in *createKeyInput) (*newKeyOutput, error) {
	k, err := s.eng.CreateAPIKey(ctx, who(ctx).actor(), in.ID, in.Body.Name, s.rand)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &newKeyOutput{Body: k}, nil
}

// APIKeyList is a VASP's API keys.
type APIKeyList struct {
	Items []store.APIKey `json:"items"`
}

type keyListOutput struct {
	Body *APIKeyList
}

func (s *server) adminListKeys(ctx context.Context, in *idInput) (*keyListOutput, error) {
	rd := s.st.Read()
	if _, err := rd.GetVASP(ctx, in.ID); err != nil {
		return nil, s.problemFor(ctx, err)
	}
	list, err := rd.ListAPIKeys(ctx, in.ID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	if list == nil {
		list = []store.APIKey{}
	}
	return &keyListOutput{Body: &APIKeyList{Items: list}}, nil
}

type revokeKeyInput struct {
	ID    string `path:"id" maxLength:"64" doc:"VASP id."`
	KeyID string `path:"key_id" maxLength:"64" doc:"API key id."`
}

func (s *server) adminRevokeKey(ctx context.Context, in *revokeKeyInput) (*struct{}, error) {
	if err := s.eng.RevokeAPIKey(ctx, who(ctx).actor(), in.ID, in.KeyID); err != nil {
		return nil, s.problemFor(ctx, err)
	}
	s.keys.dropKey(in.KeyID)
	return nil, nil
}

// JurisdictionBody is a row of the jurisdiction table.
type JurisdictionBody struct {
	Name                     string   `json:"name" maxLength:"200"`
	Threshold                string   `json:"threshold" pattern:"^[0-9]{1,40}(\\.[0-9]{1,30})?$" doc:"Transfers valued at or above this amount require the full Travel Rule exchange."`
	Currency                 string   `json:"currency" minLength:"3" maxLength:"3" doc:"ISO 4217 currency of the threshold."`
	RequiredOriginator       []string `json:"required_originator" doc:"IVMS101 originator fields required at or above the threshold; a|b means either."`
	RequiredBeneficiary      []string `json:"required_beneficiary" doc:"IVMS101 beneficiary fields required at or above the threshold."`
	BelowRequiredOriginator  []string `json:"below_required_originator,omitempty" doc:"Originator fields required below the threshold."`
	BelowRequiredBeneficiary []string `json:"below_required_beneficiary,omitempty" doc:"Beneficiary fields required below the threshold."`
	UnhostedProofThreshold   *string  `json:"unhosted_proof_threshold,omitempty" pattern:"^[0-9]{1,40}(\\.[0-9]{1,30})?$" doc:"Value at or above which a transfer with an unhosted wallet needs an ownership proof."`
	UnhostedRule             string   `json:"unhosted_rule,omitempty" maxLength:"1000" doc:"The unhosted-wallet rule in words."`
	Source                   string   `json:"source" minLength:"1" maxLength:"1000" doc:"Legal source of the row."`
	SourceDate               string   `json:"source_date,omitempty" maxLength:"10" doc:"Date of the source (YYYY-MM-DD)."`
}

type putJurisdictionInput struct {
	Code string `path:"code" minLength:"1" maxLength:"16" doc:"Jurisdiction code, e.g. EU."`
	Body JurisdictionBody
}

type jurisdictionOutput struct {
	Body *policy.Jurisdiction
}

// knownRequired accepts the ivms vocabulary, with a|b alternatives.
func knownRequired(f string) bool {
	for _, alt := range strings.Split(f, "|") {
		if !ivms.KnownRequiredField(alt) {
			return false
		}
	}
	return true
}

func (s *server) adminPutJurisdiction(ctx context.Context, in *putJurisdictionInput) (*jurisdictionOutput, error) {
	b := in.Body
	j := policy.Jurisdiction{Code: in.Code, Name: b.Name, Currency: b.Currency, RequiredOriginator: b.RequiredOriginator,
		RequiredBeneficiary: b.RequiredBeneficiary, BelowRequiredOriginator: b.BelowRequiredOriginator,
		BelowRequiredBeneficiary: b.BelowRequiredBeneficiary, UnhostedRule: b.UnhostedRule, Source: b.Source, SourceDate: b.SourceDate}
	j.Threshold, _ = decimal.NewFromString(b.Threshold)
	if b.UnhostedProofThreshold != nil {
		d, _ := decimal.NewFromString(*b.UnhostedProofThreshold)
		j.UnhostedProofThreshold = &d
	}
	out, err := s.eng.PutJurisdiction(ctx, j, knownRequired)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &jurisdictionOutput{Body: out}, nil
}

// FXRateBody is a row of the FX table.
type FXRateBody struct {
	Rate   string    `json:"rate" pattern:"^[0-9]{1,40}(\\.[0-9]{1,30})?$" doc:"Units of quote per unit of base."`
	AsOf   time.Time `json:"as_of,omitempty" doc:"When the rate was observed; defaults to now."`
	Source string    `json:"source,omitempty" maxLength:"500" doc:"Where the rate comes from."`
}

type putFXInput struct {
	Base  string `path:"base" minLength:"1" maxLength:"16" doc:"Currency or asset symbol converted from."`
	Quote string `path:"quote" minLength:"1" maxLength:"16" doc:"Currency converted to."`
	Body  FXRateBody
}

type fxRateOutput struct {
	Body *policy.FXRate
}

func (s *server) adminPutFXRate(ctx context.Context, in *putFXInput) (*fxRateOutput, error) {
	r := policy.FXRate{Base: in.Base, Quote: in.Quote, AsOf: in.Body.AsOf, Source: in.Body.Source}
	r.Rate, _ = decimal.NewFromString(in.Body.Rate)
	out, err := s.eng.PutFXRate(ctx, r)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &fxRateOutput{Body: out}, nil
}

type fxPairInput struct {
	Base  string `path:"base" minLength:"1" maxLength:"16" doc:"Currency or asset symbol converted from."`
	Quote string `path:"quote" minLength:"1" maxLength:"16" doc:"Currency converted to."`
}

func (s *server) adminDeleteFXRate(ctx context.Context, in *fxPairInput) (*struct{}, error) {
	if err := s.eng.DeleteFXRate(ctx, in.Base, in.Quote); err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return nil, nil
}

// AssetBody describes an asset of the catalogue.
type AssetBody struct {
	Name     string `json:"name,omitempty" maxLength:"200"`
	Decimals int32  `json:"decimals" minimum:"0" maximum:"30" doc:"Decimals of amounts in whole units."`
	DTI      string `json:"dti,omitempty" maxLength:"16" doc:"ISO 24165 Digital Token Identifier."`
	SLIP44   *int32 `json:"slip44,omitempty" doc:"SLIP-0044 coin type of the network's native coin; -1 (default) when none."`
}

type putAssetInput struct {
	Network string `path:"network" minLength:"1" maxLength:"64" doc:"Network (chain) name."`
	Symbol  string `path:"symbol" minLength:"1" maxLength:"32" doc:"Asset symbol."`
	Body    AssetBody
}

type assetOutput struct {
	Body *store.Asset
}

func (s *server) adminPutAsset(ctx context.Context, in *putAssetInput) (*assetOutput, error) {
	a := store.Asset{Network: in.Network, Symbol: in.Symbol, Name: in.Body.Name, Decimals: in.Body.Decimals, DTI: in.Body.DTI, SLIP44: -1}
	if in.Body.SLIP44 != nil {
		a.SLIP44 = *in.Body.SLIP44
	}
	out, err := s.eng.PutAsset(ctx, a)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &assetOutput{Body: out}, nil
}

// AuditChain is the verification result of one VASP's audit trail.
type AuditChain struct {
	VASPID   string `json:"vasp_id"`
	Name     string `json:"name"`
	OK       bool   `json:"ok" doc:"The chain verifies from its first event to its recorded head."`
	Events   int64  `json:"events" doc:"Events verified."`
	HeadSeq  int64  `json:"head_seq" doc:"The recorded head's sequence number."`
	BreakSeq int64  `json:"break_seq,omitempty" doc:"Where the chain breaks, when it does."`
	Problem  string `json:"problem,omitempty" doc:"What is wrong, when the chain breaks."`
}

// AuditReport is the verification of every hosted VASP's audit trail.
type AuditReport struct {
	OK    bool         `json:"ok" doc:"Every chain verifies."`
	VASPs []AuditChain `json:"vasps"`
}

type auditOutput struct {
	Body *AuditReport
}

func (s *server) adminVerifyAudit(ctx context.Context, _ *struct{}) (*auditOutput, error) {
	rd := s.st.Read()
	vasps, err := rd.ListVASPs(ctx)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	rep := &AuditReport{OK: true, VASPs: []AuditChain{}}
	for _, v := range vasps {
		c, err := verifyChain(ctx, rd, v.ID)
		if err != nil {
			return nil, s.problemFor(ctx, err)
		}
		c.Name = v.Name
		rep.OK = rep.OK && c.OK
		rep.VASPs = append(rep.VASPs, c)
	}
	return &auditOutput{Body: rep}, nil
}

// verifyChain walks one VASP's chain in pages and checks it against the recorded head. Read
// errors are returned; a broken chain is a result, not an error.
func verifyChain(ctx context.Context, rd store.Tx, vaspID string) (AuditChain, error) {
	c := AuditChain{VASPID: vaspID, OK: true}
	v := audit.Verifier{VASPID: vaspID}
	headSeq, headHash, err := rd.AuditHead(ctx, vaspID)
	if err != nil {
		return c, fmt.Errorf("audit head of %s: %w", vaspID, err)
	}
	c.HeadSeq = headSeq
	var after int64
	fail := func(err error) AuditChain {
		c.OK = false
		if b, ok := err.(*audit.Break); ok {
			c.BreakSeq, c.Problem = b.Seq, b.Reason
		} else {
			c.Problem = err.Error()
		}
		return c
	}
	for {
		evs, err := rd.AuditRange(ctx, vaspID, after, 1000)
		if err != nil {
			return c, fmt.Errorf("audit range of %s: %w", vaspID, err)
		}
		for i := range evs {
			if err := v.Next(&evs[i]); err != nil {
				return fail(err), nil
			}
			c.Events++
			after = evs[i].Seq
		}
		if len(evs) < 1000 {
			break
		}
	}
	if err := v.Finish(headSeq, headHash); err != nil {
		return fail(err), nil
	}
	return c, nil
}
