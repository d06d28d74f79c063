package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// RunWeb runs the conformance tests of the dashboard's queries (store.WebQueries).
func RunWeb(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, store.Store){
		"Users":          testUsers,
		"Sessions":       testSessions,
		"SignInFailures": testSignInFailures,
		"Inbox":          testInbox,
		"InboxSearch":    testInboxSearch,
		"TransfersByDay": testTransfersByDay,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}

func mkUser(id, vaspID, email, role string) *store.User {
	return &store.User{ID: id, VASPID: vaspID, Email: email, Name: "User " + id, Role: role,
		PasswordHash: "$argon2id$hash-" + id, CreatedAt: t0, UpdatedAt: t0}
}

func testUsers(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	mkVASP(t, s, "v2")
	tx(t, s, func(tx store.Tx) error {
		require.NoError(t, tx.CreateUser(ctx, mkUser("u1", "v1", "ann@alpha.example", store.RoleOfficer)))
		require.NoError(t, tx.CreateUser(ctx, mkUser("u2", "v2", "bob@beta.example", store.RoleViewer)))
		return tx.CreateUser(ctx, mkUser("u3", "", "ops@node.example", store.RoleOperator))
	})
	err := s.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateUser(ctx, mkUser("u4", "v2", "ann@alpha.example", store.RoleAdmin))
	})
	require.ErrorIs(t, err, store.ErrConflict, "e-mail addresses are unique on the node")

	got, err := s.Read().GetUserByEmail(ctx, "ann@alpha.example")
	require.NoError(t, err)
	require.Equal(t, "u1", got.ID)
	require.Equal(t, "v1", got.VASPID)
	require.Equal(t, store.RoleOfficer, got.Role)
	require.Equal(t, t0, got.CreatedAt)
	require.Nil(t, got.LastLoginAt)
	require.False(t, got.Disabled)
	_, err = s.Read().GetUserByEmail(ctx, "nobody@alpha.example")
	require.ErrorIs(t, err, store.ErrNotFound)

	login := t0.Add(time.Hour)
	got.Role, got.Disabled, got.Name, got.PasswordHash, got.LastLoginAt, got.UpdatedAt = store.RoleAdmin, true, "Ann", "new", &login, login
	tx(t, s, func(tx store.Tx) error { return tx.UpdateUser(ctx, got) })
	again, err := s.Read().GetUser(ctx, "u1")
	require.NoError(t, err)
	require.Equal(t, *got, *again)
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateUser(ctx, mkUser("nope", "v1", "x@y.z", store.RoleAdmin)) })
	require.ErrorIs(t, err, store.ErrNotFound)

	v1, err := s.Read().ListUsers(ctx, "v1")
	require.NoError(t, err)
	require.Len(t, v1, 1)
	all, err := s.Read().ListUsers(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []string{"ann@alpha.example", "bob@beta.example", "ops@node.example"},
		[]string{all[0].Email, all[1].Email, all[2].Email}, "ordered by e-mail address")
}

func testSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	tx(t, s, func(tx store.Tx) error {
		return tx.CreateUser(ctx, mkUser("u1", "v1", "ann@alpha.example", store.RoleOfficer))
	})
	mk := func(id string, seen, expires time.Time) *store.Session {
		return &store.Session{ID: id, UserID: "u1", VASPID: "v1", CreatedAt: t0, LastSeenAt: seen, ExpiresAt: expires}
	}
	tx(t, s, func(tx store.Tx) error {
		require.NoError(t, tx.CreateSession(ctx, mk("s1", t0, t0.Add(12*time.Hour))))
		require.NoError(t, tx.CreateSession(ctx, mk("s2", t0, t0.Add(time.Hour))))
		require.NoError(t, tx.CreateSession(ctx, mk("s3", t0.Add(-2*time.Hour), t0.Add(12*time.Hour))))
		return tx.CreateSession(ctx, mk("s4", t0, t0.Add(12*time.Hour)))
	})
	got, err := s.Read().GetSession(ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, *mk("s1", t0, t0.Add(12*time.Hour)), *got)

	got.VASPID, got.LastSeenAt = "v9", t0.Add(time.Minute)
	tx(t, s, func(tx store.Tx) error { return tx.UpdateSession(ctx, got) })
	again, err := s.Read().GetSession(ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, "v9", again.VASPID)
	require.Equal(t, t0.Add(time.Minute), again.LastSeenAt)

	// At t0+90m: s2 expired, s3 idle since before t0-1h; s1 and s4 stay.
	var n int64
	tx(t, s, func(tx store.Tx) error {
		n, err = tx.DeleteExpiredSessions(ctx, t0.Add(90*time.Minute), t0.Add(-time.Hour))
		return err
	})
	require.EqualValues(t, 2, n)
	for id, want := range map[string]error{"s1": nil, "s2": store.ErrNotFound, "s3": store.ErrNotFound, "s4": nil} {
		_, err := s.Read().GetSession(ctx, id)
		if want == nil {
			require.NoError(t, err, id)
		} else {
			require.ErrorIs(t, err, want, id)
		}
	}
	tx(t, s, func(tx store.Tx) error { return tx.DeleteUserSessions(ctx, "u1", "s4") })
	_, err = s.Read().GetSession(ctx, "s1")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Read().GetSession(ctx, "s4")
	require.NoError(t, err, "the kept session survives")
	tx(t, s, func(tx store.Tx) error {
		require.NoError(t, tx.DeleteSession(ctx, "s4"))
		return tx.DeleteSession(ctx, "s4")
	})
	_, err = s.Read().GetSession(ctx, "s4")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testSignInFailures(t *testing.T, s store.Store) {
	ctx := context.Background()
	const email = "ann@alpha.example"
	fail := func(at time.Time) int {
		var n int
		tx(t, s, func(tx store.Tx) error {
			var err error
			n, err = tx.RecordSignInFailure(ctx, email, at, at.Add(-15*time.Minute))
			return err
		})
		return n
	}
	until, err := s.Read().SignInLockedUntil(ctx, email)
	require.NoError(t, err)
	require.True(t, until.IsZero())
	require.Equal(t, 1, fail(t0))
	require.Equal(t, 2, fail(t0.Add(time.Minute)))
	require.Equal(t, 3, fail(t0.Add(2*time.Minute)))
	require.Equal(t, 1, fail(t0.Add(time.Hour)), "an old failure no longer counts")
	require.Equal(t, 2, fail(t0.Add(time.Hour+time.Second)))

	lock := t0.Add(2 * time.Hour)
	tx(t, s, func(tx store.Tx) error { return tx.LockSignIn(ctx, email, lock) })
	until, err = s.Read().SignInLockedUntil(ctx, email)
	require.NoError(t, err)
	require.Equal(t, lock, until)
	require.Equal(t, 1, fail(t0.Add(time.Hour+2*time.Second)), "a lock restarts the count")

	tx(t, s, func(tx store.Tx) error { return tx.LockSignIn(ctx, "new@alpha.example", lock) })
	until, err = s.Read().SignInLockedUntil(ctx, "new@alpha.example")
	require.NoError(t, err)
	require.Equal(t, lock, until, "an address without failures can be locked")

	tx(t, s, func(tx store.Tx) error { return tx.ClearSignInFailures(ctx, email) })
	until, err = s.Read().SignInLockedUntil(ctx, email)
	require.NoError(t, err)
	require.True(t, until.IsZero())
	require.Equal(t, 1, fail(t0.Add(time.Hour+3*time.Second)))
}

// inboxCase is one transfer of the inbox tests and whether it waits for a person.
type inboxCase struct {
	id        string
	dir       transfer.Direction
	initiator string
	status    transfer.Status
	inbox     bool
}

