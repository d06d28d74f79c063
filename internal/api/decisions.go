package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/waybill/waybill/internal/address"
	"github.com/waybill/waybill/internal/decision"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

const tagDecisions = "Decisions"

// decisionRoutes registers the operations of the decisions capability: policies, screening,
// decision statistics.
func (s *server) decisionRoutes(a huma.API) {
	a.OpenAPI().Tags = append(a.OpenAPI().Tags, &huma.Tag{Name: tagDecisions, Description: "Policies that decide your " +
		"transfers (CEL conditions, most restrictive action wins), the name-matching threshold, address screening and its " +
		"lists, and the automation rate. See docs/policies.md for the variables and ready-made examples."})
	huma.Register(a, s.op("GET /v1/policies", "list-policies", tagDecisions, 0, "Get your policy sets",
		"Returns your current policy sets for withdrawals (outgoing) and deposits (incoming); a direction never set has "+
			"version 0 and no policies."), s.listPolicies)
	huma.Register(a, s.op("GET /v1/policies/{direction}", "get-policies", tagDecisions, 0, "Get a policy set",
		"Returns the current version of a set, or an earlier one with version: decisions record the version they used."), s.getPolicies)
	huma.Register(a, s.op("PUT /v1/policies/{direction}", "put-policies", tagDecisions, 0, "Replace a policy set",
		"Saves a new version of the ordered policy set for a direction. Each condition is compiled first: a condition that "+
			"does not parse or type-check refuses the whole set with a 422 naming the policy, the line and the column. "+
			"When several policies match a transfer the most restrictive action wins (reject > review > not_ready > "+
			"approve); when none matches, your settings decide."), s.putPolicies)
	huma.Register(a, s.op("POST /v1/policies/test", "test-policies", tagDecisions, 0, "Test policies against a transfer",
		"Evaluates a draft policy set (or your saved one) against an existing transfer at its decision point, with fresh "+
			"screening and name matching, and returns what would be decided, every policy's outcome and the facts they "+
			"saw. Nothing is changed."), s.testPolicies)
	huma.Register(a, s.op("GET /v1/decision-settings", "get-decision-settings", tagDecisions, 0, "Get your decision settings",
		"Returns your name-matching threshold."), s.getDecisionSettings)
	huma.Register(a, s.op("PUT /v1/decision-settings", "put-decision-settings", tagDecisions, 0, "Replace your decision settings",
		"Sets the score at or above which a received name matches your customer's KYC name (0 means the default, 0.90)."), s.putDecisionSettings)
	huma.Register(a, s.op("POST /v1/screening/addresses", "screen-address", tagDecisions, 0, "Screen an address",
		"Screens one address now against the node's lists and providers and returns the result in the shape of GTR's "+
			"screeningResult: screening_status (NONE, COMPLETED, ERROR, TIMEOUT), risk_score 0-10, risk_tags, the "+
			"list and version that matched and the entity found."), s.screenAddress)
	huma.Register(a, s.op("GET /v1/screening/lists", "list-screening-lists", tagDecisions, 0, "List screening lists",
		"Returns the screening list versions held by the node, newest first, and which are active."), s.listScreeningLists)
	huma.Register(a, s.op("GET /v1/stats/decisions", "get-decision-stats", tagDecisions, 0, "Decision statistics",
		"Counts the decisions made in a window (withdrawals released or stopped, received transfers answered) and how many "+
			"were made without a person: the automation rate. The default window is the last 30 days."), s.decisionStats)
}

// errNoDecisions answers when the node runs without the decision service.
var errNoDecisions = errors.New("the decision service is not configured on this node")

func (s *server) decisions(ctx context.Context) (*decision.Service, error) {
	if s.dec == nil {
		return nil, newProblem(ctx, http.StatusServiceUnavailable, errNoDecisions.Error())
	}
	return s.dec, nil
}

type policySetsOutput struct {
	Body *decision.PolicySets
}

func (s *server) currentSet(ctx context.Context, vaspID, direction string, version int) (*policy.Set, error) {
	set, err := s.st.Read().GetPolicySet(ctx, vaspID, direction, version)
	if errors.Is(err, store.ErrNotFound) && version == 0 {
		return &policy.Set{VASPID: vaspID, Direction: direction, Policies: []policy.Policy{}}, nil
	}
	return set, err
}

func (s *server) listPolicies(ctx context.Context, _ *struct{}) (*policySetsOutput, error) {
	p := who(ctx)
	out, err := s.currentSet(ctx, p.VASPID, policy.DirectionOutgoing, 0)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	in, err := s.currentSet(ctx, p.VASPID, policy.DirectionIncoming, 0)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &policySetsOutput{Body: &decision.PolicySets{Outgoing: out, Incoming: in}}, nil
}

type getPoliciesInput struct {
	Direction string `path:"direction" enum:"outgoing,incoming" doc:"outgoing (withdrawals) or incoming (deposits)."`
	Version   int    `query:"version" minimum:"0" doc:"A version to show; default the current one."`
}

type policySetOutput struct {
	Body *policy.Set
}

func (s *server) getPolicies(ctx context.Context, in *getPoliciesInput) (*policySetOutput, error) {
	set, err := s.currentSet(ctx, who(ctx).VASPID, in.Direction, in.Version)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &policySetOutput{Body: set}, nil
}

// PolicySetBody is a policy set to save.
type PolicySetBody struct {
	Policies []policy.Policy `json:"policies" maxItems:"200" doc:"The ordered policies; order names the winner among policies with the same action."`
}

type putPoliciesInput struct {
	Direction string `path:"direction" enum:"outgoing,incoming" doc:"outgoing (withdrawals) or incoming (deposits)."`
	Body      PolicySetBody
}

