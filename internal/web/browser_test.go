package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/web"
)

// The browser tests drive Debian's Chromium headless through the DevTools protocol (chromedp).
// They are skipped where /usr/bin/chromium is missing; CI installs it. Screenshots of the inbox,
// a transfer and the policy editor go to $WAYBILL_ARTIFACTS (default: the test's temporary
// directory).

const chromium = "/usr/bin/chromium"

// browser starts a headless Chromium for the test and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no " + chromium + ": apt-get install -y chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1440, 1000), chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	require.NoError(t, chromedp.Run(ctx), "start chromium")
	// Destructive actions ask with window.confirm: the person says yes.
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go func() { _ = chromedp.Run(ctx, page.HandleJavaScriptDialog(true)) }()
		}
	})
	return ctx
}

// artifacts is where screenshots go.
func artifacts(t *testing.T) string {
	dir := os.Getenv("WAYBILL_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	require.NoError(t, chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100))) // quality 100 makes a PNG
	path := filepath.Join(artifacts(t), name)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
}

// login fills the sign-in form and waits for the page after it.
func login(ctx context.Context, base, email, pw, waitFor string) error {
	return chromedp.Run(ctx,
		chromedp.Navigate(base+"/ui/login"),
		chromedp.WaitVisible(`input[name="email"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name="email"]`, email, chromedp.ByQuery),
		chromedp.SendKeys(`input[name="password"]`, pw, chromedp.ByQuery),
		chromedp.Click(`form.login button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(waitFor, chromedp.ByQuery),
	)
}

// poll waits until a JavaScript expression is true in the page.
func poll(ctx context.Context, expr string, timeout time.Duration) error {
	var ok bool
	return chromedp.Run(ctx, chromedp.Poll(expr, &ok, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
}

// An officer signs in, finds a held withdrawal in the inbox, opens it, approves it and sees it
// move on; the inbox refreshes itself when a new one arrives.
func TestBrowserOfficerApproves(t *testing.T) {
	t.Parallel()
	n := heldNode(t, nodetest.SQLite)
	addUser(t, n, n.Alpha.VASP.ID, "olga@alpha.example", "Olga Officer", store.RoleOfficer)
	for i := 1; i <= 3; i++ {
		withdrawal(t, n, fmt.Sprintf("wd-older-%d", i))
	}
	held := withdrawal(t, n, "wd-browser-1")
	ctx := browser(t)

	require.NoError(t, login(ctx, n.URL, "olga@alpha.example", password, `#inbox`))
	row := fmt.Sprintf(`tr[data-id="%s"] a.ref`, held.ID)
	var count string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.WaitVisible(row, chromedp.ByQuery),
		chromedp.Text(`#nav-inbox-count`, &count, chromedp.ByQuery)))
	require.Equal(t, "4", strings.TrimSpace(count))
	screenshot(t, ctx, "inbox.png")

	var status string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(row, chromedp.ByQuery),
		chromedp.WaitVisible(`button[data-action="approve"]`, chromedp.ByQuery),
		chromedp.Text(`section.summary .badge`, &status, chromedp.ByQuery)))
	require.Equal(t, "NEW", status)
	var parties string
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(`.parties`, &parties, chromedp.ByQuery)))
	require.Contains(t, parties, "Annelise Schmidt-Krügerová")
	require.Contains(t, parties, "passport (CCPT)")
	screenshot(t, ctx, "transfer.png")

	var flash string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(`button[data-action="approve"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash.ok`, chromedp.ByQuery),
		chromedp.Text(`.flash.ok`, &flash, chromedp.ByQuery),
		chromedp.Text(`section.summary .badge`, &status, chromedp.ByQuery)))
	require.Equal(t, "Approve: done.", strings.TrimSpace(flash))
	require.Contains(t, []string{"SENT", "ACK"}, status, "the withdrawal moved on")
	require.NoError(t, chromedp.Run(ctx, chromedp.WaitVisible(`#timeline .ev-user`, chromedp.ByQuery)))
	var timeline string
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(`#timeline`, &timeline, chromedp.ByQuery)))
	require.Contains(t, timeline, "NEW → SENT — Olga Officer", "the audit trail names the officer")

	// Back in the inbox it is gone, and a withdrawal held meanwhile appears without a reload. The
	// node's dashboard refreshes every 10 seconds; a second one over the same engine and store,
	// refreshing every second, keeps the test short (the session cookie serves both).
	fast, err := web.New(web.Config{Engine: n.Node.Engine, Store: n.Node.Store, Clock: n.Clock.Now, Refresh: time.Second, Password: cheap})
	require.NoError(t, err)
	srv := httptest.NewServer(fast)
	t.Cleanup(srv.Close)
	require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/ui/inbox"), chromedp.WaitVisible(`#inbox`, chromedp.ByQuery)))
	var present bool
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(fmt.Sprintf(`!!document.querySelector('tr[data-id="%s"]')`, held.ID), &present)))
	require.False(t, present)
	later := withdrawal(t, n, "wd-browser-2")
	require.NoError(t, poll(ctx, fmt.Sprintf(`!!document.querySelector('tr[data-id="%s"]')`, later.ID), 15*time.Second),
		"the inbox refreshes itself")
	require.NoError(t, poll(ctx, `document.querySelector('#nav-inbox-count').textContent.trim() === '4'`, 15*time.Second),
		"so does the count in the navigation")
	got, err := n.Node.Engine.Get(context.Background(), n.Alpha.VASP.ID, held.ID)
	require.NoError(t, err)
	require.NotEqual(t, transfer.StatusNew, got.Status)
}

