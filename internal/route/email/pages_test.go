package email

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/route/email/emailtest"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// The pages against a real SQLite store and a real SMTP server, with a stand-in for the engine
// that records what it receives and moves the transfer's status as the engine would. The
// end-to-end tests (internal/e2e) run the same pages against the real engine; these cover the
// edges that are awkward to reach there.

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fakeEngine struct {
	st  store.Store
	mu  sync.Mutex
	in  []route.Inbound
	err error
}

func (f *fakeEngine) Receive(ctx context.Context, in *route.Inbound) error {
	f.mu.Lock()
	f.in = append(f.in, *in)
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return err
	}
	m := in.Message
	if in.Record != nil {
		if err := f.st.InTx(ctx, func(tx store.Tx) error { return in.Record(ctx, tx) }); err != nil {
			return err
		}
	}
	to := map[string]transfer.Status{"address_confirmation.ack": transfer.StatusACK, "address_confirmation.reject": transfer.StatusRejected,
		"decision.accept": transfer.StatusAccepted, "decision.decline": transfer.StatusDeclined, "decision.not_ready": transfer.StatusNotReady}[m.DedupKind()]
	return f.st.InTx(ctx, func(tx store.Tx) error {
		t, err := tx.GetTransferByMessageID(ctx, in.VASPID, m.TransferMessageID)
		if err != nil {
			return err
		}
		prev := t.Version
		t.Status, t.StatusReason, t.Version = to, m.Reason, prev+1
		return tx.UpdateTransfer(ctx, t, prev)
	})
}

func (f *fakeEngine) Get(ctx context.Context, vaspID, id string) (*transfer.Transfer, error) {
	t, err := f.st.Read().GetTransfer(ctx, vaspID, id)
	if err != nil {
		return nil, err
	}
	o, err := ivms.DecodeOriginator([]byte(naturalJSON), ivms.DecodeOptions{})
	if err != nil {
		return nil, err
	}
	out := t.Transfer
	out.Originator = o
	return &out, nil
}

func (f *fakeEngine) received() []route.Inbound {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]route.Inbound(nil), f.in...)
}

func (f *fakeEngine) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// switchMailer is the real SMTP client, or a failure while down is set.
type switchMailer struct {
	Mailer
	mu   sync.Mutex
	down bool
}

func (m *switchMailer) Send(ctx context.Context, mail *Mail) error {
	m.mu.Lock()
	down := m.down
	m.mu.Unlock()
	if down {
		return errors.New("smtp: connection refused")
	}
	return m.Mailer.Send(ctx, mail)
}

func (m *switchMailer) set(down bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.down = down
}

type harness struct {
	t      testing.TB
	svc    *Service
	st     store.Store
	eng    *fakeEngine
	smtp   *emailtest.Server
	mailer *switchMailer
	clock  *clock
	url    string
	cp     *counterparty.Counterparty
}

