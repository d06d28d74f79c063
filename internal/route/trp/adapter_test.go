package trp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// peer is a counterparty's TRP server: it records what it got and answers with reply.
type peer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []*http.Request
	bodies []string
	status int
	reply  string
}

func newPeer(t *testing.T) *peer {
	p := &peer{status: 200, reply: `{"version":"3.1.0"}`}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.got, p.bodies = append(p.got, r), append(p.bodies, string(b))
		status, reply := p.status, p.reply
		p.mu.Unlock()
		if status == 204 {
			w.WriteHeader(204)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *peer) answer(status int, reply string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status, p.reply = status, reply
}

func (p *peer) last(t *testing.T) (*http.Request, string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	require.NotEmpty(t, p.got, "the peer got nothing")
	return p.got[len(p.got)-1], p.bodies[len(p.bodies)-1]
}

func (p *peer) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.got)
}

// sendFixture is a fixture whose counterparty c1 is the peer server.
func sendFixture(t *testing.T) (*fixture, *peer, *counterparty.Counterparty) {
	f := newFixture(t, false)
	p := newPeer(t)
	cp := &counterparty.Counterparty{ID: "c1", VASPID: "v1", Name: "Alpha", Standing: counterparty.StandingAllowed,
		Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: p.srv.URL + "/trp/v/a?t=i", AllowPrivate: true}}}
	return f, p, cp
}

