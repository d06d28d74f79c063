package engine_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/keyring"
	"github.com/waybill/waybill/internal/route/hosted"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
	"github.com/waybill/waybill/internal/webhook"
)

type testAddr struct{}

func (testAddr) Validate(network, a string) error {
	if a == "" || strings.ContainsAny(a, " \t") {
		return errors.New("malformed address")
	}
	return nil
}
func (testAddr) Key(network, a string) string { return strings.ToLower(a) }

type harness struct {
	t      testing.TB
	e      *engine.Engine
	s      store.Store
	a, b   *vasp.VASP
	mu     sync.Mutex
	events map[string][]webhook.Event // by vasp id
	api    audit.Actor
}

func newHarness(t *testing.T, open storetest.Opener, settings vasp.Settings) *harness {
	return newHarnessB(t, open, settings)
}

func newHarnessB(t testing.TB, open storetest.Opener, settings vasp.Settings) *harness {
	t.Helper()
	s := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	keys, err := keyring.New(master, rand.Reader, func(ctx context.Context, id string) ([]byte, error) { return s.Read().DataKey(ctx, id) })
	require.NoError(t, err)
	h := &harness{t: t, s: s, events: map[string][]webhook.Event{}, api: audit.Actor{Type: audit.ActorAPIKey, ID: "k", Name: "backend"}}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev webhook.Event
		require.NoError(t, json.NewDecoder(r.Body).Decode(&ev))
		h.mu.Lock()
		h.events[ev.Data.VASPID] = append(h.events[ev.Data.VASPID], ev)
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	newID := func() string { return uuid.Must(uuid.NewV7()).String() }
	hooks := &webhook.Dispatcher{Store: s, Keys: keys, Client: recv.Client(), Clock: time.Now, NewID: newID}
	var runner *jobs.Runner
	e, err := engine.New(engine.Config{Store: s, Keys: keys, Webhooks: hooks, Address: testAddr{}, NewID: newID,
		Notify: func() {
			if runner != nil {
				runner.Notify()
			}
		}})
	require.NoError(t, err)
	runner = jobs.New(jobs.Config{Store: s, Kinds: e.Kinds(map[transfer.Route]engine.Sender{transfer.RouteInternal: &hosted.Adapter{Receiver: e}}), Poll: 50 * time.Millisecond})
	done := make(chan struct{})
	go func() { _ = runner.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; recv.Close() })
	require.NoError(t, e.Seed(ctx))
	h.e = e
	h.a, err = e.CreateVASP(ctx, audit.Actor{Type: audit.ActorSystem}, engine.NewVASP{Name: "Alpha Exchange", Country: "DE", Settings: &settings})
	require.NoError(t, err)
	h.b, err = e.CreateVASP(ctx, audit.Actor{Type: audit.ActorSystem}, engine.NewVASP{Name: "Beta Exchange", Country: "FR", Settings: &settings})
	require.NoError(t, err)
	for _, v := range []*vasp.VASP{h.a, h.b} {
		_, err := e.CreateEndpoint(ctx, h.api, v.ID, engine.EndpointInput{URL: recv.URL}, rand.Reader)
		require.NoError(t, err)
	}
	_, err = e.CreateWallet(ctx, h.api, h.b.ID, engine.WalletInput{Network: "ethereum", Address: "0xBeta1", CustomerName: "Bob Beneficiary"})
	require.NoError(t, err)
	return h
}

func person(t testing.TB, primary, secondary string) *ivms.Originator {
	var o ivms.Originator
	require.NoError(t, json.Unmarshal([]byte(`{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"`+primary+`","secondaryIdentifier":"`+secondary+`","nameIdentifierType":"LEGL"}]},"geographicAddress":[{"addressType":"HOME","townName":"Berlin","country":"DE","addressLine":["Street 1"]}],"dateAndPlaceOfBirth":{"dateOfBirth":"1980-04-02","placeOfBirth":"Hamburg"}}}],"accountNumber":["acct-1"]}`), &o))
	return &o
}

