package policy

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"time"
	_ "time/tzdata" // now.getHours("Europe/Berlin") must work where the system has no zone files

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
	"github.com/google/cel-go/interpreter"
)

// Facts are everything a policy condition can look at. They describe the transfer, the
// counterparty and the assessments (screening, name matching, ownership proof) — never identity
// data: no names, dates of birth or identifiers of persons, only countries and verdicts derived
// from them. The decision records them as its inputs.
type Facts struct {
	// Point is the decision point being evaluated (outgoing_created, outgoing_kept, received,
	// address_confirmed).
	Point        string            `json:"point" cel:"point"`
	Transfer     TransferFacts     `json:"transfer" cel:"transfer"`
	Counterparty CounterpartyFacts `json:"counterparty" cel:"counterparty"`
	Screening    ScreeningFacts    `json:"screening" cel:"screening"`
	NameMatch    NameMatchFacts    `json:"name_match" cel:"name_match"`
	Proof        ProofFacts        `json:"proof" cel:"proof"`
	// Now is the decision time, from the node's clock.
	Now time.Time `json:"now" cel:"now"`
}

// TransferFacts describe the transfer.
type TransferFacts struct {
	Direction string `json:"direction" cel:"direction"`
	// Kind is TRAVELRULE, BELOW_THRESHOLD, NON_CUSTODIAL or INTERNAL.
	Kind    string  `json:"kind" cel:"kind"`
	Network string  `json:"network" cel:"network"`
	Asset   string  `json:"asset" cel:"asset"`
	Amount  float64 `json:"amount" cel:"amount"`
	// Value holds the transfer's value by currency code (the fiat value given or converted,
	// and EUR and USD when the FX table converts to them). A currency that cannot be converted
	// is absent: reading it is an evaluation error, which holds the transfer for review.
	Value              map[string]float64 `json:"value" cel:"value"`
	PostTransaction    bool               `json:"post_transaction" cel:"post_transaction"`
	Unhosted           bool               `json:"unhosted" cel:"unhosted"`
	OriginAddress      string             `json:"origin_address" cel:"origin_address"`
	DestinationAddress string             `json:"destination_address" cel:"destination_address"`
	ThresholdApplies   bool               `json:"threshold_applies" cel:"threshold_applies"`
	// ThresholdJurisdiction is the jurisdiction whose rule applied (the stricter one).
	ThresholdJurisdiction string `json:"threshold_jurisdiction" cel:"threshold_jurisdiction"`
	// The VASPs' countries (ISO 3166-1 alpha-2) and jurisdiction table codes.
	OriginatingVASPCountry      string `json:"originating_vasp_country" cel:"originating_vasp_country"`
	BeneficiaryVASPCountry      string `json:"beneficiary_vasp_country" cel:"beneficiary_vasp_country"`
	OriginatingVASPJurisdiction string `json:"originating_vasp_jurisdiction" cel:"originating_vasp_jurisdiction"`
	BeneficiaryVASPJurisdiction string `json:"beneficiary_vasp_jurisdiction" cel:"beneficiary_vasp_jurisdiction"`
	// The customers' countries: residence (natural persons) or registration (legal persons),
	// else the country of their first address; empty when the data does not say.
	OriginatorCountry  string `json:"originator_country" cel:"originator_country"`
	BeneficiaryCountry string `json:"beneficiary_country" cel:"beneficiary_country"`
	// OriginatorType and BeneficiaryType are natural, legal, or empty when absent.
	OriginatorType  string `json:"originator_type" cel:"originator_type"`
	BeneficiaryType string `json:"beneficiary_type" cel:"beneficiary_type"`
}

// CounterpartyFacts describe the other VASP.
type CounterpartyFacts struct {
	// Known is true when the counterparty is in the VASP's directory.
	Known        bool   `json:"known" cel:"known"`
	ID           string `json:"id" cel:"id"`
	Name         string `json:"name" cel:"name"`
	LEI          string `json:"lei" cel:"lei"`
	Country      string `json:"country" cel:"country"`
	Jurisdiction string `json:"jurisdiction" cel:"jurisdiction"`
	// Standing is allowed, blocked or unknown ("unknown" also when not in the directory).
	Standing string `json:"standing" cel:"standing"`
	// Route is internal, trp, trisa, email, or empty when none reaches it.
	Route  string `json:"route" cel:"route"`
	Hosted bool   `json:"hosted" cel:"hosted"`
}

// AddressScreening is the screening of one address.
type AddressScreening struct {
	// Screened is false when there was no address to screen.
	Screened bool `json:"screened" cel:"screened"`
	// Status is NONE, COMPLETED, ERROR or TIMEOUT.
	Status    string  `json:"status" cel:"status"`
	RiskScore float64 `json:"risk_score" cel:"risk_score"`
	// Listed is true when the address is on a screening list.
	Listed bool     `json:"listed" cel:"listed"`
	Lists  []string `json:"lists" cel:"lists"`
	Tags   []string `json:"tags" cel:"tags"`
	// EntityIDs are the lists' identifiers of the entities found (an OFAC SDN uid).
	EntityIDs []string `json:"entity_ids" cel:"entity_ids"`
}

