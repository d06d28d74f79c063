package route

import (
	"context"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// Chooser picks the route for a counterparty as design §5 orders them: internal when it is
// hosted on this node, then its preferred protocol (TRISA or TRP), then the other protocol, then
// e-mail; a route counts only when this node has it enabled and the counterparty has its
// details. It implements engine.Router.
type Chooser struct {
	// Enabled lists the routes this node runs (internal is always on).
	Enabled map[transfer.Route]bool
}

// Choose returns the route for messages from vaspID to cp, or transfer.RouteNone.
func (c Chooser) Choose(_ context.Context, _ store.Tx, _ string, cp *counterparty.Counterparty) (transfer.Route, error) {
	return c.Pick(cp), nil
}

// Pick is Choose without the context, for dry runs and displays.
func (c Chooser) Pick(cp *counterparty.Counterparty) transfer.Route {
	if cp == nil {
		return transfer.RouteNone
	}
	if cp.Hosted() {
		return transfer.RouteInternal
	}
	has := map[transfer.Route]bool{
		transfer.RouteTRISA: cp.Routes.TRISA != nil && cp.Routes.TRISA.Endpoint != "",
		transfer.RouteTRP:   cp.Routes.TRP != nil && (cp.Routes.TRP.URL != "" || cp.Routes.TRP.TravelAddress != ""),
		transfer.RouteEmail: cp.Routes.Email != "",
	}
	order := []transfer.Route{transfer.RouteTRISA, transfer.RouteTRP}
	if cp.Routes.Preferred == string(transfer.RouteTRP) {
		order = []transfer.Route{transfer.RouteTRP, transfer.RouteTRISA}
	}
	for _, r := range append(order, transfer.RouteEmail) {
		if has[r] && c.Enabled[r] {
			return r
		}
	}
	return transfer.RouteNone
}
