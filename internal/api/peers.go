package api

import "github.com/danielgtaylor/huma/v2"

// peerRoutes registers the operations of the routes to other nodes: counterparty import,
// attribution lists, travel addresses.
func (s *server) peerRoutes(a huma.API) {}
