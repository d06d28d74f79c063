package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Pages rendered inside the layout, and the bare ones (no navigation).
var pageNames = []string{
	"inbox", "transfers", "transfer", "confirm", "counterparties", "counterparty", "wallets", "policies", "screening",
	"tables", "jurisdiction", "webhooks", "webhook", "secret", "users", "keys", "stats", "settings", "account", "empty",
	"login", "error",
}

// parsePages parses each page with the shared layout and partials, once, at start.
func parsePages(funcs template.FuncMap) (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html",
			"templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// staticFiles serves the stylesheet and scripts; they change only with the binary.
func staticFiles() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.StripPrefix(Prefix+"static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// view is what every page of the layout gets.
type view struct {
	Title   string
	Active  string
	User    *store.User
	VASP    *vasp.VASP
	VASPs   []vasp.VASP
	CSRF    string
	Inbox   int
	Flash   *flash
	Refresh int
	Can     perms
	Data    any
}

// perms says what the signed-in person may do, for templates.
type perms struct {
	Act      bool // officer and up: transfer actions, directory, address book
	Admin    bool // admin and up: policies, webhooks, settings, users, keys
	Operator bool // the node's reference tables, every VASP
}

func (c *call) view(title, active string, data any) *view {
	v := &view{Title: title, Active: active, User: c.user, VASP: c.vasp, VASPs: c.vasps(), CSRF: c.csrf,
		Flash: c.takeFlash(), Refresh: int(c.h.cfg.Refresh.Seconds()), Data: data,
		Can: perms{Act: c.can(store.RoleOfficer), Admin: c.can(store.RoleAdmin), Operator: c.can(store.RoleOperator)}}
	if c.vasp != nil {
		v.Inbox = c.h.inboxCount(c)
	}
	return v
}

func (h *Handler) inboxCount(c *call) int {
	counts, err := c.inboxCounts()
	if err != nil {
		h.log.Warn("web inbox count", "err", err)
		return 0
	}
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"age":   func(t time.Time) string { return age(h.now().Sub(t)) },
		"ts":    ts,
		"tsp":   func(t *time.Time) string { return tsp(t) },
		"short": short,
		"statusClass": func(s transfer.Status) string {
			return "st-" + strings.ToLower(strings.ReplaceAll(string(s), "_", "-"))
		},
		"dec":   func(d decimal.Decimal) string { return d.String() },
		"decp":  func(d *decimal.Decimal) string { return decp(d) },
		"json":  prettyJSON,
		"join":  strings.Join,
		"lower": strings.ToLower,
		"upper": strings.ToUpper,
		"list":  func(xs ...string) []string { return xs },
		"contains": func(xs []string, s string) bool {
			for _, x := range xs {
				if x == s {
					return true
				}
			}
			return false
		},
		"pct": func(n, of int) string {
			if of == 0 {
				return "–"
			}
			return fmt.Sprintf("%.1f %%", 100*float64(n)/float64(of))
		},
	}
}

func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "< 1 min"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func tsp(t *time.Time) string {
	if t == nil {
		return "–"
	}
	return ts(*t)
}

func decp(d *decimal.Decimal) string {
	if d == nil {
		return "–"
	}
	return d.String()
}

func short(id string) string {
	if len(id) > 13 {
		return id[:8] + "…" + id[len(id)-4:]
	}
	return id
}

func prettyJSON(v any) string {
	var b []byte
	var err error
	switch x := v.(type) {
	case json.RawMessage:
		var tmp any
		if json.Unmarshal(x, &tmp) != nil {
			return string(x)
		}
		b, err = json.MarshalIndent(tmp, "", "  ")
	default:
		b, err = json.MarshalIndent(v, "", "  ")
	}
	if err != nil {
		return ""
	}
	return string(b)
}

// inboxCounts counts the inbox by status, once per request.
func (c *call) inboxCounts() (map[transfer.Status]int, error) {
	if c.counts != nil {
		return c.counts, nil
	}
	counts, err := c.h.st.Read().CountInbox(c.ctx(), c.vaspID())
	if err != nil {
		return nil, err
	}
	c.counts = counts
	return counts, nil
}
