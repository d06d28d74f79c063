package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/webhook"
)

// Two real nodes on 127.0.0.1 talking TRP over mutual TLS: node A's Alpha sends, node B's Beta
// receives. Each node keeps its own record; they share only the message id.

// overTRP creates a withdrawal from A's Alpha to B's Beta and returns both records once B holds
// its own.
func overTRP(t *testing.T, p *nodetest.Pair, ref, to string) (out, in *client.Transfer) {
	t.Helper()
	req := withdrawal(t, ref, to)
	req.BeneficiaryVASP = &engine.VASPInput{CounterpartyID: p.BetaEntry.ID}
	out, _, err := p.A.Alpha.Client.CreateTransfer(ctxT(t), req)
	require.NoError(t, err)
	require.Equal(t, transfer.RouteTRP, out.Route)
	in = nodetest.WaitCounterpart(t, p.B.Beta.Client, out.MessageID)
	require.Equal(t, transfer.RouteTRP, in.Route)
	require.Equal(t, transfer.Incoming, in.Direction)
	require.Equal(t, p.AlphaEntry.ID, in.CounterpartyID, "B knows who sent it: its entry for A's Alpha")
	return out, in
}

func TestTRPWithdrawalCompletes(t *testing.T) {
	t.Parallel()
	nodetest.EachPair(t, nodetest.PairOptions{}, func(t *testing.T, p *nodetest.Pair) {
		out, in := overTRP(t, p, "trp-complete-1", betaETH)
		// B's book holds the address: confirmed on receipt (TRP has no address step to send),
		// then held for review as the demo settings say.
		in = see(t, p.B.Beta.Client, in.ID, transfer.StatusACK)
		require.Equal(t, betaETH, in.DestinationAddress, "the destination travels as the beneficiary's account number")
		require.NotNil(t, in.Originator)
		require.Equal(t, originatorFamily, in.Originator.Persons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())
		require.Equal(t, "1.5", in.Amount.String())
		require.Equal(t, transfer.Asset{Network: "ethereum", Symbol: "ETH"}, in.Asset)
		see(t, p.A.Alpha.Client, out.ID, transfer.StatusSent)

		_, err := p.B.Beta.Client.Accept(ctxT(t), in.ID, engine.AcceptInput{})
		require.NoError(t, err)
		see(t, p.B.Beta.Client, in.ID, transfer.StatusAccepted)
		see(t, p.A.Alpha.Client, out.ID, transfer.StatusAccepted)
		p.A.Hooks.WaitType(t, p.A.Alpha.VASP.ID, out.ID, webhook.TransferTxHashRequired)

		_, err = p.A.Alpha.Client.TxHash(ctxT(t), out.ID, "0xabc123")
		require.NoError(t, err)
		see(t, p.A.Alpha.Client, out.ID, transfer.StatusCompleted)
		done := see(t, p.B.Beta.Client, in.ID, transfer.StatusCompleted)
		require.Equal(t, "0xabc123", done.TxHash)
		noHookErrors(t, p.A.Node)
		noHookErrors(t, p.B.Node)
	})
}

func TestTRPDecline(t *testing.T) {
	t.Parallel()
	nodetest.EachPair(t, nodetest.PairOptions{}, func(t *testing.T, p *nodetest.Pair) {
		out, in := overTRP(t, p, "trp-decline-1", betaETH)
		see(t, p.B.Beta.Client, in.ID, transfer.StatusACK)
		_, err := p.B.Beta.Client.Decline(ctxT(t), in.ID, "sanctions_screening: review failed")
		require.NoError(t, err)
		see(t, p.B.Beta.Client, in.ID, transfer.StatusDeclined)
		tr := see(t, p.A.Alpha.Client, out.ID, transfer.StatusDeclined)
		require.Contains(t, tr.StatusReason, "sanctions_screening")
	})
}

