package e2e

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
	"github.com/waybill/waybill/internal/webhook"
)

// received creates a withdrawal to Beta's book and returns both records once Beta's is ACK.
func received(t *testing.T, n *nodetest.Node, ref string) (out, in *client.Transfer) {
	t.Helper()
	out, _, err := n.Alpha.Client.CreateTransfer(ctxT(t), withdrawal(t, ref, betaETH))
	require.NoError(t, err)
	in = nodetest.WaitCounterpart(t, n.Beta.Client, out.MessageID)
	in = see(t, n.Beta.Client, in.ID, transfer.StatusACK)
	return out, in
}

func TestDecline(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		out, in := received(t, n, "decline-1")
		_, err := n.Beta.Client.Decline(ctxT(t), in.ID, "sanctions_screening: review failed")
		require.NoError(t, err)
		see(t, n.Beta.Client, in.ID, transfer.StatusDeclined)
		tr := see(t, n.Alpha.Client, out.ID, transfer.StatusDeclined)
		require.Contains(t, tr.StatusReason, "sanctions_screening")
		n.Hooks.WaitMove(t, n.Alpha.VASP.ID, out.ID, "ACK", "DECLINED")
		// A final transfer refuses further moves with 409.
		_, err = n.Beta.Client.Accept(ctxT(t), in.ID, engine.AcceptInput{})
		require.True(t, nodetest.IsStatus(err, 409), "%v", err)
		noHookErrors(t, n)
	})
}

func TestRejectAddressNotOurs(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		out, _, err := n.Alpha.Client.CreateTransfer(ctxT(t), toBeta(t, n, "reject-1", strangeETH))
		require.NoError(t, err)
		in := nodetest.WaitCounterpart(t, n.Beta.Client, out.MessageID)
		n.Hooks.WaitType(t, n.Beta.VASP.ID, in.ID, webhook.TransferAddressConfirmationRequired)
		require.True(t, in.Can(engine.ActReject))
		_, err = n.Beta.Client.Reject(ctxT(t), in.ID, "")
		require.NoError(t, err)
		see(t, n.Beta.Client, in.ID, transfer.StatusRejected)
		see(t, n.Alpha.Client, out.ID, transfer.StatusRejected)
		// The originator cannot answer for the beneficiary.
		_, err = n.Alpha.Client.Confirm(ctxT(t), out.ID)
		require.True(t, nodetest.IsStatus(err, 409), "%v", err)
		noHookErrors(t, n)
	})
}

func TestCancelAfterAccept(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		out, in := received(t, n, "cancel-1")
		_, err := n.Beta.Client.Accept(ctxT(t), in.ID, engine.AcceptInput{})
		require.NoError(t, err)
		see(t, n.Alpha.Client, out.ID, transfer.StatusAccepted)
		_, err = n.Alpha.Client.Cancel(ctxT(t), out.ID, "end_travel_rule: customer withdrew the request")
		require.NoError(t, err)
		see(t, n.Alpha.Client, out.ID, transfer.StatusCancelled)
		see(t, n.Beta.Client, in.ID, transfer.StatusCancelled)
		n.Hooks.WaitMove(t, n.Beta.VASP.ID, in.ID, "ACCEPTED", "CANCELLED")
		noHookErrors(t, n)
	})
}

func TestNotReadyThenAccept(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		out, in := received(t, n, "notready-1")
		_, err := n.Beta.Client.NotReady(ctxT(t), in.ID, "awaiting_kyc: customer verification pending")
		require.NoError(t, err)
		see(t, n.Beta.Client, in.ID, transfer.StatusNotReady)
		see(t, n.Alpha.Client, out.ID, transfer.StatusNotReady)
		_, err = n.Beta.Client.Accept(ctxT(t), in.ID, engine.AcceptInput{})
		require.NoError(t, err)
		see(t, n.Beta.Client, in.ID, transfer.StatusAccepted)
		see(t, n.Alpha.Client, out.ID, transfer.StatusAccepted)
		noHookErrors(t, n)
	})
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		ctx := ctxT(t)
		v, err := n.Alpha.Client.GetVASP(ctx)
		require.NoError(t, err)
		s := v.Settings
		s.ExpirySeconds = 3600
		_, err = n.Alpha.Client.PutSettings(ctx, s)
		require.NoError(t, err)

		out, _, err := n.Alpha.Client.CreateTransfer(ctx, toBeta(t, n, "expire-1", strangeETH))
		require.NoError(t, err)
		require.NotNil(t, out.ExpiresAt)
		require.WithinDuration(t, n.Clock.Now().Add(time.Hour), *out.ExpiresAt, time.Minute)
		in := nodetest.WaitCounterpart(t, n.Beta.Client, out.MessageID)
		require.Equal(t, transfer.StatusSent, in.Status)
		// Let the webhooks signed so far arrive before time jumps (the receiver checks their
		// timestamps against the node's clock).
		n.Hooks.WaitType(t, n.Alpha.VASP.ID, out.ID, webhook.TransferCreated)
		n.Hooks.WaitMove(t, n.Alpha.VASP.ID, out.ID, "NEW", "SENT")
		n.Hooks.WaitType(t, n.Beta.VASP.ID, in.ID, webhook.TransferReceived)
		n.Hooks.WaitType(t, n.Beta.VASP.ID, in.ID, webhook.TransferAddressConfirmationRequired)

		n.Clock.Advance(time.Hour + time.Minute)
		n.Wake()
		tr := see(t, n.Alpha.Client, out.ID, transfer.StatusCancelled)
		require.Contains(t, tr.StatusReason, "expired")
		see(t, n.Beta.Client, in.ID, transfer.StatusCancelled)
		noHookErrors(t, n)
	})
}

