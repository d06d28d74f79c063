package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

var secretRe = regexp.MustCompile(`data-copy="((?:wb_|whsec_)[^"]+)"`)

// Admins manage users and API keys; a new key is shown once and works.
func TestUsersAndKeys(t *testing.T) {
	t.Parallel()
	d := nodetest.SQLite // the store is covered on both databases by storetest.RunWeb
	n := heldNode(t, d)
	admin := signInAs(t, n, n.Alpha.VASP.ID, "ada@alpha.example", store.RoleAdmin)

	_, page := admin.follow("/ui/users", url.Values{"email": {"Nina@Alpha.example"}, "name": {"Nina New"}, "role": {"viewer"},
		"password": {"nina's long password"}})
	require.Contains(t, page.body, "User created")
	require.Contains(t, page.body, "nina@alpha.example")
	_, page = admin.follow("/ui/users", url.Values{"email": {"nina@alpha.example"}, "name": {"Again"}, "role": {"viewer"},
		"password": {"nina's long password"}})
	require.Contains(t, page.body, "a user with this e-mail address exists")
	_, page = admin.follow("/ui/users", url.Values{"email": {"x@alpha.example"}, "name": {"X"}, "role": {"viewer"}, "password": {"short"}})
	require.Contains(t, page.body, "at least 12 characters")

	nina := newSession(t, n)
	require.Equal(t, http.StatusSeeOther, nina.post("/ui/login", url.Values{"email": {"nina@alpha.example"}, "password": {"nina's long password"}}).status)
	require.Equal(t, http.StatusForbidden, nina.get("/ui/users").status)
	u, err := n.Node.Store.Read().GetUserByEmail(context.Background(), "nina@alpha.example")
	require.NoError(t, err)
	_, page = admin.follow("/ui/users/"+u.ID, url.Values{"op": {"role"}, "role": {"admin"}})
	require.Contains(t, page.body, "User saved.")
	require.Equal(t, http.StatusOK, nina.get("/ui/users").status, "the new role applies at once")
	_, page = admin.follow("/ui/users/"+u.ID, url.Values{"op": {"password"}, "password": {"reset by the admin"}})
	require.Contains(t, page.body, "User saved.")
	require.Equal(t, http.StatusSeeOther, nina.get("/ui/inbox").status, "a password reset ends the user's sessions")
	self, err := n.Node.Store.Read().GetUserByEmail(context.Background(), "ada@alpha.example")
	require.NoError(t, err)
	_, page = admin.follow("/ui/users/"+self.ID, url.Values{"op": {"disable"}})
	require.Contains(t, page.body, "you cannot disable yourself")

	// An admin of Beta cannot touch Alpha's users.
	betaAdmin := signInAs(t, n, n.Beta.VASP.ID, "bea@beta.example", store.RoleAdmin)
	require.NotContains(t, betaAdmin.get("/ui/users").body, "nina@alpha.example")
	require.Equal(t, http.StatusNotFound, betaAdmin.post("/ui/users/"+u.ID, url.Values{"op": {"disable"}}).status)

	// API keys: the secret once, then only its prefix.
	res := admin.post("/ui/keys", url.Values{"name": {"backend staging"}})
	require.Equal(t, http.StatusCreated, res.status, res.body)
	m := secretRe.FindStringSubmatch(res.body)
	require.NotNil(t, m, res.body)
	key := m[1]
	require.Contains(t, res.body, "only now")
	c := client.New(n.URL, key)
	v, err := c.GetVASP(context.Background())
	require.NoError(t, err)
	require.Equal(t, n.Alpha.VASP.ID, v.ID, "the key works and names Alpha")
	list := admin.get("/ui/keys")
	require.Contains(t, list.body, "backend staging")
	require.NotContains(t, list.body, key)
	keys, err := n.Node.Store.Read().ListAPIKeys(context.Background(), n.Alpha.VASP.ID)
	require.NoError(t, err)
	var id string
	for _, k := range keys {
		if k.Name == "backend staging" {
			id = k.ID
		}
	}
	require.Equal(t, http.StatusOK, admin.post("/ui/keys/"+id+"/revoke", nil).status, "asks first")
	_, page = admin.follow("/ui/keys/"+id+"/revoke", url.Values{"confirmed": {"yes"}})
	require.Contains(t, page.body, "Key revoked.")
	require.Equal(t, http.StatusNotFound, betaAdmin.post("/ui/keys/"+id+"/revoke", url.Values{"confirmed": {"yes"}}).status)
}

