package trisa_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/route/trisa"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// TestLifecycle: a withdrawal from Alpha (node A) to an address in Beta's book (node B)
// reaches COMPLETED on both sides over TRISA; both keep the exchange's envelopes sealed, with
// byte-identical ciphertexts and HMACs.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	drivers(t, func(t *testing.T, pg bool) {
		p := newPair(t, pairOptions{postgres: pg})
		ctx := context.Background()
		out, _, err := p.a.engine.Create(ctx, p.api, p.a.vasp.ID, p.withdrawal(t, "wd-1", betaETH))
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSent, out.Status, out.StatusReason)
		require.Equal(t, transfer.RouteTRISA, out.Route)

		// Beta: received, the address is in its book (ACK), held for review.
		in := p.b.wait(out.MessageID, transfer.StatusACK)
		require.Equal(t, transfer.Incoming, in.Direction)
		require.Equal(t, transfer.RouteTRISA, in.Route)
		require.Equal(t, p.b.peer.ID, in.CounterpartyID, "the sender is Beta's directory entry of Alpha, by certificate")
		full, err := p.b.engine.Get(ctx, p.b.vasp.ID, in.ID)
		require.NoError(t, err)
		require.Equal(t, "1.5", full.Amount.String())
		require.Equal(t, transfer.Asset{Network: "ethereum", Symbol: "ETH"}, full.Asset)
		require.Equal(t, alphaETH, full.OriginAddress)
		require.NotNil(t, full.Originator)
		require.Equal(t, originatorName, full.Originator.Persons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())
		p.a.wait(out.MessageID, transfer.StatusACK)

		_, err = p.b.engine.Accept(ctx, p.api, p.b.vasp.ID, in.ID, engine.AcceptInput{})
		require.NoError(t, err)
		p.a.wait(out.MessageID, transfer.StatusAccepted)
		_, err = p.a.engine.TxHash(ctx, p.api, p.a.vasp.ID, out.ID, "0xabc1230000000000000000000000000000000000000000000000000000000001")
		require.NoError(t, err)
		p.a.wait(out.MessageID, transfer.StatusCompleted)
		done := p.b.wait(out.MessageID, transfer.StatusCompleted)
		require.Equal(t, "0xabc1230000000000000000000000000000000000000000000000000000000001", done.TxHash)

		// The envelopes: STARTED and its PENDING reply, our PENDING (address), ACCEPTED and
		// COMPLETED with their echoes, on both sides.
		var ha, hb []trisa.Envelope
		poll(t, func() bool {
			ha, hb = p.a.history(t, out.ID), p.b.history(t, in.ID)
			return len(ha) == 8 && len(hb) == 8
		}, func() string { return "both nodes to keep the eight envelopes" })
		states := func(h []trisa.Envelope) []string {
			var s []string
			for _, e := range h {
				s = append(s, e.Message.Direction+" "+e.Envelope.TransferState.String())
			}
			return s
		}
		require.ElementsMatch(t, []string{"out STARTED", "in PENDING", "in PENDING", "out PENDING", "in ACCEPTED", "out ACCEPTED",
			"out COMPLETED", "in COMPLETED"}, states(ha))
		require.ElementsMatch(t, []string{"in STARTED", "out PENDING", "out PENDING", "in PENDING", "out ACCEPTED", "in ACCEPTED",
			"in COMPLETED", "out COMPLETED"}, states(hb))
		var started [2]*api.SecureEnvelope
		for i, h := range [][]trisa.Envelope{ha, hb} {
			for _, e := range h {
				require.NotNil(t, e.Payload, "every envelope of this exchange carries a payload")
				if e.Envelope.TransferState == api.TransferStarted {
					started[i] = e.Envelope
				}
			}
		}
		require.Equal(t, started[0].Payload, started[1].Payload, "both sides hold the same ciphertext")
		require.Equal(t, started[0].Hmac, started[1].Hmac, "and the same HMAC")

		// At rest nothing is in clear.
		for _, n := range []*node{p.a, p.b} {
			id := out.ID
			if n == p.b {
				id = in.ID
			}
			rows, err := n.store.Read().ListMessages(ctx, n.vasp.ID, id)
			require.NoError(t, err)
			require.NotEmpty(t, rows)
			for _, r := range rows {
				require.Equal(t, "trisa", r.Route)
				require.NotEmpty(t, r.Sealed)
				for _, pii := range []string{originatorName, beneficiaryName, "Friedrichstraße", "L01X00T47"} {
					require.False(t, bytes.Contains(r.Sealed, []byte(pii)), "%s at rest", pii)
				}
			}
		}
	})
}

