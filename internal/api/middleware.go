package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/waybill/waybill/internal/metrics"
)

type ctxKey int

const requestIDKey ctxKey = 1

// RequestID returns the request id of a request's context.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Middleware wraps every surface of the node: a request id (X-Request-ID, taken from the client
// when it is sane), an access log line without bodies or query strings, request metrics by
// route pattern, and recovery from panics as a 500 that names the request id.
func Middleware(next http.Handler, log *slog.Logger, m *metrics.Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if len(id) < 8 || len(id) > 64 || !printable(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic", "request_id", id, "method", r.Method, "path", r.URL.Path, "panic", p)
				if sw.status == 0 {
					writeProblem(sw, r, http.StatusInternalServerError, "internal error (request "+id+")", nil)
				}
			}
			took := time.Since(start)
			pattern := r.Pattern
			if pattern == "" {
				pattern = "unmatched"
			}
			if m != nil {
				m.HTTP(pattern, r.Method, sw.status, took)
			}
			if r.URL.Path != "/healthz" && r.URL.Path != "/metrics" {
				log.Info("http", "request_id", id, "method", r.Method, "path", r.URL.Path, "status", sw.status,
					"duration_ms", float64(took.Microseconds())/1000)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func printable(s string) bool {
	for _, c := range s {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}