func TestValidateReportsMissingFields(t *testing.T) {
	t.Parallel()
	n := nodetest.Start(t, nodetest.Options{})
	ctx := ctxT(t)
	in := withdrawal(t, "", betaETH)
	in.Beneficiary = nil
	plan, err := n.Alpha.Client.ValidateTransfer(ctx, in)
	require.NoError(t, err)
	require.False(t, plan.Valid)
	paths := map[string]bool{}
	for _, e := range plan.Errors {
		paths[e.Path] = true
	}
	require.True(t, paths["beneficiary"], "%+v", plan.Errors)
	require.Equal(t, engine.KindTravelRule, plan.Kind)
	require.NotNil(t, plan.Threshold)
	require.True(t, plan.Threshold.Applies)
	require.NotNil(t, plan.Counterparty, "Beta is found by its wallet")

	ok, err := n.Alpha.Client.ValidateTransfer(ctx, withdrawal(t, "", betaETH))
	require.NoError(t, err)
	require.True(t, ok.Valid, "%+v", ok.Errors)
	require.Equal(t, transfer.StatusNew, ok.Status)
	require.Equal(t, transfer.RouteInternal, ok.Route)

	page, err := n.Alpha.Client.ListTransfers(ctx, client.TransferFilter{})
	require.NoError(t, err)
	require.Empty(t, page.Items, "a dry run creates nothing")
}

func TestSaved(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		// Under the FATF default rule (USD 1,000) small withdrawals are below the threshold and
		// unhosted ones need no ownership proof; the EU row has neither.
		n := nodetest.StartOn(t, d, nodetest.Options{Jurisdiction: "FATF"})
		small := withdrawal(t, "saved-small", betaETH)
		small.Amount = decimal.RequireFromString("0.001")
		unhosted := withdrawal(t, "saved-unhosted", strangeETH)
		unhosted.Unhosted = true
		own := withdrawal(t, "saved-own", alphaETH)
		for _, tc := range []struct {
			name   string
			in     engine.CreateInput
			reason string
		}{
			{"below threshold", small, "below_threshold"},
			{"unhosted wallet", unhosted, "unhosted_wallet"},
			{"same VASP", own, "same_vasp"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tr, created, err := n.Alpha.Client.CreateTransfer(ctxT(t), tc.in)
				require.NoError(t, err)
				require.True(t, created)
				require.Equal(t, transfer.StatusSaved, tr.Status)
				require.Contains(t, tr.StatusReason, tc.reason)
				require.Empty(t, tr.Actions, "SAVED is final")
				reached.add(t.Name(), transfer.StatusSaved)
			})
		}
		noHookErrors(t, n)
	})
}

func TestMissingBeneficiaryDataThenUpdate(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		review := vasp.DefaultSettings()
		n := nodetest.StartOn(t, d, nodetest.Options{Settings: &review})
		ctx := ctxT(t)
		in := withdrawal(t, "mbd-1", betaETH)
		in.Beneficiary, in.SkipBeneficiaryDataValidation = nil, true
		tr, _, err := n.Alpha.Client.CreateTransfer(ctx, in)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusMissingBeneficiaryData, tr.Status)
		reached.add(t.Name(), transfer.StatusMissingBeneficiaryData)
		require.True(t, tr.Can(engine.ActUpdate))

		tr, err = n.Alpha.Client.UpdateTransfer(ctx, tr.ID, engine.UpdateInput{Beneficiary: beneficiary(t)})
		require.NoError(t, err)
		require.Equal(t, transfer.StatusNew, tr.Status, "held for review by the VASP's settings")
		reached.add(t.Name(), transfer.StatusNew)
		n.Hooks.WaitType(t, n.Alpha.VASP.ID, tr.ID, webhook.TransferReviewRequired)
		require.True(t, tr.Can(engine.ActApprove))

		tr, err = n.Alpha.Client.Approve(ctx, tr.ID)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSent, tr.Status)
		noHookErrors(t, n)
	})
}