func (s *server) putPolicies(ctx context.Context, in *putPoliciesInput) (*policySetOutput, error) {
	p := who(ctx)
	set, err := s.eng.PutPolicies(ctx, p.actor(), p.VASPID, in.Direction, in.Body.Policies)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &policySetOutput{Body: set}, nil
}

type testPoliciesInput struct {
	Body decision.TestRequest
}

type testPoliciesOutput struct {
	Body *decision.TestResult
}

func (s *server) testPolicies(ctx context.Context, in *testPoliciesInput) (*testPoliciesOutput, error) {
	dec, err := s.decisions(ctx)
	if err != nil {
		return nil, err
	}
	p := who(ctx)
	di, err := s.eng.DecisionInputFor(ctx, p.VASPID, in.Body.TransferID, in.Body.Point)
	if errors.Is(err, store.ErrNotFound) {
		return nil, newProblem(ctx, http.StatusUnprocessableEntity, "the request is invalid",
			ProblemError{Location: "body.transfer_id", Code: "unknown_transfer", Message: "no transfer with this id"})
	}
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	var prog *policy.Program
	if in.Body.Policies != nil {
		dir := policy.DirectionOutgoing
		if di.Transfer.Direction == transfer.Incoming {
			dir = policy.DirectionIncoming
		}
		if prog, err = s.eng.CheckPolicies(dir, in.Body.Policies); err != nil {
			return nil, s.problemFor(ctx, err)
		}
	}
	ev, err := dec.Evaluate(ctx, s.st.Read(), di, prog)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &testPoliciesOutput{Body: ev}, nil
}

type decisionSettingsOutput struct {
	Body *policy.DecisionSettings
}

func (s *server) getDecisionSettings(ctx context.Context, _ *struct{}) (*decisionSettingsOutput, error) {
	ds, err := s.st.Read().GetDecisionSettings(ctx, who(ctx).VASPID)
	if errors.Is(err, store.ErrNotFound) {
		return &decisionSettingsOutput{Body: &policy.DecisionSettings{}}, nil
	}
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &decisionSettingsOutput{Body: ds}, nil
}

type putDecisionSettingsInput struct {
	Body policy.DecisionSettings
}

func (s *server) putDecisionSettings(ctx context.Context, in *putDecisionSettingsInput) (*decisionSettingsOutput, error) {
	p := who(ctx)
	ds, err := s.eng.PutDecisionSettings(ctx, p.actor(), p.VASPID, in.Body)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &decisionSettingsOutput{Body: ds}, nil
}

// ScreenAddressBody names an address to screen.
type ScreenAddressBody struct {
	Network string `json:"network" minLength:"1" maxLength:"64" doc:"Network (chain) name, e.g. ethereum, bitcoin, tron." example:"ethereum"`
	Address string `json:"address" minLength:"1" maxLength:"256" doc:"The address."`
}

type screenAddressInput struct {
	Body ScreenAddressBody
}

type screeningResultOutput struct {
	Body *transfer.ScreeningResult
}

func (s *server) screenAddress(ctx context.Context, in *screenAddressInput) (*screeningResultOutput, error) {
	dec, err := s.decisions(ctx)
	if err != nil {
		return nil, err
	}
	network := strings.ToLower(strings.TrimSpace(in.Body.Network))
	if err := address.Validate(network, in.Body.Address); err != nil {
		pe := ProblemError{Location: "body.address", Code: "invalid_address", Message: err.Error()}
		if errors.Is(err, address.ErrUnknownNetwork) {
			// The message of an unknown network quotes it: name the supported ones instead.
			pe = ProblemError{Location: "body.network", Code: "unknown_network",
				Message: "network is not supported; one of " + strings.Join(address.Networks(), ", ")}
		}
		return nil, newProblem(ctx, http.StatusUnprocessableEntity, "the request is invalid", pe)
	}
	r := dec.Screener().Screen(ctx, network, in.Body.Address)
	return &screeningResultOutput{Body: &r}, nil
}

// ScreeningListPage is the node's screening list versions.
type ScreeningListPage struct {
	Items []store.ScreeningList `json:"items"`
}

type screeningListsOutput struct {
	Body *ScreeningListPage
}

func (s *server) listScreeningLists(ctx context.Context, _ *struct{}) (*screeningListsOutput, error) {
	list, err := s.st.Read().ListScreeningLists(ctx, false)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	if list == nil {
		list = []store.ScreeningList{}
	}
	return &screeningListsOutput{Body: &ScreeningListPage{Items: list}}, nil
}

type statsInput struct {
	Since time.Time `query:"since" doc:"Start of the window (RFC 3339), inclusive; default 30 days before until."`
	Until time.Time `query:"until" doc:"End of the window (RFC 3339), exclusive; default now."`
}

type statsOutput struct {
	Body *decision.Stats
}

func (s *server) decisionStats(ctx context.Context, in *statsInput) (*statsOutput, error) {
	until, since := in.Until, in.Since
	if until.IsZero() {
		until = s.eng.Now().Add(time.Microsecond)
	}
	if since.IsZero() {
		since = until.Add(-30 * 24 * time.Hour)
	}
	if !since.Before(until) {
		return nil, newProblem(ctx, http.StatusUnprocessableEntity, "the request is invalid",
			ProblemError{Location: "query.since", Code: "invalid", Message: "since must be before until"})
	}
	counts, err := s.st.Read().CountDecisions(ctx, who(ctx).VASPID, since, until)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &statsOutput{Body: decision.NewStats(counts, since, until)}, nil
}
