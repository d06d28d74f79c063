package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// RunDecisions runs the conformance tests of the decisions capability's queries
// (store.DecisionQueries).
func RunDecisions(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, store.Store){
		"PolicySets":       testPolicySets,
		"DecisionSettings": testDecisionSettings,
		"ScreeningLists":   testScreeningLists,
		"CountDecisions":   testCountDecisions,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}

func testPolicySets(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	mkVASP(t, s, "v2")
	v, err := s.Read().PolicySetVersion(ctx, "v1", policy.DirectionOutgoing)
	require.NoError(t, err)
	require.Zero(t, v, "no set saved yet")
	_, err = s.Read().GetPolicySet(ctx, "v1", policy.DirectionOutgoing, 0)
	require.ErrorIs(t, err, store.ErrNotFound)

	set := func(version int, names ...string) *policy.Set {
		ps := &policy.Set{VASPID: "v1", Direction: policy.DirectionOutgoing, Version: version, CreatedAt: t0.Add(time.Duration(version) * time.Minute), CreatedBy: "api_key:k1"}
		for _, n := range names {
			ps.Policies = append(ps.Policies, policy.Policy{Name: n, Condition: "true", Action: policy.ActionReview, Points: []string{policy.PointOutgoingCreated}})
		}
		return ps
	}
	tx(t, s, func(tx store.Tx) error { return tx.CreatePolicySet(ctx, set(1, "a")) })
	tx(t, s, func(tx store.Tx) error { return tx.CreatePolicySet(ctx, set(2, "b", "c")) })
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.CreatePolicySet(ctx, set(2, "x")) })
	require.ErrorIs(t, err, store.ErrConflict, "a version is written once")

	latest, err := s.Read().GetPolicySet(ctx, "v1", policy.DirectionOutgoing, 0)
	require.NoError(t, err)
	require.Equal(t, 2, latest.Version)
	require.Equal(t, []string{"b", "c"}, []string{latest.Policies[0].Name, latest.Policies[1].Name})
	require.Equal(t, []string{policy.PointOutgoingCreated}, latest.Policies[0].Points)
	require.Equal(t, "api_key:k1", latest.CreatedBy)
	require.True(t, latest.CreatedAt.Equal(t0.Add(2*time.Minute)))
	first, err := s.Read().GetPolicySet(ctx, "v1", policy.DirectionOutgoing, 1)
	require.NoError(t, err)
	require.Equal(t, "a", first.Policies[0].Name)
	v, err = s.Read().PolicySetVersion(ctx, "v1", policy.DirectionOutgoing)
	require.NoError(t, err)
	require.Equal(t, 2, v)

	_, err = s.Read().GetPolicySet(ctx, "v1", policy.DirectionIncoming, 0)
	require.ErrorIs(t, err, store.ErrNotFound, "directions are separate sets")
	_, err = s.Read().GetPolicySet(ctx, "v2", policy.DirectionOutgoing, 0)
	require.ErrorIs(t, err, store.ErrNotFound, "another VASP's set is not found")

	tx(t, s, func(tx store.Tx) error {
		return tx.CreatePolicySet(ctx, &policy.Set{VASPID: "v1", Direction: policy.DirectionIncoming, Version: 1, CreatedAt: t0})
	})
	empty, err := s.Read().GetPolicySet(ctx, "v1", policy.DirectionIncoming, 0)
	require.NoError(t, err)
	require.NotNil(t, empty.Policies, "an empty set reads back as an empty list")
	require.Empty(t, empty.Policies)
}

func testDecisionSettings(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	_, err := s.Read().GetDecisionSettings(ctx, "v1")
	require.ErrorIs(t, err, store.ErrNotFound)
	tx(t, s, func(tx store.Tx) error {
		return tx.PutDecisionSettings(ctx, "v1", &policy.DecisionSettings{NameMatchThreshold: 0.95}, t0)
	})
	tx(t, s, func(tx store.Tx) error {
		return tx.PutDecisionSettings(ctx, "v1", &policy.DecisionSettings{NameMatchThreshold: 0.85}, t0)
	})
	got, err := s.Read().GetDecisionSettings(ctx, "v1")
	require.NoError(t, err)
	require.Equal(t, 0.85, got.NameMatchThreshold, "the second put replaces the first")
}

func putList(t *testing.T, s store.Store, id, name string, at time.Time, chunks ...[]byte) {
	t.Helper()
	ctx := context.Background()
	tx(t, s, func(tx store.Tx) error {
		return tx.CreateScreeningList(ctx, &store.ScreeningList{ID: id, Name: name, Version: "v-" + id, Format: "csv",
			Entries: 3, Entities: 1, Hash: "sha256:ab", ImportedAt: at})
	})
	for i, c := range chunks {
		tx(t, s, func(tx store.Tx) error { return tx.PutScreeningListChunk(ctx, id, i, c) })
	}
}

func readList(t *testing.T, s store.Store, id string) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, s.Read().ReadScreeningList(context.Background(), id, func(b []byte) error {
		buf.Write(b)
		return nil
	}))
	return buf.Bytes()
}

