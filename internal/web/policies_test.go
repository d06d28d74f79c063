package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

const approveLarge = `[
  {"name": "approve-known-vasps", "condition": "counterparty.standing == 'allowed'", "action": "approve", "reason": "allowed counterparty"}
]`

// The policy editor validates, tests against a transfer without changing it, and saves a new
// version that decides the next withdrawal; roles bound who may do what.
func TestPolicyEditor(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := heldNode(t, d)
		admin := signInAs(t, n, n.Alpha.VASP.ID, "ada@alpha.example", store.RoleAdmin)
		officer := signInAs(t, n, n.Alpha.VASP.ID, "olga@alpha.example", store.RoleOfficer)
		viewer := signInAs(t, n, n.Alpha.VASP.ID, "vera@alpha.example", store.RoleViewer)
		held := withdrawal(t, n, "wd-policy-1")

		page := admin.get("/ui/policies")
		require.Contains(t, page.body, "Nothing saved yet.")
		require.Contains(t, page.body, `id="policy-editor"`)

		for doc, want := range map[string]string{
			`[{"name": }]`:  "syntax error at byte 11",
			`[{"name": 1`:   "the text ends too early",
			`{"name": "x"}`: "the document must be []policy.Policy",
			`[{"name": "x", "condition": "true", "action": "approve", "colour": "red"}]`: `unknown field &#34;colour&#34;`,
			`[{"name": "x", "condition": "transfer.nope > 1", "action": "approve"}]`:     "policies[0].condition: line 1",
			`[{"name": "x", "condition": "true", "action": "maybe"}]`:                    "policies[0].action",
		} {
			res := officer.post("/ui/policies/validate", url.Values{"direction": {"outgoing"}, "doc": {doc}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, doc)
			require.Contains(t, res.body, want, doc)
			require.Contains(t, res.body, "policy-problems")
		}
		res := officer.post("/ui/policies/validate", url.Values{"direction": {"outgoing"}, "doc": {approveLarge}})
		require.Equal(t, http.StatusOK, res.status, res.body)
		require.Contains(t, res.body, `id="policy-valid"`)

		res = officer.post("/ui/policies/test", url.Values{"direction": {"outgoing"}, "doc": {approveLarge}, "transfer": {"wd-policy-1"}})
		require.Equal(t, http.StatusOK, res.status, res.body)
		require.Contains(t, res.body, `id="policy-test"`)
		require.Contains(t, res.body, "would <strong>approve</strong> (policy <code>approve-known-vasps</code>)")
		res = officer.post("/ui/policies/test", url.Values{"direction": {"incoming"}, "doc": {"[]"}, "transfer": {held.ID}})
		require.Contains(t, res.body, "that transfer is outgoing")
		res = officer.post("/ui/policies/test", url.Values{"direction": {"outgoing"}, "doc": {"[]"}, "transfer": {"nope"}})
		require.Contains(t, res.body, "no transfer of yours has this id or ref")
		got, err := n.Node.Engine.Get(context.Background(), n.Alpha.VASP.ID, held.ID)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusNew, got.Status, "a test changes nothing")

		require.Equal(t, http.StatusForbidden, officer.post("/ui/policies", url.Values{"direction": {"outgoing"}, "doc": {approveLarge}, "version": {"0"}}).status)
		require.Equal(t, http.StatusForbidden, viewer.post("/ui/policies/validate", url.Values{"doc": {"[]"}}).status)
		require.Contains(t, viewer.get("/ui/policies").body, "readonly")

		_, page = admin.follow("/ui/policies", url.Values{"direction": {"outgoing"}, "doc": {approveLarge}, "version": {"0"}})
		require.Contains(t, page.body, "Policies saved as version 1.")
		require.Contains(t, page.body, "approve-known-vasps")
		res = admin.post("/ui/policies", url.Values{"direction": {"outgoing"}, "doc": {approveLarge}, "version": {"0"}})
		require.Equal(t, http.StatusConflict, res.status, "saved over a newer version")
		require.Contains(t, res.body, "someone saved version 1 meanwhile")

		// The saved set decides: the next withdrawal to an allowed counterparty is sent at once.
		next := withdrawal(t, n, "wd-policy-2")
		require.NotEqual(t, transfer.StatusNew, next.Status)
		require.Equal(t, "approve-known-vasps", next.Decision.Policy)
		detail := admin.get("/ui/transfers/" + next.ID)
		require.Contains(t, detail.body, "policy <code>approve-known-vasps</code>")
		require.Contains(t, detail.body, "policy approve-known-vasps", "the audit trail names the policy")
	})
}

// Operators import screening lists; the page lists their versions.
func TestScreeningImport(t *testing.T) {
	t.Parallel()
	n := heldNode(t, nodetest.SQLite)
	op := signInAs(t, n, "", "otto@node.example", store.RoleOperator)
	admin := signInAs(t, n, n.Alpha.VASP.ID, "ada@alpha.example", store.RoleAdmin)
	csv := "address,network,entity,risk_score,tags\n0x8617e340b3d01fa5f11f306f4090fd50e238070d,ethereum,Test Entity,9,sanctions\n"
	res := multipartFile(t, op, "/ui/screening/import", map[string]string{"format": "csv", "name": "house-list", "version": "v1"}, csv)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	page := op.get("/ui/screening")
	require.Contains(t, page.body, "Imported house-list version v1: 1 addresses of 1 entities.")
	require.Contains(t, page.body, "<td>house-list</td><td>v1</td><td>csv</td>")
	res = multipartFile(t, op, "/ui/screening/import", map[string]string{"format": "csv"}, csv)
	require.Equal(t, http.StatusSeeOther, res.status)
	require.Contains(t, op.get("/ui/screening").body, "the list was not imported")
	require.Equal(t, http.StatusForbidden, multipartFile(t, admin, "/ui/screening/import", map[string]string{"format": "csv", "name": "x"}, csv).status)
	require.NotContains(t, admin.get("/ui/screening").body, `action="/ui/screening/import"`)
}
