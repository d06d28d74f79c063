package cli

import (
	"context"

	"github.com/spf13/cobra"
)

// decisionsBefore contributes the decider and assessor (policies, screening, name matching,
// ownership proofs) before the engine is built.
func (n *Node) decisionsBefore(ctx context.Context, w *wiring) error { return nil }

// decisionsAfter contributes the decisions capability's API, jobs and refreshers.
func (n *Node) decisionsAfter(ctx context.Context, w *wiring) error { return nil }

// decisionCommands are the decisions capability's commands (policy, screening).
func (e *env) decisionCommands() []*cobra.Command { return nil }