var inboxCases = []inboxCase{
	{"t01", transfer.Outgoing, transfer.InitiatorOriginator, transfer.StatusNew, true},
	{"t02", transfer.Outgoing, transfer.InitiatorOriginator, transfer.StatusSent, false}, // waits for the counterparty
	{"t03", transfer.Incoming, transfer.InitiatorOriginator, transfer.StatusSent, true},  // our address confirmation
	{"t04", transfer.Incoming, transfer.InitiatorOriginator, transfer.StatusACK, true},   // our decision
	{"t05", transfer.Incoming, transfer.InitiatorOriginator, transfer.StatusNotReady, true},
	{"t06", transfer.Outgoing, transfer.InitiatorOriginator, transfer.StatusWaitingForInformation, true},
	{"t07", transfer.Incoming, transfer.InitiatorBeneficiary, transfer.StatusSent, false}, // our request, their move
	{"t08", transfer.Outgoing, transfer.InitiatorBeneficiary, transfer.StatusSent, true},  // a request we received
	{"t09", transfer.Outgoing, transfer.InitiatorOriginator, transfer.StatusCompleted, false},
	{"t10", transfer.Incoming, transfer.InitiatorOriginator, transfer.StatusAccepted, false},
	{"t11", transfer.Outgoing, transfer.InitiatorOriginator, transfer.StatusACK, false},
	{"t12", transfer.Incoming, "", transfer.StatusIncomplete, false},
	{"t13", transfer.Outgoing, transfer.InitiatorOriginator, transfer.StatusSaved, false},
}

func seedInbox(t *testing.T, s store.Store, vaspID string) {
	ctx := context.Background()
	tx(t, s, func(tx store.Tx) error {
		for i, c := range inboxCases {
			tr := mkTransfer(vaspID, c.id)
			tr.Ref = vaspID + "-" + c.id
			tr.Direction, tr.Initiator, tr.Status = c.dir, c.initiator, c.status
			tr.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
			tr.CounterpartyID = "cp-" + vaspID
			if c.id == "t04" {
				tr.CounterpartyID = "cp-other"
				tr.TxHash = "0xHASH"
				tr.OriginAddress = "0xMiXeD"
			}
			tr.ID = vaspID + "-" + c.id
			if err := tx.CreateTransfer(ctx, tr); err != nil {
				return err
			}
		}
		return nil
	})
}

func inboxIDs(list []store.Transfer) []string {
	out := []string{}
	for _, t := range list {
		out = append(out, t.ID)
	}
	return out
}

func testInbox(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	mkVASP(t, s, "v2")
	seedInbox(t, s, "v1")
	seedInbox(t, s, "v2")

	var want []string
	wantCount := map[transfer.Status]int{}
	for _, c := range inboxCases {
		if c.inbox {
			want = append(want, "v1-"+c.id)
			wantCount[c.status]++
		}
	}
	got, err := s.Read().ListInbox(ctx, store.InboxFilter{VASPID: "v1"})
	require.NoError(t, err)
	require.Equal(t, want, inboxIDs(got), "oldest first, only what waits for a person, only v1's")
	counts, err := s.Read().CountInbox(ctx, "v1")
	require.NoError(t, err)
	require.Equal(t, wantCount, counts)

	page1, err := s.Read().ListInbox(ctx, store.InboxFilter{VASPID: "v1", Limit: 2})
	require.NoError(t, err)
	require.Equal(t, want[:2], inboxIDs(page1))
	page2, err := s.Read().ListInbox(ctx, store.InboxFilter{VASPID: "v1", Limit: 2, After: page1[1].ID})
	require.NoError(t, err)
	require.Equal(t, want[2:4], inboxIDs(page2))

	in, err := s.Read().ListInbox(ctx, store.InboxFilter{VASPID: "v1", Direction: transfer.Incoming})
	require.NoError(t, err)
	require.Equal(t, []string{"v1-t03", "v1-t04", "v1-t05"}, inboxIDs(in))
	st, err := s.Read().ListInbox(ctx, store.InboxFilter{VASPID: "v1", Statuses: []transfer.Status{transfer.StatusSent}})
	require.NoError(t, err)
	require.Equal(t, []string{"v1-t03", "v1-t08"}, inboxIDs(st))
}