// received is a withdrawal Beta holds in ACK, and Alpha's record of it.
func received(t *testing.T, p *pair, ref string) (out, in *store.Transfer) {
	t.Helper()
	o, _, err := p.a.engine.Create(context.Background(), p.api, p.a.vasp.ID, p.withdrawal(t, ref, betaETH))
	require.NoError(t, err)
	in = p.b.wait(o.MessageID, transfer.StatusACK)
	out = p.a.wait(o.MessageID, transfer.StatusACK)
	return out, in
}

// TestAnswers: decline, address refusal, cancel after acceptance, and not-ready then
// acceptance reach the other side over TRISA with their reasons.
func TestAnswers(t *testing.T) {
	t.Parallel()
	drivers(t, func(t *testing.T, pg bool) {
		p := newPair(t, pairOptions{postgres: pg})
		ctx := context.Background()

		t.Run("decline", func(t *testing.T) {
			out, in := received(t, p, "decline-1")
			_, err := p.b.engine.Decline(ctx, p.api, p.b.vasp.ID, in.ID, "sanctions_screening: review failed")
			require.NoError(t, err)
			got := p.a.wait(out.MessageID, transfer.StatusDeclined)
			require.Contains(t, got.StatusReason, "sanctions_screening: review failed")
		})

		t.Run("reject address", func(t *testing.T) {
			o, _, err := p.a.engine.Create(ctx, p.api, p.a.vasp.ID, p.withdrawal(t, "reject-1", otherETH))
			require.NoError(t, err)
			in := p.b.wait(o.MessageID, transfer.StatusSent) // not in Beta's book: Beta must say
			_, err = p.b.engine.Reject(ctx, p.api, p.b.vasp.ID, in.ID, "")
			require.NoError(t, err)
			got := p.a.wait(o.MessageID, transfer.StatusRejected)
			require.Contains(t, got.StatusReason, "address_not_controlled")
		})

		t.Run("confirm an address not in the book", func(t *testing.T) {
			o, _, err := p.a.engine.Create(ctx, p.api, p.a.vasp.ID, p.withdrawal(t, "confirm-1", otherETH))
			require.NoError(t, err)
			in := p.b.wait(o.MessageID, transfer.StatusSent)
			_, err = p.b.engine.Confirm(ctx, p.api, p.b.vasp.ID, in.ID)
			require.NoError(t, err)
			p.a.wait(o.MessageID, transfer.StatusACK)
		})

		t.Run("cancel after accept", func(t *testing.T) {
			out, in := received(t, p, "cancel-1")
			_, err := p.b.engine.Accept(ctx, p.api, p.b.vasp.ID, in.ID, engine.AcceptInput{})
			require.NoError(t, err)
			p.a.wait(out.MessageID, transfer.StatusAccepted)
			_, err = p.a.engine.Cancel(ctx, p.api, p.a.vasp.ID, out.ID, "end_travel_rule: customer withdrew the request")
			require.NoError(t, err)
			got := p.b.wait(out.MessageID, transfer.StatusCancelled)
			require.Contains(t, got.StatusReason, "end_travel_rule")
		})

		t.Run("cancel before an answer", func(t *testing.T) {
			o, _, err := p.a.engine.Create(ctx, p.api, p.a.vasp.ID, p.withdrawal(t, "cancel-2", otherETH))
			require.NoError(t, err)
			p.b.wait(o.MessageID, transfer.StatusSent)
			_, err = p.a.engine.Cancel(ctx, p.api, p.a.vasp.ID, o.ID, "")
			require.NoError(t, err)
			p.b.wait(o.MessageID, transfer.StatusCancelled)
		})

		t.Run("not ready then accept", func(t *testing.T) {
			out, in := received(t, p, "notready-1")
			_, err := p.b.engine.NotReady(ctx, p.api, p.b.vasp.ID, in.ID, "awaiting_kyc: customer verification pending")
			require.NoError(t, err)
			got := p.a.wait(out.MessageID, transfer.StatusNotReady)
			require.Contains(t, got.StatusReason, "awaiting_kyc")
			_, err = p.b.engine.Accept(ctx, p.api, p.b.vasp.ID, in.ID, engine.AcceptInput{DepositAddress: otherETH})
			require.NoError(t, err)
			p.a.wait(out.MessageID, transfer.StatusAccepted)
		})

		t.Run("expiry", func(t *testing.T) {
			o, _, err := p.a.engine.Create(ctx, p.api, p.a.vasp.ID, p.withdrawal(t, "expire-1", otherETH))
			require.NoError(t, err)
			p.b.wait(o.MessageID, transfer.StatusSent)
			rec := p.a.wait(o.MessageID, transfer.StatusSent)
			require.NotNil(t, rec.ExpiresAt)
			p.clock.Advance(rec.ExpiresAt.Sub(p.clock.Now()) + time.Second)
			p.a.kick()
			p.a.wait(o.MessageID, transfer.StatusCancelled)
			got := p.b.wait(o.MessageID, transfer.StatusCancelled)
			require.Contains(t, got.StatusReason, "expired")
		})
	})
}