// ScreeningFacts hold the screening of both addresses.
type ScreeningFacts struct {
	Origin      AddressScreening `json:"origin" cel:"origin"`
	Destination AddressScreening `json:"destination" cel:"destination"`
	// Listed is true when either address is on a list; MaxRiskScore is the higher score.
	Listed       bool    `json:"listed" cel:"listed"`
	MaxRiskScore float64 `json:"max_risk_score" cel:"max_risk_score"`
	// Incomplete is true when a source failed or timed out for either address.
	Incomplete bool `json:"incomplete" cel:"incomplete"`
}

// NameMatchFacts hold the result of name matching (received transfers).
type NameMatchFacts struct {
	// Checked is false when no name matching ran (withdrawals).
	Checked bool `json:"checked" cel:"checked"`
	// Verdict is match, mismatch or missing; "none" when not checked.
	Verdict string  `json:"verdict" cel:"verdict"`
	Score   float64 `json:"score" cel:"score"`
	// Fields maps each received field (primary_identifier, secondary_identifier, legal_name,
	// name) to its verdict.
	Fields map[string]string `json:"fields" cel:"fields"`
}

// ProofFacts describe the ownership proof of an unhosted wallet.
type ProofFacts struct {
	// Required is true when a jurisdiction's unhosted-wallet rule asks for a proof.
	Required bool `json:"required" cel:"required"`
	// Given is true when a proof came with the transfer; Verified when it verified.
	Given    bool `json:"given" cel:"given"`
	Verified bool `json:"verified" cel:"verified"`
	// Type is eip191, bip137, bip322 or declaration; Strength cryptographic or declared.
	Type     string `json:"type" cel:"type"`
	Strength string `json:"strength" cel:"strength"`
}

// Compiler checks and compiles policy conditions in the policy environment. It is safe for
// concurrent use; building one costs a few milliseconds, so callers keep one.
type Compiler struct {
	env *cel.Env
}

// celTypes are the native types the environment exposes.
var celTypes = []any{
	reflect.TypeFor[TransferFacts](), reflect.TypeFor[CounterpartyFacts](), reflect.TypeFor[AddressScreening](),
	reflect.TypeFor[ScreeningFacts](), reflect.TypeFor[NameMatchFacts](), reflect.TypeFor[ProofFacts](),
}

// costLimit bounds the work of one condition's evaluation (CEL cost units: about one per
// operation), so a policy cannot stall decisions.
const costLimit = 100_000

// NewCompiler builds the policy environment: the variables point, transfer, counterparty,
// screening, name_match, proof and now, CEL's standard library with string and math
// extensions, and comparisons across int and double (amount > 1000 works).
func NewCompiler() (*Compiler, error) {
	opts := []cel.EnvOption{
		ext.NativeTypes(append([]any{ext.ParseStructTags(true)}, celTypes...)...),
		ext.Strings(), ext.Math(), ext.Sets(),
		cel.CrossTypeNumericComparisons(true),
		cel.Variable("point", cel.StringType),
		cel.Variable("transfer", cel.ObjectType("policy.TransferFacts")),
		cel.Variable("counterparty", cel.ObjectType("policy.CounterpartyFacts")),
		cel.Variable("screening", cel.ObjectType("policy.ScreeningFacts")),
		cel.Variable("name_match", cel.ObjectType("policy.NameMatchFacts")),
		cel.Variable("proof", cel.ObjectType("policy.ProofFacts")),
		cel.Variable("now", cel.TimestampType),
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("policy environment: %w", err)
	}
	return &Compiler{env: env}, nil
}

// Program is a compiled policy set, ready to evaluate many times without compile work.
type Program struct {
	Set      Set
	programs []cel.Program // one per policy; nil for disabled ones
}

// Compile checks a set's shape and compiles its conditions. It returns a *SetError listing
// every problem (a condition that does not parse or type-check is named with its line and
// column) when the set cannot be used.
func (c *Compiler) Compile(s Set) (*Program, error) {
	if !ValidDirection(s.Direction) {
		return nil, &SetError{Problems: []Problem{{Field: "direction", Message: "direction must be outgoing or incoming"}}}
	}
	problems := checkShape(s.Direction, s.Policies)
	p := &Program{Set: s, programs: make([]cel.Program, len(s.Policies))}
	for i := range s.Policies {
		pol := &s.Policies[i]
		if pol.Condition == "" || len(pol.Condition) > MaxConditionLen {
			continue
		}
		prg, probs := c.compile(i, pol)
		problems = append(problems, probs...)
		p.programs[i] = prg
	}
	if len(problems) > 0 {
		return nil, &SetError{Problems: problems}
	}
	return p, nil
}

