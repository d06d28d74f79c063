package ivms

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/ivms101"
)

// Each tolerance rule: a variant a user or peer sends, and the strict 2020 JSON it must become.
func TestDecodeOriginatorTolerance(t *testing.T) {
	t.Parallel()
	const janeHoward = `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","nameIdentifierType":"LEGL"}]}}}]}`
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			name: "canonical 2020 form",
			in:   janeHoward,
			want: janeHoward,
		},
		{
			name: "originatorPersons, nameIdentifier and name as bare objects",
			in:   `{"originatorPersons":{"naturalPerson":{"name":{"nameIdentifier":{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","nameIdentifierType":"LEGL"}}}}}`,
			want: janeHoward,
		},
		{
			name: "name as an array of names is merged",
			in: `{"originatorPersons":[{"naturalPerson":{"name":[
				{"nameIdentifier":[{"primaryIdentifier":"Howard","nameIdentifierType":"LEGL"}]},
				{"nameIdentifier":{"primaryIdentifier":"Price","nameIdentifierType":"MAID"},"localNameIdentifier":{"primaryIdentifier":"Говард","nameIdentifierType":"LEGL"}}]}}]}`,
			want: `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","nameIdentifierType":"LEGL"},{"primaryIdentifier":"Price","nameIdentifierType":"MAID"}],"localNameIdentifier":[{"primaryIdentifier":"Говард","nameIdentifierType":"LEGL"}]}}}]}`,
		},
		{
			name: "accountNumber and addressLine as bare strings, geographicAddress as bare object",
			in:   `{"originatorPersons":[{"naturalPerson":{"geographicAddress":{"addressType":"GEOG","addressLine":"1 Main St","townName":"Oslo","country":"NO"}}}],"accountNumber":"acct-1"}`,
			want: `{"originatorPersons":[{"naturalPerson":{"geographicAddress":[{"addressType":"GEOG","townName":"Oslo","addressLine":["1 Main St"],"country":"NO"}]}}],"accountNumber":["acct-1"]}`,
		},
		{
			name: "postcode as the spec spells it",
			in:   `{"originatorPersons":[{"naturalPerson":{"geographicAddress":[{"addressType":"HOME","postcode":"0150","townName":"Oslo","country":"NO"}]}}]}`,
			want: `{"originatorPersons":[{"naturalPerson":{"geographicAddress":[{"addressType":"HOME","postCode":"0150","townName":"Oslo","country":"NO"}]}}]}`,
		},
		{
			name: "numbers where strings belong",
			in:   `{"originatorPersons":[{"naturalPerson":{"geographicAddress":[{"addressType":"HOME","streetName":"Main","buildingNumber":28,"postCode":38017,"townName":"Oslo","country":"NO"}]}}]}`,
			want: `{"originatorPersons":[{"naturalPerson":{"geographicAddress":[{"addressType":"HOME","streetName":"Main","buildingNumber":"28","postCode":"38017","townName":"Oslo","country":"NO"}]}}]}`,
		},
		{
			name: "PascalCase keys",
			in:   `{"OriginatorPersons":[{"NaturalPerson":{"Name":{"NameIdentifier":[{"PrimaryIdentifier":"Howard","SecondaryIdentifier":"Jane","NameIdentifierType":"LEGL"}]}}}]}`,
			want: janeHoward,
		},
		{
			name: "protojson snake_case keys and long code names",
			in:   `{"originator_persons":[{"natural_person":{"name":{"name_identifiers":[{"primary_identifier":"Howard","secondary_identifier":"Jane","name_identifier_type":"NATURAL_PERSON_NAME_TYPE_CODE_LEGL"}],"local_name_identifiers":[],"phonetic_name_identifiers":[]}}}],"account_numbers":[]}`,
			want: janeHoward,
		},
		{
			name: "codes in lower and mixed case",
			in:   `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","nameIdentifierType":"legl"}]}}}]}`,
			want: janeHoward,
		},
		{
			name: "long code name in lower case",
			in:   `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","nameIdentifierType":"natural_person_name_type_code_Legl"}]}}}]}`,
			want: janeHoward,
		},
		{
			name: "IVMS101.2023 keys",
			in:   `{"originatorPerson":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","naturalPersonNameIdentifierType":"LEGL"}]}},"accountNumber":["acct-2","acct-1"]}],"accountNumber":["acct-1"]}`,
			want: `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","nameIdentifierType":"LEGL"}]}}}],"accountNumber":["acct-1","acct-2"]}`,
		},
		{
			name: "Go field names of the original struct",
			in:   `{"Persons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","nameIdentifierType":"LEGL"}]}}}],"AccountNumbers":["a"]}`,
			want: `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","nameIdentifierType":"LEGL"}]}}}],"accountNumber":["a"]}`,
		},
		{
			name: "TRISA rekeying synonyms",
			in:   `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifiers":[{"lastName":"Howard","firstName":"Jane","nameIdentifierType":"LEGL"}]},"addresses":[{"addressType":"HOME","street":"Main","number":"1","zipCode":"1","city":"Oslo","state":"O","country":"NO"}],"dateAndPlaceOfBirth":{"dob":"1990-01-01","pob":"Oslo"},"country":"NO"}}]}`,
			want: `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","nameIdentifierType":"LEGL"}]},"geographicAddress":[{"addressType":"HOME","streetName":"Main","buildingNumber":"1","postCode":"1","townName":"Oslo","countrySubDivision":"O","country":"NO"}],"dateAndPlaceOfBirth":{"dateOfBirth":"1990-01-01","placeOfBirth":"Oslo"},"countryOfResidence":"NO"}}]}`,
		},
		{
			name: "nulls are absent",
			in:   `{"originatorPersons":[null,{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","nameIdentifierType":"LEGL"}],"localNameIdentifier":null},"customerIdentification":null,"nationalIdentification":null}}],"accountNumber":null}`,
			want: janeHoward,
		},
		{
			name: "nationalIdentification and dateAndPlaceOfBirth in one-element arrays",
			in:   `{"originatorPersons":[{"naturalPerson":{"nationalIdentification":[{"nationalIdentifier":"1","nationalIdentifierType":"CCPT"}],"dateAndPlaceOfBirth":[{"dateOfBirth":"1990-01-01","placeOfBirth":"Oslo"}]}}]}`,
			want: `{"originatorPersons":[{"naturalPerson":{"nationalIdentification":{"nationalIdentifier":"1","nationalIdentifierType":"CCPT"},"dateAndPlaceOfBirth":{"dateOfBirth":"1990-01-01","placeOfBirth":"Oslo"}}}]}`,
		},
		{
			name: "legal person customerNumber is written as customerIdentification",
			in:   `{"originatorPersons":[{"legalPerson":{"name":{"nameIdentifier":{"legalPersonName":"Acme","legalPersonNameIdentifierType":"LEGL"}},"customerNumber":"c-1"}}]}`,
			want: `{"originatorPersons":[{"legalPerson":{"name":{"nameIdentifier":[{"legalPersonName":"Acme","legalPersonNameIdentifierType":"LEGL"}]},"customerIdentification":"c-1"}}]}`,
		},
		{
			name: "legal person customerIdentification and customerNumber with the same value",
			in:   `{"originatorPersons":[{"legalPerson":{"name":{"nameIdentifier":{"legalPersonName":"Acme","legalPersonNameIdentifierType":"LEGL"}},"customerNumber":"c-1","customerIdentification":"c-1"}}]}`,
			want: `{"originatorPersons":[{"legalPerson":{"name":{"nameIdentifier":[{"legalPersonName":"Acme","legalPersonNameIdentifierType":"LEGL"}]},"customerIdentification":"c-1"}}]}`,
		},
		{
			name: "absent codes read as MISC and are written out",
			in:   `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard"}]},"nationalIdentification":{"nationalIdentifier":"1"}}}]}`,
			want: `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","nameIdentifierType":"MISC"}]},"nationalIdentification":{"nationalIdentifier":"1","nationalIdentifierType":"MISC"}}}]}`,
		},
		{
			name: "escapes, surrogate pairs and invalid UTF-8",
			in:   "{\"originatorPersons\":[{\"naturalPerson\":{\"name\":{\"localNameIdentifier\":[{\"primaryIdentifier\":\"M\\u00fcller \\ud83d\\ude00 \\\"q\\\" \\ud800 \xff\",\"nameIdentifierType\":\"LEGL\"}]}}}]}",
			want: "{\"originatorPersons\":[{\"naturalPerson\":{\"name\":{\"localNameIdentifier\":[{\"primaryIdentifier\":\"Müller 😀 \\\"q\\\" \ufffd \ufffd\",\"nameIdentifierType\":\"LEGL\"}]}}}]}",
		},
		{
			name: "empty strings in lists are dropped",
			in:   `{"originatorPersons":[],"accountNumber":["","a",""]}`,
			want: `{"accountNumber":["a"]}`,
		},
		{
			name: "whitespace everywhere",
			in:   " \n{ \"originatorPersons\" :\t[ { \"naturalPerson\" : { } } ] }\r\n",
			want: `{"originatorPersons":[{"naturalPerson":{}}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, strict := range []bool{true, false} {
				o, err := DecodeOriginator([]byte(tt.in), DecodeOptions{DisallowUnknownFields: strict})
				require.NoError(t, err)
				require.Equal(t, tt.want, mustEncode(t)(EncodeOriginator(o, EncodeOptions{})))
			}
		})
	}
}

func TestDecodeIdentityTolerance(t *testing.T) {
	t.Parallel()
	const vasp = `{"legalPerson":{"name":{"nameIdentifier":[{"legalPersonName":"Alice VASP","legalPersonNameIdentifierType":"LEGL"}]},"countryOfRegistration":"US"}}`
	tests := []struct {
		name    string
		in      string
		want    string
		version Version
	}{
		{
			name: "PascalCase entity keys as GTR and CODE send them",
			in:   `{"Originator":{"OriginatorPersons":[` + vasp + `]},"Beneficiary":{"BeneficiaryPersons":[` + vasp + `]},"OriginatingVASP":{"OriginatingVASP":` + vasp + `},"BeneficiaryVASP":{"BeneficiaryVASP":` + vasp + `}}`,
			want: `{"originator":{"originatorPersons":[` + vasp + `]},"beneficiary":{"beneficiaryPersons":[` + vasp + `]},"originatingVASP":{"originatingVASP":` + vasp + `},"beneficiaryVASP":{"beneficiaryVASP":` + vasp + `}}`,
		},
		{
			name: "VASP persons without their wrapper",
			in:   `{"originatingVASP":` + vasp + `,"beneficiaryVASP":` + vasp + `}`,
			want: `{"originatingVASP":{"originatingVASP":` + vasp + `},"beneficiaryVASP":{"beneficiaryVASP":` + vasp + `}}`,
		},
		{
			name: "transferPath as a bare list, sequence as a string",
			in:   `{"transferPath":[{"intermediaryVASP":` + vasp + `,"sequence":"1"},{"intermediaryVASP":` + vasp + `,"sequence":0}]}`,
			want: `{"transferPath":{"transferPath":[{"intermediaryVASP":` + vasp + `,"sequence":1},{"intermediaryVASP":` + vasp + `,"sequence":0}]}}`,
		},
		{
			name: "transferPath object with a bare intermediary",
			in:   `{"transfer_path":{"transfer_path":{"intermediary_vasp":` + vasp + `,"sequence":0}}}`,
			want: `{"transferPath":{"transferPath":[{"intermediaryVASP":` + vasp + `,"sequence":0}]}}`,
		},
		{
			name: "IVMS101.2023 payload with payloadVersion and transliteration codes in any form",
			in:   `{"originator":{"originatorPerson":[` + vasp + `]},"payloadMetadata":{"transliterationMethod":["ARAB","transliteration_method_code_cyrl","othr"],"payloadVersion":"101.2023"}}`,
			want: `{"originator":{"originatorPersons":[` + vasp + `]},"payloadMetadata":{"transliterationMethod":["arab","cyrl","othr"]}}`,
		},
		{
			name: "a bare transliteration code",
			in:   `{"payloadMetadata":{"transliterationMethod":"hani"}}`,
			want: `{"payloadMetadata":{"transliterationMethod":["hani"]}}`,
		},
		{
			name: "empty wrappers from protojson",
			in:   `{"transfer_path":{"transfer_path":[]},"payload_metadata":{"transliteration_method":[]}}`,
			want: `{}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, err := DecodeIdentity([]byte(tt.in), DecodeOptions{DisallowUnknownFields: true})
			require.NoError(t, err)
			require.Equal(t, tt.want, mustEncode(t)(EncodeIdentity(id, EncodeOptions{Version: tt.version})))
		})
	}
}

