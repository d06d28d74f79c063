package trp

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	trisatrp "github.com/trisacrypto/trisa/pkg/openvasp/trp/v3"

	"github.com/waybill/waybill/internal/ivms"
)

func TestDecodeInquiryLenient(t *testing.T) {
	t.Parallel()
	cb := "https://alpha.example/trp/v/a/transfers/m/resolve"
	for _, tc := range []struct {
		name   string
		body   string
		asset  Asset
		amount string
	}{
		{"symbol and number", inquiryBody(`{"slip0044":"ETH"}`, `1.5`, cb), Asset{SLIP44: 60, HasSLIP44: true}, "1.5"},
		{"BTC is coin type 0", inquiryBody(`{"slip0044":"BTC"}`, `0.000021`, cb), Asset{SLIP44: 0, HasSLIP44: true}, "0.000021"},
		{"integer coin type", inquiryBody(`{"slip0044":0}`, `1`, cb), Asset{SLIP44: 0, HasSLIP44: true}, "1"},
		{"integer coin type as string", inquiryBody(`{"slip0044":"60"}`, `1`, cb), Asset{SLIP44: 60, HasSLIP44: true}, "1"},
		{"coin name", inquiryBody(`{"slip0044":"bitcoin"}`, `1`, cb), Asset{SLIP44: 0, HasSLIP44: true}, "1"},
		{"string amount", inquiryBody(`{"slip0044":"ETH"}`, `"12.345678901234567891"`, cb), Asset{SLIP44: 60, HasSLIP44: true}, "12.345678901234567891"},
		{"exponent amount", inquiryBody(`{"slip0044":"ETH"}`, `2.1e-5`, cb), Asset{SLIP44: 60, HasSLIP44: true}, "0.000021"},
		{"dti", inquiryBody(`{"dti":"4h95j0r2x"}`, `1`, cb), Asset{DTI: "4H95J0R2X"}, "1"},
		{"unknown keys and extensions", strings.Replace(inquiryBody(`{"slip0044":"ETH"}`, `1`, cb), `{"asset"`,
			`{"extensions":{"message-signing":{"sig":"x"}},"vendorField":[1,2],"asset"`, 1), Asset{SLIP44: 60, HasSLIP44: true}, "1"},
		{"lower-case IVMS101 key", strings.Replace(inquiryBody(`{"slip0044":"ETH"}`, `1`, cb), `"IVMS101"`, `"ivms101"`, 1),
			Asset{SLIP44: 60, HasSLIP44: true}, "1"},
		{"a single object where a list belongs", strings.NewReplacer(`"originatorPersons":[`, `"originatorPersons":`,
			`}}],"accountNumber":["0x5290`, `}},"accountNumber":["0x5290`).Replace(inquiryBody(`{"slip0044":"ETH"}`, `1`, cb)),
			Asset{SLIP44: 60, HasSLIP44: true}, "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := DecodeInquiry([]byte(tc.body))
			require.NoError(t, err)
			require.Equal(t, tc.asset, in.Asset)
			require.Equal(t, tc.amount, in.Amount.String())
			require.Equal(t, cb, in.Callback)
			require.Len(t, in.Identity.Originator.Persons, 1)
			require.Equal(t, "Post", in.Identity.Originator.Persons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())
			require.Equal(t, []string{"0xde709f2102306220921060314715629080e2fb77"}, in.Identity.Beneficiary.AccountNumbers)
		})
	}
}

