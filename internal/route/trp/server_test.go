package trp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/pki"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// recorder stands in for the engine: it records what the server hands over and answers with
// err (the engine's errors are what the server maps to statuses).
type recorder struct {
	mu  sync.Mutex
	got []route.Inbound
	err error
	// st, when set, runs the message's Record in a transaction, as the engine does for a
	// message it accepts (here: one it does not answer with an error).
	st store.Store
}

func (r *recorder) Receive(ctx context.Context, in *route.Inbound) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, *in)
	if r.err == nil && r.st != nil && in.Record != nil {
		if err := r.st.InTx(ctx, func(tx store.Tx) error { return in.Record(ctx, tx) }); err != nil {
			return err
		}
	}
	return r.err
}

func (r *recorder) set(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

func (r *recorder) last(t *testing.T) route.Inbound {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.got, "the engine got nothing")
	return r.got[len(r.got)-1]
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// fixture is a store with one hosted VASP (v1) and its directory: c1 reaches
// https://alpha.example:8443 by URL, c2 https://127.0.0.1:9443 by travel address.
type fixture struct {
	st     store.Store
	rec    *recorder
	svc    *Service
	mux    *http.ServeMux
	wallet *vasp.Wallet
}

const (
	alphaCallback = "https://alpha.example:8443/trp/v/a/transfers/m1/resolve"
	requestID     = "0195f1c2-7a3b-7c4d-8e5f-0123456789ab"
)

func newFixture(t testing.TB, mtls bool) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	f := &fixture{st: st, rec: &recorder{st: st}}
	ta, err := TravelAddress("https://127.0.0.1:9443/trp/v/g?t=i")
	require.NoError(t, err)
	require.NoError(t, st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateVASP(ctx, &vasp.VASP{ID: "v1", Name: "Beta Exchange SAS", LEI: "5493001KJTIIGC8Y1R12", Country: "FR",
			Jurisdiction: "FR", Settings: vasp.DefaultSettings(), CreatedAt: t0, UpdatedAt: t0}, []byte("k")); err != nil {
			return err
		}
		for _, a := range []store.Asset{{Network: "ethereum", Symbol: "ETH", Decimals: 18, SLIP44: 60},
			{Network: "bitcoin", Symbol: "BTC", Decimals: 8, SLIP44: 0},
			{Network: "ethereum", Symbol: "USDC", Decimals: 6, SLIP44: -1, DTI: "4H95J0R2X"},
			{Network: "ethereum", Symbol: "DAI", Decimals: 18, SLIP44: -1}} {
			if err := tx.UpsertAsset(ctx, &a); err != nil {
				return err
			}
		}
		for _, c := range []*counterparty.Counterparty{
			{ID: "c1", VASPID: "v1", Name: "Alpha", Standing: counterparty.StandingAllowed,
				Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: "https://alpha.example:8443/trp/v/a?t=i"}}},
			{ID: "c2", VASPID: "v1", Name: "Gamma", Standing: counterparty.StandingAllowed,
				Routes: counterparty.Routes{TRP: &counterparty.TRP{TravelAddress: ta}}},
		} {
			c.CreatedAt, c.UpdatedAt = t0, t0
			if err := tx.CreateCounterparty(ctx, c); err != nil {
				return err
			}
		}
		f.wallet = &vasp.Wallet{ID: "w1", VASPID: "v1", Network: "ethereum", Address: "0xde709f2102306220921060314715629080e2fb77", Memo: "7", CreatedAt: t0}
		return tx.CreateWallet(ctx, f.wallet, strings.ToLower(f.wallet.Address), nil)
	}))
	cfg := Config{Store: st, Receiver: f.rec, BaseURL: "https://beta.example:8443", Clock: func() time.Time { return t0 }, MaxBodyBytes: 64 << 10}
	if mtls {
		cfg.TLS = &tls.Config{}
	}
	f.svc, err = New(cfg)
	require.NoError(t, err)
	f.mux = http.NewServeMux()
	f.svc.Mount(f.mux, true)
	return f
}

// post sends a request to the server; peer, when set, is the mutual TLS client certificate.
func (f *fixture) post(t *testing.T, path, body string, hdr map[string]string, peer *x509.Certificate) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderAPIVersion, "3.1.0")
	req.Header.Set(HeaderRequestIdentifier, requestID)
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	if peer != nil {
		req.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{peer}}
	}
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, req)
	return w
}

func TestInquiryHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	body := inquiryBody(`{"slip0044":"ETH"}`, `1.5`, alphaCallback)
	for _, tc := range []struct {
		name   string
		hdr    map[string]string
		status int
	}{
		{"3.1.0", nil, 200},
		{"2.1.0", map[string]string{HeaderAPIVersion: "2.1.0"}, 200},
		{"3.0", map[string]string{HeaderAPIVersion: "3.0"}, 200},
		{"3.2.1", map[string]string{HeaderAPIVersion: "3.2.1"}, 200},
		{"3.9.0-rc1", map[string]string{HeaderAPIVersion: "3.9.0-rc1"}, 200},
		{"no content type", map[string]string{"Content-Type": ""}, 200},
		{"json with charset", map[string]string{"Content-Type": "application/json; charset=utf-8"}, 200},
		{"no api-version", map[string]string{HeaderAPIVersion: ""}, 400},
		{"2.0.0", map[string]string{HeaderAPIVersion: "2.0.0"}, 400},
		{"4.0.0", map[string]string{HeaderAPIVersion: "4.0.0"}, 400},
		{"1.1.0", map[string]string{HeaderAPIVersion: "1.1.0"}, 400},
		{"garbage version", map[string]string{HeaderAPIVersion: "three"}, 400},
		{"no request-identifier", map[string]string{HeaderRequestIdentifier: ""}, 400},
		{"request-identifier with a slash", map[string]string{HeaderRequestIdentifier: "a/b"}, 400},
		{"form content", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415},
		{"bad content type", map[string]string{"Content-Type": "application/"}, 415},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.post(t, InquiryPath("v1", ""), body, tc.hdr, nil)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			require.Equal(t, APIVersion, w.Header().Get(HeaderAPIVersion))
			if tc.status == 200 {
				require.Equal(t, requestID, w.Header().Get(HeaderRequestIdentifier))
				require.JSONEq(t, `{"version":"3.1.0"}`, w.Body.String())
			}
		})
	}
	req := httptest.NewRequest(http.MethodGet, InquiryPath("v1", ""), nil)
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, req)
	require.Equal(t, http.StatusMethodNotAllowed, w.Code)
}

func TestInquiryReachesTheEngine(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	w := f.post(t, InquiryPath("v1", ""), inquiryBody(`{"slip0044":"ETH"}`, `"1.5"`, alphaCallback), map[string]string{HeaderAPIVersion: "3.2.1"}, nil)
	require.Equal(t, 200, w.Code, w.Body.String())
	in := f.rec.last(t)
	require.Equal(t, "v1", in.VASPID)
	require.Equal(t, transfer.RouteTRP, in.Route)
	require.Equal(t, "c1", in.CounterpartyID, "the callback's host and port name the peer")
	require.Equal(t, requestID+"/inquiry", in.Message.ID)
	require.Equal(t, requestID, in.Message.TransferMessageID)
	require.Equal(t, route.KindInquiry, in.Message.Kind)
	require.Equal(t, transfer.Asset{Network: "ethereum", Symbol: "ETH"}, in.Message.Transaction.Asset)
	require.True(t, decimal.RequireFromString("1.5").Equal(in.Message.Transaction.Amount))
	require.Equal(t, "0xde709f2102306220921060314715629080e2fb77", in.Message.Transaction.DestinationAddress)
	require.NotNil(t, in.Message.Originator)
	require.NoError(t, in.Message.Validate())
	st, err := f.st.Read().GetTRPTransfer(context.Background(), "v1", requestID)
	require.NoError(t, err)
	require.Equal(t, alphaCallback, st.PeerCallback)
	require.Equal(t, "3.2.1", st.APIVersion)
	require.Equal(t, store.TRPRoleBeneficiary, st.Role)

	// A retry from the same peer is handed over again (the engine deduplicates it).
	w = f.post(t, InquiryPath("v1", ""), inquiryBody(`{"slip0044":"ETH"}`, `"1.5"`, alphaCallback), nil, nil)
	require.Equal(t, 200, w.Code)
	require.Equal(t, 2, f.rec.count())
	require.Equal(t, requestID+"/inquiry", f.rec.last(t).Message.ID)

	// Another peer reusing the request-identifier is refused.
	gamma := strings.Replace(alphaCallback, "alpha.example:8443", "127.0.0.1:9443", 1)
	w = f.post(t, InquiryPath("v1", ""), inquiryBody(`{"slip0044":"ETH"}`, `1`, gamma), nil, nil)
	require.Equal(t, http.StatusConflict, w.Code, w.Body.String())
}

