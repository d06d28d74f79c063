// Package metrics holds waybill's Prometheus metrics on a registry of its own: transfers by
// status and route, the decision automation rate, job outcomes and latency, HTTP requests and
// peer latency. Labels carry statuses, routes and kinds, never identifiers or personal data.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/transfer"
)

// Metrics is the set of collectors.
type Metrics struct {
	Registry    *prometheus.Registry
	transitions *prometheus.CounterVec
	decisions   *prometheus.CounterVec
	jobs        *prometheus.HistogramVec
	http        *prometheus.HistogramVec
	peers       *prometheus.HistogramVec
}

// New registers the collectors on a new registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "waybill_transfer_transitions_total",
			Help: "Transfers entering a status, by status, direction and route."}, []string{"status", "direction", "route"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "waybill_decisions_total",
			Help: "Decisions on transfers (approve or cancel a withdrawal, accept or decline a deposit), by who decided: automated (policy or system) or person (user or API key)."},
			[]string{"decided_by", "direction"}),
		jobs: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "waybill_job_duration_seconds",
			Help: "Background job run time, by kind and outcome (completed, retry, dead).", Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10)},
			[]string{"kind", "outcome"}),
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "waybill_http_request_duration_seconds",
			Help: "HTTP requests by route pattern, method and status class.", Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10)},
			[]string{"pattern", "method", "code"}),
		peers: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "waybill_peer_request_duration_seconds",
			Help: "Requests to counterparties, by route and outcome.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)},
			[]string{"route", "outcome"}),
	}
	m.Registry.MustRegister(m.transitions, m.decisions, m.jobs, m.http, m.peers,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// Transition records a transfer entering a status, and, for the moves that decide a transfer,
// who decided.
func (m *Metrics) Transition(t *transfer.Transfer, from transfer.Status, actorType string) {
	m.transitions.WithLabelValues(string(t.Status), string(t.Direction), string(t.Route)).Inc()
	if !isDecision(t, from) {
		return
	}
	by := "person"
	if actorType == audit.ActorPolicy || actorType == audit.ActorSystem {
		by = "automated"
	}
	m.decisions.WithLabelValues(by, string(t.Direction)).Inc()
}

// isDecision reports whether the move from 'from' to t.Status is a decision a person could have
// had to make: releasing or stopping a NEW withdrawal, or answering a received transfer.
func isDecision(t *transfer.Transfer, from transfer.Status) bool {
	switch from {
	case transfer.StatusNew:
		return t.Status == transfer.StatusSent || t.Status == transfer.StatusWaitingForInformation || t.Status == transfer.StatusCancelled
	case transfer.StatusACK, transfer.StatusSent, transfer.StatusNotReady:
		if t.WeInitiated() {
			return false
		}
		return t.Status == transfer.StatusAccepted || t.Status == transfer.StatusDeclined || t.Status == transfer.StatusNotReady
	}
	return false
}

// Job records a background job's outcome.
func (m *Metrics) Job(kind, outcome string, took time.Duration) {
	m.jobs.WithLabelValues(kind, outcome).Observe(took.Seconds())
}

// Peer records a request to a counterparty.
func (m *Metrics) Peer(route, outcome string, took time.Duration) {
	m.peers.WithLabelValues(route, outcome).Observe(took.Seconds())
}

// HTTP records one request.
func (m *Metrics) HTTP(pattern, method string, code int, took time.Duration) {
	m.http.WithLabelValues(pattern, method, strconv.Itoa(code/100)+"xx").Observe(took.Seconds())
}
