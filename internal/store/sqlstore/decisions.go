package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
)

// policySetData is what the policies column holds.
type policySetData struct {
	Policies []policy.Policy `json:"policies"`
}

func (s *queries) CreatePolicySet(ctx context.Context, ps *policy.Set) error {
	b, err := json.Marshal(policySetData{Policies: ps.Policies})
	if err != nil {
		return fmt.Errorf("encode policy set: %w", err)
	}
	_, err = s.exec(ctx, "create policy set", `INSERT INTO policy_sets (vasp_id, direction, version, policies,
		created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
		ps.VASPID, ps.Direction, ps.Version, string(b), micros(ps.CreatedAt), ps.CreatedBy)
	return err
}

func (s *queries) GetPolicySet(ctx context.Context, vaspID, direction string, version int) (*policy.Set, error) {
	q := `SELECT version, policies, created_at, created_by FROM policy_sets WHERE vasp_id = $1 AND direction = $2`
	args := []any{vaspID, direction}
	if version > 0 {
		q += ` AND version = $3`
		args = append(args, version)
	} else {
		q += ` ORDER BY version DESC LIMIT 1`
	}
	ps := &policy.Set{VASPID: vaspID, Direction: direction}
	var data string
	var created int64
	if err := s.q.QueryRowContext(ctx, q, args...).Scan(&ps.Version, &data, &created, &ps.CreatedBy); err != nil {
		return nil, s.wrap(err, "get policy set")
	}
	var d policySetData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return nil, fmt.Errorf("policy set %s/%s v%d: bad stored policies: %w", vaspID, direction, ps.Version, err)
	}
	ps.Policies, ps.CreatedAt = d.Policies, fromMicros(created)
	if ps.Policies == nil {
		ps.Policies = []policy.Policy{}
	}
	return ps, nil
}

func (s *queries) PolicySetVersion(ctx context.Context, vaspID, direction string) (int, error) {
	var v sql.NullInt64
	err := s.q.QueryRowContext(ctx, `SELECT MAX(version) FROM policy_sets WHERE vasp_id = $1 AND direction = $2`,
		vaspID, direction).Scan(&v)
	if err != nil {
		return 0, s.wrap(err, "policy set version")
	}
	return int(v.Int64), nil
}

func (s *queries) GetDecisionSettings(ctx context.Context, vaspID string) (*policy.DecisionSettings, error) {
	var data string
	if err := s.q.QueryRowContext(ctx, `SELECT data FROM decision_settings WHERE vasp_id = $1`, vaspID).Scan(&data); err != nil {
		return nil, s.wrap(err, "get decision settings")
	}
	var out policy.DecisionSettings
	if err := json.Unmarshal([]byte(data), &out); err != nil {
		return nil, fmt.Errorf("decision settings of %s: %w", vaspID, err)
	}
	return &out, nil
}

func (s *queries) PutDecisionSettings(ctx context.Context, vaspID string, ds *policy.DecisionSettings, at time.Time) error {
	b, err := json.Marshal(ds)
	if err != nil {
		return fmt.Errorf("encode decision settings: %w", err)
	}
	_, err = s.exec(ctx, "put decision settings", `INSERT INTO decision_settings (vasp_id, data, updated_at)
		VALUES ($1, $2, $3) ON CONFLICT (vasp_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
		vaspID, string(b), micros(at))
	return err
}

const screeningListCols = `id, name, version, format, entries, entities, hash, published_at, imported_at, bytes, active`

func scanScreeningList(row interface{ Scan(...any) error }) (*store.ScreeningList, error) {
	var (
		l         store.ScreeningList
		published sql.NullInt64
		imported  int64
	)
	if err := row.Scan(&l.ID, &l.Name, &l.Version, &l.Format, &l.Entries, &l.Entities, &l.Hash, &published,
		&imported, &l.Bytes, &l.Active); err != nil {
		return nil, err
	}
	l.Published, l.ImportedAt = fromNullMicros(published), fromMicros(imported)
	return &l, nil
}

func (s *queries) CreateScreeningList(ctx context.Context, l *store.ScreeningList) error {
	_, err := s.exec(ctx, "create screening list", `INSERT INTO screening_lists (`+screeningListCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		l.ID, l.Name, l.Version, l.Format, l.Entries, l.Entities, l.Hash, nullMicros(l.Published), micros(l.ImportedAt),
		l.Bytes, false)
	return err
}

func (s *queries) PutScreeningListChunk(ctx context.Context, listID string, seq int, data []byte) error {
	_, err := s.exec(ctx, "put screening list chunk", `INSERT INTO screening_list_chunks (list_id, seq, data)
		VALUES ($1, $2, $3)`, listID, seq, data)
	return err
}

func (s *queries) ActivateScreeningList(ctx context.Context, id string, size int64) error {
	var name string
	if err := s.q.QueryRowContext(ctx, `SELECT name FROM screening_lists WHERE id = $1`, id).Scan(&name); err != nil {
		return s.wrap(err, "activate screening list")
	}
	// The version it replaces stays (inactive) so an operator can go back; older ones go.
	var prev sql.NullString
	if err := s.q.QueryRowContext(ctx, `SELECT id FROM screening_lists WHERE name = $1 AND active AND id <> $2`,
		name, id).Scan(&prev); err != nil && err != sql.ErrNoRows {
		return s.wrap(err, "activate screening list")
	}
	keep := prev.String
	if !prev.Valid {
		keep = id
	}
	if _, err := s.exec(ctx, "activate screening list", `DELETE FROM screening_list_chunks WHERE list_id IN
		(SELECT id FROM screening_lists WHERE name = $1 AND id <> $2 AND id <> $3)`, name, id, keep); err != nil {
		return err
	}
	if _, err := s.exec(ctx, "activate screening list", `DELETE FROM screening_lists WHERE name = $1 AND id <> $2 AND id <> $3`,
		name, id, keep); err != nil {
		return err
	}
	if _, err := s.exec(ctx, "activate screening list", `UPDATE screening_lists SET active = FALSE WHERE name = $1`, name); err != nil {
		return err
	}
	return s.execOne(ctx, "activate screening list", `UPDATE screening_lists SET active = TRUE, bytes = $2 WHERE id = $1`, id, size)
}

func (s *queries) ListScreeningLists(ctx context.Context, activeOnly bool) ([]store.ScreeningList, error) {
	q := `SELECT ` + screeningListCols + ` FROM screening_lists`
	if activeOnly {
		q += ` WHERE active`
	}
	rows, err := s.q.QueryContext(ctx, q+` ORDER BY imported_at DESC, id DESC`)
	if err != nil {
		return nil, s.wrap(err, "list screening lists")
	}
	defer rows.Close()
	var out []store.ScreeningList
	for rows.Next() {
		l, err := scanScreeningList(rows)
		if err != nil {
			return nil, s.wrap(err, "list screening lists")
		}
		out = append(out, *l)
	}
	return out, s.wrap(rows.Err(), "list screening lists")
}

func (s *queries) ReadScreeningList(ctx context.Context, id string, fn func([]byte) error) error {
	var n int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM screening_lists WHERE id = $1`, id).Scan(&n); err != nil {
		return s.wrap(err, "read screening list")
	}
	if n == 0 {
		return fmt.Errorf("read screening list %s: %w", id, store.ErrNotFound)
	}
	// One chunk per query: a list of millions of addresses is hundreds of megabytes, which
	// must not sit in one result set.
	for seq := 0; ; seq++ {
		var data []byte
		err := s.q.QueryRowContext(ctx, `SELECT data FROM screening_list_chunks WHERE list_id = $1 AND seq = $2`, id, seq).Scan(&data)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return s.wrap(err, "read screening list")
		}
		if err := fn(data); err != nil {
			return err
		}
	}
}

func (s *queries) DeleteScreeningList(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, "delete screening list", `DELETE FROM screening_list_chunks WHERE list_id = $1`, id); err != nil {
		return err
	}
	return s.execOne(ctx, "delete screening list", `DELETE FROM screening_lists WHERE id = $1`, id)
}

// decisionMoves is the SQL condition selecting the audit events that are decisions.
const decisionMoves = `((a.from_status = 'NEW' AND a.to_status IN ('SENT', 'WAITING_FOR_INFORMATION', 'SAVED', 'CANCELLED'))
	OR (a.from_status = '' AND a.to_status = 'SAVED')
	OR (a.from_status IN ('SENT', 'ACK', 'NOT_READY') AND a.to_status IN ('ACCEPTED', 'DECLINED', 'REJECTED'))
	OR (a.from_status IN ('SENT', 'ACK') AND a.to_status = 'NOT_READY'))`

func (s *queries) CountDecisions(ctx context.Context, vaspID string, since, until time.Time) ([]store.DecisionCount, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT t.direction, a.to_status, a.actor_type IN ('policy', 'system'), COUNT(*)
		FROM audit_events a JOIN transfers t ON t.vasp_id = a.vasp_id AND t.id = a.transfer_id
		WHERE a.vasp_id = $1 AND a.created_at >= $2 AND a.created_at < $3
		AND a.type IN ('transfer.status_changed', 'transfer.created') AND a.actor_type <> 'peer' AND `+decisionMoves+`
		GROUP BY t.direction, a.to_status, a.actor_type IN ('policy', 'system')
		ORDER BY t.direction, a.to_status`, vaspID, micros(since), micros(until))
	if err != nil {
		return nil, s.wrap(err, "count decisions")
	}
	defer rows.Close()
	var out []store.DecisionCount
	for rows.Next() {
		var c store.DecisionCount
		if err := rows.Scan(&c.Direction, &c.To, &c.Automated, &c.Count); err != nil {
			return nil, s.wrap(err, "count decisions")
		}
		out = append(out, c)
	}
	return out, s.wrap(rows.Err(), "count decisions")
}
