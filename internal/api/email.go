package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/route/email"
)

// EmailLinks replaces e-mail (sunrise) links: the e-mail route's service.
type EmailLinks interface {
	// Reissue replaces a transfer's link and queues the e-mail; store.ErrNotFound for an
	// unknown transfer, *engine.ConflictError when no link can be reissued.
	Reissue(ctx context.Context, actor audit.Actor, vaspID, transferID string) (*email.ReissuedLink, error)
}

// emailRoutes registers the operations of the e-mail route.
func (s *server) emailRoutes(a huma.API) {
	o := s.op("POST /v1/transfers/{id}/email-link", "reissue-email-link", tagTransfers, http.StatusAccepted,
		"Send a new e-mail link",
		"For a transfer waiting on a counterparty reached by e-mail (route email): replaces the single-use link e-mailed "+
			"to its compliance contact, when that link was locked by wrong codes, expired, or opened in the wrong browser. "+
			"The old link stops working at once; the new one is e-mailed to the same address by a background job, with a "+
			"new hard limit. An address already confirmed stays confirmed. 409 when the transfer is not ours on the e-mail "+
			"route, is final, or its first e-mail is still queued; 503 when the e-mail route is not enabled on this node.")
	o.Errors = append(o.Errors, http.StatusServiceUnavailable)
	huma.Register(a, o, s.reissueEmailLink)
}

type reissueOutput struct {
	Body *email.ReissuedLink
}

func (s *server) reissueEmailLink(ctx context.Context, in *idInput) (*reissueOutput, error) {
	if s.email == nil {
		return nil, newProblem(ctx, http.StatusServiceUnavailable, "the e-mail route is not enabled on this node")
	}
	p := who(ctx)
	r, err := s.email.Reissue(ctx, p.actor(), p.VASPID, in.ID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &reissueOutput{Body: r}, nil
}
