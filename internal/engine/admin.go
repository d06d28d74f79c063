package engine

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/vasp"
	"github.com/waybill/waybill/internal/webhook"
)

// NewVASP creates a hosted VASP.
type NewVASP struct {
	Name         string         `json:"name" minLength:"1" maxLength:"200"`
	LEI          string         `json:"lei,omitempty"`
	Country      string         `json:"country" minLength:"2" maxLength:"2"`
	Jurisdiction string         `json:"jurisdiction,omitempty" doc:"Jurisdiction table code; defaults to the country, or FATF when the table has no row for it."`
	Website      string         `json:"website,omitempty"`
	Settings     *vasp.Settings `json:"settings,omitempty"`
}

// CreateVASP hosts a new VASP: its data key, its audit chain, and an internal directory entry
// in both directions with every VASP already hosted.
func (e *Engine) CreateVASP(ctx context.Context, actor audit.Actor, in NewVASP) (*vasp.VASP, error) {
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if strings.TrimSpace(in.Name) == "" {
		return nil, invalid("name", "required", "name is required")
	}
	if len(in.Country) != 2 {
		return nil, invalid("country", "invalid_country", "country must be an ISO 3166-1 alpha-2 code")
	}
	settings := vasp.DefaultSettings()
	if in.Settings != nil {
		settings = *in.Settings
	}
	if err := settings.Validate(); err != nil {
		return nil, invalid("settings", "invalid", err.Error())
	}
	var v *vasp.VASP
	err := e.do(ctx, actor, func(o *op) error {
		code := strings.ToUpper(in.Jurisdiction)
		if code == "" {
			code = policy.JurisdictionCode(in.Country)
			if _, err := o.tx.GetJurisdiction(o.ctx, code); isNotFound(err) {
				code = "FATF"
			} else if err != nil {
				return err
			}
		} else if _, err := o.tx.GetJurisdiction(o.ctx, code); isNotFound(err) {
			return invalid("jurisdiction", "unknown_jurisdiction", "no jurisdiction table row with this code")
		} else if err != nil {
			return err
		}
		v = &vasp.VASP{ID: e.newID(), Name: strings.TrimSpace(in.Name), LEI: in.LEI, Country: in.Country, Jurisdiction: code,
			Website: in.Website, Settings: settings, CreatedAt: o.now, UpdatedAt: o.now}
		key, err := e.keys.NewDataKey(v.ID)
		if err != nil {
			return err
		}
		if err := o.tx.CreateVASP(o.ctx, v, key); err != nil {
			return err
		}
		o.refChanged = true
		if err := o.audit(v.ID, "", "vasp.created", "", "", "", map[string]any{"name": v.Name, "jurisdiction": v.Jurisdiction}); err != nil {
			return err
		}
		others, err := o.tx.ListVASPs(o.ctx)
		if err != nil {
			return err
		}
		for i := range others {
			w := &others[i]
			if w.ID == v.ID {
				continue
			}
			if err := e.hostedEntry(o, v, w); err != nil {
				return err
			}
			if err := e.hostedEntry(o, w, v); err != nil {
				return err
			}
		}
		return nil
	})
	return v, err
}

// hostedEntry adds other to owner's directory as an internal counterparty.
func (e *Engine) hostedEntry(o *op, owner, other *vasp.VASP) error {
	c := &counterparty.Counterparty{ID: e.newID(), VASPID: owner.ID, Name: other.Name, LEI: other.LEI, Country: other.Country,
		Jurisdiction: other.Jurisdiction, Website: other.Website, Standing: counterparty.StandingAllowed, HostedVASPID: other.ID,
		CreatedAt: o.now, UpdatedAt: o.now}
	if err := o.tx.CreateCounterparty(o.ctx, c); err != nil {
		return err
	}
	return o.audit(owner.ID, "", "counterparty.created", "", "", "hosted on this node", map[string]any{"counterparty_id": c.ID, "hosted_vasp_id": other.ID})
}