// Webhook endpoints: create (secret once), change, reveal and rotate secrets, redeliver, delete.
func TestWebhookPages(t *testing.T) {
	t.Parallel()
	d := nodetest.SQLite // the store is covered on both databases by storetest.RunWeb
	n := heldNode(t, d)
	admin := signInAs(t, n, n.Alpha.VASP.ID, "ada@alpha.example", store.RoleAdmin)
	tr := withdrawal(t, n, "wd-hooks-1")
	n.Quiesce(t)

	res := admin.post("/ui/webhooks", url.Values{"url": {"https://backend.example/hooks"}, "events": {"transfer.created"}, "enabled": {"on"}})
	require.Equal(t, http.StatusCreated, res.status, res.body)
	require.Regexp(t, `data-copy="whsec_`, res.body)
	_, page := admin.follow("/ui/webhooks", url.Values{"url": {"not a url"}})
	require.Contains(t, page.body, "url must be an absolute http(s) URL")

	ep := n.Alpha.WebhookID
	page = admin.get("/ui/webhooks/" + ep)
	require.Contains(t, page.body, "transfer.review_required")
	require.Contains(t, page.body, "/redeliver")
	deliveries, err := n.Node.Store.Read().ListDeliveries(context.Background(), store.DeliveryFilter{VASPID: n.Alpha.VASP.ID, EndpointID: ep, TransferID: tr.ID})
	require.NoError(t, err)
	require.NotEmpty(t, deliveries)
	_, page = admin.follow("/ui/webhooks/"+ep+"/deliveries/"+deliveries[0].ID+"/redeliver", nil)
	require.Contains(t, page.body, "Delivery queued again.")
	require.Equal(t, http.StatusNotFound, admin.post("/ui/webhooks/"+ep+"/deliveries/nope/redeliver", nil).status)

	res = admin.post("/ui/webhooks/"+ep+"/secrets", nil)
	require.Equal(t, http.StatusOK, res.status)
	require.Regexp(t, `data-copy="whsec_`, res.body)
	res = admin.post("/ui/webhooks/"+ep+"/rotate", url.Values{"grace_hours": {"1"}})
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, "new signing secret")
	res = admin.post("/ui/webhooks/"+ep+"/secrets", nil)
	require.Equal(t, 2, len(secretRe.FindAllString(res.body, -1)), "the old secret signs during the grace period")

	_, page = admin.follow("/ui/webhooks/"+ep, url.Values{"url": {"https://backend.example/v2"}, "description": {"moved"}})
	require.Contains(t, page.body, "Endpoint saved.")
	require.Contains(t, page.body, "https://backend.example/v2")
	require.NotContains(t, page.body, `name="enabled" checked`, "unchecked means disabled")

	viewer := signInAs(t, n, n.Alpha.VASP.ID, "vera@alpha.example", store.RoleViewer)
	require.NotContains(t, viewer.get("/ui/webhooks/"+ep).body, "/redeliver")
	require.Equal(t, http.StatusForbidden, viewer.post("/ui/webhooks/"+ep+"/secrets", nil).status)

	_, page = admin.follow("/ui/webhooks/"+ep+"/delete", url.Values{"confirmed": {"yes"}})
	require.Contains(t, page.body, "Endpoint deleted.")
	require.Equal(t, http.StatusNotFound, admin.get("/ui/webhooks/"+ep).status)
}

