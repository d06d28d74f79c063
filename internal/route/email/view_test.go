package email

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/transfer"
)

const naturalJSON = `{"originatorPersons": [{"naturalPerson": {
  "name": {"nameIdentifier": [{"primaryIdentifier": "Schmidt", "secondaryIdentifier": "Annelise", "nameIdentifierType": "LEGL"}],
           "localNameIdentifier": [{"primaryIdentifier": "Шмидт", "nameIdentifierType": "LEGL"}]},
  "geographicAddress": [{"addressType": "HOME", "streetName": "Friedrichstraße", "buildingNumber": "12", "floor": "3",
    "postBox": "77", "postCode": "10117", "townName": "Berlin", "country": "DE"}],
  "nationalIdentification": {"nationalIdentifier": "L01X00T47", "nationalIdentifierType": "CCPT", "countryOfIssue": "DE"},
  "dateAndPlaceOfBirth": {"dateOfBirth": "1985-04-12", "placeOfBirth": "Hamburg"},
  "customerIdentification": "C-1", "countryOfResidence": "DE"}}],
  "accountNumber": ["0xabc", " "]}`

const legalJSON = `{"beneficiaryPersons": [{"legalPerson": {
  "name": {"nameIdentifier": [{"legalPersonName": "Gamma Holdings SA", "legalPersonNameIdentifierType": "LEGL"},
                              {"legalPersonName": "Gamma", "legalPersonNameIdentifierType": "TRAD"}]},
  "nationalIdentification": {"nationalIdentifier": "5493001KJTIIGC8Y1R12", "nationalIdentifierType": "LEIX"},
  "customerNumber": "881", "countryOfRegistration": "LU",
  "geographicAddress": [{"addressType": "BIZZ", "addressLine": ["1 Rue de la Gare"], "townName": "Luxembourg", "country": "LU"}]}}],
  "accountNumber": ["0xdef"]}`

func TestPartiesLaidOut(t *testing.T) {
	t.Parallel()
	o, err := ivms.DecodeOriginator([]byte(naturalJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	b, err := ivms.DecodeBeneficiary([]byte(legalJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	parties := partiesOf(&transfer.Transfer{Originator: o, Beneficiary: b})
	require.Len(t, parties, 2)

	orig := parties[0]
	require.Equal(t, "Originator (sender)", orig.Title)
	require.Equal(t, []string{"0xabc"}, orig.Accounts, "blank account numbers are dropped")
	p := orig.Persons[0]
	require.Equal(t, "Natural person", p.Kind)
	require.Equal(t, []row{
		{"Legal name", "Annelise Schmidt"},
		{"Legal name (local script)", "Шмидт"},
		{"Date of birth", "1985-04-12"},
		{"Place of birth", "Hamburg"},
		{"Country of residence", "DE"},
		{"National identification", "L01X00T47 (passport, issued in DE)"},
		{"Customer identification", "C-1"},
	}, p.Rows)
	require.Equal(t, []addressView{{Type: "Residential address", Lines: []string{"Friedrichstraße 12", "floor 3", "PO Box 77", "10117 Berlin", "DE"}}}, p.Addresses)

	ben := parties[1].Persons[0]
	require.Equal(t, "Legal person", ben.Kind)
	require.Equal(t, []row{
		{"Legal name", "Gamma Holdings SA"},
		{"Trading name", "Gamma"},
		{"Country of registration", "LU"},
		{"National identification", "5493001KJTIIGC8Y1R12 (LEI)"},
		{"Customer number", "881"},
	}, ben.Rows)
	require.Equal(t, []addressView{{Type: "Business address", Lines: []string{"1 Rue de la Gare", "Luxembourg", "LU"}}}, ben.Addresses)

	require.Empty(t, partiesOf(&transfer.Transfer{}), "no identity, no parties")
	require.Empty(t, personsOf(nil))
}

func TestTxView(t *testing.T) {
	t.Parallel()
	v := txOf(&transfer.Transfer{MessageID: "m-1", Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"},
		Amount: decimal.RequireFromString("1.50"), DestinationAddress: "0xdef", OriginAddress: "0xabc",
		FiatValue: &transfer.FiatValue{Currency: "EUR", Amount: decimal.RequireFromString("3000")}})
	require.Equal(t, txView{Asset: "ETH on ethereum", Amount: "1.5 ETH", FiatValue: "3000.00 EUR", Origin: "0xabc",
		Destination: "0xdef", Reference: "m-1"}, v)
	require.Equal(t, "CCPT", code("NATIONAL_IDENTIFIER_TYPE_CODE_CCPT"))
	require.Equal(t, "X", code("X"))
	require.Equal(t, "c…@gamma.example", mask("compliance@gamma.example"))
	require.Equal(t, "your address", mask("nonsense"))
	require.Equal(t, "72 hours", human(72*time.Hour))
	require.Equal(t, "1 hour", human(time.Hour))
	require.Equal(t, "10 minutes", human(10*time.Minute))
	require.Equal(t, "1m30s", human(90*time.Second))
}
