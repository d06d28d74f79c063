package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// fixture is a node with a held withdrawal and users of every role.
type fixture struct {
	n        *nodetest.Node
	held     *transfer.Transfer
	alphaCP  string // Alpha's directory entry for Beta
	alphaEP  string
	viewer   *session
	officer  *session
	admin    *session
	betaOff  *session
	operator *session
}

func newFixture(t *testing.T, d nodetest.Driver) *fixture {
	n := heldNode(t, d)
	f := &fixture{n: n, alphaEP: n.Alpha.WebhookID}
	a := n.Alpha.VASP.ID
	addUser(t, n, a, "vera@alpha.example", "Vera Viewer", store.RoleViewer)
	addUser(t, n, a, "olga@alpha.example", "Olga Officer", store.RoleOfficer)
	addUser(t, n, a, "ada@alpha.example", "Ada Admin", store.RoleAdmin)
	addUser(t, n, n.Beta.VASP.ID, "bert@beta.example", "Bert Officer", store.RoleOfficer)
	addUser(t, n, "", "otto@node.example", "Otto Operator", store.RoleOperator)
	f.held = withdrawal(t, n, "wd-held-1")
	cps, err := n.Node.Store.Read().ListCounterparties(context.Background(), a, "", 10)
	require.NoError(t, err)
	require.NotEmpty(t, cps)
	f.alphaCP = cps[0].ID
	f.viewer = signIn(t, n, "vera@alpha.example")
	f.officer = signIn(t, n, "olga@alpha.example")
	f.admin = signIn(t, n, "ada@alpha.example")
	f.betaOff = signIn(t, n, "bert@beta.example")
	f.operator = signIn(t, n, "otto@node.example")
	return f
}

// Every page answers each role as its permissions say, and no page shows another VASP's data.
func TestPagesAndPermissions(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		f := newFixture(t, d)
		id := f.held.ID
		type want struct{ viewer, officer, admin, betaOfficer, operator int }
		all := want{200, 200, 200, 200, 200}
		alphaOnly := want{200, 200, 200, 404, 200}
		for _, tc := range []struct {
			path string
			want want
		}{
			{"/ui/inbox", all},
			{"/ui/inbox/rows?poll=1", all},
			{"/ui/nav/count?poll=1", all},
			{"/ui/transfers", all},
			{"/ui/transfers?status=NEW&direction=outgoing&q=wd-held-1", all},
			{"/ui/transfers/" + id, alphaOnly},
			{"/ui/transfers/no-such-id", want{404, 404, 404, 404, 404}},
			{"/ui/counterparties", all},
			{"/ui/counterparties?q=beta", all},
			{"/ui/counterparties/new", want{403, 200, 200, 200, 200}},
			{"/ui/counterparties/" + f.alphaCP, alphaOnly},
			{"/ui/wallets", all},
			{"/ui/policies", all},
			{"/ui/policies?direction=incoming", all},
			{"/ui/screening", all},
			{"/ui/tables", all},
			{"/ui/tables/jurisdictions/EU", all},
			{"/ui/tables/jurisdictions/NEW", want{404, 404, 404, 404, 200}},
			{"/ui/stats", all},
			{"/ui/webhooks", all},
			{"/ui/webhooks/" + f.alphaEP, alphaOnly},
			{"/ui/settings", all},
			{"/ui/users", want{403, 403, 200, 403, 200}},
			{"/ui/keys", want{403, 403, 200, 403, 200}},
			{"/ui/account", all},
			{"/ui/no-such-page", want{404, 404, 404, 404, 404}},
		} {
			t.Run(strings.TrimPrefix(tc.path, "/ui/"), func(t *testing.T) {
				for _, c := range []struct {
					s    *session
					want int
				}{{f.viewer, tc.want.viewer}, {f.officer, tc.want.officer}, {f.admin, tc.want.admin},
					{f.betaOff, tc.want.betaOfficer}, {f.operator, tc.want.operator}} {
					res := c.s.get(tc.path)
					require.Equal(t, c.want, res.status, "%s as %d: %s", tc.path, c.want, res.body)
					require.Equal(t, "no-store", res.header.Get("Cache-Control"))
					require.Contains(t, res.header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
					if c.s == f.betaOff {
						for _, secret := range []string{originatorFamily, passportNumber, beneficiaryName, id} {
							require.NotContains(t, res.body, secret, "Beta's officer sees Alpha's data on %s", tc.path)
						}
					}
				}
			})
		}
		// The held withdrawal is in Alpha's inbox and count, and not in Beta's.
		require.Contains(t, f.officer.get("/ui/inbox").body, `data-id="`+id+`"`)
		require.Equal(t, "1", f.officer.get("/ui/nav/count?poll=1").body)
		require.Equal(t, "0", f.betaOff.get("/ui/nav/count?poll=1").body)
	})
}

