package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// Transfer is a transfer as the API returns it.
type Transfer struct {
	transfer.Transfer
	// Actions are what the VASP may do with the transfer now (engine.Act* names).
	Actions []string `json:"actions"`
	// Events is the audit trail, when asked for.
	Events []audit.Event `json:"events,omitempty"`
}

// Can reports whether action is among the transfer's allowed actions.
func (t *Transfer) Can(action string) bool {
	for _, a := range t.Actions {
		if a == action {
			return true
		}
	}
	return false
}

// TransferPage is one page of transfers.
type TransferPage struct {
	Items      []Transfer `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// TransferFilter selects transfers; zero fields do not filter.
type TransferFilter struct {
	Page
	Statuses       []transfer.Status
	Direction      transfer.Direction
	Network        string
	Symbol         string
	CounterpartyID string
	CreatedAfter   time.Time
	CreatedBefore  time.Time
	// Q matches ref, id, message id, chain hash or either address exactly.
	Q           string
	OldestFirst bool
}

// CreateTransfer creates a withdrawal. created is false when the ref was used before with the
// same body (the first transfer is returned).
func (c *Client) CreateTransfer(ctx context.Context, in engine.CreateInput) (t *Transfer, created bool, err error) {
	t = &Transfer{}
	status, err := c.call(ctx, http.MethodPost, "/v1/transfers", in, t)
	if err != nil {
		return nil, false, err
	}
	return t, status == http.StatusCreated, nil
}

// ValidateTransfer is the dry run of CreateTransfer.
func (c *Client) ValidateTransfer(ctx context.Context, in engine.CreateInput) (*engine.Plan, error) {
	p := &engine.Plan{}
	_, err := c.call(ctx, http.MethodPost, "/v1/transfers/validate", in, p)
	return p, err
}

// ListTransfers lists transfers.
func (c *Client) ListTransfers(ctx context.Context, f TransferFilter) (*TransferPage, error) {
	q := f.Page.query(nil)
	for _, s := range f.Statuses {
		q.Add("status", string(s))
	}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("direction", string(f.Direction))
	set("network", f.Network)
	set("symbol", f.Symbol)
	set("counterparty_id", f.CounterpartyID)
	set("q", f.Q)
	if !f.CreatedAfter.IsZero() {
		q.Set("created_after", f.CreatedAfter.UTC().Format(time.RFC3339Nano))
	}
	if !f.CreatedBefore.IsZero() {
		q.Set("created_before", f.CreatedBefore.UTC().Format(time.RFC3339Nano))
	}
	if f.OldestFirst {
		q.Set("order", "oldest")
	}
	p := &TransferPage{}
	_, err := c.call(ctx, http.MethodGet, withQuery("/v1/transfers", q), nil, p)
	return p, err
}

// GetTransfer returns a transfer with its identity data; withEvents adds its audit trail.
func (c *Client) GetTransfer(ctx context.Context, id string, withEvents bool) (*Transfer, error) {
	path := "/v1/transfers/" + esc(id)
	if withEvents {
		path += "?include=events"
	}
	t := &Transfer{}
	_, err := c.call(ctx, http.MethodGet, path, nil, t)
	return t, err
}

// TransferEvents returns a transfer's audit trail, oldest first.
func (c *Client) TransferEvents(ctx context.Context, id string) ([]audit.Event, error) {
	var out struct {
		Items []audit.Event `json:"items"`
	}
	_, err := c.call(ctx, http.MethodGet, "/v1/transfers/"+esc(id)+"/events", nil, &out)
	return out.Items, err
}

// UpdateTransfer changes a transfer that has not been sent.
func (c *Client) UpdateTransfer(ctx context.Context, id string, in engine.UpdateInput) (*Transfer, error) {
	t := &Transfer{}
	_, err := c.call(ctx, http.MethodPatch, "/v1/transfers/"+esc(id), in, t)
	return t, err
}

func (c *Client) action(ctx context.Context, id, name string, body any) (*Transfer, error) {
	t := &Transfer{}
	_, err := c.call(ctx, http.MethodPost, "/v1/transfers/"+esc(id)+"/"+name, body, t)
	return t, err
}

type reason struct {
	Reason string `json:"reason,omitempty"`
}

func reasonBody(r string) any {
	if r == "" {
		return nil
	}
	return reason{Reason: r}
}

// Approve sends a NEW transfer.
func (c *Client) Approve(ctx context.Context, id string) (*Transfer, error) {
	return c.action(ctx, id, engine.ActApprove, nil)
}

// Cancel cancels a transfer that is not final.
func (c *Client) Cancel(ctx context.Context, id, why string) (*Transfer, error) {
	return c.action(ctx, id, engine.ActCancel, reasonBody(why))
}

// Confirm confirms the address of a received transfer.
func (c *Client) Confirm(ctx context.Context, id string) (*Transfer, error) {
	return c.action(ctx, id, engine.ActConfirm, nil)
}

// Reject says the address of a received transfer is not ours.
func (c *Client) Reject(ctx context.Context, id, why string) (*Transfer, error) {
	return c.action(ctx, id, engine.ActReject, reasonBody(why))
}

// Accept accepts a received transfer.
func (c *Client) Accept(ctx context.Context, id string, in engine.AcceptInput) (*Transfer, error) {
	var body any
	if in.DepositAddress != "" || in.Originator != nil {
		body = in
	}
	return c.action(ctx, id, engine.ActAccept, body)
}

// Decline refuses a received transfer.
func (c *Client) Decline(ctx context.Context, id, why string) (*Transfer, error) {
	return c.action(ctx, id, engine.ActDecline, reasonBody(why))
}

// NotReady says we cannot answer a received transfer yet.
func (c *Client) NotReady(ctx context.Context, id, why string) (*Transfer, error) {
	return c.action(ctx, id, engine.ActNotReady, reasonBody(why))
}

// TxHash reports the chain hash of a withdrawal.
func (c *Client) TxHash(ctx context.Context, id, hash string) (*Transfer, error) {
	return c.action(ctx, id, engine.ActTxHash, struct {
		TxHash string `json:"tx_hash"`
	}{hash})
}

// Request sends an INCOMPLETE deposit record to the originating VASP.
func (c *Client) Request(ctx context.Context, id string) (*Transfer, error) {
	return c.action(ctx, id, engine.ActRequest, nil)
}

// CreateDeposit notifies a deposit; created is false when the ref replayed.
func (c *Client) CreateDeposit(ctx context.Context, in engine.DepositInput) (d *transfer.Deposit, created bool, err error) {
	d = &transfer.Deposit{}
	status, err := c.call(ctx, http.MethodPost, "/v1/deposits", in, d)
	if err != nil {
		return nil, false, err
	}
	return d, status == http.StatusCreated, nil
}

// DepositPage is one page of deposits.
type DepositPage struct {
	Items      []transfer.Deposit `json:"items"`
	NextCursor string             `json:"next_cursor,omitempty"`
}

// ListDeposits lists deposit notifications, newest first.
func (c *Client) ListDeposits(ctx context.Context, p Page) (*DepositPage, error) {
	out := &DepositPage{}
	_, err := c.call(ctx, http.MethodGet, withQuery("/v1/deposits", p.query(nil)), nil, out)
	return out, err
}

// GetDeposit returns a deposit notification.
func (c *Client) GetDeposit(ctx context.Context, id string) (*transfer.Deposit, error) {
	d := &transfer.Deposit{}
	_, err := c.call(ctx, http.MethodGet, "/v1/deposits/"+esc(id), nil, d)
	return d, err
}

// CreateWallet adds an address to the book.
func (c *Client) CreateWallet(ctx context.Context, in engine.WalletInput) (*vasp.Wallet, error) {
	w := &vasp.Wallet{}
	_, err := c.call(ctx, http.MethodPost, "/v1/wallets", in, w)
	return w, err
}

// WalletPage is one page of the address book.
type WalletPage struct {
	Items      []vasp.Wallet `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// ListWallets lists the address book.
func (c *Client) ListWallets(ctx context.Context, p Page) (*WalletPage, error) {
	out := &WalletPage{}
	_, err := c.call(ctx, http.MethodGet, withQuery("/v1/wallets", p.query(nil)), nil, out)
	return out, err
}

// GetWallet returns one address of the book with its customer name.
func (c *Client) GetWallet(ctx context.Context, id string) (*vasp.Wallet, error) {
	w := &vasp.Wallet{}
	_, err := c.call(ctx, http.MethodGet, "/v1/wallets/"+esc(id), nil, w)
	return w, err
}

// DeleteWallet removes an address from the book.
func (c *Client) DeleteWallet(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/v1/wallets/"+esc(id), nil, nil)
	return err
}

// ImportWallets adds addresses from a CSV file.
func (c *Client) ImportWallets(ctx context.Context, csv io.Reader) (*engine.ImportResult, error) {
	b, err := io.ReadAll(csv)
	if err != nil {
		return nil, err
	}
	out := &engine.ImportResult{}
	_, err = c.send(ctx, http.MethodPost, "/v1/wallets/import", "text/csv", b, out)
	return out, err
}

// CreateCounterparty adds a VASP to the directory.
func (c *Client) CreateCounterparty(ctx context.Context, in engine.CounterpartyInput) (*counterparty.Counterparty, error) {
	cp := &counterparty.Counterparty{}
	_, err := c.call(ctx, http.MethodPost, "/v1/counterparties", in, cp)
	return cp, err
}

// CounterpartyPage is one page of the directory.
type CounterpartyPage struct {
	Items      []counterparty.Counterparty `json:"items"`
	NextCursor string                      `json:"next_cursor,omitempty"`
}

// ListCounterparties lists the directory.
func (c *Client) ListCounterparties(ctx context.Context, p Page) (*CounterpartyPage, error) {
	out := &CounterpartyPage{}
	_, err := c.call(ctx, http.MethodGet, withQuery("/v1/counterparties", p.query(nil)), nil, out)
	return out, err
}

// GetCounterparty returns one directory entry.
func (c *Client) GetCounterparty(ctx context.Context, id string) (*counterparty.Counterparty, error) {
	cp := &counterparty.Counterparty{}
	_, err := c.call(ctx, http.MethodGet, "/v1/counterparties/"+esc(id), nil, cp)
	return cp, err
}

// ReplaceCounterparty replaces a directory entry's data.
func (c *Client) ReplaceCounterparty(ctx context.Context, id string, in engine.CounterpartyInput) (*counterparty.Counterparty, error) {
	cp := &counterparty.Counterparty{}
	_, err := c.call(ctx, http.MethodPut, "/v1/counterparties/"+esc(id), in, cp)
	return cp, err
}

// DeleteCounterparty removes a directory entry.
func (c *Client) DeleteCounterparty(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/v1/counterparties/"+esc(id), nil, nil)
	return err
}

// Routing answers which VASP controls an address.
func (c *Client) Routing(ctx context.Context, network, address string) (*engine.RouteResult, error) {
	q := url.Values{"network": {network}, "address": {address}}
	r := &engine.RouteResult{}
	_, err := c.call(ctx, http.MethodGet, withQuery("/v1/routing", q), nil, r)
	return r, err
}

// CreateWebhook adds an endpoint; the answer carries its secret, shown only now.
func (c *Client) CreateWebhook(ctx context.Context, in engine.EndpointInput) (*engine.NewEndpoint, error) {
	ep := &engine.NewEndpoint{}
	_, err := c.call(ctx, http.MethodPost, "/v1/webhooks", in, ep)
	return ep, err
}

// ListWebhooks lists the endpoints.
func (c *Client) ListWebhooks(ctx context.Context) ([]store.WebhookEndpoint, error) {
	var out struct {
		Items []store.WebhookEndpoint `json:"items"`
	}
	_, err := c.call(ctx, http.MethodGet, "/v1/webhooks", nil, &out)
	return out.Items, err
}

// GetWebhook returns one endpoint.
func (c *Client) GetWebhook(ctx context.Context, id string) (*store.WebhookEndpoint, error) {
	ep := &store.WebhookEndpoint{}
	_, err := c.call(ctx, http.MethodGet, "/v1/webhooks/"+esc(id), nil, ep)
	return ep, err
}

// WebhookPatch changes an endpoint; nil fields stay as they are.
type WebhookPatch struct {
	URL         *string   `json:"url,omitempty"`
	Description *string   `json:"description,omitempty"`
	Events      *[]string `json:"events,omitempty"`
	Enabled     *bool     `json:"enabled,omitempty"`
}

// UpdateWebhook changes an endpoint.
func (c *Client) UpdateWebhook(ctx context.Context, id string, p WebhookPatch) (*store.WebhookEndpoint, error) {
	ep := &store.WebhookEndpoint{}
	_, err := c.call(ctx, http.MethodPatch, "/v1/webhooks/"+esc(id), p, ep)
	return ep, err
}

// DeleteWebhook removes an endpoint.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/v1/webhooks/"+esc(id), nil, nil)
	return err
}

