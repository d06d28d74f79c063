// Package e2e drives whole transfer lifecycles between two VASPs hosted on one node, through
// the public Go client, on SQLite and (when WAYBILL_TEST_POSTGRES_URL is set) PostgreSQL.
package e2e

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/webhook"
)

// TestWithdrawalCompletes walks a withdrawal from create to COMPLETED on both sides: the
// destination is not in Beta's book at first (address confirmation), then is.
func TestWithdrawalCompletes(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		ctx := ctxT(t)
		alpha, beta := n.Alpha, n.Beta

		// 1. To an address in Beta's book: confirmed automatically.
		out, created, err := alpha.Client.CreateTransfer(ctx, withdrawal(t, "wd-1", betaETH))
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, transfer.StatusSent, out.Status, "demo settings approve withdrawals")
		reached.add(t.Name(), transfer.StatusSent)
		require.Equal(t, transfer.RouteInternal, out.Route)
		require.NotNil(t, out.Originator)

		in := nodetest.WaitCounterpart(t, beta.Client, out.MessageID)
		require.Equal(t, transfer.Incoming, in.Direction)
		see(t, beta.Client, in.ID, transfer.StatusACK)
		see(t, alpha.Client, out.ID, transfer.StatusACK)
		n.Hooks.WaitType(t, beta.VASP.ID, in.ID, webhook.TransferReviewRequired)
		in, err = beta.Client.GetTransfer(ctx, in.ID, false)
		require.NoError(t, err)
		require.True(t, in.Can(engine.ActAccept))
		require.NotNil(t, in.Originator, "the beneficiary VASP sees the originator after confirming")

		_, err = beta.Client.Accept(ctx, in.ID, engine.AcceptInput{})
		require.NoError(t, err)
		see(t, beta.Client, in.ID, transfer.StatusAccepted)
		see(t, alpha.Client, out.ID, transfer.StatusAccepted)
		n.Hooks.WaitType(t, alpha.VASP.ID, out.ID, webhook.TransferTxHashRequired)

		_, err = alpha.Client.TxHash(ctx, out.ID, "0xabc1230000000000000000000000000000000000000000000000000000000001")
		require.NoError(t, err)
		see(t, alpha.Client, out.ID, transfer.StatusCompleted)
		see(t, beta.Client, in.ID, transfer.StatusCompleted)

		for _, mv := range [][2]transfer.Status{{transfer.StatusNew, transfer.StatusSent}, {transfer.StatusSent, transfer.StatusACK},
			{transfer.StatusACK, transfer.StatusAccepted}, {transfer.StatusAccepted, transfer.StatusCompleted}} {
			n.Hooks.WaitMove(t, alpha.VASP.ID, out.ID, string(mv[0]), string(mv[1]))
		}
		for _, mv := range [][2]transfer.Status{{transfer.StatusSent, transfer.StatusACK},
			{transfer.StatusACK, transfer.StatusAccepted}, {transfer.StatusAccepted, transfer.StatusCompleted}} {
			n.Hooks.WaitMove(t, beta.VASP.ID, in.ID, string(mv[0]), string(mv[1]))
		}
		n.Hooks.WaitType(t, alpha.VASP.ID, out.ID, webhook.TransferCreated)
		n.Hooks.WaitType(t, beta.VASP.ID, in.ID, webhook.TransferReceived)

		// 2. To an address Beta does not know yet, naming Beta: Beta must confirm it.
		out2, _, err := alpha.Client.CreateTransfer(ctx, toBeta(t, n, "wd-2", strangeETH))
		require.NoError(t, err)
		in2 := nodetest.WaitCounterpart(t, beta.Client, out2.MessageID)
		n.Hooks.WaitType(t, beta.VASP.ID, in2.ID, webhook.TransferAddressConfirmationRequired)
		require.Equal(t, transfer.StatusSent, in2.Status)
		_, err = beta.Client.Confirm(ctx, in2.ID)
		require.NoError(t, err)
		see(t, beta.Client, in2.ID, transfer.StatusACK)
		_, err = beta.Client.Accept(ctx, in2.ID, engine.AcceptInput{})
		require.NoError(t, err)
		see(t, alpha.Client, out2.ID, transfer.StatusAccepted)
		_, err = alpha.Client.TxHash(ctx, out2.ID, "0xabc1230000000000000000000000000000000000000000000000000000000002")
		require.NoError(t, err)
		see(t, beta.Client, in2.ID, transfer.StatusCompleted)
		see(t, alpha.Client, out2.ID, transfer.StatusCompleted)

		noHookErrors(t, n)
		noPersonalData(t, n)
	})
}