func TestInquiryToAWallet(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	body := inquiryBody(`{"slip0044":60}`, `2`, alphaCallback)
	body = strings.Replace(body, `"accountNumber":["0xde709f2102306220921060314715629080e2fb77"]`, `"accountNumber":["0x1111111111111111111111111111111111111111"]`, 1)
	w := f.post(t, InquiryPath("v1", "w1"), body, nil, nil)
	require.Equal(t, 200, w.Code, w.Body.String())
	tx := f.rec.last(t).Message.Transaction
	require.Equal(t, f.wallet.Address, tx.DestinationAddress, "the travel address names the wallet")
	require.Equal(t, "7", tx.Memo)

	w = f.post(t, InquiryPath("v1", "w1"), inquiryBody(`{"slip0044":"BTC"}`, `1`, alphaCallback), nil, nil)
	require.Equal(t, http.StatusUnprocessableEntity, w.Code, "a bitcoin inquiry to an ethereum wallet")
	w = f.post(t, InquiryPath("v1", "nope"), body, nil, nil)
	require.Equal(t, http.StatusNotFound, w.Code)
}

func TestInquiryRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	good := inquiryBody(`{"slip0044":"ETH"}`, `1`, alphaCallback)
	for _, tc := range []struct {
		name, path, body string
		status           int
		contains         string
	}{
		{"unknown VASP", InquiryPath("v9", ""), good, 404, "no such travel address"},
		{"unknown peer", InquiryPath("v1", ""), strings.Replace(good, "alpha.example:8443", "mallory.example", 1), 403, "not in this VASP's directory"},
		{"same host, another port", InquiryPath("v1", ""), strings.Replace(good, "alpha.example:8443", "alpha.example:9999", 1), 403, ""},
		{"malformed", InquiryPath("v1", ""), good[:40], 400, ""},
		{"no IVMS101", InquiryPath("v1", ""), good[:strings.Index(good, `,"IVMS101"`)] + `}`, 400, "IVMS101"},
		{"too large", InquiryPath("v1", ""), `{"pad":"` + strings.Repeat("x", 70<<10) + `"}`, 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := f.rec.count()
			w := f.post(t, tc.path, tc.body, nil, nil)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			require.Contains(t, w.Body.String(), tc.contains)
			require.NotContains(t, w.Body.String(), "Post", "answers never repeat personal data")
			require.Equal(t, n, f.rec.count(), "nothing reached the engine")
		})
	}
	t.Run("unknown asset is refused in band", func(t *testing.T) {
		for _, asset := range []string{`{"dti":"ZZZZZZZZZ"}`, `{"slip0044":"DOGE"}`} {
			w := f.post(t, InquiryPath("v1", ""), inquiryBody(asset, `1`, alphaCallback), nil, nil)
			require.Equal(t, 200, w.Code)
			res, err := DecodeResolution(w.Body.Bytes())
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(res.Rejected, CodeUnsupportedAsset+":"), res.Rejected)
		}
	})
	t.Run("a token by its DTI", func(t *testing.T) {
		w := f.post(t, InquiryPath("v1", ""), inquiryBody(`{"dti":"4H95J0R2X"}`, `10`, alphaCallback), nil, nil)
		require.Equal(t, 200, w.Code, w.Body.String())
		require.Equal(t, transfer.Asset{Network: "ethereum", Symbol: "USDC", DTI: "4H95J0R2X"}, f.rec.last(t).Message.Transaction.Asset)
	})
}

func TestEngineErrorsMapToStatuses(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	for _, tc := range []struct {
		err    error
		status int
	}{
		{&engine.ValidationError{Fields: []engine.FieldError{{Path: "originator", Code: "C1", Message: "needs an address"}}}, 422},
		{&transfer.TransitionError{From: transfer.StatusCompleted, Event: transfer.EventReceive}, 409},
		{&engine.UnknownTransferError{MessageID: "m"}, 404},
		{&engine.ConflictError{Msg: "counterparty Alpha is blocked"}, 409},
		{context.DeadlineExceeded, 503},
		{errors.New("database exploded: secret detail"), 500},
	} {
		f.rec.set(tc.err)
		w := f.post(t, InquiryPath("v1", ""), inquiryBody(`{"slip0044":"ETH"}`, `1`, alphaCallback), nil, nil)
		require.Equal(t, tc.status, w.Code, "%v: %s", tc.err, w.Body.String())
		require.NotContains(t, w.Body.String(), "secret detail", "500 answers hide the cause")
		_, err := f.st.Read().GetTRPTransfer(context.Background(), "v1", requestID)
		require.ErrorIs(t, err, store.ErrNotFound, "a refused inquiry leaves no TRP state")
	}
}

