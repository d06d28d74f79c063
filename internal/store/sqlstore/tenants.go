package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

func (s *queries) CreateVASP(ctx context.Context, v *vasp.VASP, wrappedKey []byte) error {
	settings, err := json.Marshal(v.Settings)
	if err != nil {
		return err
	}
	if _, err := s.exec(ctx, "create vasp", `INSERT INTO vasps (id, name, lei, country, jurisdiction, website,
		settings, data_key, created_at, updated_at) VALUES (`+placeholders(1, 10)+`)`,
		v.ID, v.Name, v.LEI, v.Country, v.Jurisdiction, v.Website, string(settings), wrappedKey,
		micros(v.CreatedAt), micros(v.UpdatedAt)); err != nil {
		return err
	}
	_, err = s.exec(ctx, "create audit head", `INSERT INTO audit_heads (vasp_id, seq, hash) VALUES ($1, 0, '')`, v.ID)
	return err
}

func (s *queries) UpdateVASP(ctx context.Context, v *vasp.VASP) error {
	settings, err := json.Marshal(v.Settings)
	if err != nil {
		return err
	}
	return s.execOne(ctx, "update vasp", `UPDATE vasps SET name = $2, lei = $3, country = $4, jurisdiction = $5,
		website = $6, settings = $7, updated_at = $8 WHERE id = $1`,
		v.ID, v.Name, v.LEI, v.Country, v.Jurisdiction, v.Website, string(settings), micros(v.UpdatedAt))
}

const vaspCols = `id, name, lei, country, jurisdiction, website, settings, created_at, updated_at`

func scanVASP(row interface{ Scan(...any) error }) (*vasp.VASP, error) {
	var v vasp.VASP
	var settings string
	var c, u int64
	if err := row.Scan(&v.ID, &v.Name, &v.LEI, &v.Country, &v.Jurisdiction, &v.Website, &settings, &c, &u); err != nil {
		return nil, err
	}
	v.Settings = vasp.DefaultSettings()
	if err := json.Unmarshal([]byte(settings), &v.Settings); err != nil {
		return nil, fmt.Errorf("vasp %s: bad stored settings: %w", v.ID, err)
	}
	v.CreatedAt, v.UpdatedAt = fromMicros(c), fromMicros(u)
	return &v, nil
}

func (s *queries) GetVASP(ctx context.Context, id string) (*vasp.VASP, error) {
	v, err := scanVASP(s.q.QueryRowContext(ctx, `SELECT `+vaspCols+` FROM vasps WHERE id = $1`, id))
	return v, s.wrap(err, "get vasp "+id)
}

func (s *queries) ListVASPs(ctx context.Context) ([]vasp.VASP, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+vaspCols+` FROM vasps ORDER BY name, id LIMIT 10000`)
	if err != nil {
		return nil, s.wrap(err, "list vasps")
	}
	defer rows.Close()
	var out []vasp.VASP
	for rows.Next() {
		v, err := scanVASP(rows)
		if err != nil {
			return nil, s.wrap(err, "list vasps")
		}
		out = append(out, *v)
	}
	return out, s.wrap(rows.Err(), "list vasps")
}

func (s *queries) DataKey(ctx context.Context, vaspID string) ([]byte, error) {
	var k []byte
	err := s.q.QueryRowContext(ctx, `SELECT data_key FROM vasps WHERE id = $1`, vaspID).Scan(&k)
	return k, s.wrap(err, "data key of vasp "+vaspID)
}

