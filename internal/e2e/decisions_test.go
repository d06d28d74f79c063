package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/decision"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/proof"
	"github.com/waybill/waybill/internal/screening"
	"github.com/waybill/waybill/internal/transfer"
)

// sanctionedETH is an address of the OFAC sample list (internal/screening/testdata).
const sanctionedETH = "0xff778740f88ddcf102aeb81daee289c044c4a457"

// Alpha's withdrawal policies: stop sanctioned addresses, hold high-risk countries and risky
// addresses for a person, send to allowed counterparties, keep what needs no exchange.
var alphaPolicies = []policy.Policy{
	{Name: "reject-sanctioned", Condition: `screening.listed`, Action: policy.ActionReject, Reason: "an address is on a sanctions list"},
	{Name: "review-high-risk-countries", Action: policy.ActionReview, Reason: "high-risk jurisdiction",
		Condition: `[transfer.originator_country, transfer.beneficiary_country, transfer.beneficiary_vasp_country].exists(c, c in ["IR", "KP", "MM"])`},
	{Name: "review-risky-addresses", Condition: `screening.max_risk_score >= 7 || screening.incomplete`, Action: policy.ActionReview},
	{Name: "approve-allowed-counterparties", Condition: `counterparty.standing == "allowed"`, Action: policy.ActionApprove, Points: []string{policy.PointOutgoingCreated}},
	{Name: "keep-without-exchange", Condition: `transfer.kind != "TRAVELRULE"`, Action: policy.ActionApprove, Points: []string{policy.PointOutgoingKept}},
}

// Beta's deposit policies: decline sanctioned origins, accept allowed counterparties whose
// beneficiary name matches the customer's, hold name mismatches.
var betaPolicies = []policy.Policy{
	{Name: "decline-sanctioned", Condition: `screening.listed`, Action: policy.ActionReject, Reason: "an address is on a sanctions list"},
	{Name: "review-name-mismatch", Condition: `name_match.verdict != "match"`, Action: policy.ActionReview,
		Points: []string{policy.PointAddressConfirmed}, Reason: "beneficiary name does not match the customer"},
	{Name: "accept-matching-names", Condition: `counterparty.standing == "allowed" && name_match.verdict == "match"`,
		Action: policy.ActionApprove, Points: []string{policy.PointAddressConfirmed}},
}

// beneficiaryNamed is a beneficiary at Beta's demo address with the given name.
func beneficiaryNamed(t testing.TB, family, given string) *ivms.Beneficiary {
	t.Helper()
	js := `{"beneficiaryPersons": [{"naturalPerson": {"name": {"nameIdentifier": [{"primaryIdentifier": "` + family +
		`", "secondaryIdentifier": "` + given + `", "nameIdentifierType": "LEGL"}]}}}], "accountNumber": ["` + betaETH + `"]}`
	b, err := ivms.DecodeBeneficiary([]byte(js), ivms.DecodeOptions{})
	require.NoError(t, err)
	return b
}

// loadOFAC imports the OFAC sample into the node's database and loads it.
func loadOFAC(t *testing.T, n *nodetest.Node) *decision.Service {
	t.Helper()
	f, err := os.Open("../screening/testdata/sdn_sample.xml")
	require.NoError(t, err)
	defer f.Close()
	row, err := decision.ImportList(ctxT(t), n.Node.Store, f, screening.FormatSDN, decision.ImportOptions{
		NewID: n.Node.NewID, Now: n.Clock.Now()})
	require.NoError(t, err)
	require.True(t, row.Active)
	svc, ok := n.Node.Engine.Decider().(*decision.Service)
	require.True(t, ok, "the node decides with the decision service")
	loaded, err := svc.LoadLists(ctxT(t), n.Node.Store)
	require.NoError(t, err)
	require.Equal(t, 1, loaded)
	return svc
}

