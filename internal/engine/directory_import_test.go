package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/vasp"
)

const (
	leiGamma = "5493001KJTIIGC8Y1R12"
	leiDelta = "529900T8BM49AURSDO55"
	taGamma  = "ta2W2HPKfHxgSgrzY178knqXHg1H3jfeQrwQ9JrKBs9wv" // beneficiary.com/x/12345?t=i
)

func directory(t *testing.T, h *harness, vaspID string) map[string]counterparty.Counterparty {
	t.Helper()
	list, err := h.s.Read().ListCounterparties(context.Background(), vaspID, "", 1000)
	require.NoError(t, err)
	out := map[string]counterparty.Counterparty{}
	for _, c := range list {
		out[c.Name] = c
	}
	return out
}

func TestImportCounterparties(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.OpenSQLite, vasp.DefaultSettings())
	ctx := context.Background()
	before := len(directory(t, h, h.a.ID))

	res, err := h.e.ImportCounterparties(ctx, h.api, h.a.ID, strings.NewReader(`[
	  {"name": "Gamma Exchange", "lei": "`+leiGamma+`", "country": "ch", "standing": "allowed",
	   "routes": {"trp": {"travel_address": "`+taGamma+`"}, "preferred": "trp"}},
	  {"name": "Delta Markets", "routes": {"email": "compliance@delta.example"}}
	]`), engine.FormatJSON)
	require.NoError(t, err)
	require.Equal(t, 2, res.Created)
	require.Len(t, res.IDs, 2)
	dir := directory(t, h, h.a.ID)
	require.Len(t, dir, before+2)
	require.Equal(t, "CH", dir["Gamma Exchange"].Country, "rows are checked like a create")
	require.Equal(t, taGamma, dir["Gamma Exchange"].Routes.TRP.TravelAddress)
	require.Equal(t, counterparty.StandingUnknown, dir["Delta Markets"].Standing)

	// The same file as CSV, by LEI and by name: the entries are replaced, not added.
	csv := "name,lei,country,standing,trp_url,trp_allow_private,email\n" +
		"Gamma Exchange AG," + leiGamma + ",CH,blocked,https://trp.gamma.example/trp/v/1,true,\n" +
		"delta markets,,FR,allowed,,,ops@delta.example\n" +
		"Epsilon,,DE,,,,eps@epsilon.example\n"
	res, err = h.e.ImportCounterparties(ctx, h.api, h.a.ID, strings.NewReader(csv), engine.FormatCSV)
	require.NoError(t, err)
	require.Equal(t, 1, res.Created)
	require.Equal(t, 2, res.Updated)
	dir = directory(t, h, h.a.ID)
	require.Len(t, dir, before+3)
	gamma := dir["Gamma Exchange AG"]
	require.Equal(t, counterparty.StandingBlocked, gamma.Standing)
	require.Equal(t, "https://trp.gamma.example/trp/v/1", gamma.Routes.TRP.URL)
	require.True(t, gamma.Routes.TRP.AllowPrivate)
	require.Equal(t, "ops@delta.example", dir["delta markets"].Routes.Email)
	require.Empty(t, directory(t, h, h.b.ID)["Epsilon"].ID, "another VASP's directory is untouched")

	// Wrapped JSON, and an audit event per row.
	res, err = h.e.ImportCounterparties(ctx, h.api, h.a.ID, strings.NewReader(`{"counterparties":[{"name":"Zeta"}]}`), engine.FormatJSON)
	require.NoError(t, err)
	require.Equal(t, 1, res.Created)
	events, err := h.s.Read().ListAudit(ctx, h.a.ID, "", 1000)
	require.NoError(t, err)
	imported := 0
	for _, e := range events {
		if strings.HasPrefix(e.Type, "counterparty.") && strings.Contains(string(e.Data), `"source":"import"`) {
			imported++
		}
	}
	require.Equal(t, 6, imported)
}

