package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/store"
)

// RunTRP runs the conformance tests of the TRP route's queries.
func RunTRP(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, store.Store){
		"TRPTransfers":       testTRPTransfers,
		"TRPCounterparties":  testTRPCounterparties,
		"TRPCounterpartyCap": testTRPCounterpartyCap,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}

func testTRPTransfers(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	mkVASP(t, s, "v2")
	st := &store.TRPTransfer{VASPID: "v1", MessageID: "m1", Role: store.TRPRoleBeneficiary, CounterpartyID: "c1",
		PeerCallback: "https://alpha.example/trp/v/a/transfers/m1/resolve", APIVersion: "3.1.0", CreatedAt: t0, UpdatedAt: t0}
	tx(t, s, func(tx store.Tx) error { return tx.CreateTRPTransfer(ctx, st) })
	err := s.InTx(ctx, func(tx store.Tx) error { return tx.CreateTRPTransfer(ctx, st) })
	require.ErrorIs(t, err, store.ErrConflict, "one state per VASP and request-identifier")
	other := *st
	other.VASPID, other.Role = "v2", store.TRPRoleOriginator
	tx(t, s, func(tx store.Tx) error { return tx.CreateTRPTransfer(ctx, &other) })

	got, err := s.Read().GetTRPTransfer(ctx, "v1", "m1")
	require.NoError(t, err)
	require.Equal(t, st, got)
	got.PeerCallback, got.APIVersion, got.PendingCancel, got.UpdatedAt = "https://alpha.example/c", "3.2.1", "cancelled: by the originator", t0.Add(time.Minute)
	tx(t, s, func(tx store.Tx) error { return tx.UpdateTRPTransfer(ctx, got) })
	again, err := s.Read().GetTRPTransfer(ctx, "v1", "m1")
	require.NoError(t, err)
	require.Equal(t, got, again)
	require.Equal(t, store.TRPRoleBeneficiary, again.Role, "the role never changes")
	v2, err := s.Read().GetTRPTransfer(ctx, "v2", "m1")
	require.NoError(t, err)
	require.Equal(t, st.PeerCallback, v2.PeerCallback, "VASPs keep their own state")

	_, err = s.Read().GetTRPTransfer(ctx, "v1", "nope")
	require.ErrorIs(t, err, store.ErrNotFound)
	err = s.InTx(ctx, func(tx store.Tx) error {
		return tx.UpdateTRPTransfer(ctx, &store.TRPTransfer{VASPID: "v1", MessageID: "nope", UpdatedAt: t0})
	})
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testTRPCounterparties(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	mkVASP(t, s, "v2")
	for _, c := range []*counterparty.Counterparty{
		{ID: "c1", VASPID: "v1", Name: "By URL", Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: "https://TRP.Beta.example:8443/trp/v/x?t=i"}}},
		{ID: "c2", VASPID: "v1", Name: "By travel address", Routes: counterparty.Routes{TRP: &counterparty.TRP{TravelAddress: "ta2W2HPKfHxgSgrzY178knqXHg1H3jfeQrwQ9JrKBs9wv"}}},
		{ID: "c3", VASPID: "v1", Name: "Other host", Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: "https://gamma.example/trp"}}},
		{ID: "c4", VASPID: "v1", Name: "Mentions the host, no TRP", Website: "https://trp.beta.example", Routes: counterparty.Routes{Email: "ops@trp.beta.example"}},
		{ID: "c5", VASPID: "v2", Name: "Another VASP's", Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: "https://trp.beta.example/x"}}},
		{ID: "c6", VASPID: "v1", Name: "Wildcard bait", Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: "https://trpxbeta.example/x"}}},
	} {
		c.Standing, c.CreatedAt, c.UpdatedAt = counterparty.StandingAllowed, t0, t0
		tx(t, s, func(tx store.Tx) error { return tx.CreateCounterparty(ctx, c) })
	}
	for _, tc := range []struct {
		host string
		want []string
	}{
		{"trp.beta.example", []string{"c1", "c2"}},
		{"TRP.BETA.EXAMPLE", []string{"c1", "c2"}},
		{"gamma.example", []string{"c2", "c3"}},
		{"trp_beta.example", []string{"c2"}},
		{"nowhere.example", []string{"c2"}},
	} {
		list, err := s.Read().FindTRPCounterparties(ctx, "v1", tc.host, 10)
		require.NoError(t, err)
		var ids []string
		for _, c := range list {
			ids = append(ids, c.ID)
		}
		require.Equal(t, tc.want, ids, tc.host)
	}
}

func testTRPCounterpartyCap(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	for _, id := range []string{"c1", "c2", "c3"} {
		c := &counterparty.Counterparty{ID: id, VASPID: "v1", Name: id, Standing: counterparty.StandingUnknown, CreatedAt: t0, UpdatedAt: t0,
			Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: "https://same.example/" + id}}}
		tx(t, s, func(tx store.Tx) error { return tx.CreateCounterparty(ctx, c) })
	}
	list, err := s.Read().FindTRPCounterparties(ctx, "v1", "same.example", 2)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "c1", list[0].ID)
}