// TestPoliciesDecideMixedBatch: realistic policies decide a mixed batch of withdrawals and the
// deposits they make, and at least 98 % of the decisions need no person; a sanctioned
// destination is rejected before anything is sent; every decision is explained without
// personal data.
func TestPoliciesDecideMixedBatch(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		// Under the FATF default rule (USD 1,000) small withdrawals are below the threshold and
		// unhosted ones need no ownership proof; the EU row has neither.
		n := nodetest.StartOn(t, d, nodetest.Options{Jurisdiction: "FATF"})
		ctx := ctxT(t)
		alpha, beta := n.Alpha, n.Beta
		loadOFAC(t, n)
		_, err := alpha.Client.PutPolicies(ctx, policy.DirectionOutgoing, alphaPolicies)
		require.NoError(t, err)
		set, err := beta.Client.PutPolicies(ctx, policy.DirectionIncoming, betaPolicies)
		require.NoError(t, err)
		require.Equal(t, 1, set.Version)
		start := n.Clock.Now()

		matching := beneficiaryNamed(t, "Dupont", "Bruno") // Beta's KYC name is "Bruno Dupont"
		type item struct {
			in   engine.CreateInput
			want transfer.Status // Alpha's status once the batch settles (before any person acts)
		}
		var batch []item
		for i := range 90 {
			in := toBeta(t, n, fmt.Sprintf("batch-%03d", i), betaETH)
			in.Amount = decimal.RequireFromString(fmt.Sprintf("0.%d", 5+i%5)) // EUR 1,250 to 2,250
			in.Beneficiary = matching
			batch = append(batch, item{in, transfer.StatusAccepted})
		}
		for i := range 5 {
			in := withdrawal(t, fmt.Sprintf("small-%d", i), betaETH)
			in.Amount, in.Beneficiary = decimal.RequireFromString("0.0001"), matching
			batch = append(batch, item{in, transfer.StatusSaved})
		}
		for i := range 2 {
			in := withdrawal(t, fmt.Sprintf("unhosted-%d", i), strangeETH)
			in.Unhosted = true
			batch = append(batch, item{in, transfer.StatusSaved})
		}
		sanctioned := toBeta(t, n, "sanctioned", sanctionedETH)
		sanctioned.Beneficiary = matching
		batch = append(batch, item{sanctioned, transfer.StatusCancelled})
		mismatch := toBeta(t, n, "mismatch", betaETH)
		mismatch.Beneficiary = beneficiaryNamed(t, "Martin", "Claire")
		batch = append(batch, item{mismatch, transfer.StatusACK})
		risky := toBeta(t, n, "high-risk", betaETH)
		risky.Beneficiary = matching
		risky.Originator = originatorIn(t, "KP")
		batch = append(batch, item{risky, transfer.StatusNew})

		ids := map[string]string{}
		for _, it := range batch {
			tr, created, err := alpha.Client.CreateTransfer(ctx, it.in)
			require.NoError(t, err, it.in.Ref)
			require.True(t, created)
			ids[it.in.Ref] = tr.ID
		}
		for _, it := range batch {
			see(t, alpha.Client, ids[it.in.Ref], it.want)
		}

		// The sanctioned destination: cancelled by the policy at creation, nothing sent.
		sx, err := alpha.Client.GetTransfer(ctx, ids["sanctioned"], true)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusCancelled, sx.Status)
		require.Contains(t, sx.StatusReason, "sanctions list")
		require.Equal(t, "reject-sanctioned", sx.Decision.Policy)
		require.Equal(t, policy.ActionReject, sx.Decision.Action)
		require.Equal(t, "policy", sx.Decision.Source)
		require.Empty(t, sx.Route, "no route was used")
		for _, ev := range sx.Events {
			require.NotEqual(t, string(transfer.StatusSent), ev.To, "never sent")
		}
		dest := screeningOf(sx.Screening, screening.RoleDestination)
		require.Equal(t, screening.StatusCompleted, dest.Status)
		require.Contains(t, dest.MatchedList, "ofac-sdn@")
		require.Contains(t, dest.EntityID, "ofac-sdn:")
		n.Quiesce(t)
		page, err := beta.Client.ListTransfers(ctx, client.TransferFilter{Q: sx.MessageID})
		require.NoError(t, err)
		require.Empty(t, page.Items, "Beta never heard of the sanctioned transfer")

		// The explanation names the policies and their inputs, and no personal data.
		explained := sx.Decision
		require.Contains(t, explained.Matched, "reject-sanctioned")
		require.Contains(t, explained.Matched, "review-risky-addresses")
		raw, err := json.Marshal(explained)
		require.NoError(t, err)
		for _, want := range []string{`"policy_set"`, `"version":1`, `"evaluations"`, `"approve-allowed-counterparties"`,
			`"listed":true`, sanctionedETH, `"standing":"allowed"`} {
			require.Contains(t, string(raw), want)
		}
		for _, name := range []string{originatorFamily, originatorGiven, "Dupont", "Bruno", "Friedrichstraße", "L01X00T47", "1985-04-12"} {
			require.NotContains(t, string(raw), name, "the decision's inputs carry no personal data")
		}
		requireAuditDecided(t, alpha.Client, ids["sanctioned"], "reject-sanctioned")

		// A deposit of the batch: accepted by Beta's policy after its name matched.
		in0 := nodetest.WaitCounterpart(t, beta.Client, mustTransfer(t, alpha.Client, ids["batch-000"]).MessageID)
		in0 = see(t, beta.Client, in0.ID, transfer.StatusAccepted)
		require.Equal(t, "accept-matching-names", in0.Decision.Policy)
		require.Equal(t, "match", in0.NameMatch.Verdict)
		require.NotEmpty(t, in0.NameMatch.Fields)

		// The two that need a person: the name mismatch (Beta) and the high-risk country (Alpha).
		mm := nodetest.WaitCounterpart(t, beta.Client, mustTransfer(t, alpha.Client, ids["mismatch"]).MessageID)
		mm = see(t, beta.Client, mm.ID, transfer.StatusACK)
		require.Equal(t, "review-name-mismatch", mm.Decision.Policy)
		require.Equal(t, "mismatch", mm.NameMatch.Verdict)
		_, err = beta.Client.Accept(ctx, mm.ID, engine.AcceptInput{})
		require.NoError(t, err)
		hr := mustTransfer(t, alpha.Client, ids["high-risk"])
		require.Equal(t, "review-high-risk-countries", hr.Decision.Policy)
		_, err = alpha.Client.Approve(ctx, hr.ID)
		require.NoError(t, err)
		see(t, alpha.Client, ids["mismatch"], transfer.StatusAccepted)
		see(t, alpha.Client, ids["high-risk"], transfer.StatusAccepted)
		n.Quiesce(t)

		// The automation rate, from both VASPs' audit trails.
		until := n.Clock.Now().Add(time.Second)
		as, err := alpha.Client.DecisionStats(ctx, start.Add(-time.Second), until)
		require.NoError(t, err)
		bs, err := beta.Client.DecisionStats(ctx, start.Add(-time.Second), until)
		require.NoError(t, err)
		require.Equal(t, len(batch), as.Decisions, "one decision per withdrawal: %+v", as.ByOutcome)
		require.Equal(t, 1, as.ByPerson)
		require.Equal(t, 92, bs.Decisions, "90 matching deposits, the mismatch and the high-risk one: %+v", bs.ByOutcome)
		require.Equal(t, 1, bs.ByPerson)
		rate := float64(as.Automated+bs.Automated) / float64(as.Decisions+bs.Decisions)
		t.Logf("%s: %d decisions, %d without a person: automation rate %.2f %%", d, as.Decisions+bs.Decisions, as.Automated+bs.Automated, 100*rate)
		require.GreaterOrEqual(t, rate, 0.98)
		require.GreaterOrEqual(t, as.AutomationRate, 0.98)

		noHookErrors(t, n)
		noPersonalData(t, n)
	})
}