func newHarness(t testing.TB, tune func(*Config)) *harness {
	t.Helper()
	st := storetest.OpenSQLite(t)
	c := &clock{now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	smtp := emailtest.Start(t, emailtest.Options{})
	real, err := NewSMTP(SMTPConfig{Host: smtp.Host(), Port: smtp.Port(), TLS: TLSNone, From: "tr@alpha.example", Timeout: 5 * time.Second})
	require.NoError(t, err)
	h := &harness{t: t, st: st, eng: &fakeEngine{st: st}, smtp: smtp, mailer: &switchMailer{Mailer: real}, clock: c}
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	h.url = srv.URL
	cfg := Config{Engine: h.eng, Store: st, Mailer: h.mailer, BaseURL: srv.URL, Clock: c.Now, Rand: rand.Reader,
		NewID: func() string { return uuid.NewString() }}
	if tune != nil {
		tune(&cfg)
	}
	h.svc, err = New(cfg)
	require.NoError(t, err)
	handler = h.svc.Handler()
	v := &vasp.VASP{ID: "v1", Name: "Alpha <Exchange>", Country: "DE", Jurisdiction: "EU", Settings: vasp.DefaultSettings(), CreatedAt: c.now, UpdatedAt: c.now}
	require.NoError(t, st.InTx(context.Background(), func(tx store.Tx) error { return tx.CreateVASP(context.Background(), v, []byte("k")) }))
	h.cp = &counterparty.Counterparty{ID: "cp-1", VASPID: "v1", Name: "Gamma", Standing: counterparty.StandingAllowed,
		Routes: counterparty.Routes{Email: "compliance@gamma.example"}, CreatedAt: c.now, UpdatedAt: c.now}
	require.NoError(t, st.InTx(context.Background(), func(tx store.Tx) error { return tx.CreateCounterparty(context.Background(), h.cp) }))
	return h
}

// transfer stores a SENT outgoing transfer and has its inquiry sent; it returns the message id.
func (h *harness) transfer(id string, kind route.Kind) string {
	h.t.Helper()
	msg := h.store(id)
	require.NoError(h.t, h.send(id, kind))
	return msg
}

// store stores a SENT outgoing transfer and returns its message id.
func (h *harness) store(id string) string {
	h.t.Helper()
	t := &store.Transfer{Transfer: transfer.Transfer{ID: id, VASPID: "v1", MessageID: "msg-" + id, Direction: transfer.Outgoing,
		Status: transfer.StatusSent, Route: transfer.RouteEmail, Initiator: transfer.InitiatorOriginator,
		Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"}, Amount: decimal.RequireFromString("1.5"),
		DestinationAddress: "0xdest", OriginAddress: "0xorigin", CounterpartyID: h.cp.ID, CreatedAt: h.clock.Now(), UpdatedAt: h.clock.Now(), Version: 1}}
	require.NoError(h.t, h.st.InTx(context.Background(), func(tx store.Tx) error { return tx.CreateTransfer(context.Background(), t) }))
	return t.MessageID
}

func (h *harness) send(id string, kind route.Kind) error {
	return h.svc.Send(context.Background(), &route.Outbound{VASPID: "v1", TransferID: id, Counterparty: h.cp,
		Message: route.Message{ID: "out-" + id, TransferMessageID: "msg-" + id, Kind: kind}})
}

// mails returns the messages about messageID whose subject contains what.
func (h *harness) mails(messageID, what string) []emailtest.Message {
	var out []emailtest.Message
	for _, m := range h.smtp.Messages() {
		if strings.Contains(m.Text, messageID) && strings.Contains(m.Subject, what) {
			out = append(out, m)
		}
	}
	return out
}

func (h *harness) link(messageID string) string {
	h.t.Helper()
	inv := h.mails(messageID, "Travel Rule request from")
	require.NotEmpty(h.t, inv)
	return inv[len(inv)-1].Link()
}

type visitor struct {
	t      testing.TB
	h      *harness
	c      *http.Client
	status int
	body   string
	page   string
	header http.Header
	csrf   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (h *harness) visitor() *visitor {
	jar, err := cookiejar.New(nil)
	require.NoError(h.t, err)
	return &visitor{t: h.t, h: h, c: &http.Client{Jar: jar}}
}

func (v *visitor) do(req *http.Request) *visitor {
	v.t.Helper()
	res, err := v.c.Do(req)
	require.NoError(v.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(v.t, err)
	v.status, v.body, v.page, v.header = res.StatusCode, string(b), res.Request.URL.Path, res.Header
	if m := csrfField.FindStringSubmatch(v.body); m != nil {
		v.csrf = m[1]
	}
	return v
}

func (v *visitor) get(addr string) *visitor {
	v.t.Helper()
	if strings.HasPrefix(addr, "/") {
		addr = v.h.url + addr
	}
	req, err := http.NewRequest(http.MethodGet, addr, nil)
	require.NoError(v.t, err)
	return v.do(req)
}

func (v *visitor) post(path string, form url.Values) *visitor {
	v.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && v.csrf != "" {
		form.Set("csrf", v.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, v.h.url+path, strings.NewReader(form.Encode()))
	require.NoError(v.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return v.do(req)
}

func (v *visitor) expect(status int, texts ...string) *visitor {
	v.t.Helper()
	require.Equal(v.t, status, v.status, "%s\n%s", v.page, v.body)
	for _, s := range texts {
		require.Contains(v.t, v.body, s, v.page)
	}
	return v
}

// open opens a link and returns the exchange's page path.
func (v *visitor) open(link string) string {
	v.t.Helper()
	u, err := url.Parse(link)
	require.NoError(v.t, err)
	v.get(link).expect(http.StatusOK)
	v.post("/sunrise/open", url.Values{"t": {u.Query().Get("t")}}).expect(http.StatusOK, "Enter the code")
	return v.page
}

func (h *harness) code(messageID string, n int) string {
	h.t.Helper()
	codes := h.mails(messageID, "one-time code")
	require.GreaterOrEqual(h.t, len(codes), n)
	return codes[n-1].Code()
}

func TestPagesCodeLifetimeAndLimits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.MaxCodes = 3 })
	msg := h.transfer("t1", route.KindInquiry)
	v := h.visitor()
	page := v.open(h.link(msg))
	first := h.code(msg, 1)

	h.clock.Advance(11 * time.Minute)
	v.post(page+"code", url.Values{"code": {first}}).expect(http.StatusUnprocessableEntity, "This code has expired")
	v.get(page).expect(http.StatusOK, "No code is waiting")
	v.post(page+"resend", nil).expect(http.StatusOK, "A new code is on its way")
	v.post(page+"resend", nil).expect(http.StatusTooManyRequests, "Wait 60 seconds")
	h.clock.Advance(time.Minute)
	v.post(page+"resend", nil).expect(http.StatusOK, "A new code is on its way")
	h.clock.Advance(time.Minute)
	v.post(page+"resend", nil).expect(http.StatusTooManyRequests, "No more codes can be sent")
	require.Len(t, h.mails(msg, "one-time code"), 3)
	l, err := h.st.Read().GetEmailLinkByTransfer(context.Background(), "v1", "t1")
	require.NoError(t, err)
	require.Equal(t, 0, l.FailedCodes, "an expired code is not a wrong one")
	require.Equal(t, hashCode(l.ID, h.code(msg, 3)), l.CodeHash, "codes are stored hashed")
	v.post(page+"code", url.Values{"code": {h.code(msg, 2)}}).expect(http.StatusUnprocessableEntity, "not right", "4 attempts left")
	v.post(page+"code", url.Values{"code": {h.code(msg, 3)}}).expect(http.StatusOK, "Confirm the destination address", "0xdest")
	require.NotContains(t, v.body, "0xorigin", "the address step shows what is needed to recognise the address")
	require.Contains(t, v.body, "Alpha &lt;Exchange&gt;", "names are escaped")
}

func TestPagesCodeNotSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	msg := h.transfer("t1", route.KindInquiry)
	h.mailer.set(true)
	v := h.visitor()
	page := v.open(h.link(msg))
	v.expect(http.StatusOK, "No code is waiting")
	v.post(page+"resend", nil).expect(http.StatusTooManyRequests, "The code could not be sent")
	h.mailer.set(false)
	v.post(page+"resend", nil).expect(http.StatusOK, "A new code is on its way")
	v.post(page+"code", url.Values{"code": {h.code(msg, 1)}}).expect(http.StatusOK, "Confirm the destination address")
}

func TestPagesAnswers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	msg := h.transfer("t1", route.KindInquiry)
	v := h.visitor()
	page := v.open(h.link(msg))
	v.post(page+"code", url.Values{"code": {h.code(msg, 1)}}).expect(http.StatusOK)
	v.post(page+"address", url.Values{"answer": {"maybe"}}).expect(http.StatusUnprocessableEntity, "Choose an answer")
	require.Empty(t, h.eng.received())

	// The engine refusing the answer (the transfer moved on) shows where it stands.
	h.eng.fail(&transfer.TransitionError{From: transfer.StatusCancelled, Event: transfer.EventConfirm})
	v.post(page+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusConflict, "The transfer changed")
	h.eng.fail(nil)

	v.post(page+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusOK, "Review and answer", "Annelise Schmidt",
		"Friedrichstraße 12")
	in := h.eng.received()
	require.Len(t, in, 2)
	l, err := h.st.Read().GetEmailLinkByTransfer(context.Background(), "v1", "t1")
	require.NoError(t, err)
	require.NotNil(t, in[1].Record, "the confirmation is recorded in the engine's transaction")
	in[1].Record = nil
	require.Equal(t, route.Inbound{VASPID: "v1", Route: transfer.RouteEmail, CounterpartyID: "cp-1", Message: route.Message{
		ID: l.ID + ".address_confirmation.ack", TransferMessageID: msg, Kind: route.KindAddressConfirmation, Confirmed: true,
		SentAt: h.clock.Now()}}, in[1])
	require.NotNil(t, l.ConfirmedAt)
	require.NotNil(t, l.IdentityShownAt)

	// Engine validation errors come back to the form, on the right input.
	h.eng.fail(&engine.ValidationError{Fields: []engine.FieldError{{Path: "originator.originatorPersons[0].naturalPerson.dateAndPlaceOfBirth.dateOfBirth",
		Code: "invalid_date", Message: "not an existing date"}}})
	v.post(page+"decision", url.Values{"decision": {"accept"}}).expect(http.StatusUnprocessableEntity, `href="#date_of_birth"`, "not an existing date")
	h.eng.fail(errors.New("database on fire"))
	v.post(page+"decision", url.Values{"decision": {"accept"}}).expect(http.StatusInternalServerError, "Something went wrong")
	require.NotContains(t, v.body, "database on fire")
	h.eng.fail(nil)
	v.post(page+"decision", url.Values{"decision": {"shrug"}}).expect(http.StatusUnprocessableEntity, "Choose an answer")
	v.post(page+"decision", url.Values{"decision": {"not_ready"}, "not_ready_reason": {"bogus"}}).expect(http.StatusUnprocessableEntity, "Choose a reason")
	v.post(page+"decision", url.Values{"decision": {"accept"}}).expect(http.StatusOK, "Accepted")
	last := h.eng.received()
	require.Equal(t, route.DecisionAccept, last[len(last)-1].Message.Decision)
	require.Equal(t, l.ID+".decision.accept", last[len(last)-1].Message.ID)
}

func TestPagesRefuseBadRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	msg := h.transfer("t1", route.KindInquiry)
	v := h.visitor()
	page := v.open(h.link(msg))
	require.Equal(t, "no-store", v.header.Get("Cache-Control"))
	require.Equal(t, "DENY", v.header.Get("X-Frame-Options"))

	big := url.Values{"code": {strings.Repeat("1", maxFormSize)}}
	v.post(page+"code", big).expect(http.StatusBadRequest)
	v.post(page+"code", url.Values{"code": {"123456"}, "csrf": {""}}).expect(http.StatusForbidden, "Request refused")
	stranger := h.visitor()
	stranger.post(page+"code", url.Values{"code": {"123456"}, "csrf": {v.csrf}}).expect(http.StatusForbidden, "only in the browser")
	stranger.get("/sunrise/t/" + strings.Repeat("x", 80) + "/").expect(http.StatusForbidden)
	stranger.get("/sunrise/t/no-such-link/").expect(http.StatusForbidden)
	stranger.post("/sunrise/open", url.Values{"t": {"%%%"}}).expect(http.StatusNotFound, "not valid")
	res, err := http.Get(h.url + "/sunrise/style.css")
	require.NoError(t, err)
	require.Equal(t, "text/css; charset=utf-8", res.Header.Get("Content-Type"))
	_ = res.Body.Close()

	// Opening links is rate-limited per client address.
	limited := newHarness(t, func(c *Config) { c.OpenBurst, c.OpenRate = 1, time.Hour })
	lmsg := limited.transfer("t2", route.KindInquiry)
	lv := limited.visitor()
	lv.post("/sunrise/open", url.Values{"t": {"x"}}).expect(http.StatusNotFound)
	u, err := url.Parse(limited.link(lmsg))
	require.NoError(t, err)
	lv.post("/sunrise/open", url.Values{"t": {u.Query().Get("t")}}).expect(http.StatusTooManyRequests, "Too many attempts")
}

