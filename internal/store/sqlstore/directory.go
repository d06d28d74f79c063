package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/vasp"
)

func (s *queries) CreateWallet(ctx context.Context, w *vasp.Wallet, addressKey string, sealedName []byte) error {
	_, err := s.exec(ctx, "create wallet", `INSERT INTO wallets (id, vasp_id, network, address, address_key, memo,
		customer_ref, customer_name, created_at) VALUES (`+placeholders(1, 9)+`)`,
		w.ID, w.VASPID, w.Network, w.Address, addressKey, w.Memo, w.CustomerRef, sealedName, micros(w.CreatedAt))
	return err
}

const walletCols = `id, vasp_id, network, address, memo, customer_ref, customer_name, created_at`

func scanWallet(row interface{ Scan(...any) error }) (*vasp.Wallet, []byte, error) {
	var w vasp.Wallet
	var name []byte
	var c int64
	if err := row.Scan(&w.ID, &w.VASPID, &w.Network, &w.Address, &w.Memo, &w.CustomerRef, &name, &c); err != nil {
		return nil, nil, err
	}
	w.CreatedAt = fromMicros(c)
	return &w, name, nil
}

func (s *queries) GetWallet(ctx context.Context, vaspID, id string) (*vasp.Wallet, []byte, error) {
	w, n, err := scanWallet(s.q.QueryRowContext(ctx, `SELECT `+walletCols+` FROM wallets WHERE vasp_id = $1 AND id = $2`, vaspID, id))
	return w, n, s.wrap(err, "get wallet "+id)
}

func (s *queries) FindWallet(ctx context.Context, vaspID, network, addressKey string) (*vasp.Wallet, []byte, error) {
	w, n, err := scanWallet(s.q.QueryRowContext(ctx, `SELECT `+walletCols+` FROM wallets
		WHERE vasp_id = $1 AND network = $2 AND address_key = $3 ORDER BY id LIMIT 1`, vaspID, network, addressKey))
	return w, n, s.wrap(err, "find wallet")
}

func (s *queries) FindHostedWallet(ctx context.Context, network, addressKey string) (*vasp.Wallet, error) {
	w, _, err := scanWallet(s.q.QueryRowContext(ctx, `SELECT `+walletCols+` FROM wallets
		WHERE network = $1 AND address_key = $2 ORDER BY id LIMIT 1`, network, addressKey))
	return w, s.wrap(err, "find hosted wallet")
}

func (s *queries) ListWallets(ctx context.Context, vaspID, after string, limit int) ([]vasp.Wallet, error) {
	q := `SELECT ` + walletCols + ` FROM wallets WHERE vasp_id = $1`
	args := []any{vaspID}
	if after != "" {
		q += ` AND id > $2`
		args = append(args, after)
	}
	rows, err := s.q.QueryContext(ctx, q+fmt.Sprintf(` ORDER BY id LIMIT %d`, limitOr(limit, 50, 1000)), args...)
	if err != nil {
		return nil, s.wrap(err, "list wallets")
	}
	defer rows.Close()
	var out []vasp.Wallet
	for rows.Next() {
		w, _, err := scanWallet(rows)
		if err != nil {
			return nil, s.wrap(err, "list wallets")
		}
		out = append(out, *w)
	}
	return out, s.wrap(rows.Err(), "list wallets")
}

func (s *queries) DeleteWallet(ctx context.Context, vaspID, id string) error {
	return s.execOne(ctx, "delete wallet "+id, `DELETE FROM wallets WHERE vasp_id = $1 AND id = $2`, vaspID, id)
}

const counterpartyCols = `id, vasp_id, name, lei, country, jurisdiction, website, standing, hosted_vasp_id, routes,
	created_at, updated_at`

func counterpartyArgs(c *counterparty.Counterparty) ([]any, error) {
	routes, err := json.Marshal(c.Routes)
	if err != nil {
		return nil, err
	}
	return []any{c.ID, c.VASPID, c.Name, c.LEI, c.Country, c.Jurisdiction, c.Website, string(c.Standing),
		c.HostedVASPID, string(routes), micros(c.CreatedAt), micros(c.UpdatedAt)}, nil
}

