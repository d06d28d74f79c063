// Package engine owns every state change of waybill: the use cases of the transfer lifecycle
// (create, approve, receive, confirm, accept, notify, ...), and the administration of VASPs,
// keys, wallets, counterparties and webhooks. Each use case runs in one database transaction
// that applies the transition table, compare-and-sets the record's version, appends the audit
// event and enqueues the resulting jobs (outbound messages, webhooks, timers) — all or nothing.
// Nothing is sent from inside a request: jobs do that after commit.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/keyring"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
	"github.com/waybill/waybill/internal/webhook"
)

// AddressRules validates addresses and gives their lookup form.
type AddressRules interface {
	// Validate returns an error naming what is wrong with addr on network.
	Validate(network, addr string) error
	// Key returns the canonical form used for lookups (case-folded where the format allows).
	Key(network, addr string) string
}

// Decision points.
const (
	// PointOutgoingCreated is a new outgoing transfer with complete data.
	PointOutgoingCreated = "outgoing_created"
	// PointReceived is a transfer just received from a counterparty, before address confirmation.
	PointReceived = "received"
	// PointAddressConfirmed is a received transfer whose address we confirmed.
	PointAddressConfirmed = "address_confirmed"
)

// Decision actions.
const (
	ActionApprove  = "approve"
	ActionReview   = "review"
	ActionReject   = "reject"
	ActionNotReady = "not_ready"
	// ActionNone lets the flow go on without a decision (the address step comes first).
	ActionNone = "none"
)

// DecisionInput is what a decider sees.
type DecisionInput struct {
	Point        string
	VASP         *vasp.VASP
	Transfer     *transfer.Transfer // identity data included
	Counterparty *counterparty.Counterparty
	// Wallet is our address-book entry for our side's address, when there is one.
	Wallet *vasp.Wallet
	// Route is the route that reaches the counterparty (the transfer's own once it was sent),
	// or none.
	Route transfer.Route
	// Rates is the FX table, as the engine holds it for this transaction.
	Rates *policy.Rates
}

// Decider decides, at a decision point, what happens to a transfer.
type Decider interface {
	// Decide returns the decision; Action is one of the Action constants. An error aborts the
	// use case.
	Decide(ctx context.Context, tx store.Tx, in *DecisionInput) (transfer.Decision, error)
}

// Assessor enriches a transfer before a decision: screening results, name matching, ownership
// proofs. It may set t.Screening and t.NameMatch; it must not change the status.
type Assessor interface {
	Assess(ctx context.Context, tx store.Tx, in *DecisionInput) error
}

// Router chooses the route that reaches a counterparty.
type Router interface {
	// Choose returns the route for messages from vaspID to cp, or transfer.RouteNone.
	Choose(ctx context.Context, tx store.Tx, vaspID string, cp *counterparty.Counterparty) (transfer.Route, error)
}

// Config wires an Engine.
type Config struct {
	Store    store.Store
	Keys     *keyring.Keyring
	Webhooks *webhook.Dispatcher
	Address  AddressRules
	Clock    func() time.Time
	NewID    func() string
	Logger   *slog.Logger
	Decider  Decider  // nil: the VASP's settings decide
	Assessor Assessor // nil: nothing is assessed
	Router   Router   // nil: hosted counterparties only (internal route)
	// Notify is called after a commit that enqueued jobs, to wake the job runner.
	Notify func()
	// Observe is told of every transition after commit (for metrics).
	Observe func(t *transfer.Transfer, from transfer.Status, decidedBy string)
}

// Engine runs the use cases.
type Engine struct {
	store    store.Store
	keys     *keyring.Keyring
	hooks    *webhook.Dispatcher
	addr     AddressRules
	clock    func() time.Time
	newID    func() string
	log      *slog.Logger
	decider  Decider
	assessor Assessor
	router   Router
	notify   func()
	observe  func(*transfer.Transfer, transfer.Status, string)
	// policies compiles policy sets to validate them when they are saved.
	policies *policy.Compiler
	// ref caches reference data between transactions (cache.go).
	ref refCache
}