func mustTransfer(t testing.TB, c *client.Client, id string) *client.Transfer {
	t.Helper()
	tr, err := c.GetTransfer(context.Background(), id, false)
	require.NoError(t, err)
	return tr
}

func screeningOf(rs []transfer.ScreeningResult, role string) transfer.ScreeningResult {
	for _, r := range rs {
		if r.Role == role {
			return r
		}
	}
	return transfer.ScreeningResult{}
}

// requireAuditDecided checks the audit trail records the decision with the winning policy.
func requireAuditDecided(t *testing.T, c *client.Client, id, policyName string) {
	t.Helper()
	evs, err := c.TransferEvents(context.Background(), id)
	require.NoError(t, err)
	for _, ev := range evs {
		if ev.Type == "transfer.decided" {
			require.Equal(t, "policy", ev.Actor.Type)
			require.Contains(t, string(ev.Data), `"policy":"`+policyName+`"`)
			require.Contains(t, string(ev.Data), `"inputs"`)
			return
		}
	}
	t.Fatalf("no transfer.decided event on %s", id)
}

// originatorIn is the test originator residing in country.
func originatorIn(t testing.TB, country string) *ivms.Originator {
	t.Helper()
	o, err := ivms.DecodeOriginator([]byte(strings.Replace(originatorJSON, `"countryOfResidence": "DE"`, `"countryOfResidence": "`+country+`"`, 1)), ivms.DecodeOptions{})
	require.NoError(t, err)
	return o
}

