// Package decision decides transfers: it implements the engine's Assessor (address screening
// of origin and destination, name matching of received transfers against the customer's KYC
// name) and Decider (the VASP's policy set for the direction, compiled once per version, most
// restrictive action wins, the VASP's settings when no policy matches). It also keeps the
// node's screening lists loaded from the database and imports new versions.
//
// It reads through the store.Tx the engine gives it and never changes a transfer's status:
// the engine applies decisions. Decisions record their inputs as policy.Facts, which hold no
// identity data; nothing here logs or returns names, dates of birth or identifiers of persons.
package decision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/namematch"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/screening"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// Config configures a Service.
type Config struct {
	// Screener screens addresses; nil means a Screener with no lists and no providers.
	Screener *screening.Screener
	// Clock gives the decision time (the now of policies); nil means time.Now.
	Clock func() time.Time
	// Logger receives list loading events; nil discards them.
	Logger *slog.Logger
}

// Service is the decider and assessor of a node. It is safe for concurrent use.
type Service struct {
	screener *screening.Screener
	clock    func() time.Time
	log      *slog.Logger
	compiler *policy.Compiler

	mu       sync.Mutex
	programs map[setKey]*policy.Program // by VASP and direction, the latest version compiled
	matchers map[float64]*namematch.Matcher
	loaded   map[string]string // screening list name -> loaded version id
}

type setKey struct{ vaspID, direction string }

