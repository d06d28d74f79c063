package policy

import (
	"fmt"
	"strings"
	"time"
)

// Actions a policy can take. They are ranked by how restrictive they are: when several policies
// match, the most restrictive action wins (reject > review > not_ready > approve), and among
// policies with the same action the first in the set's order is named the winner.
//
// not_ready ranks below review: both hold the transfer, but review says a person must look at it
// (something is wrong or unusual), while not_ready says only that the VASP cannot answer yet
// (outside business hours, say). When both match, the transfer goes to the review inbox with the
// review policy's reason; telling the counterparty "not ready" would hide that a person is
// needed.
const (
	// ActionApprove lets the transfer go on: a withdrawal is sent (or kept, when no exchange is
	// needed), a received transfer goes on to the address step and is then accepted.
	ActionApprove = "approve"
	// ActionNotReady holds the transfer without a person being needed yet: a received transfer
	// is answered NOT_READY; a withdrawal stays NEW.
	ActionNotReady = "not_ready"
	// ActionReview holds the transfer for a person (the review inbox).
	ActionReview = "review"
	// ActionReject stops the transfer: a withdrawal is cancelled, a received transfer declined.
	ActionReject = "reject"
)

// Actions lists the actions, least restrictive first.
func Actions() []string {
	return []string{ActionApprove, ActionNotReady, ActionReview, ActionReject}
}

// Rank returns how restrictive an action is (higher is more restrictive), or 0 for an unknown
// action.
func Rank(action string) int {
	switch action {
	case ActionApprove:
		return 1
	case ActionNotReady:
		return 2
	case ActionReview:
		return 3
	case ActionReject:
		return 4
	}
	return 0
}

// Directions a policy set applies to.
const (
	// DirectionOutgoing covers withdrawals (and post-transaction requests received about them).
	DirectionOutgoing = "outgoing"
	// DirectionIncoming covers deposits: transfers received from counterparties.
	DirectionIncoming = "incoming"
)

// Decision points, as the engine names them: where in a transfer's life a set is evaluated.
const (
	// PointOutgoingCreated is a new withdrawal that needs a Travel Rule exchange (NEW).
	PointOutgoingCreated = "outgoing_created"
	// PointOutgoingKept is a new withdrawal that needs no exchange (below the threshold, to an
	// unhosted wallet, between two customers of the VASP): approve keeps it (SAVED).
	PointOutgoingKept = "outgoing_kept"
	// PointReceived is a transfer just received, before address confirmation.
	PointReceived = "received"
	// PointAddressConfirmed is a received transfer whose destination address was confirmed.
	PointAddressConfirmed = "address_confirmed"
)

// Points lists the decision points.
func Points() []string {
	return []string{PointOutgoingCreated, PointOutgoingKept, PointReceived, PointAddressConfirmed}
}

// Limits on a policy set, so that a set stays readable and cheap to evaluate.
const (
	// MaxPolicies is the most policies one set may hold.
	MaxPolicies = 200
	// MaxConditionLen is the longest condition, in bytes.
	MaxConditionLen = 4096
	// MaxNameLen is the longest policy name.
	MaxNameLen = 100
)

// Policy is one rule: when Condition (a CEL expression over the decision's facts) is true,
// Action applies.
type Policy struct {
	// Name identifies the policy in decisions and the audit trail; unique within its set.
	Name string `json:"name" minLength:"1" maxLength:"100" doc:"Unique within the set; decisions and the audit trail name the policy by it." example:"reject-sanctioned"`
	// Description says what the policy is for, for people.
	Description string `json:"description,omitempty" maxLength:"1000" doc:"What the policy is for."`
	// Condition is a CEL expression of type bool over the facts (see docs/policies.md).
	Condition string `json:"condition" minLength:"1" maxLength:"4096" doc:"A CEL expression of type bool over transfer, counterparty, screening, name_match, proof, point and now." example:"screening.destination.listed || screening.origin.listed"`
	// Action is what happens when the condition holds.
	Action string `json:"action" enum:"approve,review,reject,not_ready" doc:"What happens when the condition holds."`
	// Reason is the status reason a transfer gets when this policy decides; empty means
	// "policy NAME".
	Reason string `json:"reason,omitempty" maxLength:"200" doc:"The status reason when this policy decides; it must not contain personal data." example:"destination on a sanctions list"`
	// Points limits the policy to some decision points; empty means every point of its
	// direction.
	Points []string `json:"points,omitempty" enum:"outgoing_created,outgoing_kept,received,address_confirmed" doc:"Decision points where the policy applies; empty means all of its direction."`
	// Disabled policies are kept but never evaluated.
	Disabled bool `json:"disabled,omitempty" doc:"Kept in the set but never evaluated."`
}

// AppliesAt reports whether p is evaluated at decision point point.
func (p *Policy) AppliesAt(point string) bool {
	if p.Disabled {
		return false
	}
	if len(p.Points) == 0 {
		return true
	}
	for _, pt := range p.Points {
		if pt == point {
			return true
		}
	}
	return false
}

