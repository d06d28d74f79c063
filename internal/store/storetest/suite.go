package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/sqlstore"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// Run runs the conformance suite against stores made by open.
func Run(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, store.Store){
		"VASPsAndKeys":     testVASPsAndKeys,
		"Transfers":        testTransfers,
		"TransferList":     testTransferList,
		"DepositMatch":     testDepositMatch,
		"Audit":            testAudit,
		"AuditAppendOnly":  testAuditAppendOnly,
		"Jobs":             testJobs,
		"JobsOrderedByKey": testJobsOrderedByKey,
		"JobsConcurrent":   testJobsConcurrent,
		"TxRollback":       testTxRollback,
		"Inbound":          testInbound,
		"Wallets":          testWallets,
		"Counterparties":   testCounterparties,
		"Webhooks":         testWebhooks,
		"ReferenceTables":  testReferenceTables,
		"ConcurrentCAS":    testConcurrentCAS,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func mkVASP(t *testing.T, s store.Store, id string) *vasp.VASP {
	t.Helper()
	v := &vasp.VASP{ID: id, Name: "VASP " + id, Country: "DE", Jurisdiction: "EU", Settings: vasp.DefaultSettings(), CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, s.InTx(context.Background(), func(tx store.Tx) error { return tx.CreateVASP(context.Background(), v, []byte("wrapped-"+id)) }))
	return v
}

func mkTransfer(vaspID, id string) *store.Transfer {
	exp := t0.Add(time.Hour)
	return &store.Transfer{
		Transfer: transfer.Transfer{
			ID: id, VASPID: vaspID, Ref: "ref-" + id, MessageID: "msg-" + id, Direction: transfer.Outgoing,
			Status: transfer.StatusNew, Asset: transfer.Asset{Network: "ethereum", Symbol: "USDC"},
			Amount: decimal.RequireFromString("1250.5"), DestinationAddress: "0xAbC", OriginAddress: "0xdef",
			FiatValue: &transfer.FiatValue{Currency: "EUR", Amount: decimal.RequireFromString("1200"), Source: "given"},
			Threshold: &transfer.Threshold{Applies: true, Jurisdiction: "EU", Currency: "EUR"},
			CreatedAt: t0, UpdatedAt: t0, ExpiresAt: &exp, Version: 1,
		},
		Identity: []byte{1, 2, 3}, RequestHash: "h-" + id, DestinationKey: "0xabc",
	}
}

func tx(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	require.NoError(t, s.InTx(context.Background(), fn))
}

func testVASPsAndKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	v := mkVASP(t, s, "v1")
	got, err := s.Read().GetVASP(ctx, "v1")
	require.NoError(t, err)
	require.Equal(t, v.Name, got.Name)
	require.Equal(t, v.Settings, got.Settings)
	require.Equal(t, t0, got.CreatedAt)
	_, err = s.Read().GetVASP(ctx, "nope")
	require.ErrorIs(t, err, store.ErrNotFound)
	k, err := s.Read().DataKey(ctx, "v1")
	require.NoError(t, err)
	require.Equal(t, []byte("wrapped-v1"), k)

	v.Name = "Renamed"
	v.Settings.OutgoingAction = vasp.ActionApprove
	tx(t, s, func(tx store.Tx) error { return tx.UpdateVASP(ctx, v) })
	got, _ = s.Read().GetVASP(ctx, "v1")
	require.Equal(t, "Renamed", got.Name)
	require.Equal(t, vasp.ActionApprove, got.Settings.OutgoingAction)

	key := &store.APIKey{ID: "k1", VASPID: "v1", Name: "backend", Prefix: "wb_abc", Hash: "hash1", CreatedAt: t0}
	admin := &store.APIKey{ID: "k2", Name: "admin", Prefix: "wb_adm", Hash: "hash2", CreatedAt: t0}
	tx(t, s, func(tx store.Tx) error {
		require.NoError(t, tx.CreateAPIKey(ctx, key))
		return tx.CreateAPIKey(ctx, admin)
	})
	err = s.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateAPIKey(ctx, &store.APIKey{ID: "k3", VASPID: "v1", Name: "dup", Prefix: "x", Hash: "hash1", CreatedAt: t0})
	})
	require.ErrorIs(t, err, store.ErrConflict)
	got2, err := s.Read().GetAPIKeyByHash(ctx, "hash1")
	require.NoError(t, err)
	require.Equal(t, "v1", got2.VASPID)
	keys, err := s.Read().ListAPIKeys(ctx, "")
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.Equal(t, "k2", keys[0].ID)
	tx(t, s, func(tx store.Tx) error { return tx.RevokeAPIKey(ctx, "k1", t0) })
	_, err = s.Read().GetAPIKeyByHash(ctx, "hash1")
	require.ErrorIs(t, err, store.ErrNotFound, "revoked keys do not authenticate")
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.RevokeAPIKey(ctx, "k1", t0) })
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testTransfers(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	mkVASP(t, s, "v2")
	tr := mkTransfer("v1", "t1")
	tx(t, s, func(tx store.Tx) error { return tx.CreateTransfer(ctx, tr) })

	got, err := s.Read().GetTransfer(ctx, "v1", "t1")
	require.NoError(t, err)
	require.Equal(t, tr.Transfer.Amount.String(), got.Amount.String())
	require.Equal(t, tr.FiatValue.Amount.String(), got.FiatValue.Amount.String())
	require.Equal(t, tr.Identity, got.Identity)
	require.Equal(t, "0xabc", got.DestinationKey)
	require.Equal(t, *tr.ExpiresAt, *got.ExpiresAt)
	require.Equal(t, tr.Ref, got.Ref)

	_, err = s.Read().GetTransfer(ctx, "v2", "t1")
	require.ErrorIs(t, err, store.ErrNotFound, "another VASP's transfer is not found")

	dup := mkTransfer("v1", "t2")
	dup.Ref = tr.Ref
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.CreateTransfer(ctx, dup) })
	require.ErrorIs(t, err, store.ErrConflict, "refs are unique per VASP")
	other := mkTransfer("v2", "t3")
	other.Ref = tr.Ref
	other.MessageID = tr.MessageID
	tx(t, s, func(tx store.Tx) error { return tx.CreateTransfer(ctx, other) })

	noRef := mkTransfer("v1", "t4")
	noRef.Ref = ""
	noRef2 := mkTransfer("v1", "t5")
	noRef2.Ref = ""
	tx(t, s, func(tx store.Tx) error {
		require.NoError(t, tx.CreateTransfer(ctx, noRef))
		return tx.CreateTransfer(ctx, noRef2)
	})

	byRef, err := s.Read().GetTransferByRef(ctx, "v1", tr.Ref)
	require.NoError(t, err)
	require.Equal(t, "t1", byRef.ID)
	byMsg, err := s.Read().GetTransferByMessageID(ctx, "v2", tr.MessageID)
	require.NoError(t, err)
	require.Equal(t, "t3", byMsg.ID)

	got.Status = transfer.StatusSent
	got.Version = 2
	got.TxHash = "0xhash"
	got.Decision = &transfer.Decision{Action: "approve", Source: "default", DecidedAt: t0}
	tx(t, s, func(tx store.Tx) error { return tx.UpdateTransfer(ctx, got, 1) })
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateTransfer(ctx, got, 1) })
	require.ErrorIs(t, err, store.ErrStale)
	again, _ := s.Read().GetTransfer(ctx, "v1", "t1")
	require.Equal(t, transfer.StatusSent, again.Status)
	require.Equal(t, 2, again.Version)
	require.Equal(t, "approve", again.Decision.Action)
	require.Equal(t, "0xabc", again.DestinationKey)

	counts, err := s.Read().CountTransfers(ctx, "v1", "")
	require.NoError(t, err)
	require.Equal(t, map[transfer.Status]int{transfer.StatusSent: 1, transfer.StatusNew: 2}, counts)
}