// multipartFile posts a form with a file, as a browser uploads one.
func multipartFile(t *testing.T, s *session, path string, fields map[string]string, content string) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("csrf", s.csrf))
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	fw, err := mw.CreateFormFile("file", "upload.csv")
	require.NoError(t, err)
	_, _ = fw.Write([]byte(content))
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, s.base+path, &buf)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return s.do(req)
}

// Officers keep the address book (one by one or by CSV) and the directory.
func TestWalletsAndCounterparties(t *testing.T) {
	t.Parallel()
	d := nodetest.SQLite // the store is covered on both databases by storetest.RunWeb
	n := heldNode(t, d)
	officer := signInAs(t, n, n.Alpha.VASP.ID, "olga@alpha.example", store.RoleOfficer)

	_, page := officer.follow("/ui/wallets", url.Values{"network": {"ethereum"}, "address": {"0x8617e340b3d01fa5f11f306f4090fd50e238070d"},
		"customer_ref": {"c-9"}, "customer_name": {"Carla Kunde"}})
	require.Contains(t, page.body, "Address added.")
	require.Contains(t, page.body, "0x8617e340b3d01fa5f11f306f4090fd50e238070d")
	require.NotContains(t, page.body, "Carla Kunde", "customer names are not listed")
	_, page = officer.follow("/ui/wallets", url.Values{"network": {"ethereum"}, "address": {"0xnot-an-address"}})
	require.Contains(t, page.body, "address:")

	res := multipartFile(t, officer, "/ui/wallets/import", nil, "network,address,customer_ref\nbitcoin,bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh,c-10\n"+
		"ethereum,0x8617e340b3d01fa5f11f306f4090fd50e238070d,c-9\n")
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "Imported: 1 added, 1 already in the book.")
	res = multipartFile(t, officer, "/ui/wallets/import", nil, "network,address\nbitcoin,nonsense\n")
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, "Nothing was imported")
	require.Contains(t, res.body, "line[2].address")

	wallets, err := n.Node.Store.Read().ListWallets(context.Background(), n.Alpha.VASP.ID, "", 100)
	require.NoError(t, err)
	var wid string
	for _, w := range wallets {
		if w.CustomerRef == "c-10" {
			wid = w.ID
		}
	}
	require.NotEmpty(t, wid)
	_, page = officer.follow("/ui/wallets/"+wid+"/delete", url.Values{"confirmed": {"yes"}})
	require.Contains(t, page.body, "Address removed.")

	// The directory: add, block, delete.
	first, page := officer.follow("/ui/counterparties", url.Values{"name": {"Gamma Custody AG"}, "lei": {"5299000J2N45DDNE4Y28"},
		"country": {"ch"}, "standing": {"allowed"}, "email": {"compliance@gamma.example"}, "trp_url": {"https://trp.gamma.example/"}})
	require.Contains(t, page.body, "Counterparty added.")
	cpPath := strings.TrimPrefix(first.location, n.URL)
	require.Contains(t, page.body, "https://trp.gamma.example/")
	_, page = officer.follow(cpPath, url.Values{"name": {"Gamma Custody AG"}, "standing": {"blocked"}, "country": {"CH"}})
	require.Contains(t, page.body, "Counterparty saved.")
	require.Contains(t, page.body, `<option value="blocked" selected>`)
	require.Contains(t, officer.get("/ui/counterparties?q=gamma").body, "Gamma Custody AG")
	_, page = officer.follow("/ui/counterparties", url.Values{"name": {""}})
	require.Contains(t, page.body, "name is required")
	_, page = officer.follow(cpPath+"/delete", url.Values{"confirmed": {"yes"}})
	require.Contains(t, page.body, "Counterparty deleted.")

	// A hosted VASP keeps its identity; only its standing changes.
	page = officer.get("/ui/counterparties")
	hosted := regexp.MustCompile(`href="(/ui/counterparties/[^"]+)">Beta Exchange SAS`).FindStringSubmatch(page.body)
	require.NotNil(t, hosted)
	_, page = officer.follow(hosted[1], url.Values{"name": {"Renamed"}, "standing": {"blocked"}})
	require.Contains(t, page.body, "Beta Exchange SAS")
	require.Contains(t, page.body, `<option value="blocked" selected>`)
}