func inquiryOut(t *testing.T, cp *counterparty.Counterparty, asset transfer.Asset) *route.Outbound {
	orig, err := ivms.DecodeOriginator([]byte(originatorJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	return &route.Outbound{VASPID: "v1", TransferID: "t-m1", Counterparty: cp, Message: route.Message{ID: "x", TransferMessageID: "m1",
		Kind: route.KindInquiry, Transaction: &route.Transaction{Asset: asset, Amount: decimal.RequireFromString("1.5"),
			DestinationAddress: "0xde709f2102306220921060314715629080e2fb77"}, Originator: orig,
		OriginatingVASP: &transfer.VASPRef{Name: "Beta Exchange SAS", Country: "FR"}, BeneficiaryVASP: &transfer.VASPRef{Name: "Alpha"}}}
}

func TestSendInquiry(t *testing.T) {
	t.Parallel()
	f, p, cp := sendFixture(t)
	f.addTransfer(t, "m1", transfer.Outgoing, transfer.StatusSent)
	require.NoError(t, f.svc.Send(context.Background(), inquiryOut(t, cp, transfer.Asset{Network: "ethereum", Symbol: "ETH"})))
	req, body := p.last(t)
	require.Equal(t, "/trp/v/a", req.URL.Path)
	require.Equal(t, "3.1.0", req.Header.Get(HeaderAPIVersion))
	require.Equal(t, "m1", req.Header.Get(HeaderRequestIdentifier))
	require.Equal(t, "application/json; charset=utf-8", req.Header.Get("Content-Type"))
	in, err := DecodeInquiry([]byte(body))
	require.NoError(t, err)
	require.Equal(t, Asset{SLIP44: 60, HasSLIP44: true}, in.Asset)
	require.Equal(t, "https://beta.example:8443"+ResolvePath("v1", "m1"), in.Callback)
	require.Equal(t, []string{"0xde709f2102306220921060314715629080e2fb77"}, in.Identity.Beneficiary.AccountNumbers, "the destination")
	require.Equal(t, "Beta Exchange SAS", in.Identity.OriginatingVASP.GetLegalPerson().GetName().GetNameIdentifiers()[0].GetLegalPersonName())
	require.Zero(t, f.rec.count(), "an acknowledgement is not a message")

	t.Run("the counterparty's api-version", func(t *testing.T) {
		cp2 := *cp
		cp2.Routes.TRP = &counterparty.TRP{URL: cp.Routes.TRP.URL, AllowPrivate: true, APIVersion: "3.2.1"}
		require.NoError(t, f.svc.Send(context.Background(), inquiryOut(t, &cp2, transfer.Asset{Network: "bitcoin", Symbol: "BTC"})))
		req, body := p.last(t)
		require.Equal(t, "3.2.1", req.Header.Get(HeaderAPIVersion))
		require.Contains(t, body, `"asset":{"slip0044":"BTC"}`)
	})
	t.Run("a token by its DTI", func(t *testing.T) {
		require.NoError(t, f.svc.Send(context.Background(), inquiryOut(t, cp, transfer.Asset{Network: "ethereum", Symbol: "USDC"})))
		_, body := p.last(t)
		require.Contains(t, body, `"asset":{"dti":"4H95J0R2X"}`)
	})
	t.Run("a token without a DTI cannot be named", func(t *testing.T) {
		err := f.svc.Send(context.Background(), inquiryOut(t, cp, transfer.Asset{Network: "ethereum", Symbol: "DAI"}))
		var perm *route.Permanent
		require.ErrorAs(t, err, &perm)
		require.Contains(t, err.Error(), "DTI")
	})
	t.Run("an approval in the response", func(t *testing.T) {
		p.answer(200, `{"approved":{"address":"0xdeposit","callback":"`+p.srv.URL+`/confirm/m1"}}`)
		defer p.answer(200, `{"version":"3.1.0"}`)
		require.NoError(t, f.svc.Send(context.Background(), inquiryOut(t, cp, transfer.Asset{Network: "ethereum", Symbol: "ETH"})))
		in := f.rec.last(t)
		require.Equal(t, route.DecisionAccept, in.Message.Decision)
		require.Equal(t, "0xdeposit", in.Message.DepositAddress)
		st, err := f.st.Read().GetTRPTransfer(context.Background(), "v1", "m1")
		require.NoError(t, err)
		require.Equal(t, p.srv.URL+"/confirm/m1", st.PeerCallback)
	})
}

func TestSendFailures(t *testing.T) {
	t.Parallel()
	f, p, cp := sendFixture(t)
	out := inquiryOut(t, cp, transfer.Asset{Network: "ethereum", Symbol: "ETH"})
	var perm *route.Permanent
	for _, tc := range []struct {
		status    int
		permanent bool
	}{{500, false}, {503, false}, {429, false}, {408, false}, {400, true}, {403, true}, {404, true}, {415, true}} {
		p.answer(tc.status, `{"error":"Mildred Tilcott is unknown"}`)
		err := f.svc.Send(context.Background(), out)
		require.Error(t, err, tc.status)
		require.Equal(t, tc.permanent, errors.As(err, &perm), "%d: %v", tc.status, err)
		require.NotContains(t, err.Error(), "Mildred", "a peer's error text is not repeated")
	}
	p.answer(200, `{"version":"3.1.0"}`)

	strict := *cp
	strict.Routes.TRP = &counterparty.TRP{URL: cp.Routes.TRP.URL}
	n := p.count()
	err := f.svc.Send(context.Background(), inquiryOut(t, &strict, transfer.Asset{Network: "ethereum", Symbol: "ETH"}))
	require.ErrorAs(t, err, &perm)
	require.ErrorIs(t, err, ErrPrivateAddress)
	require.Equal(t, n, p.count(), "nothing reached the loopback peer")

	for _, bad := range []*counterparty.Counterparty{nil, {ID: "c9"}, {ID: "c9", Routes: counterparty.Routes{TRP: &counterparty.TRP{TravelAddress: "tabad"}}}} {
		o := *out
		o.Counterparty = bad
		require.ErrorAs(t, f.svc.Send(context.Background(), &o), &perm)
	}
	down := *cp
	down.Routes.TRP = &counterparty.TRP{URL: "http://127.0.0.1:1/trp", AllowPrivate: true}
	err = f.svc.Send(context.Background(), inquiryOut(t, &down, transfer.Asset{Network: "ethereum", Symbol: "ETH"}))
	require.Error(t, err)
	require.False(t, errors.As(err, &perm), "a peer that is down is retried")

	req := *out
	req.Message.Kind = route.KindRequest
	require.ErrorAs(t, f.svc.Send(context.Background(), &req), &perm, "TRP has no post-transaction request")
}

// TestSendAnswers covers the beneficiary's messages (to the inquiry's callback) and the
// originator's after approval (to the approval's callback).
func TestSendAnswers(t *testing.T) {
	t.Parallel()
	f, p, cp := sendFixture(t)
	ctx := context.Background()
	f.addTransfer(t, "in1", transfer.Incoming, transfer.StatusACK)
	f.addTransfer(t, "out1", transfer.Outgoing, transfer.StatusAccepted)
	f.addTransfer(t, "out2", transfer.Outgoing, transfer.StatusSent)
	require.NoError(t, f.st.InTx(ctx, func(tx store.Tx) error {
		for _, st := range []*store.TRPTransfer{
			{VASPID: "v1", MessageID: "in1", Role: store.TRPRoleBeneficiary, CounterpartyID: "c1", PeerCallback: p.srv.URL + "/resolve/in1"},
			{VASPID: "v1", MessageID: "out1", Role: store.TRPRoleOriginator, CounterpartyID: "c1", PeerCallback: p.srv.URL + "/confirm/out1"},
		} {
			st.CreatedAt, st.UpdatedAt = t0, t0
			if err := tx.CreateTRPTransfer(ctx, st); err != nil {
				return err
			}
		}
		return nil
	}))
	p.answer(204, "")
	send := func(transferID, msgID string, m route.Message) error {
		m.TransferMessageID = msgID
		return f.svc.Send(ctx, &route.Outbound{VASPID: "v1", TransferID: transferID, Counterparty: cp, Message: m})
	}
	for _, tc := range []struct {
		name       string
		transfer   string
		msg        string
		m          route.Message
		path, body string
	}{
		{"approval", "t-in1", "in1", route.Message{Kind: route.KindDecision, Decision: route.DecisionAccept}, "/resolve/in1",
			`{"approved":{"address":"0xde709f2102306220921060314715629080e2fb77","callback":"https://beta.example:8443/trp/v/v1/transfers/in1/confirm"}}`},
		{"approval to a deposit address", "t-in1", "in1", route.Message{Kind: route.KindDecision, Decision: route.DecisionAccept, DepositAddress: "0xother"},
			"/resolve/in1", `{"approved":{"address":"0xother","callback":"https://beta.example:8443/trp/v/v1/transfers/in1/confirm"}}`},
		{"decline", "t-in1", "in1", route.Message{Kind: route.KindDecision, Decision: route.DecisionDecline, Reason: "declined: policy"}, "/resolve/in1",
			`{"rejected":"declined: policy"}`},
		{"address rejected", "t-in1", "in1", route.Message{Kind: route.KindAddressConfirmation, Reason: "address_not_controlled: not ours"}, "/resolve/in1",
			`{"rejected":"address_not_controlled: not ours"}`},
		{"cancel by the beneficiary", "t-in1", "in1", route.Message{Kind: route.KindCancel, Reason: "expired: no answer"}, "/resolve/in1",
			`{"rejected":"cancelled: expired: no answer"}`},
		{"tx hash", "t-out1", "out1", route.Message{Kind: route.KindTxHash, TxHash: "0xabc"}, "/confirm/out1", `{"txid":"0xabc"}`},
		{"cancel by the originator", "t-out1", "out1", route.Message{Kind: route.KindCancel, Reason: "customer withdrew"}, "/confirm/out1",
			`{"canceled":"cancelled: customer withdrew"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, send(tc.transfer, tc.msg, tc.m))
			req, body := p.last(t)
			require.Equal(t, tc.path, req.URL.Path)
			require.Equal(t, tc.msg, req.Header.Get(HeaderRequestIdentifier))
			require.JSONEq(t, tc.body, body)
		})
	}
	t.Run("nothing to send", func(t *testing.T) {
		n := p.count()
		require.NoError(t, send("t-in1", "in1", route.Message{Kind: route.KindDecision, Decision: route.DecisionNotReady}))
		require.NoError(t, send("t-in1", "in1", route.Message{Kind: route.KindAddressConfirmation, Confirmed: true}))
		require.Equal(t, n, p.count(), "TRP has no not-ready and no address step")
	})
	t.Run("a cancel before the approval waits", func(t *testing.T) {
		n := p.count()
		require.NoError(t, send("t-out2", "out2", route.Message{Kind: route.KindCancel, Reason: "customer withdrew"}))
		require.Equal(t, n, p.count())
		st, err := f.st.Read().GetTRPTransfer(ctx, "v1", "out2")
		require.NoError(t, err)
		require.Equal(t, "cancelled: customer withdrew", st.PendingCancel)
		// The approval names a callback: the job delivers the cancel and clears it (reading the
		// counterparty from the directory).
		st.PeerCallback = p.srv.URL + "/confirm/out2"
		require.NoError(t, f.st.InTx(ctx, func(tx store.Tx) error {
			stored := *cp
			stored.CreatedAt, stored.UpdatedAt = t0, t0
			if err := tx.UpdateCounterparty(ctx, &stored); err != nil {
				return err
			}
			return tx.UpdateTRPTransfer(ctx, st)
		}))
		payload, _ := json.Marshal(cancelPayload{VASPID: "v1", MessageID: "out2"})
		finish, err := f.svc.cancelJob(ctx, &store.Job{Kind: JobCancel, Payload: payload})
		require.NoError(t, err)
		req, body := p.last(t)
		require.Equal(t, "/confirm/out2", req.URL.Path)
		require.JSONEq(t, `{"canceled":"cancelled: customer withdrew"}`, body)
		require.NoError(t, f.st.InTx(ctx, func(tx store.Tx) error { return finish(ctx, tx) }))
		st, err = f.st.Read().GetTRPTransfer(ctx, "v1", "out2")
		require.NoError(t, err)
		require.Empty(t, st.PendingCancel)
	})
	t.Run("no state, no callback", func(t *testing.T) {
		var perm *route.Permanent
		f.addTransfer(t, "in9", transfer.Incoming, transfer.StatusACK)
		f.addTransfer(t, "out9", transfer.Outgoing, transfer.StatusAccepted)
		require.ErrorAs(t, send("t-in9", "in9", route.Message{Kind: route.KindDecision, Decision: route.DecisionAccept}), &perm)
		require.ErrorAs(t, send("t-out9", "out9", route.Message{Kind: route.KindTxHash, TxHash: "0x1"}), &perm)
		require.NoError(t, f.st.InTx(ctx, func(tx store.Tx) error {
			return tx.CreateTRPTransfer(ctx, &store.TRPTransfer{VASPID: "v1", MessageID: "out9", Role: store.TRPRoleOriginator, CounterpartyID: "c1", CreatedAt: t0, UpdatedAt: t0})
		}))
		require.ErrorAs(t, send("t-out9", "out9", route.Message{Kind: route.KindTxHash, TxHash: "0x1"}), &perm, "no approval, no confirmation callback")
	})
}

func TestInternalAddresses(t *testing.T) {
	t.Parallel()
	for addr, internal := range map[string]bool{
		"127.0.0.1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true, "169.254.169.254": true, "100.64.0.1": true,
		"0.0.0.0": true, "255.255.255.255": true, "224.0.0.1": true, "::1": true, "fe80::1": true, "fc00::1": true, "::ffff:127.0.0.1": true,
		"::ffff:10.0.0.1": true, "64:ff9b::a00:1": true, "2002:a00:1::": true, "192.0.2.10": true, "198.18.0.1": true,
		"8.8.8.8": false, "1.1.1.1": false, "2606:4700:4700::1111": false, "::ffff:8.8.8.8": false, "93.184.216.34": false,
	} {
		require.Equal(t, internal, Internal(netip.MustParseAddr(addr)), addr)
	}
}

// tableResolver answers lookups from a table (a name that points at loopback, say).
type tableResolver map[string][]string

func (r tableResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	var out []net.IPAddr
	for _, s := range r[host] {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return out, nil
}

func TestGuardedDialer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	r := tableResolver{"rebound.example": {"8.8.8.8", "127.0.0.1"}, "inside.example": {"127.0.0.1"}}
	ctx := context.Background()
	for _, tc := range []struct {
		host  string
		allow bool
		ok    bool
	}{
		{"127.0.0.1", false, false},
		{"inside.example", false, false},
		{"127.0.0.1", true, true},
		{"inside.example", true, true},
	} {
		c, err := newGuardedDialer(tc.allow, r).DialContext(ctx, "tcp", net.JoinHostPort(tc.host, port))
		if tc.ok {
			require.NoError(t, err, tc.host)
			_ = c.Close()
			continue
		}
		require.ErrorIs(t, err, ErrPrivateAddress, tc.host)
	}
	// A name resolving to a public and an internal address never reaches the internal one.
	d := newGuardedDialer(false, r)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = d.DialContext(cctx, "tcp", net.JoinHostPort("rebound.example", port))
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrPrivateAddress, "the public address was tried (and the cancelled context stopped it)")
	_, err = d.DialContext(ctx, "tcp", "nowhere.example:443")
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "resolve"), err.Error())
}
