package screening

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/transfer"
)

// Screening statuses, as in GTR's screeningResult.
const (
	// StatusNone means nothing screened the address (no list, no provider, or no address).
	StatusNone = "NONE"
	// StatusCompleted means every source answered.
	StatusCompleted = "COMPLETED"
	// StatusError means a source failed; the result holds what the others found.
	StatusError = "ERROR"
	// StatusTimeout means a source did not answer in time; the result holds what the others
	// found.
	StatusTimeout = "TIMEOUT"
)

// Roles of a screened address in a transfer (transfer.ScreeningResult.Role).
const (
	// RoleOrigin is the address the funds leave from.
	RoleOrigin = "origin"
	// RoleDestination is the address the funds go to.
	RoleDestination = "destination"
)

// DefaultTimeout is the time a Screener gives its providers when its Config sets none.
const DefaultTimeout = 5 * time.Second

// Provider is a paid address screening service (Chainalysis, TRM, Elliptic, ...) behind an
// adapter.
type Provider interface {
	// Name identifies the provider in results and messages ("chainalysis").
	Name() string
	// Screen screens address on network. It should return when ctx is done; the Screener does
	// not wait for it past its timeout in any case. A result's status is COMPLETED (or empty,
	// read as COMPLETED), or NONE when the provider does not cover the network; RiskScore,
	// when set, is 0 to 10. An error means the provider could not answer.
	Screen(ctx context.Context, network, address string) (transfer.ScreeningResult, error)
}

// Config configures a Screener.
type Config struct {
	// Index holds the lists; nil means none yet.
	Index *Index
	// Providers are asked in parallel on every call, after the lists.
	Providers []Provider
	// Timeout bounds each call for the providers; zero means DefaultTimeout.
	Timeout time.Duration
}

// Screener screens addresses against the local lists and the providers and merges their
// answers into one transfer.ScreeningResult. It is safe for concurrent use; SetIndex, With
// and Without swap the lists atomically under running calls.
type Screener struct {
	index     atomic.Pointer[Index]
	providers []Provider
	timeout   time.Duration
}

// NewScreener returns a Screener configured by cfg.
func NewScreener(cfg Config) *Screener {
	s := &Screener{providers: slices.Clone(cfg.Providers), timeout: cfg.Timeout}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	s.index.Store(cfg.Index)
	return s
}

// Index returns the index the Screener uses now.
func (s *Screener) Index() *Index { return s.index.Load() }

// SetIndex makes x the index of every later call.
func (s *Screener) SetIndex(x *Index) { s.index.Store(x) }

// With puts l into the index, replacing the list of the same name (a new version), without
// losing a concurrent update of another list.
func (s *Screener) With(l *List) {
	for {
		old := s.index.Load()
		if s.index.CompareAndSwap(old, old.With(l)) {
			return
		}
	}
}

// Without removes the list called name from the index.
func (s *Screener) Without(name string) {
	for {
		old := s.index.Load()
		if s.index.CompareAndSwap(old, old.Without(name)) {
			return
		}
	}
}

// sourceResult is one source's answer.
type sourceResult struct {
	name   string
	status string
	score  *decimal.Decimal
	tags   []string
	lists  []string
	entity []string
	// entityIDs are the sources' identifiers of the entities found, as list:id for lists.
	entityIDs []string
	note      string
}

// Screen screens address (on network) against every list and provider and returns the merged
// result, within the Screener's timeout whatever the providers do. Status is NONE when there
// is nothing to screen with (or no address), ERROR when a source failed, TIMEOUT when one did
// not answer in time (or ctx ended), else COMPLETED. Whatever the status, the risk score is
// the highest any answering source gave (a list hit counts its entry's score, 10 by default;
// a list miss counts 0), the tags are the union of theirs, matched_list names every matching
// list as name@version, and entity every entity found. Role is left to the caller.
func (s *Screener) Screen(ctx context.Context, network, address string) transfer.ScreeningResult {
	out := transfer.ScreeningResult{Address: address, Status: StatusNone}
	idx := s.index.Load()
	if strings.TrimSpace(address) == "" {
		out.Message = "no address to screen"
		return out
	}
	if idx.Empty() && len(s.providers) == 0 {
		out.Message = "no screening lists or providers configured"
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	answers := make(chan providerAnswer, len(s.providers))
	for i, p := range s.providers {
		go ask(ctx, answers, i, p, network, address)
	}
	results := make([]sourceResult, 0, 1+len(s.providers))
	if !idx.Empty() {
		results = append(results, listResult(idx, address))
	}
	results = append(results, s.collect(ctx, answers, network)...)
	return merge(out, results)
}

// ScreenTransfer screens the origin address (when there is one) and the destination address of
// t, in parallel, on t's network, and returns their results with their roles set.
func (s *Screener) ScreenTransfer(ctx context.Context, t *transfer.Transfer) []transfer.ScreeningResult {
	type job struct{ role, address string }
	var jobs []job
	if strings.TrimSpace(t.OriginAddress) != "" {
		jobs = append(jobs, job{RoleOrigin, t.OriginAddress})
	}
	jobs = append(jobs, job{RoleDestination, t.DestinationAddress})
	out := make([]transfer.ScreeningResult, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			out[i] = s.Screen(ctx, t.Asset.Network, j.address)
			out[i].Role = j.role
		})
	}
	wg.Wait()
	return out
}

type providerAnswer struct {
	i      int
	result transfer.ScreeningResult
	err    error
}