// TestPostTransactionRequest: a deposit nobody announced reaches Beta; Beta asks Alpha over
// TRISA for the originator (a beneficiary-initiated exchange); Alpha's book holds the origin
// address, Alpha answers with its customer's identity, and both records complete.
func TestPostTransactionRequest(t *testing.T) {
	t.Parallel()
	drivers(t, func(t *testing.T, pg bool) {
		p := newPair(t, pairOptions{postgres: pg})
		ctx := context.Background()
		const hash = "0x3333000000000000000000000000000000000000000000000000000000000003"
		dep, _, err := p.b.engine.NotifyDeposit(ctx, p.api, p.b.vasp.ID, engine.DepositInput{TxHash: hash,
			Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"}, Amount: decimal.RequireFromString("2"),
			DestinationAddress: betaETH, OriginAddress: alphaETH})
		require.NoError(t, err)
		inc, err := p.b.engine.Get(ctx, p.b.vasp.ID, dep.TransferID)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusIncomplete, inc.Status)
		cpID := p.b.peer.ID
		_, err = p.b.engine.Update(ctx, p.api, p.b.vasp.ID, inc.ID, engine.UpdateInput{Beneficiary: beneficiary(t), CounterpartyID: &cpID})
		require.NoError(t, err)
		sent, err := p.b.engine.Request(ctx, p.api, p.b.vasp.ID, inc.ID)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSent, sent.Status, sent.StatusReason)
		require.Equal(t, transfer.RouteTRISA, sent.Route)

		req := p.a.wait(inc.MessageID, transfer.StatusACK)
		require.Equal(t, transfer.Outgoing, req.Direction)
		require.Equal(t, transfer.InitiatorBeneficiary, req.Initiator)
		require.Equal(t, hash, req.TxHash)
		_, err = p.a.engine.Accept(ctx, p.api, p.a.vasp.ID, req.ID, engine.AcceptInput{Originator: originator(t)})
		require.NoError(t, err)
		p.a.wait(inc.MessageID, transfer.StatusCompleted)
		p.b.wait(inc.MessageID, transfer.StatusCompleted)
		done, err := p.b.engine.Get(ctx, p.b.vasp.ID, inc.ID)
		require.NoError(t, err)
		require.NotNil(t, done.Originator, "the request's answer carries the originator")
		require.Equal(t, originatorName, done.Originator.Persons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())
	})
}

