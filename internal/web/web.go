// Package web is the dashboard for compliance officers: server-rendered HTML pages under /ui/,
// embedded in the binary with their stylesheet and scripts (htmx, vendored), readable and usable
// without JavaScript wherever a plain form can do. It signs people in (argon2id passwords,
// sessions kept in the database, lock-out after repeated failures), checks their role on every
// request, and refuses cross-origin and token-less state-changing requests.
//
// It must not change records itself: every change a person makes goes through the engine with
// the person as the audit actor ({type: user, id, name}); pages read the store. Its only writes
// of its own are sessions and sign-in throttling. It must never put personal data (names,
// addresses, identifiers) in URLs, logs or error messages, and never show one VASP's records to
// a user of another.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// Prefix is the path the dashboard is served under.
const Prefix = "/ui/"

// Config wires the dashboard.
type Config struct {
	Engine *engine.Engine
	Store  store.Store
	Logger *slog.Logger
	Clock  func() time.Time
	Rand   io.Reader
	// SessionIdle ends unused sessions; SessionMax ends any session this long after sign-in.
	SessionIdle time.Duration
	SessionMax  time.Duration
	// MaxFailures wrong passwords within Lockout lock an e-mail address for Lockout.
	MaxFailures int
	Lockout     time.Duration
	// SecureCookies marks cookies Secure on plain HTTP too (behind a TLS-terminating proxy).
	SecureCookies bool
	// Password is the argon2id cost of new password hashes.
	Password PasswordParams
	// Refresh is how often the inbox and the navigation counts refresh themselves.
	Refresh time.Duration
}

// Handler serves the dashboard. It is safe for concurrent use.
type Handler struct {
	eng   *engine.Engine
	st    store.Store
	log   *slog.Logger
	clock func() time.Time
	rand  io.Reader
	cfg   Config
	pages map[string]*template.Template
	mux   *http.ServeMux
	root  http.Handler
	// dummy is a hash verified for unknown e-mail addresses, so timing tells nothing; made on
	// first use (it costs as much as any password hash).
	dummyOnce sync.Once
	dummy     string
}

// New builds the dashboard's handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Engine == nil || cfg.Store == nil {
		return nil, errors.New("web: engine and store are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = time.Hour
	}
	if cfg.SessionMax < cfg.SessionIdle {
		cfg.SessionMax = max(12*time.Hour, cfg.SessionIdle)
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = 5
	}
	if cfg.Lockout <= 0 {
		cfg.Lockout = 15 * time.Minute
	}
	if cfg.Password == (PasswordParams{}) {
		cfg.Password = DefaultPasswordParams()
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = 10 * time.Second
	}
	h := &Handler{eng: cfg.Engine, st: cfg.Store, log: cfg.Logger, clock: cfg.Clock, rand: cfg.Rand, cfg: cfg,
		mux: http.NewServeMux()}
	var err error
	if h.pages, err = parsePages(h.funcs()); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	h.routes()
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusForbidden, "This request came from another site and was refused (cross-site request forgery protection).")
	}))
	h.root = securityHeaders(cop.Handler(h.mux))
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.root.ServeHTTP(w, r) }

// Mount registers the dashboard on mux under /ui/, and / as a redirect to it.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle(Prefix, h)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
	})
}

func (h *Handler) now() time.Time { return h.clock().UTC() }

// dummyHash returns the hash checked when no user has the e-mail address given.
func (h *Handler) dummyHash() string {
	h.dummyOnce.Do(func() {
		pw := make([]byte, 16)
		if _, err := io.ReadFull(h.rand, pw); err == nil {
			h.dummy, _ = HashPassword(string(pw), h.cfg.Password, h.rand)
		}
	})
	return h.dummy
}

// securityHeaders keeps pages out of caches and frames and allows only our own scripts and
// styles.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, Prefix+"static/") {
			hd.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// Roles by strength.
var roleRank = map[string]int{store.RoleViewer: 1, store.RoleOfficer: 2, store.RoleAdmin: 3, store.RoleOperator: 4}

// call is one authenticated request.
type call struct {
	h    *Handler
	w    http.ResponseWriter
	r    *http.Request
	user *store.User
	sess *store.Session
	vasp *vasp.VASP // the VASP worked on; nil only for an operator on a node without VASPs
	csrf string
	// counts caches the inbox counts of this request (the navigation and the inbox both show them).
	counts map[transfer.Status]int
}

// actor is the audit actor of the signed-in person.
func (c *call) actor() audit.Actor {
	return audit.Actor{Type: audit.ActorUser, ID: c.user.ID, Name: c.user.Name}
}

func (c *call) ctx() context.Context { return c.r.Context() }

func (c *call) can(role string) bool { return roleRank[c.user.Role] >= roleRank[role] }

// vaspID is the VASP worked on ("" when none exists yet).
func (c *call) vaspID() string {
	if c.vasp == nil {
		return ""
	}
	return c.vasp.ID
}