func (s *queries) CreateAPIKey(ctx context.Context, k *store.APIKey) error {
	_, err := s.exec(ctx, "create api key", `INSERT INTO api_keys (id, vasp_id, name, prefix, hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, k.ID, nullString(k.VASPID), k.Name, k.Prefix, k.Hash, micros(k.CreatedAt))
	return err
}

func scanAPIKey(row interface{ Scan(...any) error }) (*store.APIKey, error) {
	var k store.APIKey
	var vaspID sql.NullString
	var c int64
	var r sql.NullInt64
	if err := row.Scan(&k.ID, &vaspID, &k.Name, &k.Prefix, &k.Hash, &c, &r); err != nil {
		return nil, err
	}
	k.VASPID, k.CreatedAt, k.RevokedAt = vaspID.String, fromMicros(c), fromNullMicros(r)
	return &k, nil
}

func (s *queries) GetAPIKeyByHash(ctx context.Context, hash string) (*store.APIKey, error) {
	k, err := scanAPIKey(s.q.QueryRowContext(ctx, `SELECT id, vasp_id, name, prefix, hash, created_at, revoked_at
		FROM api_keys WHERE hash = $1 AND revoked_at IS NULL`, hash))
	return k, s.wrap(err, "get api key")
}

func (s *queries) ListAPIKeys(ctx context.Context, vaspID string) ([]store.APIKey, error) {
	q := `SELECT id, vasp_id, name, prefix, hash, created_at, revoked_at FROM api_keys WHERE vasp_id = $1 ORDER BY id LIMIT 1000`
	args := []any{vaspID}
	if vaspID == "" {
		q = `SELECT id, vasp_id, name, prefix, hash, created_at, revoked_at FROM api_keys WHERE vasp_id IS NULL ORDER BY id LIMIT 1000`
		args = nil
	}
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.wrap(err, "list api keys")
	}
	defer rows.Close()
	var out []store.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, s.wrap(err, "list api keys")
		}
		out = append(out, *k)
	}
	return out, s.wrap(rows.Err(), "list api keys")
}

func (s *queries) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	return s.execOne(ctx, "revoke api key "+id, `UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, micros(at))
}

func (s *queries) CreateDeposit(ctx context.Context, d *transfer.Deposit, requestHash string) error {
	_, err := s.exec(ctx, "create deposit", `INSERT INTO deposits (id, vasp_id, ref, request_hash, tx_hash, network,
		symbol, amount, destination_address, origin_address, memo, counterparty_id, transfer_id, match, created_at)
		VALUES (`+placeholders(1, 15)+`)`,
		d.ID, d.VASPID, nullString(d.Ref), requestHash, d.TxHash, d.Asset.Network, d.Asset.Symbol, d.Amount.String(),
		d.DestinationAddress, d.OriginAddress, d.Memo, d.CounterpartyID, d.TransferID, d.Match, micros(d.CreatedAt))
	return err
}

const depositCols = `id, vasp_id, ref, request_hash, tx_hash, network, symbol, amount, destination_address,
	origin_address, memo, counterparty_id, transfer_id, match, created_at`

func scanDeposit(row interface{ Scan(...any) error }) (*transfer.Deposit, string, error) {
	var d transfer.Deposit
	var ref sql.NullString
	var hash string
	var c int64
	if err := row.Scan(&d.ID, &d.VASPID, &ref, &hash, &d.TxHash, &d.Asset.Network, &d.Asset.Symbol, &d.Amount,
		&d.DestinationAddress, &d.OriginAddress, &d.Memo, &d.CounterpartyID, &d.TransferID, &d.Match, &c); err != nil {
		return nil, "", err
	}
	d.Ref, d.CreatedAt = ref.String, fromMicros(c)
	return &d, hash, nil
}

func (s *queries) GetDeposit(ctx context.Context, vaspID, id string) (*transfer.Deposit, error) {
	d, _, err := scanDeposit(s.q.QueryRowContext(ctx, `SELECT `+depositCols+` FROM deposits WHERE vasp_id = $1 AND id = $2`, vaspID, id))
	return d, s.wrap(err, "get deposit "+id)
}

func (s *queries) GetDepositByRef(ctx context.Context, vaspID, ref string) (*transfer.Deposit, string, error) {
	d, h, err := scanDeposit(s.q.QueryRowContext(ctx, `SELECT `+depositCols+` FROM deposits WHERE vasp_id = $1 AND ref = $2`, vaspID, ref))
	return d, h, s.wrap(err, "get deposit by ref")
}

func (s *queries) ListDeposits(ctx context.Context, vaspID, after string, limit int) ([]transfer.Deposit, error) {
	q := `SELECT ` + depositCols + ` FROM deposits WHERE vasp_id = $1`
	args := []any{vaspID}
	if after != "" {
		q += ` AND id < $2`
		args = append(args, after)
	}
	rows, err := s.q.QueryContext(ctx, q+fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limitOr(limit, 50, 500)), args...)
	if err != nil {
		return nil, s.wrap(err, "list deposits")
	}
	defer rows.Close()
	var out []transfer.Deposit
	for rows.Next() {
		d, _, err := scanDeposit(rows)
		if err != nil {
			return nil, s.wrap(err, "list deposits")
		}
		out = append(out, *d)
	}
	return out, s.wrap(rows.Err(), "list deposits")
}

