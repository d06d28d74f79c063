package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/route/email/emailtest"
	"github.com/waybill/waybill/internal/transfer"
)

// TestEmailWithdrawalCompletes walks a withdrawal to an e-mail-only counterparty from create
// to COMPLETED: the invitation, the landing page, the one-time code, the address step, the
// identity data laid out only then, the acceptance, and the chain hash e-mailed back.
func TestEmailWithdrawalCompletes(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		m := startMailNode(t, d)
		ctx := ctxT(t)
		out := m.toGamma(t, "mail-1")
		reached.add(t.Name(), transfer.StatusSent)

		inv := m.invite(t, out.MessageID)
		require.Contains(t, inv.Subject, "Alpha")
		require.Contains(t, inv.Header.Get("From"), "Alpha")
		require.NotContains(t, inv.Text, strangeETH, "the invitation does not name the address")

		b := newBrowser(t, m.URL)
		b.open(inv.Link())
		require.Equal(t, "no-referrer", b.header.Get("Referrer-Policy"))
		require.Contains(t, b.header.Get("Content-Security-Policy"), "default-src 'none'")
		require.Equal(t, "no-store", b.header.Get("Cache-Control"))
		require.NotContains(t, b.body, strangeETH, "nothing about the transfer before the code")

		b.submit(b.at()+"code", url.Values{"code": {m.waitCode(t, out.MessageID, 1)}}).
			expect(http.StatusOK, "Confirm the destination address", strangeETH, "1.5 ETH")
		noIdentity(t, b.body, "the address step")
		see(t, m.Alpha.Client, out.ID, transfer.StatusSent)

		b.submit(b.at()+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusOK, "Review and answer",
			originatorFamily, originatorGiven, beneficiaryName, "Friedrichstraße", "L01X00T47 (passport, issued in DE)",
			"Date of birth", "1985-04-12", "Natural person")
		require.NotContains(t, b.body, "originatorPersons", "laid out, not raw JSON")
		see(t, m.Alpha.Client, out.ID, transfer.StatusACK)

		b.submit(b.at()+"decision", url.Values{"decision": {"accept"}}).expect(http.StatusOK, "Accepted", "transaction hash")
		see(t, m.Alpha.Client, out.ID, transfer.StatusAccepted)

		const hash = "0xfeed000000000000000000000000000000000000000000000000000000000001"
		_, err := m.Alpha.Client.TxHash(ctx, out.ID, hash)
		require.NoError(t, err)
		see(t, m.Alpha.Client, out.ID, transfer.StatusCompleted)
		note := m.SMTP.Wait(t, "the chain hash notification", func(e emailtest.Message) bool {
			return e.SentTo(gammaMail) && strings.Contains(e.Subject, "completed")
		})
		require.Contains(t, note.Text, hash)
		// The counterparty's side: its page shows the transfer completed, with the hash.
		b.get(b.at()).expect(http.StatusOK, "Completed", hash, originatorFamily)

		events, err := m.Alpha.Client.TransferEvents(ctx, out.ID)
		require.NoError(t, err)
		types := map[string]bool{}
		for _, e := range events {
			types[e.Type] = true
			require.NotContains(t, e.Reason, gammaMail, "the audit trail does not repeat the address")
		}
		for _, typ := range []string{"email.link_sent", "email.link_opened", "email.code_sent", "email.code_verified", "email.identity_shown"} {
			require.True(t, types[typ], "audit event %s missing: %v", typ, types)
		}
		noIdentityInMail(t, m)
	})
}

