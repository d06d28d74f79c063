package webhook_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/keyring"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/vasp"
	"github.com/waybill/waybill/internal/webhook"
)

// TestSignSpecVector checks the signature against the Standard Webhooks specification's example.
func TestSignSpecVector(t *testing.T) {
	t.Parallel()
	ts := time.Unix(1614265330, 0)
	sig, err := webhook.Sign([]webhook.Secret{{Key: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}, "msg_p5jXN8AQM9LWM0D4loKWxJek",
		ts, []byte(`{"test": 2432232314}`), ts)
	require.NoError(t, err)
	require.Equal(t, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", sig)
}

// TestRotation: while a secret rotates both sign, the reference library accepts the message with
// either, and an expired secret no longer signs.
func TestRotation(t *testing.T) {
	t.Parallel()
	now := time.Now()
	oldKey, err := webhook.NewSecret(rand.Reader)
	require.NoError(t, err)
	newKey, err := webhook.NewSecret(rand.Reader)
	require.NoError(t, err)
	until := now.Add(time.Hour)
	secrets := []webhook.Secret{{Key: newKey}, {Key: oldKey, ExpiresAt: &until}}
	body := []byte(`{"type":"transfer.created"}`)
	sig, err := webhook.Sign(secrets, "msg_1", now, body, now)
	require.NoError(t, err)
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", jsonNumber(now.Unix()))
	h.Set("webhook-signature", sig)
	for _, k := range []string{oldKey, newKey} {
		wh, err := standardwebhooks.NewWebhook(k)
		require.NoError(t, err)
		require.NoError(t, wh.Verify(body, h), "both secrets verify during the grace period")
		require.NoError(t, webhook.Verify(k, "msg_1", jsonNumber(now.Unix()), sig, body, now, time.Minute))
	}
	later, err := webhook.Sign(secrets, "msg_1", now, body, until.Add(time.Second))
	require.NoError(t, err)
	wh, _ := standardwebhooks.NewWebhook(oldKey)
	h.Set("webhook-signature", later)
	require.Error(t, wh.Verify(body, h), "an expired secret no longer signs")
	require.Error(t, webhook.Verify(newKey, "msg_1", jsonNumber(now.Unix()), sig, []byte("tampered"), now, time.Minute))
	require.Error(t, webhook.Verify(newKey, "msg_1", jsonNumber(now.Add(-time.Hour).Unix()), sig, body, now, time.Minute))
}

func jsonNumber(v int64) string { b, _ := json.Marshal(v); return string(b) }

// TestOrderedRetriedDelivery: the events of one transaction reach an endpoint in order; when
// one fails, the job retries and nothing is lost or reordered; every delivery ends delivered.
func TestOrderedRetriedDelivery(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t)
	ctx := context.Background()
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	keys, err := keyring.New(master, rand.Reader, func(ctx context.Context, id string) ([]byte, error) { return s.Read().DataKey(ctx, id) })
	require.NoError(t, err)
	wrapped, err := keys.NewDataKey("v1")
	require.NoError(t, err)
	require.NoError(t, s.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateVASP(ctx, &vasp.VASP{ID: "v1", Name: "V", Country: "DE", Settings: vasp.DefaultSettings(),
			CreatedAt: time.Now(), UpdatedAt: time.Now()}, wrapped)
	}))
	var (
		mu       sync.Mutex
		got      []string
		failOnce = true
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev webhook.Event
		_ = json.Unmarshal(body, &ev)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev.Data.Status)
		if ev.Data.Status == "second" && failOnce {
			failOnce = false
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	d := &webhook.Dispatcher{Store: s, Keys: keys, Client: srv.Client(), Clock: time.Now,
		NewID: func() string { return uuid.Must(uuid.NewV7()).String() }}
	secret, err := webhook.NewSecret(rand.Reader)
	require.NoError(t, err)
	sealed, err := d.SealSecrets(ctx, "v1", "ep1", []webhook.Secret{{Key: secret}})
	require.NoError(t, err)
	require.NoError(t, s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateEndpoint(ctx, &store.WebhookEndpoint{ID: "ep1", VASPID: "v1", URL: srv.URL, Enabled: true, Secrets: sealed,
			CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
			return err
		}
		var evs []webhook.Event
		for _, st := range []string{"first", "second", "third"} {
			evs = append(evs, webhook.Event{Type: webhook.TransferStatusChanged, Timestamp: time.Now(),
				Data: webhook.Data{VASPID: "v1", TransferID: "t1", Status: st}})
		}
		return d.Enqueue(ctx, tx, "v1", evs)
	}))
	kind := d.Kind()
	kind.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
	r := jobs.New(jobs.Config{Store: s, Kinds: []jobs.Kind{kind}, Poll: 10 * time.Millisecond})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = r.Run(rctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := s.Read().ListDeliveries(ctx, store.DeliveryFilter{VASPID: "v1"})
		require.NoError(t, err)
		delivered := 0
		for _, del := range list {
			if del.State == store.DeliveryDelivered {
				delivered++
			}
		}
		if delivered == 3 {
			break
		}
		require.True(t, time.Now().Before(deadline), "deliveries: %+v", list)
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"first", "second", "first", "second", "third"}, got,
		"after a failure the job sends again from the start, in order (receivers deduplicate by webhook-id)")
}