// TestReceiverDown: while node B is down, node A's messages wait in its queue; when B is back
// everything is delivered, once.
func TestReceiverDown(t *testing.T) {
	t.Parallel()
	drivers(t, func(t *testing.T, pg bool) {
		p := newPair(t, pairOptions{postgres: pg})
		ctx := context.Background()
		out, in := received(t, p, "down-1")
		_, err := p.b.engine.Accept(ctx, p.api, p.b.vasp.ID, in.ID, engine.AcceptInput{})
		require.NoError(t, err)
		p.a.wait(out.MessageID, transfer.StatusAccepted)

		p.b.stop()
		o2, _, err := p.a.engine.Create(ctx, p.api, p.a.vasp.ID, p.withdrawal(t, "down-2", betaETH))
		require.NoError(t, err)
		_, err = p.a.engine.TxHash(ctx, p.api, p.a.vasp.ID, out.ID, "0xdd00000000000000000000000000000000000000000000000000000000000001")
		require.NoError(t, err)
		// Both sends fail and wait for their next attempt.
		poll(t, func() bool { return sendsWaiting(t, p.a) }, func() string { return "node A to fail both sends" })

		p.b.restart()
		eventually(t, p, func() bool {
			a, err := p.b.store.Read().GetTransferByMessageID(ctx, p.b.vasp.ID, out.MessageID)
			if err != nil || a.Status != transfer.StatusCompleted {
				return false
			}
			b, err := p.a.store.Read().GetTransferByMessageID(ctx, p.a.vasp.ID, o2.MessageID)
			return err == nil && b.Status == transfer.StatusACK
		}, "node B to get both messages")
		p.b.wait(o2.MessageID, transfer.StatusACK)

		// Once: one record, one receipt in its audit trail, one STARTED envelope kept.
		list, err := p.b.store.Read().ListTransfers(ctx, store.TransferFilter{VASPID: p.b.vasp.ID, Query: o2.MessageID, Limit: 10})
		require.NoError(t, err)
		require.Len(t, list, 1)
		events, err := p.b.store.Read().ListAudit(ctx, p.b.vasp.ID, list[0].ID, 100)
		require.NoError(t, err)
		created := 0
		for _, e := range events {
			if e.Type == "transfer.created" {
				created++
			}
		}
		require.Equal(t, 1, created)
		startedIn := 0
		for _, e := range p.b.history(t, list[0].ID) {
			if e.Envelope.TransferState == api.TransferStarted {
				startedIn++
			}
		}
		require.Equal(t, 1, startedIn)
	})
}

// sendsWaiting reports whether every message node n has to send failed and waits for a
// later attempt.
func sendsWaiting(t testing.TB, n *node) bool {
	t.Helper()
	at, err := n.store.Read().NextJobAt(context.Background(), []string{engine.JobSend})
	require.NoError(t, err)
	return !at.IsZero() && at.After(n.clock.Now())
}

// eventually moves the clock a minute at a time, waking both job runners, until cond holds:
// retries wait for the back-off on the nodes' clock.
func eventually(t testing.TB, p *pair, cond func() bool, what string) {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
			p.clock.Advance(time.Minute)
			p.a.kick()
			p.b.kick()
		}
	}
}

// TestClientCalls: ConfirmAddress and Status from one node to the other.
func TestClientCalls(t *testing.T) {
	t.Parallel()
	p := newPair(t, pairOptions{})
	ctx := context.Background()
	ok, err := p.a.route.ConfirmAddress(ctx, p.a.peer, "ethereum", betaETH, "")
	require.NoError(t, err)
	require.True(t, ok, "B's book holds it")
	ok, err = p.a.route.ConfirmAddress(ctx, p.a.peer, "ethereum", otherETH, "")
	require.NoError(t, err)
	require.False(t, ok)
	st, err := p.a.route.Status(ctx, p.a.peer)
	require.NoError(t, err)
	require.Equal(t, api.ServiceStatusHealthy, st.Status)
	_, err = p.a.route.Status(ctx, &counterparty.Counterparty{})
	require.Error(t, err)
}