// TestEmailAnswers covers the other answers on the pages: decline, reject, not ready then
// accept, and a cancel the counterparty sees.
func TestEmailAnswers(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		m := startMailNode(t, d)
		ctx := ctxT(t)

		t.Run("decline", func(t *testing.T) {
			out := m.toGamma(t, "mail-decline")
			b := m.verified(t, out.MessageID)
			b.submit(b.at()+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusOK, "Review and answer")
			// A decline needs a known reason, and details for "other".
			b.submit(b.at()+"decision", url.Values{"decision": {"decline"}, "decline_reason": {"other"}}).
				expect(http.StatusUnprocessableEntity, "Choose a reason")
			b.submit(b.at()+"decision", url.Values{"decision": {"decline"}, "decline_reason": {"sanctions_screening"},
				"decline_details": {"list\nhit"}}).expect(http.StatusOK, "Declined")
			tr := see(t, m.Alpha.Client, out.ID, transfer.StatusDeclined)
			require.Equal(t, "sanctions_screening: list hit", tr.StatusReason)
			require.NotContains(t, b.body, originatorFamily, "a declined transfer no longer shows the data")
		})

		t.Run("reject", func(t *testing.T) {
			out := m.toGamma(t, "mail-reject")
			b := m.verified(t, out.MessageID)
			b.submit(b.at()+"address", url.Values{"answer": {"reject"}, "details": {"not one of our deposit addresses"}}).
				expect(http.StatusOK, "Not your address")
			noIdentity(t, b.body, "the rejected page")
			tr := see(t, m.Alpha.Client, out.ID, transfer.StatusRejected)
			require.Equal(t, "address_not_controlled: not one of our deposit addresses", tr.StatusReason)
			// Answers after the end change nothing.
			b.submit(b.at()+"decision", url.Values{"decision": {"accept"}}).expect(http.StatusOK, "Not your address")
			see(t, m.Alpha.Client, out.ID, transfer.StatusRejected)
		})

		t.Run("not ready then accept", func(t *testing.T) {
			out := m.toGamma(t, "mail-notready")
			b := m.verified(t, out.MessageID)
			b.submit(b.at()+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusOK, "Review and answer")
			b.submit(b.at()+"decision", url.Values{"decision": {"not_ready"}, "not_ready_reason": {"awaiting_kyc"}}).
				expect(http.StatusOK, "You said you were not ready", originatorFamily)
			require.NotContains(t, b.body, "We need more time", "not ready is said once")
			tr := see(t, m.Alpha.Client, out.ID, transfer.StatusNotReady)
			require.Equal(t, "awaiting_kyc: we are still verifying our customer", tr.StatusReason)
			b.submit(b.at()+"decision", url.Values{"decision": {"accept"}}).expect(http.StatusOK, "Accepted")
			see(t, m.Alpha.Client, out.ID, transfer.StatusAccepted)
		})

		t.Run("cancel", func(t *testing.T) {
			out := m.toGamma(t, "mail-cancel")
			b := m.verified(t, out.MessageID)
			b.expect(http.StatusOK, "Confirm the destination address")
			_, err := m.Alpha.Client.Cancel(ctx, out.ID, "customer withdrew the request")
			require.NoError(t, err)
			see(t, m.Alpha.Client, out.ID, transfer.StatusCancelled)
			note := m.SMTP.Wait(t, "the cancel notification", func(e emailtest.Message) bool {
				return e.SentTo(gammaMail) && strings.Contains(e.Subject, "cancelled") && strings.Contains(e.Text, out.MessageID)
			})
			require.NotContains(t, note.Text, "customer withdrew", "free text stays off e-mails")
			// The page says so, and an answer now changes nothing.
			b.get(b.at()).expect(http.StatusOK, "Cancelled")
			b.submit(b.at()+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusOK, "Cancelled")
			see(t, m.Alpha.Client, out.ID, transfer.StatusCancelled)
			// A link not yet opened says so too.
			out2 := m.toGamma(t, "mail-cancel-2")
			inv := m.invite(t, out2.MessageID)
			_, err = m.Alpha.Client.Cancel(ctx, out2.ID, "")
			require.NoError(t, err)
			see(t, m.Alpha.Client, out2.ID, transfer.StatusCancelled)
			newBrowser(t, m.URL).get(inv.Link()).expect(http.StatusGone, "This request was cancelled")
		})
		noIdentityInMail(t, m)
	})
}

// TestEmailLinkExpiry: access ends 72 hours after the first opening, and at the hard limit
// for a link never opened.
func TestEmailLinkExpiry(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		m := startMailNode(t, d)
		ctx := ctxT(t)
		v, err := m.Alpha.Client.GetVASP(ctx)
		require.NoError(t, err)
		s := v.Settings
		s.ExpirySeconds = int64((30 * 24 * time.Hour).Seconds()) // the transfers outlive their links
		_, err = m.Alpha.Client.PutSettings(ctx, s)
		require.NoError(t, err)

		opened := m.toGamma(t, "mail-exp-1")
		b := m.verified(t, opened.MessageID)
		b.expect(http.StatusOK, "Confirm the destination address")
		page := b.at()
		unopened := m.toGamma(t, "mail-exp-2")
		link := m.invite(t, unopened.MessageID).Link()

		m.quiesce(t)
		m.Clock.Advance(71 * time.Hour)
		b.get(page).expect(http.StatusOK, "Confirm the destination address")
		m.Clock.Advance(time.Hour + time.Second)
		b.get(page).expect(http.StatusGone, "This link has expired")
		b.submit(page+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusGone, "This link has expired")
		see(t, m.Alpha.Client, opened.ID, transfer.StatusSent)

		// The unopened link still opens within the hard limit (7 days from sending)...
		newBrowser(t, m.URL).get(link).expect(http.StatusOK, "Continue and send me a code")
		// ...and no longer after it.
		m.Clock.Advance(4*24*time.Hour + time.Minute)
		other := newBrowser(t, m.URL)
		other.get(link).expect(http.StatusGone, "This link has expired")
		u, err := url.Parse(link)
		require.NoError(t, err)
		other.submit("/sunrise/open", url.Values{"t": {u.Query().Get("t")}}).expect(http.StatusGone, "This link has expired")
		see(t, m.Alpha.Client, unopened.ID, transfer.StatusSent)
	})
}

