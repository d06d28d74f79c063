package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/client"
	"github.com/waybill/waybill/internal/config"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/route/trp"
)

// The directory through the API: import from JSON and CSV, attribution lists feeding address
// routing, and the travel addresses shown on the VASP and its wallets.

func TestDirectoryImportAPI(t *testing.T) {
	t.Parallel()
	nodetest.Each(t, func(t *testing.T, d nodetest.Driver) {
		n := nodetest.StartOn(t, d, nodetest.Options{})
		c := n.Alpha.Client
		res, err := c.ImportCounterparties(ctxT(t), client.ContentJSON, strings.NewReader(`[
		  {"name":"Gamma Exchange","lei":"5493001KJTIIGC8Y1R12","country":"CH","standing":"allowed",
		   "routes":{"trp":{"travel_address":"ta2W2HPKfHxgSgrzY178knqXHg1H3jfeQrwQ9JrKBs9wv"}}}]`))
		require.NoError(t, err)
		require.Equal(t, 1, res.Created)
		gammaID := res.IDs[0]
		res, err = c.ImportCounterparties(ctxT(t), client.ContentCSV, strings.NewReader(
			"name,lei,standing,email\nGamma Exchange AG,5493001KJTIIGC8Y1R12,blocked,\nDelta,,unknown,tr@delta.example\n"))
		require.NoError(t, err)
		require.Equal(t, 1, res.Created)
		require.Equal(t, 1, res.Updated)
		require.Equal(t, gammaID, res.IDs[0], "matched by LEI")
		cp, err := c.GetCounterparty(ctxT(t), gammaID)
		require.NoError(t, err)
		require.Equal(t, "Gamma Exchange AG", cp.Name)

		_, err = c.ImportCounterparties(ctxT(t), client.ContentCSV, strings.NewReader("name,country\nX,DEU\n,DE\n"))
		var ce *client.Error
		require.ErrorAs(t, err, &ce)
		require.Equal(t, http.StatusUnprocessableEntity, ce.StatusCode)
		var locs []string
		for _, e := range ce.Problem.Errors {
			locs = append(locs, e.Location)
		}
		require.Equal(t, []string{"body.line[2].country", "body.line[3].name"}, locs)
		_, err = c.ImportCounterparties(ctxT(t), "application/xml", strings.NewReader("<x/>"))
		require.True(t, nodetest.IsStatus(err, http.StatusUnsupportedMediaType), "%v", err)

		ar, err := c.ImportAttributions(ctxT(t), client.ContentCSV, strings.NewReader(
			"network,address,counterparty_lei\nethereum,0x8617e340b3d01fa5f11f306f4090fd50e238070d,5493001KJTIIGC8Y1R12\n"))
		require.NoError(t, err)
		require.Equal(t, 1, ar.Created)
		r, err := c.Routing(ctxT(t), "ethereum", strangeETH)
		require.NoError(t, err)
		require.True(t, r.Found)
		require.Equal(t, gammaID, r.Counterparty.ID)
		require.Equal(t, engine.SourceAttributionList, r.Source)
		require.Equal(t, "likely", r.Confidence)
		_, err = n.Beta.Client.ImportAttributions(ctxT(t), client.ContentJSON, strings.NewReader(
			`[{"network":"ethereum","address":"`+strangeETH+`","counterparty_id":"`+gammaID+`"}]`))
		require.True(t, nodetest.IsStatus(err, http.StatusUnprocessableEntity), "another VASP's counterparty does not exist for Beta")
	})
}

// TestTravelAddressesInTheAPI runs TRP in plain HTTP on the main listener (insecure_http):
// VASPs and wallets show their travel addresses, and the TRP server answers under /trp/.
func TestTravelAddressesInTheAPI(t *testing.T) {
	t.Parallel()
	n := nodetest.Start(t, nodetest.Options{Configure: func(c *config.Config) {
		c.TRP.Enabled, c.TRP.InsecureHTTP, c.TRP.BaseURL = true, true, "http://trp.alpha.example"
	}})
	v, err := n.Alpha.Client.GetVASPWithAddress(ctxT(t))
	require.NoError(t, err)
	u, form, err := trp.ParseAddress(v.TravelAddress)
	require.NoError(t, err)
	require.Equal(t, trp.FormTravelAddress, form)
	require.Equal(t, "https://trp.alpha.example/trp/v/"+n.Alpha.VASP.ID+"?t=i", u.String(), "a travel address implies https")
	w, err := n.Alpha.Client.GetWalletWithAddress(ctxT(t), n.Alpha.Wallets[0].ID)
	require.NoError(t, err)
	u, _, err = trp.ParseAddress(w.TravelAddress)
	require.NoError(t, err)
	require.Equal(t, "/trp/v/"+n.Alpha.VASP.ID+"/w/"+n.Alpha.Wallets[0].ID, u.Path)

	resp, err := n.HTTP.Do(context.Background(), http.MethodGet, "/trp/version", "", nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.JSONEq(t, `{"version":"3.1.0","vendor":"waybill/dev"}`, string(body))
	resp, err = n.HTTP.Do(context.Background(), http.MethodPost, "/trp/v/"+n.Alpha.VASP.ID, "application/json", []byte(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "no api-version: the protocol's 400")
}