func testInboxSearch(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	mkVASP(t, s, "v2")
	seedInbox(t, s, "v1")
	seedInbox(t, s, "v2")
	for _, tc := range []struct {
		name string
		f    store.InboxFilter
		want []string
	}{
		{"ref", store.InboxFilter{Query: "v1-t03"}, []string{"v1-t03"}},
		{"another VASP's ref", store.InboxFilter{Query: "v2-t03"}, []string{}},
		{"not waiting", store.InboxFilter{Query: "v1-t09"}, []string{}},
		{"tx hash", store.InboxFilter{Query: "0xHASH"}, []string{"v1-t04"}},
		{"destination in another case", store.InboxFilter{Query: "0XABC", Statuses: []transfer.Status{transfer.StatusNew}}, []string{"v1-t01"}},
		{"origin in another case", store.InboxFilter{Query: "0xmixed"}, []string{"v1-t04"}},
		{"counterparty", store.InboxFilter{CounterpartyIDs: []string{"cp-other"}}, []string{"v1-t04"}},
		{"query or counterparty", store.InboxFilter{Query: "v1-t06", CounterpartyIDs: []string{"cp-other"}}, []string{"v1-t04", "v1-t06"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.VASPID = "v1"
			got, err := s.Read().ListInbox(ctx, tc.f)
			require.NoError(t, err)
			require.Equal(t, tc.want, inboxIDs(got))
		})
	}
}

func testTransfersByDay(t *testing.T, s store.Store) {
	ctx := context.Background()
	mkVASP(t, s, "v1")
	mkVASP(t, s, "v2")
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	tx(t, s, func(tx store.Tx) error {
		for i, st := range []transfer.Status{transfer.StatusCompleted, transfer.StatusCompleted, transfer.StatusNew, transfer.StatusCompleted} {
			tr := mkTransfer("v1", fmt.Sprintf("c%d", i))
			tr.Status = st
			tr.CreatedAt = day.Add(time.Duration(i) * 9 * time.Hour) // 0h, 9h, 18h, 27h: three on day one, one on day two
			if err := tx.CreateTransfer(ctx, tr); err != nil {
				return err
			}
		}
		old := mkTransfer("v1", "old")
		old.CreatedAt = day.Add(-48 * time.Hour)
		if err := tx.CreateTransfer(ctx, old); err != nil {
			return err
		}
		if err := tx.CreateTransfer(ctx, mkTransfer("v2", "other")); err != nil {
			return err
		}
		for i, e := range []audit.Event{
			{From: "NEW", To: "SENT", Actor: audit.Actor{Type: audit.ActorPolicy}},                         // automated
			{From: "NEW", To: "SENT", Actor: audit.Actor{Type: audit.ActorUser}},                           // a person
			{From: "SENT", To: "ACK", Actor: audit.Actor{Type: audit.ActorSystem}},                         // not a decision
			{From: "ACK", To: "ACCEPTED", Actor: audit.Actor{Type: audit.ActorPeer}},                       // the counterparty's
			{From: "", To: "SAVED", Actor: audit.Actor{Type: audit.ActorSystem}, Type: "transfer.created"}, // automated, day two
			{From: "ACK", To: "DECLINED", Actor: audit.Actor{Type: audit.ActorAPIKey}},                     // a person (the backend), day two
		} {
			e.ID, e.VASPID, e.TransferID = fmt.Sprintf("e%d", i), "v1", "c0"
			if e.Type == "" {
				e.Type = "transfer.status_changed"
			}
			e.CreatedAt = day.Add(time.Hour)
			if i >= 4 {
				e.CreatedAt = day.Add(25 * time.Hour)
			}
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	decisions, err := s.Read().DecisionsByDay(ctx, "v1", day)
	require.NoError(t, err)
	require.Equal(t, []store.DecisionDay{{Day: day, Automated: 1, Manual: 1}, {Day: day.Add(24 * time.Hour), Automated: 1, Manual: 1}}, decisions)
	byDay, err := s.Read().TransfersByDay(ctx, "v1", day)
	require.NoError(t, err)
	require.Equal(t, []store.DayCount{
		{Day: day, Status: transfer.StatusCompleted, Count: 2},
		{Day: day, Status: transfer.StatusNew, Count: 1},
		{Day: day.Add(24 * time.Hour), Status: transfer.StatusCompleted, Count: 1},
	}, byDay)
	none, err := s.Read().TransfersByDay(ctx, "v2", day.Add(72*time.Hour))
	require.NoError(t, err)
	require.Empty(t, none)
}
