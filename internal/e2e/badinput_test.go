package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/transfer"
)

// TestMain checks, after a full run, that the tests together reached every status.
func TestMain(m *testing.M) {
	code := m.Run()
	if f := flag.Lookup("test.run"); code == 0 && f != nil && f.Value.String() == "" {
		var missing []string
		fmt.Println("status coverage:")
		for _, s := range transfer.Statuses {
			reached.mu.Lock()
			by, ok := reached.m[s]
			reached.mu.Unlock()
			if !ok {
				missing = append(missing, string(s))
				by = "MISSING"
			}
			fmt.Printf("  %-25s %s\n", s, by)
		}
		if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "statuses no test reached: %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

func validBody(t *testing.T) map[string]any {
	t.Helper()
	var o, b any
	require.NoError(t, json.Unmarshal([]byte(originatorJSON), &o))
	require.NoError(t, json.Unmarshal([]byte(beneficiaryJSON), &b))
	return map[string]any{
		"ref": "bad-input", "asset": map[string]any{"network": "ethereum", "symbol": "ETH"}, "amount": "1.5",
		"origin_address": alphaETH, "destination_address": betaETH, "originator": o, "beneficiary": b,
	}
}

func mutate(t *testing.T, f func(m map[string]any)) []byte {
	m := validBody(t)
	f(m)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

type problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Location, Code, Message string
	} `json:"errors"`
}

// TestBadInput: each malformed request gets a 4xx problem that names what is wrong, changes
// nothing, and repeats no personal data.
func TestBadInput(t *testing.T) {
	t.Parallel()
	n := nodetest.Start(t, nodetest.Options{MaxBodyBytes: 64 << 10})
	ctx := context.Background()
	alphaID := n.Alpha.VASP.ID
	// Beta's own directory entry for Alpha is an id Alpha's key must not be able to use.
	betasEntry := hostedEntry(t, n.Beta.Client, alphaID)
	huge := strings.Repeat("x", 70<<10)

	count := func() int {
		m, err := n.Node.Store.Read().CountTransfers(ctx, alphaID, "")
		require.NoError(t, err)
		total := 0
		for _, c := range m {
			total += c
		}
		return total
	}
	head := func() int64 {
		seq, _, err := n.Node.Store.Read().AuditHead(ctx, alphaID)
		require.NoError(t, err)
		return seq
	}

	for _, tc := range []struct {
		name        string
		contentType string
		body        []byte
		status      int
		location    string // a location that must be named, or "" when detail suffices
		detail      string // a substring of the detail
	}{
		{"malformed JSON", "application/json", []byte(`{"ref": "x", "amount": `), 400, "", "not well-formed JSON"},
		{"not an object", "application/json", []byte(`["` + originatorFamily + `"]`), 422, "body", ""},
		{"wrong type", "application/json", mutate(t, func(m map[string]any) { m["amount"] = 1.5 }), 422, "body.amount", ""},
		{"negative amount", "application/json", mutate(t, func(m map[string]any) { m["amount"] = "-1" }), 422, "body.amount", ""},
		{"unknown field", "application/json", mutate(t, func(m map[string]any) { m["colour"] = originatorFamily }), 422, "body.colour", ""},
		{"missing field", "application/json", mutate(t, func(m map[string]any) { delete(m, "destination_address") }), 422, "", ""},
		{"unknown IVMS101 field", "application/json", mutate(t, func(m map[string]any) {
			m["originator"].(map[string]any)["shoeSize"] = originatorFamily
		}), 422, "body.originator.shoeSize", ""},
		{"invalid IVMS101 code", "application/json", []byte(strings.Replace(string(mutate(t, func(map[string]any) {})), `"LEGL"`, `"`+originatorGiven+`"`, 1)), 422, "body.beneficiary.beneficiaryPersons[0].naturalPerson.name.nameIdentifier[0].nameIdentifierType", ""},
		{"IVMS101 without a person", "application/json", mutate(t, func(m map[string]any) {
			m["originator"] = map[string]any{"accountNumber": []string{alphaETH}}
		}), 422, "body.originator", ""},
		{"unknown asset", "application/json", mutate(t, func(m map[string]any) {
			m["asset"] = map[string]any{"network": "ethereum", "symbol": "NOPE"}
		}), 422, "body.asset", ""},
		{"malformed address", "application/json", mutate(t, func(m map[string]any) { m["destination_address"] = "0x de70 " + originatorFamily }), 422, "body.destination_address", ""},
		{"too many decimals", "application/json", mutate(t, func(m map[string]any) { m["amount"] = "1.0000000000000000001" }), 422, "body.amount", ""},
		{"oversized body", "application/json", mutate(t, func(m map[string]any) { m["memo"] = huge }), 413, "", "too large"},
		{"wrong content type", "text/plain", mutate(t, func(map[string]any) {}), 415, "", "content type"},
		{"another VASP's counterparty id", "application/json", mutate(t, func(m map[string]any) {
			m["beneficiary_vasp"] = map[string]any{"counterparty_id": betasEntry}
		}), 422, "body.beneficiary_vasp.counterparty_id", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			beforeCount, beforeHead := count(), head()
			resp, err := n.Alpha.Client.Do(ctx, http.MethodPost, "/v1/transfers", tc.contentType, tc.body)
			require.NoError(t, err)
			raw, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, tc.status, resp.StatusCode, "%s", raw)
			require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
			var p problem
			require.NoError(t, json.Unmarshal(raw, &p), "%s", raw)
			require.Equal(t, tc.status, p.Status)
			if tc.location != "" {
				var locs []string
				for _, e := range p.Errors {
					locs = append(locs, e.Location)
				}
				sort.Strings(locs)
				found := false
				for _, l := range locs {
					found = found || strings.HasPrefix(l, tc.location)
				}
				require.True(t, found, "no error at %s in %s", tc.location, raw)
			}
			if tc.detail != "" {
				require.Contains(t, p.Detail, tc.detail)
			}
			require.NotEmpty(t, p.Detail+fmt.Sprint(p.Errors))
			for _, secret := range []string{originatorFamily, originatorGiven, beneficiaryName, "L01X00T47", "Friedrichstraße"} {
				require.NotContains(t, string(raw), secret, "the error repeats personal data")
			}
			require.Equal(t, beforeCount, count(), "nothing was created")
			require.Equal(t, beforeHead, head(), "nothing was audited")
		})
	}

	// Bad parameters and another VASP's ids on the other endpoints.
	out, in := received(t, n, "bad-2")
	see(t, n.Alpha.Client, out.ID, transfer.StatusACK) // Alpha's side settles before the checks
	for _, tc := range []struct {
		name, method, path string
		status             int
	}{
		{"bad limit", http.MethodGet, "/v1/transfers?limit=100000", 422},
		{"bad status filter", http.MethodGet, "/v1/transfers?status=" + originatorFamily, 422},
		{"bad time filter", http.MethodGet, "/v1/transfers?created_after=" + originatorGiven, 422},
		{"another VASP's transfer", http.MethodGet, "/v1/transfers/" + in.ID, 404},
		{"another VASP's transfer action", http.MethodPost, "/v1/transfers/" + in.ID + "/approve", 404},
		{"unknown transfer", http.MethodGet, "/v1/transfers/nope", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			beforeHead := head()
			resp, err := n.Alpha.Client.Do(ctx, tc.method, tc.path, "", nil)
			require.NoError(t, err)
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode, "%s", raw)
			require.NotContains(t, string(raw), originatorFamily)
			require.NotContains(t, string(raw), originatorGiven)
			require.Equal(t, beforeHead, head())
		})
	}
}
