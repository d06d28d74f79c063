package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/keyring"
	"github.com/waybill/waybill/internal/store"
)

// JobKind is the job kind of a delivery attempt.
const JobKind = "webhook.deliver"

// MaxAttempts bounds retries: with the back-off below, about three and a half days.
const MaxAttempts = 25

// Backoff is the delay between attempts: 5 s, tripling, capped at 6 hours.
var Backoff = jobs.Exponential(5*time.Second, 3, 6*time.Hour)

// Dispatcher creates and delivers webhooks.
type Dispatcher struct {
	Store  store.Store
	Keys   *keyring.Keyring
	Client *http.Client
	Clock  func() time.Time
	NewID  func() string
	// UserAgent is sent with every delivery.
	UserAgent string

	mu    sync.Mutex
	cache map[string]*cachedEndpoint
	lists map[string]*endpointList
}

// jobPayload carries what an attempt needs, so a delivery costs no read: the deliveries one
// transaction made for one endpoint and transfer, in order, with their event bodies (which hold
// no personal data); the endpoint's URL and secrets come from a short cache. One job for the
// events of one transaction keeps the queue's write work per event low.
type jobPayload struct {
	VASPID     string     `json:"vasp_id"`
	EndpointID string     `json:"endpoint_id"`
	Deliveries []jobEntry `json:"deliveries"`
	// DeliveryID and Body are the single delivery of jobs queued by earlier versions.
	DeliveryID string          `json:"delivery_id,omitempty"`
	Body       json.RawMessage `json:"body,omitempty"`
}

type jobEntry struct {
	ID   string          `json:"id"`
	Body json.RawMessage `json:"body"`
}

func (p *jobPayload) entries() []jobEntry {
	if len(p.Deliveries) == 0 && p.DeliveryID != "" {
		return []jobEntry{{ID: p.DeliveryID, Body: p.Body}}
	}
	return p.Deliveries
}

func secretsAAD(endpointID string) []byte { return []byte("webhook-secrets/" + endpointID) }

// SealSecrets encrypts an endpoint's secrets for storage.
func (d *Dispatcher) SealSecrets(ctx context.Context, vaspID, endpointID string, secrets []Secret) ([]byte, error) {
	b, err := json.Marshal(secrets)
	if err != nil {
		return nil, err
	}
	return d.Keys.Seal(ctx, vaspID, secretsAAD(endpointID), b)
}

// OpenSecrets decrypts an endpoint's secrets.
func (d *Dispatcher) OpenSecrets(ctx context.Context, e *store.WebhookEndpoint) ([]Secret, error) {
	b, err := d.Keys.Open(ctx, e.VASPID, secretsAAD(e.ID), e.Secrets)
	if err != nil {
		return nil, fmt.Errorf("webhook endpoint %s secrets: %w", e.ID, err)
	}
	var out []Secret
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("webhook endpoint %s secrets: %w", e.ID, err)
	}
	return out, nil
}

// Enqueue creates a delivery, and its job, for each event and each enabled endpoint of the VASP
// that subscribes to it. It runs inside the caller's transaction; deliveries of one transfer to
// one endpoint are ordered.
func (d *Dispatcher) Enqueue(ctx context.Context, tx store.Tx, vaspID string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	endpoints, err := d.endpointsOf(ctx, tx, vaspID)
	if err != nil {
		return err
	}
	now := d.Clock()
	for i := range endpoints {
		ep := &endpoints[i]
		if !ep.Enabled {
			continue
		}
		// One job per transfer (in order of first event) for this endpoint's deliveries.
		groups := map[string][]*store.Delivery{}
		var order []string
		for _, ev := range events {
			if !Subscribed(ep.Events, ev.Type) {
				continue
			}
			body, err := Payload(ev)
			if err != nil {
				return err
			}
			del := &store.Delivery{ID: "msg_" + d.NewID(), VASPID: vaspID, EndpointID: ep.ID, EventType: ev.Type,
				TransferID: ev.Data.TransferID, Payload: body, State: store.DeliveryPending, CreatedAt: now, NextAttemptAt: &now}
			if err := tx.CreateDelivery(ctx, del); err != nil {
				return err
			}
			if _, ok := groups[del.TransferID]; !ok {
				order = append(order, del.TransferID)
			}
			groups[del.TransferID] = append(groups[del.TransferID], del)
		}
		for _, tid := range order {
			if err := d.enqueueJob(ctx, tx, groups[tid], now); err != nil {
				return err
			}
		}
	}
	return nil
}