// TestPolicyAPI: a set that does not compile is refused with its position, a draft set is
// tested against a transfer without changing it, an address is screened on demand, and the
// name-matching threshold is a setting.
func TestPolicyAPI(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		ctx := ctxT(t)
		alpha := n.Alpha
		loadOFAC(t, n)

		_, err := alpha.Client.PutPolicies(ctx, policy.DirectionOutgoing, []policy.Policy{
			{Name: "ok", Condition: "true", Action: policy.ActionApprove},
			{Name: "typo", Condition: "transfer.amount > 1 &&\n  screening.destination.lsted", Action: policy.ActionReject},
		})
		require.True(t, nodetest.IsStatus(err, 422), "%v", err)
		var ce *client.Error
		require.ErrorAs(t, err, &ce)
		require.Len(t, ce.Problem.Errors, 1)
		require.Equal(t, "body.policies[1].condition", ce.Problem.Errors[0].Location)
		require.Equal(t, "invalid_condition", ce.Problem.Errors[0].Code)
		require.Contains(t, ce.Problem.Errors[0].Message, "line 2, column 24")
		sets, err := alpha.Client.Policies(ctx)
		require.NoError(t, err)
		require.Zero(t, sets.Outgoing.Version, "nothing was saved")

		_, err = alpha.Client.PutPolicies(ctx, policy.DirectionOutgoing, alphaPolicies)
		require.NoError(t, err)
		tr, _, err := alpha.Client.CreateTransfer(ctx, toBeta(t, n, "sx", sanctionedETH))
		require.NoError(t, err)
		require.Equal(t, transfer.StatusCancelled, tr.Status)

		// The same transfer against a draft without the sanctions policy: it would be sent.
		res, err := alpha.Client.TestPolicies(ctx, decision.TestRequest{TransferID: tr.ID, Policies: alphaPolicies[3:]})
		require.NoError(t, err)
		require.Equal(t, policy.PointOutgoingCreated, res.Point)
		require.Equal(t, policy.ActionApprove, res.Decision.Action)
		require.Equal(t, "approve-allowed-counterparties", res.Decision.Policy)
		require.True(t, res.Facts.Screening.Destination.Listed)
		// And against the saved set: rejected, as it was.
		res, err = alpha.Client.TestPolicies(ctx, decision.TestRequest{TransferID: tr.ID})
		require.NoError(t, err)
		require.Equal(t, policy.ActionReject, res.Decision.Action)
		require.Len(t, res.Evaluations, 4, "every policy of the point, in order")
		after := mustTransfer(t, alpha.Client, tr.ID)
		require.Equal(t, tr.Version, after.Version, "testing changes nothing")
		_, err = alpha.Client.TestPolicies(ctx, decision.TestRequest{TransferID: tr.ID, Policies: []policy.Policy{{Name: "x", Condition: "1", Action: "approve"}}})
		require.True(t, nodetest.IsStatus(err, 422), "%v", err)
		_, err = n.Beta.Client.TestPolicies(ctx, decision.TestRequest{TransferID: tr.ID})
		require.True(t, nodetest.IsStatus(err, 422), "another VASP's transfer is unknown: %v", err)

		// Screening on demand.
		r, err := alpha.Client.ScreenAddress(ctx, "ethereum", sanctionedETH)
		require.NoError(t, err)
		require.Equal(t, screening.StatusCompleted, r.Status)
		require.Contains(t, r.MatchedList, "ofac-sdn@")
		require.Equal(t, "10", r.RiskScore.String())
		r, err = alpha.Client.ScreenAddress(ctx, "ethereum", betaETH)
		require.NoError(t, err)
		require.Empty(t, r.MatchedList)
		require.Contains(t, r.Message, "not on ofac-sdn@", "the list version is recorded on a miss too")
		_, err = alpha.Client.ScreenAddress(ctx, "ethereum", "0x1234")
		require.True(t, nodetest.IsStatus(err, 422))
		_, err = alpha.Client.ScreenAddress(ctx, "dogecoin", "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L")
		require.True(t, nodetest.IsStatus(err, 422))
		lists, err := alpha.Client.ScreeningLists(ctx)
		require.NoError(t, err)
		require.Len(t, lists, 1)
		require.True(t, lists[0].Active)

		// Decision settings.
		ds, err := alpha.Client.PutDecisionSettings(ctx, policy.DecisionSettings{NameMatchThreshold: 0.95})
		require.NoError(t, err)
		require.Equal(t, 0.95, ds.NameMatchThreshold)
		_, err = alpha.Client.PutDecisionSettings(ctx, policy.DecisionSettings{NameMatchThreshold: 2})
		require.True(t, nodetest.IsStatus(err, 422))
		ds, err = alpha.Client.DecisionSettings(ctx)
		require.NoError(t, err)
		require.Equal(t, 0.95, ds.NameMatchThreshold)
	})
}