func TestWaitingForInformation(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		ctx := ctxT(t)
		gamma, err := n.Alpha.Client.CreateCounterparty(ctx, engine.CounterpartyInput{Name: "Gamma Custody Ltd", Country: "GB", Standing: "allowed"})
		require.NoError(t, err)
		in := withdrawal(t, "wfi-1", strangeETH)
		in.BeneficiaryVASP = &engine.VASPInput{CounterpartyID: gamma.ID}
		tr, _, err := n.Alpha.Client.CreateTransfer(ctx, in)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusWaitingForInformation, tr.Status)
		require.Contains(t, tr.StatusReason, "no_route")
		reached.add(t.Name(), transfer.StatusWaitingForInformation)
		_, err = n.Alpha.Client.Cancel(ctx, tr.ID, "")
		require.NoError(t, err)
		noHookErrors(t, n)
	})
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	n := nodetest.Start(t, nodetest.Options{})
	ctx := ctxT(t)
	first, created, err := n.Alpha.Client.CreateTransfer(ctx, withdrawal(t, "idem-1", betaETH))
	require.NoError(t, err)
	require.True(t, created)
	again, created, err := n.Alpha.Client.CreateTransfer(ctx, withdrawal(t, "idem-1", betaETH))
	require.NoError(t, err)
	require.False(t, created, "the same ref and body answer 200 with the first transfer")
	require.Equal(t, first.ID, again.ID)

	other := withdrawal(t, "idem-1", betaETH)
	other.Amount = decimal.RequireFromString("2")
	_, _, err = n.Alpha.Client.CreateTransfer(ctx, other)
	require.True(t, nodetest.IsStatus(err, 409), "%v", err)

	dep := engine.DepositInput{Ref: "dep-idem", TxHash: "0xfeed01", Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"},
		Amount: decimal.RequireFromString("3"), DestinationAddress: betaETH}
	d1, created, err := n.Beta.Client.CreateDeposit(ctx, dep)
	require.NoError(t, err)
	require.True(t, created)
	d2, created, err := n.Beta.Client.CreateDeposit(ctx, dep)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, d1.ID, d2.ID)
	dep.Amount = decimal.RequireFromString("4")
	_, _, err = n.Beta.Client.CreateDeposit(ctx, dep)
	require.True(t, nodetest.IsStatus(err, 409), "%v", err)
}

func TestIsolation(t *testing.T) {
	t.Parallel()
	n := nodetest.Start(t, nodetest.Options{})
	ctx := ctxT(t)
	out, in := received(t, n, "iso-1")
	// Beta's record does not exist for Alpha, and Alpha's not for Beta.
	for _, tc := range []struct {
		name string
		c    *client.Client
		id   string
	}{{"alpha reads beta's", n.Alpha.Client, in.ID}, {"beta reads alpha's", n.Beta.Client, out.ID}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.GetTransfer(ctx, tc.id, true)
			require.True(t, nodetest.IsStatus(err, 404), "%v", err)
			_, err = tc.c.TransferEvents(ctx, tc.id)
			require.True(t, nodetest.IsStatus(err, 404), "%v", err)
			_, err = tc.c.Cancel(ctx, tc.id, "")
			require.True(t, nodetest.IsStatus(err, 404), "%v", err)
			_, err = tc.c.UpdateTransfer(ctx, tc.id, engine.UpdateInput{Beneficiary: beneficiary(t)})
			require.True(t, nodetest.IsStatus(err, 404), "%v", err)
		})
	}
	_, err := n.Alpha.Client.GetWebhook(ctx, n.Beta.WebhookID)
	require.True(t, nodetest.IsStatus(err, 404), "%v", err)
	// Keys stay on their side of the API.
	_, err = n.Alpha.Client.ListVASPs(ctx)
	require.True(t, nodetest.IsStatus(err, 403), "%v", err)
	_, err = n.Admin.ListTransfers(ctx, client.TransferFilter{})
	require.True(t, nodetest.IsStatus(err, 403), "%v", err)
	_, err = n.HTTP.WithKey("wb_not_a_key").GetVASP(ctx)
	require.True(t, nodetest.IsStatus(err, 401), "%v", err)
}
