package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

func job(kind, key string, runAt time.Time) *store.Job {
	return &store.Job{Kind: kind, Key: key, Payload: json.RawMessage(`{"a":1}`), RunAt: runAt, MaxAttempts: 3}
}

func claim(t *testing.T, s store.Store, now time.Time, limit int, kinds ...string) []store.Job {
	t.Helper()
	var out []store.Job
	tx(t, s, func(tx store.Tx) error {
		var err error
		out, err = tx.ClaimJobs(context.Background(), kinds, now, now.Add(time.Minute), limit)
		return err
	})
	return out
}

func ids(jobs []store.Job) []int64 {
	out := make([]int64, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}

func testJobs(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b, c := job("webhook", "", t0), job("route", "", t0.Add(time.Second)), job("timer", "", t0.Add(time.Hour))
	tx(t, s, func(tx store.Tx) error { return tx.Enqueue(ctx, a, b, c) })
	require.NotZero(t, a.ID)

	next, err := s.Read().NextJobAt(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, t0, next)

	got := claim(t, s, t0.Add(2*time.Second), 10)
	require.Equal(t, []int64{a.ID, b.ID}, ids(got), "due jobs in run order; the timer is not due")
	require.Equal(t, 1, got[0].Attempts)
	require.JSONEq(t, `{"a":1}`, string(got[0].Payload))
	require.Empty(t, claim(t, s, t0.Add(3*time.Second), 10), "leased jobs are not claimed twice")

	// The lease expires: a crashed worker's job runs again.
	again := claim(t, s, t0.Add(2*time.Minute+time.Second), 10, "webhook")
	require.Equal(t, []int64{a.ID}, ids(again), "kind filter and lease expiry")
	require.Equal(t, 2, again[0].Attempts)

	tx(t, s, func(tx store.Tx) error {
		require.NoError(t, tx.RetryJob(ctx, b.ID, t0.Add(10*time.Minute), "boom"))
		return tx.CompleteJobs(ctx, a.ID)
	})
	counts, err := s.Read().CountJobs(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"route": 1, "timer": 1}, counts)
	require.Empty(t, claim(t, s, t0.Add(9*time.Minute), 10))
	r := claim(t, s, t0.Add(10*time.Minute), 10)
	require.Equal(t, []int64{b.ID}, ids(r))
	require.Equal(t, "boom", r[0].LastError)
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.RetryJob(ctx, 999999, t0, "") })
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testJobsOrderedByKey(t *testing.T, s store.Store) {
	ctx := context.Background()
	j1, j2, j3, other := job("webhook", "ep1:t1", t0), job("webhook", "ep1:t1", t0), job("webhook", "ep1:t1", t0), job("webhook", "ep1:t2", t0)
	tx(t, s, func(tx store.Tx) error { return tx.Enqueue(ctx, j1, j2, j3, other) })
	got := claim(t, s, t0, 10)
	require.Equal(t, []int64{j1.ID, other.ID}, ids(got), "only the head of each key runs")
	tx(t, s, func(tx store.Tx) error { return tx.CompleteJobs(ctx, other.ID) })
	// j1 fails and is retried later: j2 must still wait behind it.
	tx(t, s, func(tx store.Tx) error { return tx.RetryJob(ctx, j1.ID, t0.Add(time.Minute), "503") })
	require.Empty(t, claim(t, s, t0.Add(time.Second), 10))
	require.Equal(t, []int64{j1.ID}, ids(claim(t, s, t0.Add(time.Minute), 10)))
	tx(t, s, func(tx store.Tx) error { return tx.CompleteJobs(ctx, j1.ID) })
	require.Equal(t, []int64{j2.ID}, ids(claim(t, s, t0.Add(time.Minute), 10)))
}

func testTxRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx store.Tx) error {
		require.NoError(t, tx.CreateTransfer(ctx, mkTransfer("v1", "t1")))
		require.NoError(t, tx.Enqueue(ctx, job("route", "", t0)))
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = s.Read().GetTransfer(ctx, "v1", "t1")
	require.ErrorIs(t, err, store.ErrNotFound, "a failed transaction leaves nothing")
	counts, err := s.Read().CountJobs(ctx)
	require.NoError(t, err)
	require.Empty(t, counts, "and enqueues nothing")
}

func testInbound(t *testing.T, s store.Store) {
	ctx := context.Background()
	tx(t, s, func(tx store.Tx) error { return tx.RecordInbound(ctx, "v1", "trp", "m1", "inquiry", t0) })
	err := s.InTx(ctx, func(tx store.Tx) error { return tx.RecordInbound(ctx, "v1", "trp", "m1", "inquiry", t0) })
	require.ErrorIs(t, err, store.ErrConflict)
	tx(t, s, func(tx store.Tx) error {
		require.NoError(t, tx.RecordInbound(ctx, "v1", "trp", "m1", "confirmation", t0))
		return tx.RecordInbound(ctx, "v2", "trp", "m1", "inquiry", t0)
	})
	m := &store.Message{ID: "m1", VASPID: "v1", TransferID: "t1", Direction: "out", Route: "trp", Kind: "inquiry", State: "queued", CreatedAt: t0, UpdatedAt: t0}
	tx(t, s, func(tx store.Tx) error { return tx.CreateMessage(ctx, m) })
	m.State, m.Detail, m.Sealed = "sent", "200 OK", []byte{9}
	tx(t, s, func(tx store.Tx) error { return tx.UpdateMessage(ctx, m) })
	list, err := s.Read().ListMessages(ctx, "v1", "t1")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "sent", list[0].State)
	require.Equal(t, []byte{9}, list[0].Sealed)
}

