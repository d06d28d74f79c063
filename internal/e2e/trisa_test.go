package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/webhook"
)

// Two real nodes on 127.0.0.1 talking TRISA (gRPC, mutual TLS, sealed envelopes) and nothing
// else: node A's Alpha and node B's Beta, each in the other's directory as a static TRISA peer.

// overTRISA creates a withdrawal from A's Alpha to B's Beta and returns both records once B
// holds its own.
func overTRISA(t *testing.T, p *nodetest.Pair, ref, to string) (out, in *client.Transfer) {
	t.Helper()
	req := withdrawal(t, ref, to)
	req.BeneficiaryVASP = &engine.VASPInput{CounterpartyID: p.BetaEntry.ID}
	out, _, err := p.A.Alpha.Client.CreateTransfer(ctxT(t), req)
	require.NoError(t, err)
	require.Equal(t, transfer.RouteTRISA, out.Route)
	in = nodetest.WaitCounterpart(t, p.B.Beta.Client, out.MessageID)
	require.Equal(t, transfer.RouteTRISA, in.Route)
	require.Equal(t, transfer.Incoming, in.Direction)
	require.Equal(t, p.AlphaEntry.ID, in.CounterpartyID, "B knows who sent it from its certificate: its entry for A's Alpha")
	return out, in
}

