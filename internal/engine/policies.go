package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// PutPolicies validates a VASP's policy set for one direction and saves it as a new version.
// A set that does not compile is refused with a *ValidationError naming each problem by path
// (policies[2].condition) and, for conditions, by line and column. The change is audited.
func (e *Engine) PutPolicies(ctx context.Context, actor audit.Actor, vaspID, direction string, policies []policy.Policy) (*policy.Set, error) {
	if !policy.ValidDirection(direction) {
		return nil, invalid("direction", "invalid", "direction must be outgoing or incoming")
	}
	if policies == nil {
		policies = []policy.Policy{}
	}
	set := policy.Set{VASPID: vaspID, Direction: direction, Policies: policies, CreatedBy: actor.String()}
	if _, err := e.compiler().Compile(set); err != nil {
		return nil, policyProblems(err)
	}
	var out *policy.Set
	err := e.do(ctx, actor, func(o *op) error {
		if _, err := o.vasp(vaspID); err != nil {
			return err
		}
		v, err := o.tx.PolicySetVersion(o.ctx, vaspID, direction)
		if err != nil {
			return err
		}
		s := set
		s.Version, s.CreatedAt = v+1, o.now
		if err := o.tx.CreatePolicySet(o.ctx, &s); err != nil {
			if errors.Is(err, store.ErrConflict) {
				// Another writer saved a version first: the transaction is retried.
				return fmt.Errorf("policy set version %d: %w", s.Version, store.ErrStale)
			}
			return err
		}
		summary := make([]map[string]string, len(s.Policies))
		for i, p := range s.Policies {
			summary[i] = map[string]string{"name": p.Name, "action": p.Action}
		}
		out = &s
		return o.audit(vaspID, "", "policies.updated", "", "", "", map[string]any{"direction": direction, "version": s.Version,
			"policies": summary})
	})
	return out, err
}

// policyProblems turns a *policy.SetError into a *ValidationError.
func policyProblems(err error) error {
	var se *policy.SetError
	if !errors.As(err, &se) {
		return err
	}
	fe := make([]FieldError, 0, len(se.Problems))
	for _, p := range se.Problems {
		msg := p.Message
		if p.Line > 0 {
			msg = fmt.Sprintf("line %d, column %d: %s", p.Line, p.Column, p.Message)
		}
		code := "invalid"
		if p.Field == "condition" && p.Line > 0 {
			code = "invalid_condition"
		}
		path := p.Path()
		if p.Field == "direction" {
			path = "direction"
		}
		fe = append(fe, FieldError{Path: path, Code: code, Message: msg})
	}
	return &ValidationError{Fields: fe}
}

// CheckPolicies compiles a draft policy set without saving it; the error is a *ValidationError
// like PutPolicies'.
func (e *Engine) CheckPolicies(direction string, policies []policy.Policy) (*policy.Program, error) {
	p, err := e.compiler().Compile(policy.Set{Direction: direction, Policies: policies})
	if err != nil {
		return nil, policyProblems(err)
	}
	return p, nil
}

// PutDecisionSettings replaces a VASP's decision settings (the name-matching threshold). The
// change is audited.
func (e *Engine) PutDecisionSettings(ctx context.Context, actor audit.Actor, vaspID string, s policy.DecisionSettings) (*policy.DecisionSettings, error) {
	if err := s.Validate(); err != nil {
		return nil, invalid("name_match_threshold", "invalid", err.Error())
	}
	err := e.do(ctx, actor, func(o *op) error {
		if _, err := o.vasp(vaspID); err != nil {
			return err
		}
		if err := o.tx.PutDecisionSettings(o.ctx, vaspID, &s, o.now); err != nil {
			return err
		}
		return o.audit(vaspID, "", "decision_settings.updated", "", "", "", map[string]any{"name_match_threshold": s.NameMatchThreshold})
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// DecisionInputFor builds what a decider would see for an existing transfer at a decision point
// (its natural one when point is empty), reading only: for testing policies against it.
func (e *Engine) DecisionInputFor(ctx context.Context, vaspID, id, point string) (*DecisionInput, error) {
	rd := e.store.Read()
	st, err := rd.GetTransfer(ctx, vaspID, id)
	if err != nil {
		return nil, err
	}
	t, err := e.Open(ctx, st)
	if err != nil {
		return nil, err
	}
	v, err := rd.GetVASP(ctx, vaspID)
	if err != nil {
		return nil, err
	}
	in := &DecisionInput{Point: point, VASP: v, Transfer: t, Route: t.Route}
	if in.Point == "" {
		in.Point = NaturalPoint(t)
	}
	if t.CounterpartyID != "" {
		cp, err := rd.GetCounterparty(ctx, vaspID, t.CounterpartyID)
		switch {
		case err == nil:
			in.Counterparty = cp
		case !isNotFound(err):
			return nil, err
		}
	}
	if in.Route == transfer.RouteNone && in.Counterparty != nil {
		if in.Route, err = e.router.Choose(ctx, rd, vaspID, in.Counterparty); err != nil {
			return nil, err
		}
	}
	if addr := t.OurAddress(); addr != "" {
		w, _, err := rd.FindWallet(ctx, vaspID, t.Asset.Network, e.addr.Key(t.Asset.Network, addr))
		switch {
		case err == nil:
			in.Wallet = w
		case !isNotFound(err):
			return nil, err
		}
	}
	return in, nil
}

// NaturalPoint is the decision point a transfer was (or will be) decided at: a withdrawal at
// creation (kept or not), a received transfer before or after address confirmation.
func NaturalPoint(t *transfer.Transfer) string {
	if t.WeInitiated() {
		if kept(t.Kind) {
			return PointOutgoingKept
		}
		return PointOutgoingCreated
	}
	switch t.Status {
	case transfer.StatusSent, transfer.StatusRejected:
		return PointReceived
	}
	return PointAddressConfirmed
}

// Decider returns the engine's decider (for surfaces that evaluate policies without deciding).
func (e *Engine) Decider() Decider { return e.decider }
