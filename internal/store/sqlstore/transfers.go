package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// details holds the nested parts of a transfer that are never queried by SQL.
type details struct {
	Initiator        string                     `json:"initiator,omitempty"`
	FiatValue        *transfer.FiatValue        `json:"fiat_value,omitempty"`
	OriginatingVASP  *transfer.VASPRef          `json:"originating_vasp,omitempty"`
	BeneficiaryVASP  *transfer.VASPRef          `json:"beneficiary_vasp,omitempty"`
	Threshold        *transfer.Threshold        `json:"threshold,omitempty"`
	Screening        []transfer.ScreeningResult `json:"screening,omitempty"`
	Decision         *transfer.Decision         `json:"decision,omitempty"`
	NameMatch        *transfer.NameMatch        `json:"name_match,omitempty"`
	Kind             string                     `json:"kind,omitempty"`
	OwnershipProof   *transfer.OwnershipProof   `json:"ownership_proof,omitempty"`
	AddressConfirmed bool                       `json:"address_confirmed,omitempty"`
}

const transferCols = `id, vasp_id, ref, request_hash, message_id, direction, status, status_reason, route,
	post_transaction, network, symbol, dti, amount, origin_address, destination_address, destination_key,
	memo, tx_hash, unhosted, counterparty_id, details, created_at, updated_at, expires_at, version`

func transferArgs(t *store.Transfer, destKey string) ([]any, error) {
	d, err := json.Marshal(details{Initiator: t.Initiator,
		FiatValue: t.FiatValue, OriginatingVASP: t.OriginatingVASP, BeneficiaryVASP: t.BeneficiaryVASP,
		Threshold: t.Threshold, Screening: t.Screening, Decision: t.Decision, NameMatch: t.NameMatch,
		Kind: t.Kind, OwnershipProof: t.OwnershipProof, AddressConfirmed: t.AddressConfirmed,
	})
	if err != nil {
		return nil, fmt.Errorf("encode transfer details: %w", err)
	}
	return []any{
		t.ID, t.VASPID, nullString(t.Ref), t.RequestHash, t.MessageID, string(t.Direction), string(t.Status),
		t.StatusReason, string(t.Route), t.PostTransaction, t.Asset.Network, t.Asset.Symbol, t.Asset.DTI,
		t.Amount.String(), t.OriginAddress, t.DestinationAddress, destKey, t.Memo, t.TxHash, t.Unhosted,
		t.CounterpartyID, string(d), t.Identity, micros(t.CreatedAt), micros(t.UpdatedAt), nullMicros(t.ExpiresAt),
		t.Version,
	}, nil
}

func (s *queries) CreateTransfer(ctx context.Context, t *store.Transfer) error {
	args, err := transferArgs(t, t.DestinationKey)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, "create transfer", `INSERT INTO transfers (id, vasp_id, ref, request_hash, message_id,
		direction, status, status_reason, route, post_transaction, network, symbol, dti, amount, origin_address,
		destination_address, destination_key, memo, tx_hash, unhosted, counterparty_id, details, identity,
		created_at, updated_at, expires_at, version)
		VALUES (`+placeholders(1, 27)+`)`, args...)
	return err
}

// UpdateTransfer writes the columns that change after creation. The identifying ones (VASP,
// ref, message id, direction, asset, amount, destination, creation time) never change, and
// leaving them out of the statement spares SQLite the upkeep of the indexes built on them.
func (s *queries) UpdateTransfer(ctx context.Context, t *store.Transfer, prevVersion int) error {
	args, err := transferArgs(t, t.DestinationKey)
	if err != nil {
		return err
	}
	// args follow the insert order: 0 id, 1 vasp_id, 6 status, 7 status_reason, 8 route,
	// 9 post_transaction, 14 origin_address, 17 memo, 18 tx_hash, 19 unhosted,
	// 20 counterparty_id, 21 details, 22 identity, 24 updated_at, 25 expires_at, 26 version.
	n, err := s.exec(ctx, "update transfer", `UPDATE transfers SET status = $3, status_reason = $4, route = $5,
		post_transaction = $6, origin_address = $7, memo = $8, tx_hash = $9, unhosted = $10, counterparty_id = $11,
		details = $12, identity = $13, updated_at = $14, expires_at = $15, version = $16
		WHERE id = $1 AND vasp_id = $2 AND version = $17`,
		args[0], args[1], args[6], args[7], args[8], args[9], args[14], args[17], args[18], args[19], args[20],
		args[21], args[22], args[24], args[25], args[26], prevVersion)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("update transfer %s: %w", t.ID, store.ErrStale)
	}
	return nil
}

