package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/waybill/waybill/internal/nodetest"
)

const seedBody = `{"ref":"f-1","asset":{"network":"ethereum","symbol":"ETH"},"amount":"1.5",
"origin_address":"0x52908400098527886E0F7030069857D2E4169EE7","destination_address":"0xde709f2102306220921060314715629080e2fb77",
"originator":{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Muster","secondaryIdentifier":"Max","nameIdentifierType":"LEGL"}]},
"geographicAddress":[{"addressType":"HOME","townName":"Berlin","country":"DE"}]}}],"accountNumber":["0x52908400098527886E0F7030069857D2E4169EE7"]},
"beneficiary":{"beneficiaryPersons":{"naturalPerson":{"name":{"nameIdentifier":{"primaryIdentifier":"Dupont","nameIdentifierType":"LEGL"}}}}}}`

// FuzzCreateTransfer sends arbitrary bodies to POST /v1/transfers of a real node (in process)
// and asserts that no input produces a 5xx.
func FuzzCreateTransfer(f *testing.F) {
	n := nodetest.Start(f, nodetest.Options{})
	f.Add([]byte(seedBody))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"amount":"1e400"}`))
	f.Add([]byte(strings.Replace(seedBody, `"1.5"`, `"0.000000000000000000001"`, 1)))
	f.Add([]byte(strings.Replace(seedBody, `"LEGL"`, `"legl"`, 1)))
	f.Add([]byte(`{"originator":[],"beneficiary":"x"}`))
	auth := "Bearer " + n.Alpha.Key()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v1/transfers", bytes.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		n.Node.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
	})
}