func (s *queries) CreateCounterparty(ctx context.Context, c *counterparty.Counterparty) error {
	args, err := counterpartyArgs(c)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, "create counterparty", `INSERT INTO counterparties (`+counterpartyCols+`) VALUES (`+placeholders(1, 12)+`)`, args...)
	return err
}

func (s *queries) UpdateCounterparty(ctx context.Context, c *counterparty.Counterparty) error {
	args, err := counterpartyArgs(c)
	if err != nil {
		return err
	}
	return s.execOne(ctx, "update counterparty "+c.ID, `UPDATE counterparties SET name = $3, lei = $4, country = $5,
		jurisdiction = $6, website = $7, standing = $8, hosted_vasp_id = $9, routes = $10, updated_at = $12
		WHERE id = $1 AND vasp_id = $2 AND created_at = $11`, args...)
}

func scanCounterparty(row interface{ Scan(...any) error }) (*counterparty.Counterparty, error) {
	var c counterparty.Counterparty
	var standing, routes string
	var cr, up int64
	if err := row.Scan(&c.ID, &c.VASPID, &c.Name, &c.LEI, &c.Country, &c.Jurisdiction, &c.Website, &standing,
		&c.HostedVASPID, &routes, &cr, &up); err != nil {
		return nil, err
	}
	c.Standing = counterparty.Standing(standing)
	if err := json.Unmarshal([]byte(routes), &c.Routes); err != nil {
		return nil, fmt.Errorf("counterparty %s: bad stored routes: %w", c.ID, err)
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(cr), fromMicros(up)
	return &c, nil
}

func (s *queries) getCounterparty(ctx context.Context, what, where string, args ...any) (*counterparty.Counterparty, error) {
	c, err := scanCounterparty(s.q.QueryRowContext(ctx, `SELECT `+counterpartyCols+` FROM counterparties WHERE `+where, args...))
	return c, s.wrap(err, what)
}

func (s *queries) GetCounterparty(ctx context.Context, vaspID, id string) (*counterparty.Counterparty, error) {
	return s.getCounterparty(ctx, "get counterparty "+id, `vasp_id = $1 AND id = $2`, vaspID, id)
}

func (s *queries) FindHostedCounterparty(ctx context.Context, vaspID, hostedID string) (*counterparty.Counterparty, error) {
	return s.getCounterparty(ctx, "find hosted counterparty", `vasp_id = $1 AND hosted_vasp_id = $2`, vaspID, hostedID)
}

func (s *queries) FindCounterpartyByLEI(ctx context.Context, vaspID, lei string) (*counterparty.Counterparty, error) {
	return s.getCounterparty(ctx, "find counterparty by lei", `vasp_id = $1 AND lei = $2 ORDER BY id LIMIT 1`, vaspID, lei)
}

func (s *queries) ListCounterparties(ctx context.Context, vaspID, after string, limit int) ([]counterparty.Counterparty, error) {
	q := `SELECT ` + counterpartyCols + ` FROM counterparties WHERE vasp_id = $1`
	args := []any{vaspID}
	if after != "" {
		q += ` AND id > $2`
		args = append(args, after)
	}
	rows, err := s.q.QueryContext(ctx, q+fmt.Sprintf(` ORDER BY id LIMIT %d`, limitOr(limit, 50, 1000)), args...)
	if err != nil {
		return nil, s.wrap(err, "list counterparties")
	}
	defer rows.Close()
	var out []counterparty.Counterparty
	for rows.Next() {
		c, err := scanCounterparty(rows)
		if err != nil {
			return nil, s.wrap(err, "list counterparties")
		}
		out = append(out, *c)
	}
	return out, s.wrap(rows.Err(), "list counterparties")
}

func (s *queries) DeleteCounterparty(ctx context.Context, vaspID, id string) error {
	return s.execOne(ctx, "delete counterparty "+id, `DELETE FROM counterparties WHERE vasp_id = $1 AND id = $2`, vaspID, id)
}

func (s *queries) UpsertAttribution(ctx context.Context, a *store.Attribution, addressKey string) error {
	_, err := s.exec(ctx, "upsert attribution", `INSERT INTO attributions (vasp_id, network, address_key, address,
		counterparty_id, source, confidence, updated_at) VALUES (`+placeholders(1, 8)+`)
		ON CONFLICT (vasp_id, network, address_key) DO UPDATE SET address = excluded.address,
		counterparty_id = excluded.counterparty_id, source = excluded.source, confidence = excluded.confidence,
		updated_at = excluded.updated_at`,
		a.VASPID, a.Network, addressKey, a.Address, a.CounterpartyID, a.Source, a.Confidence, micros(a.UpdatedAt))
	return err
}

func (s *queries) FindAttribution(ctx context.Context, vaspID, network, addressKey string) (*store.Attribution, error) {
	var a store.Attribution
	var u int64
	err := s.q.QueryRowContext(ctx, `SELECT vasp_id, network, address, counterparty_id, source, confidence, updated_at
		FROM attributions WHERE vasp_id = $1 AND network = $2 AND address_key = $3`, vaspID, network, addressKey).
		Scan(&a.VASPID, &a.Network, &a.Address, &a.CounterpartyID, &a.Source, &a.Confidence, &u)
	if err != nil {
		return nil, s.wrap(err, "find attribution")
	}
	a.UpdatedAt = fromMicros(u)
	return &a, nil
}

func (s *queries) CreateEndpoint(ctx context.Context, e *store.WebhookEndpoint) error {
	events, err := json.Marshal(e.Events)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, "create webhook endpoint", `INSERT INTO webhook_endpoints (id, vasp_id, url, description,
		events, enabled, secrets, created_at, updated_at) VALUES (`+placeholders(1, 9)+`)`,
		e.ID, e.VASPID, e.URL, e.Description, string(events), e.Enabled, e.Secrets, micros(e.CreatedAt), micros(e.UpdatedAt))
	return err
}