func TestImportCounterpartiesRefusesTheWholeFile(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.OpenSQLite, vasp.DefaultSettings())
	ctx := context.Background()
	before := len(directory(t, h, h.a.ID))
	for _, tc := range []struct {
		name, format, body string
		paths              []string
	}{
		{"bad rows", engine.FormatCSV, "name,country,standing,trp_travel_address,email,trp_allow_private\n" +
			"Good,DE,allowed,,,\n" +
			",DE,,,,\n" +
			"Bad country,DEU,,,,\n" +
			"Bad standing,DE,trusted,,,\n" +
			"Bad address,DE,,taNOTANADDRESS,,\n" +
			"Bad mail,DE,,,nobody,\n" +
			"Bad flag,DE,,,,perhaps\n",
			[]string{"line[3].name", "line[4].country", "line[5].standing", "line[6].routes.trp.travel_address", "line[7].routes.email", "line[8].trp_allow_private"}},
		{"unknown column", engine.FormatCSV, "name,colour\nGood,red\n", []string{"csv"}},
		{"no name column", engine.FormatCSV, "lei\n" + leiGamma + "\n", []string{"csv"}},
		{"unknown field", engine.FormatJSON, `[{"name":"Good","colour":"red"}]`, []string{"file"}},
		{"not a list", engine.FormatJSON, `"Good"`, []string{"file"}},
		{"bad json row", engine.FormatJSON, `[{"name":"Good"},{"name":""}]`, []string{"[1].name"}},
		{"format", "xml", `<a/>`, []string{"format"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.e.ImportCounterparties(ctx, h.api, h.a.ID, strings.NewReader(tc.body), tc.format)
			var ve *engine.ValidationError
			require.ErrorAs(t, err, &ve)
			var paths []string
			for _, f := range ve.Fields {
				paths = append(paths, f.Path)
			}
			require.Equal(t, tc.paths, paths)
			require.Len(t, directory(t, h, h.a.ID), before, "nothing imported")
		})
	}
}

func TestImportAttributions(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.OpenSQLite, vasp.DefaultSettings())
	ctx := context.Background()
	gamma, err := h.e.CreateCounterparty(ctx, h.api, h.a.ID, engine.CounterpartyInput{Name: "Gamma", LEI: leiGamma})
	require.NoError(t, err)
	delta, err := h.e.CreateCounterparty(ctx, h.api, h.a.ID, engine.CounterpartyInput{Name: "Delta", LEI: leiDelta})
	require.NoError(t, err)
	// Delta confirmed 0xconfirmed in a transfer: a list does not overrule it.
	require.NoError(t, h.s.InTx(ctx, func(tx store.Tx) error {
		return tx.UpsertAttribution(ctx, &store.Attribution{VASPID: h.a.ID, Network: "ethereum", Address: "0xConfirmed", CounterpartyID: delta.ID,
			Source: engine.SourceConfirmedTransfer, Confidence: engine.ConfidenceConfirmed}, "0xconfirmed")
	}))
	csv := "network,address,counterparty_id,counterparty_lei\n" +
		"Ethereum,0xGamma1,," + leiGamma + "\n" +
		"ethereum,0xGamma2," + gamma.ID + ",\n" +
		"ethereum,0xConfirmed,," + leiGamma + "\n"
	res, err := h.e.ImportAttributions(ctx, h.api, h.a.ID, strings.NewReader(csv), engine.FormatCSV, nil)
	require.NoError(t, err)
	require.Equal(t, 2, res.Created)
	require.Equal(t, 1, res.Skipped)
	for addr, want := range map[string]struct {
		cp, source, confidence string
	}{
		"0xGamma1":    {gamma.ID, engine.SourceAttributionList, engine.ConfidenceLikely},
		"0xgamma2":    {gamma.ID, engine.SourceAttributionList, engine.ConfidenceLikely},
		"0xConfirmed": {delta.ID, engine.SourceConfirmedTransfer, engine.ConfidenceConfirmed},
	} {
		r, err := h.e.Routing(ctx, h.a.ID, "ethereum", addr)
		require.NoError(t, err)
		require.True(t, r.Found, addr)
		require.Equal(t, want.cp, r.Counterparty.ID, addr)
		require.Equal(t, want.source, r.Source, addr)
		require.Equal(t, want.confidence, r.Confidence, addr)
	}
	r, err := h.e.Routing(ctx, h.b.ID, "ethereum", "0xGamma1")
	require.NoError(t, err)
	require.False(t, r.Found, "another VASP's routing knowledge is its own")

	_, err = h.e.ImportAttributions(ctx, h.api, h.a.ID, strings.NewReader(`[{"network":"ethereum","address":"0xGamma3","counterparty_id":"`+gamma.ID+`"},
		{"network":"ethereum","address":"bad address","counterparty_id":"`+gamma.ID+`"},
		{"network":"ethereum","address":"0xGamma4","counterparty_lei":"`+leiDelta[:18]+`00"},
		{"network":"ethereum","address":"0xGamma5"}]`), engine.FormatJSON, nil)
	var ve *engine.ValidationError
	require.ErrorAs(t, err, &ve)
	var paths []string
	for _, f := range ve.Fields {
		paths = append(paths, f.Path)
	}
	require.Equal(t, []string{"[1].address", "[2].counterparty_lei", "[3].counterparty_id"}, paths)
	r, err = h.e.Routing(ctx, h.a.ID, "ethereum", "0xGamma3")
	require.NoError(t, err)
	require.False(t, r.Found, "nothing imported from a refused file")

	_, err = h.e.ImportAttributions(ctx, h.api, h.a.ID, strings.NewReader("network,address\nethereum,0x1\n"), engine.FormatCSV, nil)
	require.ErrorAs(t, err, &ve, "a list names the counterparty")
}