func TestTRISA(t *testing.T) {
	t.Parallel()
	nodetest.EachTRISAPair(t, nodetest.PairOptions{}, func(t *testing.T, p *nodetest.Pair) {
		alpha, beta := p.A.Alpha.Client, p.B.Beta.Client

		t.Run("withdrawal completes", func(t *testing.T) {
			out, in := overTRISA(t, p, "trisa-complete-1", betaETH)
			// B's book holds the address: confirmed on receipt, the confirmation travels back.
			in = see(t, beta, in.ID, transfer.StatusACK)
			see(t, alpha, out.ID, transfer.StatusACK)
			require.Equal(t, betaETH, in.DestinationAddress)
			require.Equal(t, alphaETH, in.OriginAddress)
			require.Equal(t, "1.5", in.Amount.String())
			require.Equal(t, transfer.Asset{Network: "ethereum", Symbol: "ETH"}, in.Asset)
			require.NotNil(t, in.Originator)
			require.Equal(t, originatorFamily, in.Originator.Persons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())

			_, err := beta.Accept(ctxT(t), in.ID, engine.AcceptInput{})
			require.NoError(t, err)
			see(t, beta, in.ID, transfer.StatusAccepted)
			see(t, alpha, out.ID, transfer.StatusAccepted)
			p.A.Hooks.WaitType(t, p.A.Alpha.VASP.ID, out.ID, webhook.TransferTxHashRequired)
			_, err = alpha.TxHash(ctxT(t), out.ID, "0xabc1230000000000000000000000000000000000000000000000000000000001")
			require.NoError(t, err)
			see(t, alpha, out.ID, transfer.StatusCompleted)
			done := see(t, beta, in.ID, transfer.StatusCompleted)
			require.Equal(t, "0xabc1230000000000000000000000000000000000000000000000000000000001", done.TxHash)
			for _, mv := range [][2]transfer.Status{{transfer.StatusSent, transfer.StatusACK}, {transfer.StatusACK, transfer.StatusAccepted},
				{transfer.StatusAccepted, transfer.StatusCompleted}} {
				p.A.Hooks.WaitMove(t, p.A.Alpha.VASP.ID, out.ID, string(mv[0]), string(mv[1]))
				p.B.Hooks.WaitMove(t, p.B.Beta.VASP.ID, in.ID, string(mv[0]), string(mv[1]))
			}
		})

		t.Run("decline", func(t *testing.T) {
			out, in := overTRISA(t, p, "trisa-decline-1", betaETH)
			see(t, beta, in.ID, transfer.StatusACK)
			_, err := beta.Decline(ctxT(t), in.ID, "sanctions_screening: review failed")
			require.NoError(t, err)
			see(t, beta, in.ID, transfer.StatusDeclined)
			tr := see(t, alpha, out.ID, transfer.StatusDeclined)
			require.Contains(t, tr.StatusReason, "sanctions_screening")
		})

		t.Run("reject the address", func(t *testing.T) {
			out, in := overTRISA(t, p, "trisa-reject-1", strangeETH)
			p.B.Hooks.WaitType(t, p.B.Beta.VASP.ID, in.ID, webhook.TransferAddressConfirmationRequired)
			_, err := beta.Reject(ctxT(t), in.ID, "")
			require.NoError(t, err)
			see(t, beta, in.ID, transfer.StatusRejected)
			tr := see(t, alpha, out.ID, transfer.StatusRejected)
			require.Contains(t, tr.StatusReason, "address_not_controlled")
		})

		t.Run("not ready, then accept", func(t *testing.T) {
			out, in := overTRISA(t, p, "trisa-notready-1", betaETH)
			see(t, beta, in.ID, transfer.StatusACK)
			_, err := beta.NotReady(ctxT(t), in.ID, "kyc_refresh: customer review pending")
			require.NoError(t, err)
			see(t, beta, in.ID, transfer.StatusNotReady)
			// TRISA can say it: a PENDING envelope with the reason.
			tr := see(t, alpha, out.ID, transfer.StatusNotReady)
			require.Contains(t, tr.StatusReason, "kyc_refresh")
			_, err = beta.Accept(ctxT(t), in.ID, engine.AcceptInput{})
			require.NoError(t, err)
			see(t, alpha, out.ID, transfer.StatusAccepted)
		})

		t.Run("cancel after acceptance", func(t *testing.T) {
			out, in := overTRISA(t, p, "trisa-cancel-1", betaETH)
			see(t, beta, in.ID, transfer.StatusACK)
			_, err := beta.Accept(ctxT(t), in.ID, engine.AcceptInput{})
			require.NoError(t, err)
			see(t, alpha, out.ID, transfer.StatusAccepted)
			_, err = alpha.Cancel(ctxT(t), out.ID, "end_travel_rule: customer withdrew the request")
			require.NoError(t, err)
			tr := see(t, beta, in.ID, transfer.StatusCancelled)
			require.Contains(t, tr.StatusReason, "customer withdrew")
		})

		t.Run("cancel before an answer", func(t *testing.T) {
			out, in := overTRISA(t, p, "trisa-cancel-2", strangeETH)
			p.B.Hooks.WaitType(t, p.B.Beta.VASP.ID, in.ID, webhook.TransferAddressConfirmationRequired)
			_, err := alpha.Cancel(ctxT(t), out.ID, "")
			require.NoError(t, err)
			see(t, beta, in.ID, transfer.StatusCancelled)
		})

		t.Run("cancel by the beneficiary", func(t *testing.T) {
			out, in := overTRISA(t, p, "trisa-cancel-3", betaETH)
			see(t, beta, in.ID, transfer.StatusACK)
			_, err := beta.Cancel(ctxT(t), in.ID, "duplicate of another transfer")
			require.NoError(t, err)
			see(t, alpha, out.ID, transfer.StatusCancelled)
		})

		t.Run("post-transaction request", func(t *testing.T) {
			// A deposit nobody announced: Beta asks Alpha for the originator (a beneficiary-
			// initiated exchange); Alpha's book holds the origin address.
			const hash = "0x4444000000000000000000000000000000000000000000000000000000000004"
			asset, amount := eth("2")
			dep, _, err := beta.CreateDeposit(ctxT(t), engine.DepositInput{TxHash: hash, Asset: asset, Amount: amount,
				DestinationAddress: betaETH, OriginAddress: alphaETH})
			require.NoError(t, err)
			inc := see(t, beta, dep.TransferID, transfer.StatusIncomplete)
			alphaID := p.AlphaEntry.ID
			_, err = beta.UpdateTransfer(ctxT(t), inc.ID, engine.UpdateInput{Beneficiary: beneficiary(t), CounterpartyID: &alphaID})
			require.NoError(t, err)
			sent, err := beta.Request(ctxT(t), inc.ID)
			require.NoError(t, err)
			require.Equal(t, transfer.StatusSent, sent.Status)
			require.Equal(t, transfer.RouteTRISA, sent.Route)

			req := nodetest.WaitCounterpart(t, alpha, inc.MessageID)
			require.Equal(t, transfer.Outgoing, req.Direction)
			req = see(t, alpha, req.ID, transfer.StatusACK)
			require.Equal(t, hash, req.TxHash)
			_, err = alpha.Accept(ctxT(t), req.ID, engine.AcceptInput{Originator: originator(t)})
			require.NoError(t, err)
			see(t, alpha, req.ID, transfer.StatusCompleted)
			done := see(t, beta, inc.ID, transfer.StatusCompleted)
			require.NotNil(t, done.Originator, "the answer carries the originator")
			require.Equal(t, originatorFamily, done.Originator.Persons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())
		})

		noHookErrors(t, p.A.Node)
		noHookErrors(t, p.B.Node)
		noPersonalData(t, p.A.Node)
		noPersonalData(t, p.B.Node)
	})
}