// route registers a page that needs a signed-in user with at least role min.
func (h *Handler) route(pattern, min string, fn func(*call) error) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		limit := int64(1 << 20)
		if strings.HasSuffix(r.URL.Path, "/import") {
			limit = 64 << 20
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		c, err := h.authenticate(w, r)
		if err != nil {
			h.log.Error("web session", "request_id", requestID(w), "err", err)
			h.renderError(w, r, http.StatusInternalServerError, "")
			return
		}
		if c == nil {
			if r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
				http.Redirect(w, r, Prefix+"login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			if r.Header.Get("HX-Request") != "" {
				w.Header().Set("HX-Redirect", Prefix+"login")
			}
			h.renderError(w, r, http.StatusUnauthorized, "Your session has ended. Sign in again.")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !c.validCSRF() {
			h.renderError(w, r, http.StatusForbidden, "This form has expired or did not come from this dashboard. Reload the page and try again.")
			return
		}
		if !c.can(min) {
			h.renderError(w, r, http.StatusForbidden, "Your role ("+c.user.Role+") does not allow this.")
			return
		}
		if c.vasp == nil && min != store.RoleOperator && !strings.HasPrefix(pattern, "GET /ui/account") &&
			!strings.HasPrefix(pattern, "POST /ui/account") && pattern != "POST /ui/logout" {
			c.render(http.StatusOK, "empty", "Nothing hosted yet", "", nil)
			return
		}
		if err := fn(c); err != nil {
			c.fail(err)
		}
	})
}

// httpError is an error shown as a page with a status.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func notFound() error {
	return &httpError{status: http.StatusNotFound, msg: "There is nothing here, or it belongs to another VASP."}
}

func badRequest(msg string) error { return &httpError{status: http.StatusBadRequest, msg: msg} }

// fail renders err as an error page: 404 for records that do not exist for this VASP, the
// message for refused changes, a generic 500 (details only in the log) otherwise.
func (c *call) fail(err error) {
	var he *httpError
	switch {
	case errors.As(err, &he):
		c.h.renderError(c.w, c.r, he.status, he.msg)
	case errors.Is(err, store.ErrNotFound):
		c.h.renderError(c.w, c.r, http.StatusNotFound, notFound().Error())
	case refusal(err) != "":
		c.h.renderError(c.w, c.r, http.StatusConflict, refusal(err))
	default:
		c.h.log.Error("web", "request_id", requestID(c.w), "path", c.r.URL.Path, "err", err)
		c.h.renderError(c.w, c.r, http.StatusInternalServerError, "")
	}
}

// refusal returns the message of an error that refuses a change for a reason the person can act
// on (invalid input, a conflict, an illegal transition), or "".
func refusal(err error) string {
	var (
		ve *engine.ValidationError
		ce *engine.ConflictError
		te *transfer.TransitionError
	)
	switch {
	case errors.As(err, &ve):
		parts := make([]string, 0, len(ve.Fields))
		for _, f := range ve.Fields {
			if f.Path != "" {
				parts = append(parts, f.Path+": "+f.Message)
			} else {
				parts = append(parts, f.Message)
			}
		}
		return strings.Join(parts, "; ")
	case errors.As(err, &ce):
		return ce.Msg
	case errors.As(err, &te):
		return "Not possible now: " + te.Error() + "."
	}
	return ""
}

// done redirects after a change, with a message for the next page (or, when the change was
// refused, the reason). Other errors are rendered by fail.
func (c *call) done(err error, to, ok string) error {
	if err != nil {
		msg := refusal(err)
		if msg == "" {
			return err
		}
		c.setFlash("error", msg)
	} else if ok != "" {
		c.setFlash("ok", ok)
	}
	http.Redirect(c.w, c.r, to, http.StatusSeeOther)
	return nil
}

// requestID is the id the node's middleware gave the request (in the response header).
func requestID(w http.ResponseWriter) string { return w.Header().Get("X-Request-ID") }

// render writes a page of the layout.
func (c *call) render(status int, page, title, active string, data any) {
	v := c.view(title, active, data)
	c.h.write(c.w, c.r, status, page, "layout", v)
}

// write executes a template into a buffer first, so a template error becomes a clean 500.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, status int, page, name string, data any) {
	t, ok := h.pages[page]
	if !ok {
		h.log.Error("web: no such page", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		h.log.Error("web: render", "request_id", requestID(w), "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorView is the data of the error page.
type errorView struct {
	Status    int
	Title     string
	Message   string
	RequestID string
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if msg == "" {
		msg = "Something went wrong on our side. The details are in the server log."
	}
	v := errorView{Status: status, Title: http.StatusText(status), Message: msg, RequestID: requestID(w)}
	if r.Header.Get("HX-Request") != "" {
		h.write(w, r, status, "error", "error-fragment", v)
		return
	}
	h.write(w, r, status, "error", "bare", v)
}
