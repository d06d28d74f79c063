// Package hosted is the internal route: both VASPs are hosted on this node, so a message is
// handed to the receiving tenant's engine from the sending job, with no network in between.
// Each VASP keeps its own record; the two are linked only by the shared message id, exactly as
// over a real protocol.
package hosted

import (
	"context"
	"errors"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/transfer"
)

// Adapter delivers messages between hosted VASPs.
type Adapter struct {
	Receiver route.Receiver
}

// Send implements route.Adapter.
func (a *Adapter) Send(ctx context.Context, out *route.Outbound) error {
	if out.Counterparty == nil || !out.Counterparty.Hosted() {
		return &route.Permanent{Err: errors.New("counterparty is not hosted on this node")}
	}
	err := a.Receiver.Receive(ctx, &route.Inbound{VASPID: out.Counterparty.HostedVASPID, Route: transfer.RouteInternal,
		FromHostedVASP: out.VASPID, Message: out.Message})
	if err != nil && engine.Refused(err) {
		return &route.Permanent{Err: err}
	}
	return err
}