func testTransferList(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	tx(t, s, func(tx store.Tx) error {
		for i := 0; i < 25; i++ {
			tr := mkTransfer("v1", fmt.Sprintf("t%02d", i))
			tr.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
			if i%5 == 0 {
				tr.Status = transfer.StatusSent
				tr.Direction = transfer.Incoming
				tr.CounterpartyID = "cp1"
			}
			if i == 7 {
				tr.TxHash = "0xfeed"
			}
			if err := tx.CreateTransfer(ctx, tr); err != nil {
				return err
			}
		}
		return nil
	})
	// Newest first, paginated by cursor, no overlap.
	page1, err := s.Read().ListTransfers(ctx, store.TransferFilter{VASPID: "v1", Limit: 10})
	require.NoError(t, err)
	require.Len(t, page1, 10)
	require.Equal(t, "t24", page1[0].ID)
	page2, err := s.Read().ListTransfers(ctx, store.TransferFilter{VASPID: "v1", Limit: 10, After: page1[9].ID})
	require.NoError(t, err)
	require.Equal(t, "t14", page2[0].ID)
	require.Nil(t, page1[0].Identity, "lists do not load identity data")

	sent, err := s.Read().ListTransfers(ctx, store.TransferFilter{VASPID: "v1", Statuses: []transfer.Status{transfer.StatusSent}, OldestFirst: true})
	require.NoError(t, err)
	require.Len(t, sent, 5)
	require.Equal(t, "t00", sent[0].ID)

	in, err := s.Read().ListTransfers(ctx, store.TransferFilter{VASPID: "v1", Direction: transfer.Incoming, CounterpartyID: "cp1",
		CreatedAfter: t0.Add(6 * time.Minute), CreatedBefore: t0.Add(20 * time.Minute)})
	require.NoError(t, err)
	require.Len(t, in, 2) // t10 and t15; t05 is before the window, t20 at its exclusive end
	for _, tr := range in {
		require.Equal(t, transfer.Incoming, tr.Direction)
	}

	q, err := s.Read().ListTransfers(ctx, store.TransferFilter{VASPID: "v1", Query: "0xfeed"})
	require.NoError(t, err)
	require.Len(t, q, 1)
	require.Equal(t, "t07", q[0].ID)
	q, err = s.Read().ListTransfers(ctx, store.TransferFilter{VASPID: "v1", Query: "ref-t03"})
	require.NoError(t, err)
	require.Len(t, q, 1)

	none, err := s.Read().ListTransfers(ctx, store.TransferFilter{VASPID: "other"})
	require.NoError(t, err)
	require.Empty(t, none)
}

