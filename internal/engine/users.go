package engine

import (
	"context"
	"errors"
	"strings"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/store"
)

// Dashboard users are people; creating them and changing their role, password or access are
// changes like any other, audited in their VASP's trail (operators, who belong to no VASP, are
// not, like administrator API keys). Audit data carries ids and roles, never names or e-mail
// addresses. Passwords arrive hashed: the dashboard owns the hashing.

// NewUser is a dashboard user to create.
type NewUser struct {
	// VASPID is the user's VASP; empty for an operator.
	VASPID string
	Email  string
	Name   string
	Role   string
	// PasswordHash is the argon2id hash of the first password.
	PasswordHash string
}

// UserUpdate changes a user; nil fields stay as they are.
type UserUpdate struct {
	Name         *string
	Role         *string
	Disabled     *bool
	PasswordHash *string
	// KeepSession is a session id spared when the change signs the user out everywhere else
	// (a user changing their own password stays signed in).
	KeepSession string
}

func validRole(role string) bool {
	switch role {
	case store.RoleViewer, store.RoleOfficer, store.RoleAdmin, store.RoleOperator:
		return true
	}
	return false
}

// CreateUser adds a dashboard user. The e-mail address is the sign-in name, unique on the node
// (a *ConflictError when taken); operators belong to no VASP, everyone else to one.
func (e *Engine) CreateUser(ctx context.Context, actor audit.Actor, in NewUser) (*store.User, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	var fe []FieldError
	if len(in.Email) < 3 || len(in.Email) > 254 || !strings.Contains(in.Email, "@") {
		fe = append(fe, FieldError{Path: "email", Code: "invalid_email", Message: "email must be an e-mail address"})
	}
	if in.Name == "" || len(in.Name) > 200 {
		fe = append(fe, FieldError{Path: "name", Code: "required", Message: "name is required (at most 200 characters)"})
	}
	switch {
	case !validRole(in.Role):
		fe = append(fe, FieldError{Path: "role", Code: "invalid", Message: "role must be viewer, officer, admin or operator"})
	case (in.Role == store.RoleOperator) != (in.VASPID == ""):
		fe = append(fe, FieldError{Path: "vasp_id", Code: "invalid", Message: "operators belong to no VASP; every other role to one"})
	}
	if in.PasswordHash == "" {
		fe = append(fe, FieldError{Path: "password", Code: "required", Message: "password is required"})
	}
	if len(fe) > 0 {
		return nil, &ValidationError{Fields: fe}
	}
	var u *store.User
	err := e.do(ctx, actor, func(o *op) error {
		if in.VASPID != "" {
			if _, err := o.tx.GetVASP(o.ctx, in.VASPID); err != nil {
				return err
			}
		}
		u = &store.User{ID: e.newID(), VASPID: in.VASPID, Email: in.Email, Name: in.Name, Role: in.Role,
			PasswordHash: in.PasswordHash, CreatedAt: o.now, UpdatedAt: o.now}
		if err := o.tx.CreateUser(o.ctx, u); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflictf("a user with this e-mail address exists")
			}
			return err
		}
		if u.VASPID == "" {
			return nil
		}
		return o.audit(u.VASPID, "", "user.created", "", "", "", map[string]any{"user_id": u.ID, "role": u.Role})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UpdateUser changes a user's name, role, access or password. Disabling a user or changing its
// password ends its sessions (but in.KeepSession). An operator stays an operator and a VASP's
// user stays with its VASP.
func (e *Engine) UpdateUser(ctx context.Context, actor audit.Actor, id string, in UserUpdate) (*store.User, error) {
	var u *store.User
	err := e.do(ctx, actor, func(o *op) error {
		var err error
		if u, err = o.tx.GetUser(o.ctx, id); err != nil {
			return err
		}
		data := map[string]any{"user_id": u.ID}
		if in.Name != nil {
			name := strings.TrimSpace(*in.Name)
			if name == "" || len(name) > 200 {
				return invalid("name", "required", "name is required (at most 200 characters)")
			}
			u.Name = name
			data["name_changed"] = true
		}
		if in.Role != nil && *in.Role != u.Role {
			if !validRole(*in.Role) || (*in.Role == store.RoleOperator) != (u.VASPID == "") {
				return invalid("role", "invalid", "role must be viewer, officer or admin for a VASP's user")
			}
			data["role_from"], data["role"] = u.Role, *in.Role
			u.Role = *in.Role
		}
		signOut := false
		if in.Disabled != nil && *in.Disabled != u.Disabled {
			u.Disabled = *in.Disabled
			data["disabled"] = u.Disabled
			signOut = signOut || u.Disabled
		}
		if in.PasswordHash != nil {
			if *in.PasswordHash == "" {
				return invalid("password", "required", "password is required")
			}
			u.PasswordHash = *in.PasswordHash
			data["password_changed"] = true
			signOut = true
		}
		u.UpdatedAt = o.now
		if err := o.tx.UpdateUser(o.ctx, u); err != nil {
			return err
		}
		if signOut {
			if err := o.tx.DeleteUserSessions(o.ctx, u.ID, in.KeepSession); err != nil {
				return err
			}
		}
		if u.VASPID == "" {
			return nil
		}
		return o.audit(u.VASPID, "", "user.updated", "", "", "", data)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