// enqueueJob queues the delivery of dels (one endpoint, one transfer), in order; deliveries of
// one transfer to one endpoint are ordered across jobs too.
func (d *Dispatcher) enqueueJob(ctx context.Context, tx store.Tx, dels []*store.Delivery, at time.Time) error {
	first := dels[0]
	key := ""
	if first.TransferID != "" {
		key = "wh:" + first.EndpointID + ":" + first.TransferID // events about no transfer need no order
	}
	p := jobPayload{VASPID: first.VASPID, EndpointID: first.EndpointID, Deliveries: make([]jobEntry, len(dels))}
	for i, del := range dels {
		p.Deliveries[i] = jobEntry{ID: del.ID, Body: del.Payload}
	}
	j, err := jobs.NewJob(JobKind, key, p, at, MaxAttempts)
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, j)
}

// Redeliver sends a delivery again (from the API or the dashboard), keeping its webhook-id.
func (d *Dispatcher) Redeliver(ctx context.Context, tx store.Tx, vaspID, deliveryID string) (*store.Delivery, error) {
	del, err := tx.GetDelivery(ctx, vaspID, deliveryID)
	if err != nil {
		return nil, err
	}
	now := d.Clock()
	del.State, del.NextAttemptAt, del.LastError = store.DeliveryPending, &now, ""
	if err := tx.UpdateDelivery(ctx, del); err != nil {
		return nil, err
	}
	return del, d.enqueueJob(ctx, tx, []*store.Delivery{del}, now)
}

// Kind returns the job kind that delivers webhooks.
func (d *Dispatcher) Kind() jobs.Kind {
	return jobs.Kind{
		Name:    JobKind,
		Run:     d.deliver,
		Backoff: Backoff,
		Lease:   30 * time.Second,
		Retry: func(ctx context.Context, tx store.Tx, job *store.Job, cause error, next time.Time) error {
			return d.record(ctx, tx, job, store.DeliveryFailing, cause, &next)
		},
		Dead: func(ctx context.Context, tx store.Tx, job *store.Job, cause error) error {
			return d.record(ctx, tx, job, store.DeliveryDead, cause, nil)
		},
	}
}

// attemptError carries what an attempt got back, for the delivery record.
type attemptError struct {
	status int
	body   string
	err    error
}

func (e *attemptError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return "endpoint answered " + strconv.Itoa(e.status)
}