func (c *Compiler) compile(i int, pol *Policy) (cel.Program, []Problem) {
	ast, iss := c.env.Compile(pol.Condition)
	if iss != nil && iss.Err() != nil {
		var out []Problem
		for _, e := range iss.Errors() {
			pr := Problem{Index: i, Policy: pol.Name, Field: "condition", Message: e.Message}
			if e.Location != nil && e.Location.Line() > 0 {
				pr.Line, pr.Column = e.Location.Line(), e.Location.Column()+1
			}
			out = append(out, pr)
		}
		return nil, out
	}
	if !ast.OutputType().IsExactType(types.BoolType) {
		return nil, []Problem{{Index: i, Policy: pol.Name, Field: "condition", Line: 1, Column: 1,
			Message: "condition must be of type bool, not " + cel.FormatCELType(ast.OutputType())}}
	}
	prg, err := c.env.Program(ast, cel.EvalOptions(cel.OptOptimize), cel.CostLimit(costLimit))
	if err != nil {
		return nil, []Problem{{Index: i, Policy: pol.Name, Field: "condition", Message: err.Error()}}
	}
	return prg, nil
}

// Evaluation is one policy's outcome in a decision.
type Evaluation struct {
	Policy  string `json:"policy"`
	Action  string `json:"action"`
	Matched bool   `json:"matched"`
	// Error is set when the condition could not be evaluated; such a policy counts as
	// matched with the action review, whatever its own action.
	Error string `json:"error,omitempty"`
}

// Outcome is what a set decided at one decision point.
type Outcome struct {
	// Action is the most restrictive action of the matched policies; empty when none matched
	// (the VASP's default then applies).
	Action string `json:"action,omitempty"`
	// Policy is the winner: the first matched policy with Action.
	Policy string `json:"policy,omitempty"`
	// Reason is the winner's reason.
	Reason string `json:"reason,omitempty"`
	// Matched lists every matched policy, in set order.
	Matched []string `json:"matched,omitempty"`
	// Evaluations lists every policy evaluated at the point, in set order.
	Evaluations []Evaluation `json:"evaluations"`
}

// errEvaluation marks a condition that failed at run time.
var errEvaluation = errors.New("policy evaluation failed")

// Evaluate runs every policy of the set that applies at f.Point and combines them: the most
// restrictive action of the matched policies wins (reject > review > not_ready > approve). A
// condition that fails at run time (a missing map key, a cost limit) matches as review, so an
// error never lets a transfer through.
func (p *Program) Evaluate(f *Facts) Outcome {
	out := Outcome{Evaluations: []Evaluation{}}
	act := activation{f: f}
	for i := range p.Set.Policies {
		pol := &p.Set.Policies[i]
		if !pol.AppliesAt(f.Point) || p.programs[i] == nil {
			continue
		}
		ev := Evaluation{Policy: pol.Name, Action: pol.Action}
		val, _, err := p.programs[i].Eval(&act)
		switch {
		case err != nil:
			ev.Matched, ev.Action, ev.Error = true, ActionReview, fmt.Errorf("%w: %v", errEvaluation, err).Error()
		default:
			b, ok := val.Value().(bool)
			if !ok {
				ev.Matched, ev.Action, ev.Error = true, ActionReview, errEvaluation.Error()+": not a bool"
			} else {
				ev.Matched = b
			}
		}
		out.Evaluations = append(out.Evaluations, ev)
		if !ev.Matched {
			continue
		}
		out.Matched = append(out.Matched, pol.Name)
		if Rank(ev.Action) > Rank(out.Action) {
			out.Action, out.Policy = ev.Action, pol.Name
			out.Reason = pol.Reason
			if ev.Error != "" {
				out.Reason = "policy " + pol.Name + " could not be evaluated"
			}
		}
	}
	if out.Action != "" && out.Reason == "" {
		out.Reason = "policy " + out.Policy
	}
	return out
}

// activation hands the facts to CEL without building a map per evaluation.
type activation struct{ f *Facts }

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "point":
		return a.f.Point, true
	case "transfer":
		return &a.f.Transfer, true
	case "counterparty":
		return &a.f.Counterparty, true
	case "screening":
		return &a.f.Screening, true
	case "name_match":
		return &a.f.NameMatch, true
	case "proof":
		return &a.f.Proof, true
	case "now":
		return a.f.Now, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// Variables documents the variables a condition can use, for docs and error messages.
func Variables() []string {
	out := []string{"point", "transfer", "counterparty", "screening", "name_match", "proof", "now"}
	sort.Strings(out)
	return out
}
