package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/proof"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// A withdrawal goes the whole way through the dashboards of both VASPs: approved by Alpha's
// officer, accepted by Beta's, completed with the chain hash.
func TestActionsBothSides(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := heldNode(t, d)
		alpha := signInAs(t, n, n.Alpha.VASP.ID, "olga@alpha.example", store.RoleOfficer)
		beta := signInAs(t, n, n.Beta.VASP.ID, "bert@beta.example", store.RoleOfficer)
		tr := withdrawal(t, n, "wd-both-1")

		alpha.follow("/ui/transfers/"+tr.ID+"/approve", nil)
		theirs := nodetest.WaitCounterpart(t, n.Beta.Client, tr.MessageID)
		theirs = nodetest.WaitStatus(t, n.Beta.Client, theirs.ID, transfer.StatusACK)

		inbox := beta.get("/ui/inbox")
		require.Contains(t, inbox.body, `data-id="`+theirs.ID+`"`)
		require.Contains(t, inbox.body, "Decide: ")
		page := beta.get("/ui/transfers/" + theirs.ID)
		require.Contains(t, page.body, originatorFamily, "the beneficiary VASP sees the originator once the address is confirmed")
		require.Contains(t, page.body, "Alpha Exchange GmbH")
		for _, a := range []string{"accept", "decline", "not-ready", "cancel"} {
			require.Contains(t, page.body, `/ui/transfers/`+theirs.ID+`/`+a+`"`, a)
		}
		require.NotContains(t, page.body, `/ui/transfers/`+theirs.ID+`/approve"`)

		_, page = beta.follow("/ui/transfers/"+theirs.ID+"/accept", url.Values{"deposit_address": {""}})
		require.Contains(t, page.body, "Accept: done.")
		nodetest.WaitStatus(t, n.Alpha.Client, tr.ID, transfer.StatusAccepted)

		page = alpha.get("/ui/transfers/" + tr.ID)
		require.Contains(t, page.body, `name="tx_hash"`)
		alpha.follow("/ui/transfers/"+tr.ID+"/tx-hash", url.Values{"tx_hash": {"0xabc123"}})
		nodetest.WaitStatus(t, n.Alpha.Client, tr.ID, transfer.StatusCompleted)
		nodetest.WaitStatus(t, n.Beta.Client, theirs.ID, transfer.StatusCompleted)

		events, err := n.Node.Engine.Events(context.Background(), n.Beta.VASP.ID, theirs.ID)
		require.NoError(t, err)
		found := false
		for _, e := range events {
			if e.To == string(transfer.StatusAccepted) {
				require.Equal(t, audit.Actor{Type: audit.ActorUser, ID: e.Actor.ID, Name: "bert"}, e.Actor)
				found = true
			}
		}
		require.True(t, found)
		require.Contains(t, beta.get("/ui/transfers/"+theirs.ID).body, "bert")
	})
}

// Destructive actions ask first: on a page without JavaScript, in the browser's dialog with it.
func TestDestructiveActionsConfirm(t *testing.T) {
	t.Parallel()
	d := nodetest.SQLite // the store is covered on both databases by storetest.RunWeb
	n := heldNode(t, d)
	alpha := signInAs(t, n, n.Alpha.VASP.ID, "olga@alpha.example", store.RoleOfficer)
	tr := withdrawal(t, n, "wd-cancel-1")
	page := alpha.get("/ui/transfers/" + tr.ID)
	require.Contains(t, page.body, `data-confirm="Cancel the transfer: are you sure?`)

	res := alpha.post("/ui/transfers/"+tr.ID+"/cancel", url.Values{"reason": {"customer withdrew the request"}})
	require.Equal(t, http.StatusOK, res.status, "a confirmation page, nothing done yet")
	require.Contains(t, res.body, `name="confirmed" value="yes"`)
	require.Contains(t, res.body, `value="customer withdrew the request"`)
	got, err := n.Node.Engine.Get(context.Background(), n.Alpha.VASP.ID, tr.ID)
	require.NoError(t, err)
	require.Equal(t, transfer.StatusNew, got.Status)

	_, page = alpha.follow("/ui/transfers/"+tr.ID+"/cancel", url.Values{"reason": {"customer withdrew the request"}, "confirmed": {"yes"}})
	require.Contains(t, page.body, "Cancel the transfer: done.")
	got, err = n.Node.Engine.Get(context.Background(), n.Alpha.VASP.ID, tr.ID)
	require.NoError(t, err)
	require.Equal(t, transfer.StatusCancelled, got.Status)
	require.Equal(t, "customer withdrew the request", got.StatusReason)
	require.Contains(t, page.body, "Nothing can be done with a transfer in status CANCELLED.")

	// Too long a reason is refused with a message, not an error page.
	tr2 := withdrawal(t, n, "wd-cancel-2")
	long := make([]byte, 600)
	for i := range long {
		long[i] = 'x'
	}
	_, page = alpha.follow("/ui/transfers/"+tr2.ID+"/cancel", url.Values{"reason": {string(long)}, "confirmed": {"yes"}})
	require.Contains(t, page.body, "reason: at most 500 characters")
}

