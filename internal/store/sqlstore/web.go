package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// The dashboard's queries: users, sessions, sign-in throttling, the review inbox and the
// figures of its charts.

const userCols = `id, vasp_id, email, name, role, password_hash, disabled, created_at, updated_at, last_login_at`

func scanUser(row interface{ Scan(...any) error }) (*store.User, error) {
	var (
		u                store.User
		created, updated int64
		last             sql.NullInt64
	)
	if err := row.Scan(&u.ID, &u.VASPID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &created, &updated, &last); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt, u.LastLoginAt = fromMicros(created), fromMicros(updated), fromNullMicros(last)
	return &u, nil
}

func (s *queries) CreateUser(ctx context.Context, u *store.User) error {
	_, err := s.exec(ctx, "create user", `INSERT INTO web_users (`+userCols+`) VALUES (`+placeholders(1, 10)+`)`,
		u.ID, u.VASPID, u.Email, u.Name, u.Role, u.PasswordHash, u.Disabled, micros(u.CreatedAt), micros(u.UpdatedAt),
		nullMicros(u.LastLoginAt))
	return err
}

func (s *queries) UpdateUser(ctx context.Context, u *store.User) error {
	return s.execOne(ctx, "update user "+u.ID, `UPDATE web_users SET vasp_id = $2, name = $3, role = $4,
		password_hash = $5, disabled = $6, updated_at = $7, last_login_at = $8 WHERE id = $1`,
		u.ID, u.VASPID, u.Name, u.Role, u.PasswordHash, u.Disabled, micros(u.UpdatedAt), nullMicros(u.LastLoginAt))
}

func (s *queries) GetUser(ctx context.Context, id string) (*store.User, error) {
	u, err := scanUser(s.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM web_users WHERE id = $1`, id))
	return u, s.wrap(err, "get user "+id)
}

func (s *queries) GetUserByEmail(ctx context.Context, email string) (*store.User, error) {
	u, err := scanUser(s.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM web_users WHERE email = $1`, email))
	return u, s.wrap(err, "get user by e-mail")
}

func (s *queries) ListUsers(ctx context.Context, vaspID string) ([]store.User, error) {
	q, args := `SELECT `+userCols+` FROM web_users ORDER BY email LIMIT 1000`, []any(nil)
	if vaspID != "" {
		q, args = `SELECT `+userCols+` FROM web_users WHERE vasp_id = $1 ORDER BY email LIMIT 1000`, []any{vaspID}
	}
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.wrap(err, "list users")
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, s.wrap(err, "list users")
		}
		out = append(out, *u)
	}
	return out, s.wrap(rows.Err(), "list users")
}

