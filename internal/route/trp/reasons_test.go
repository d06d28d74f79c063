package trp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/route"
)

func TestRefusalText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		reason, def, want string
	}{
		{"address_not_controlled: the destination address is not ours", CodeAddressNotControlled, "address_not_controlled: the destination address is not ours"},
		{"declined: sanctions screening", CodeDeclined, "declined: sanctions screening"},
		{"unsupported_asset: DOGE on dogecoin is not supported", CodeDeclined, "unsupported_asset: DOGE on dogecoin is not supported"},
		{"sanctions_screening: review failed", CodeDeclined, "declined: sanctions_screening: review failed"},
		{"customer withdrew the request", CodeCancelled, "cancelled: customer withdrew the request"},
		{"", CodeCancelled, "cancelled"},
		{strings.Repeat("é", 2000), CodeDeclined, "declined: " + strings.Repeat("é", (maxText-len("declined: "))/2)},
	} {
		require.Equal(t, tc.want, refusalText(tc.reason, tc.def), tc.reason)
	}
}

func TestReadRefusal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text     string
		kind     route.Kind
		decision string
		confirm  bool
		reason   string
	}{
		{"address_not_controlled: not ours", route.KindAddressConfirmation, "", false, "address_not_controlled: not ours"},
		{"UNKNOWN_WALLET_ADDRESS: no such wallet", route.KindAddressConfirmation, "", false, "UNKNOWN_WALLET_ADDRESS: no such wallet"},
		{"Unknown wallet address", route.KindAddressConfirmation, "", false, "Unknown wallet address"},
		{"cancelled: duplicate", route.KindCancel, "", false, "cancelled: duplicate"},
		{"Canceled", route.KindCancel, "", false, "Canceled"},
		{"declined: sanctions", route.KindDecision, route.DecisionDecline, false, "declined: sanctions"},
		{"human readable comment", route.KindDecision, route.DecisionDecline, false, "human readable comment"},
		{"time: 12:00 is too late", route.KindDecision, route.DecisionDecline, false, "time: 12:00 is too late"},
		{"", route.KindDecision, route.DecisionDecline, false, CodeDeclined},
	} {
		m, _ := readRefusal(tc.text)
		require.Equal(t, tc.kind, m.Kind, tc.text)
		require.Equal(t, tc.decision, m.Decision, tc.text)
		require.Equal(t, tc.confirm, m.Confirmed, tc.text)
		require.Equal(t, tc.reason, m.Reason, tc.text)
	}
}

// TestRefusalsRoundTrip: what we send for each refusal reads back as the same kind of message.
func TestRefusalsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		reason, def string
		kind        route.Kind
	}{
		{"address_not_controlled: the destination address is not ours", CodeAddressNotControlled, route.KindAddressConfirmation},
		{"", CodeAddressNotControlled, route.KindAddressConfirmation},
		{"declined: policy high-risk-country", CodeDeclined, route.KindDecision},
		{"unsupported_asset: X on y", CodeDeclined, route.KindDecision},
		{"expired: no answer within 72h0m0s", CodeCancelled, route.KindCancel},
		{"cancelled by user", CodeCancelled, route.KindCancel},
	} {
		m, _ := readRefusal(refusalText(tc.reason, tc.def))
		require.Equal(t, tc.kind, m.Kind, tc.reason)
	}
}
