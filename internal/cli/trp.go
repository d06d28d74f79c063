package cli

import (
	"context"

	"github.com/spf13/cobra"
)

// trpBefore enables the TRP route when configured.
func (n *Node) trpBefore(ctx context.Context, w *wiring) error { return nil }

// trpAfter mounts the TRP server and registers the TRP adapter.
func (n *Node) trpAfter(ctx context.Context, w *wiring) error { return nil }

// peerCommands are the commands of the routes to other nodes (counterparty, certs).
func (e *env) peerCommands() []*cobra.Command { return nil }