func (s *queries) CreateSession(ctx context.Context, ss *store.Session) error {
	_, err := s.exec(ctx, "create session", `INSERT INTO web_sessions (id, user_id, vasp_id, created_at, last_seen_at,
		expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		ss.ID, ss.UserID, ss.VASPID, micros(ss.CreatedAt), micros(ss.LastSeenAt), micros(ss.ExpiresAt))
	return err
}

func (s *queries) GetSession(ctx context.Context, id string) (*store.Session, error) {
	var (
		ss                     store.Session
		created, seen, expires int64
	)
	err := s.q.QueryRowContext(ctx, `SELECT id, user_id, vasp_id, created_at, last_seen_at, expires_at
		FROM web_sessions WHERE id = $1`, id).Scan(&ss.ID, &ss.UserID, &ss.VASPID, &created, &seen, &expires)
	if err != nil {
		return nil, s.wrap(err, "get session")
	}
	ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	return &ss, nil
}

func (s *queries) UpdateSession(ctx context.Context, ss *store.Session) error {
	return s.execOne(ctx, "update session", `UPDATE web_sessions SET vasp_id = $2, last_seen_at = $3, expires_at = $4
		WHERE id = $1`, ss.ID, ss.VASPID, micros(ss.LastSeenAt), micros(ss.ExpiresAt))
}

func (s *queries) DeleteSession(ctx context.Context, id string) error {
	_, err := s.exec(ctx, "delete session", `DELETE FROM web_sessions WHERE id = $1`, id)
	return err
}

func (s *queries) DeleteUserSessions(ctx context.Context, userID, keepID string) error {
	_, err := s.exec(ctx, "delete user sessions", `DELETE FROM web_sessions WHERE user_id = $1 AND id <> $2`, userID, keepID)
	return err
}

func (s *queries) DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) (int64, error) {
	return s.exec(ctx, "delete expired sessions", `DELETE FROM web_sessions WHERE expires_at <= $1 OR last_seen_at < $2`,
		micros(now), micros(idleBefore))
}

func (s *queries) RecordSignInFailure(ctx context.Context, email string, at, since time.Time) (int, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `INSERT INTO web_signin_failures (email, failures, locked_until, updated_at)
		VALUES ($1, 1, 0, $2)
		ON CONFLICT (email) DO UPDATE SET updated_at = excluded.updated_at,
			failures = CASE WHEN web_signin_failures.updated_at < $3 THEN 1 ELSE web_signin_failures.failures + 1 END
		RETURNING failures`, email, micros(at), micros(since)).Scan(&n)
	return n, s.wrap(err, "record sign-in failure")
}

func (s *queries) LockSignIn(ctx context.Context, email string, until time.Time) error {
	_, err := s.exec(ctx, "lock sign-in", `INSERT INTO web_signin_failures (email, failures, locked_until, updated_at)
		VALUES ($1, 0, $2, $2)
		ON CONFLICT (email) DO UPDATE SET failures = 0, locked_until = excluded.locked_until`, email, micros(until))
	return err
}

func (s *queries) SignInLockedUntil(ctx context.Context, email string) (time.Time, error) {
	var until int64
	err := s.q.QueryRowContext(ctx, `SELECT locked_until FROM web_signin_failures WHERE email = $1`, email).Scan(&until)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, s.wrap(err, "sign-in lock")
	case until == 0:
		return time.Time{}, nil
	}
	return fromMicros(until), nil
}

func (s *queries) ClearSignInFailures(ctx context.Context, email string) error {
	_, err := s.exec(ctx, "clear sign-in failures", `DELETE FROM web_signin_failures WHERE email = $1`, email)
	return err
}

// inboxCond selects the transfers that wait for a person; migration 00004 indexes them with the
// same condition text (a partial index), so keep the two alike. A record "answers" (the other side
// started the exchange) when it is incoming and we are not the initiator, or outgoing and the
// beneficiary initiated (a post-transaction request we received). The initiator sits in the
// details JSON, whose first key it is when set (see details in transfers.go).
const inboxCond = `(status IN ('NEW', 'WAITING_FOR_INFORMATION') OR (status IN ('SENT', 'ACK', 'NOT_READY') AND (
	(direction = 'incoming' AND details NOT LIKE '{"initiator":"beneficiary"%') OR
	(direction = 'outgoing' AND details LIKE '{"initiator":"beneficiary"%'))))`

// inboxFrom names the transfers table for the inbox's queries. SQLite without ANALYZE statistics
// does not see how small the partial index is and walks a full one instead (a hundred times
// slower at 10,000 transfers), so it is told; PostgreSQL's planner has statistics.
func (s *queries) inboxFrom() string {
	if s.d.Name == "sqlite" {
		return "transfers INDEXED BY transfers_inbox"
	}
	return "transfers"
}

func (s *queries) ListInbox(ctx context.Context, f store.InboxFilter) ([]store.Transfer, error) {
	where := []string{"vasp_id = $1", inboxCond}
	args := []any{f.VASPID}
	next := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Direction != "" {
		where = append(where, "direction = "+next(string(f.Direction)))
	}
	if len(f.Statuses) > 0 {
		ph := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ph[i] = next(string(st))
		}
		where = append(where, "status IN ("+strings.Join(ph, ", ")+")")
	}
	var match []string
	if f.Query != "" {
		n := next(f.Query)
		lower := next(strings.ToLower(f.Query))
		match = append(match, "ref = "+n, "id = "+n, "message_id = "+n, "tx_hash = "+n, "origin_address = "+n,
			"destination_address = "+n, "destination_key = "+lower, "LOWER(origin_address) = "+lower)
	}
	if len(f.CounterpartyIDs) > 0 {
		ph := make([]string, 0, len(f.CounterpartyIDs))
		for _, id := range f.CounterpartyIDs {
			ph = append(ph, next(id))
		}
		match = append(match, "counterparty_id IN ("+strings.Join(ph, ", ")+")")
	}
	if len(match) > 0 {
		where = append(where, "("+strings.Join(match, " OR ")+")")
	}
	if f.After != "" {
		where = append(where, "id > "+next(f.After))
	}
	q := `SELECT ` + transferCols + ` FROM ` + s.inboxFrom() + ` WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(` ORDER BY id ASC LIMIT %d`, limitOr(f.Limit, 50, 500))
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.wrap(err, "list inbox")
	}
	defer rows.Close()
	var out []store.Transfer
	for rows.Next() {
		t, err := scanTransfer(rows, false)
		if err != nil {
			return nil, s.wrap(err, "list inbox")
		}
		out = append(out, *t)
	}
	return out, s.wrap(rows.Err(), "list inbox")
}