func testDepositMatch(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	in := mkTransfer("v1", "t1")
	in.Direction, in.Status = transfer.Incoming, transfer.StatusAccepted
	old := mkTransfer("v1", "t0")
	old.Direction, old.Status, old.CreatedAt = transfer.Incoming, transfer.StatusAccepted, t0.Add(-48*time.Hour)
	hashed := mkTransfer("v1", "t2")
	hashed.Direction, hashed.Status, hashed.TxHash = transfer.Incoming, transfer.StatusSent, "0xhash"
	done := mkTransfer("v1", "t3")
	done.Direction, done.Status, done.TxHash = transfer.Incoming, transfer.StatusCompleted, "0xdone"
	tx(t, s, func(tx store.Tx) error {
		for _, tr := range []*store.Transfer{in, old, hashed, done} {
			if err := tx.CreateTransfer(ctx, tr); err != nil {
				return err
			}
		}
		return nil
	})
	m, how, err := s.Read().MatchDeposit(ctx, store.DepositMatch{VASPID: "v1", TxHash: "0xhash"})
	require.NoError(t, err)
	require.Equal(t, "t2", m.ID)
	require.Equal(t, "tx_hash", how)

	m, how, err = s.Read().MatchDeposit(ctx, store.DepositMatch{VASPID: "v1", TxHash: "0xother", Network: "ethereum", Symbol: "USDC",
		Destination: "0xabc", Amount: decimal.RequireFromString("1250.50"), Since: t0.Add(-time.Hour)})
	require.NoError(t, err)
	require.Equal(t, "t1", m.ID, "matched by asset, destination and amount within the window")
	require.Equal(t, "amount", how)

	m, how, err = s.Read().MatchDeposit(ctx, store.DepositMatch{VASPID: "v1", TxHash: "0xdone"})
	require.NoError(t, err, "a hash matches whatever the status")
	require.Equal(t, "t3", m.ID)
	done2 := mkTransfer("v1", "t4")
	done2.Direction, done2.Status, done2.CreatedAt = transfer.Incoming, transfer.StatusCancelled, t0
	done2.Amount = decimal.RequireFromString("7")
	tx(t, s, func(tx store.Tx) error { return tx.CreateTransfer(ctx, done2) })
	_, _, err = s.Read().MatchDeposit(ctx, store.DepositMatch{VASPID: "v1", Network: "ethereum", Symbol: "USDC",
		Destination: "0xabc", Amount: decimal.RequireFromString("7"), Since: t0.Add(-time.Hour)})
	require.ErrorIs(t, err, store.ErrNotFound, "final transfers do not match by amount")
	_, _, err = s.Read().MatchDeposit(ctx, store.DepositMatch{VASPID: "v1", Network: "ethereum", Symbol: "USDC",
		Destination: "0xabc", Amount: decimal.RequireFromString("1"), Since: t0.Add(-time.Hour)})
	require.ErrorIs(t, err, store.ErrNotFound)

	d := &transfer.Deposit{ID: "d1", VASPID: "v1", Ref: "dep-1", TxHash: "0xhash", Asset: transfer.Asset{Network: "ethereum", Symbol: "USDC"},
		Amount: decimal.RequireFromString("5"), DestinationAddress: "0xAbC", TransferID: "t2", Match: "tx_hash", CreatedAt: t0}
	tx(t, s, func(tx store.Tx) error { return tx.CreateDeposit(ctx, d, "rh") })
	err = s.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateDeposit(ctx, &transfer.Deposit{ID: "d2", VASPID: "v1", Ref: "dep-1", TransferID: "t1", Match: "none", CreatedAt: t0}, "x")
	})
	require.ErrorIs(t, err, store.ErrConflict)
	got, hash, err := s.Read().GetDepositByRef(ctx, "v1", "dep-1")
	require.NoError(t, err)
	require.Equal(t, "rh", hash)
	require.Equal(t, "5", got.Amount.String())
	list, err := s.Read().ListDeposits(ctx, "v1", "", 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
}