func beneficiary(t testing.TB) *ivms.Beneficiary {
	o := person(t, "Beneficiary", "Bob")
	return &ivms.Beneficiary{Persons: o.Persons, AccountNumbers: o.AccountNumbers}
}

func (h *harness) withdrawal(ref, dest string) engine.CreateInput {
	return engine.CreateInput{Ref: ref, Asset: transfer.Asset{Network: "ethereum", Symbol: "USDC"}, Amount: decimal.RequireFromString("1500"),
		OriginAddress: "0xAlpha9", DestinationAddress: dest, Originator: person(h.t, "Originator", "Olga"), Beneficiary: beneficiary(h.t)}
}

func (h *harness) waitB(vaspID, messageID string, status transfer.Status) {
	h.wait(vaspID, messageID, status)
}

// wait polls until the transfer of vaspID with the message id reaches status.
func (h *harness) wait(vaspID, messageID string, status transfer.Status) *store.Transfer {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		t, err := h.s.Read().GetTransferByMessageID(context.Background(), vaspID, messageID)
		if err == nil && t.Status == status {
			return t
		}
		if time.Now().After(deadline) {
			got := "none"
			if t != nil {
				got = string(t.Status) + " (" + t.StatusReason + ")"
			}
			h.t.Fatalf("vasp %s transfer %s: want %s, have %s", vaspID, messageID, status, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWithdrawalLifecycle(t *testing.T) {
	for name, open := range storetest.Drivers() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := vasp.DefaultSettings()
			s.OutgoingAction, s.IncomingAction = vasp.ActionApprove, vasp.ActionReview
			h := newHarness(t, open, s)
			ctx := context.Background()
			out, created, err := h.e.Create(ctx, h.api, h.a.ID, h.withdrawal("w-1", "0xbeta1"))
			require.NoError(t, err)
			require.True(t, created)
			require.Equal(t, transfer.StatusSent, out.Status, out.StatusReason)
			require.Equal(t, transfer.RouteInternal, out.Route)

			// Beta's record: received, confirmed from the address book, held for review.
			in := h.wait(h.b.ID, out.MessageID, transfer.StatusACK)
			full, err := h.e.Get(ctx, h.b.ID, in.ID)
			require.NoError(t, err)
			require.Equal(t, "Bob Beneficiary", full.CustomerName)
			require.NotNil(t, full.Originator)
			h.wait(h.a.ID, out.MessageID, transfer.StatusACK)

			_, err = h.e.Accept(ctx, h.api, h.b.ID, in.ID, engine.AcceptInput{})
			require.NoError(t, err)
			h.wait(h.a.ID, out.MessageID, transfer.StatusAccepted)

			// Same ref, same body: the same transfer.
			again, created, err := h.e.Create(ctx, h.api, h.a.ID, h.withdrawal("w-1", "0xbeta1"))
			require.NoError(t, err)
			require.False(t, created)
			require.Equal(t, out.ID, again.ID)
			other := h.withdrawal("w-1", "0xbeta1")
			other.Amount = decimal.RequireFromString("2")
			_, _, err = h.e.Create(ctx, h.api, h.a.ID, other)
			var ce *engine.ConflictError
			require.ErrorAs(t, err, &ce)

			_, err = h.e.TxHash(ctx, h.api, h.a.ID, out.ID, "0xhash1")
			require.NoError(t, err)
			h.wait(h.a.ID, out.MessageID, transfer.StatusCompleted)
			done := h.wait(h.b.ID, out.MessageID, transfer.StatusCompleted)
			require.Equal(t, "0xhash1", done.TxHash)

			// The audit chains verify.
			for _, v := range []string{h.a.ID, h.b.ID} {
				events, err := h.s.Read().AuditRange(ctx, v, 0, 10000)
				require.NoError(t, err)
				ver := audit.Verifier{VASPID: v}
				for i := range events {
					require.NoError(t, ver.Next(&events[i]))
				}
			}
		})
	}
}