func TestIdentifyByCertificate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	_, leaves, err := pki.TestSet([]string{"alpha.example"}, []string{"127.0.0.1"}, []string{"mallory.example"})
	require.NoError(t, err)
	alpha, gamma, mallory := leaves[0].Cert, leaves[1].Cert, leaves[2].Cert
	body := inquiryBody(`{"slip0044":"ETH"}`, `1`, alphaCallback)
	w := f.post(t, InquiryPath("v1", ""), body, nil, nil)
	require.Equal(t, http.StatusUnauthorized, w.Code, "mutual TLS: no certificate, no entry")

	w = f.post(t, InquiryPath("v1", ""), body, nil, alpha)
	require.Equal(t, 200, w.Code, w.Body.String())
	require.Equal(t, "c1", f.rec.last(t).CounterpartyID)

	// Gamma's certificate, whatever the callback says: the certificate decides.
	w = f.post(t, InquiryPath("v1", ""), body, map[string]string{HeaderRequestIdentifier: "r2"}, gamma)
	require.Equal(t, 200, w.Code, w.Body.String())
	require.Equal(t, "c2", f.rec.last(t).CounterpartyID, "found through its travel address")

	w = f.post(t, InquiryPath("v1", ""), body, map[string]string{HeaderRequestIdentifier: "r3"}, mallory)
	require.Equal(t, http.StatusForbidden, w.Code)

	// Two entries on one host (two nodes on one machine): the callback's port chooses.
	ctx := context.Background()
	require.NoError(t, f.st.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateCounterparty(ctx, &counterparty.Counterparty{ID: "c3", VASPID: "v1", Name: "Gamma two", Standing: counterparty.StandingAllowed,
			Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: "https://127.0.0.1:7443/trp/v/x"}}, CreatedAt: t0, UpdatedAt: t0})
	}))
	for port, want := range map[string]string{"9443": "c2", "7443": "c3"} {
		cb := "https://127.0.0.1:" + port + "/trp/v/g/transfers/r/resolve"
		w = f.post(t, InquiryPath("v1", ""), inquiryBody(`{"slip0044":"ETH"}`, `1`, cb), map[string]string{HeaderRequestIdentifier: "r-" + port}, gamma)
		require.Equal(t, 200, w.Code, w.Body.String())
		require.Equal(t, want, f.rec.last(t).CounterpartyID)
	}
	cb := "https://127.0.0.1:1/trp/v/g/transfers/r/resolve"
	w = f.post(t, InquiryPath("v1", ""), inquiryBody(`{"slip0044":"ETH"}`, `1`, cb), map[string]string{HeaderRequestIdentifier: "r-amb"}, gamma)
	require.Equal(t, http.StatusForbidden, w.Code, "several entries and no callback to choose")
	require.Contains(t, w.Body.String(), "several")

	// A wildcard certificate vouches for the hosts one label under it.
	require.NoError(t, f.st.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateCounterparty(ctx, &counterparty.Counterparty{ID: "c4", VASPID: "v1", Name: "Wild", Standing: counterparty.StandingAllowed,
			Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: "https://trp.wild.example/trp/v/x"}}, CreatedAt: t0, UpdatedAt: t0})
	}))
	_, wild, err := pki.TestSet([]string{"*.wild.example"}, []string{"*.other.example"})
	require.NoError(t, err)
	w = f.post(t, InquiryPath("v1", ""), body, map[string]string{HeaderRequestIdentifier: "r-wild"}, wild[0].Cert)
	require.Equal(t, 200, w.Code, w.Body.String())
	require.Equal(t, "c4", f.rec.last(t).CounterpartyID)
	w = f.post(t, InquiryPath("v1", ""), body, map[string]string{HeaderRequestIdentifier: "r-other"}, wild[1].Cert)
	require.Equal(t, http.StatusForbidden, w.Code)
}

// addTransfer stores a transfer of v1 with c1 over TRP.
func (f *fixture) addTransfer(t *testing.T, msgID string, dir transfer.Direction, status transfer.Status) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, f.st.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateTransfer(ctx, &store.Transfer{Transfer: transfer.Transfer{ID: "t-" + msgID, VASPID: "v1", MessageID: msgID,
			Direction: dir, Status: status, Route: transfer.RouteTRP, Initiator: transfer.InitiatorOriginator, CounterpartyID: "c1",
			Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"}, Amount: decimal.NewFromInt(1), DestinationAddress: "0xde709f2102306220921060314715629080e2fb77",
			CreatedAt: t0, UpdatedAt: t0, Version: 1}})
	}))
}

