package cli

import "context"

// emailBefore enables the e-mail (sunrise) route when SMTP is configured.
func (n *Node) emailBefore(ctx context.Context, w *wiring) error { return nil }

// emailAfter mounts the sunrise pages and registers the e-mail adapter.
func (n *Node) emailAfter(ctx context.Context, w *wiring) error { return nil }
