package client

import (
	"context"
	"io"
	"net/http"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/vasp"
)

// VASPWithAddress is the key's own VASP with its TRP travel address (empty when the node runs
// no TRP).
type VASPWithAddress struct {
	vasp.VASP
	TravelAddress string `json:"travel_address,omitempty"`
}

// WalletWithAddress is an address-book entry with its TRP travel address (empty when the node
// runs no TRP).
type WalletWithAddress struct {
	vasp.Wallet
	TravelAddress string `json:"travel_address,omitempty"`
}

// GetVASPWithAddress returns the key's own VASP with its travel address.
func (c *Client) GetVASPWithAddress(ctx context.Context) (*VASPWithAddress, error) {
	v := &VASPWithAddress{}
	_, err := c.call(ctx, http.MethodGet, "/v1/vasp", nil, v)
	return v, err
}

// GetWalletWithAddress returns one address of the book with its travel address.
func (c *Client) GetWalletWithAddress(ctx context.Context, id string) (*WalletWithAddress, error) {
	w := &WalletWithAddress{}
	_, err := c.call(ctx, http.MethodGet, "/v1/wallets/"+esc(id), nil, w)
	return w, err
}

// Import content types.
const (
	ContentJSON = "application/json"
	ContentCSV  = "text/csv"
)

// ImportCounterparties adds or replaces directory entries from a JSON (ContentJSON) or CSV
// (ContentCSV) file.
func (c *Client) ImportCounterparties(ctx context.Context, contentType string, file io.Reader) (*engine.CounterpartyImportResult, error) {
	b, err := io.ReadAll(file)
	if err != nil {
		return nil, err
	}
	out := &engine.CounterpartyImportResult{}
	_, err = c.send(ctx, http.MethodPost, "/v1/counterparties/import", contentType, b, out)
	return out, err
}

// ImportAttributions records address ownership from an attribution list in JSON (ContentJSON)
// or CSV (ContentCSV).
func (c *Client) ImportAttributions(ctx context.Context, contentType string, file io.Reader) (*engine.ImportResult, error) {
	b, err := io.ReadAll(file)
	if err != nil {
		return nil, err
	}
	out := &engine.ImportResult{}
	_, err = c.send(ctx, http.MethodPost, "/v1/routing/attributions", contentType, b, out)
	return out, err
}