func TestDecodeIdentityPayloadVersion(t *testing.T) {
	t.Parallel()
	id, err := DecodeIdentity([]byte(`{"payloadMetadata":{"payloadVersion":"101.2023"}}`), DecodeOptions{})
	require.NoError(t, err)
	require.Equal(t, Version2023, id.PayloadMetadata.PayloadVersion)
}

func TestDecodeUnknownFields(t *testing.T) {
	t.Parallel()
	in := `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","nameIdentifierType":"LEGL","middleName":{"deep":[1,2,{"x":null}]}}]},"favouriteColour":"blue"},"extra":true}],"note":"x"}`

	o, err := DecodeOriginator([]byte(in), DecodeOptions{})
	require.NoError(t, err, "peers: unknown fields are ignored")
	require.Equal(t, "Howard", o.Persons[0].GetNaturalPerson().Name.NameIdentifiers[0].PrimaryIdentifier)

	_, err = DecodeOriginator([]byte(in), DecodeOptions{DisallowUnknownFields: true})
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	require.Equal(t, CodeUnknownField, de.Code)
	require.Equal(t, "originatorPersons[0].naturalPerson.name.nameIdentifier[0].middleName", de.Path)
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	const np = `{"originatorPersons":[{"naturalPerson":%s}]}`
	person := func(body string) string { return strings.Replace(np, "%s", body, 1) }
	tests := []struct {
		name     string
		in       string
		identity bool
		lenient  bool
		path     string
		code     string
	}{
		{name: "empty input", in: ``, code: CodeSyntax},
		{name: "truncated", in: `{"originatorPersons":[{"naturalPerson":{"name":`, path: "originatorPersons[0].naturalPerson.name", code: CodeSyntax},
		{name: "trailing data", in: `{} {}`, code: CodeSyntax},
		{name: "trailing comma in object", in: `{"accountNumber":["a"],}`, code: CodeSyntax},
		{name: "trailing comma in array", in: `{"accountNumber":["a",]}`, path: "accountNumber", code: CodeSyntax},
		{name: "missing colon", in: `{"accountNumber" ["a"]}`, code: CodeSyntax},
		{name: "bad literal", in: `{"accountNumber":nul}`, path: "accountNumber[0]", code: CodeSyntax},
		{name: "bad number", in: `{"accountNumber":01}`, code: CodeSyntax},
		{name: "bad escape", in: `{"accountNumber":"\q` + secret + `"}`, path: "accountNumber[0]", code: CodeSyntax},
		{name: "control character in a string", in: "{\"accountNumber\":\"a\tb" + secret + "\"}", path: "accountNumber[0]", code: CodeSyntax},
		{name: "unterminated string", in: `{"accountNumber":"` + secret, path: "accountNumber[0]", code: CodeSyntax},
		{name: "top level is an array", in: `[]`, code: CodeInvalidType},
		{name: "top level is a string", in: `"` + secret + `"`, code: CodeInvalidType},
		{name: "person is a string", in: `{"originatorPersons":["` + secret + `"]}`, path: "originatorPersons[0]", code: CodeInvalidType},
		{name: "primaryIdentifier is an object", in: person(`{"name":{"nameIdentifier":[{"primaryIdentifier":{"v":"` + secret + `"}}]}}`),
			path: "originatorPersons[0].naturalPerson.name.nameIdentifier[0].primaryIdentifier", code: CodeInvalidType},
		{name: "primaryIdentifier is a boolean", in: person(`{"name":{"nameIdentifier":[{"primaryIdentifier":true}]}}`),
			path: "originatorPersons[0].naturalPerson.name.nameIdentifier[0].primaryIdentifier", code: CodeInvalidType},
		{name: "unknown name type", in: person(`{"name":{"nameIdentifier":[{"primaryIdentifier":"x","nameIdentifierType":"` + secret + `"}]}}`),
			path: "originatorPersons[0].naturalPerson.name.nameIdentifier[0].nameIdentifierType", code: CodeInvalidCode},
		{name: "name type is a number", in: person(`{"name":{"nameIdentifier":[{"primaryIdentifier":"x","nameIdentifierType":4}]}}`),
			path: "originatorPersons[0].naturalPerson.name.nameIdentifier[0].nameIdentifierType", code: CodeInvalidType},
		{name: "unknown address type", in: person(`{"geographicAddress":{"addressType":"` + secret + `"}}`),
			path: "originatorPersons[0].naturalPerson.geographicAddress[0].addressType", code: CodeInvalidCode},
		{name: "unknown national identifier type", in: person(`{"nationalIdentification":{"nationalIdentifierType":"XXXX"}}`),
			path: "originatorPersons[0].naturalPerson.nationalIdentification.nationalIdentifierType", code: CodeInvalidCode},
		{name: "unknown legal name type", in: `{"originatorPersons":{"legalPerson":{"name":{"nameIdentifier":{"legalPersonNameIdentifierType":"LGL"}}}}}`,
			path: "originatorPersons[0].legalPerson.name.nameIdentifier[0].legalPersonNameIdentifierType", code: CodeInvalidCode},
		{name: "natural and legal person at once", in: `{"originatorPersons":[{"naturalPerson":{},"legalPerson":{}}]}`,
			path: "originatorPersons[0].legalPerson", code: CodeOneOf},
		{name: "two national identifications", in: person(`{"nationalIdentification":[{"nationalIdentifier":"1"},{"nationalIdentifier":"2"}]}`),
			path: "originatorPersons[0].naturalPerson.nationalIdentification[1]", code: CodeMaxItems},
		{name: "conflicting customer numbers", in: `{"originatorPersons":{"legalPerson":{"customerNumber":"a","customerIdentification":"` + secret + `"}}}`,
			path: "originatorPersons[0].legalPerson.customerIdentification", code: CodeDuplicateField},
		{name: "postcode and postCode differ", in: person(`{"geographicAddress":{"postcode":"1","postCode":"2"}}`),
			path: "originatorPersons[0].naturalPerson.geographicAddress[0].postCode", code: CodeDuplicateField},
		{name: "originatorPersons twice", in: `{"originatorPersons":[],"originatorPerson":[]}`,
			path: "originatorPersons", code: CodeDuplicateField},
		{name: "unknown field, strict", in: person(`{"name":{"nameIdentifier":[{"primaryIdentifier":"x","` + "nick" + `":"` + secret + `"}]}}`),
			path: "originatorPersons[0].naturalPerson.name.nameIdentifier[0].nick", code: CodeUnknownField},
		{name: "unknown key that is not an identifier is quoted", in: `{"a.b[0]":1}`, path: `["a.b[0]"]`, code: CodeUnknownField},
		{name: "nesting too deep in an ignored field", lenient: true, in: `{"x":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`, code: CodeTooDeep},
		{name: "negative sequence", identity: true, in: `{"transferPath":{"transferPath":[{"sequence":-1}]}}`,
			path: "transferPath.transferPath[0].sequence", code: CodeInvalidValue},
		{name: "fractional sequence", identity: true, in: `{"transferPath":{"transferPath":[{"sequence":1.5}]}}`,
			path: "transferPath.transferPath[0].sequence", code: CodeInvalidValue},
		{name: "unknown transliteration code", identity: true, in: `{"payloadMetadata":{"transliterationMethod":["latn"]}}`,
			path: "payloadMetadata.transliterationMethod[0]", code: CodeInvalidCode},
		{name: "unknown field in a VASP wrapper", identity: true, in: `{"originatingVASP":{"originatingVASP":{},"lei":"x"}}`,
			path: "originatingVASP.lei", code: CodeUnknownField},
		{name: "wrapped and inline VASP person at once", identity: true, in: `{"beneficiaryVASP":{"beneficiaryVASP":{"legalPerson":{}},"legalPerson":{}}}`,
			path: "beneficiaryVASP.legalPerson", code: CodeOneOf},
		{name: "originator twice", identity: true, in: `{"originator":{},"Originator":{}}`, path: "originator", code: CodeDuplicateField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := DecodeOptions{DisallowUnknownFields: !tt.lenient}
			var err error
			if tt.identity {
				_, err = DecodeIdentity([]byte(tt.in), opts)
			} else {
				_, err = DecodeOriginator([]byte(tt.in), opts)
			}
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			require.Equal(t, tt.code, de.Code, de.Error())
			require.Equal(t, tt.path, de.Path, de.Error())
			require.NotEmpty(t, de.Message)
			require.NotContains(t, de.Error(), secret, "errors must not echo values")
		})
	}
}