func testWallets(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	mkVASP(t, s, "v2")
	w := &vasp.Wallet{ID: "w1", VASPID: "v1", Network: "ethereum", Address: "0xAbC", CustomerRef: "c1", CreatedAt: t0}
	tx(t, s, func(tx store.Tx) error { return tx.CreateWallet(ctx, w, "0xabc", []byte("sealed")) })
	err := s.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateWallet(ctx, &vasp.Wallet{ID: "w2", VASPID: "v1", Network: "ethereum", Address: "0xabc", CreatedAt: t0}, "0xabc", nil)
	})
	require.ErrorIs(t, err, store.ErrConflict, "an address is in a book once")
	got, name, err := s.Read().FindWallet(ctx, "v1", "ethereum", "0xabc")
	require.NoError(t, err)
	require.Equal(t, "w1", got.ID)
	require.Equal(t, []byte("sealed"), name)
	_, _, err = s.Read().FindWallet(ctx, "v2", "ethereum", "0xabc")
	require.ErrorIs(t, err, store.ErrNotFound)
	hosted, err := s.Read().FindHostedWallet(ctx, "ethereum", "0xabc")
	require.NoError(t, err)
	require.Equal(t, "v1", hosted.VASPID)
	list, err := s.Read().ListWallets(ctx, "v1", "", 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.ErrorIs(t, s.InTx(ctx, func(tx store.Tx) error { return tx.DeleteWallet(ctx, "v2", "w1") }), store.ErrNotFound)
	tx(t, s, func(tx store.Tx) error { return tx.DeleteWallet(ctx, "v1", "w1") })
	_, err = s.Read().FindHostedWallet(ctx, "ethereum", "0xabc")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testCounterparties(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	c := &counterparty.Counterparty{ID: "c1", VASPID: "v1", Name: "Beta", LEI: "5493001KJTIIGC8Y1R12", Standing: counterparty.StandingAllowed,
		HostedVASPID: "v2", Routes: counterparty.Routes{Email: "tr@beta.example"}, CreatedAt: t0, UpdatedAt: t0}
	tx(t, s, func(tx store.Tx) error { return tx.CreateCounterparty(ctx, c) })
	err := s.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateCounterparty(ctx, &counterparty.Counterparty{ID: "c2", VASPID: "v1", Name: "Dup", Standing: "unknown", HostedVASPID: "v2", CreatedAt: t0, UpdatedAt: t0})
	})
	require.ErrorIs(t, err, store.ErrConflict, "one directory entry per hosted VASP")
	got, err := s.Read().FindHostedCounterparty(ctx, "v1", "v2")
	require.NoError(t, err)
	require.Equal(t, "tr@beta.example", got.Routes.Email)
	got, err = s.Read().FindCounterpartyByLEI(ctx, "v1", "5493001KJTIIGC8Y1R12")
	require.NoError(t, err)
	require.Equal(t, "c1", got.ID)
	got.Standing = counterparty.StandingBlocked
	got.Routes.TRP = &counterparty.TRP{URL: "https://beta.example/trp"}
	got.UpdatedAt = t0.Add(time.Hour)
	tx(t, s, func(tx store.Tx) error { return tx.UpdateCounterparty(ctx, got) })
	got, _ = s.Read().GetCounterparty(ctx, "v1", "c1")
	require.Equal(t, counterparty.StandingBlocked, got.Standing)
	require.Equal(t, "https://beta.example/trp", got.Routes.TRP.URL)
	list, err := s.Read().ListCounterparties(ctx, "v1", "", 10)
	require.NoError(t, err)
	require.Len(t, list, 1)

	a := &store.Attribution{VASPID: "v1", Network: "bitcoin", Address: "bc1q", CounterpartyID: "c1", Source: "confirmed_transfer", Confidence: "confirmed", UpdatedAt: t0}
	tx(t, s, func(tx store.Tx) error { return tx.UpsertAttribution(ctx, a, "bc1q") })
	a.Confidence = "likely"
	tx(t, s, func(tx store.Tx) error { return tx.UpsertAttribution(ctx, a, "bc1q") })
	ga, err := s.Read().FindAttribution(ctx, "v1", "bitcoin", "bc1q")
	require.NoError(t, err)
	require.Equal(t, "likely", ga.Confidence)
	tx(t, s, func(tx store.Tx) error { return tx.DeleteCounterparty(ctx, "v1", "c1") })
	_, err = s.Read().GetCounterparty(ctx, "v1", "c1")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testWebhooks(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	e := &store.WebhookEndpoint{ID: "we1", VASPID: "v1", URL: "https://backend.example/hooks", Events: []string{"transfer.created"},
		Enabled: true, Secrets: []byte("sealed"), CreatedAt: t0, UpdatedAt: t0}
	tx(t, s, func(tx store.Tx) error { return tx.CreateEndpoint(ctx, e) })
	e.Enabled = false
	e.Events = nil
	tx(t, s, func(tx store.Tx) error { return tx.UpdateEndpoint(ctx, e) })
	eps, err := s.Read().ListEndpoints(ctx, "v1")
	require.NoError(t, err)
	require.Len(t, eps, 1)
	require.False(t, eps[0].Enabled)
	require.Empty(t, eps[0].Events)

	for i := 0; i < 3; i++ {
		d := &store.Delivery{ID: fmt.Sprintf("msg_%d", i), VASPID: "v1", EndpointID: "we1", EventType: "transfer.created", TransferID: "t1",
			Payload: json.RawMessage(`{"type":"transfer.created"}`), State: store.DeliveryPending, CreatedAt: t0}
		tx(t, s, func(tx store.Tx) error { return tx.CreateDelivery(ctx, d) })
	}
	d, err := s.Read().GetDelivery(ctx, "v1", "msg_1")
	require.NoError(t, err)
	now := t0.Add(time.Minute)
	d.State, d.Attempts, d.LastStatusCode, d.DeliveredAt = store.DeliveryDelivered, 1, 204, &now
	tx(t, s, func(tx store.Tx) error { return tx.UpdateDelivery(ctx, d) })
	list, err := s.Read().ListDeliveries(ctx, store.DeliveryFilter{VASPID: "v1", State: store.DeliveryDelivered})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, 204, list[0].LastStatusCode)
	require.Equal(t, now, *list[0].DeliveredAt)
	all, err := s.Read().ListDeliveries(ctx, store.DeliveryFilter{VASPID: "v1", Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"msg_2", "msg_1"}, []string{all[0].ID, all[1].ID})
	tx(t, s, func(tx store.Tx) error { return tx.DeleteEndpoint(ctx, "v1", "we1") })
	_, err = s.Read().GetDelivery(ctx, "v1", "msg_1")
	require.ErrorIs(t, err, store.ErrNotFound, "deliveries go with their endpoint")
}

