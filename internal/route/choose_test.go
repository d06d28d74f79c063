package route

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/transfer"
)

func TestChooserOrder(t *testing.T) {
	t.Parallel()
	all := Chooser{Enabled: map[transfer.Route]bool{transfer.RouteTRISA: true, transfer.RouteTRP: true, transfer.RouteEmail: true}}
	trisa := &counterparty.TRISA{Endpoint: "peer.example:443"}
	trp := &counterparty.TRP{URL: "https://peer.example/trp"}
	tests := []struct {
		name   string
		c      Chooser
		cp     *counterparty.Counterparty
		expect transfer.Route
	}{
		{"unknown counterparty", all, nil, transfer.RouteNone},
		{"hosted wins", all, &counterparty.Counterparty{HostedVASPID: "v2", Routes: counterparty.Routes{TRISA: trisa}}, transfer.RouteInternal},
		{"trisa before trp", all, &counterparty.Counterparty{Routes: counterparty.Routes{TRISA: trisa, TRP: trp, Email: "x@y"}}, transfer.RouteTRISA},
		{"preferred trp", all, &counterparty.Counterparty{Routes: counterparty.Routes{TRISA: trisa, TRP: trp, Preferred: "trp"}}, transfer.RouteTRP},
		{"protocol before e-mail", all, &counterparty.Counterparty{Routes: counterparty.Routes{TRP: trp, Email: "x@y"}}, transfer.RouteTRP},
		{"e-mail last", all, &counterparty.Counterparty{Routes: counterparty.Routes{Email: "x@y"}}, transfer.RouteEmail},
		{"disabled on this node", Chooser{Enabled: map[transfer.Route]bool{transfer.RouteEmail: true}},
			&counterparty.Counterparty{Routes: counterparty.Routes{TRISA: trisa, Email: "x@y"}}, transfer.RouteEmail},
		{"nothing reaches it", all, &counterparty.Counterparty{Name: "quiet"}, transfer.RouteNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.expect, tc.c.Pick(tc.cp))
		})
	}
}