func scanTransfer(row interface{ Scan(...any) error }, withIdentity bool) (*store.Transfer, error) {
	var (
		t                  store.Transfer
		ref                sql.NullString
		dir, status, route string
		amount, det        string
		expires            sql.NullInt64
		created, updated   int64
		identity           []byte
	)
	dest := []any{&t.ID, &t.VASPID, &ref, &t.RequestHash, &t.MessageID, &dir, &status, &t.StatusReason, &route,
		&t.PostTransaction, &t.Asset.Network, &t.Asset.Symbol, &t.Asset.DTI, &amount, &t.OriginAddress,
		&t.DestinationAddress, &t.DestinationKey, &t.Memo, &t.TxHash, &t.Unhosted, &t.CounterpartyID, &det, &created, &updated,
		&expires, &t.Version}
	if withIdentity {
		dest = append(dest, &identity)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	t.Ref = ref.String
	t.Direction, t.Status, t.Route = transfer.Direction(dir), transfer.Status(status), transfer.Route(route)
	a, err := decimal.NewFromString(amount)
	if err != nil {
		return nil, fmt.Errorf("transfer %s: bad stored amount: %w", t.ID, err)
	}
	t.Amount = a
	var d details
	if err := json.Unmarshal([]byte(det), &d); err != nil {
		return nil, fmt.Errorf("transfer %s: bad stored details: %w", t.ID, err)
	}
	t.Initiator = d.Initiator
	t.FiatValue, t.OriginatingVASP, t.BeneficiaryVASP = d.FiatValue, d.OriginatingVASP, d.BeneficiaryVASP
	t.Threshold, t.Screening, t.Decision, t.NameMatch = d.Threshold, d.Screening, d.Decision, d.NameMatch
	t.Kind, t.OwnershipProof, t.AddressConfirmed = d.Kind, d.OwnershipProof, d.AddressConfirmed
	t.CreatedAt, t.UpdatedAt, t.ExpiresAt = fromMicros(created), fromMicros(updated), fromNullMicros(expires)
	if len(identity) > 0 {
		t.Identity = identity
	}
	return &t, nil
}

func (s *queries) getTransfer(ctx context.Context, what, where string, args ...any) (*store.Transfer, error) {
	row := s.q.QueryRowContext(ctx, `SELECT `+transferCols+`, identity FROM transfers WHERE `+where, args...)
	t, err := scanTransfer(row, true)
	if err != nil {
		return nil, s.wrap(err, what)
	}
	return t, nil
}

func (s *queries) GetTransfer(ctx context.Context, vaspID, id string) (*store.Transfer, error) {
	return s.getTransfer(ctx, "get transfer "+id, `vasp_id = $1 AND id = $2`, vaspID, id)
}

func (s *queries) GetTransferByRef(ctx context.Context, vaspID, ref string) (*store.Transfer, error) {
	return s.getTransfer(ctx, "get transfer by ref", `vasp_id = $1 AND ref = $2`, vaspID, ref)
}

func (s *queries) GetTransferByMessageID(ctx context.Context, vaspID, messageID string) (*store.Transfer, error) {
	return s.getTransfer(ctx, "get transfer by message id", `vasp_id = $1 AND message_id = $2`, vaspID, messageID)
}

// finalList is the SQL list of final statuses.
var finalList = func() string {
	var out []string
	for _, st := range transfer.Statuses {
		if st.Final() {
			out = append(out, "'"+string(st)+"'")
		}
	}
	return strings.Join(out, ", ")
}()

func (s *queries) MatchDeposit(ctx context.Context, m store.DepositMatch) (*store.Transfer, string, error) {
	if m.TxHash != "" {
		t, err := s.getTransfer(ctx, "match deposit by hash", `vasp_id = $1 AND direction = 'incoming'
			AND tx_hash = $2 ORDER BY id LIMIT 1`, m.VASPID, m.TxHash)
		if err == nil {
			return t, "tx_hash", nil
		}
		if !isNotFound(err) {
			return nil, "", err
		}
	}
	t, err := s.getTransfer(ctx, "match deposit by amount", `vasp_id = $1 AND direction = 'incoming'
		AND destination_key = $2 AND network = $3 AND symbol = $4 AND amount = $5 AND tx_hash = ''
		AND +created_at >= $6 AND status NOT IN (`+finalList+`) ORDER BY +created_at LIMIT 1`,
		m.VASPID, m.Destination, m.Network, m.Symbol, m.Amount.String(), micros(m.Since))
	if err != nil {
		return nil, "", err
	}
	return t, "amount", nil
}

func (s *queries) FindIncomplete(ctx context.Context, m store.DepositMatch) (*store.Transfer, error) {
	// "+created_at" keeps SQLite from walking an index in creation order instead of using the
	// selective one; the few candidates are then sorted.
	if m.TxHash != "" {
		return s.getTransfer(ctx, "find incomplete transfer", `vasp_id = $1 AND tx_hash = $2 AND direction = 'incoming'
			AND status IN ('INCOMPLETE', 'MISSING_BENEFICIARY_DATA') ORDER BY +created_at LIMIT 1`, m.VASPID, m.TxHash)
	}
	// Few records are INCOMPLETE while many may share a destination: "|| ''" keeps the planner
	// on the status index.
	return s.getTransfer(ctx, "find incomplete transfer", `vasp_id = $1 AND status IN ('INCOMPLETE', 'MISSING_BENEFICIARY_DATA')
		AND (destination_key || '') = $2 AND network = $3 AND symbol = $4 AND amount = $5 AND direction = 'incoming'
		ORDER BY +created_at LIMIT 1`, m.VASPID, m.Destination, m.Network, m.Symbol, m.Amount.String())
}

func (s *queries) ListTransfers(ctx context.Context, f store.TransferFilter) ([]store.Transfer, error) {
	where := []string{"vasp_id = $1"}
	args := []any{f.VASPID}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if len(f.Statuses) > 0 {
		ph := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			args = append(args, string(st))
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		where = append(where, "status IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Direction != "" {
		add("direction = ?", string(f.Direction))
	}
	if f.Network != "" {
		add("network = ?", f.Network)
	}
	if f.Symbol != "" {
		add("symbol = ?", f.Symbol)
	}
	if f.CounterpartyID != "" {
		add("counterparty_id = ?", f.CounterpartyID)
	}
	if !f.CreatedAfter.IsZero() {
		add("created_at >= ?", micros(f.CreatedAfter))
	}
	if !f.CreatedBefore.IsZero() {
		add("created_at < ?", micros(f.CreatedBefore))
	}
	if f.Query != "" {
		args = append(args, f.Query)
		n := fmt.Sprintf("$%d", len(args))
		where = append(where, "(ref = "+n+" OR tx_hash = "+n+" OR message_id = "+n+" OR origin_address = "+n+
			" OR destination_address = "+n+" OR id = "+n+")")
	}
	order := "DESC"
	cmp := "<"
	if f.OldestFirst {
		order, cmp = "ASC", ">"
	}
	if f.After != "" {
		add("id "+cmp+" ?", f.After)
	}
	limit := limitOr(f.Limit, 50, 500)
	q := `SELECT ` + transferCols + ` FROM transfers WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY id ` + order + fmt.Sprintf(` LIMIT %d`, limit)
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.wrap(err, "list transfers")
	}
	defer rows.Close()
	var out []store.Transfer
	for rows.Next() {
		t, err := scanTransfer(rows, false)
		if err != nil {
			return nil, s.wrap(err, "list transfers")
		}
		out = append(out, *t)
	}
	return out, s.wrap(rows.Err(), "list transfers")
}

func (s *queries) CountTransfers(ctx context.Context, vaspID string, direction transfer.Direction) (map[transfer.Status]int, error) {
	q := `SELECT status, COUNT(*) FROM transfers WHERE vasp_id = $1`
	args := []any{vaspID}
	if direction != "" {
		q += ` AND direction = $2`
		args = append(args, string(direction))
	}
	rows, err := s.q.QueryContext(ctx, q+` GROUP BY status`, args...)
	if err != nil {
		return nil, s.wrap(err, "count transfers")
	}
	defer rows.Close()
	out := map[transfer.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, s.wrap(err, "count transfers")
		}
		out[transfer.Status(st)] = n
	}
	return out, s.wrap(rows.Err(), "count transfers")
}

func (s *queries) ListAwaitingRoute(ctx context.Context, vaspID, counterpartyID string, limit int) ([]store.Transfer, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+transferCols+` FROM transfers WHERE vasp_id = $1
		AND counterparty_id = $2 AND status = $3 ORDER BY id LIMIT $4`,
		vaspID, counterpartyID, string(transfer.StatusWaitingForInformation), limitOr(limit, 100, 1000))
	if err != nil {
		return nil, s.wrap(err, "list awaiting route")
	}
	defer rows.Close()
	var out []store.Transfer
	for rows.Next() {
		t, err := scanTransfer(rows, false)
		if err != nil {
			return nil, s.wrap(err, "list awaiting route")
		}
		out = append(out, *t)
	}
	return out, s.wrap(rows.Err(), "list awaiting route")
}