// record writes a failed attempt on the first delivery of the job not yet delivered, and on
// a dead job marks every delivery not yet delivered dead.
func (d *Dispatcher) record(ctx context.Context, tx store.Tx, job *store.Job, state string, cause error, next *time.Time) error {
	p, err := jobs.Payload[jobPayload](job)
	if err != nil {
		return nil
	}
	var ae *attemptError
	errors.As(cause, &ae)
	marked := false
	for _, e := range p.entries() {
		del, err := tx.GetDelivery(ctx, p.VASPID, e.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if del.State == store.DeliveryDelivered {
			continue
		}
		if marked && state != store.DeliveryDead {
			break
		}
		del.State, del.Attempts, del.NextAttemptAt = state, job.Attempts, next
		if !marked {
			del.LastError = cause.Error()
			if ae != nil {
				del.LastStatusCode, del.LastResponse = ae.status, ae.body
			}
		} else {
			del.LastError = "an earlier event to this endpoint could not be delivered"
		}
		if err := tx.UpdateDelivery(ctx, del); err != nil {
			return err
		}
		marked = true
	}
	return nil
}

// endpointTTL bounds how long a cached endpoint (URL, enabled, secrets) is used: changes made on
// another replica, a disabled endpoint or a new URL, take effect within it. A rotated secret
// keeps signing during its grace period, so rotation loses nothing meanwhile.
const endpointTTL = 5 * time.Second

type cachedEndpoint struct {
	url     string
	enabled bool
	secrets []Secret
	at      time.Time
	gone    bool
}

func (d *Dispatcher) endpoint(ctx context.Context, vaspID, id string) (*cachedEndpoint, error) {
	now := time.Now()
	d.mu.Lock()
	c := d.cache[id]
	d.mu.Unlock()
	if c != nil && now.Sub(c.at) < endpointTTL {
		return c, nil
	}
	ep, err := d.Store.Read().GetEndpoint(ctx, vaspID, id)
	c = &cachedEndpoint{at: now}
	switch {
	case errors.Is(err, store.ErrNotFound):
		c.gone = true
	case err != nil:
		return nil, err
	default:
		c.url, c.enabled = ep.URL, ep.Enabled
		if c.secrets, err = d.OpenSecrets(ctx, ep); err != nil {
			return nil, err
		}
	}
	d.mu.Lock()
	if d.cache == nil {
		d.cache = map[string]*cachedEndpoint{}
	}
	d.cache[id] = c
	d.mu.Unlock()
	return c, nil
}

// Forget drops an endpoint, and its VASP's list of endpoints, from the caches (after a change
// made through this process).
func (d *Dispatcher) Forget(vaspID, endpointID string) {
	d.mu.Lock()
	delete(d.cache, endpointID)
	delete(d.lists, vaspID)
	d.mu.Unlock()
}

type endpointList struct {
	eps []store.WebhookEndpoint
	at  time.Time
}

// endpointsOf returns a VASP's endpoints, read through tx at most every endpointTTL: every
// transaction that changes a transfer queues webhooks, and the list rarely changes.
func (d *Dispatcher) endpointsOf(ctx context.Context, tx store.Tx, vaspID string) ([]store.WebhookEndpoint, error) {
	now := time.Now()
	d.mu.Lock()
	l := d.lists[vaspID]
	d.mu.Unlock()
	if l != nil && now.Sub(l.at) < endpointTTL {
		return l.eps, nil
	}
	eps, err := tx.ListEndpoints(ctx, vaspID)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	if d.lists == nil {
		d.lists = map[string]*endpointList{}
	}
	d.lists[vaspID] = &endpointList{eps: eps, at: now}
	d.mu.Unlock()
	return eps, nil
}

func (d *Dispatcher) deliver(ctx context.Context, job *store.Job) (jobs.Finish, error) {
	p, err := jobs.Payload[jobPayload](job)
	if err != nil {
		return nil, err
	}
	ep, err := d.endpoint(ctx, p.VASPID, p.EndpointID)
	if err != nil {
		return nil, err
	}
	if ep.gone {
		return nil, nil // the endpoint and its deliveries were deleted
	}
	if !ep.enabled {
		return nil, &jobs.Permanent{Err: errors.New("endpoint disabled")}
	}
	var done []*store.Delivery
	finish := func(ctx context.Context, tx store.Tx) error {
		for _, del := range done {
			// A delivery deleted with its endpoint meanwhile has nothing left to record.
			if err := tx.UpdateDelivery(ctx, del); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	}
	for _, e := range p.entries() {
		del, err := d.post(ctx, ep, p.VASPID, e, job.Attempts)
		if err != nil {
			if len(done) > 0 {
				// Record what did arrive before the failure; the retry sends those again
				// (receivers deduplicate by webhook-id), keeping the order.
				if ferr := d.Store.InTx(ctx, func(tx store.Tx) error { return finish(ctx, tx) }); ferr != nil {
					return nil, errors.Join(err, ferr)
				}
			}
			return nil, err
		}
		done = append(done, del)
	}
	return finish, nil
}

// post makes one attempt at one delivery and returns its record when the endpoint took it.
func (d *Dispatcher) post(ctx context.Context, ep *cachedEndpoint, vaspID string, e jobEntry, attempt int) (*store.Delivery, error) {
	now := d.Clock()
	sig, err := Sign(ep.secrets, e.ID, now, e.Body, now)
	if err != nil {
		return nil, &jobs.Permanent{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.url, bytes.NewReader(e.Body))
	if err != nil {
		return nil, &jobs.Permanent{Err: fmt.Errorf("endpoint url: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", e.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	if d.UserAgent != "" {
		req.Header.Set("User-Agent", d.UserAgent)
	}
	resp, err := d.Client.Do(req)
	if err != nil {
		return nil, &attemptError{err: fmt.Errorf("post: %w", err)}
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &attemptError{status: resp.StatusCode, body: string(snippet)}
	}
	return &store.Delivery{ID: e.ID, VASPID: vaspID, State: store.DeliveryDelivered, Attempts: attempt,
		LastStatusCode: resp.StatusCode, LastResponse: string(snippet), DeliveredAt: &now}, nil
}