// TestDisabledEndpointDeadLetters: deliveries to a disabled endpoint end dead, all of them.
func TestDisabledEndpointDeadLetters(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t)
	ctx := context.Background()
	master := make([]byte, 32)
	keys, err := keyring.New(master, rand.Reader, func(ctx context.Context, id string) ([]byte, error) { return s.Read().DataKey(ctx, id) })
	require.NoError(t, err)
	wrapped, err := keys.NewDataKey("v1")
	require.NoError(t, err)
	require.NoError(t, s.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateVASP(ctx, &vasp.VASP{ID: "v1", Name: "V", Country: "DE", Settings: vasp.DefaultSettings(),
			CreatedAt: time.Now(), UpdatedAt: time.Now()}, wrapped)
	}))
	d := &webhook.Dispatcher{Store: s, Keys: keys, Client: http.DefaultClient, Clock: time.Now,
		NewID: func() string { return uuid.Must(uuid.NewV7()).String() }}
	sealed, err := d.SealSecrets(ctx, "v1", "ep1", []webhook.Secret{{Key: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}})
	require.NoError(t, err)
	require.NoError(t, s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateEndpoint(ctx, &store.WebhookEndpoint{ID: "ep1", VASPID: "v1", URL: "http://127.0.0.1:1/x", Enabled: true,
			Secrets: sealed, CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
			return err
		}
		return d.Enqueue(ctx, tx, "v1", []webhook.Event{
			{Type: webhook.TransferCreated, Data: webhook.Data{VASPID: "v1", TransferID: "t1"}},
			{Type: webhook.TransferReceived, Data: webhook.Data{VASPID: "v1", TransferID: "t1"}}})
	}))
	require.NoError(t, s.InTx(ctx, func(tx store.Tx) error {
		ep, err := tx.GetEndpoint(ctx, "v1", "ep1")
		if err != nil {
			return err
		}
		ep.Enabled = false
		return tx.UpdateEndpoint(ctx, ep)
	}))
	d.Forget("v1", "ep1")
	r := jobs.New(jobs.Config{Store: s, Kinds: []jobs.Kind{d.Kind()}, Poll: 10 * time.Millisecond})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = r.Run(rctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := s.Read().ListDeliveries(ctx, store.DeliveryFilter{VASPID: "v1", State: store.DeliveryDead})
		require.NoError(t, err)
		if len(list) == 2 {
			errs := list[0].LastError + " | " + list[1].LastError
			require.Contains(t, errs, "endpoint disabled")
			require.Contains(t, errs, "an earlier event")
			break
		}
		require.True(t, time.Now().Before(deadline))
		time.Sleep(5 * time.Millisecond)
	}
}
