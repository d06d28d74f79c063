package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/store"
)

// RunEmail runs the conformance tests of the e-mail (sunrise) route's queries.
func RunEmail(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, store.Store){
		"EmailLinks":        testEmailLinks,
		"EmailLinkCAS":      testEmailLinkCAS,
		"EmailLinkTokens":   testEmailLinkTokens,
		"EmailLinksExpired": testEmailLinksExpired,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}

func mkEmailLink(t *testing.T, s store.Store, vaspID, transferID string) *store.EmailLink {
	t.Helper()
	tx(t, s, func(tx store.Tx) error {
		return tx.CreateTransfer(context.Background(), mkTransfer(vaspID, transferID))
	})
	return &store.EmailLink{ID: "link-" + transferID, VASPID: vaspID, TransferID: transferID, MessageID: "msg-" + transferID,
		CounterpartyID: "cp-1", Purpose: store.EmailPurposeInquiry, Email: "compliance@gamma.example",
		TokenHash: "token-" + transferID, ExpiresAt: t0.Add(7 * 24 * time.Hour), CreatedAt: t0, UpdatedAt: t0}
}

func testEmailLinks(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	l := mkEmailLink(t, s, "v1", "t1")
	tx(t, s, func(tx store.Tx) error { return tx.CreateEmailLink(ctx, l) })
	require.Equal(t, 1, l.Version)

	got, err := s.Read().GetEmailLink(ctx, l.ID)
	require.NoError(t, err)
	require.Equal(t, l, got, "every field round-trips, absent times stay nil")

	byTransfer, err := s.Read().GetEmailLinkByTransfer(ctx, "v1", "t1")
	require.NoError(t, err)
	require.Equal(t, l.ID, byTransfer.ID)
	_, err = s.Read().GetEmailLinkByTransfer(ctx, "v2", "t1")
	require.ErrorIs(t, err, store.ErrNotFound, "another VASP's transfer")
	_, err = s.Read().GetEmailLink(ctx, "nope")
	require.ErrorIs(t, err, store.ErrNotFound)

	// Every optional time and counter is written and read back.
	at := t0.Add(time.Hour)
	later := at.Add(72 * time.Hour)
	prev := got.Version
	got.TokenUsedAt, got.OpenedAt, got.VerifiedAt, got.ConfirmedAt, got.IdentityShownAt = &at, &at, &at, &at, &at
	got.CodeExpiresAt, got.CodeSentAt, got.LockedAt, got.AccessUntil = &at, &at, &at, &later
	got.SessionHash, got.CodeHash, got.CodesSent, got.FailedCodes = "session", "code", 3, 2
	got.Email, got.CounterpartyID, got.UpdatedAt, got.Version = "new@gamma.example", "cp-2", at, prev+1
	tx(t, s, func(tx store.Tx) error { return tx.UpdateEmailLink(ctx, got, prev) })
	again, err := s.Read().GetEmailLink(ctx, l.ID)
	require.NoError(t, err)
	require.Equal(t, got, again)

	// One link per transfer.
	dup := mkEmailLink(t, s, "v1", "t2")
	dup.TransferID, dup.TokenHash = "t1", "other-token"
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.CreateEmailLink(ctx, dup) })
	require.ErrorIs(t, err, store.ErrConflict)
}

func testEmailLinkCAS(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	l := mkEmailLink(t, s, "v1", "t1")
	tx(t, s, func(tx store.Tx) error { return tx.CreateEmailLink(ctx, l) })

	first := *l
	first.FailedCodes, first.Version = 1, 2
	tx(t, s, func(tx store.Tx) error { return tx.UpdateEmailLink(ctx, &first, 1) })
	stale := *l
	stale.FailedCodes, stale.Version = 1, 2
	err := s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateEmailLink(ctx, &stale, 1) })
	require.ErrorIs(t, err, store.ErrStale, "a concurrent writer moved the version on")

	missing := *l
	missing.ID = "link-missing"
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateEmailLink(ctx, &missing, 1) })
	require.ErrorIs(t, err, store.ErrNotFound)

	got, err := s.Read().GetEmailLink(ctx, l.ID)
	require.NoError(t, err)
	require.Equal(t, 2, got.Version)
	require.Equal(t, 1, got.FailedCodes)
}

func testEmailLinkTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	a := mkEmailLink(t, s, "v1", "t1")
	b := mkEmailLink(t, s, "v1", "t2")
	tx(t, s, func(tx store.Tx) error {
		if err := tx.CreateEmailLink(ctx, a); err != nil {
			return err
		}
		return tx.CreateEmailLink(ctx, b)
	})
	got, err := s.Read().GetEmailLinkByToken(ctx, b.TokenHash)
	require.NoError(t, err)
	require.Equal(t, b.ID, got.ID)
	_, err = s.Read().GetEmailLinkByToken(ctx, "unknown")
	require.ErrorIs(t, err, store.ErrNotFound)

	// A rotated token replaces the old one; a token hash belongs to one link only.
	rot := *a
	rot.TokenHash, rot.Version = "rotated", 2
	tx(t, s, func(tx store.Tx) error { return tx.UpdateEmailLink(ctx, &rot, 1) })
	_, err = s.Read().GetEmailLinkByToken(ctx, a.TokenHash)
	require.ErrorIs(t, err, store.ErrNotFound)
	got, err = s.Read().GetEmailLinkByToken(ctx, "rotated")
	require.NoError(t, err)
	require.Equal(t, a.ID, got.ID)
	clash := rot
	clash.TokenHash, clash.Version = b.TokenHash, 3
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateEmailLink(ctx, &clash, 2) })
	require.ErrorIs(t, err, store.ErrConflict)
}

func testEmailLinksExpired(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	old := mkEmailLink(t, s, "v1", "t1")
	old.ExpiresAt = t0.Add(time.Hour)
	fresh := mkEmailLink(t, s, "v1", "t2")
	fresh.ExpiresAt = t0.Add(48 * time.Hour)
	tx(t, s, func(tx store.Tx) error {
		if err := tx.CreateEmailLink(ctx, old); err != nil {
			return err
		}
		return tx.CreateEmailLink(ctx, fresh)
	})
	var n int
	tx(t, s, func(tx store.Tx) error {
		var err error
		n, err = tx.DeleteEmailLinks(ctx, t0.Add(24*time.Hour))
		return err
	})
	require.Equal(t, 1, n)
	_, err := s.Read().GetEmailLink(ctx, old.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Read().GetEmailLink(ctx, fresh.ID)
	require.NoError(t, err)
}