func TestSendLinks(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	msg := h.transfer("t1", route.KindInquiry)
	first := h.link(msg)
	// Sending again before the link is opened replaces its token.
	require.NoError(t, h.send("t1", route.KindInquiry))
	second := h.link(msg)
	require.NotEqual(t, first, second)
	h.visitor().get(first).expect(http.StatusNotFound, "not valid")
	v := h.visitor()
	v.open(second)
	// Once opened, nothing is sent again.
	require.NoError(t, h.send("t1", route.KindInquiry))
	require.Len(t, h.mails(msg, "Travel Rule request from"), 2)

	// Notifications go to the link's address, or the counterparty's when there is no link.
	require.NoError(t, h.svc.Send(context.Background(), &route.Outbound{VASPID: "v1", TransferID: "t1", Counterparty: h.cp,
		Message: route.Message{TransferMessageID: msg, Kind: route.KindTxHash, TxHash: "0xhash"}}))
	require.Contains(t, h.mails(msg, "completed")[0].Text, "0xhash")
	require.NoError(t, h.svc.Send(context.Background(), &route.Outbound{VASPID: "v1", TransferID: "nolink", Counterparty: h.cp,
		Message: route.Message{TransferMessageID: "msg-nolink", Kind: route.KindCancel, Reason: "expired: no answer"}}))
	require.Contains(t, h.mails("msg-nolink", "cancelled")[0].Text, "no answer arrived in time")

	var perm *route.Permanent
	err := h.svc.Send(context.Background(), &route.Outbound{VASPID: "v1", TransferID: "t1", Counterparty: h.cp,
		Message: route.Message{TransferMessageID: msg, Kind: route.KindDecision, Decision: route.DecisionAccept}})
	require.ErrorAs(t, err, &perm, "answers have no e-mail form")
	noMail := *h.cp
	noMail.Routes.Email = "not an address"
	err = h.svc.Send(context.Background(), &route.Outbound{VASPID: "v1", TransferID: "t1", Counterparty: &noMail,
		Message: route.Message{TransferMessageID: msg, Kind: route.KindCancel}})
	require.NoError(t, err, "a link exists: its address is used")
	err = h.svc.Send(context.Background(), &route.Outbound{VASPID: "v1", TransferID: "t9", Counterparty: &noMail,
		Message: route.Message{TransferMessageID: "msg-t9", Kind: route.KindInquiry}})
	require.ErrorAs(t, err, &perm)
	require.ErrorAs(t, h.svc.Send(context.Background(), &route.Outbound{VASPID: "v1", TransferID: "t1"}), &perm)

	// Purge removes links long past their hard limit.
	n, err := h.svc.Purge(context.Background(), time.Hour)
	require.NoError(t, err)
	require.Zero(t, n)
	h.clock.Advance(8 * 24 * time.Hour)
	n, err = h.svc.Purge(context.Background(), time.Hour)
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

// TestPageTemplates renders every page with everything filled in: no template error, no
// script, every visible input labelled.
func TestPageTemplates(t *testing.T) {
	t.Parallel()
	ps, err := parsePages()
	require.NoError(t, err)
	o, err := ivms.DecodeOriginator([]byte(naturalJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	tx := txView{Asset: "ETH on ethereum", Amount: "1.5 ETH", Destination: "0xdest", Reference: "m-1", TxHash: "0xh"}
	full := &page{Title: "T", VASP: "Alpha <b>", Base: "/sunrise/t/l/", CSRF: "tok", Token: "x", Masked: "c…@g", Until: "1 hour",
		Paragraphs: []string{"p"}, Continue: "/sunrise/t/l/", Notice: "n", Errors: []formError{{"code", "e"}, {"", "f"}},
		FieldErr: map[string]string{"code": "e", "family_name": "e", "decline_reason": "e"}, Form: map[string]string{"family_name": `"><script>`},
		Tx: &tx, Parties: partiesOf(&transfer.Transfer{Originator: o}), CodePending: true, AttemptsLeft: 3,
		DeclineReasons: declineReasons, NotReadyReasons: notReadyReasons, RejectReasons: rejectReasons, NationalIDTypes: nationalIDOptions}
	inputRE := regexp.MustCompile(`<(?:input|select|textarea)[^>]*\bid="([^"]+)"`)
	for _, name := range pageNames {
		for _, req := range []bool{false, true} {
			for _, status := range []string{"ACCEPTED", "COMPLETED", "DECLINED", "REJECTED", "CANCELLED", "X"} {
				p := *full
				p.Request, p.Status = req, status
				if req {
					p.Purpose = "request"
				}
				var b strings.Builder
				require.NoError(t, ps.t[name].Execute(&b, &p), name)
				html := b.String()
				require.NotContains(t, strings.ToLower(html), "<script", name)
				require.Contains(t, html, `<html lang="en">`)
				for _, m := range inputRE.FindAllStringSubmatch(html, -1) {
					require.Contains(t, html, `for="`+m[1]+`"`, "%s: input %s has no label", name, m[1])
				}
			}
		}
	}
}

func TestReissue(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	ctx := context.Background()
	actor := audit.Actor{Type: audit.ActorAPIKey, ID: "k1"}
	h.store("t1")
	var ce *engine.ConflictError
	_, err := h.svc.Reissue(ctx, actor, "v1", "t1")
	require.ErrorAs(t, err, &ce, "no link yet")
	_, err = h.svc.Reissue(ctx, actor, "v1", "nope")
	require.ErrorIs(t, err, store.ErrNotFound)

	require.NoError(t, h.send("t1", route.KindInquiry))
	old := h.link("msg-t1")
	v := h.visitor()
	page := v.open(old)
	r, err := h.svc.Reissue(ctx, actor, "v1", "t1")
	require.NoError(t, err)
	require.Equal(t, "c…@gamma.example", r.SentTo)
	v.get(page).expect(http.StatusForbidden, "only in the browser")
	h.visitor().get(old).expect(http.StatusNotFound, "not valid")

	// The queued job sends the new link.
	job, err := jobs.NewJob(JobReissue, "msg:t1", reissuePayload{VASPID: "v1", TransferID: "t1"}, h.clock.Now(), 1)
	require.NoError(t, err)
	_, err = h.svc.Kinds()[0].Run(ctx, job)
	require.NoError(t, err)
	fresh := h.link("msg-t1")
	require.NotEqual(t, old, fresh)
	h.visitor().open(fresh)
	counts, err := h.st.Read().CountJobs(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, counts[JobReissue], "Reissue queued its job in its transaction")

	// A final transfer gets no new link, and a queued job for it sends nothing.
	require.NoError(t, h.st.InTx(ctx, func(tx store.Tx) error {
		tr, err := tx.GetTransfer(ctx, "v1", "t1")
		if err != nil {
			return err
		}
		prev := tr.Version
		tr.Status, tr.Version = transfer.StatusCancelled, prev+1
		return tx.UpdateTransfer(ctx, tr, prev)
	}))
	_, err = h.svc.Reissue(ctx, actor, "v1", "t1")
	require.ErrorAs(t, err, &ce)
	before := len(h.smtp.Messages())
	_, err = h.svc.Kinds()[0].Run(ctx, job)
	require.NoError(t, err)
	require.Len(t, h.smtp.Messages(), before)
}
