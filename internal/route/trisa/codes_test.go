package trisa

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"

	"github.com/waybill/waybill/internal/route"
)

// TestOutboundCodes: our refusals travel with the code their reason names, within the band
// that keeps their meaning.
func TestOutboundCodes(t *testing.T) {
	t.Parallel()
	decline := func(reason string) *route.Message {
		return &route.Message{Kind: route.KindDecision, Decision: route.DecisionDecline, Reason: reason}
	}
	tests := []struct {
		name string
		m    *route.Message
		want api.Error_Code
	}{
		{"decline without reason", decline(""), api.Rejected},
		{"decline by policy", decline("declined: policy high_value matched"), api.Rejected},
		{"decline unsupported asset", decline("unsupported_asset: DOGE on dogecoin is not supported"), api.UnsupportedCurrency},
		{"decline wrapped high risk", decline("declined: high_risk: mixer exposure"), api.HighRisk},
		{"decline screening", decline("screening: address on a list"), api.HighRisk},
		{"decline sanctions", decline("sanctions_screening: review failed"), api.ComplianceCheckFail},
		{"decline name mismatch", decline("name_mismatch: beneficiary name differs"), api.BeneficiaryNameUnmatched},
		{"decline by TRISA name", decline("EXCEEDED_TRADING_VOLUME: daily limit"), api.ExceededTradingVolume},
		{"decline Sygna alias", decline("bvrc004"), api.ComplianceCheckFail},
		{"decline naming a cancel", decline("cancelled: no"), api.Rejected},
		{"decline naming an address code", decline("unknown_wallet_address"), api.Rejected},
		{"decline naming a repair code", decline("missing_fields: dob"), api.Rejected},
		{"address reject", &route.Message{Kind: route.KindAddressConfirmation, Reason: "address_not_controlled: not ours"}, api.UnkownWalletAddress},
		{"address reject, cannot confirm", &route.Message{Kind: route.KindAddressConfirmation, Reason: "cannot_confirm_control_of_address"},
			api.Error_CANNOT_CONFIRM_CONTROL_OF_ADDRESS},
		{"address reject, other words", &route.Message{Kind: route.KindAddressConfirmation, Reason: "high_risk"}, api.UnkownWalletAddress},
		{"cancel", &route.Message{Kind: route.KindCancel, Reason: "cancelled by api_key"}, api.Canceled},
		{"cancel, end travel rule", &route.Message{Kind: route.KindCancel, Reason: "end_travel_rule: customer withdrew"}, api.Canceled},
		{"expiry", &route.Message{Kind: route.KindCancel, Reason: "expired: no answer from the counterparty within 72h0m0s"},
			api.CompliancePeriodExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := refusal(tc.m)
			require.Equal(t, tc.want.String(), e.Code.String())
			require.NotEmpty(t, e.Message)
			require.False(t, e.Retry, "refusals are final")
		})
	}
}

// TestInboundCodes: every TRISA code means one thing for the transfer, or nothing (service
// and authentication codes are about the exchange).
func TestInboundCodes(t *testing.T) {
	t.Parallel()
	for num, name := range api.Error_Code_name {
		c := api.Error_Code(num)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, started := range []bool{false, true} {
				m := fromError(&api.Error{Code: c, Message: "peer says no"}, started)
				switch {
				case c < 50 || (c >= 100 && c < 150):
					require.Nil(t, m, "%s is about the exchange", name)
					continue
				case c == api.UnkownWalletAddress || c == api.Error_CANNOT_CONFIRM_CONTROL_OF_ADDRESS:
					require.Equal(t, route.KindAddressConfirmation, m.Kind)
					require.False(t, m.Confirmed)
				case c == api.Canceled || c == api.CompliancePeriodExceeded:
					require.Equal(t, route.KindCancel, m.Kind)
				case c < 100:
					require.Equal(t, route.KindDecision, m.Kind)
					require.Equal(t, route.DecisionDecline, m.Decision)
				case started:
					require.Equal(t, route.DecisionDecline, m.Decision, "a repair request of our first envelope ends the exchange")
				default:
					require.Equal(t, route.DecisionNotReady, m.Decision, "a later repair request leaves the transfer open")
				}
				m.TransferMessageID = "x"
				require.NoError(t, m.Validate())
				require.Contains(t, m.Reason, "peer says no")
				require.NotContains(t, m.Reason, "unkown")
			}
		})
	}
}

// TestRoundTrip: a refusal sent by one waybill node is the same refusal on the other.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []*route.Message{
		{Kind: route.KindDecision, Decision: route.DecisionDecline, Reason: "sanctions_screening: review failed"},
		{Kind: route.KindDecision, Decision: route.DecisionDecline, Reason: "declined: counterparty Gamma is blocked"},
		{Kind: route.KindDecision, Decision: route.DecisionDecline, Reason: "high_risk: mixer"},
		{Kind: route.KindAddressConfirmation, Reason: "address_not_controlled: the destination address is not ours"},
		{Kind: route.KindCancel, Reason: "end_travel_rule: customer withdrew the request"},
		{Kind: route.KindCancel, Reason: "expired: no answer from the counterparty within 72h0m0s"},
	}
	for _, m := range tests {
		t.Run(m.Reason, func(t *testing.T) {
			t.Parallel()
			got := fromError(refusal(m), false)
			require.NotNil(t, got)
			require.Equal(t, m.Kind, got.Kind)
			require.Equal(t, m.Decision, got.Decision)
			require.Equal(t, m.Confirmed, got.Confirmed)
			require.Contains(t, got.Reason, m.Reason)
		})
	}
	// A peer's bare message gets the code's word in front.
	got := fromError(&api.Error{Code: api.HighRisk, Message: "risk score above 8"}, false)
	require.Equal(t, "high_risk: risk score above 8", got.Reason)
	got = fromError(&api.Error{Code: api.UnkownBeneficiary, Message: "who"}, false)
	require.Equal(t, "unknown_beneficiary: who", got.Reason)
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"  plain  text ", "plain text"},
		{"line\nbreak\ttab", "line break tab"},
		{"bell\a and \x00 nul", "bell and nul"},
		{"Ünïcödé ok", "Ünïcödé ok"},
		{strings.Repeat("x", 1000), strings.Repeat("x", maxReason)},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, cleanText(tc.in))
	}
}
