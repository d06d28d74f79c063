package client

import (
	"context"
	"net/http"
	"time"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/vasp"
)

// The administration calls need a client made with the administrator's key.

// CreateVASP hosts a new VASP.
func (c *Client) CreateVASP(ctx context.Context, in engine.NewVASP) (*vasp.VASP, error) {
	v := &vasp.VASP{}
	_, err := c.call(ctx, http.MethodPost, "/admin/v1/vasps", in, v)
	return v, err
}

// ListVASPs lists the hosted VASPs.
func (c *Client) ListVASPs(ctx context.Context) ([]vasp.VASP, error) {
	var out struct {
		Items []vasp.VASP `json:"items"`
	}
	_, err := c.call(ctx, http.MethodGet, "/admin/v1/vasps", nil, &out)
	return out.Items, err
}

// GetHostedVASP returns one hosted VASP.
func (c *Client) GetHostedVASP(ctx context.Context, id string) (*vasp.VASP, error) {
	v := &vasp.VASP{}
	_, err := c.call(ctx, http.MethodGet, "/admin/v1/vasps/"+esc(id), nil, v)
	return v, err
}

// PutVASPSettings replaces a hosted VASP's settings.
func (c *Client) PutVASPSettings(ctx context.Context, id string, s vasp.Settings) (*vasp.VASP, error) {
	v := &vasp.VASP{}
	_, err := c.call(ctx, http.MethodPut, "/admin/v1/vasps/"+esc(id)+"/settings", s, v)
	return v, err
}

// CreateAPIKey makes a key for a hosted VASP; the secret is in the answer only.
func (c *Client) CreateAPIKey(ctx context.Context, vaspID, name string) (*engine.NewAPIKey, error) {
	k := &engine.NewAPIKey{}
	_, err := c.call(ctx, http.MethodPost, "/admin/v1/vasps/"+esc(vaspID)+"/api-keys", struct {
		Name string `json:"name"`
	}{name}, k)
	return k, err
}

// ListAPIKeys lists a hosted VASP's keys.
func (c *Client) ListAPIKeys(ctx context.Context, vaspID string) ([]store.APIKey, error) {
	var out struct {
		Items []store.APIKey `json:"items"`
	}
	_, err := c.call(ctx, http.MethodGet, "/admin/v1/vasps/"+esc(vaspID)+"/api-keys", nil, &out)
	return out.Items, err
}

// RevokeAPIKey revokes a hosted VASP's key.
func (c *Client) RevokeAPIKey(ctx context.Context, vaspID, keyID string) error {
	_, err := c.call(ctx, http.MethodDelete, "/admin/v1/vasps/"+esc(vaspID)+"/api-keys/"+esc(keyID), nil, nil)
	return err
}

// PutJurisdiction adds or replaces a row of the jurisdiction table (j.Code names it).
func (c *Client) PutJurisdiction(ctx context.Context, j policy.Jurisdiction) (*policy.Jurisdiction, error) {
	body := map[string]any{"name": j.Name, "threshold": j.Threshold.String(), "currency": j.Currency,
		"required_originator": nonNil(j.RequiredOriginator), "required_beneficiary": nonNil(j.RequiredBeneficiary),
		"source": j.Source}
	if len(j.BelowRequiredOriginator) > 0 {
		body["below_required_originator"] = j.BelowRequiredOriginator
	}
	if len(j.BelowRequiredBeneficiary) > 0 {
		body["below_required_beneficiary"] = j.BelowRequiredBeneficiary
	}
	if j.UnhostedProofThreshold != nil {
		body["unhosted_proof_threshold"] = j.UnhostedProofThreshold.String()
	}
	if j.UnhostedRule != "" {
		body["unhosted_rule"] = j.UnhostedRule
	}
	if j.SourceDate != "" {
		body["source_date"] = j.SourceDate
	}
	out := &policy.Jurisdiction{}
	_, err := c.call(ctx, http.MethodPut, "/admin/v1/jurisdictions/"+esc(j.Code), body, out)
	return out, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PutFXRate adds or replaces a row of the FX table.
func (c *Client) PutFXRate(ctx context.Context, r policy.FXRate) (*policy.FXRate, error) {
	body := map[string]any{"rate": r.Rate.String()}
	if !r.AsOf.IsZero() {
		body["as_of"] = r.AsOf.UTC().Format(time.RFC3339Nano)
	}
	if r.Source != "" {
		body["source"] = r.Source
	}
	out := &policy.FXRate{}
	_, err := c.call(ctx, http.MethodPut, "/admin/v1/fx-rates/"+esc(r.Base)+"/"+esc(r.Quote), body, out)
	return out, err
}

// DeleteFXRate removes a row of the FX table.
func (c *Client) DeleteFXRate(ctx context.Context, base, quote string) error {
	_, err := c.call(ctx, http.MethodDelete, "/admin/v1/fx-rates/"+esc(base)+"/"+esc(quote), nil, nil)
	return err
}

// PutAsset adds or replaces an asset of the catalogue.
func (c *Client) PutAsset(ctx context.Context, a store.Asset) (*store.Asset, error) {
	body := map[string]any{"decimals": a.Decimals, "slip44": a.SLIP44}
	if a.Name != "" {
		body["name"] = a.Name
	}
	if a.DTI != "" {
		body["dti"] = a.DTI
	}
	out := &store.Asset{}
	_, err := c.call(ctx, http.MethodPut, "/admin/v1/assets/"+esc(a.Network)+"/"+esc(a.Symbol), body, out)
	return out, err
}

// AuditChain is the verification result of one VASP's audit trail.
type AuditChain struct {
	VASPID   string `json:"vasp_id"`
	Name     string `json:"name"`
	OK       bool   `json:"ok"`
	Events   int64  `json:"events"`
	HeadSeq  int64  `json:"head_seq"`
	BreakSeq int64  `json:"break_seq,omitempty"`
	Problem  string `json:"problem,omitempty"`
}

// AuditReport is the verification of every hosted VASP's audit trail.
type AuditReport struct {
	OK    bool         `json:"ok"`
	VASPs []AuditChain `json:"vasps"`
}

// VerifyAudit walks every hosted VASP's audit chain.
func (c *Client) VerifyAudit(ctx context.Context) (*AuditReport, error) {
	out := &AuditReport{}
	_, err := c.call(ctx, http.MethodGet, "/admin/v1/audit/verify", nil, out)
	return out, err
}
