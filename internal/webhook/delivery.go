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
}

type jobPayload struct {
	VASPID     string `json:"vasp_id"`
	DeliveryID string `json:"delivery_id"`
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
	endpoints, err := tx.ListEndpoints(ctx, vaspID)
	if err != nil {
		return err
	}
	now := d.Clock()
	for i := range endpoints {
		ep := &endpoints[i]
		if !ep.Enabled {
			continue
		}
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
			if err := d.enqueueJob(ctx, tx, del, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *Dispatcher) enqueueJob(ctx context.Context, tx store.Tx, del *store.Delivery, at time.Time) error {
	key := "wh:" + del.EndpointID
	if del.TransferID != "" {
		key += ":" + del.TransferID
	} else {
		key = "" // events about no transfer need no order
	}
	j, err := jobs.NewJob(JobKind, key, jobPayload{VASPID: del.VASPID, DeliveryID: del.ID}, at, MaxAttempts)
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
	return del, d.enqueueJob(ctx, tx, del, now)
}

// Kind returns the job kind that delivers webhooks.
func (d *Dispatcher) Kind() jobs.Kind {
	return jobs.Kind{
		Name:    JobKind,
		Run:     d.deliver,
		Backoff: Backoff,
		Lease:   time.Minute,
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

func (d *Dispatcher) record(ctx context.Context, tx store.Tx, job *store.Job, state string, cause error, next *time.Time) error {
	p, err := jobs.Payload[jobPayload](job)
	if err != nil {
		return nil
	}
	del, err := tx.GetDelivery(ctx, p.VASPID, p.DeliveryID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	del.State, del.Attempts, del.NextAttemptAt = state, job.Attempts, next
	del.LastError = cause.Error()
	var ae *attemptError
	if errors.As(cause, &ae) {
		del.LastStatusCode, del.LastResponse = ae.status, ae.body
	}
	return tx.UpdateDelivery(ctx, del)
}

func (d *Dispatcher) deliver(ctx context.Context, job *store.Job) (jobs.Finish, error) {
	p, err := jobs.Payload[jobPayload](job)
	if err != nil {
		return nil, err
	}
	r := d.Store.Read()
	del, err := r.GetDelivery(ctx, p.VASPID, p.DeliveryID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil // its endpoint was deleted
	}
	if err != nil {
		return nil, err
	}
	ep, err := r.GetEndpoint(ctx, del.VASPID, del.EndpointID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !ep.Enabled {
		return nil, &jobs.Permanent{Err: errors.New("endpoint disabled")}
	}
	secrets, err := d.OpenSecrets(ctx, ep)
	if err != nil {
		return nil, err
	}
	now := d.Clock()
	sig, err := Sign(secrets, del.ID, now, del.Payload, now)
	if err != nil {
		return nil, &jobs.Permanent{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(del.Payload))
	if err != nil {
		return nil, &jobs.Permanent{Err: fmt.Errorf("endpoint url: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", del.ID)
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
	attempts, status, body := job.Attempts, resp.StatusCode, string(snippet)
	return func(ctx context.Context, tx store.Tx) error {
		del.State, del.Attempts, del.LastStatusCode, del.LastResponse, del.LastError = store.DeliveryDelivered, attempts, status, body, ""
		del.NextAttemptAt, del.DeliveredAt = nil, &now
		return tx.UpdateDelivery(ctx, del)
	}, nil
}
