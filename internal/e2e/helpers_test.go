package e2e

import (
	"context"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/transfer"
)

// Names sent in identity data; no error body or webhook payload may contain them.
const (
	originatorFamily = "Schmidt-Krügerová"
	originatorGiven  = "Annelise"
	beneficiaryName  = "Dupontel"
)

const originatorJSON = `{
  "originatorPersons": [{"naturalPerson": {
    "name": {"nameIdentifier": [{"primaryIdentifier": "` + originatorFamily + `", "secondaryIdentifier": "` + originatorGiven + `", "nameIdentifierType": "LEGL"}]},
    "geographicAddress": [{"addressType": "HOME", "streetName": "Friedrichstraße", "buildingNumber": "12", "postCode": "10117", "townName": "Berlin", "country": "DE"}],
    "nationalIdentification": {"nationalIdentifier": "L01X00T47", "nationalIdentifierType": "CCPT", "countryOfIssue": "DE"},
    "dateAndPlaceOfBirth": {"dateOfBirth": "1985-04-12", "placeOfBirth": "Hamburg"},
    "countryOfResidence": "DE"
  }}],
  "accountNumber": ["0x52908400098527886E0F7030069857D2E4169EE7"]
}`

const beneficiaryJSON = `{
  "beneficiaryPersons": [{"naturalPerson": {
    "name": {"nameIdentifier": [{"primaryIdentifier": "` + beneficiaryName + `", "secondaryIdentifier": "Bruno", "nameIdentifierType": "LEGL"}]}
  }}],
  "accountNumber": ["0xde709f2102306220921060314715629080e2fb77"]
}`

// Addresses of the demo books and elsewhere.
const (
	alphaETH   = "0x52908400098527886E0F7030069857D2E4169EE7"
	betaETH    = "0xde709f2102306220921060314715629080e2fb77"
	strangeETH = "0x8617e340b3d01fa5f11f306f4090fd50e238070d" // in nobody's book
)

func originator(t testing.TB) *ivms.Originator {
	t.Helper()
	o, err := ivms.DecodeOriginator([]byte(originatorJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	return o
}

func beneficiary(t testing.TB) *ivms.Beneficiary {
	t.Helper()
	b, err := ivms.DecodeBeneficiary([]byte(beneficiaryJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	return b
}

// withdrawal is a 1.5 ETH withdrawal (above every threshold) from Alpha's customer.
func withdrawal(t testing.TB, ref, to string) engine.CreateInput {
	return engine.CreateInput{
		Ref: ref, Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"}, Amount: decimal.RequireFromString("1.5"),
		OriginAddress: alphaETH, DestinationAddress: to, Originator: originator(t), Beneficiary: beneficiary(t),
	}
}

// reached records every status some test saw, for the coverage table at the end.
type reachedSet struct {
	mu sync.Mutex
	m  map[transfer.Status]string
}

func (r *reachedSet) add(test string, statuses ...transfer.Status) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[transfer.Status]string{}
	}
	for _, s := range statuses {
		if _, ok := r.m[s]; !ok {
			r.m[s] = test
		}
	}
}

func (r *reachedSet) has(s transfer.Status) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.m[s]
	return ok
}

// reached is the one shared record of statuses seen; tests only add to it.
var reached reachedSet

// see waits for a transfer's status and records it as reached.
func see(t *testing.T, c *client.Client, id string, s transfer.Status) *client.Transfer {
	t.Helper()
	tr := nodetest.WaitStatus(t, c, id, s)
	reached.add(t.Name(), s)
	return tr
}

func ctxT(t *testing.T) context.Context { return t.Context() }

// noHookErrors fails when the receiver refused a delivery.
func noHookErrors(t *testing.T, n *nodetest.Node) {
	t.Helper()
	require.Empty(t, n.Hooks.Errors(), "every webhook must verify")
}

// betaEntry returns Alpha's directory id for Beta (a hosted, internal counterparty).
func betaEntry(t testing.TB, n *nodetest.Node) string {
	return hostedEntry(t, n.Alpha.Client, n.Beta.VASP.ID)
}

// hostedEntry returns the directory id, in c's VASP's directory, of the hosted VASP vaspID.
func hostedEntry(t testing.TB, c *client.Client, vaspID string) string {
	t.Helper()
	page, err := c.ListCounterparties(context.Background(), client.Page{Limit: 500})
	require.NoError(t, err)
	for _, cp := range page.Items {
		if cp.HostedVASPID == vaspID {
			return cp.ID
		}
	}
	t.Fatalf("no directory entry for hosted VASP %s", vaspID)
	return ""
}

// toBeta is a withdrawal naming Beta as the beneficiary VASP.
func toBeta(t testing.TB, n *nodetest.Node, ref, to string) engine.CreateInput {
	in := withdrawal(t, ref, to)
	in.BeneficiaryVASP = &engine.VASPInput{CounterpartyID: betaEntry(t, n)}
	return in
}

// noPersonalData fails when a webhook payload carries a name sent in identity data.
func noPersonalData(t *testing.T, n *nodetest.Node) {
	t.Helper()
	all := n.Hooks.All()
	require.NotEmpty(t, all)
	for _, r := range all {
		for _, name := range []string{originatorFamily, originatorGiven, beneficiaryName, "Friedrichstraße", "L01X00T47"} {
			require.NotContains(t, string(r.Body), name, "webhook %s carries personal data", r.Event.Type)
		}
	}
}

func clientPage(limit int) client.Page { return client.Page{Limit: limit} }