func (s *queries) UpdateEndpoint(ctx context.Context, e *store.WebhookEndpoint) error {
	events, err := json.Marshal(e.Events)
	if err != nil {
		return err
	}
	return s.execOne(ctx, "update webhook endpoint "+e.ID, `UPDATE webhook_endpoints SET url = $3, description = $4,
		events = $5, enabled = $6, secrets = $7, updated_at = $8 WHERE vasp_id = $1 AND id = $2`,
		e.VASPID, e.ID, e.URL, e.Description, string(events), e.Enabled, e.Secrets, micros(e.UpdatedAt))
}

const endpointCols = `id, vasp_id, url, description, events, enabled, secrets, created_at, updated_at`

func scanEndpoint(row interface{ Scan(...any) error }) (*store.WebhookEndpoint, error) {
	var e store.WebhookEndpoint
	var events string
	var c, u int64
	if err := row.Scan(&e.ID, &e.VASPID, &e.URL, &e.Description, &events, &e.Enabled, &e.Secrets, &c, &u); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(events), &e.Events); err != nil {
		return nil, fmt.Errorf("endpoint %s: bad stored events: %w", e.ID, err)
	}
	e.CreatedAt, e.UpdatedAt = fromMicros(c), fromMicros(u)
	return &e, nil
}

func (s *queries) GetEndpoint(ctx context.Context, vaspID, id string) (*store.WebhookEndpoint, error) {
	e, err := scanEndpoint(s.q.QueryRowContext(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE vasp_id = $1 AND id = $2`, vaspID, id))
	return e, s.wrap(err, "get webhook endpoint "+id)
}

func (s *queries) ListEndpoints(ctx context.Context, vaspID string) ([]store.WebhookEndpoint, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE vasp_id = $1 ORDER BY id LIMIT 100`, vaspID)
	if err != nil {
		return nil, s.wrap(err, "list webhook endpoints")
	}
	defer rows.Close()
	var out []store.WebhookEndpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, s.wrap(err, "list webhook endpoints")
		}
		out = append(out, *e)
	}
	return out, s.wrap(rows.Err(), "list webhook endpoints")
}

func (s *queries) DeleteEndpoint(ctx context.Context, vaspID, id string) error {
	if _, err := s.exec(ctx, "delete deliveries", `DELETE FROM webhook_deliveries WHERE endpoint_id = $1 AND vasp_id = $2`, id, vaspID); err != nil {
		return err
	}
	return s.execOne(ctx, "delete webhook endpoint "+id, `DELETE FROM webhook_endpoints WHERE vasp_id = $1 AND id = $2`, vaspID, id)
}

