package cli

import "context"

// trisaBefore enables the TRISA route when configured.
func (n *Node) trisaBefore(ctx context.Context, w *wiring) error { return nil }

// trisaAfter starts the TRISA gRPC server and registers the TRISA adapter.
func (n *Node) trisaAfter(ctx context.Context, w *wiring) error { return nil }