// UpdateSettings changes a VASP's settings.
func (e *Engine) UpdateSettings(ctx context.Context, actor audit.Actor, vaspID string, s vasp.Settings) (*vasp.VASP, error) {
	if err := s.Validate(); err != nil {
		return nil, invalid("settings", "invalid", err.Error())
	}
	var v *vasp.VASP
	err := e.do(ctx, actor, func(o *op) error {
		var err error
		if v, err = o.tx.GetVASP(o.ctx, vaspID); err != nil {
			return err
		}
		v.Settings, v.UpdatedAt = s, o.now
		if err := o.tx.UpdateVASP(o.ctx, v); err != nil {
			return err
		}
		o.refChanged = true
		return o.audit(vaspID, "", "vasp.settings_changed", "", "", "", s)
	})
	return v, err
}

// NewAPIKey is a freshly made key: the secret is shown once and stored only hashed.
type NewAPIKey struct {
	store.APIKey
	Secret string `json:"secret" doc:"The key itself; shown only now."`
}

// HashAPIKey returns the stored form of an API key.
func HashAPIKey(secret string) string {
	s := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(s[:])
}

// CreateAPIKey makes a key for a VASP (or, with an empty vaspID, for the node's administrator).
func (e *Engine) CreateAPIKey(ctx context.Context, actor audit.Actor, vaspID, name string, rand io.Reader) (*NewAPIKey, error) {
	b := make([]byte, 30)
	if _, err := io.ReadFull(rand, b); err != nil {
		return nil, err
	}
	prefix := "wb_"
	if vaspID == "" {
		prefix = "wbadm_"
	}
	secret := prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	k := &NewAPIKey{APIKey: store.APIKey{ID: e.newID(), VASPID: vaspID, Name: name, Prefix: secret[:len(prefix)+6],
		Hash: HashAPIKey(secret), CreatedAt: e.Now()}, Secret: secret}
	err := e.do(ctx, actor, func(o *op) error {
		if vaspID != "" {
			if _, err := o.tx.GetVASP(o.ctx, vaspID); err != nil {
				return err
			}
		}
		if err := o.tx.CreateAPIKey(o.ctx, &k.APIKey); err != nil {
			return err
		}
		if vaspID == "" {
			return nil
		}
		return o.audit(vaspID, "", "api_key.created", "", "", "", map[string]any{"api_key_id": k.ID, "name": name})
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// RevokeAPIKey revokes a key; a VASP may revoke only its own.
func (e *Engine) RevokeAPIKey(ctx context.Context, actor audit.Actor, vaspID, id string) error {
	return e.do(ctx, actor, func(o *op) error {
		keys, err := o.tx.ListAPIKeys(o.ctx, vaspID)
		if err != nil {
			return err
		}
		found := false
		for _, k := range keys {
			found = found || (k.ID == id && k.RevokedAt == nil)
		}
		if !found {
			return fmt.Errorf("api key %s: %w", id, store.ErrNotFound)
		}
		if err := o.tx.RevokeAPIKey(o.ctx, id, o.now); err != nil {
			return err
		}
		if vaspID == "" {
			return nil
		}
		return o.audit(vaspID, "", "api_key.revoked", "", "", "", map[string]any{"api_key_id": id})
	})
}

func walletNameAAD(walletID string) []byte { return []byte("wallet-name/" + walletID) }

// WalletInput adds an address to a VASP's book.
type WalletInput struct {
	Network      string `json:"network" minLength:"1"`
	Address      string `json:"address" minLength:"1"`
	Memo         string `json:"memo,omitempty"`
	CustomerRef  string `json:"customer_ref,omitempty"`
	CustomerName string `json:"customer_name,omitempty" doc:"KYC name of the customer, for name matching (encrypted at rest)."`
}

func (e *Engine) checkWallet(in *WalletInput, path string) []FieldError {
	in.Network = strings.ToLower(strings.TrimSpace(in.Network))
	in.Address = strings.TrimSpace(in.Address)
	var fe []FieldError
	if in.Network == "" {
		fe = append(fe, FieldError{Path: path + "network", Code: "required", Message: "network is required"})
	} else if err := e.addr.Validate(in.Network, in.Address); err != nil {
		fe = append(fe, FieldError{Path: path + "address", Code: "invalid_address", Message: err.Error()})
	}
	if len(in.CustomerName) > 200 || len(in.CustomerRef) > 200 || len(in.Memo) > 256 {
		fe = append(fe, FieldError{Path: path, Code: "too_long", Message: "customer_name and customer_ref are at most 200 characters, memo 256"})
	}
	return fe
}

func (e *Engine) addWallet(o *op, vaspID string, in WalletInput) (*vasp.Wallet, error) {
	w := &vasp.Wallet{ID: e.newID(), VASPID: vaspID, Network: in.Network, Address: in.Address, Memo: in.Memo,
		CustomerRef: in.CustomerRef, CreatedAt: o.now}
	var sealed []byte
	if in.CustomerName != "" {
		var err error
		if sealed, err = e.keys.Seal(o.ctx, vaspID, walletNameAAD(w.ID), []byte(in.CustomerName)); err != nil {
			return nil, err
		}
	}
	if err := o.tx.CreateWallet(o.ctx, w, e.addr.Key(in.Network, in.Address), sealed); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, conflictf("%s address is already in the address book", in.Network)
		}
		return nil, err
	}
	w.CustomerName = in.CustomerName
	return w, nil
}

// CreateWallet adds one address to the VASP's book.
func (e *Engine) CreateWallet(ctx context.Context, actor audit.Actor, vaspID string, in WalletInput) (*vasp.Wallet, error) {
	if fe := e.checkWallet(&in, ""); len(fe) > 0 {
		return nil, &ValidationError{Fields: fe}
	}
	var w *vasp.Wallet
	err := e.do(ctx, actor, func(o *op) error {
		var err error
		if w, err = e.addWallet(o, vaspID, in); err != nil {
			return err
		}
		return o.audit(vaspID, "", "wallet.created", "", "", "", map[string]any{"wallet_id": w.ID, "network": w.Network})
	})
	return w, err
}

// ImportResult counts what a bulk import did.
type ImportResult struct {
	Created int          `json:"created"`
	Skipped int          `json:"skipped" doc:"Rows whose address was already in the book."`
	Errors  []FieldError `json:"errors,omitempty" doc:"Rows refused, by line (nothing is imported when any row is invalid)."`
}

// ImportWallets adds addresses from CSV with a header naming network and address, and
// optionally memo, customer_ref and customer_name. Every row is checked first; an invalid row
// refuses the whole file. Addresses already in the book are skipped. Rows are written in
// transactions of a thousand; progress, when set, is told after each.
func (e *Engine) ImportWallets(ctx context.Context, actor audit.Actor, vaspID string, r io.Reader, progress func(done int)) (*ImportResult, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, invalid("csv", "invalid_csv", "the file has no header row")
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := col["network"]; !ok {
		return nil, invalid("csv", "invalid_csv", "the header must name a network column")
	}
	if _, ok := col["address"]; !ok {
		return nil, invalid("csv", "invalid_csv", "the header must name an address column")
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []WalletInput
	res := &ImportResult{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, invalid("csv", "invalid_csv", fmt.Sprintf("line %d: %v", line, err))
		}
		in := WalletInput{Network: get(rec, "network"), Address: get(rec, "address"), Memo: get(rec, "memo"),
			CustomerRef: get(rec, "customer_ref"), CustomerName: get(rec, "customer_name")}
		if fe := e.checkWallet(&in, fmt.Sprintf("line[%d].", line)); len(fe) > 0 {
			res.Errors = append(res.Errors, fe...)
			if len(res.Errors) > 100 {
				break
			}
			continue
		}
		rows = append(rows, in)
		if len(rows) > 1_000_000 {
			return nil, invalid("csv", "too_large", "at most a million rows per import")
		}
	}
	if len(res.Errors) > 0 {
		return res, &ValidationError{Fields: res.Errors}
	}
	for start := 0; start < len(rows); start += 1000 {
		batch := rows[start:min(start+1000, len(rows))]
		created, skipped := 0, 0
		err := e.do(ctx, actor, func(o *op) error {
			created, skipped = 0, 0
			for _, in := range batch {
				key := e.addr.Key(in.Network, in.Address)
				if _, _, err := o.tx.FindWallet(o.ctx, vaspID, in.Network, key); err == nil {
					skipped++
					continue
				} else if !isNotFound(err) {
					return err
				}
				if _, err := e.addWallet(o, vaspID, in); err != nil {
					var ce *ConflictError
					if errors.As(err, &ce) {
						skipped++
						continue
					}
					return err
				}
				created++
			}
			return o.audit(vaspID, "", "wallet.imported", "", "", "", map[string]any{"created": created, "skipped": skipped})
		})
		if err != nil {
			return nil, err
		}
		res.Created += created
		res.Skipped += skipped
		if progress != nil {
			progress(start + len(batch))
		}
	}
	return res, nil
}

// GetWallet returns a wallet with its customer name.
func (e *Engine) GetWallet(ctx context.Context, vaspID, id string) (*vasp.Wallet, error) {
	w, sealed, err := e.store.Read().GetWallet(ctx, vaspID, id)
	if err != nil {
		return nil, err
	}
	if len(sealed) > 0 {
		name, err := e.keys.Open(ctx, vaspID, walletNameAAD(w.ID), sealed)
		if err != nil {
			return nil, err
		}
		w.CustomerName = string(name)
	}
	return w, nil
}

// DeleteWallet removes an address from the book.
func (e *Engine) DeleteWallet(ctx context.Context, actor audit.Actor, vaspID, id string) error {
	return e.do(ctx, actor, func(o *op) error {
		if err := o.tx.DeleteWallet(o.ctx, vaspID, id); err != nil {
			return err
		}
		return o.audit(vaspID, "", "wallet.deleted", "", "", "", map[string]any{"wallet_id": id})
	})
}

// CounterpartyInput creates or replaces a directory entry.
type CounterpartyInput struct {
	Name         string                `json:"name" minLength:"1" maxLength:"200"`
	LEI          string                `json:"lei,omitempty"`
	Country      string                `json:"country,omitempty"`
	Jurisdiction string                `json:"jurisdiction,omitempty"`
	Website      string                `json:"website,omitempty"`
	Standing     counterparty.Standing `json:"standing,omitempty" enum:"allowed,blocked,unknown" doc:"Defaults to unknown."`
	Routes       counterparty.Routes   `json:"routes,omitempty"`
}

func (in *CounterpartyInput) check() []FieldError {
	var fe []FieldError
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	in.Jurisdiction = strings.ToUpper(strings.TrimSpace(in.Jurisdiction))
	if strings.TrimSpace(in.Name) == "" {
		fe = append(fe, FieldError{Path: "name", Code: "required", Message: "name is required"})
	}
	if in.Standing == "" {
		in.Standing = counterparty.StandingUnknown
	}
	if !in.Standing.Valid() {
		fe = append(fe, FieldError{Path: "standing", Code: "invalid", Message: "standing must be allowed, blocked or unknown"})
	}
	if in.Country != "" && len(in.Country) != 2 {
		fe = append(fe, FieldError{Path: "country", Code: "invalid_country", Message: "country must be an ISO 3166-1 alpha-2 code"})
	}
	if in.Routes.Email != "" && !strings.Contains(in.Routes.Email, "@") {
		fe = append(fe, FieldError{Path: "routes.email", Code: "invalid_email", Message: "email must be an e-mail address"})
	}
	if in.Routes.TRP != nil && in.Routes.TRP.URL != "" {
		if u, err := url.Parse(in.Routes.TRP.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fe = append(fe, FieldError{Path: "routes.trp.url", Code: "invalid_url", Message: "url must be an absolute http(s) URL"})
		}
	}
	if p := in.Routes.Preferred; p != "" && p != "trisa" && p != "trp" {
		fe = append(fe, FieldError{Path: "routes.preferred", Code: "invalid", Message: "preferred must be trisa or trp"})
	}
	return fe
}

// CreateCounterparty adds a VASP to the directory.
func (e *Engine) CreateCounterparty(ctx context.Context, actor audit.Actor, vaspID string, in CounterpartyInput) (*counterparty.Counterparty, error) {
	if fe := in.check(); len(fe) > 0 {
		return nil, &ValidationError{Fields: fe}
	}
	var c *counterparty.Counterparty
	err := e.do(ctx, actor, func(o *op) error {
		c = &counterparty.Counterparty{ID: e.newID(), VASPID: vaspID, Name: strings.TrimSpace(in.Name), LEI: in.LEI, Country: in.Country,
			Jurisdiction: in.Jurisdiction, Website: in.Website, Standing: in.Standing, Routes: in.Routes, CreatedAt: o.now, UpdatedAt: o.now}
		if err := o.tx.CreateCounterparty(o.ctx, c); err != nil {
			return err
		}
		return o.audit(vaspID, "", "counterparty.created", "", "", "", map[string]any{"counterparty_id": c.ID, "standing": c.Standing})
	})
	return c, err
}

// UpdateCounterparty replaces a directory entry's data. Hosted entries keep their link. When the
// routes changed, transfers waiting for a route to it are retried.
func (e *Engine) UpdateCounterparty(ctx context.Context, actor audit.Actor, vaspID, id string, in CounterpartyInput) (*counterparty.Counterparty, error) {
	if fe := in.check(); len(fe) > 0 {
		return nil, &ValidationError{Fields: fe}
	}
	var c *counterparty.Counterparty
	err := e.do(ctx, actor, func(o *op) error {
		var err error
		if c, err = o.tx.GetCounterparty(o.ctx, vaspID, id); err != nil {
			return err
		}
		before := c.Standing
		c.Name, c.LEI, c.Country, c.Jurisdiction, c.Website = strings.TrimSpace(in.Name), in.LEI, in.Country, in.Jurisdiction, in.Website
		c.Standing, c.Routes, c.UpdatedAt = in.Standing, in.Routes, o.now
		o.refChanged = true
		if err := o.tx.UpdateCounterparty(o.ctx, c); err != nil {
			return err
		}
		return o.audit(vaspID, "", "counterparty.updated", "", "", "", map[string]any{"counterparty_id": c.ID, "standing_from": before, "standing": c.Standing})
	})
	if err != nil {
		return nil, err
	}
	if _, err := e.RouteAdded(ctx, actor, vaspID, id); err != nil {
		return c, err
	}
	return c, nil
}

// DeleteCounterparty removes a directory entry that is not a hosted VASP.
func (e *Engine) DeleteCounterparty(ctx context.Context, actor audit.Actor, vaspID, id string) error {
	return e.do(ctx, actor, func(o *op) error {
		c, err := o.tx.GetCounterparty(o.ctx, vaspID, id)
		if err != nil {
			return err
		}
		if c.Hosted() {
			return conflictf("hosted VASPs stay in the directory")
		}
		o.refChanged = true
		if err := o.tx.DeleteCounterparty(o.ctx, vaspID, id); err != nil {
			return err
		}
		return o.audit(vaspID, "", "counterparty.deleted", "", "", "", map[string]any{"counterparty_id": id})
	})
}

// EndpointInput creates or changes a webhook endpoint.
type EndpointInput struct {
	URL         string   `json:"url" minLength:"1" doc:"Absolute http(s) URL of the backend's receiver."`
	Description string   `json:"description,omitempty"`
	Events      []string `json:"events,omitempty" doc:"Event types to deliver (transfer.*, deposit.unmatched, ...); empty means all."`
	Enabled     *bool    `json:"enabled,omitempty" doc:"Defaults to true."`
}

func (in *EndpointInput) check() []FieldError {
	var fe []FieldError
	if u, err := url.Parse(in.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		fe = append(fe, FieldError{Path: "url", Code: "invalid_url", Message: "url must be an absolute http(s) URL"})
	}
	for i, ev := range in.Events {
		if !webhook.ValidEventType(ev) && ev != "*" && !(strings.HasSuffix(ev, ".*") && len(ev) > 2) {
			fe = append(fe, FieldError{Path: fmt.Sprintf("events[%d]", i), Code: "unknown_event", Message: "unknown event type"})
		}
	}
	return fe
}

// NewEndpoint is a freshly made endpoint with its signing secret, shown once.
type NewEndpoint struct {
	store.WebhookEndpoint
	Secret string `json:"secret" doc:"The signing secret (whsec_…); shown only now."`
}

// CreateEndpoint adds a webhook endpoint with a new signing secret.
func (e *Engine) CreateEndpoint(ctx context.Context, actor audit.Actor, vaspID string, in EndpointInput, rand io.Reader) (*NewEndpoint, error) {
	if fe := in.check(); len(fe) > 0 {
		return nil, &ValidationError{Fields: fe}
	}
	secret, err := webhook.NewSecret(rand)
	if err != nil {
		return nil, err
	}
	out := &NewEndpoint{Secret: secret}
	err = e.do(ctx, actor, func(o *op) error {
		ep := store.WebhookEndpoint{ID: e.newID(), VASPID: vaspID, URL: in.URL, Description: in.Description, Events: in.Events,
			Enabled: in.Enabled == nil || *in.Enabled, CreatedAt: o.now, UpdatedAt: o.now}
		sealed, err := e.hooks.SealSecrets(o.ctx, vaspID, ep.ID, []webhook.Secret{{Key: secret, CreatedAt: o.now}})
		if err != nil {
			return err
		}
		ep.Secrets = sealed
		if err := o.tx.CreateEndpoint(o.ctx, &ep); err != nil {
			return err
		}
		out.WebhookEndpoint = ep
		return o.audit(vaspID, "", "webhook.endpoint_created", "", "", "", map[string]any{"endpoint_id": ep.ID})
	})
	e.hooks.Forget(vaspID, out.ID)
	return out, err
}

// UpdateEndpoint changes an endpoint's URL, description, events or enabled flag.
func (e *Engine) UpdateEndpoint(ctx context.Context, actor audit.Actor, vaspID, id string, in EndpointInput) (*store.WebhookEndpoint, error) {
	if fe := in.check(); len(fe) > 0 {
		return nil, &ValidationError{Fields: fe}
	}
	var ep *store.WebhookEndpoint
	err := e.do(ctx, actor, func(o *op) error {
		var err error
		if ep, err = o.tx.GetEndpoint(o.ctx, vaspID, id); err != nil {
			return err
		}
		ep.URL, ep.Description, ep.Events, ep.UpdatedAt = in.URL, in.Description, in.Events, o.now
		if in.Enabled != nil {
			ep.Enabled = *in.Enabled
		}
		if err := o.tx.UpdateEndpoint(o.ctx, ep); err != nil {
			return err
		}
		return o.audit(vaspID, "", "webhook.endpoint_updated", "", "", "", map[string]any{"endpoint_id": id, "enabled": ep.Enabled})
	})
	e.hooks.Forget(vaspID, id)
	return ep, err
}

// RotateSecret adds a new signing secret; the old ones keep signing for grace, so receivers can
// switch without losing messages.
func (e *Engine) RotateSecret(ctx context.Context, actor audit.Actor, vaspID, id string, grace time.Duration, rand io.Reader) (*NewEndpoint, error) {
	secret, err := webhook.NewSecret(rand)
	if err != nil {
		return nil, err
	}
	out := &NewEndpoint{Secret: secret}
	err = e.do(ctx, actor, func(o *op) error {
		ep, err := o.tx.GetEndpoint(o.ctx, vaspID, id)
		if err != nil {
			return err
		}
		old, err := e.hooks.OpenSecrets(o.ctx, ep)
		if err != nil {
			return err
		}
		until := o.now.Add(grace)
		keep := []webhook.Secret{{Key: secret, CreatedAt: o.now}}
		for _, s := range old {
			if s.ExpiresAt == nil || s.ExpiresAt.After(o.now) {
				if s.ExpiresAt == nil || s.ExpiresAt.After(until) {
					s.ExpiresAt = &until
				}
				keep = append(keep, s)
			}
		}
		if ep.Secrets, err = e.hooks.SealSecrets(o.ctx, vaspID, ep.ID, keep); err != nil {
			return err
		}
		ep.UpdatedAt = o.now
		if err := o.tx.UpdateEndpoint(o.ctx, ep); err != nil {
			return err
		}
		out.WebhookEndpoint = *ep
		return o.audit(vaspID, "", "webhook.secret_rotated", "", "", "", map[string]any{"endpoint_id": id, "grace_seconds": int64(grace.Seconds())})
	})
	e.hooks.Forget(vaspID, id)
	return out, err
}

// DeleteEndpoint removes an endpoint and its deliveries.
func (e *Engine) DeleteEndpoint(ctx context.Context, actor audit.Actor, vaspID, id string) error {
	err := e.do(ctx, actor, func(o *op) error {
		if err := o.tx.DeleteEndpoint(o.ctx, vaspID, id); err != nil {
			return err
		}
		return o.audit(vaspID, "", "webhook.endpoint_deleted", "", "", "", map[string]any{"endpoint_id": id})
	})
	e.hooks.Forget(vaspID, id)
	return err
}

// Redeliver sends a delivery again.
func (e *Engine) Redeliver(ctx context.Context, actor audit.Actor, vaspID, deliveryID string) (*store.Delivery, error) {
	var d *store.Delivery
	err := e.do(ctx, actor, func(o *op) error {
		var err error
		if d, err = e.hooks.Redeliver(o.ctx, o.tx, vaspID, deliveryID); err != nil {
			return err
		}
		o.jobs++
		return o.audit(vaspID, d.TransferID, "webhook.redelivered", "", "", "", map[string]any{"delivery_id": deliveryID})
	})
	return d, err
}

// PutJurisdiction adds or replaces a row of the jurisdiction table.
func (e *Engine) PutJurisdiction(ctx context.Context, j policy.Jurisdiction, knownField func(string) bool) (*policy.Jurisdiction, error) {
	j.Code = strings.ToUpper(strings.TrimSpace(j.Code))
	if err := j.Validate(knownField); err != nil {
		return nil, invalid("jurisdiction", "invalid", err.Error())
	}
	j.UpdatedAt = e.Now()
	err := e.store.InTx(ctx, func(tx store.Tx) error { return tx.UpsertJurisdiction(ctx, &j) })
	e.ref.reset()
	return &j, err
}

// PutFXRate adds or replaces a row of the FX table.
func (e *Engine) PutFXRate(ctx context.Context, r policy.FXRate) (*policy.FXRate, error) {
	r.Base, r.Quote = strings.ToUpper(strings.TrimSpace(r.Base)), strings.ToUpper(strings.TrimSpace(r.Quote))
	if r.Base == "" || r.Quote == "" || r.Base == r.Quote {
		return nil, invalid("base", "invalid", "base and quote must be two different currency or asset codes")
	}
	if !r.Rate.IsPositive() {
		return nil, invalid("rate", "invalid", "rate must be positive")
	}
	if r.AsOf.IsZero() {
		r.AsOf = e.Now()
	}
	r.UpdatedAt = e.Now()
	err := e.store.InTx(ctx, func(tx store.Tx) error { return tx.UpsertFXRate(ctx, &r) })
	e.ref.reset()
	return &r, err
}

// DeleteFXRate removes a row of the FX table.
func (e *Engine) DeleteFXRate(ctx context.Context, base, quote string) error {
	defer e.ref.reset()
	return e.store.InTx(ctx, func(tx store.Tx) error {
		return tx.DeleteFXRate(ctx, strings.ToUpper(base), strings.ToUpper(quote))
	})
}

// PutAsset adds or replaces an asset of the catalogue.
func (e *Engine) PutAsset(ctx context.Context, a store.Asset) (*store.Asset, error) {
	a.Network, a.Symbol = strings.ToLower(strings.TrimSpace(a.Network)), strings.ToUpper(strings.TrimSpace(a.Symbol))
	if a.Network == "" || a.Symbol == "" {
		return nil, invalid("asset", "required", "network and symbol are required")
	}
	if a.Decimals < 0 || a.Decimals > 30 {
		return nil, invalid("decimals", "invalid", "decimals must be between 0 and 30")
	}
	err := e.store.InTx(ctx, func(tx store.Tx) error { return tx.UpsertAsset(ctx, &a) })
	e.ref.reset()
	return &a, err
}

// WebhookSecrets returns an endpoint's signing secrets, newest first (for the demo receiver and
// the dashboard; never logged).
func (e *Engine) WebhookSecrets(ctx context.Context, ep *store.WebhookEndpoint) ([]webhook.Secret, error) {
	return e.hooks.OpenSecrets(ctx, ep)
}
