package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// row is one transfer in a list.
type row struct {
	ID           string
	Ref          string
	Created      time.Time
	Direction    transfer.Direction
	Status       transfer.Status
	Amount       string
	Asset        string
	Fiat         string
	Counterparty string
	Route        string
	Risk         string
	RiskClass    string
	Reason       string
}

func newRow(t *transfer.Transfer) row {
	r := row{ID: t.ID, Ref: t.Ref, Created: t.CreatedAt, Direction: t.Direction, Status: t.Status,
		Amount: t.Amount.String(), Asset: t.Asset.Symbol + " on " + t.Asset.Network, Route: string(t.Route), Reason: waitReason(t)}
	if r.Route == "" {
		r.Route = "–"
	}
	if t.FiatValue != nil {
		r.Fiat = t.FiatValue.Amount.StringFixed(2) + " " + t.FiatValue.Currency
	}
	if cp := t.CounterpartyVASP(); cp != nil && cp.Name != "" {
		r.Counterparty = cp.Name
	}
	r.Risk, r.RiskClass = risk(t.Screening)
	return r
}

// risk summarises screening results: the highest score and its tags.
func risk(results []transfer.ScreeningResult) (string, string) {
	if len(results) == 0 {
		return "not screened", "risk-none"
	}
	var top *decimal.Decimal
	var tags []string
	failed, screened := false, false
	for _, s := range results {
		if s.Status == "ERROR" || s.Status == "TIMEOUT" {
			failed = true
		}
		screened = screened || s.Status == "COMPLETED"
		if s.RiskScore != nil && (top == nil || s.RiskScore.GreaterThan(*top)) {
			top = s.RiskScore
			tags = s.RiskTags
		}
	}
	switch {
	case top == nil && failed:
		return "screening failed", "risk-high"
	case top == nil && !screened:
		return "not screened", "risk-none"
	case top == nil:
		return "no findings", "risk-low"
	}
	label := top.String() + "/10"
	if len(tags) > 0 {
		label += " " + strings.Join(tags, ", ")
	}
	switch {
	case top.GreaterThanOrEqual(decimal.NewFromInt(7)):
		return label, "risk-high"
	case top.GreaterThanOrEqual(decimal.NewFromInt(4)):
		return label, "risk-medium"
	}
	return label, "risk-low"
}

// waitReason says, in words, why a transfer waits for a person (or what it waits for).
func waitReason(t *transfer.Transfer) string {
	decided := ""
	if t.Decision != nil && t.Decision.Action == "review" {
		decided = reasonText(t.Decision.Reason, "held for review")
		if t.Decision.Policy != "" {
			decided += " (policy " + t.Decision.Policy + ")"
		}
	}
	answering := !t.WeInitiated()
	switch {
	case t.Status == transfer.StatusNew && decided != "":
		return "Review: " + decided
	case t.Status == transfer.StatusNew && t.Initiator == transfer.InitiatorBeneficiary:
		return "Request ready: approve to send it to the originating VASP"
	case t.Status == transfer.StatusNew:
		return "Waiting for approval"
	case t.Status == transfer.StatusWaitingForInformation:
		return "No route: " + reasonText(t.StatusReason, "no protocol or e-mail reaches the counterparty")
	case answering && t.Status == transfer.StatusSent:
		return "Confirm or reject the destination address"
	case answering && t.Status == transfer.StatusACK && decided != "":
		return "Decide: " + decided
	case answering && t.Status == transfer.StatusACK:
		return "Decide: accept or decline"
	case answering && t.Status == transfer.StatusNotReady:
		return "We answered not ready: " + reasonText(t.StatusReason, "answer when ready")
	}
	return reasonText(t.StatusReason, "")
}

func reasonText(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// listFilter is a list's filter as the query string gives it.
type listFilter struct {
	Q         string
	Direction string
	Status    string
	Cursor    string
}

func readFilter(r *http.Request) listFilter {
	q := r.URL.Query()
	f := listFilter{Q: strings.TrimSpace(q.Get("q")), Direction: q.Get("direction"), Status: q.Get("status"), Cursor: q.Get("cursor")}
	if len(f.Q) > 256 {
		f.Q = f.Q[:256]
	}
	if d := transfer.Direction(f.Direction); !d.Valid() {
		f.Direction = ""
	}
	if !transfer.Status(f.Status).Valid() {
		f.Status = ""
	}
	if len(f.Cursor) > 64 {
		f.Cursor = ""
	}
	return f
}

// query renders the filter (without the cursor) as a query string.
func (f listFilter) query() template.URL {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Q, "direction": f.Direction, "status": f.Status} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return template.URL(v.Encode()) // #nosec: encoded by url.Values
}