// A viewer reads a transfer but gets no action, and a hand-made form is refused.
func TestBrowserViewerCannotAct(t *testing.T) {
	t.Parallel()
	n := heldNode(t, nodetest.SQLite)
	addUser(t, n, n.Alpha.VASP.ID, "vera@alpha.example", "Vera Viewer", store.RoleViewer)
	held := withdrawal(t, n, "wd-viewer-1")
	ctx := browser(t)
	require.NoError(t, login(ctx, n.URL, "vera@alpha.example", password, `#inbox`))
	var forms int
	var note string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(n.URL+"/ui/transfers/"+held.ID),
		chromedp.WaitVisible(`#actions`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('form.action').length`, &forms),
		chromedp.Text(`#actions p.muted`, &note, chromedp.ByQuery)))
	require.Zero(t, forms)
	require.Contains(t, note, "can read this transfer but not act on it")

	// The viewer builds the approve form by hand, with the page's own token.
	var msg string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Evaluate(fmt.Sprintf(`(() => {
			const f = document.createElement('form');
			f.method = 'post'; f.action = '/ui/transfers/%s/approve';
			const i = document.createElement('input');
			i.type = 'hidden'; i.name = 'csrf'; i.value = document.querySelector('input[name="csrf"]').value;
			f.appendChild(i); document.body.appendChild(f); f.submit(); return true })()`, held.ID), nil),
		chromedp.WaitVisible(`#error-message`, chromedp.ByQuery),
		chromedp.Text(`#error-message`, &msg, chromedp.ByQuery)))
	require.Contains(t, msg, "does not allow this")
	got, err := n.Node.Engine.Get(context.Background(), n.Alpha.VASP.ID, held.ID)
	require.NoError(t, err)
	require.Equal(t, transfer.StatusNew, got.Status)
}