func TestDecodeInquiryRefuses(t *testing.T) {
	t.Parallel()
	cb := "https://alpha.example/cb"
	good := inquiryBody(`{"slip0044":"ETH"}`, `1`, cb)
	for _, tc := range []struct {
		name, body, field string
	}{
		{"empty", ``, ""},
		{"not an object", `[1,2]`, ""},
		{"truncated", good[:len(good)-3], ""},
		{"two objects", good + `{}`, ""},
		{"invalid UTF-8", "{\"asset\":\"\xff\"}", ""},
		{"no asset", strings.Replace(good, `"asset":{"slip0044":"ETH"},`, ``, 1), "asset"},
		{"empty asset", strings.Replace(good, `{"slip0044":"ETH"}`, `{}`, 1), "asset"},
		{"asset not an object", strings.Replace(good, `{"slip0044":"ETH"}`, `"ETH"`, 1), "asset"},
		{"unknown coin", strings.Replace(good, `"ETH"`, `"NOPECOIN"`, 1), "asset.slip0044"},
		{"negative coin", strings.Replace(good, `"ETH"`, `-1`, 1), "asset.slip0044"},
		{"coin type not a number", strings.Replace(good, `"ETH"`, `true`, 1), "asset.slip0044"},
		{"no amount", strings.Replace(good, `"amount":1,`, ``, 1), "amount"},
		{"zero amount", strings.Replace(good, `"amount":1,`, `"amount":0,`, 1), "amount"},
		{"negative amount", strings.Replace(good, `"amount":1,`, `"amount":-2,`, 1), "amount"},
		{"amount not a number", strings.Replace(good, `"amount":1,`, `"amount":"one",`, 1), "amount"},
		{"huge exponent", strings.Replace(good, `"amount":1,`, `"amount":1e999999999,`, 1), "amount"},
		{"amount object", strings.Replace(good, `"amount":1,`, `"amount":{},`, 1), "amount"},
		{"no callback", strings.Replace(good, `"callback":"`+cb+`",`, ``, 1), "callback"},
		{"relative callback", strings.Replace(good, cb, `/cb`, 1), "callback"},
		{"callback with credentials", strings.Replace(good, cb, `https://u:p@alpha.example/cb`, 1), "callback"},
		{"ftp callback", strings.Replace(good, cb, `ftp://alpha.example/cb`, 1), "callback"},
		{"no IVMS101", good[:strings.Index(good, `,"IVMS101"`)] + `}`, "IVMS101"},
		{"IVMS101 null", good[:strings.Index(good, `,"IVMS101"`)] + `,"IVMS101":null}`, "IVMS101"},
		{"IVMS101 without originator", good[:strings.Index(good, `,"IVMS101"`)] + `,"IVMS101":{}}`, "IVMS101.originator"},
		{"IVMS101 bad code", strings.Replace(good, `"nameIdentifierType":"LEGL"`, `"nameIdentifierType":"NOPE"`, 1), "IVMS101.originator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeInquiry([]byte(tc.body))
			var we *WireError
			require.ErrorAs(t, err, &we)
			require.True(t, strings.HasPrefix(we.Field, tc.field), "field %q", we.Field)
			require.NotContains(t, err.Error(), "Post", "errors never repeat values")
			require.NotContains(t, err.Error(), "NOPE")
		})
	}
}