func TestDecodePerson(t *testing.T) {
	t.Parallel()
	p, err := DecodePerson([]byte(`{"legalPerson":{"name":{"nameIdentifier":{"legalPersonName":"Acme","legalPersonNameIdentifierType":"LEGL"}}},"accountNumber":"dropped"}`), DecodeOptions{DisallowUnknownFields: true})
	require.NoError(t, err)
	require.Equal(t, `{"legalPerson":{"name":{"nameIdentifier":[{"legalPersonName":"Acme","legalPersonNameIdentifierType":"LEGL"}]}}}`, mustEncode(t)(EncodePerson(p, EncodeOptions{})))

	_, err = DecodePerson([]byte(`{"naturalPerson":[]}`), DecodeOptions{})
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	require.Equal(t, "naturalPerson", de.Path)
}

func TestDecodeBeneficiary(t *testing.T) {
	t.Parallel()
	b, err := DecodeBeneficiary([]byte(`{"beneficiaryPerson":{"naturalPerson":{"name":{"nameIdentifier":{"primaryIdentifier":"Clark","nameIdentifierType":"LEGL"}}},"accountNumber":"b-1"}}`), DecodeOptions{DisallowUnknownFields: true})
	require.NoError(t, err)
	require.Equal(t, []string{"b-1"}, b.AccountNumbers)
	require.Equal(t, `{"beneficiaryPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Clark","nameIdentifierType":"LEGL"}]}}}],"accountNumber":["b-1"]}`,
		mustEncode(t)(EncodeBeneficiary(b, EncodeOptions{})))

	_, err = DecodeBeneficiary([]byte(`{"originatorPersons":[]}`), DecodeOptions{DisallowUnknownFields: true})
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	require.Equal(t, CodeUnknownField, de.Code)
	require.Equal(t, "originatorPersons", de.Path)
}