const deliveryCols = `id, vasp_id, endpoint_id, event_type, transfer_id, payload, state, attempts, last_status_code,
	last_error, last_response, next_attempt_at, created_at, delivered_at`

func (s *queries) CreateDelivery(ctx context.Context, d *store.Delivery) error {
	_, err := s.exec(ctx, "create delivery", `INSERT INTO webhook_deliveries (`+deliveryCols+`) VALUES (`+placeholders(1, 14)+`)`,
		d.ID, d.VASPID, d.EndpointID, d.EventType, d.TransferID, string(d.Payload), d.State, d.Attempts,
		d.LastStatusCode, d.LastError, d.LastResponse, nullMicros(d.NextAttemptAt), micros(d.CreatedAt), nullMicros(d.DeliveredAt))
	return err
}

func (s *queries) UpdateDelivery(ctx context.Context, d *store.Delivery) error {
	return s.execOne(ctx, "update delivery "+d.ID, `UPDATE webhook_deliveries SET state = $3, attempts = $4,
		last_status_code = $5, last_error = $6, last_response = $7, next_attempt_at = $8, delivered_at = $9
		WHERE vasp_id = $1 AND id = $2`, d.VASPID, d.ID, d.State, d.Attempts, d.LastStatusCode, d.LastError,
		d.LastResponse, nullMicros(d.NextAttemptAt), nullMicros(d.DeliveredAt))
}

func scanDelivery(row interface{ Scan(...any) error }) (*store.Delivery, error) {
	var d store.Delivery
	var payload string
	var next, delivered sql.NullInt64
	var c int64
	if err := row.Scan(&d.ID, &d.VASPID, &d.EndpointID, &d.EventType, &d.TransferID, &payload, &d.State, &d.Attempts,
		&d.LastStatusCode, &d.LastError, &d.LastResponse, &next, &c, &delivered); err != nil {
		return nil, err
	}
	d.Payload = json.RawMessage(payload)
	d.NextAttemptAt, d.CreatedAt, d.DeliveredAt = fromNullMicros(next), fromMicros(c), fromNullMicros(delivered)
	return &d, nil
}

func (s *queries) GetDelivery(ctx context.Context, vaspID, id string) (*store.Delivery, error) {
	d, err := scanDelivery(s.q.QueryRowContext(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE vasp_id = $1 AND id = $2`, vaspID, id))
	return d, s.wrap(err, "get delivery "+id)
}

func (s *queries) ListDeliveries(ctx context.Context, f store.DeliveryFilter) ([]store.Delivery, error) {
	where := "vasp_id = $1"
	args := []any{f.VASPID}
	add := func(col string, v string) {
		if v != "" {
			args = append(args, v)
			where += fmt.Sprintf(" AND %s $%d", col, len(args))
		}
	}
	add("endpoint_id =", f.EndpointID)
	add("state =", f.State)
	add("transfer_id =", f.TransferID)
	add("id <", f.After)
	rows, err := s.q.QueryContext(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE `+where+
		fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limitOr(f.Limit, 50, 500)), args...)
	if err != nil {
		return nil, s.wrap(err, "list deliveries")
	}
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, s.wrap(err, "list deliveries")
		}
		out = append(out, *d)
	}
	return out, s.wrap(rows.Err(), "list deliveries")
}

func (s *queries) UpsertJurisdiction(ctx context.Context, j *policy.Jurisdiction) error {
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, "upsert jurisdiction", `INSERT INTO jurisdictions (code, data, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (code) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
		j.Code, string(data), micros(j.UpdatedAt))
	return err
}

func scanJurisdiction(row interface{ Scan(...any) error }) (*policy.Jurisdiction, error) {
	var data string
	if err := row.Scan(&data); err != nil {
		return nil, err
	}
	var j policy.Jurisdiction
	if err := json.Unmarshal([]byte(data), &j); err != nil {
		return nil, fmt.Errorf("bad stored jurisdiction: %w", err)
	}
	return &j, nil
}

func (s *queries) GetJurisdiction(ctx context.Context, code string) (*policy.Jurisdiction, error) {
	j, err := scanJurisdiction(s.q.QueryRowContext(ctx, `SELECT data FROM jurisdictions WHERE code = $1`, code))
	return j, s.wrap(err, "get jurisdiction "+code)
}

func (s *queries) ListJurisdictions(ctx context.Context) ([]policy.Jurisdiction, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT data FROM jurisdictions ORDER BY code LIMIT 1000`)
	if err != nil {
		return nil, s.wrap(err, "list jurisdictions")
	}
	defer rows.Close()
	var out []policy.Jurisdiction
	for rows.Next() {
		j, err := scanJurisdiction(rows)
		if err != nil {
			return nil, s.wrap(err, "list jurisdictions")
		}
		out = append(out, *j)
	}
	return out, s.wrap(rows.Err(), "list jurisdictions")
}