func TestResolveCallback(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.addTransfer(t, "m1", transfer.Outgoing, transfer.StatusSent)
	f.addTransfer(t, "m2", transfer.Incoming, transfer.StatusSent)
	hdr := map[string]string{HeaderRequestIdentifier: "m1"}
	path := ResolvePath("v1", "m1")

	w := f.post(t, path, `{"approved":{"address":"0xdeposit","callback":"https://alpha.example:8443/confirm/m1"}}`, hdr, nil)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	in := f.rec.last(t)
	require.Equal(t, "c1", in.CounterpartyID)
	require.Equal(t, route.Message{ID: "m1/resolve/approved", TransferMessageID: "m1", Kind: route.KindDecision,
		Decision: route.DecisionAccept, DepositAddress: "0xdeposit", SentAt: t0}, in.Message)
	st, err := f.st.Read().GetTRPTransfer(context.Background(), "v1", "m1")
	require.NoError(t, err)
	require.Equal(t, "https://alpha.example:8443/confirm/m1", st.PeerCallback)
	require.Equal(t, store.TRPRoleOriginator, st.Role)

	w = f.post(t, path, `{"rejected":"address_not_controlled: not ours"}`, hdr, nil)
	require.Equal(t, http.StatusNoContent, w.Code)
	require.Equal(t, route.KindAddressConfirmation, f.rec.last(t).Message.Kind)
	require.Equal(t, "m1/resolve/rejected", f.rec.last(t).Message.ID)

	n := f.rec.count()
	w = f.post(t, path, `{"version":"3.1.0"}`, hdr, nil)
	require.Equal(t, http.StatusNoContent, w.Code)
	require.Equal(t, n, f.rec.count(), "an acknowledgement changes nothing")

	// A transfer we ended takes the peer's late answer quietly.
	f.rec.set(&transfer.TransitionError{From: transfer.StatusCancelled, Event: transfer.EventAccept})
	w = f.post(t, path, `{"rejected":"declined: late"}`, hdr, nil)
	require.Equal(t, http.StatusNoContent, w.Code)
	f.rec.set(&transfer.TransitionError{From: transfer.StatusACK, Event: transfer.EventTxHash})
	w = f.post(t, path, `{"rejected":"declined: odd"}`, hdr, nil)
	require.Equal(t, http.StatusConflict, w.Code)
	f.rec.set(nil)

	for _, tc := range []struct {
		name, path, body string
		hdr              map[string]string
		status           int
	}{
		{"request-identifier differs", path, `{"version":"3.1.0"}`, map[string]string{HeaderRequestIdentifier: "m9"}, 400},
		{"unknown transfer", ResolvePath("v1", "m9"), `{"version":"3.1.0"}`, map[string]string{HeaderRequestIdentifier: "m9"}, 404},
		{"our own inquiry's direction only", ResolvePath("v1", "m2"), `{"version":"3.1.0"}`, map[string]string{HeaderRequestIdentifier: "m2"}, 404},
		{"ambiguous", path, `{"version":"3.1.0","rejected":"x"}`, hdr, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.post(t, tc.path, tc.body, tc.hdr, nil)
			require.Equal(t, tc.status, w.Code, w.Body.String())
		})
	}
}

func TestResolveFromTheWrongPeer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	f.addTransfer(t, "m1", transfer.Outgoing, transfer.StatusSent)
	_, leaves, err := pki.TestSet([]string{"alpha.example"}, []string{"mallory.example"})
	require.NoError(t, err)
	hdr := map[string]string{HeaderRequestIdentifier: "m1"}
	w := f.post(t, ResolvePath("v1", "m1"), `{"rejected":"declined"}`, hdr, leaves[1].Cert)
	require.Equal(t, http.StatusForbidden, w.Code)
	require.Zero(t, f.rec.count())
	w = f.post(t, ResolvePath("v1", "m1"), `{"rejected":"declined"}`, hdr, leaves[0].Cert)
	require.Equal(t, http.StatusNoContent, w.Code)
}

func TestPendingCancelLeavesWithTheApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.addTransfer(t, "m1", transfer.Outgoing, transfer.StatusCancelled)
	ctx := context.Background()
	require.NoError(t, f.st.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateTRPTransfer(ctx, &store.TRPTransfer{VASPID: "v1", MessageID: "m1", Role: store.TRPRoleOriginator, CounterpartyID: "c1",
			PendingCancel: "cancelled: customer withdrew", CreatedAt: t0, UpdatedAt: t0})
	}))
	f.rec.set(&transfer.TransitionError{From: transfer.StatusCancelled, Event: transfer.EventAccept})
	w := f.post(t, ResolvePath("v1", "m1"), `{"approved":{"address":"0xdeposit","callback":"https://alpha.example:8443/confirm/m1"}}`,
		map[string]string{HeaderRequestIdentifier: "m1"}, nil)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	counts, err := f.st.Read().CountJobs(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, counts[JobCancel], "the cancel goes out by job")
}

func TestConfirmCallback(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.addTransfer(t, "m2", transfer.Incoming, transfer.StatusAccepted)
	f.addTransfer(t, "m1", transfer.Outgoing, transfer.StatusAccepted)
	hdr := map[string]string{HeaderRequestIdentifier: "m2"}
	w := f.post(t, ConfirmPath("v1", "m2"), `{"txid":"0xabc"}`, hdr, nil)
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	require.Equal(t, route.Message{ID: "m2/confirm/txid", TransferMessageID: "m2", Kind: route.KindTxHash, TxHash: "0xabc", SentAt: t0}, f.rec.last(t).Message)
	w = f.post(t, ConfirmPath("v1", "m2"), `{"canceled":"customer changed their mind"}`, hdr, nil)
	require.Equal(t, http.StatusNoContent, w.Code)
	require.Equal(t, route.KindCancel, f.rec.last(t).Message.Kind)
	require.Equal(t, "customer changed their mind", f.rec.last(t).Message.Reason)
	w = f.post(t, ConfirmPath("v1", "m1"), `{"txid":"0xabc"}`, map[string]string{HeaderRequestIdentifier: "m1"}, nil)
	require.Equal(t, http.StatusNotFound, w.Code, "confirmations are for transfers we received")
	w = f.post(t, ConfirmPath("v1", "m2"), `{}`, hdr, nil)
	require.Equal(t, http.StatusBadRequest, w.Code)
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	_, leaves, err := pki.TestSet([]string{"beta.example"})
	require.NoError(t, err)
	f.svc.cert = leaves[0].Cert
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		f.mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, APIVersion, w.Header().Get(HeaderAPIVersion), path)
		return w
	}
	for _, prefix := range []string{"", PathPrefix} {
		w := get(prefix + "/version")
		require.JSONEq(t, `{"version":"3.1.0","vendor":"waybill"}`, w.Body.String())
		w = get(prefix + "/uptime")
		require.Equal(t, "0", w.Body.String())
		require.Contains(t, w.Header().Get("Content-Type"), "text/plain")
		w = get(prefix + "/extensions")
		require.JSONEq(t, `{"required":[],"supported":["discoverability"]}`, w.Body.String())
		w = get(prefix + "/identity")
		var id identity
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &id))
		require.Equal(t, "Beta Exchange SAS", id.Name, "the one hosted VASP")
		require.Equal(t, "5493001KJTIIGC8Y1R12", id.LEI)
		parsed, err := pki.ParsePool([]byte(id.X509))
		require.NoError(t, err)
		require.NotNil(t, parsed)
	}
	w := get(PathPrefix + "/v/v1/identity")
	require.Contains(t, w.Body.String(), "Beta Exchange SAS")
	w = get(PathPrefix + "/v/v9/identity")
	require.Equal(t, http.StatusNotFound, w.Code)
	body, _ := io.ReadAll(w.Body)
	require.NotEmpty(t, body)
}

func TestTravelAddresses(t *testing.T) {
	t.Parallel()
	s, err := New(Config{Store: storetest.OpenSQLite(t), Receiver: &recorder{}})
	require.NoError(t, err)
	require.Empty(t, s.TravelAddress("v1", ""), "unknown until the listener binds")
	s.SetBaseURL("https://trp.beta.example:8443/")
	ta := s.TravelAddress("v1", "")
	u, form, err := ParseAddress(ta)
	require.NoError(t, err)
	require.Equal(t, FormTravelAddress, form)
	require.Equal(t, "https://trp.beta.example:8443/trp/v/v1?t=i", u.String())
	u, _, err = ParseAddress(s.TravelAddress("v1", "w1"))
	require.NoError(t, err)
	require.Equal(t, "https://trp.beta.example:8443/trp/v/v1/w/w1?t=i", u.String())
}