// The JSON methods are what the API's transfer object uses: strict output, tolerant input that
// rejects unknown fields with a *DecodeError that encoding/json passes through.
func TestJSONMethods(t *testing.T) {
	t.Parallel()
	type transferish struct {
		Originator  *Originator      `json:"originator,omitempty"`
		Beneficiary *Beneficiary     `json:"beneficiary,omitempty"`
		Identity    *IdentityPayload `json:"identity,omitempty"`
	}
	var in transferish
	require.NoError(t, json.Unmarshal([]byte(`{"originator":`+realisticOriginator+`,"beneficiary":{"beneficiaryPersons":{"naturalPerson":{"name":{"nameIdentifier":{"primaryIdentifier":"Clark","nameIdentifierType":"legl"}}}}},"identity":{"originator":{"originatorPersons":[]}}}`), &in))
	require.Len(t, in.Originator.Persons, 1)
	require.Len(t, in.Beneficiary.Persons, 1)
	require.NotNil(t, in.Identity.Originator)

	out, err := json.Marshal(in)
	require.NoError(t, err)
	require.Contains(t, string(out), `"beneficiary":{"beneficiaryPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Clark","nameIdentifierType":"LEGL"}]}}}]}`)

	var back transferish
	require.NoError(t, json.Unmarshal(out, &back))
	out2, err := json.Marshal(back)
	require.NoError(t, err)
	require.JSONEq(t, string(out), string(out2))

	err = json.Unmarshal([]byte(`{"originator":{"originatorPersons":[],"x":1}}`), &back)
	var de *DecodeError
	require.True(t, errors.As(err, &de))
	require.Equal(t, "x", de.Path)

	err = json.Unmarshal([]byte(`{"beneficiary":{"y":1}}`), &back)
	require.True(t, errors.As(err, &de))
	require.Equal(t, "y", de.Path)

	err = json.Unmarshal([]byte(`{"identity":{"z":1}}`), &back)
	require.True(t, errors.As(err, &de))
	require.Equal(t, "z", de.Path)
}

