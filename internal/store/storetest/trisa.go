package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/store"
)

// RunTRISA runs the conformance tests of the TRISA route's queries.
func RunTRISA(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, store.Store){
		"TRISACounterparties": testTRISACounterparties,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}

func testTRISACounterparties(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	mkVASP(t, s, "v2")
	entries := []*counterparty.Counterparty{
		{ID: "c1", VASPID: "v1", Name: "Gamma", Routes: counterparty.Routes{TRISA: &counterparty.TRISA{
			Endpoint: "trisa.gamma.example:443", CommonName: "Trisa.Gamma.Example"}}},
		{ID: "c2", VASPID: "v2", Name: "Gamma", Routes: counterparty.Routes{TRISA: &counterparty.TRISA{
			Endpoint: "trisa.gamma.example:443"}}},
		// Mentions the name outside a TRISA route: not listed.
		{ID: "c3", VASPID: "v1", Name: "Gamma by TRP", Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: "https://trisa.gamma.example/trp"}}},
		// A TRISA route of another peer whose name differs only where LIKE would see a wildcard.
		{ID: "c4", VASPID: "v1", Name: "Delta", Routes: counterparty.Routes{TRISA: &counterparty.TRISA{Endpoint: "trisaxgamma.example:443"}}},
		{ID: "c5", VASPID: "v2", Name: "Epsilon", Routes: counterparty.Routes{Email: "tr@epsilon.example"}},
	}
	for _, c := range entries {
		c.Standing, c.CreatedAt, c.UpdatedAt = counterparty.StandingAllowed, t0, t0
		tx(t, s, func(tx store.Tx) error { return tx.CreateCounterparty(ctx, c) })
	}
	ids := func(list []counterparty.Counterparty) []string {
		var out []string
		for _, c := range list {
			out = append(out, c.VASPID+"/"+c.ID)
		}
		return out
	}
	tests := []struct {
		name     string
		mentions []string
		want     []string
	}{
		{"every TRISA entry", nil, []string{"v1/c1", "v1/c4", "v2/c2"}},
		{"by endpoint host, case folded", []string{"TRISA.gamma.example"}, []string{"v1/c1", "v2/c2"}},
		{"by common name", []string{"trisa.gamma.example", "nothing.example"}, []string{"v1/c1", "v2/c2"}},
		{"wildcards are literal", []string{"trisa_gamma", "%gamma"}, nil},
		{"no match", []string{"omega.example"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, err := s.Read().ListTRISACounterparties(ctx, tc.mentions)
			require.NoError(t, err)
			require.Equal(t, tc.want, ids(list))
			for _, c := range list {
				require.NotNil(t, c.Routes.TRISA, "the routes are decoded")
			}
		})
	}
}