// TestEmailWrongCodesLock: wrong codes lock the link for good; the right code then fails too.
func TestEmailWrongCodesLock(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		m := startMailNode(t, d)
		out := m.toGamma(t, "mail-lock")
		b := newBrowser(t, m.URL)
		b.open(m.invite(t, out.MessageID).Link())
		code := m.waitCode(t, out.MessageID, 1)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		page := b.at()
		for i := 4; i >= 1; i-- {
			b.submit(page+"code", url.Values{"code": {wrong}}).expect(http.StatusUnprocessableEntity, "That code is not right")
		}
		b.submit(page+"code", url.Values{"code": {wrong}}).expect(http.StatusForbidden, "This link is locked")
		b.get(page).expect(http.StatusForbidden, "This link is locked")
		b.submit(page+"code", url.Values{"code": {code}, "csrf": {"x"}}).expect(http.StatusForbidden)
		b.submit(page+"resend", url.Values{"csrf": {"x"}}).expect(http.StatusForbidden)
		require.Len(t, m.codes(out.MessageID), 1, "a locked link sends no code")
		see(t, m.Alpha.Client, out.ID, transfer.StatusSent)
		events, err := m.Alpha.Client.TransferEvents(ctxT(t), out.ID)
		require.NoError(t, err)
		failed, locked := 0, 0
		for _, e := range events {
			switch e.Type {
			case "email.code_failed":
				failed++
			case "email.link_locked":
				locked++
			}
		}
		require.Equal(t, 4, failed)
		require.Equal(t, 1, locked)

		// The sender replaces the link: the new one starts afresh, the locked one stays dead.
		re, err := m.Alpha.Client.ReissueEmailLink(ctxT(t), out.ID)
		require.NoError(t, err)
		require.Equal(t, "c…@gamma.example", re.SentTo)
		var fresh string
		nodetest.Poll(t, "the replacement link", func() bool {
			inv := m.invitations(out.MessageID)
			if len(inv) < 2 {
				return false
			}
			fresh = inv[1].Link()
			return true
		})
		b.get(page).expect(http.StatusForbidden, "only in the browser that opened the link")
		nb := newBrowser(t, m.URL)
		nb.open(fresh)
		nb.submit(nb.at()+"code", url.Values{"code": {m.waitCode(t, out.MessageID, 2)}}).expect(http.StatusOK, "Confirm the destination address")
		nb.submit(nb.at()+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusOK, "Review and answer")
		see(t, m.Alpha.Client, out.ID, transfer.StatusACK)
		newBrowser(t, m.URL).get(m.invite(t, out.MessageID).Link()).expect(http.StatusNotFound, "not valid")

		// Only transfers of ours waiting on the e-mail route get new links.
		_, err = m.Alpha.Client.ReissueEmailLink(ctxT(t), "no-such-transfer")
		require.True(t, nodetest.IsStatus(err, http.StatusNotFound), "%v", err)
		_, err = m.Alpha.Client.Cancel(ctxT(t), out.ID, "")
		require.NoError(t, err)
		_, err = m.Alpha.Client.ReissueEmailLink(ctxT(t), out.ID)
		require.True(t, nodetest.IsStatus(err, http.StatusConflict), "%v", err)
		internal, _, err := m.Alpha.Client.CreateTransfer(ctxT(t), withdrawal(t, "mail-internal", betaETH))
		require.NoError(t, err)
		_, err = m.Alpha.Client.ReissueEmailLink(ctxT(t), internal.ID)
		require.True(t, nodetest.IsStatus(err, http.StatusConflict), "%v", err)
		events, err = m.Alpha.Client.TransferEvents(ctxT(t), out.ID)
		require.NoError(t, err)
		reissued := false
		for _, e := range events {
			reissued = reissued || (e.Type == "email.link_reissued" && e.Actor.Type == "api_key")
		}
		require.True(t, reissued)
	})
}