// TestTRISAReceiverDown takes node B down, sends, brings it back: the send jobs retry, and
// everything arrives once.
func TestTRISAReceiverDown(t *testing.T) {
	t.Parallel()
	nodetest.EachTRISAPair(t, nodetest.PairOptions{}, func(t *testing.T, p *nodetest.Pair) {
		// A first exchange, so that both sides have each other's keys in cache.
		out1, in1 := overTRISA(t, p, "trisa-down-0", betaETH)
		see(t, p.B.Beta.Client, in1.ID, transfer.StatusACK)
		_, err := p.B.Beta.Client.Accept(ctxT(t), in1.ID, engine.AcceptInput{})
		require.NoError(t, err)
		see(t, p.A.Alpha.Client, out1.ID, transfer.StatusAccepted)

		p.B.Stop(t)
		req := withdrawal(t, "trisa-down-1", betaETH)
		req.BeneficiaryVASP = &engine.VASPInput{CounterpartyID: p.BetaEntry.ID}
		out, _, err := p.A.Alpha.Client.CreateTransfer(ctxT(t), req)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSent, out.Status)
		_, err = p.A.Alpha.Client.TxHash(ctxT(t), out1.ID, "0xfeed000000000000000000000000000000000000000000000000000000000001")
		require.NoError(t, err)
		// Both sends fail and wait for their next attempt.
		nodetest.Poll(t, "failed delivery attempts", func() bool {
			at, err := p.A.Node.Node.Store.Read().NextJobAt(context.Background(), []string{engine.JobSend})
			return err == nil && at.After(p.A.Clock.Now())
		})
		p.B.Restart(t)
		var in *client.Transfer
		nodetest.Poll(t, "node B to get both messages", func() bool {
			// The retries wait for their back-off on A's clock.
			p.A.Clock.Advance(time.Minute)
			p.A.Wake()
			page, err := p.B.Beta.Client.ListTransfers(ctxT(t), client.TransferFilter{Q: out.MessageID})
			if err != nil || len(page.Items) == 0 {
				return false
			}
			in = &page.Items[0]
			done, err := p.B.Beta.Client.GetTransfer(ctxT(t), in1.ID, false)
			return err == nil && done.Status == transfer.StatusCompleted
		})
		see(t, p.B.Beta.Client, in.ID, transfer.StatusACK)
		see(t, p.A.Alpha.Client, out.ID, transfer.StatusACK)
		p.A.Quiesce(t)
		p.B.Quiesce(t)
		page, err := p.B.Beta.Client.ListTransfers(ctxT(t), client.TransferFilter{Q: out.MessageID})
		require.NoError(t, err)
		require.Len(t, page.Items, 1, "delivered once")
		for _, id := range []string{in.ID, in1.ID} {
			events, err := p.B.Beta.Client.TransferEvents(ctxT(t), id)
			require.NoError(t, err)
			moves := map[string]int{}
			for _, e := range events {
				if e.To != "" {
					moves[e.From+">"+e.To]++
				}
			}
			for mv, n := range moves {
				require.Equal(t, 1, n, "each move once: %s", mv)
			}
		}
	})
}
