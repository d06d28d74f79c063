package policy

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func compiler(t testing.TB) *Compiler {
	t.Helper()
	c, err := NewCompiler()
	require.NoError(t, err)
	return c
}

// baseFacts is a withdrawal of EUR 500 to an allowed counterparty, screened clean.
func baseFacts() *Facts {
	f := &Facts{Point: PointOutgoingCreated, Now: time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)} // a Monday
	f.Transfer = TransferFacts{Direction: DirectionOutgoing, Kind: "TRAVELRULE", Network: "ethereum", Asset: "USDC",
		Amount: 500, Value: map[string]float64{"EUR": 500, "USD": 540}, ThresholdApplies: true, ThresholdJurisdiction: "EU",
		OriginatingVASPCountry: "DE", BeneficiaryVASPCountry: "FR", OriginatorCountry: "DE", BeneficiaryCountry: "FR",
		OriginatorType: "natural", BeneficiaryType: "natural"}
	f.Counterparty = CounterpartyFacts{Known: true, ID: "cp1", Name: "Beta", Country: "FR", Jurisdiction: "EU", Standing: "allowed", Route: "trp"}
	f.Screening.Origin = AddressScreening{Screened: true, Status: "COMPLETED", Lists: []string{}, Tags: []string{}, EntityIDs: []string{}}
	f.Screening.Destination = f.Screening.Origin
	f.NameMatch = NameMatchFacts{Verdict: "none", Fields: map[string]string{}}
	return f
}

func TestEveryActionAndMostRestrictiveWins(t *testing.T) {
	t.Parallel()
	c := compiler(t)
	always := func(name, action string) Policy { return Policy{Name: name, Condition: "true", Action: action} }
	never := func(name, action string) Policy { return Policy{Name: name, Condition: "false", Action: action} }
	tests := []struct {
		name     string
		policies []Policy
		action   string
		winner   string
		matched  []string
	}{
		{"no policy: no action (the default decides)", nil, "", "", nil},
		{"nothing matches", []Policy{never("a", ActionReject), never("b", ActionApprove)}, "", "", nil},
		{"approve", []Policy{always("ok", ActionApprove)}, ActionApprove, "ok", []string{"ok"}},
		{"review", []Policy{always("look", ActionReview)}, ActionReview, "look", []string{"look"}},
		{"reject", []Policy{always("stop", ActionReject)}, ActionReject, "stop", []string{"stop"}},
		{"not_ready", []Policy{always("later", ActionNotReady)}, ActionNotReady, "later", []string{"later"}},
		{"reject beats review and approve, whatever the order",
			[]Policy{always("ok", ActionApprove), always("look", ActionReview), always("stop", ActionReject)}, ActionReject, "stop", []string{"ok", "look", "stop"}},
		{"review beats not_ready", []Policy{always("later", ActionNotReady), always("look", ActionReview)}, ActionReview, "look", []string{"later", "look"}},
		{"not_ready beats approve", []Policy{always("ok", ActionApprove), always("later", ActionNotReady)}, ActionNotReady, "later", []string{"ok", "later"}},
		{"the first of equal actions wins", []Policy{always("first", ActionReview), always("second", ActionReview)}, ActionReview, "first", []string{"first", "second"}},
		{"a disabled policy is not evaluated", []Policy{{Name: "off", Condition: "true", Action: ActionReject, Disabled: true}, always("ok", ActionApprove)}, ActionApprove, "ok", []string{"ok"}},
		{"a policy for another point is not evaluated",
			[]Policy{{Name: "kept-only", Condition: "true", Action: ActionReject, Points: []string{PointOutgoingKept}}, always("ok", ActionApprove)}, ActionApprove, "ok", []string{"ok"}},
		{"a run-time error matches as review",
			[]Policy{always("ok", ActionApprove), {Name: "jpy", Condition: "transfer.value.JPY > 1.0", Action: ActionApprove}}, ActionReview, "jpy", []string{"ok", "jpy"}},
		{"a run-time error does not outrank reject",
			[]Policy{{Name: "jpy", Condition: "transfer.value.JPY > 1.0", Action: ActionApprove}, always("stop", ActionReject)}, ActionReject, "stop", []string{"jpy", "stop"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := c.Compile(Set{Direction: DirectionOutgoing, Policies: tc.policies})
			require.NoError(t, err)
			out := p.Evaluate(baseFacts())
			require.Equal(t, tc.action, out.Action)
			require.Equal(t, tc.winner, out.Policy)
			require.Equal(t, tc.matched, out.Matched)
			if tc.action != "" {
				require.NotEmpty(t, out.Reason)
			}
		})
	}
}

func TestRankOrder(t *testing.T) {
	t.Parallel()
	acts := Actions()
	for i := 1; i < len(acts); i++ {
		require.Less(t, Rank(acts[i-1]), Rank(acts[i]), "%s < %s", acts[i-1], acts[i])
	}
	require.Zero(t, Rank("block"))
}

