package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/store"
)

// TRP state: one row per (VASP, request-identifier).

const trpCols = `vasp_id, message_id, role, counterparty_id, peer_callback, api_version, pending_cancel, created_at, updated_at`

func (s *queries) CreateTRPTransfer(ctx context.Context, t *store.TRPTransfer) error {
	_, err := s.exec(ctx, "create trp transfer", `INSERT INTO trp_transfers (`+trpCols+`) VALUES (`+placeholders(1, 9)+`)`,
		t.VASPID, t.MessageID, t.Role, t.CounterpartyID, t.PeerCallback, t.APIVersion, t.PendingCancel,
		micros(t.CreatedAt), micros(t.UpdatedAt))
	return err
}

func (s *queries) GetTRPTransfer(ctx context.Context, vaspID, messageID string) (*store.TRPTransfer, error) {
	var t store.TRPTransfer
	var cr, up int64
	err := s.q.QueryRowContext(ctx, `SELECT `+trpCols+` FROM trp_transfers WHERE vasp_id = $1 AND message_id = $2`, vaspID, messageID).
		Scan(&t.VASPID, &t.MessageID, &t.Role, &t.CounterpartyID, &t.PeerCallback, &t.APIVersion, &t.PendingCancel, &cr, &up)
	if err != nil {
		return nil, s.wrap(err, "get trp transfer")
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(cr), fromMicros(up)
	return &t, nil
}

func (s *queries) UpdateTRPTransfer(ctx context.Context, t *store.TRPTransfer) error {
	return s.execOne(ctx, "update trp transfer", `UPDATE trp_transfers SET peer_callback = $3, api_version = $4,
		pending_cancel = $5, updated_at = $6 WHERE vasp_id = $1 AND message_id = $2`,
		t.VASPID, t.MessageID, t.PeerCallback, t.APIVersion, t.PendingCancel, micros(t.UpdatedAt))
}

func (s *queries) FindTRPCounterparties(ctx context.Context, vaspID, host string, limit int) ([]counterparty.Counterparty, error) {
	// The host is matched as a substring of the stored routes JSON, then exactly by the caller;
	// LIKE wildcards in it are escaped. The pattern is built in SQL ('%' || $2 || '%'): a bare
	// parameter on the right of LIKE makes SQLite prepare the statement again at every call.
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(host))
	rows, err := s.q.QueryContext(ctx, `SELECT `+counterpartyCols+` FROM counterparties
		WHERE vasp_id = $1 AND routes LIKE '%"trp":%' AND (LOWER(routes) LIKE '%' || $2 || '%' ESCAPE '\' OR routes LIKE '%"travel_address":%')
		ORDER BY id LIMIT `+fmt.Sprint(limitOr(limit, 50, 1000)), vaspID, esc)
	if err != nil {
		return nil, s.wrap(err, "find trp counterparties")
	}
	defer rows.Close()
	var out []counterparty.Counterparty
	for rows.Next() {
		c, err := scanCounterparty(rows)
		if err != nil {
			return nil, s.wrap(err, "find trp counterparties")
		}
		out = append(out, *c)
	}
	return out, s.wrap(rows.Err(), "find trp counterparties")
}