// Signed-out requests go to the sign-in page (GET) or are refused (POST); static files need no
// session.
func TestSignedOut(t *testing.T) {
	t.Parallel()
	n := heldNode(t, nodetest.SQLite)
	s := newSession(t, n)
	res := s.get("/ui/inbox?status=NEW")
	require.Equal(t, http.StatusSeeOther, res.status)
	require.Equal(t, "/ui/login?next=%2Fui%2Finbox%3Fstatus%3DNEW", res.location)
	res = s.post("/ui/transfers/x/approve", nil)
	require.Equal(t, http.StatusUnauthorized, res.status)
	res = s.get("/")
	require.Equal(t, http.StatusSeeOther, res.status)
	require.Equal(t, "/ui/", res.location)
	for _, p := range []string{"/ui/static/style.css", "/ui/static/htmx.min.js", "/ui/static/app.js"} {
		res = s.get(p)
		require.Equal(t, http.StatusOK, res.status, p)
		require.NotEmpty(t, res.body)
	}
	res = s.get("/ui/login")
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, `action="/ui/login"`)

	// A sign-in returns to where the person was going, but never off the dashboard.
	addUser(t, n, n.Alpha.VASP.ID, "olga@alpha.example", "Olga Officer", store.RoleOfficer)
	for next, want := range map[string]string{"/ui/wallets": "/ui/wallets", "https://evil.example/": "/ui/",
		"//evil.example/ui/": "/ui/", "/ui/\\evil": "/ui/"} {
		s := newSession(t, n)
		res := s.post("/ui/login", url.Values{"email": {"olga@alpha.example"}, "password": {password}, "next": {next}})
		require.Equal(t, http.StatusSeeOther, res.status)
		require.Equal(t, want, res.location, next)
	}
}

// Forms without the session's token, and requests from another origin, change nothing.
func TestCSRF(t *testing.T) {
	t.Parallel()
	d := nodetest.SQLite // the store is covered on both databases by storetest.RunWeb
	f := newFixture(t, d)
	path := "/ui/transfers/" + f.held.ID + "/approve"
	res := f.officer.post(path, url.Values{"csrf": {""}})
	require.Equal(t, http.StatusForbidden, res.status)
	res = f.officer.post(path, url.Values{"csrf": {strings.Repeat("0", 32)}})
	require.Equal(t, http.StatusForbidden, res.status)
	// The officer's own token does not work in another session.
	res = f.admin.post(path, url.Values{"csrf": {f.officer.csrf}})
	require.Equal(t, http.StatusForbidden, res.status)
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
		{"Origin": "https://evil.example"},
	} {
		form := url.Values{"csrf": {f.officer.csrf}}
		req, err := http.NewRequest(http.MethodPost, f.n.URL+path, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		res := f.officer.do(req)
		require.Equal(t, http.StatusForbidden, res.status, "%v", h)
		require.Contains(t, res.body, "another site")
	}
	got, err := f.n.Node.Engine.Get(context.Background(), f.n.Alpha.VASP.ID, f.held.ID)
	require.NoError(t, err)
	require.Equal(t, transfer.StatusNew, got.Status, "nothing moved")
	// The same request from the dashboard itself goes through.
	res = f.officer.post(path, nil)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
}

// Roles bound what a person can change.
func TestRoleLimits(t *testing.T) {
	t.Parallel()
	d := nodetest.SQLite // the store is covered on both databases by storetest.RunWeb
	f := newFixture(t, d)
	id := f.held.ID
	for _, tc := range []struct {
		name string
		s    *session
		path string
		form url.Values
		want int
	}{
		{"viewer cannot approve", f.viewer, "/ui/transfers/" + id + "/approve", nil, 403},
		{"viewer cannot add a wallet", f.viewer, "/ui/wallets", url.Values{"network": {"ethereum"}, "address": {betaETH}}, 403},
		{"officer cannot add a webhook", f.officer, "/ui/webhooks", url.Values{"url": {"https://x.example/"}}, 403},
		{"officer cannot create a key", f.officer, "/ui/keys", url.Values{"name": {"k"}}, 403},
		{"officer cannot change settings", f.officer, "/ui/settings", nil, 403},
		{"officer cannot add users", f.officer, "/ui/users", nil, 403},
		{"admin cannot edit FX rates", f.admin, "/ui/tables/fx", url.Values{"base": {"BTC"}, "quote": {"USD"}, "rate": {"1"}}, 403},
		{"admin cannot switch VASP", f.admin, "/ui/vasp", url.Values{"vasp_id": {f.n.Beta.VASP.ID}}, 403},
		{"admin cannot create operators", f.admin, "/ui/users", url.Values{"role": {"operator"}, "email": {"x@y.example"},
			"name": {"X"}, "password": {password}}, 403},
		{"Beta cannot act on Alpha's transfer", f.betaOff, "/ui/transfers/" + id + "/approve", nil, 404},
		{"Beta cannot change Alpha's counterparty", f.betaOff, "/ui/counterparties/" + f.alphaCP,
			url.Values{"name": {"X"}, "standing": {"blocked"}}, 404},
		{"unknown action", f.officer, "/ui/transfers/" + id + "/explode", nil, 404},
		{"action the status does not allow", f.officer, "/ui/transfers/" + id + "/accept", nil, 303},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.s.post(tc.path, tc.form)
			require.Equal(t, tc.want, res.status, res.body)
		})
	}
	got, err := f.n.Node.Engine.Get(context.Background(), f.n.Alpha.VASP.ID, id)
	require.NoError(t, err)
	require.Equal(t, transfer.StatusNew, got.Status, "nothing moved")
	res := f.officer.get("/ui/transfers/" + id)
	require.Contains(t, res.body, "Accept is not possible for a transfer in status NEW")
	viewerPage := f.viewer.get("/ui/transfers/" + id)
	require.NotContains(t, viewerPage.body, `/approve"`, "a viewer gets no action forms")
	require.Contains(t, viewerPage.body, "can read this transfer but not act on it")
}