// New returns an engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Keys == nil || cfg.Webhooks == nil || cfg.Address == nil || cfg.NewID == nil {
		return nil, errors.New("engine: store, keys, webhooks, address rules and ids are required")
	}
	e := &Engine{store: cfg.Store, keys: cfg.Keys, hooks: cfg.Webhooks, addr: cfg.Address, clock: cfg.Clock,
		newID: cfg.NewID, log: cfg.Logger, decider: cfg.Decider, assessor: cfg.Assessor, router: cfg.Router,
		notify: cfg.Notify, observe: cfg.Observe}
	if e.clock == nil {
		e.clock = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.decider == nil {
		e.decider = SettingsDecider{}
	}
	if e.router == nil {
		e.router = HostedRouter{}
	}
	var err error
	if e.policies, err = policy.NewCompiler(); err != nil {
		return nil, err
	}
	return e, nil
}

// compiler returns the engine's policy compiler.
func (e *Engine) compiler() *policy.Compiler { return e.policies }

// Store returns the engine's store (for read-only surfaces).
func (e *Engine) Store() store.Store { return e.store }

// Now returns the engine's clock reading.
func (e *Engine) Now() time.Time { return e.clock().UTC() }

// SettingsDecider decides by the VASP's settings alone: outgoing NEW transfers are approved or
// held for review as the VASP chose, received transfers go to the address step, and confirmed
// ones are accepted or held. It is the decider until policies say otherwise.
type SettingsDecider struct{}

// Decide implements Decider.
func (SettingsDecider) Decide(_ context.Context, _ store.Tx, in *DecisionInput) (transfer.Decision, error) {
	d := transfer.Decision{Source: "default"}
	switch in.Point {
	case PointOutgoingCreated:
		d.Action, d.Reason = in.VASP.Settings.OutgoingAction, "VASP setting outgoing_action"
	case PointAddressConfirmed:
		d.Action, d.Reason = in.VASP.Settings.IncomingAction, "VASP setting incoming_action"
	case PointOutgoingKept:
		d.Action, d.Reason = ActionApprove, "kept: no Travel Rule exchange needed"
	default:
		d.Action = ActionNone
	}
	return d, nil
}

// HostedRouter reaches hosted counterparties over the internal route and nothing else.
type HostedRouter struct{}

// Choose implements Router.
func (HostedRouter) Choose(_ context.Context, _ store.Tx, _ string, cp *counterparty.Counterparty) (transfer.Route, error) {
	if cp != nil && cp.Hosted() {
		return transfer.RouteInternal, nil
	}
	return transfer.RouteNone, nil
}

// op is the work of one transaction: records it touched, audit and webhook events, jobs.
type op struct {
	e      *Engine
	ctx    context.Context
	tx     store.Tx
	now    time.Time
	actor  audit.Actor
	events map[string][]webhook.Event
	order  []string
	jobs   int
	moved  []moved
	vasps  map[string]*vasp.VASP
	// refChanged says the transaction changed reference data (a VASP, the tables).
	refChanged bool
	// trail holds the audit events of the transaction, appended by flush.
	trail []*audit.Event
	// cps holds the directory entries read in the transaction.
	cps map[string]*counterparty.Counterparty
}

type moved struct {
	t         transfer.Transfer
	from      transfer.Status
	decidedBy string
}

// do runs fn in a transaction, retrying when a compare-and-set lost a race.
func (e *Engine) do(ctx context.Context, actor audit.Actor, fn func(o *op) error) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		o := &op{e: e, ctx: ctx, now: e.Now(), actor: actor, events: map[string][]webhook.Event{}, vasps: map[string]*vasp.VASP{}}
		err = e.store.InTx(ctx, func(tx store.Tx) error {
			o.tx = tx
			if err := fn(o); err != nil {
				return err
			}
			return o.flush()
		})
		if errors.Is(err, store.ErrStale) {
			continue
		}
		if err == nil {
			o.committed()
		}
		return err
	}
	return fmt.Errorf("too much contention: %w", err)
}