func TestTRPRejectAddress(t *testing.T) {
	t.Parallel()
	nodetest.EachPair(t, nodetest.PairOptions{}, func(t *testing.T, p *nodetest.Pair) {
		out, in := overTRP(t, p, "trp-reject-1", strangeETH)
		p.B.Hooks.WaitType(t, p.B.Beta.VASP.ID, in.ID, webhook.TransferAddressConfirmationRequired)
		_, err := p.B.Beta.Client.Reject(ctxT(t), in.ID, "")
		require.NoError(t, err)
		see(t, p.B.Beta.Client, in.ID, transfer.StatusRejected)
		tr := see(t, p.A.Alpha.Client, out.ID, transfer.StatusRejected)
		require.Contains(t, tr.StatusReason, "address_not_controlled")
	})
}

func TestTRPNotReadyThenAccept(t *testing.T) {
	t.Parallel()
	nodetest.EachPair(t, nodetest.PairOptions{}, func(t *testing.T, p *nodetest.Pair) {
		out, in := overTRP(t, p, "trp-notready-1", betaETH)
		see(t, p.B.Beta.Client, in.ID, transfer.StatusACK)
		_, err := p.B.Beta.Client.NotReady(ctxT(t), in.ID, "kyc_refresh: customer review pending")
		require.NoError(t, err)
		see(t, p.B.Beta.Client, in.ID, transfer.StatusNotReady)
		// TRP cannot say "not ready": the originator keeps waiting in SENT.
		p.B.Quiesce(t)
		tr, err := p.A.Alpha.Client.GetTransfer(ctxT(t), out.ID, false)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSent, tr.Status)
		_, err = p.B.Beta.Client.Accept(ctxT(t), in.ID, engine.AcceptInput{})
		require.NoError(t, err)
		see(t, p.A.Alpha.Client, out.ID, transfer.StatusAccepted)
	})
}

func TestTRPCancel(t *testing.T) {
	t.Parallel()
	nodetest.EachPair(t, nodetest.PairOptions{}, func(t *testing.T, p *nodetest.Pair) {
		t.Run("after acceptance", func(t *testing.T) {
			out, in := overTRP(t, p, "trp-cancel-1", betaETH)
			see(t, p.B.Beta.Client, in.ID, transfer.StatusACK)
			_, err := p.B.Beta.Client.Accept(ctxT(t), in.ID, engine.AcceptInput{})
			require.NoError(t, err)
			see(t, p.A.Alpha.Client, out.ID, transfer.StatusAccepted)
			_, err = p.A.Alpha.Client.Cancel(ctxT(t), out.ID, "customer withdrew the request")
			require.NoError(t, err)
			tr := see(t, p.B.Beta.Client, in.ID, transfer.StatusCancelled)
			require.Contains(t, tr.StatusReason, "customer withdrew")
		})
		t.Run("before the resolution", func(t *testing.T) {
			out, in := overTRP(t, p, "trp-cancel-2", betaETH)
			see(t, p.B.Beta.Client, in.ID, transfer.StatusACK)
			_, err := p.A.Alpha.Client.Cancel(ctxT(t), out.ID, "customer withdrew the request")
			require.NoError(t, err)
			see(t, p.A.Alpha.Client, out.ID, transfer.StatusCancelled)
			p.A.Quiesce(t)
			// TRP has no message for this yet: B learns it when its approval names a callback.
			_, err = p.B.Beta.Client.Accept(ctxT(t), in.ID, engine.AcceptInput{})
			require.NoError(t, err)
			see(t, p.B.Beta.Client, in.ID, transfer.StatusCancelled)
			tr, err := p.A.Alpha.Client.GetTransfer(ctxT(t), out.ID, false)
			require.NoError(t, err)
			require.Equal(t, transfer.StatusCancelled, tr.Status)
		})
		t.Run("by the beneficiary", func(t *testing.T) {
			out, in := overTRP(t, p, "trp-cancel-3", betaETH)
			see(t, p.B.Beta.Client, in.ID, transfer.StatusACK)
			_, err := p.B.Beta.Client.Cancel(ctxT(t), in.ID, "duplicate of another transfer")
			require.NoError(t, err)
			see(t, p.A.Alpha.Client, out.ID, transfer.StatusCancelled)
		})
	})
}