// RotateSecret adds a new signing secret; the old ones sign for grace more.
func (c *Client) RotateSecret(ctx context.Context, id string, grace time.Duration) (*engine.NewEndpoint, error) {
	ep := &engine.NewEndpoint{}
	path := fmt.Sprintf("/v1/webhooks/%s/rotate-secret?grace_seconds=%d", esc(id), int64(grace.Seconds()))
	_, err := c.call(ctx, http.MethodPost, path, nil, ep)
	return ep, err
}

// DeliveryFilter selects an endpoint's deliveries.
type DeliveryFilter struct {
	Page
	State      string
	TransferID string
}

// DeliveryPage is one page of deliveries.
type DeliveryPage struct {
	Items      []store.Delivery `json:"items"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// ListDeliveries lists an endpoint's deliveries.
func (c *Client) ListDeliveries(ctx context.Context, endpointID string, f DeliveryFilter) (*DeliveryPage, error) {
	q := f.Page.query(nil)
	if f.State != "" {
		q.Set("state", f.State)
	}
	if f.TransferID != "" {
		q.Set("transfer_id", f.TransferID)
	}
	out := &DeliveryPage{}
	_, err := c.call(ctx, http.MethodGet, withQuery("/v1/webhooks/"+esc(endpointID)+"/deliveries", q), nil, out)
	return out, err
}

// Redeliver sends a delivery again.
func (c *Client) Redeliver(ctx context.Context, endpointID, deliveryID string) (*store.Delivery, error) {
	d := &store.Delivery{}
	_, err := c.call(ctx, http.MethodPost, "/v1/webhooks/"+esc(endpointID)+"/deliveries/"+esc(deliveryID)+"/redeliver", nil, d)
	return d, err
}

// GetVASP returns the key's own VASP.
func (c *Client) GetVASP(ctx context.Context) (*vasp.VASP, error) {
	v := &vasp.VASP{}
	_, err := c.call(ctx, http.MethodGet, "/v1/vasp", nil, v)
	return v, err
}

// PutSettings replaces the key's VASP's settings.
func (c *Client) PutSettings(ctx context.Context, s vasp.Settings) (*vasp.VASP, error) {
	v := &vasp.VASP{}
	_, err := c.call(ctx, http.MethodPut, "/v1/vasp/settings", s, v)
	return v, err
}

// Jurisdictions returns the jurisdiction table.
func (c *Client) Jurisdictions(ctx context.Context) ([]policy.Jurisdiction, error) {
	var out struct {
		Items []policy.Jurisdiction `json:"items"`
	}
	_, err := c.call(ctx, http.MethodGet, "/v1/jurisdictions", nil, &out)
	return out.Items, err
}

// FXRates returns the FX table.
func (c *Client) FXRates(ctx context.Context) ([]policy.FXRate, error) {
	var out struct {
		Items []policy.FXRate `json:"items"`
	}
	_, err := c.call(ctx, http.MethodGet, "/v1/fx-rates", nil, &out)
	return out.Items, err
}

// Assets returns the asset catalogue.
func (c *Client) Assets(ctx context.Context) ([]store.Asset, error) {
	var out struct {
		Items []store.Asset `json:"items"`
	}
	_, err := c.call(ctx, http.MethodGet, "/v1/assets", nil, &out)
	return out.Items, err
}
