package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/cli"
	"github.com/waybill/waybill/internal/config"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/route/email/emailtest"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/transfer"
)

// The e-mail route's end-to-end harness: one real node with the e-mail route configured
// against an SMTP server in process, the demo VASPs, and Gamma — a counterparty in Alpha's
// directory that has only a compliance e-mail address. The "other side" of the route is a
// person: tests play it with browser, which drives the sunrise pages with net/http, a cookie
// jar and forms, as a browser without JavaScript would.

const gammaMail = "compliance@gamma.example"

type mailNode struct {
	Node  *cli.Node
	URL   string
	Clock *nodetest.Clock
	Alpha *nodetest.Party
	Beta  *nodetest.Party
	SMTP  *emailtest.Server
	// Gamma is Alpha's directory entry for the e-mail-only counterparty.
	Gamma string
}

// startMailNode boots a node on driver d whose e-mail route sends through an SMTP server in
// process.
func startMailNode(t *testing.T, d nodetest.Driver) *mailNode {
	t.Helper()
	ctx := context.Background()
	clock := nodetest.NewClock(time.Now().UTC().Truncate(time.Millisecond))
	smtp := emailtest.Start(t, emailtest.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	c := config.Default()
	c.HTTP.Addr, c.HTTP.BaseURL = ln.Addr().String(), "http://"+ln.Addr().String()
	if d == nodetest.Postgres {
		c.Database.URL, c.Database.MaxConns = storetest.PostgresURL(t), 8
	} else {
		c.Database.URL, c.Database.SQLiteSynchronous = "sqlite:"+filepath.Join(t.TempDir(), "waybill.db"), "normal"
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	c.Keys.MasterKey = base64.StdEncoding.EncodeToString(key)
	c.Jobs.Workers, c.Jobs.Poll = 8, 20*time.Millisecond
	c.HTTP.ShutdownTimeout = 5 * time.Second
	c.Email.Host, c.Email.Port, c.Email.TLS, c.Email.From = smtp.Host(), smtp.Port(), "none", "travelrule@alpha.example"
	c.Email.Timeout = 5 * time.Second
	require.Empty(t, c.Validate())
	logger := slog.New(slog.DiscardHandler)
	if os.Getenv("WAYBILL_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	n, err := cli.OpenNode(ctx, c, cli.Options{Clock: clock.Now, Logger: logger})
	require.NoError(t, err)
	demo, err := cli.SeedDemo(ctx, n, cli.DemoOptions{})
	if err != nil {
		_ = n.Close()
	}
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Serve(runCtx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
		}
	})
	hc := client.NewHTTPClient(30 * time.Second)
	url := "http://" + ln.Addr().String()
	m := &mailNode{Node: n, URL: url, Clock: clock, SMTP: smtp,
		Alpha: &nodetest.Party{VASP: demo.Alpha.VASP, Client: client.New(url, demo.Alpha.APIKey, client.WithHTTPClient(hc)), Wallets: demo.Alpha.Wallets},
		Beta:  &nodetest.Party{VASP: demo.Beta.VASP, Client: client.New(url, demo.Beta.APIKey, client.WithHTTPClient(hc)), Wallets: demo.Beta.Wallets}}
	gamma, err := m.Alpha.Client.CreateCounterparty(ctx, engine.CounterpartyInput{Name: "Gamma Custody Ltd", Country: "GB",
		Standing: "allowed", Routes: counterparty.Routes{Email: gammaMail}})
	require.NoError(t, err)
	m.Gamma = gamma.ID
	return m
}

// quiesce waits until every outbound message is delivered and no other job is due, before the
// test moves the clock: a send in flight whose lease ran out would run again (and replace the
// link it e-mailed).
func (m *mailNode) quiesce(t *testing.T) {
	t.Helper()
	var kinds []string
	for _, k := range m.Node.Engine.Kinds(nil) {
		kinds = append(kinds, k.Name)
	}
	nodetest.Poll(t, "the job queue to drain", func() bool {
		counts, err := m.Node.Store.Read().CountJobs(context.Background())
		if err != nil || counts[engine.JobSend] > 0 {
			return false
		}
		at, err := m.Node.Store.Read().NextJobAt(context.Background(), kinds)
		return err == nil && (at.IsZero() || at.After(m.Clock.Now()))
	})
}

// toGamma is a withdrawal from Alpha's customer to an address Gamma is said to control.
func (m *mailNode) toGamma(t *testing.T, ref string) *client.Transfer {
	t.Helper()
	in := withdrawal(t, ref, strangeETH)
	in.BeneficiaryVASP = &engine.VASPInput{CounterpartyID: m.Gamma}
	out, _, err := m.Alpha.Client.CreateTransfer(ctxT(t), in)
	require.NoError(t, err)
	require.Equal(t, transfer.StatusSent, out.Status, out.StatusReason)
	require.Equal(t, transfer.RouteEmail, out.Route)
	return out
}

// invite waits for the e-mail about the transfer with messageID and returns it.
func (m *mailNode) invite(t *testing.T, messageID string) emailtest.Message {
	t.Helper()
	msg := m.SMTP.Wait(t, "the invitation for "+messageID, func(e emailtest.Message) bool {
		return e.SentTo(gammaMail) && strings.Contains(e.Subject, "Travel Rule request from") && strings.Contains(e.Text, messageID)
	})
	require.NotEmpty(t, msg.Link(), "the invitation carries a link:\n%s", msg.Text)
	return msg
}

// invitations returns the invitations about messageID so far, oldest first.
func (m *mailNode) invitations(messageID string) []emailtest.Message {
	var out []emailtest.Message
	for _, e := range m.SMTP.Messages() {
		if e.SentTo(gammaMail) && strings.Contains(e.Subject, "Travel Rule request from") && strings.Contains(e.Text, messageID) {
			out = append(out, e)
		}
	}
	return out
}

// codes returns the one-time codes e-mailed about messageID so far, oldest first.
func (m *mailNode) codes(messageID string) []string {
	var out []string
	for _, e := range m.SMTP.Messages() {
		if e.SentTo(gammaMail) && strings.Contains(e.Subject, "one-time code") && strings.Contains(e.Text, messageID) {
			out = append(out, e.Code())
		}
	}
	return out
}

// waitCode waits for the n-th code about messageID (from 1).
func (m *mailNode) waitCode(t *testing.T, messageID string, n int) string {
	t.Helper()
	var code string
	nodetest.Poll(t, "one-time code e-mail", func() bool {
		c := m.codes(messageID)
		if len(c) >= n {
			code = c[n-1]
			return true
		}
		return false
	})
	require.Len(t, code, 6)
	return code
}

// browser is a person at a web browser without JavaScript: it keeps cookies and follows
// redirects, and reads the CSRF token and the page address off the last page.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
	// page is the address of the last page, status and body its response.
	page   string
	status int
	body   string
	header http.Header
	// token is the CSRF token of the last page that had a form.
	token string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}, base: base}
}