func TestEncodeInquiryStrict(t *testing.T) {
	t.Parallel()
	orig, err := ivms.DecodeOriginator([]byte(originatorJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	id := &ivms.IdentityPayload{Originator: orig, OriginatingVASP: ivms.NewVASP("Alpha Exchange GmbH", "", "DE", nil)}
	for _, tc := range []struct {
		name  string
		asset Asset
		want  string
	}{
		{"BTC by symbol", Asset{SLIP44: 0, HasSLIP44: true}, `{"slip0044":"BTC"}`},
		{"ETH by symbol", Asset{SLIP44: 60, HasSLIP44: true}, `{"slip0044":"ETH"}`},
		{"coin trisa has no symbol for", Asset{SLIP44: 2147483000, HasSLIP44: true}, `{"slip0044":2147483000}`},
		{"dti wins", Asset{DTI: "4H95J0R2X", SLIP44: 60, HasSLIP44: true}, `{"dti":"4H95J0R2X"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := EncodeInquiry(&Inquiry{Asset: tc.asset, Amount: decimal.RequireFromString("0.000000000000000001"),
				Callback: "https://alpha.example/cb?a=1&b=2", Identity: id})
			require.NoError(t, err)
			var top map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(b, &top))
			require.Len(t, top, 4, "exactly asset, amount, callback, IVMS101: %s", b)
			require.JSONEq(t, tc.want, string(top["asset"]))
			require.Equal(t, `0.000000000000000001`, string(top["amount"]), "the exact decimal, as a JSON number")
			require.Equal(t, `"https://alpha.example/cb?a=1&b=2"`, string(top["callback"]))
			back, err := DecodeInquiry(b)
			require.NoError(t, err)
			require.Equal(t, "0.000000000000000001", back.Amount.String())
		})
	}
	_, err = EncodeInquiry(&Inquiry{Asset: Asset{}, Amount: decimal.NewFromInt(1), Identity: id})
	require.Error(t, err, "an asset must be named")
	_, err = EncodeInquiry(&Inquiry{Asset: Asset{DTI: "X"}, Amount: decimal.Zero, Identity: id})
	require.Error(t, err, "the amount must be positive")
}

// TestOurInquiryReadsAsTRISAs checks what we send decodes with trisa's own TRP types, strictly
// (unknown fields refused, as its handler does) and validates.
func TestOurInquiryReadsAsTRISAs(t *testing.T) {
	t.Parallel()
	orig, err := ivms.DecodeOriginator([]byte(originatorJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	b, err := EncodeInquiry(&Inquiry{Asset: Asset{SLIP44: 60, HasSLIP44: true}, Amount: decimal.RequireFromString("1.5"),
		Callback: "https://alpha.example/cb", Identity: &ivms.IdentityPayload{Originator: orig,
			Beneficiary:     &ivms.Beneficiary{AccountNumbers: []string{"0xde709f2102306220921060314715629080e2fb77"}},
			OriginatingVASP: ivms.NewVASP("Alpha Exchange GmbH", "", "DE", nil)}})
	require.NoError(t, err)
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var in trisatrp.Inquiry
	require.NoError(t, dec.Decode(&in))
	require.NoError(t, in.Validate())
	require.Equal(t, 1.5, in.Amount)
	require.Equal(t, "ETH", in.Asset.SLIP044.Symbol())
	require.Equal(t, "Post", in.IVMS101.Originator.OriginatorPersons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())
}

func TestDecodeResolution(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		want       *Resolution
		bad        bool
	}{
		{"acknowledged", `{"version":"3.2.1"}`, &Resolution{Version: "3.2.1"}, false},
		{"approved", `{"approved":{"address":"bc1q","callback":"https://b.example/c"}}`, &Resolution{Approved: &Approval{Address: "bc1q", Callback: "https://b.example/c"}}, false},
		{"rejected", `{"rejected":"declined: no"}`, &Resolution{Rejected: "declined: no"}, false},
		{"unknown keys ignored", `{"rejected":"x","note":1}`, &Resolution{Rejected: "x"}, false},
		{"null parts ignored", `{"version":null,"approved":null,"rejected":"x"}`, &Resolution{Rejected: "x"}, false},
		{"empty", `{}`, nil, true},
		{"ambiguous", `{"version":"3.1.0","rejected":"x"}`, nil, true},
		{"approval without address", `{"approved":{"callback":"https://b.example/c"}}`, nil, true},
		{"approval without callback", `{"approved":{"address":"bc1q"}}`, nil, true},
		{"approval not an object", `{"approved":true}`, nil, true},
		{"rejected not a string", `{"rejected":{}}`, nil, true},
		{"not JSON", `approved`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeResolution([]byte(tc.body))
			if tc.bad {
				var we *WireError
				require.ErrorAs(t, err, &we)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestDecodeConfirmation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		want       *Confirmation
		bad        bool
	}{
		{"txid", `{"txid":"0xabc"}`, &Confirmation{TxID: "0xabc"}, false},
		{"canceled", `{"canceled":"customer changed their mind"}`, &Confirmation{Canceled: "customer changed their mind"}, false},
		{"cancelled spelt the British way", `{"cancelled":"x"}`, &Confirmation{Canceled: "x"}, false},
		{"canceled without a comment", `{"canceled":""}`, &Confirmation{Canceled: "canceled"}, false},
		{"neither", `{}`, nil, true},
		{"both", `{"txid":"0xabc","canceled":"x"}`, nil, true},
		{"txid too long", `{"txid":"` + strings.Repeat("a", 300) + `"}`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeConfirmation([]byte(tc.body))
			if tc.bad {
				var we *WireError
				require.ErrorAs(t, err, &we)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestTRISAFixtures decodes trisa's TRP fixtures (read from the module cache).
func TestTRISAFixtures(t *testing.T) {
	t.Parallel()
	t.Run("inquiry with a DTI", func(t *testing.T) {
		in, err := DecodeInquiry(trisaFile(t, "pkg/openvasp/client/testdata/inquiry.json"))
		require.NoError(t, err)
		require.Equal(t, Asset{DTI: "4H95J0R2X"}, in.Asset)
		require.Equal(t, "0.000021", in.Amount.String())
		require.Equal(t, "https://originator.com/implementation/defined/path/for/inquiryResolution", in.Callback)
		require.Equal(t, "Post", in.Identity.Originator.Persons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())
		require.NotNil(t, in.Identity.OriginatingVASP.GetLegalPerson())
	})
	t.Run("inquiry in BTC", func(t *testing.T) {
		in, err := DecodeInquiry(trisaFile(t, "pkg/openvasp/testdata/inquiry.json"))
		require.NoError(t, err)
		require.Equal(t, Asset{SLIP44: 0, HasSLIP44: true}, in.Asset, "BTC is coin type 0, which trisa's own types lose")
		require.Equal(t, "1", in.Amount.String())
		require.Equal(t, []string{"mhtL3YVFdpTVffmLgUp4h4bcP3Su2zr5qx"}, in.Identity.Beneficiary.AccountNumbers)
	})
	for file, want := range map[string]*Resolution{
		"acknowledged.json": {Version: "3.2.1"},
		"approved.json": {Approved: &Approval{Address: "some payment address",
			Callback: "https://beneficiary.com/implementation/defined/path/for/transferConfirmation"}},
		"rejected.json": {Rejected: "human readable comment"},
	} {
		t.Run(file, func(t *testing.T) {
			got, err := DecodeResolution(trisaFile(t, "pkg/openvasp/client/testdata/"+file))
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
	for file, want := range map[string]*Confirmation{
		"confirmation.json": {TxID: "[some asset-specific tx identifier]"},
		"canceled.json":     {Canceled: "human readable comment"},
	} {
		t.Run(file, func(t *testing.T) {
			got, err := DecodeConfirmation(trisaFile(t, "pkg/openvasp/client/testdata/"+file))
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
}
