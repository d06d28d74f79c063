package cli

import (
	"context"

	"github.com/spf13/cobra"
)

// webAfter mounts the dashboard.
func (n *Node) webAfter(ctx context.Context, w *wiring) error { return nil }

// webCommands are the dashboard's commands (user).
func (e *env) webCommands() []*cobra.Command { return nil }