// TestEmailLinkSingleUse: a link opens once, in one browser; codes are single-use and spaced.
func TestEmailLinkSingleUse(t *testing.T) {
	t.Parallel()
	m := startMailNode(t, nodetest.SQLite)
	out := m.toGamma(t, "mail-once")
	link := m.invite(t, out.MessageID).Link()
	first := newBrowser(t, m.URL)
	first.open(link)
	page := first.at()

	// A second browser, or the same one, cannot use the link again; the first may continue.
	second := newBrowser(t, m.URL)
	second.get(link).expect(http.StatusGone, "This link was already used")
	u, err := url.Parse(link)
	require.NoError(t, err)
	second.submit("/sunrise/open", url.Values{"t": {u.Query().Get("t")}}).expect(http.StatusGone, "already used")
	second.get(page).expect(http.StatusForbidden, "only in the browser that opened the link")
	first.get(link).expect(http.StatusGone, "Continue where you left off")
	first.get(page).expect(http.StatusOK, "Enter the code we sent you")

	// Another code only after a minute; the first one stops working when a new one is sent.
	first.submit(page+"resend", nil).expect(http.StatusTooManyRequests, "Wait")
	m.quiesce(t)
	m.Clock.Advance(61 * time.Second)
	firstCode := m.waitCode(t, out.MessageID, 1)
	first.submit(page+"resend", nil).expect(http.StatusOK, "A new code is on its way")
	secondCode := m.waitCode(t, out.MessageID, 2)
	if firstCode != secondCode {
		first.submit(page+"code", url.Values{"code": {firstCode}}).expect(http.StatusUnprocessableEntity, "not right")
	}
	first.submit(page+"code", url.Values{"code": {secondCode[:3] + " " + secondCode[3:]}}).expect(http.StatusOK, "Confirm the destination address")
	// A verified session stays verified; sending the code again changes nothing.
	first.submit(page+"code", url.Values{"code": {secondCode}}).expect(http.StatusOK, "Confirm the destination address")

	// Forms need the page's token and our origin.
	first.submit(page+"address", url.Values{"answer": {"confirm"}, "csrf": {"forged"}}).expect(http.StatusForbidden, "Request refused")
	req, err := http.NewRequest(http.MethodPost, m.URL+page+"address", strings.NewReader(url.Values{"answer": {"confirm"}, "csrf": {first.token}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	first.do(req).expect(http.StatusForbidden, "sent from another site")
	see(t, m.Alpha.Client, out.ID, transfer.StatusSent)
	first.get(page).submit(page+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusOK, "Review and answer")
	see(t, m.Alpha.Client, out.ID, transfer.StatusACK)

	// Unknown and malformed links say so without a lookup.
	newBrowser(t, m.URL).get("/sunrise/open?t=nonsense").expect(http.StatusNotFound, "This link is not valid")
	newBrowser(t, m.URL).get("/sunrise/open?t="+strings.Repeat("A", 43)).expect(http.StatusNotFound, "This link is not valid")
	newBrowser(t, m.URL).get("/sunrise/elsewhere").expect(http.StatusNotFound, "Page not found")
	noIdentityInMail(t, m)
}

// TestEmailPostTransactionRequest: a deposit nobody announced, from a customer of an
// e-mail-only VASP: Alpha requests the originator's data by e-mail, Gamma confirms the
// transaction and fills in the sender's identity on the page.
func TestEmailPostTransactionRequest(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		m := startMailNode(t, d)
		ctx := ctxT(t)
		const hash = "0x4444000000000000000000000000000000000000000000000000000000000004"
		dep, _, err := m.Alpha.Client.CreateDeposit(ctx, engine.DepositInput{TxHash: hash, Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"},
			Amount: decimal.RequireFromString("2"), DestinationAddress: alphaETH, OriginAddress: strangeETH})
		require.NoError(t, err)
		inc := see(t, m.Alpha.Client, dep.TransferID, transfer.StatusIncomplete)
		ben := beneficiary(t)
		ben.AccountNumbers = []string{alphaETH}
		_, err = m.Alpha.Client.UpdateTransfer(ctx, inc.ID, engine.UpdateInput{Beneficiary: ben, CounterpartyID: &m.Gamma})
		require.NoError(t, err)
		sent, err := m.Alpha.Client.Request(ctx, inc.ID)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSent, sent.Status)
		require.Equal(t, transfer.RouteEmail, sent.Route)

		inv := m.invite(t, inc.MessageID)
		require.Contains(t, inv.Subject, "identify the sender")
		b := m.verified(t, inc.MessageID)
		b.expect(http.StatusOK, "Confirm the transaction", hash, strangeETH, "Was it sent by one of your customers?")
		noIdentity(t, b.body, "the transaction step")
		b.submit(b.at()+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusOK, "Identify the sender", beneficiaryName)
		see(t, m.Alpha.Client, inc.ID, transfer.StatusACK)

		// The form says what is missing, keeps what was typed, and repeats no value in errors.
		b.submit(b.at()+"decision", url.Values{"decision": {"accept"}, "person_type": {"natural"}, "given_names": {"Ximena"},
			"account_number": {strangeETH}}).expect(http.StatusUnprocessableEntity, "Give the customer&#39;s family name",
			`value="Ximena"`)
		b.submit(b.at()+"decision", url.Values{"decision": {"accept"}, "person_type": {"natural"}, "family_name": {"Okonkwo"},
			"given_names": {"Ximena"}, "date_of_birth": {"1990-02-30"}, "place_of_birth": {"Lagos"}, "account_number": {strangeETH}}).
			expect(http.StatusUnprocessableEntity, "date")
		b.submit(b.at()+"decision", url.Values{"decision": {"accept"}, "person_type": {"natural"}, "family_name": {"Okonkwo"},
			"given_names": {"Ximena"}, "date_of_birth": {"1990-02-03"}, "place_of_birth": {"Lagos"}, "country_of_residence": {"ng"},
			"street": {"Awolowo Road"}, "building_number": {"7"}, "town": {"Lagos"}, "country": {"NG"},
			"account_number": {strangeETH}}).expect(http.StatusOK, "Completed", "Okonkwo")
		done := see(t, m.Alpha.Client, inc.ID, transfer.StatusCompleted)
		require.NotNil(t, done.Originator)
		require.Len(t, done.Originator.Persons, 1)
		name := done.Originator.Persons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0]
		require.Equal(t, "Okonkwo", name.PrimaryIdentifier)
		require.Equal(t, "Ximena", name.SecondaryIdentifier)
		require.Equal(t, []string{strangeETH}, done.Originator.AccountNumbers)
		require.Equal(t, "NG", done.Originator.Persons[0].GetNaturalPerson().GetCountryOfResidence())

		// A second request, declined.
		const hash2 = "0x4444000000000000000000000000000000000000000000000000000000000005"
		dep2, _, err := m.Alpha.Client.CreateDeposit(ctx, engine.DepositInput{TxHash: hash2, Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"},
			Amount: decimal.RequireFromString("3"), DestinationAddress: alphaETH, OriginAddress: strangeETH})
		require.NoError(t, err)
		_, err = m.Alpha.Client.UpdateTransfer(ctx, dep2.TransferID, engine.UpdateInput{Beneficiary: ben, CounterpartyID: &m.Gamma})
		require.NoError(t, err)
		inc2, err := m.Alpha.Client.Request(ctx, dep2.TransferID)
		require.NoError(t, err)
		b2 := m.verified(t, inc2.MessageID)
		b2.submit(b2.at()+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusOK, "Identify the sender")
		b2.submit(b2.at()+"decision", url.Values{"decision": {"decline"}, "decline_reason": {"unknown_originator"}}).
			expect(http.StatusOK, "Declined")
		tr := see(t, m.Alpha.Client, inc2.ID, transfer.StatusDeclined)
		require.Equal(t, "unknown_originator: the sender is not our customer", tr.StatusReason)
		noIdentityInMail(t, m)
	})
}