// New returns a Service.
func New(cfg Config) (*Service, error) {
	c, err := policy.NewCompiler()
	if err != nil {
		return nil, err
	}
	s := &Service{screener: cfg.Screener, clock: cfg.Clock, log: cfg.Logger, compiler: c,
		programs: map[setKey]*policy.Program{}, matchers: map[float64]*namematch.Matcher{}, loaded: map[string]string{}}
	if s.screener == nil {
		s.screener = screening.NewScreener(screening.Config{})
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Screener returns the service's screener (for on-demand screening).
func (s *Service) Screener() *screening.Screener { return s.screener }

// Assess screens the transfer's origin and destination and, for a received transfer, matches
// the received names against the customer's KYC name. It sets in.Transfer.Screening and
// NameMatch and changes nothing else.
func (s *Service) Assess(ctx context.Context, tx store.Tx, in *engine.DecisionInput) error {
	t := in.Transfer
	t.Screening = s.screener.ScreenTransfer(ctx, t)
	if t.WeInitiated() {
		return nil
	}
	m, err := s.matcher(ctx, tx, in.VASP.ID)
	if err != nil {
		return err
	}
	t.NameMatch = matchNames(m, receivedParty(t), t.CustomerName)
	return nil
}

// matcher returns the name matcher for a VASP's threshold.
func (s *Service) matcher(ctx context.Context, tx store.Tx, vaspID string) (*namematch.Matcher, error) {
	threshold := 0.0
	ds, err := tx.GetDecisionSettings(ctx, vaspID)
	switch {
	case err == nil:
		threshold = ds.NameMatchThreshold
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.matchers[threshold]; ok {
		return m, nil
	}
	m, err := namematch.New(namematch.Config{Threshold: threshold})
	if err != nil {
		return nil, fmt.Errorf("name matcher: %w", err)
	}
	if len(s.matchers) < 64 {
		s.matchers[threshold] = m
	}
	return m, nil
}

// Decide evaluates the VASP's policy set for the transfer's direction at the decision point.
// The most restrictive matching action wins; when none matches, the VASP's settings decide
// (engine.SettingsDecider), and a kept withdrawal is approved. The decision records the set
// version, every policy evaluated and the facts it saw.
func (s *Service) Decide(ctx context.Context, tx store.Tx, in *engine.DecisionInput) (transfer.Decision, error) {
	dir := directionOf(in.Transfer)
	prog, err := s.program(ctx, tx, in.VASP.ID, dir)
	if err != nil {
		return transfer.Decision{}, err
	}
	rates, err := ratesOf(ctx, tx, in)
	if err != nil {
		return transfer.Decision{}, err
	}
	f := factsOf(in, rates, s.clock())
	var out policy.Outcome
	if prog != nil {
		out = prog.Evaluate(f)
	}
	return s.decision(ctx, tx, in, prog, f, out)
}

// decision turns a policy outcome into the engine's decision, falling back to the VASP's
// settings when no policy matched.
func (s *Service) decision(ctx context.Context, tx store.Tx, in *engine.DecisionInput, prog *policy.Program, f *policy.Facts, out policy.Outcome) (transfer.Decision, error) {
	in0 := map[string]any{"facts": f, "evaluations": out.Evaluations}
	if prog != nil {
		in0["policy_set"] = map[string]any{"direction": prog.Set.Direction, "version": prog.Set.Version}
	}
	inputs, err := json.Marshal(in0)
	if err != nil {
		return transfer.Decision{}, fmt.Errorf("decision inputs: %w", err)
	}
	if out.Action != "" {
		return transfer.Decision{Action: out.Action, Source: "policy", Policy: out.Policy, Matched: out.Matched,
			Reason: out.Reason, Inputs: inputs}, nil
	}
	d, err := engine.SettingsDecider{}.Decide(ctx, tx, in)
	if err != nil {
		return d, err
	}
	if d.Action != engine.ActionNone {
		d.Reason = "no policy matched: " + d.Reason
	}
	d.Inputs = inputs
	return d, nil
}

// directionOf is the policy set that decides t: outgoing for our withdrawals and the
// post-transaction requests about them, incoming for deposits.
func directionOf(t *transfer.Transfer) string {
	if t.Direction == transfer.Incoming {
		return policy.DirectionIncoming
	}
	return policy.DirectionOutgoing
}

// program returns the compiled latest version of a VASP's set, nil when it has none. A version
// is compiled once: later decisions only read the version number.
func (s *Service) program(ctx context.Context, tx store.Tx, vaspID, direction string) (*policy.Program, error) {
	v, err := tx.PolicySetVersion(ctx, vaspID, direction)
	if err != nil || v == 0 {
		return nil, err
	}
	key := setKey{vaspID, direction}
	s.mu.Lock()
	p := s.programs[key]
	s.mu.Unlock()
	if p != nil && p.Set.Version == v {
		return p, nil
	}
	set, err := tx.GetPolicySet(ctx, vaspID, direction, v)
	if err != nil {
		return nil, err
	}
	if p, err = s.compiler.Compile(*set); err != nil {
		// A stored set was valid when saved; if it no longer compiles (the environment
		// changed), every decision is held for review rather than let through.
		return nil, fmt.Errorf("policy set %s v%d no longer compiles: %w", direction, v, err)
	}
	s.mu.Lock()
	if old := s.programs[key]; old == nil || old.Set.Version < p.Set.Version {
		s.programs[key] = p
	}
	s.mu.Unlock()
	return p, nil
}

// TestResult is the answer to "what would this policy set decide for that transfer?".
type TestResult struct {
	Point     string `json:"point" doc:"The decision point evaluated."`
	Direction string `json:"direction"`
	// Decision is what would be decided: the action, the winning policy, every matched policy,
	// the reason and the inputs.
	Decision transfer.Decision `json:"decision"`
	// Evaluations lists each policy evaluated at the point, in set order.
	Evaluations []policy.Evaluation `json:"evaluations"`
	// Facts are what the policies saw (no identity data).
	Facts *policy.Facts `json:"facts"`
	// Screening and NameMatch are the assessments made for this evaluation.
	Screening []transfer.ScreeningResult `json:"screening,omitempty"`
	NameMatch *transfer.NameMatch        `json:"name_match,omitempty"`
}

// Evaluate assesses a copy of the transfer now and evaluates prog (a draft set, or nil for the
// VASP's own) at in.Point, without storing anything.
func (s *Service) Evaluate(ctx context.Context, tx store.Tx, in *engine.DecisionInput, prog *policy.Program) (*TestResult, error) {
	t := *in.Transfer
	in2 := *in
	in2.Transfer = &t
	if err := s.Assess(ctx, tx, &in2); err != nil {
		return nil, err
	}
	if prog == nil {
		var err error
		if prog, err = s.program(ctx, tx, in.VASP.ID, directionOf(&t)); err != nil {
			return nil, err
		}
	}
	rates, err := ratesOf(ctx, tx, &in2)
	if err != nil {
		return nil, err
	}
	f := factsOf(&in2, rates, s.clock())
	var out policy.Outcome
	if prog != nil {
		out = prog.Evaluate(f)
	}
	d, err := s.decision(ctx, tx, &in2, prog, f, out)
	if err != nil {
		return nil, err
	}
	d.DecidedAt = s.clock().UTC()
	if out.Evaluations == nil {
		out.Evaluations = []policy.Evaluation{}
	}
	return &TestResult{Point: in.Point, Direction: directionOf(&t), Decision: d, Evaluations: out.Evaluations, Facts: f,
		Screening: t.Screening, NameMatch: t.NameMatch}, nil
}

// TestRequest asks what a policy set would decide for an existing transfer.
type TestRequest struct {
	TransferID string `json:"transfer_id" minLength:"1" maxLength:"64" doc:"The transfer to evaluate against; it is not changed."`
	// Point overrides the decision point; empty means the transfer's own.
	Point string `json:"point,omitempty" enum:"outgoing_created,outgoing_kept,received,address_confirmed" doc:"The decision point to evaluate; default: the transfer's own."`
	// Policies is the draft set; nil means the VASP's saved set for the transfer's direction.
	Policies []policy.Policy `json:"policies,omitempty" maxItems:"200" doc:"The draft policy set; absent: your saved set for the transfer's direction."`
}

// PolicySets are a VASP's current sets for both directions.
type PolicySets struct {
	Outgoing *policy.Set `json:"outgoing"`
	Incoming *policy.Set `json:"incoming"`
}

// Stats are decision statistics over a window: how many decisions were made, and how many
// without a person (the automation rate).
type Stats struct {
	Since     time.Time `json:"since"`
	Until     time.Time `json:"until"`
	Decisions int       `json:"decisions" doc:"Withdrawals released or stopped and received transfers answered in the window."`
	Automated int       `json:"automated" doc:"Decisions made by a policy or the VASP's default setting."`
	ByPerson  int       `json:"by_person" doc:"Decisions made by a person (dashboard user or API call)."`
	// AutomationRate is Automated / Decisions, 0 when there were none.
	AutomationRate float64               `json:"automation_rate" doc:"Share of decisions made without a person, from 0 to 1."`
	ByOutcome      []store.DecisionCount `json:"by_outcome" doc:"Decisions by direction, resulting status and whether automated."`
}

// NewStats sums decision counts into statistics.
func NewStats(counts []store.DecisionCount, since, until time.Time) *Stats {
	s := &Stats{Since: since.UTC(), Until: until.UTC(), ByOutcome: counts}
	if s.ByOutcome == nil {
		s.ByOutcome = []store.DecisionCount{}
	}
	for _, c := range counts {
		s.Decisions += c.Count
		if c.Automated {
			s.Automated += c.Count
		} else {
			s.ByPerson += c.Count
		}
	}
	if s.Decisions > 0 {
		s.AutomationRate = float64(s.Automated) / float64(s.Decisions)
	}
	return s
}

// ratesOf returns the FX table the engine passed, or reads it.
func ratesOf(ctx context.Context, tx store.Tx, in *engine.DecisionInput) (*policy.Rates, error) {
	if in.Rates != nil {
		return in.Rates, nil
	}
	rows, err := tx.ListFXRates(ctx)
	if err != nil {
		return nil, err
	}
	return policy.NewRates(rows), nil
}
