package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/waybill/waybill/internal/route/trisa"
	"github.com/waybill/waybill/internal/transfer"
)

// trisaBefore enables the TRISA route when configured (trisa.addr set).
func (n *Node) trisaBefore(ctx context.Context, w *wiring) error {
	if n.Config.TRISA.Enabled() {
		w.enabled[transfer.RouteTRISA] = true
	}
	return nil
}

// trisaAfter registers the TRISA adapter and runs its gRPC server (mutual TLS on trisa.addr)
// with the node.
func (n *Node) trisaAfter(ctx context.Context, w *wiring) error {
	c := n.Config.TRISA
	if !c.Enabled() {
		return nil
	}
	files := c.Identity(n.Config.TRP.TLS)
	if !files.Configured() {
		return errors.New("trisa: set trisa.tls (or trp.tls) cert_file and ca_file; `waybill certs` makes development ones")
	}
	id, err := trisa.LoadIdentity(files.CertFile, files.KeyFile, files.CAFile, c.SealingKeyFile)
	if err != nil {
		return err
	}
	a, err := trisa.New(trisa.Config{Identity: id, Store: n.Store, Keys: n.Keys, Receiver: n.Engine, Address: addressRules{},
		Clock: n.Clock, Logger: n.Log, KeyTTL: c.KeyCacheTTL, Timeout: c.Timeout})
	if err != nil {
		return fmt.Errorf("trisa: %w", err)
	}
	w.adapters[transfer.RouteTRISA] = a
	w.servers = append(w.servers, func(ctx context.Context) error { return a.ListenAndServe(ctx, c.Addr) })
	return nil
}
