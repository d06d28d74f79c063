package nodetest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/waybill/waybill/internal/webhook"
)

// Received is one webhook as the receiver got it.
type Received struct {
	ID    string // webhook-id
	VASP  string // the VASP whose endpoint got it
	Event webhook.Event
	Body  []byte
}

// Receiver is a backend's webhook endpoint: it verifies every delivery's signature with the
// Standard Webhooks reference library and records the events, once per webhook-id.
type Receiver struct {
	srv     *httptest.Server
	clock   *Clock
	mu      sync.Mutex
	secrets map[string]string
	events  []Received
	seen    map[string]bool
	errs    []string
	changed chan struct{}
}

func newReceiver(t testing.TB, clock *Clock) *Receiver {
	r := &Receiver{clock: clock, secrets: map[string]string{}, seen: map[string]bool{}, changed: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// URL returns the endpoint URL for a VASP's deliveries.
func (r *Receiver) URL(vaspID string) string { return r.srv.URL + "/hooks/" + vaspID }

func (r *Receiver) setSecret(vaspID, secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets[vaspID] = secret
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	vaspID := strings.TrimPrefix(req.URL.Path, "/hooks/")
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fail := func(format string, args ...any) {
		r.errs = append(r.errs, fmt.Sprintf(format, args...))
		http.Error(w, "refused", http.StatusBadRequest)
	}
	secret, ok := r.secrets[vaspID]
	if !ok {
		// The endpoint was registered but its secret is not known yet (a race at start): ask
		// for a retry.
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		fail("secret of %s: %v", vaspID, err)
		return
	}
	// The node may run on an advanced clock: check the signature with the reference library and
	// the timestamp against the node's clock.
	if err := wh.VerifyIgnoringTimestamp(body, req.Header); err != nil {
		fail("signature of %s: %v", req.Header.Get("webhook-id"), err)
		return
	}
	var ts int64
	if _, err := fmt.Sscan(req.Header.Get("webhook-timestamp"), &ts); err != nil {
		fail("timestamp of %s: %v", req.Header.Get("webhook-id"), err)
		return
	}
	if d := r.clock.Now().Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		fail("timestamp of %s is %s off", req.Header.Get("webhook-id"), d)
		return
	}
	id := req.Header.Get("webhook-id")
	var ev webhook.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		fail("body of %s: %v", id, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	if r.seen[id] {
		return
	}
	r.seen[id] = true
	r.events = append(r.events, Received{ID: id, VASP: vaspID, Event: ev, Body: body})
	close(r.changed)
	r.changed = make(chan struct{})
}

// Errors returns every verification failure so far.
func (r *Receiver) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

// Events returns the events received for a VASP, in arrival order.
func (r *Receiver) Events(vaspID string) []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Received
	for _, e := range r.events {
		if e.VASP == vaspID {
			out = append(out, e)
		}
	}
	return out
}

// All returns every event received.
func (r *Receiver) All() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.events...)
}

// ForTransfer returns the events received about a transfer, in arrival order.
func (r *Receiver) ForTransfer(transferID string) []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Received
	for _, e := range r.events {
		if e.Event.Data.TransferID == transferID {
			out = append(out, e)
		}
	}
	return out
}

// Wait blocks until an event for vaspID matches pred, and returns it.
func (r *Receiver) Wait(t testing.TB, vaspID string, what string, pred func(webhook.Event) bool) Received {
	t.Helper()
	deadline := time.NewTimer(Deadline)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		for _, e := range r.events {
			if e.VASP == vaspID && pred(e.Event) {
				r.mu.Unlock()
				return e
			}
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out waiting for webhook %s (errors: %v)", what, r.Errors())
		}
	}
}

// WaitType waits for an event of type typ about a transfer.
func (r *Receiver) WaitType(t testing.TB, vaspID, transferID, typ string) Received {
	t.Helper()
	return r.Wait(t, vaspID, typ+" for "+transferID, func(e webhook.Event) bool {
		return e.Type == typ && e.Data.TransferID == transferID
	})
}

// WaitMove waits for transfer.status_changed from -> to about a transfer.
func (r *Receiver) WaitMove(t testing.TB, vaspID, transferID string, from, to string) Received {
	t.Helper()
	return r.Wait(t, vaspID, "status_changed "+from+"->"+to+" for "+transferID, func(e webhook.Event) bool {
		return e.Type == webhook.TransferStatusChanged && e.Data.TransferID == transferID && e.Data.From == from && e.Data.To == to
	})
}
