package engine_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/vasp"
)

// Dashboard users are created and changed through the engine, audited in their VASP's trail
// without names or addresses; disabling a user or changing its password ends its sessions.
func TestUsers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.OpenSQLite, vasp.DefaultSettings())
	ctx := context.Background()
	admin := audit.Actor{Type: audit.ActorUser, ID: "u-admin", Name: "Ada Admin"}

	u, err := h.e.CreateUser(ctx, admin, engine.NewUser{VASPID: h.a.ID, Email: " Olga@Alpha.Example ", Name: "Olga Officer",
		Role: store.RoleOfficer, PasswordHash: "$argon2id$x"})
	require.NoError(t, err)
	require.Equal(t, "olga@alpha.example", u.Email, "e-mail addresses are trimmed and lower-cased")

	for name, in := range map[string]engine.NewUser{
		"taken":             {VASPID: h.b.ID, Email: "olga@alpha.example", Name: "X", Role: store.RoleViewer, PasswordHash: "h"},
		"no e-mail":         {VASPID: h.a.ID, Email: "olga", Name: "X", Role: store.RoleViewer, PasswordHash: "h"},
		"no name":           {VASPID: h.a.ID, Email: "x@alpha.example", Role: store.RoleViewer, PasswordHash: "h"},
		"unknown role":      {VASPID: h.a.ID, Email: "x@alpha.example", Name: "X", Role: "root", PasswordHash: "h"},
		"operator of VASP":  {VASPID: h.a.ID, Email: "x@alpha.example", Name: "X", Role: store.RoleOperator, PasswordHash: "h"},
		"officer of none":   {Email: "x@alpha.example", Name: "X", Role: store.RoleOfficer, PasswordHash: "h"},
		"no password":       {VASPID: h.a.ID, Email: "x@alpha.example", Name: "X", Role: store.RoleViewer},
		"unknown VASP":      {VASPID: "nope", Email: "x@alpha.example", Name: "X", Role: store.RoleViewer, PasswordHash: "h"},
		"name too long":     {VASPID: h.a.ID, Email: "x@alpha.example", Name: strings.Repeat("x", 201), Role: store.RoleViewer, PasswordHash: "h"},
		"address too long:": {VASPID: h.a.ID, Email: strings.Repeat("x", 250) + "@a.example", Name: "X", Role: store.RoleViewer, PasswordHash: "h"},
	} {
		_, err := h.e.CreateUser(ctx, admin, in)
		require.Error(t, err, name)
		require.NotContains(t, err.Error(), "x@alpha.example", "errors carry no addresses")
	}
	op, err := h.e.CreateUser(ctx, admin, engine.NewUser{Email: "ops@node.example", Name: "Otto", Role: store.RoleOperator, PasswordHash: "h"})
	require.NoError(t, err)

	now := time.Now().UTC()
	sess := func(id string) *store.Session {
		return &store.Session{ID: id, UserID: u.ID, VASPID: h.a.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	require.NoError(t, h.s.InTx(ctx, func(tx store.Tx) error {
		require.NoError(t, tx.CreateSession(ctx, sess("s1")))
		return tx.CreateSession(ctx, sess("s2"))
	}))
	role, hash := store.RoleAdmin, "$argon2id$new"
	_, err = h.e.UpdateUser(ctx, admin, u.ID, engine.UserUpdate{Role: &role})
	require.NoError(t, err)
	_, err = h.s.Read().GetSession(ctx, "s1")
	require.NoError(t, err, "a new role keeps the sessions")
	_, err = h.e.UpdateUser(ctx, admin, u.ID, engine.UserUpdate{PasswordHash: &hash, KeepSession: "s2"})
	require.NoError(t, err)
	_, err = h.s.Read().GetSession(ctx, "s1")
	require.ErrorIs(t, err, store.ErrNotFound, "a new password ends the other sessions")
	_, err = h.s.Read().GetSession(ctx, "s2")
	require.NoError(t, err)
	disabled := true
	_, err = h.e.UpdateUser(ctx, admin, u.ID, engine.UserUpdate{Disabled: &disabled})
	require.NoError(t, err)
	_, err = h.s.Read().GetSession(ctx, "s2")
	require.ErrorIs(t, err, store.ErrNotFound, "disabling ends every session")
	got, err := h.s.Read().GetUser(ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, store.RoleAdmin, got.Role)
	require.Equal(t, "$argon2id$new", got.PasswordHash)
	require.True(t, got.Disabled)

	opRole := store.RoleOperator
	_, err = h.e.UpdateUser(ctx, admin, u.ID, engine.UserUpdate{Role: &opRole})
	require.True(t, engine.IsValidation(err), "a VASP's user does not become an operator")
	viewer := store.RoleViewer
	_, err = h.e.UpdateUser(ctx, admin, op.ID, engine.UserUpdate{Role: &viewer})
	require.True(t, engine.IsValidation(err), "an operator stays one")
	_, err = h.e.UpdateUser(ctx, admin, "nope", engine.UserUpdate{Role: &viewer})
	require.ErrorIs(t, err, store.ErrNotFound)

	// The VASP's trail has the changes, by the admin, with ids and roles only.
	events, err := h.s.Read().AuditRange(ctx, h.a.ID, 0, 1000)
	require.NoError(t, err)
	var types []string
	for _, e := range events {
		if strings.HasPrefix(e.Type, "user.") {
			types = append(types, e.Type)
			require.Equal(t, admin, e.Actor)
			require.NotContains(t, string(e.Data), "olga")
			require.NotContains(t, string(e.Data), "Olga")
			var data map[string]any
			require.NoError(t, json.Unmarshal(e.Data, &data))
			require.Equal(t, u.ID, data["user_id"])
		}
	}
	require.Equal(t, []string{"user.created", "user.updated", "user.updated", "user.updated"}, types)
	other, err := h.s.Read().AuditRange(ctx, h.b.ID, 0, 1000)
	require.NoError(t, err)
	for _, e := range other {
		require.False(t, strings.HasPrefix(e.Type, "user."), "operators and other VASPs' users are not in Beta's trail")
	}
}