func testScreeningLists(t *testing.T, s store.Store) {
	ctx := context.Background()
	pub := t0.Add(-24 * time.Hour)
	tx(t, s, func(tx store.Tx) error {
		return tx.CreateScreeningList(ctx, &store.ScreeningList{ID: "l1", Name: "ofac-sdn", Version: "2026-11-20", Format: "ofac-sdn",
			Entries: 2, Entities: 1, Published: &pub, ImportedAt: t0})
	})
	tx(t, s, func(tx store.Tx) error { return tx.PutScreeningListChunk(ctx, "l1", 0, []byte("abc")) })
	tx(t, s, func(tx store.Tx) error { return tx.PutScreeningListChunk(ctx, "l1", 1, []byte("def")) })
	err := s.InTx(ctx, func(tx store.Tx) error { return tx.PutScreeningListChunk(ctx, "l1", 1, []byte("x")) })
	require.ErrorIs(t, err, store.ErrConflict)
	active, err := s.Read().ListScreeningLists(ctx, true)
	require.NoError(t, err)
	require.Empty(t, active, "a version is inactive until activated")
	tx(t, s, func(tx store.Tx) error { return tx.ActivateScreeningList(ctx, "l1", 6) })
	require.Equal(t, []byte("abcdef"), readList(t, s, "l1"), "chunks come back in order")
	active, err = s.Read().ListScreeningLists(ctx, true)
	require.NoError(t, err)
	require.Len(t, active, 1)
	require.Equal(t, "2026-11-20", active[0].Version)
	require.Equal(t, int64(6), active[0].Bytes)
	require.True(t, pub.Equal(*active[0].Published))

	// Two more versions: the newest is active, the one it replaced stays, the oldest goes.
	putList(t, s, "l2", "ofac-sdn", t0.Add(time.Hour), []byte("l2"))
	tx(t, s, func(tx store.Tx) error { return tx.ActivateScreeningList(ctx, "l2", 2) })
	putList(t, s, "l3", "ofac-sdn", t0.Add(2*time.Hour), []byte("l3"))
	putList(t, s, "other", "my-list", t0, []byte("o"))
	tx(t, s, func(tx store.Tx) error { return tx.ActivateScreeningList(ctx, "l3", 2) })
	tx(t, s, func(tx store.Tx) error { return tx.ActivateScreeningList(ctx, "other", 1) })
	all, err := s.Read().ListScreeningLists(ctx, false)
	require.NoError(t, err)
	var ids []string
	for _, l := range all {
		ids = append(ids, l.ID)
	}
	require.Equal(t, []string{"l3", "l2", "other"}, ids, "newest first; l1 was deleted")
	active, err = s.Read().ListScreeningLists(ctx, true)
	require.NoError(t, err)
	require.Len(t, active, 2)
	err = s.Read().ReadScreeningList(ctx, "l1", func([]byte) error { return nil })
	require.ErrorIs(t, err, store.ErrNotFound)

	tx(t, s, func(tx store.Tx) error { return tx.DeleteScreeningList(ctx, "l2") })
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.DeleteScreeningList(ctx, "l2") })
	require.ErrorIs(t, err, store.ErrNotFound)
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.ActivateScreeningList(ctx, "nope", 1) })
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testCountDecisions(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	out := mkTransfer("v1", "out")
	in := mkTransfer("v1", "in")
	in.Direction = transfer.Incoming
	tx(t, s, func(tx store.Tx) error {
		require.NoError(t, tx.CreateTransfer(ctx, out))
		return tx.CreateTransfer(ctx, in)
	})
	policyActor := audit.Actor{Type: audit.ActorPolicy, ID: "p"}
	person := audit.Actor{Type: audit.ActorAPIKey, ID: "k"}
	peer := audit.Actor{Type: audit.ActorPeer, ID: "cp"}
	n := 0
	ev := func(transferID, typ, from, to string, a audit.Actor, at time.Time) {
		n++
		tx(t, s, func(tx store.Tx) error {
			return tx.AppendAudit(ctx, &audit.Event{ID: "e" + string(rune('a'+n)), VASPID: "v1", TransferID: transferID,
				Type: typ, From: from, To: to, Actor: a, CreatedAt: at})
		})
	}
	ev("out", "transfer.created", "", "NEW", person, t0)                        // not a decision
	ev("out", "transfer.status_changed", "NEW", "SENT", policyActor, t0)        // automated
	ev("out", "transfer.status_changed", "SENT", "ACCEPTED", peer, t0)          // the counterparty's
	ev("out", "transfer.created", "", "SAVED", audit.Actor{Type: "system"}, t0) // automated, kept
	ev("in", "transfer.status_changed", "ACK", "ACCEPTED", person, t0)          // a person
	ev("in", "transfer.status_changed", "SENT", "DECLINED", policyActor, t0.Add(-time.Hour))
	ev("in", "transfer.decided", "", "", policyActor, t0) // not a move

	got, err := s.Read().CountDecisions(ctx, "v1", t0.Add(-time.Minute), t0.Add(time.Minute))
	require.NoError(t, err)
	require.ElementsMatch(t, []store.DecisionCount{
		{Direction: "incoming", To: "ACCEPTED", Automated: false, Count: 1},
		{Direction: "outgoing", To: "SAVED", Automated: true, Count: 1},
		{Direction: "outgoing", To: "SENT", Automated: true, Count: 1},
	}, got)
	got, err = s.Read().CountDecisions(ctx, "v1", t0.Add(-2*time.Hour), t0.Add(time.Minute))
	require.NoError(t, err)
	require.Len(t, got, 4, "the earlier decline is in the wider window")
}