// A page on another origin that posts to the dashboard in the officer's browser is refused,
// even when it knows the form token; the officer's own confirmed cancel goes through.
func TestBrowserCSRFRefused(t *testing.T) {
	t.Parallel()
	n := heldNode(t, nodetest.SQLite)
	addUser(t, n, n.Alpha.VASP.ID, "olga@alpha.example", "Olga Officer", store.RoleOfficer)
	held := withdrawal(t, n, "wd-csrf-1")
	ctx := browser(t)
	require.NoError(t, login(ctx, n.URL, "olga@alpha.example", password, `#inbox`))
	var token string
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('input[name="csrf"]').value`, &token)))
	require.NotEmpty(t, token)

	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%s/ui/transfers/%s/cancel">
			<input type="hidden" name="csrf" value="%s"><input type="hidden" name="confirmed" value="yes">
			<input type="hidden" name="reason" value="forged"></form><script>document.getElementById('f').submit()</script>`,
			n.URL, held.ID, token)
	}))
	t.Cleanup(evil.Close)
	var msg string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(evil.URL),
		chromedp.WaitVisible(`#error-message`, chromedp.ByQuery),
		chromedp.Text(`#error-message`, &msg, chromedp.ByQuery)))
	require.Contains(t, msg, "came from another site and was refused")
	got, err := n.Node.Engine.Get(context.Background(), n.Alpha.VASP.ID, held.ID)
	require.NoError(t, err)
	require.Equal(t, transfer.StatusNew, got.Status, "the forged cancel changed nothing")

	// The officer cancels it from the dashboard: the browser asks, the officer confirms.
	var status string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(n.URL+"/ui/transfers/"+held.ID),
		chromedp.WaitVisible(`button[data-action="cancel"]`, chromedp.ByQuery),
		chromedp.SendKeys(`form[action$="/cancel"] input[name="reason"]`, "customer asked", chromedp.ByQuery),
		chromedp.Click(`button[data-action="cancel"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash.ok`, chromedp.ByQuery),
		chromedp.Text(`section.summary .badge`, &status, chromedp.ByQuery)))
	require.Equal(t, "CANCELLED", status)
}

// Wrong passwords lock the account after the limit; then even the right one is refused.
func TestBrowserLockout(t *testing.T) {
	t.Parallel()
	n := heldNode(t, nodetest.SQLite)
	addUser(t, n, n.Alpha.VASP.ID, "olga@alpha.example", "Olga Officer", store.RoleOfficer)
	ctx := browser(t)
	var msg string
	for i := 1; i <= 5; i++ {
		require.NoError(t, login(ctx, n.URL, "olga@alpha.example", fmt.Sprintf("wrong password %d", i), `#login-error`))
		require.NoError(t, chromedp.Run(ctx, chromedp.Text(`#login-error`, &msg, chromedp.ByQuery)))
		if i < 5 {
			require.Equal(t, "Wrong e-mail address or password.", strings.TrimSpace(msg), "attempt %d", i)
		}
	}
	require.Contains(t, msg, "locked for 15 minute(s)")
	require.NoError(t, login(ctx, n.URL, "olga@alpha.example", password, `#login-error`))
	require.NoError(t, chromedp.Run(ctx, chromedp.Text(`#login-error`, &msg, chromedp.ByQuery)))
	require.Contains(t, msg, "locked", "the right password is refused while locked")
}

// An admin writes a policy, tests it against a held withdrawal and saves it; the screenshot shows
// the editor with the test result.
func TestBrowserPolicyEditor(t *testing.T) {
	t.Parallel()
	n := heldNode(t, nodetest.SQLite)
	addUser(t, n, n.Alpha.VASP.ID, "ada@alpha.example", "Ada Admin", store.RoleAdmin)
	withdrawal(t, n, "wd-policy-b1")
	ctx := browser(t)
	require.NoError(t, login(ctx, n.URL, "ada@alpha.example", password, `#inbox`))
	var result string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Navigate(n.URL+"/ui/policies"),
		chromedp.WaitVisible(`#policy-editor`, chromedp.ByQuery),
		chromedp.SetValue(`#policy-doc`, approveLarge, chromedp.ByQuery),
		chromedp.SendKeys(`input[name="transfer"]`, "wd-policy-b1", chromedp.ByQuery),
		chromedp.Click(`#policy-test-button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#policy-test`, chromedp.ByQuery),
		chromedp.Text(`#policy-test p`, &result, chromedp.ByQuery)))
	require.Contains(t, result, "would approve (policy approve-known-vasps)")
	screenshot(t, ctx, "policies.png")
	var flash string
	require.NoError(t, chromedp.Run(ctx,
		chromedp.Click(`#policy-save`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash.ok`, chromedp.ByQuery),
		chromedp.Text(`.flash.ok`, &flash, chromedp.ByQuery)))
	require.Equal(t, "Policies saved as version 1.", strings.TrimSpace(flash))
}