// Set is one version of a VASP's ordered policy set for one direction.
type Set struct {
	VASPID    string   `json:"vasp_id"`
	Direction string   `json:"direction" enum:"outgoing,incoming"`
	Version   int      `json:"version" doc:"Increases with every change; decisions record the version they used."`
	Policies  []Policy `json:"policies"`
	// CreatedAt and CreatedBy say when and by whom this version was saved.
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by,omitempty" doc:"Who saved this version (an API key, a user)."`
}

// DecisionSettings are a VASP's decision settings beyond its policies.
type DecisionSettings struct {
	// NameMatchThreshold is the score in (0, 1] at or above which a received name matches the
	// customer's KYC name; 0 means the default (0.90).
	NameMatchThreshold float64 `json:"name_match_threshold" minimum:"0" maximum:"1" doc:"Score at or above which a received name matches the KYC name; 0 means the default 0.90 (GTR's default). 0.95 is strict, 0.85 moderate."`
}

// Validate reports the first problem with s, naming the field.
func (s DecisionSettings) Validate() error {
	if !(s.NameMatchThreshold >= 0 && s.NameMatchThreshold <= 1) {
		return fmt.Errorf("name_match_threshold must be between 0 and 1")
	}
	return nil
}

// Problem is one thing wrong with a policy set: which policy, which field, and where in the
// condition (1-based line and column, 0 when not about a position).
type Problem struct {
	Index   int    `json:"index" doc:"Position of the policy in the set, from 0."`
	Policy  string `json:"policy,omitempty" doc:"Name of the policy."`
	Field   string `json:"field" doc:"name, condition, action, reason or points."`
	Line    int    `json:"line,omitempty" doc:"Line of the condition, from 1."`
	Column  int    `json:"column,omitempty" doc:"Column of the condition, from 1."`
	Message string `json:"message"`
}

// Path returns the problem's location as a JSON path relative to the set: policies[3].condition.
func (p Problem) Path() string { return fmt.Sprintf("policies[%d].%s", p.Index, p.Field) }

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s: %d:%d: %s", p.Path(), p.Line, p.Column, p.Message)
	}
	return p.Path() + ": " + p.Message
}

// SetError is returned for a policy set that cannot be saved; it lists every problem.
type SetError struct {
	Problems []Problem
}

func (e *SetError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "invalid policy set: " + strings.Join(parts, "; ")
}

// checkShape checks everything about a set except its conditions' types.
func checkShape(direction string, ps []Policy) []Problem {
	var out []Problem
	bad := func(i int, field, msg string) {
		out = append(out, Problem{Index: i, Policy: ps[i].Name, Field: field, Message: msg})
	}
	if len(ps) > MaxPolicies {
		return []Problem{{Index: MaxPolicies, Field: "name", Message: fmt.Sprintf("a set holds at most %d policies", MaxPolicies)}}
	}
	allowed := map[string]bool{}
	for _, pt := range pointsOf(direction) {
		allowed[pt] = true
	}
	seen := map[string]int{}
	for i := range ps {
		p := &ps[i]
		switch {
		case strings.TrimSpace(p.Name) == "":
			bad(i, "name", "name is required")
		case len(p.Name) > MaxNameLen:
			bad(i, "name", fmt.Sprintf("name is longer than %d characters", MaxNameLen))
		default:
			if j, dup := seen[p.Name]; dup {
				bad(i, "name", fmt.Sprintf("name is already used by policies[%d]", j))
			}
			seen[p.Name] = i
		}
		if Rank(p.Action) == 0 {
			bad(i, "action", "action must be approve, review, reject or not_ready")
		}
		if len(p.Reason) > 200 {
			bad(i, "reason", "reason is longer than 200 characters")
		}
		for _, pt := range p.Points {
			if !allowed[pt] {
				bad(i, "points", fmt.Sprintf("point %q is not a decision point of %s transfers (%s)", pt, direction, strings.Join(pointsOf(direction), ", ")))
			}
		}
		switch {
		case strings.TrimSpace(p.Condition) == "":
			bad(i, "condition", "condition is required")
		case len(p.Condition) > MaxConditionLen:
			bad(i, "condition", fmt.Sprintf("condition is longer than %d bytes", MaxConditionLen))
		}
	}
	return out
}

// pointsOf lists the decision points where sets of a direction are evaluated. Outgoing sets
// also decide post-transaction requests we receive about our withdrawals (at received and
// address_confirmed).
func pointsOf(direction string) []string {
	if direction == DirectionIncoming {
		return []string{PointReceived, PointAddressConfirmed}
	}
	return Points()
}

// ValidDirection reports whether d is outgoing or incoming.
func ValidDirection(d string) bool { return d == DirectionOutgoing || d == DirectionIncoming }