// TestConditions checks the variables a condition can read, on the ready-made examples of
// docs/policies.md.
func TestConditions(t *testing.T) {
	t.Parallel()
	c := compiler(t)
	listed := func(f *Facts) {
		f.Screening.Destination.Listed, f.Screening.Destination.Lists = true, []string{"ofac-sdn"}
		f.Screening.Destination.RiskScore, f.Screening.Listed, f.Screening.MaxRiskScore = 10, true, 10
	}
	tests := []struct {
		name      string
		condition string
		change    func(*Facts)
		want      bool
	}{
		{"allowed counterparty below EUR 1000", `counterparty.standing == "allowed" && transfer.value.EUR < 1000`, nil, true},
		{"allowed counterparty above EUR 1000", `counterparty.standing == "allowed" && transfer.value.EUR < 1000`,
			func(f *Facts) { f.Transfer.Value["EUR"] = 5000 }, false},
		{"high-risk jurisdiction of the beneficiary's VASP", `transfer.beneficiary_vasp_country in ["IR", "KP", "MM"]`,
			func(f *Facts) { f.Transfer.BeneficiaryVASPCountry = "KP" }, true},
		{"high-risk customer country", `transfer.beneficiary_country in ["IR", "KP", "MM"] || transfer.originator_country in ["IR", "KP", "MM"]`, nil, false},
		{"sanctioned destination", `screening.destination.listed || screening.origin.listed`, listed, true},
		{"sanctioned by list name", `"ofac-sdn" in screening.destination.lists`, listed, true},
		{"risk score", `screening.max_risk_score >= 7`, listed, true},
		{"tags", `screening.destination.tags.exists(t, t in ["mixer", "darknet"])`, func(f *Facts) { f.Screening.Destination.Tags = []string{"mixer"} }, true},
		{"screening incomplete", `screening.incomplete`, func(f *Facts) { f.Screening.Incomplete = true }, true},
		{"outside business hours (Berlin)", `now.getHours("Europe/Berlin") < 9 || now.getHours("Europe/Berlin") >= 18 || now.getDayOfWeek("Europe/Berlin") in [0, 6]`, nil, false},
		{"outside business hours at night", `now.getHours("Europe/Berlin") < 9 || now.getHours("Europe/Berlin") >= 18`,
			func(f *Facts) { f.Now = time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC) }, true},
		{"name mismatch", `name_match.checked && name_match.verdict == "mismatch"`,
			func(f *Facts) {
				f.NameMatch = NameMatchFacts{Checked: true, Verdict: "mismatch", Score: 0.4, Fields: map[string]string{"primary_identifier": "mismatch"}}
			}, true},
		{"one field", `name_match.fields["primary_identifier"] == "match"`,
			func(f *Facts) { f.NameMatch.Fields["primary_identifier"] = "match" }, true},
		{"unhosted with a declared proof only", `transfer.unhosted && proof.required && proof.strength == "declared"`,
			func(f *Facts) {
				f.Transfer.Unhosted, f.Proof = true, ProofFacts{Required: true, Given: true, Verified: true, Type: "declaration", Strength: "declared"}
			}, true},
		{"int and double compare", `transfer.amount > 100`, nil, true},
		{"point", `point == "outgoing_created"`, nil, true},
		{"kept transfers", `transfer.kind != "TRAVELRULE"`, nil, false},
		{"value presence", `has(transfer.value.JPY)`, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := c.Compile(Set{Direction: DirectionOutgoing, Policies: []Policy{{Name: "p", Condition: tc.condition, Action: ActionReview}}})
			require.NoError(t, err)
			f := baseFacts()
			if tc.change != nil {
				tc.change(f)
			}
			out := p.Evaluate(f)
			require.Empty(t, out.Evaluations[0].Error)
			require.Equal(t, tc.want, out.Evaluations[0].Matched)
		})
	}
}

