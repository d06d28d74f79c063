// Package api is waybill's JSON API under /v1 (per VASP, by API key) and /admin/v1 (node
// administration), described by an OpenAPI 3.1 document generated from the Go types, plus the
// health and metrics endpoints. Handlers parse, authenticate and map errors; every change goes
// through the engine, and lists read the store directly.
package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/metrics"
	"github.com/waybill/waybill/internal/store"
)

// Config wires the API.
type Config struct {
	Engine       *engine.Engine
	Store        store.Store
	Metrics      *metrics.Metrics
	Logger       *slog.Logger
	MaxBodyBytes int64
	Version      string
	Rand         io.Reader
}

// Register adds the API's routes to mux.
func Register(mux *http.ServeMux, cfg Config) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := cfg.Store.Ping(r.Context()); err != nil {
			cfg.Logger.Error("readyz", "err", err)
			writeProblem(w, r, http.StatusServiceUnavailable, "database unavailable", nil)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ready"}`))
	})
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics.Handler())
	}
}

// writeProblem writes an RFC 9457 problem document.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, detail string, errs []engine.FieldError) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	body := map[string]any{"title": http.StatusText(status), "status": status, "detail": detail}
	if id := RequestID(r.Context()); id != "" {
		body["request_id"] = id
	}
	if len(errs) > 0 {
		body["errors"] = errs
	}
	_ = json.NewEncoder(w).Encode(body)
}