func testAudit(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	mkVASP(t, s, "v2")
	for i := 0; i < 5; i++ {
		tx(t, s, func(tx store.Tx) error {
			for _, v := range []string{"v1", "v2"} {
				e := &audit.Event{ID: fmt.Sprintf("e%d%s", i, v), VASPID: v, TransferID: "t1", Type: "transfer.status_changed",
					From: "NEW", To: "SENT", Actor: audit.Actor{Type: audit.ActorAPIKey, ID: "k1"}, Data: json.RawMessage(`{"route":"internal"}`),
					CreatedAt: t0.Add(time.Duration(i) * time.Second)}
				if err := tx.AppendAudit(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
	}
	events, err := s.Read().AuditRange(ctx, "v1", 0, 100)
	require.NoError(t, err)
	require.Len(t, events, 5)
	v := audit.Verifier{VASPID: "v1"}
	for i := range events {
		require.NoError(t, v.Next(&events[i]))
	}
	seq, hash, err := s.Read().AuditHead(ctx, "v1")
	require.NoError(t, err)
	require.NoError(t, v.Finish(seq, hash))
	require.Equal(t, int64(5), seq)

	byTransfer, err := s.Read().ListAudit(ctx, "v2", "t1", 0)
	require.NoError(t, err)
	require.Len(t, byTransfer, 5)
	require.Equal(t, int64(1), byTransfer[0].Seq)
	require.JSONEq(t, `{"route":"internal"}`, string(byTransfer[0].Data))
}

func testAuditAppendOnly(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	tx(t, s, func(tx store.Tx) error {
		return tx.AppendAudit(ctx, &audit.Event{ID: "e1", VASPID: "v1", Type: "vasp.created", Actor: audit.Actor{Type: audit.ActorSystem}, CreatedAt: t0})
	})
	w := s.(*sqlstore.DB).Writer()
	_, err := w.ExecContext(ctx, "UPDATE audit_events SET reason = 'edited'")
	require.ErrorContains(t, err, "append-only")
	_, err = w.ExecContext(ctx, "DELETE FROM audit_events")
	require.ErrorContains(t, err, "append-only")
}