// TestCompileErrorsHavePositions: a policy that does not compile is refused with its position.
func TestCompileErrorsHavePositions(t *testing.T) {
	t.Parallel()
	c := compiler(t)
	tests := []struct {
		name      string
		policy    Policy
		field     string
		line, col int
		contains  string
	}{
		{"unknown field", Policy{Name: "a", Condition: `transfer.amout > 1`, Action: ActionReview}, "condition", 1, 9, "undefined field 'amout'"},
		{"unknown variable on line 2", Policy{Name: "a", Condition: "transfer.amount > 1 &&\n  customer.name == 'x'", Action: ActionReview}, "condition", 2, 3, "undeclared reference to 'customer'"},
		{"syntax error", Policy{Name: "a", Condition: `transfer.amount >`, Action: ActionReview}, "condition", 1, 18, "Syntax error"},
		{"wrong type", Policy{Name: "a", Condition: `transfer.asset == 1`, Action: ActionReview}, "condition", 1, 16, "no matching overload"},
		{"not a bool", Policy{Name: "a", Condition: `transfer.amount * 2.0`, Action: ActionReview}, "condition", 1, 1, "must be of type bool"},
		{"no condition", Policy{Name: "a", Action: ActionReview}, "condition", 0, 0, "required"},
		{"bad action", Policy{Name: "a", Condition: "true", Action: "block"}, "action", 0, 0, "approve, review, reject or not_ready"},
		{"no name", Policy{Condition: "true", Action: ActionReview}, "name", 0, 0, "required"},
		{"point of the other direction", Policy{Name: "a", Condition: "true", Action: ActionReview, Points: []string{PointOutgoingKept}}, "points", 0, 0, "not a decision point"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := DirectionOutgoing
			if tc.field == "points" {
				dir = DirectionIncoming
			}
			_, err := c.Compile(Set{Direction: dir, Policies: []Policy{{Name: "fine", Condition: "true", Action: ActionApprove}, tc.policy}})
			var se *SetError
			require.True(t, errors.As(err, &se), "%v", err)
			require.NotEmpty(t, se.Problems)
			p := se.Problems[0]
			require.Equal(t, 1, p.Index, "the second policy is at fault")
			require.Equal(t, tc.field, p.Field)
			require.Equal(t, tc.line, p.Line)
			if tc.col > 0 {
				require.Equal(t, tc.col, p.Column)
			}
			require.Contains(t, p.Message, tc.contains)
			require.Contains(t, err.Error(), "policies[1]."+tc.field)
		})
	}
}

func TestDuplicateNamesAndLimits(t *testing.T) {
	t.Parallel()
	c := compiler(t)
	_, err := c.Compile(Set{Direction: DirectionOutgoing, Policies: []Policy{
		{Name: "a", Condition: "true", Action: ActionReview}, {Name: "a", Condition: "true", Action: ActionReview}}})
	require.ErrorContains(t, err, "already used by policies[0]")
	many := make([]Policy, MaxPolicies+1)
	for i := range many {
		many[i] = Policy{Name: string(rune('a'+i%26)) + string(rune('0'+i/26)), Condition: "true", Action: ActionReview}
	}
	_, err = c.Compile(Set{Direction: DirectionOutgoing, Policies: many})
	require.ErrorContains(t, err, "at most")
	_, err = c.Compile(Set{Direction: "sideways"})
	require.ErrorContains(t, err, "direction")
	p, err := c.Compile(Set{Direction: DirectionIncoming, Policies: []Policy{}})
	require.NoError(t, err, "an empty set is valid")
	require.Empty(t, p.Evaluate(baseFacts()).Action)
}

func TestCostLimit(t *testing.T) {
	t.Parallel()
	c := compiler(t)
	cond := `[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, a+b+c+d+e > 0)))))`
	p, err := c.Compile(Set{Direction: DirectionOutgoing, Policies: []Policy{{Name: "slow", Condition: cond, Action: ActionApprove}}})
	require.NoError(t, err)
	out := p.Evaluate(baseFacts())
	require.Equal(t, ActionReview, out.Action, "a condition over the cost limit holds the transfer")
	require.Contains(t, out.Evaluations[0].Error, "cost")
}

func TestDecisionSettings(t *testing.T) {
	t.Parallel()
	require.NoError(t, DecisionSettings{}.Validate())
	require.NoError(t, DecisionSettings{NameMatchThreshold: 0.95}.Validate())
	require.Error(t, DecisionSettings{NameMatchThreshold: 1.5}.Validate())
	require.Error(t, DecisionSettings{NameMatchThreshold: -0.1}.Validate())
}

func BenchmarkEvaluate(b *testing.B) {
	c := compiler(b)
	p, err := c.Compile(Set{Direction: DirectionOutgoing, Policies: examplePolicies()})
	require.NoError(b, err)
	f := baseFacts()
	b.ReportAllocs()
	for b.Loop() {
		if out := p.Evaluate(f); out.Action != ActionApprove {
			b.Fatal(out.Action)
		}
	}
}

// examplePolicies are the ready-made examples of docs/policies.md.
func examplePolicies() []Policy {
	return []Policy{
		{Name: "reject-sanctioned", Condition: `screening.listed`, Action: ActionReject, Reason: "an address is on a sanctions list"},
		{Name: "review-high-risk-jurisdictions", Action: ActionReview, Reason: "high-risk jurisdiction",
			Condition: `[transfer.originating_vasp_country, transfer.beneficiary_vasp_country, transfer.originator_country, transfer.beneficiary_country].exists(c, c in ["IR", "KP", "MM"])`},
		{Name: "review-risky-addresses", Condition: `screening.max_risk_score >= 7 || screening.incomplete`, Action: ActionReview},
		{Name: "review-name-mismatch", Condition: `name_match.checked && name_match.verdict != "match"`, Action: ActionReview},
		{Name: "auto-approve-allowed-small", Condition: `counterparty.standing == "allowed" && has(transfer.value.EUR) && transfer.value.EUR < 10000`, Action: ActionApprove},
		{Name: "approve-kept", Condition: `transfer.kind != "TRAVELRULE"`, Action: ActionApprove},
	}
}