func (o *op) flush() error {
	// One VASP's events go together, in the order they happened.
	if len(o.trail) > 0 {
		sort.SliceStable(o.trail, func(i, j int) bool { return o.trail[i].VASPID < o.trail[j].VASPID })
		if err := o.tx.AppendAudit(o.ctx, o.trail...); err != nil {
			return err
		}
	}
	for _, vaspID := range o.order {
		evs := o.events[vaspID]
		if err := o.e.hooks.Enqueue(o.ctx, o.tx, vaspID, evs); err != nil {
			return err
		}
		o.jobs += len(evs)
	}
	return nil
}

func (o *op) committed() {
	if o.refChanged {
		o.e.ref.reset()
	}
	if o.jobs > 0 && o.e.notify != nil {
		o.e.notify()
	}
	if o.e.observe != nil {
		for i := range o.moved {
			o.e.observe(&o.moved[i].t, o.moved[i].from, o.moved[i].decidedBy)
		}
	}
}

func (o *op) vasp(id string) (*vasp.VASP, error) {
	if v, ok := o.vasps[id]; ok {
		return v, nil
	}
	v, err := o.cachedVASP(id)
	if err != nil {
		return nil, err
	}
	o.vasps[id] = v
	return v, nil
}

// enqueue inserts a job in this transaction.
func (o *op) enqueue(j *store.Job, err error) error {
	if err != nil {
		return err
	}
	if err := o.tx.Enqueue(o.ctx, j); err != nil {
		return err
	}
	o.jobs++
	return nil
}

// webhook queues an event for the VASP's endpoints (written at the end of the transaction).
func (o *op) webhook(t *transfer.Transfer, typ string, from, to transfer.Status, reason string) {
	if _, ok := o.events[t.VASPID]; !ok {
		o.order = append(o.order, t.VASPID)
	}
	o.events[t.VASPID] = append(o.events[t.VASPID], webhook.Event{Type: typ, Timestamp: o.now, Data: webhook.Data{
		VASPID: t.VASPID, TransferID: t.ID, Ref: t.Ref, MessageID: t.MessageID, Direction: string(t.Direction),
		Status: string(t.Status), From: string(from), To: string(to), Reason: reason, Route: string(t.Route),
		Version: t.Version + 1, TxHash: t.TxHash,
	}})
}

func (o *op) depositEvent(d *transfer.Deposit) {
	if _, ok := o.events[d.VASPID]; !ok {
		o.order = append(o.order, d.VASPID)
	}
	o.events[d.VASPID] = append(o.events[d.VASPID], webhook.Event{Type: webhook.DepositUnmatched, Timestamp: o.now,
		Data: webhook.Data{VASPID: d.VASPID, DepositID: d.ID, TransferID: d.TransferID, TxHash: d.TxHash}})
}

// audit queues an event for the VASP's chain; flush appends the transaction's events together.
// data must hold no personal data.
func (o *op) audit(vaspID, transferID, typ string, from, to transfer.Status, reason string, data any) error {
	var raw json.RawMessage
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return fmt.Errorf("audit data: %w", err)
		}
		if string(b) != "null" && string(b) != "{}" {
			raw = b
		}
	}
	o.trail = append(o.trail, &audit.Event{ID: o.e.newID(), VASPID: vaspID, TransferID: transferID, Type: typ,
		From: string(from), To: string(to), Actor: o.actor, Reason: reason, Data: raw, CreatedAt: o.now})
	return nil
}

// Jobs the engine enqueues.
const (
	// JobSend delivers an outbound protocol message.
	JobSend = "message.send"
	// JobExpire cancels a transfer whose wait ran out.
	JobExpire = "transfer.expire"
)

// Kinds returns the job kinds the engine handles (webhook delivery is the dispatcher's).
func (e *Engine) Kinds(adapters map[transfer.Route]Sender) []jobs.Kind {
	return []jobs.Kind{
		{Name: JobSend, Run: e.sendJob(adapters), Backoff: jobs.Exponential(2*time.Second, 2, time.Hour), Lease: time.Minute,
			Dead: e.sendDead},
		{Name: JobExpire, Run: e.expireJob, Backoff: jobs.Exponential(time.Second, 2, 5*time.Minute)},
		e.hooks.Kind(),
	}
}
