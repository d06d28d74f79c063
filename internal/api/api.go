// Package api is waybill's JSON API under /v1 (per VASP, by API key) and /admin/v1 (node
// administration), described by an OpenAPI 3.1 document generated from the Go types and
// served at /openapi.json with a readable reference at /docs, plus the health and metrics
// endpoints. Handlers parse, authenticate and map errors; every change goes through the engine,
// and lists read the store directly. The package must not change records itself, and its errors
// must never echo what a client sent (it may be personal data).
package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/waybill/waybill/internal/decision"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/metrics"
	"github.com/waybill/waybill/internal/store"
)

// APIVersion is the version of the API contract in the OpenAPI document (not the binary's).
const APIVersion = "1.0.0"

// Config wires the API.
type Config struct {
	Engine       *engine.Engine
	Store        store.Store
	Metrics      *metrics.Metrics
	Logger       *slog.Logger
	MaxBodyBytes int64
	Version      string
	Rand         io.Reader
	// TravelAddress returns the TRP travel address of a hosted VASP (walletID empty) or of a
	// wallet; nil when TRP is off.
	TravelAddress func(vaspID, walletID string) string
	// Decisions evaluates policies and screens addresses; nil answers 503 on those operations.
	Decisions *decision.Service
	// EmailLinks replaces e-mail (sunrise) links; nil answers 503 on that operation.
	EmailLinks EmailLinks
}

// server holds what the handlers need.
type server struct {
	eng     *engine.Engine
	st      store.Store
	log     *slog.Logger
	rand    io.Reader
	maxBody int64
	keys    *keyCache
	spec    []byte
	travel  func(vaspID, walletID string) string
	dec     *decision.Service
	email   EmailLinks
}

// Register adds the API's routes to mux: /v1, /admin/v1, /openapi.json, /docs, /healthz,
// /readyz and /metrics.
func Register(mux *http.ServeMux, cfg Config) {
	s := newServer(cfg)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := cfg.Store.Ping(r.Context()); err != nil {
			s.log.Error("readyz", "err", err)
			writeProblem(w, r, http.StatusServiceUnavailable, "database unavailable", nil)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ready"}`))
	})
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics.Handler())
	}
	a := s.mount(mux)
	s.spec = mustSpec(a)
	page := renderDocs(a.OpenAPI())
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.oai.openapi+json;version=3.1")
		_, _ = w.Write(s.spec)
	})
	mux.HandleFunc("GET /docs", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
}

func newServer(cfg Config) *server {
	installErrorConstructor()
	s := &server{eng: cfg.Engine, st: cfg.Store, log: cfg.Logger, rand: cfg.Rand, maxBody: cfg.MaxBodyBytes, keys: newKeyCache(),
		dec: cfg.Decisions}
	s.travel = cfg.TravelAddress
	s.email = cfg.EmailLinks
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = 1 << 20
	}
	return s
}

// mount creates the huma API on mux (through the authenticating guard) and registers every
// operation of the route table.
func (s *server) mount(mux *http.ServeMux) huma.API {
	hc := huma.DefaultConfig("waybill API", APIVersion)
	// No $schema links in bodies, no CDN-backed docs page: both are ours or absent.
	hc.CreateHooks = nil
	hc.OpenAPIPath, hc.DocsPath, hc.SchemasPath = "", "", ""
	hc.Info.Description = apiDescription
	hc.Info.License = &huma.License{Name: "Apache-2.0"}
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		securityVASP:  {Type: "http", Scheme: "bearer", Description: "A VASP's API key (wb_…). It names the VASP: other VASPs' records do not exist for it."},
		securityAdmin: {Type: "http", Scheme: "bearer", Description: "The node administrator's API key (wbadm_…), for /admin/v1 only."},
	}
	hc.Tags = tagList()
	reg := hc.Components.Schemas
	reg.RegisterTypeAlias(reflect.TypeFor[ivms.Originator](), reflect.TypeFor[originatorSchema]())
	reg.RegisterTypeAlias(reflect.TypeFor[ivms.Beneficiary](), reflect.TypeFor[beneficiarySchema]())
	reg.RegisterTypeAlias(reflect.TypeFor[store.Asset](), reflect.TypeFor[CatalogAsset]())
	a := humago.New(&guard{mux: mux, s: s}, hc)
	s.routes(a)
	return a
}

// Spec returns the OpenAPI document this package serves at /openapi.json.
func Spec() ([]byte, error) {
	s := newServer(Config{})
	a := s.mount(http.NewServeMux())
	return specJSON(a)
}

func specJSON(a huma.API) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(a.OpenAPI()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func mustSpec(a huma.API) []byte {
	b, err := specJSON(a)
	if err != nil {
		// The document is built from Go types at start; failing here is a programming error.
		panic("api: cannot encode the OpenAPI document: " + err.Error())
	}
	return b
}

// importMaxBytes bounds a CSV wallet import (about a million rows).
const importMaxBytes = 256 << 20

// bodyLimit is the request body limit of an operation path.
func (s *server) bodyLimit(path string) int64 {
	if strings.HasSuffix(path, "/wallets/import") || strings.HasSuffix(path, "/import") || strings.HasSuffix(path, "/routing/attributions") {
		return max(s.maxBody, importMaxBytes)
	}
	return s.maxBody
}

func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// guard is the mux huma registers on: it authenticates /v1 and /admin/v1 requests and bounds
// their bodies before huma sees them.
type guard struct {
	mux *http.ServeMux
	s   *server
}

// HandleFunc implements humago.Mux.
func (g *guard) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	_, path, _ := strings.Cut(pattern, " ")
	switch {
	case strings.HasPrefix(path, "/admin/v1/"):
		g.mux.HandleFunc(pattern, g.s.authenticate(true, g.s.bodyLimit(path), h))
	case strings.HasPrefix(path, "/v1/"):
		g.mux.HandleFunc(pattern, g.s.authenticate(false, g.s.bodyLimit(path), h))
	default:
		g.mux.HandleFunc(pattern, h)
	}
}

// ServeHTTP implements humago.Mux.
func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

const apiDescription = `waybill exchanges Travel Rule data (IVMS101) with counterparty VASPs for your withdrawals and
deposits. Create a transfer for each withdrawal (POST /v1/transfers), notify each deposit (POST
/v1/deposits), and follow the transfers by webhook; act on them with the action endpoints.

Authentication: ` + "`Authorization: Bearer <API key>`" + `. A key belongs to one VASP and sees only its
records: another VASP's ids answer 404. Node administration is under /admin/v1 with an admin key.

Errors are RFC 9457 problem documents (application/problem+json); 422 responses list the fields
at fault by location (body.<JSON path>, query.<name>, path.<name>). Error messages never repeat
the values you sent. Every create takes your ` + "`ref`" + ` as an idempotency key: the same ref
and body return the first result (200), the same ref with another body is a 409. Lists are
cursor-paginated: pass ` + "`next_cursor`" + ` back as ` + "`cursor`" + `.

Field names are snake_case; IVMS101 objects keep the standard's camelCase names. Amounts are
decimal strings in whole units of the asset, never numbers.`