func (b *browser) do(req *http.Request) *browser {
	b.t.Helper()
	res, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	b.page, b.status, b.body, b.header = res.Request.URL.String(), res.StatusCode, string(body), res.Header
	if m := csrfRE.FindStringSubmatch(b.body); m != nil {
		b.token = m[1]
	}
	return b
}

// get opens an address (absolute, or a path on the node).
func (b *browser) get(addr string) *browser {
	b.t.Helper()
	if strings.HasPrefix(addr, "/") {
		addr = b.base + addr
	}
	req, err := http.NewRequest(http.MethodGet, addr, nil)
	require.NoError(b.t, err)
	return b.do(req)
}

// submit posts a form to action (a path), adding the CSRF token of the last page with a form
// unless the form has one.
func (b *browser) submit(action string, form url.Values) *browser {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && b.token != "" {
		form.Set("csrf", b.token)
	}
	req, err := http.NewRequest(http.MethodPost, b.base+action, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var (
	csrfRE   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	actionRE = regexp.MustCompile(`action="(/sunrise/t/[^"]+/)[a-z]+"`)
	pageRE   = regexp.MustCompile(`^/sunrise/t/[^/]+/`)
)

// at returns the /sunrise/t/{id}/ path of the last page.
func (b *browser) at() string {
	b.t.Helper()
	u, err := url.Parse(b.page)
	require.NoError(b.t, err)
	if m := pageRE.FindString(u.Path); m != "" {
		return m
	}
	m := actionRE.FindStringSubmatch(b.body)
	require.NotNil(b.t, m, "no exchange page: %s\n%s", b.page, b.body)
	return m[1]
}

// expect checks the last page's status and that it says each of texts.
func (b *browser) expect(status int, texts ...string) *browser {
	b.t.Helper()
	require.Equal(b.t, status, b.status, "%s\n%s", b.page, b.body)
	for _, s := range texts {
		require.Contains(b.t, b.body, s, "page %s", b.page)
	}
	return b
}

// open opens an invitation's link: the landing page, then its button. The visitor lands on
// the code page.
func (b *browser) open(link string) *browser {
	b.t.Helper()
	b.get(link).expect(http.StatusOK, "Continue and send me a code")
	noIdentity(b.t, b.body, "the landing page")
	u, err := url.Parse(link)
	require.NoError(b.t, err)
	return b.submit("/sunrise/open", url.Values{"t": {u.Query().Get("t")}}).expect(http.StatusOK, "Enter the code we sent you")
}

// verified opens the link of the transfer's invitation and enters the code: the visitor lands
// on the address step.
func (m *mailNode) verified(t *testing.T, messageID string) *browser {
	t.Helper()
	b := newBrowser(t, m.URL)
	b.open(m.invite(t, messageID).Link())
	noIdentity(t, b.body, "the code page")
	b.submit(b.at()+"code", url.Values{"code": {m.waitCode(t, messageID, 1)}})
	return b
}

// identityMarkers are values of the identity data the tests send.
var identityMarkers = []string{originatorFamily, originatorGiven, beneficiaryName, "Friedrichstraße", "L01X00T47", "1985-04-12", "Hamburg"}

// noIdentity fails when text holds identity data.
func noIdentity(t *testing.T, text, where string) {
	t.Helper()
	for _, s := range identityMarkers {
		require.NotContains(t, text, s, "%s shows identity data", where)
	}
	require.NotContains(t, text, "originatorPersons", "%s shows raw IVMS101", where)
}

// noIdentityInMail fails when any e-mail sent so far holds identity data.
func noIdentityInMail(t *testing.T, m *mailNode) {
	t.Helper()
	msgs := m.SMTP.Messages()
	require.NotEmpty(t, msgs)
	for _, e := range msgs {
		noIdentity(t, e.Subject+"\n"+e.Text, "e-mail "+e.Subject)
	}
	require.Empty(t, m.SMTP.Errors())
}
