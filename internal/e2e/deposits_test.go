package e2e

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/webhook"
)

func eth(amount string) (transfer.Asset, decimal.Decimal) {
	return transfer.Asset{Network: "ethereum", Symbol: "ETH"}, decimal.RequireFromString(amount)
}

func TestDepositMatchedByHash(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		ctx := ctxT(t)
		const hash = "0x1111000000000000000000000000000000000000000000000000000000000001"
		in := withdrawal(t, "post-1", betaETH)
		in.TxHash = hash
		out, _, err := n.Alpha.Client.CreateTransfer(ctx, in)
		require.NoError(t, err)
		rec := nodetest.WaitCounterpart(t, n.Beta.Client, out.MessageID)
		see(t, n.Beta.Client, rec.ID, transfer.StatusACK)

		asset, amount := eth("1.5")
		dep, _, err := n.Beta.Client.CreateDeposit(ctx, engine.DepositInput{TxHash: hash, Asset: asset, Amount: amount, DestinationAddress: betaETH})
		require.NoError(t, err)
		require.Equal(t, "tx_hash", dep.Match)
		require.Equal(t, rec.ID, dep.TransferID)

		_, err = n.Beta.Client.Accept(ctx, rec.ID, engine.AcceptInput{})
		require.NoError(t, err)
		see(t, n.Beta.Client, rec.ID, transfer.StatusCompleted)
		see(t, n.Alpha.Client, out.ID, transfer.StatusCompleted)
		noHookErrors(t, n)
	})
}

func TestDepositMatchedByAmount(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		ctx := ctxT(t)
		out, rec := received(t, n, "amount-1")
		_, err := n.Beta.Client.Accept(ctx, rec.ID, engine.AcceptInput{})
		require.NoError(t, err)
		see(t, n.Alpha.Client, out.ID, transfer.StatusAccepted)

		const hash = "0x2222000000000000000000000000000000000000000000000000000000000002"
		asset, amount := eth("1.5")
		dep, created, err := n.Beta.Client.CreateDeposit(ctx, engine.DepositInput{Ref: "dep-1", TxHash: hash, Asset: asset, Amount: amount,
			DestinationAddress: betaETH, OriginAddress: alphaETH})
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, "amount", dep.Match)
		require.Equal(t, rec.ID, dep.TransferID)
		see(t, n.Beta.Client, rec.ID, transfer.StatusCompleted)

		got, err := n.Beta.Client.GetDeposit(ctx, dep.ID)
		require.NoError(t, err)
		require.Equal(t, dep.ID, got.ID)
		page, err := n.Beta.Client.ListDeposits(ctx, clientPage(10))
		require.NoError(t, err)
		require.Len(t, page.Items, 1)

		_, err = n.Alpha.Client.TxHash(ctx, out.ID, hash)
		require.NoError(t, err)
		see(t, n.Alpha.Client, out.ID, transfer.StatusCompleted)
		noHookErrors(t, n)
	})
}

// TestDepositUnmatchedThenRequest: a deposit nobody announced becomes INCOMPLETE; Beta names
// the originating VASP and its customer, requests the originator's data, and Alpha (whose book
// holds the origin address) answers it.
func TestDepositUnmatchedThenRequest(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		ctx := ctxT(t)
		const hash = "0x3333000000000000000000000000000000000000000000000000000000000003"
		asset, amount := eth("2")
		dep, _, err := n.Beta.Client.CreateDeposit(ctx, engine.DepositInput{TxHash: hash, Asset: asset, Amount: amount,
			DestinationAddress: betaETH, OriginAddress: alphaETH})
		require.NoError(t, err)
		require.Equal(t, "none", dep.Match)
		inc := see(t, n.Beta.Client, dep.TransferID, transfer.StatusIncomplete)
		require.True(t, inc.Can(engine.ActRequest))
		n.Hooks.Wait(t, n.Beta.VASP.ID, "deposit.unmatched", func(e webhook.Event) bool {
			return e.Type == webhook.DepositUnmatched && e.Data.DepositID == dep.ID
		})

		// Requesting before the record names the originating VASP and our customer is refused.
		_, err = n.Beta.Client.Request(ctx, inc.ID)
		require.True(t, nodetest.IsStatus(err, 422), "%v", err)

		alphaID := hostedEntry(t, n.Beta.Client, n.Alpha.VASP.ID)
		upd, err := n.Beta.Client.UpdateTransfer(ctx, inc.ID, engine.UpdateInput{Beneficiary: beneficiary(t), CounterpartyID: &alphaID})
		require.NoError(t, err)
		require.Equal(t, transfer.StatusIncomplete, upd.Status)
		sent, err := n.Beta.Client.Request(ctx, inc.ID)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSent, sent.Status)
		reached.add(t.Name(), transfer.StatusSent)

		// Alpha's record of the request: outgoing, confirmed by its book, held for review.
		req := nodetest.WaitCounterpart(t, n.Alpha.Client, inc.MessageID)
		require.Equal(t, transfer.Outgoing, req.Direction)
		req = see(t, n.Alpha.Client, req.ID, transfer.StatusACK)
		require.True(t, req.Can(engine.ActAccept), "%v", req.Actions)
		_, err = n.Alpha.Client.Accept(ctx, req.ID, engine.AcceptInput{Originator: originator(t)})
		require.NoError(t, err)
		see(t, n.Alpha.Client, req.ID, transfer.StatusCompleted)
		done := see(t, n.Beta.Client, inc.ID, transfer.StatusCompleted)
		require.NotNil(t, done.Originator, "the request's answer carries the originator")
		noHookErrors(t, n)
		noPersonalData(t, n)
	})
}