func (s *queries) UpsertFXRate(ctx context.Context, r *policy.FXRate) error {
	_, err := s.exec(ctx, "upsert fx rate", `INSERT INTO fx_rates (base, quote, rate, as_of, source, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (base, quote) DO UPDATE SET rate = excluded.rate,
		as_of = excluded.as_of, source = excluded.source, updated_at = excluded.updated_at`,
		r.Base, r.Quote, r.Rate.String(), micros(r.AsOf), r.Source, micros(r.UpdatedAt))
	return err
}

func (s *queries) DeleteFXRate(ctx context.Context, base, quote string) error {
	return s.execOne(ctx, "delete fx rate", `DELETE FROM fx_rates WHERE base = $1 AND quote = $2`, base, quote)
}

func (s *queries) ListFXRates(ctx context.Context) ([]policy.FXRate, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT base, quote, rate, as_of, source, updated_at FROM fx_rates ORDER BY base, quote LIMIT 10000`)
	if err != nil {
		return nil, s.wrap(err, "list fx rates")
	}
	defer rows.Close()
	var out []policy.FXRate
	for rows.Next() {
		var r policy.FXRate
		var rate string
		var asOf, u int64
		if err := rows.Scan(&r.Base, &r.Quote, &rate, &asOf, &r.Source, &u); err != nil {
			return nil, s.wrap(err, "list fx rates")
		}
		d, err := decimal.NewFromString(rate)
		if err != nil {
			return nil, fmt.Errorf("fx rate %s/%s: bad stored rate: %w", r.Base, r.Quote, err)
		}
		r.Rate, r.AsOf, r.UpdatedAt = d, fromMicros(asOf), fromMicros(u)
		out = append(out, r)
	}
	return out, s.wrap(rows.Err(), "list fx rates")
}

func (s *queries) UpsertAsset(ctx context.Context, a *store.Asset) error {
	_, err := s.exec(ctx, "upsert asset", `INSERT INTO assets (network, symbol, name, decimals, dti, slip44)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (network, symbol) DO UPDATE SET name = excluded.name,
		decimals = excluded.decimals, dti = excluded.dti, slip44 = excluded.slip44`,
		a.Network, a.Symbol, a.Name, a.Decimals, a.DTI, a.SLIP44)
	return err
}

func (s *queries) GetAsset(ctx context.Context, network, symbol string) (*store.Asset, error) {
	var a store.Asset
	err := s.q.QueryRowContext(ctx, `SELECT network, symbol, name, decimals, dti, slip44 FROM assets
		WHERE network = $1 AND symbol = $2`, network, symbol).Scan(&a.Network, &a.Symbol, &a.Name, &a.Decimals, &a.DTI, &a.SLIP44)
	if err != nil {
		return nil, s.wrap(err, "get asset "+network+"/"+symbol)
	}
	return &a, nil
}

func (s *queries) ListAssets(ctx context.Context) ([]store.Asset, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT network, symbol, name, decimals, dti, slip44 FROM assets ORDER BY network, symbol LIMIT 10000`)
	if err != nil {
		return nil, s.wrap(err, "list assets")
	}
	defer rows.Close()
	var out []store.Asset
	for rows.Next() {
		var a store.Asset
		if err := rows.Scan(&a.Network, &a.Symbol, &a.Name, &a.Decimals, &a.DTI, &a.SLIP44); err != nil {
			return nil, s.wrap(err, "list assets")
		}
		out = append(out, a)
	}
	return out, s.wrap(rows.Err(), "list assets")
}