// TestUnhostedOwnershipProof: an EU VASP's withdrawal to an unhosted wallet above EUR 1,000
// needs an ownership proof that verifies; it is stored on the transfer without personal data.
func TestUnhostedOwnershipProof(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		ctx := ctxT(t)
		v, err := n.Admin.CreateVASP(ctx, engine.NewVASP{Name: "Gamma Exchange SA", Country: "LU", Jurisdiction: "EU"})
		require.NoError(t, err)
		k, err := n.Admin.CreateAPIKey(ctx, v.ID, "test")
		require.NoError(t, err)
		gamma := n.Alpha.Client.WithKey(k.Secret)

		in := withdrawal(t, "unhosted-big", strangeETH) // 1.5 ETH, EUR 3,750
		in.OriginAddress, in.Unhosted = "", true
		_, _, err = gamma.CreateTransfer(ctx, in)
		require.True(t, nodetest.IsStatus(err, 422), "%v", err)
		var ce *client.Error
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "body.ownership_proof", ce.Problem.Errors[0].Location)
		require.Equal(t, "required", ce.Problem.Errors[0].Code)
		require.Contains(t, ce.Problem.Errors[0].Message, "EU")

		plan, err := gamma.ValidateTransfer(ctx, in)
		require.NoError(t, err)
		require.False(t, plan.Valid, "the dry run says so too")

		in.OwnershipProof = &proof.Proof{Type: proof.TypeDeclaration, Message: "I, the customer, own and control " + strangeETH,
			Declaration: &proof.Declaration{Name: originatorGiven + " " + originatorFamily, Date: n.Clock.Now(), Accepted: true}}
		tr, _, err := gamma.CreateTransfer(ctx, in)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSaved, tr.Status)
		require.NotNil(t, tr.OwnershipProof)
		require.True(t, tr.OwnershipProof.Verified)
		require.True(t, tr.OwnershipProof.Required)
		require.Equal(t, "declared", tr.OwnershipProof.Strength)
		raw, _ := json.Marshal(tr.OwnershipProof)
		require.NotContains(t, string(raw), originatorFamily, "the record of the proof holds no name")

		// A proof about another address, or one that does not verify, is refused.
		in.Ref = "unhosted-wrong"
		in.OwnershipProof = &proof.Proof{Type: proof.TypeDeclaration, Address: betaETH, Message: "mine: " + betaETH,
			Declaration: &proof.Declaration{Name: "x", Date: n.Clock.Now(), Accepted: true}}
		_, _, err = gamma.CreateTransfer(ctx, in)
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "address_mismatch", ce.Problem.Errors[0].Code)
		in.OwnershipProof = &proof.Proof{Type: proof.TypeDeclaration, Message: "declined " + strangeETH,
			Declaration: &proof.Declaration{Name: "x", Date: n.Clock.Now(), Accepted: false}}
		_, _, err = gamma.CreateTransfer(ctx, in)
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "proof_not_verified", ce.Problem.Errors[0].Code)

		// Below EUR 1,000 no proof is needed.
		in.Ref, in.OwnershipProof, in.Amount = "unhosted-small", nil, decimal.RequireFromString("0.2")
		tr, _, err = gamma.CreateTransfer(ctx, in)
		require.NoError(t, err)
		require.Equal(t, transfer.StatusSaved, tr.Status)
	})
}
