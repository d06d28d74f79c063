package api

import "github.com/danielgtaylor/huma/v2"

// decisionRoutes registers the operations of the decisions capability: policies, screening,
// decision statistics.
func (s *server) decisionRoutes(a huma.API) {}