// The update form changes what the API's PATCH changes; bad IVMS101 is refused by path, without
// the value.
func TestUpdateForm(t *testing.T) {
	t.Parallel()
	n := heldNode(t, nodetest.SQLite)
	alpha := signInAs(t, n, n.Alpha.VASP.ID, "olga@alpha.example", store.RoleOfficer)
	tr := withdrawal(t, n, "wd-update-1")
	page := alpha.get("/ui/transfers/" + tr.ID)
	require.Contains(t, page.body, "Update the transfer's data")
	_, page = alpha.follow("/ui/transfers/"+tr.ID+"/update", url.Values{"memo": {"tag-42"}, "fiat_currency": {"eur"}, "fiat_amount": {"3750"}})
	require.Contains(t, page.body, "Update: done.")
	got, err := n.Node.Engine.Get(context.Background(), n.Alpha.VASP.ID, tr.ID)
	require.NoError(t, err)
	require.Equal(t, "tag-42", got.Memo)
	require.Equal(t, "3750 EUR", got.FiatValue.Amount.String()+" "+got.FiatValue.Currency)

	_, page = alpha.follow("/ui/transfers/"+tr.ID+"/update", url.Values{"beneficiary": {`{"beneficiaryPersons": [{"naturalPerson": {"name": 7}}]}`}})
	require.Contains(t, page.body, "beneficiary.")
	require.NotContains(t, page.body, "Update: done.")
	_, page = alpha.follow("/ui/transfers/"+tr.ID+"/update", url.Values{"fiat_currency": {"EUR"}})
	require.Contains(t, page.body, "give both currency and amount")
}

// A withdrawal to an unhosted wallet shows the ownership proof's check (never the declaration's
// name, which stays with the identity data).
func TestOwnershipProofShown(t *testing.T) {
	t.Parallel()
	n := heldNode(t, nodetest.SQLite)
	officer := signInAs(t, n, n.Alpha.VASP.ID, "olga@alpha.example", store.RoleOfficer)
	o, err := ivms.DecodeOriginator([]byte(originatorJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	b, err := ivms.DecodeBeneficiary([]byte(beneficiaryJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	const unhosted = "0x8617e340b3d01fa5f11f306f4090fd50e238070d"
	tr, _, err := n.Node.Engine.Create(context.Background(), audit.Actor{Type: audit.ActorAPIKey, ID: "k", Name: "backend"},
		n.Alpha.VASP.ID, engine.CreateInput{Ref: "wd-unhosted-1", Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"},
			Amount: decimal.RequireFromString("1.5"), OriginAddress: alphaETH, DestinationAddress: unhosted, Unhosted: true,
			Originator: o, Beneficiary: b, OwnershipProof: &proof.Proof{Type: proof.TypeDeclaration, Network: "ethereum", Address: unhosted,
				Message:     "I declare that I control the address " + unhosted + ".",
				Declaration: &proof.Declaration{Name: "Declarant Mustermann", Date: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Accepted: true}}})
	require.NoError(t, err)
	require.NotNil(t, tr.OwnershipProof)
	page := officer.get("/ui/transfers/" + tr.ID)
	require.Equal(t, http.StatusOK, page.status)
	require.Contains(t, page.body, "<h2>Ownership proof</h2>")
	require.Contains(t, page.body, "<strong>verified</strong>: declaration")
	require.Contains(t, page.body, "unhosted wallet")
	require.NotContains(t, page.body, "Declarant Mustermann")
}