// TestEmailRouteAdded: a withdrawal to a counterparty with no route waits; adding its compliance
// address sends it over the e-mail route on its own.
func TestEmailRouteAdded(t *testing.T) {
	t.Parallel()
	m := startMailNode(t, nodetest.SQLite)
	ctx := ctxT(t)
	delta, err := m.Alpha.Client.CreateCounterparty(ctx, engine.CounterpartyInput{Name: "Delta Wallets Ltd", Country: "GB", Standing: "allowed"})
	require.NoError(t, err)
	in := withdrawal(t, "mail-wfi", strangeETH)
	in.BeneficiaryVASP = &engine.VASPInput{CounterpartyID: delta.ID}
	out, _, err := m.Alpha.Client.CreateTransfer(ctx, in)
	require.NoError(t, err)
	require.Equal(t, transfer.StatusWaitingForInformation, out.Status)
	require.Empty(t, m.SMTP.Messages())

	_, err = m.Alpha.Client.ReplaceCounterparty(ctx, delta.ID, engine.CounterpartyInput{Name: "Delta Wallets Ltd", Country: "GB",
		Standing: "allowed", Routes: counterparty.Routes{Email: gammaMail}})
	require.NoError(t, err)
	tr := see(t, m.Alpha.Client, out.ID, transfer.StatusSent)
	require.Equal(t, transfer.RouteEmail, tr.Route)
	m.invite(t, out.MessageID)
}