// ask runs one provider and sends its answer; the channel has room for every provider, so a
// late answer never blocks.
func ask(ctx context.Context, answers chan<- providerAnswer, i int, p Provider, network, address string) {
	defer func() {
		if r := recover(); r != nil {
			answers <- providerAnswer{i: i, err: errors.New("provider panicked")}
		}
	}()
	res, err := p.Screen(ctx, network, address)
	answers <- providerAnswer{i: i, result: res, err: err}
}

// collect waits for the providers' answers until ctx is done and returns one result per
// provider, in configuration order.
func (s *Screener) collect(ctx context.Context, answers <-chan providerAnswer, network string) []sourceResult {
	got := make([]*providerAnswer, len(s.providers))
	waiting := len(s.providers)
	for waiting > 0 && ctx.Err() == nil {
		select {
		case a := <-answers:
			got[a.i] = &a
			waiting--
		case <-ctx.Done():
		}
	}
	for waiting > 0 { // answers that came with the deadline
		select {
		case a := <-answers:
			got[a.i] = &a
			waiting--
		default:
			waiting = 0
		}
	}
	out := make([]sourceResult, len(s.providers))
	for i, p := range s.providers {
		out[i] = providerResult(p.Name(), got[i], ctx.Err(), s.timeout, network)
	}
	return out
}

func providerResult(name string, a *providerAnswer, ctxErr error, timeout time.Duration, network string) sourceResult {
	r := sourceResult{name: name}
	switch {
	case a == nil && errors.Is(ctxErr, context.Canceled):
		r.status, r.note = StatusError, "cancelled"
	case a == nil:
		r.status, r.note = StatusTimeout, fmt.Sprintf("no answer within %s", timeout)
	case errors.Is(a.err, context.DeadlineExceeded):
		r.status, r.note = StatusTimeout, fmt.Sprintf("no answer within %s", timeout)
	case a.err != nil:
		r.status, r.note = StatusError, truncate(a.err.Error(), 200)
	default:
		res := a.result
		switch res.Status {
		case "", StatusCompleted:
			r.status = StatusCompleted
		case StatusNone:
			r.status, r.note = StatusNone, "not screened"
			if network != "" {
				r.note = "does not cover " + network
			}
		case StatusError, StatusTimeout:
			r.status, r.note = res.Status, truncate(res.Message, 200)
		default:
			r.status, r.note = StatusError, "unknown screening status"
		}
		if r.status != StatusCompleted {
			return r
		}
		if res.RiskScore != nil {
			d := decimal.Min(decimal.Max(*res.RiskScore, decimal.Zero), decimal.NewFromInt(maxRiskScore))
			r.score = &d
		}
		r.tags = res.RiskTags
		if res.MatchedList != "" {
			r.lists = []string{res.MatchedList}
		}
		if res.Entity != "" {
			r.entity = []string{res.Entity}
		}
		if res.EntityID != "" {
			r.entityIDs = []string{res.EntityID}
		}
		r.note = truncate(res.Message, 200)
	}
	return r
}

// truncate shortens s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// listResult looks address up in every list of idx.
func listResult(idx *Index, address string) sourceResult {
	hits := idx.Lookup(address)
	r := sourceResult{name: "lists", status: StatusCompleted}
	score := decimal.Zero
	if len(hits) == 0 {
		r.score = &score
		r.note = "not on " + strings.Join(idx.Versions(), ",")
		return r
	}
	var networks []string
	for _, h := range hits {
		score = decimal.Max(score, h.RiskScore)
		r.tags = appendNew(r.tags, h.Tags...)
		r.lists = appendNew(r.lists, h.MatchedList())
		if h.Entity != "" {
			r.entity = appendNew(r.entity, h.Entity)
		}
		if h.EntryID != "" {
			r.entityIDs = appendNew(r.entityIDs, h.List+":"+h.EntryID)
		}
		if h.Network != "" {
			networks = appendNew(networks, h.Network)
		}
	}
	r.score = &score
	r.note = "listed on " + strings.Join(r.lists, ",")
	if len(networks) > 0 {
		r.note += " for " + strings.Join(networks, ",")
	}
	return r
}

// merge folds the sources' results into out.
func merge(out transfer.ScreeningResult, results []sourceResult) transfer.ScreeningResult {
	var entities, entityIDs, lists, notes []string
	anyCompleted, anyError, anyTimeout := false, false, false
	for _, r := range results {
		switch r.status {
		case StatusCompleted:
			anyCompleted = true
		case StatusError:
			anyError = true
		case StatusTimeout:
			anyTimeout = true
		}
		if r.score != nil && (out.RiskScore == nil || r.score.GreaterThan(*out.RiskScore)) {
			out.RiskScore = r.score
		}
		out.RiskTags = appendNew(out.RiskTags, r.tags...)
		lists = appendNew(lists, r.lists...)
		entities = appendNew(entities, r.entity...)
		entityIDs = appendNew(entityIDs, r.entityIDs...)
		note := r.name + ": " + strings.ToLower(r.status)
		if r.note != "" {
			note = r.name + ": " + r.note
			if r.status == StatusError || r.status == StatusTimeout {
				note = r.name + ": " + strings.ToLower(r.status) + ": " + r.note
			}
		}
		notes = append(notes, note)
	}
	switch {
	case anyError:
		out.Status = StatusError
	case anyTimeout:
		out.Status = StatusTimeout
	case anyCompleted:
		out.Status = StatusCompleted
	default:
		out.Status = StatusNone
	}
	out.MatchedList = strings.Join(lists, ",")
	out.Entity = strings.Join(entities, "; ")
	out.EntityID = strings.Join(entityIDs, ",")
	out.Message = strings.Join(notes, "; ")
	return out
}

// appendNew appends the values of vs not already in dst.
func appendNew(dst []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(dst, v) {
			dst = append(dst, v)
		}
	}
	return dst
}