func testReferenceTables(t *testing.T, s store.Store) {
	ctx := context.Background()
	j := &policy.Jurisdiction{Code: "EU", Name: "European Union", Threshold: decimal.Zero, Currency: "EUR",
		RequiredOriginator: []string{"name", "account_number"}, Source: "Regulation (EU) 2023/1113", UpdatedAt: t0}
	tx(t, s, func(tx store.Tx) error { return tx.UpsertJurisdiction(ctx, j) })
	j.Name = "EU"
	tx(t, s, func(tx store.Tx) error { return tx.UpsertJurisdiction(ctx, j) })
	got, err := s.Read().GetJurisdiction(ctx, "EU")
	require.NoError(t, err)
	require.Equal(t, "EU", got.Name)
	require.Equal(t, []string{"name", "account_number"}, got.RequiredOriginator)
	js, err := s.Read().ListJurisdictions(ctx)
	require.NoError(t, err)
	require.Len(t, js, 1)

	r := &policy.FXRate{Base: "BTC", Quote: "EUR", Rate: decimal.RequireFromString("61234.5"), AsOf: t0, Source: "test", UpdatedAt: t0}
	tx(t, s, func(tx store.Tx) error { return tx.UpsertFXRate(ctx, r) })
	rates, err := s.Read().ListFXRates(ctx)
	require.NoError(t, err)
	require.Len(t, rates, 1)
	require.Equal(t, "61234.5", rates[0].Rate.String())
	tx(t, s, func(tx store.Tx) error { return tx.DeleteFXRate(ctx, "BTC", "EUR") })
	require.ErrorIs(t, s.InTx(ctx, func(tx store.Tx) error { return tx.DeleteFXRate(ctx, "BTC", "EUR") }), store.ErrNotFound)

	a := &store.Asset{Network: "bitcoin", Symbol: "BTC", Name: "Bitcoin", Decimals: 8, SLIP44: 0}
	tx(t, s, func(tx store.Tx) error { return tx.UpsertAsset(ctx, a) })
	ga, err := s.Read().GetAsset(ctx, "bitcoin", "BTC")
	require.NoError(t, err)
	require.Equal(t, int32(8), ga.Decimals)
	require.Equal(t, int32(0), ga.SLIP44)
	_, err = s.Read().GetAsset(ctx, "bitcoin", "XYZ")
	require.ErrorIs(t, err, store.ErrNotFound)
}

// testConcurrentCAS runs many writers against one transfer: every successful update moves the
// version by one, every loser sees ErrStale, and none is lost.
func testConcurrentCAS(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	tx(t, s, func(tx store.Tx) error { return tx.CreateTransfer(ctx, mkTransfer("v1", "t1")) })
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				err := s.InTx(ctx, func(tx store.Tx) error {
					cur, err := tx.GetTransfer(ctx, "v1", "t1")
					if err != nil {
						return err
					}
					prev := cur.Version
					cur.Version++
					return tx.UpdateTransfer(ctx, cur, prev)
				})
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				} else if !errors.Is(err, store.ErrStale) {
					t.Errorf("unexpected error: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	got, err := s.Read().GetTransfer(ctx, "v1", "t1")
	require.NoError(t, err)
	require.Equal(t, 1+wins, got.Version)
	require.Positive(t, wins)
	_ = transfer.StatusNew
}
