package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/waybill/waybill/internal/decision"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// Policies returns the VASP's current policy sets for both directions.
func (c *Client) Policies(ctx context.Context) (*decision.PolicySets, error) {
	out := &decision.PolicySets{}
	_, err := c.call(ctx, http.MethodGet, "/v1/policies", nil, out)
	return out, err
}

// PolicySet returns a version of the set for direction (0: the current one).
func (c *Client) PolicySet(ctx context.Context, direction string, version int) (*policy.Set, error) {
	q := url.Values{}
	if version > 0 {
		q.Set("version", fmt.Sprint(version))
	}
	out := &policy.Set{}
	_, err := c.call(ctx, http.MethodGet, withQuery("/v1/policies/"+esc(direction), q), nil, out)
	return out, err
}

// PutPolicies saves a new version of the set for direction. A set that does not compile is a
// 422 *Error whose problem names each policy, line and column.
func (c *Client) PutPolicies(ctx context.Context, direction string, policies []policy.Policy) (*policy.Set, error) {
	if policies == nil {
		policies = []policy.Policy{}
	}
	out := &policy.Set{}
	_, err := c.call(ctx, http.MethodPut, "/v1/policies/"+esc(direction), map[string]any{"policies": policies}, out)
	return out, err
}

// TestPolicies evaluates a draft set (or the saved one) against an existing transfer; nothing
// changes.
func (c *Client) TestPolicies(ctx context.Context, req decision.TestRequest) (*decision.TestResult, error) {
	out := &decision.TestResult{}
	_, err := c.call(ctx, http.MethodPost, "/v1/policies/test", req, out)
	return out, err
}

// DecisionSettings returns the VASP's decision settings.
func (c *Client) DecisionSettings(ctx context.Context) (*policy.DecisionSettings, error) {
	out := &policy.DecisionSettings{}
	_, err := c.call(ctx, http.MethodGet, "/v1/decision-settings", nil, out)
	return out, err
}

// PutDecisionSettings replaces the VASP's decision settings.
func (c *Client) PutDecisionSettings(ctx context.Context, s policy.DecisionSettings) (*policy.DecisionSettings, error) {
	out := &policy.DecisionSettings{}
	_, err := c.call(ctx, http.MethodPut, "/v1/decision-settings", s, out)
	return out, err
}

// ScreenAddress screens one address now.
func (c *Client) ScreenAddress(ctx context.Context, network, address string) (*transfer.ScreeningResult, error) {
	out := &transfer.ScreeningResult{}
	_, err := c.call(ctx, http.MethodPost, "/v1/screening/addresses", map[string]string{"network": network, "address": address}, out)
	return out, err
}

// ScreeningLists returns the node's screening list versions, newest first.
func (c *Client) ScreeningLists(ctx context.Context) ([]store.ScreeningList, error) {
	var out struct {
		Items []store.ScreeningList `json:"items"`
	}
	_, err := c.call(ctx, http.MethodGet, "/v1/screening/lists", nil, &out)
	return out.Items, err
}

// DecisionStats returns the decisions made in [since, until) and the automation rate; zero
// times take the server's defaults (the last 30 days).
func (c *Client) DecisionStats(ctx context.Context, since, until time.Time) (*decision.Stats, error) {
	q := url.Values{}
	if !since.IsZero() {
		q.Set("since", since.UTC().Format(time.RFC3339Nano))
	}
	if !until.IsZero() {
		q.Set("until", until.UTC().Format(time.RFC3339Nano))
	}
	out := &decision.Stats{}
	_, err := c.call(ctx, http.MethodGet, withQuery("/v1/stats/decisions", q), nil, out)
	return out, err
}
