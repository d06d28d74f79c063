package client

import (
	"context"
	"net/http"

	"github.com/waybill/waybill/internal/route/email"
)

// ReissueEmailLink replaces the e-mail (sunrise) link of a transfer waiting on a counterparty
// reached by e-mail; the new link is e-mailed to the same address in the background.
func (c *Client) ReissueEmailLink(ctx context.Context, id string) (*email.ReissuedLink, error) {
	out := &email.ReissuedLink{}
	_, err := c.call(ctx, http.MethodPost, "/v1/transfers/"+esc(id)+"/email-link", nil, out)
	return out, err
}