func (s *queries) CountInbox(ctx context.Context, vaspID string) (map[transfer.Status]int, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT status, COUNT(*) FROM `+s.inboxFrom()+` WHERE vasp_id = $1 AND `+inboxCond+
		` GROUP BY status`, vaspID)
	if err != nil {
		return nil, s.wrap(err, "count inbox")
	}
	defer rows.Close()
	out := map[transfer.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, s.wrap(err, "count inbox")
		}
		out[transfer.Status(st)] = n
	}
	return out, s.wrap(rows.Err(), "count inbox")
}

const microsPerDay = int64(24 * time.Hour / time.Microsecond)

func (s *queries) TransfersByDay(ctx context.Context, vaspID string, since time.Time) ([]store.DayCount, error) {
	rows, err := s.q.QueryContext(ctx, fmt.Sprintf(`SELECT created_at / %d AS day, status, COUNT(*) FROM transfers
		WHERE vasp_id = $1 AND created_at >= $2 GROUP BY created_at / %d, status ORDER BY 1, 2`, microsPerDay, microsPerDay),
		vaspID, micros(since))
	if err != nil {
		return nil, s.wrap(err, "transfers by day")
	}
	defer rows.Close()
	var out []store.DayCount
	for rows.Next() {
		var (
			day    int64
			status string
			n      int
		)
		if err := rows.Scan(&day, &status, &n); err != nil {
			return nil, s.wrap(err, "transfers by day")
		}
		out = append(out, store.DayCount{Day: fromMicros(day * microsPerDay), Status: transfer.Status(status), Count: n})
	}
	return out, s.wrap(rows.Err(), "transfers by day")
}

func (s *queries) DecisionsByDay(ctx context.Context, vaspID string, since time.Time) ([]store.DecisionDay, error) {
	// The same decisions as CountDecisions (decisions.go), by day; no join needed.
	rows, err := s.q.QueryContext(ctx, fmt.Sprintf(`SELECT a.created_at / %d AS day, a.actor_type IN ('policy', 'system'), COUNT(*)
		FROM audit_events a WHERE a.vasp_id = $1 AND a.created_at >= $2
		AND a.type IN ('transfer.status_changed', 'transfer.created') AND a.actor_type <> 'peer' AND `+decisionMoves+`
		GROUP BY a.created_at / %d, a.actor_type IN ('policy', 'system') ORDER BY 1`, microsPerDay, microsPerDay),
		vaspID, micros(since))
	if err != nil {
		return nil, s.wrap(err, "decisions by day")
	}
	defer rows.Close()
	var out []store.DecisionDay
	for rows.Next() {
		var (
			day       int64
			automated bool
			n         int
		)
		if err := rows.Scan(&day, &automated, &n); err != nil {
			return nil, s.wrap(err, "decisions by day")
		}
		at := fromMicros(day * microsPerDay)
		if len(out) == 0 || !out[len(out)-1].Day.Equal(at) {
			out = append(out, store.DecisionDay{Day: at})
		}
		if automated {
			out[len(out)-1].Automated += n
		} else {
			out[len(out)-1].Manual += n
		}
	}
	return out, s.wrap(rows.Err(), "decisions by day")
}