// TestTRPReceiverDown takes node B down, sends, brings it back: the send job retries, and
// everything arrives once.
func TestTRPReceiverDown(t *testing.T) {
	t.Parallel()
	nodetest.EachPair(t, nodetest.PairOptions{}, func(t *testing.T, p *nodetest.Pair) {
		p.B.Stop(t)
		req := withdrawal(t, "trp-down-1", betaETH)
		req.BeneficiaryVASP = &engine.VASPInput{CounterpartyID: p.BetaEntry.ID}
		out, _, err := p.A.Alpha.Client.CreateTransfer(ctxT(t), req)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSent, out.Status)
		// The first attempt fails and is rescheduled.
		nodetest.Poll(t, "a failed delivery attempt", func() bool {
			at, err := p.A.Node.Node.Store.Read().NextJobAt(context.Background(), []string{engine.JobSend})
			return err == nil && at.After(p.A.Clock.Now())
		})
		p.B.Restart(t)
		p.A.Clock.Advance(time.Minute)
		p.A.Wake()
		in := nodetest.WaitCounterpart(t, p.B.Beta.Client, out.MessageID)
		see(t, p.B.Beta.Client, in.ID, transfer.StatusACK)
		_, err = p.B.Beta.Client.Accept(ctxT(t), in.ID, engine.AcceptInput{})
		require.NoError(t, err)
		see(t, p.A.Alpha.Client, out.ID, transfer.StatusAccepted)
		_, err = p.A.Alpha.Client.TxHash(ctxT(t), out.ID, "0xfeed")
		require.NoError(t, err)
		see(t, p.B.Beta.Client, in.ID, transfer.StatusCompleted)
		p.A.Quiesce(t)
		p.B.Quiesce(t)
		page, err := p.B.Beta.Client.ListTransfers(ctxT(t), client.TransferFilter{Q: out.MessageID})
		require.NoError(t, err)
		require.Len(t, page.Items, 1, "delivered once")
		events, err := p.B.Beta.Client.TransferEvents(ctxT(t), in.ID)
		require.NoError(t, err)
		completed := 0
		for _, e := range events {
			if e.To == string(transfer.StatusCompleted) {
				completed++
			}
		}
		require.Equal(t, 1, completed, "each move once")
	})
}

// TestTRPRouteAddedByImport: a withdrawal to a counterparty no route reaches waits; importing
// the directory with its travel address sends it over TRP.
func TestTRPRouteAddedByImport(t *testing.T) {
	t.Parallel()
	p := nodetest.StartPair(t, nodetest.SQLite, nodetest.PairOptions{})
	c := p.A.Alpha.Client
	cp, err := c.CreateCounterparty(ctxT(t), engine.CounterpartyInput{Name: "Beta, route unknown", Standing: "allowed"})
	require.NoError(t, err)
	req := withdrawal(t, "trp-route-added-1", betaETH)
	req.BeneficiaryVASP = &engine.VASPInput{CounterpartyID: cp.ID}
	out, _, err := c.CreateTransfer(ctxT(t), req)
	require.NoError(t, err)
	require.Equal(t, transfer.StatusWaitingForInformation, out.Status)

	res, err := c.ImportCounterparties(ctxT(t), client.ContentCSV, strings.NewReader(
		"name,standing,trp_travel_address,trp_allow_private\nBeta, route unknown,allowed,"+p.BetaEntry.Routes.TRP.TravelAddress+",true\n"))
	require.Error(t, err, "an unquoted comma is a CSV error")
	res, err = c.ImportCounterparties(ctxT(t), client.ContentCSV, strings.NewReader(
		"name,standing,trp_travel_address,trp_allow_private\n\"Beta, route unknown\",allowed,"+p.BetaEntry.Routes.TRP.TravelAddress+",true\n"))
	require.NoError(t, err)
	require.Equal(t, 1, res.Updated)
	tr := see(t, c, out.ID, transfer.StatusSent)
	require.Equal(t, transfer.RouteTRP, tr.Route)
	in := nodetest.WaitCounterpart(t, p.B.Beta.Client, out.MessageID)
	require.Equal(t, p.AlphaEntry.ID, in.CounterpartyID)
}