// The node's tables are for operators to edit; settings for admins; the charts for everyone.
func TestTablesSettingsAndStats(t *testing.T) {
	t.Parallel()
	d := nodetest.SQLite // the store is covered on both databases by storetest.RunWeb
	n := heldNode(t, d)
	op := signInAs(t, n, "", "otto@node.example", store.RoleOperator)
	admin := signInAs(t, n, n.Alpha.VASP.ID, "ada@alpha.example", store.RoleAdmin)
	withdrawal(t, n, "wd-stats-1")

	_, page := op.follow("/ui/tables/fx", url.Values{"base": {"sol"}, "quote": {"eur"}, "rate": {"150.5"}, "as_of": {"2026-11-01"}, "source": {"test"}})
	require.Contains(t, page.body, "FX rate saved.")
	require.Contains(t, page.body, "<td>SOL</td><td>EUR</td><td class=\"num\">150.5</td>")
	_, page = op.follow("/ui/tables/fx", url.Values{"base": {"SOL"}, "quote": {"EUR"}, "rate": {"-1"}})
	require.Contains(t, page.body, "rate must be positive")
	_, page = op.follow("/ui/tables/fx/delete", url.Values{"base": {"SOL"}, "quote": {"EUR"}, "confirmed": {"yes"}})
	require.Contains(t, page.body, "FX rate deleted.")

	_, page = op.follow("/ui/tables/jurisdictions/NEW", url.Values{"code": {"ch"}, "name": {"Switzerland"}, "threshold": {"1000"},
		"currency": {"CHF"}, "required_originator": {"name\naccount_number"}, "required_beneficiary": {"name, account_number"},
		"source": {"FINMA Guidance 02/2019"}})
	require.Contains(t, page.body, "Jurisdiction saved.")
	require.Contains(t, page.body, "FINMA Guidance 02/2019")
	_, page = op.follow("/ui/tables/jurisdictions/CH", url.Values{"threshold": {"1000"}, "currency": {"CHF"},
		"required_originator": {"shoe_size"}, "source": {"x"}})
	require.Contains(t, page.body, "unknown field")
	require.Contains(t, admin.get("/ui/tables").body, "Only an operator can edit them.")

	_, page = admin.follow("/ui/settings", url.Values{"outgoing_action": {"approve"}, "incoming_action": {"review"},
		"expiry_hours": {"48"}, "match_hours": {"168"}})
	require.Contains(t, page.body, "Settings saved.")
	v, err := n.Node.Store.Read().GetVASP(context.Background(), n.Alpha.VASP.ID)
	require.NoError(t, err)
	require.Equal(t, "approve", v.Settings.OutgoingAction)
	require.EqualValues(t, 48*3600, v.Settings.ExpirySeconds)
	_, page = admin.follow("/ui/settings", url.Values{"outgoing_action": {"maybe"}, "incoming_action": {"review"},
		"expiry_hours": {"48"}, "match_hours": {"168"}})
	require.Contains(t, page.body, "outgoing_action must be review or approve")

	stats := admin.get("/ui/stats")
	require.Equal(t, http.StatusOK, stats.status)
	require.Contains(t, stats.body, "<svg")
	require.Contains(t, stats.body, "1 transfers created")
	require.Contains(t, stats.body, string(transfer.StatusNew)+" · 1")

	require.Contains(t, admin.get("/ui/screening").body, "No screening list imported yet.")
}
