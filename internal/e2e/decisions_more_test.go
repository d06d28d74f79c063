package e2e

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/transfer"
)

// TestKeptTransferHeldThenApproved: a withdrawal that needs no exchange is still decided; when
// a policy holds it, a person's approval keeps it (NEW -> SAVED) and nothing is sent.
func TestKeptTransferHeldThenApproved(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		// Under the FATF default rule (USD 1,000) small withdrawals are below the threshold and
		// unhosted ones need no ownership proof; the EU row has neither.
		n := nodetest.StartOn(t, d, nodetest.Options{Jurisdiction: "FATF"})
		ctx := ctxT(t)
		alpha := n.Alpha
		_, err := alpha.Client.PutPolicies(ctx, policy.DirectionOutgoing, []policy.Policy{
			{Name: "review-big-unhosted", Condition: `transfer.unhosted && transfer.value.EUR > 2000`, Action: policy.ActionReview,
				Reason: "large withdrawal to an unhosted wallet", Points: []string{policy.PointOutgoingKept}},
		})
		require.NoError(t, err)
		in := withdrawal(t, "kept-held", strangeETH) // EUR 3,750
		in.Unhosted = true
		tr, _, err := alpha.Client.CreateTransfer(ctx, in)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusNew, tr.Status)
		require.Equal(t, engine.KindNonCustodial, tr.Kind)
		require.Equal(t, "review-big-unhosted", tr.Decision.Policy)
		require.True(t, tr.Can(engine.ActApprove))
		n.Hooks.WaitType(t, alpha.VASP.ID, tr.ID, "transfer.review_required")

		tr, err = alpha.Client.Approve(ctx, tr.ID)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSaved, tr.Status, "approved, it is kept, not sent")
		require.Contains(t, tr.StatusReason, "unhosted_wallet")
		require.Empty(t, tr.Route)
		n.Hooks.WaitMove(t, alpha.VASP.ID, tr.ID, string(transfer.StatusNew), string(transfer.StatusSaved))

		// A small one is kept at once by the default.
		in.Ref, in.Amount = "kept-small", decimal.RequireFromString("0.1")
		tr, _, err = alpha.Client.CreateTransfer(ctx, in)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSaved, tr.Status)
		require.Equal(t, "default", tr.Decision.Source)
		noHookErrors(t, n)
	})
}

// TestAddressErrorsPerNetwork: an invalid address is refused with a message naming the network
// and what is wrong, never the address, on every network of the catalogue.
func TestAddressErrorsPerNetwork(t *testing.T) {
	t.Parallel()
	n := nodetest.StartOn(t, nodetest.SQLite, nodetest.Options{})
	ctx := ctxT(t)
	tests := []struct {
		network, symbol, valid, invalid, reason string
	}{
		{"bitcoin", "BTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "checksum"},
		{"bitcoin", "BTC", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "checksum"},
		{"litecoin", "LTC", "ltc1qzas3sk7ctzdy8nsthf6cj8lea3spfr2tvh85kz", "ltc1qzas3sk7ctzdy8nsthf6cj8lea3spfr2tvh85kq", "checksum"},
		{"ethereum", "ETH", "0x52908400098527886E0F7030069857D2E4169EE7", "0x52908400098527886E0F7030069857D2E4169Ee7", "EIP-55"},
		{"ethereum", "USDC", betaETH, "0x52908400098527886E0F7030069857D2E4169E", "40 hex"},
		{"polygon", "USDC", betaETH, "52908400098527886E0F7030069857D2E4169EE7", "0x"},
		{"arbitrum", "ETH", betaETH, "0xZZ908400098527886E0F7030069857D2E4169EE7", "hex"},
		{"tron", "USDT", "TDwPrJTEeQPyaJ5ttEYNaDkvXeQCp2dQs9", "TDwPrJTEeQPyaJ5ttEYNaDkvXeQCp2dQs8", "checksum"},
		{"solana", "SOL", "4u5qbr99jXcBHaxfUEbqomDnLSjiQVzaV8GF5N2ecFeF", "4u5qbr99jXcBHaxfUEbqomDnLSjiQVzaV8GF5N2ecF0", "base58"},
		{"xrp", "XRP", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTj", "checksum"},
	}
	for _, tc := range tests {
		t.Run(tc.network+"/"+tc.invalid, func(t *testing.T) {
			in := withdrawal(t, "", tc.invalid)
			in.Asset = transfer.Asset{Network: tc.network, Symbol: tc.symbol}
			in.OriginAddress, in.Amount = "", decimal.RequireFromString("1")
			_, _, err := n.Alpha.Client.CreateTransfer(ctx, in)
			require.True(t, nodetest.IsStatus(err, 422), "%v", err)
			var ce *client.Error
			require.ErrorAs(t, err, &ce)
			var found bool
			for _, pe := range ce.Problem.Errors {
				if pe.Location == "body.destination_address" {
					found = true
					require.Equal(t, "invalid_address", pe.Code)
					require.Contains(t, pe.Message, tc.network+" address ", "the message names the network")
					require.Contains(t, pe.Message, tc.reason, "and what is wrong")
				}
			}
			require.True(t, found, "%+v", ce.Problem.Errors)
			require.NotContains(t, string(ce.Body), tc.invalid, "the address is never echoed")

			in.DestinationAddress = tc.valid
			plan, err := n.Alpha.Client.ValidateTransfer(ctx, in)
			require.NoError(t, err)
			for _, fe := range plan.Errors {
				require.NotEqual(t, "destination_address", fe.Path, "%s is valid: %s", tc.valid, fe.Message)
			}
		})
	}
	// An unknown network is reported once, on the asset, without repeating the address.
	in := withdrawal(t, "", "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L")
	in.Asset, in.OriginAddress = transfer.Asset{Network: "dogechain", Symbol: "DOGE"}, ""
	_, _, err := n.Alpha.Client.CreateTransfer(ctx, in)
	var ce *client.Error
	require.ErrorAs(t, err, &ce)
	require.Len(t, ce.Problem.Errors, 1)
	require.Equal(t, "unknown_asset", ce.Problem.Errors[0].Code)
	require.NotContains(t, string(ce.Body), "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L")
	_, err = n.Alpha.Client.ScreenAddress(ctx, "dogechain", "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L")
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "unknown_network", ce.Problem.Errors[0].Code)
	require.NotContains(t, string(ce.Body), "dogechain")
}