// AppendAudit takes each VASP's chain head with one UPDATE (a row lock on PostgreSQL, the write
// lock on SQLite) for all of its events, so concurrent appends for one VASP serialise and the
// chain has no forks; then it inserts the events and moves the head once.
func (s *queries) AppendAudit(ctx context.Context, events ...*audit.Event) error {
	for start := 0; start < len(events); {
		vaspID := events[start].VASPID
		end := start + 1
		for end < len(events) && events[end].VASPID == vaspID {
			end++
		}
		if err := s.appendChain(ctx, events[start:end]); err != nil {
			return err
		}
		start = end
	}
	return nil
}

func (s *queries) appendChain(ctx context.Context, events []*audit.Event) error {
	vaspID := events[0].VASPID
	var last int64
	var prev string
	err := s.q.QueryRowContext(ctx, `UPDATE audit_heads SET seq = seq + $2 WHERE vasp_id = $1 RETURNING seq, hash`,
		vaspID, len(events)).Scan(&last, &prev)
	if err != nil {
		return s.wrap(err, "audit head of vasp "+vaspID)
	}
	seq := last - int64(len(events))
	for _, e := range events {
		seq++
		e.Seq = seq
		e.CreatedAt = e.CreatedAt.UTC().Truncate(time.Microsecond)
		e.PrevHash = prev
		e.Hash = e.ComputeHash(prev)
		prev = e.Hash
		if _, err := s.exec(ctx, "append audit event", `INSERT INTO audit_events (vasp_id, seq, id, transfer_id, type,
			from_status, to_status, actor_type, actor_id, actor_name, reason, data, created_at, prev_hash, hash)
			VALUES (`+placeholders(1, 15)+`)`,
			e.VASPID, e.Seq, e.ID, e.TransferID, e.Type, e.From, e.To, e.Actor.Type, e.Actor.ID, e.Actor.Name,
			e.Reason, string(e.Data), micros(e.CreatedAt), e.PrevHash, e.Hash); err != nil {
			return err
		}
	}
	return s.execOne(ctx, "advance audit head", `UPDATE audit_heads SET hash = $2 WHERE vasp_id = $1`, vaspID, prev)
}

const auditCols = `vasp_id, seq, id, transfer_id, type, from_status, to_status, actor_type, actor_id, actor_name,
	reason, data, created_at, prev_hash, hash`

func (s *queries) listAudit(ctx context.Context, what, q string, args ...any) ([]audit.Event, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_events WHERE `+q, args...)
	if err != nil {
		return nil, s.wrap(err, what)
	}
	defer rows.Close()
	var out []audit.Event
	for rows.Next() {
		var e audit.Event
		var data string
		var c int64
		if err := rows.Scan(&e.VASPID, &e.Seq, &e.ID, &e.TransferID, &e.Type, &e.From, &e.To, &e.Actor.Type,
			&e.Actor.ID, &e.Actor.Name, &e.Reason, &data, &c, &e.PrevHash, &e.Hash); err != nil {
			return nil, s.wrap(err, what)
		}
		if data != "" {
			e.Data = json.RawMessage(data)
		}
		e.CreatedAt = fromMicros(c)
		out = append(out, e)
	}
	return out, s.wrap(rows.Err(), what)
}

func (s *queries) ListAudit(ctx context.Context, vaspID, transferID string, limit int) ([]audit.Event, error) {
	l := limitOr(limit, 200, 1000)
	if transferID == "" {
		return s.listAudit(ctx, "list audit", fmt.Sprintf(`vasp_id = $1 ORDER BY seq DESC LIMIT %d`, l), vaspID)
	}
	return s.listAudit(ctx, "list audit", fmt.Sprintf(`vasp_id = $1 AND transfer_id = $2 ORDER BY seq LIMIT %d`, l), vaspID, transferID)
}

func (s *queries) AuditRange(ctx context.Context, vaspID string, afterSeq int64, limit int) ([]audit.Event, error) {
	return s.listAudit(ctx, "audit range", fmt.Sprintf(`vasp_id = $1 AND seq > $2 ORDER BY seq LIMIT %d`, limitOr(limit, 1000, 10000)), vaspID, afterSeq)
}

func (s *queries) AuditHead(ctx context.Context, vaspID string) (int64, string, error) {
	var seq int64
	var hash string
	err := s.q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_heads WHERE vasp_id = $1`, vaspID).Scan(&seq, &hash)
	return seq, hash, s.wrap(err, "audit head")
}
