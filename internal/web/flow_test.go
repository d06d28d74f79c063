package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// An officer approves a held withdrawal without JavaScript; the audit trail names the officer.
func TestOfficerApprovesHeldWithdrawal(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := heldNode(t, d)
		addUser(t, n, n.Alpha.VASP.ID, "olga@alpha.example", "Olga Officer", store.RoleOfficer)
		tr := withdrawal(t, n, "wd-approve-1")
		require.Equal(t, transfer.StatusNew, tr.Status)

		s := signIn(t, n, "olga@alpha.example")
		inbox := s.get("/ui/inbox")
		require.Contains(t, inbox.body, `data-id="`+tr.ID+`"`)
		require.Contains(t, inbox.body, "Review: ")
		require.Contains(t, inbox.body, "Beta Exchange SAS")

		page := s.get("/ui/transfers/" + tr.ID)
		require.Equal(t, http.StatusOK, page.status)
		require.Contains(t, page.body, originatorFamily, "the originator's name is laid out")
		require.Contains(t, page.body, passportNumber)
		require.Contains(t, page.body, "1985-04-12, Hamburg")
		require.Contains(t, page.body, `action="/ui/transfers/`+tr.ID+`/approve"`)

		_, after := s.follow("/ui/transfers/"+tr.ID+"/approve", nil)
		require.Contains(t, after.body, "Approve: done.")
		// Sent to Beta, which may already have confirmed its address (ACK).
		nodetest.Poll(t, "the withdrawal to be sent", func() bool {
			got, err := n.Node.Engine.Get(context.Background(), n.Alpha.VASP.ID, tr.ID)
			return err == nil && (got.Status == transfer.StatusSent || got.Status == transfer.StatusACK)
		})

		events, err := n.Node.Engine.Events(context.Background(), n.Alpha.VASP.ID, tr.ID)
		require.NoError(t, err)
		var byOfficer bool
		for _, e := range events {
			if e.From == string(transfer.StatusNew) && e.To == string(transfer.StatusSent) {
				require.Equal(t, audit.ActorUser, e.Actor.Type)
				require.Equal(t, "Olga Officer", e.Actor.Name)
				byOfficer = true
			}
		}
		require.True(t, byOfficer, "the approval is in the audit trail with the officer's name")
		page = s.get("/ui/transfers/" + tr.ID)
		require.Contains(t, page.body, "Olga Officer")
	})
}
