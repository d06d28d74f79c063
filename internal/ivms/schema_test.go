package ivms

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/ivms101"
)

func compileSchema(t *testing.T, doc []byte, loc string) *jsonschema.Schema {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := "mem://" + strings.SplitN(loc, "#", 2)[0]
	require.NoError(t, c.AddResource(url, v))
	s, err := c.Compile("mem://" + loc)
	require.NoError(t, err)
	return s
}

func validateJSON(s *jsonschema.Schema, data string) error {
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(data))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

func TestSchemaDocuments(t *testing.T) {
	t.Parallel()
	originator := compileSchema(t, OriginatorSchema(), "originator.json")
	beneficiary := compileSchema(t, BeneficiarySchema(), "beneficiary.json")
	person := compileSchema(t, PersonSchema(), "person.json")
	identity := compileSchema(t, IdentityPayloadSchema(), "identity.json")

	// What we write validates.
	o, err := DecodeOriginator([]byte(realisticOriginator), DecodeOptions{})
	require.NoError(t, err)
	require.NoError(t, validateJSON(originator, mustEncode(t)(EncodeOriginator(o, EncodeOptions{}))))
	require.NoError(t, validateJSON(beneficiary, mustEncode(t)(EncodeBeneficiary(&Beneficiary{Persons: o.Persons}, EncodeOptions{}))))
	require.NoError(t, validateJSON(person, mustEncode(t)(EncodePerson(NewVASP("Acme", "506700T7Z685VUOZL877", "US", nil), EncodeOptions{CustomerNumber: true}))))
	full := &IdentityPayload{
		Originator: o, Beneficiary: &Beneficiary{Persons: o.Persons},
		OriginatingVASP: NewVASP("Alice", "", "US", NewAddress(ivms101.AddressTypeBusiness, []string{"1 Main St"}, "", "Boston", "US")),
		BeneficiaryVASP: NewVASP("Bob", "", "GB", nil),
		TransferPath:    []Intermediary{{VASP: NewVASP("Carol", "", "DE", nil)}},
		PayloadMetadata: PayloadMetadata{TransliterationMethods: []ivms101.TransliterationMethodCode{ivms101.TransliterationMethodOTHR}},
	}
	require.NoError(t, validateJSON(identity, mustEncode(t)(EncodeIdentity(full, EncodeOptions{}))))

	dir := trisaTestdata(t)
	id, err := DecodeIdentity(readFixture(t, dir, "identity_payload.json"), DecodeOptions{})
	require.NoError(t, err)
	require.NoError(t, validateJSON(identity, mustEncode(t)(EncodeIdentity(id, EncodeOptions{}))))

	// What breaks the strict form does not.
	np := func(body string) string { return `{"originatorPersons":[{"naturalPerson":` + body + `}]}` }
	const name = `"name":{"nameIdentifier":[{"primaryIdentifier":"H","nameIdentifierType":"LEGL"}]}`
	for _, bad := range []string{
		`{"originatorPersons":[]}`,
		`{"originatorPersons":{"naturalPerson":{` + name + `}}}`,
		`{"originatorPersons":[{}]}`,
		`{"originatorPersons":[{"naturalPerson":{` + name + `},"legalPerson":{}}]}`,
		np(`{` + name + `,"nickname":"x"}`),
		np(`{"name":{"nameIdentifier":[{"primaryIdentifier":"H","nameIdentifierType":"legl"}]}}`),
		np(`{"name":{"nameIdentifier":[{"primaryIdentifier":"H"}]}}`),
		np(`{` + name + `,"countryOfResidence":"gb"}`),
		np(`{` + name + `,"dateAndPlaceOfBirth":{"dateOfBirth":"1990-02-30","placeOfBirth":"x"}}`),
		np(`{` + name + `,"geographicAddress":[{"addressType":"MISC","addressLine":["x"],"townName":"x","country":"GB"}]}`),
		np(`{` + name + `,"geographicAddress":[{"addressType":"HOME","streetName":"x","townName":"x","country":"GB"}]}`),
		np(`{` + name + `,"geographicAddress":[{"addressType":"HOME","postcode":"1","addressLine":["x"],"townName":"x","country":"GB"}]}`),
		np(`{"name":{"nameIdentifier":[{"primaryIdentifier":"` + strings.Repeat("x", 101) + `","nameIdentifierType":"LEGL"}]}}`),
		`{"originatorPersons":[{"legalPerson":{"name":{"nameIdentifier":[{"legalPersonName":"A","legalPersonNameIdentifierType":"LEGL"}]},"customerNumber":"1","customerIdentification":"1"}}]}`,
	} {
		require.Error(t, validateJSON(originator, bad), bad)
	}
}

func TestSchemaDefinitions(t *testing.T) {
	t.Parallel()
	const prefix = "#/components/schemas/IVMS101"
	defs := SchemaDefinitions(prefix)
	require.Contains(t, defs, "Originator")
	require.Contains(t, defs, "IdentityPayload")

	schemas := map[string]json.RawMessage{}
	for name, raw := range defs {
		require.True(t, json.Valid(raw), name)
		require.NotContains(t, string(raw), "$defs", name)
		for _, ref := range strings.Split(string(raw), `"$ref":"`)[1:] {
			target := ref[:strings.IndexByte(ref, '"')]
			require.True(t, strings.HasPrefix(target, prefix), target)
			require.Contains(t, defs, strings.TrimPrefix(target, prefix))
		}
		schemas["IVMS101"+name] = raw
	}
	doc, err := json.Marshal(map[string]any{"components": map[string]any{"schemas": schemas}})
	require.NoError(t, err)
	originator := compileSchema(t, doc, "openapi.json#/components/schemas/IVMS101Originator")
	o, err := DecodeOriginator([]byte(realisticOriginator), DecodeOptions{})
	require.NoError(t, err)
	require.NoError(t, validateJSON(originator, mustEncode(t)(EncodeOriginator(o, EncodeOptions{}))))
	require.Error(t, validateJSON(originator, `{"originatorPersons":[{"naturalPerson":{}}]}`))

	// Each call returns fresh bytes.
	defs["Originator"][0] = 'x'
	require.True(t, json.Valid(SchemaDefinitions(prefix)["Originator"]))
	d := OriginatorSchema()
	d[0] = 'x'
	require.True(t, json.Valid(OriginatorSchema()))
}