// inboxView is the data of the inbox page and its rows fragment.
type inboxView struct {
	Filter   listFilter
	Query    template.URL
	Rows     []row
	Next     string
	Counts   []statusCount
	Total    int
	Statuses []transfer.Status
}

type statusCount struct {
	Status transfer.Status
	Count  int
}

// inboxStatuses are the statuses a transfer can wait in for a person.
var inboxStatuses = []transfer.Status{transfer.StatusNew, transfer.StatusSent, transfer.StatusACK, transfer.StatusNotReady,
	transfer.StatusWaitingForInformation}

const pageSize = 100

func (h *Handler) inboxData(c *call) (*inboxView, error) {
	f := readFilter(c.r)
	sf := store.InboxFilter{VASPID: c.vaspID(), Direction: transfer.Direction(f.Direction), Query: f.Q, After: f.Cursor, Limit: pageSize}
	if f.Status != "" {
		sf.Statuses = []transfer.Status{transfer.Status(f.Status)}
	}
	if f.Q != "" {
		ids, err := h.counterpartiesNamed(c, f.Q)
		if err != nil {
			return nil, err
		}
		sf.CounterpartyIDs = ids
	}
	list, err := h.st.Read().ListInbox(c.ctx(), sf)
	if err != nil {
		return nil, err
	}
	counts, err := c.inboxCounts()
	if err != nil {
		return nil, err
	}
	v := &inboxView{Filter: f, Query: f.query(), Statuses: inboxStatuses}
	for _, st := range inboxStatuses {
		if n := counts[st]; n > 0 {
			v.Counts = append(v.Counts, statusCount{Status: st, Count: n})
			v.Total += n
		}
	}
	for i := range list {
		v.Rows = append(v.Rows, newRow(&list[i].Transfer))
	}
	if len(list) == pageSize {
		v.Next = list[len(list)-1].ID
	}
	return v, nil
}

// counterpartiesNamed returns the directory entries whose name contains q (case-insensitive).
func (h *Handler) counterpartiesNamed(c *call, q string) ([]string, error) {
	q = strings.ToLower(q)
	var out []string
	err := h.eachCounterparty(c, func(cp *counterparty.Counterparty) {
		if strings.Contains(strings.ToLower(cp.Name), q) || (cp.LEI != "" && strings.EqualFold(cp.LEI, q)) {
			out = append(out, cp.ID)
		}
	})
	if len(out) > 200 {
		out = out[:200]
	}
	return out, err
}

// eachCounterparty walks the VASP's directory (up to 10,000 entries).
func (h *Handler) eachCounterparty(c *call, fn func(*counterparty.Counterparty)) error {
	after := ""
	for range 20 {
		list, err := h.st.Read().ListCounterparties(c.ctx(), c.vaspID(), after, 500)
		if err != nil {
			return err
		}
		for i := range list {
			fn(&list[i])
		}
		if len(list) < 500 {
			return nil
		}
		after = list[len(list)-1].ID
	}
	return nil
}

func (h *Handler) inbox(c *call) error {
	v, err := h.inboxData(c)
	if err != nil {
		return err
	}
	c.render(http.StatusOK, "inbox", "Inbox", "inbox", v)
	return nil
}

// inboxRows is the inbox table alone, for the page's live refresh.
func (h *Handler) inboxRows(c *call) error {
	v, err := h.inboxData(c)
	if err != nil {
		return err
	}
	h.write(c.w, c.r, http.StatusOK, "inbox", "inbox-rows", c.view("Inbox", "inbox", v))
	return nil
}

// navCount is the inbox count of the navigation, for its live refresh.
func (h *Handler) navCount(c *call) error {
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = fmt.Fprint(c.w, strconv.Itoa(h.inboxCount(c)))
	return nil
}

// transfersView is the data of the list of all transfers.
type transfersView struct {
	Filter   listFilter
	Query    template.URL
	Rows     []row
	Next     string
	Statuses []transfer.Status
}

func (h *Handler) transfers(c *call) error {
	f := readFilter(c.r)
	sf := store.TransferFilter{VASPID: c.vaspID(), Direction: transfer.Direction(f.Direction), Query: f.Q, After: f.Cursor, Limit: pageSize}
	if f.Status != "" {
		sf.Statuses = []transfer.Status{transfer.Status(f.Status)}
	}
	list, err := h.st.Read().ListTransfers(c.ctx(), sf)
	if err != nil {
		return err
	}
	v := &transfersView{Filter: f, Query: f.query(), Statuses: transfer.Statuses}
	for i := range list {
		v.Rows = append(v.Rows, newRow(&list[i].Transfer))
	}
	if len(list) == pageSize {
		v.Next = list[len(list)-1].ID
	}
	c.render(http.StatusOK, "transfers", "Transfers", "transfers", v)
	return nil
}