// Known answers: trisa's own fixtures, decoded by trisa's encoding/json and by us, must give the
// same protobuf; the rekeyed variant must give the same as the plain one.
func TestDecodeTrisaFixtures(t *testing.T) {
	t.Parallel()
	dir := trisaTestdata(t)

	data := readFixture(t, dir, "identity_payload.json")
	var theirs ivms101.IdentityPayload
	require.NoError(t, json.Unmarshal(data, &theirs))
	ours, err := DecodeIdentity(data, DecodeOptions{DisallowUnknownFields: true})
	require.NoError(t, err)
	requireProtoEqual(t, &theirs, ours.Proto())

	alt, err := DecodeIdentity(readFixture(t, dir, "identity_payload_alt.json"), DecodeOptions{DisallowUnknownFields: true})
	require.NoError(t, err)
	requireProtoEqual(t, ours.Proto(), alt.Proto())

	for _, name := range []string{"person_natural_person.json", "person_legal_person.json"} {
		data := readFixture(t, dir, name)
		var theirs ivms101.Person
		require.NoError(t, json.Unmarshal(data, &theirs), name)
		ours, err := DecodePerson(data, DecodeOptions{DisallowUnknownFields: true})
		require.NoError(t, err, name)
		requireProtoEqual(t, &theirs, ours)
	}

	for _, name := range []string{"natural_person.json", "legal_person.json"} {
		data := readFixture(t, dir, name)
		key := "naturalPerson"
		if strings.HasPrefix(name, "legal") {
			key = "legalPerson"
		}
		ours, err := DecodePerson([]byte(`{"`+key+`":`+string(data)+`}`), DecodeOptions{DisallowUnknownFields: true})
		require.NoError(t, err, name)
		if key == "naturalPerson" {
			var theirs ivms101.NaturalPerson
			require.NoError(t, json.Unmarshal(data, &theirs))
			requireProtoEqual(t, &theirs, ours.GetNaturalPerson())
		} else {
			var theirs ivms101.LegalPerson
			require.NoError(t, json.Unmarshal(data, &theirs))
			requireProtoEqual(t, &theirs, ours.GetLegalPerson())
			require.Equal(t, "abc1234", ours.GetLegalPerson().CustomerNumber)
		}
	}

	_, err = DecodePerson(readFixture(t, dir, "person_both_persons.json"), DecodeOptions{})
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	require.Equal(t, CodeOneOf, de.Code)
}

func TestDecodeErrorAsFieldError(t *testing.T) {
	t.Parallel()
	_, err := DecodeOriginator([]byte(`{"accountNumber":{}}`), DecodeOptions{})
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	require.Equal(t, FieldError{Path: "accountNumber[0]", Code: CodeInvalidType, Message: "expected a string"}, de.FieldError())
	require.Equal(t, "ivms: accountNumber[0]: expected a string", de.Error())
	require.Equal(t, "accountNumber[0]: expected a string", de.FieldError().Error())
}
