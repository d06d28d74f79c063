package ivms

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/ivms101"
	"google.golang.org/protobuf/encoding/protojson"
)

func TestEncodeDialects(t *testing.T) {
	t.Parallel()
	acme := legal("Acme", func(lp *ivms101.LegalPerson) {
		lp.CustomerNumber = "c-1"
		lp.NationalIdentification = &ivms101.NationalIdentification{NationalIdentifier: "n-1"} // MISC type
	})
	jane := natural("Howard", "Jane", func(np *ivms101.NaturalPerson) {
		np.Name.LocalNameIdentifiers = []*ivms101.LocalNaturalPersonNameId{{PrimaryIdentifier: "Говард", NameIdentifierType: ivms101.NaturalPersonMisc}}
	})
	o := &Originator{Persons: []*ivms101.Person{jane, acme}, AccountNumbers: []string{"a-1", "a-2"}}
	const (
		janeJSON2020 = `{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","nameIdentifierType":"LEGL"}],"localNameIdentifier":[{"primaryIdentifier":"Говард","nameIdentifierType":"MISC"}]}}}`
		janeJSON2023 = `{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Howard","secondaryIdentifier":"Jane","naturalPersonNameIdentifierType":"LEGL"}],"localNameIdentifier":[{"primaryIdentifier":"Говард","nameIdentifierType":"MISC"}]}}`
		acmeName     = `"name":{"nameIdentifier":[{"legalPersonName":"Acme","legalPersonNameIdentifierType":"LEGL"}]}`
		acmeNID      = `"nationalIdentification":{"nationalIdentifier":"n-1","nationalIdentifierType":"MISC"}`
	)
	tests := []struct {
		name string
		opts EncodeOptions
		want string
	}{
		{
			name: "default 2020, customerIdentification, MISC written",
			want: `{"originatorPersons":[` + janeJSON2020 + `,{"legalPerson":{` + acmeName + `,"customerIdentification":"c-1",` + acmeNID + `}}],"accountNumber":["a-1","a-2"]}`,
		},
		{
			name: "TRISA customerNumber",
			opts: EncodeOptions{CustomerNumber: true},
			want: `{"originatorPersons":[` + janeJSON2020 + `,{"legalPerson":{` + acmeName + `,"customerNumber":"c-1",` + acmeNID + `}}],"accountNumber":["a-1","a-2"]}`,
		},
		{
			name: "IVMS101.2023",
			opts: EncodeOptions{Version: Version2023},
			want: `{"originatorPerson":[` + janeJSON2023 + `,"accountNumber":["a-1","a-2"]},{"legalPerson":{` + acmeName + `,"customerIdentification":"c-1",` + acmeNID + `}}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustEncode(t)(EncodeOriginator(o, tt.opts))
			require.Equal(t, tt.want, got)
			require.True(t, json.Valid([]byte(got)))

			back, err := DecodeOriginator([]byte(got), DecodeOptions{DisallowUnknownFields: true})
			require.NoError(t, err)
			requireProtoEqual(t, o.Proto(), back.Proto())
		})
	}
}

func TestEncodeIdentity2023(t *testing.T) {
	t.Parallel()
	id := &IdentityPayload{Originator: &Originator{AccountNumbers: []string{"a"}}}
	require.Equal(t, `{"originator":{"accountNumber":["a"]},"payloadMetadata":{"payloadVersion":"101.2023"}}`,
		mustEncode(t)(EncodeIdentity(id, EncodeOptions{Version: Version2023})))
	require.Equal(t, `{"originator":{"accountNumber":["a"]}}`, mustEncode(t)(EncodeIdentity(id, EncodeOptions{})))

	id.PayloadMetadata.PayloadVersion = Version2023
	require.Equal(t, `{"originator":{"accountNumber":["a"]}}`, mustEncode(t)(EncodeIdentity(id, EncodeOptions{})),
		"2020 output never carries payloadVersion")
}

func TestEncodeEmptyAndNil(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    *Originator
		want string
	}{
		{name: "nil originator", o: nil, want: `{}`},
		{name: "nil person", o: &Originator{Persons: []*ivms101.Person{nil}}, want: `{"originatorPersons":[{}]}`},
		{name: "empty natural person", o: &Originator{Persons: []*ivms101.Person{{Person: &ivms101.Person_NaturalPerson{NaturalPerson: &ivms101.NaturalPerson{}}}}}, want: `{"originatorPersons":[{"naturalPerson":{}}]}`},
		{name: "nil elements", o: &Originator{Persons: []*ivms101.Person{natural("", "", func(np *ivms101.NaturalPerson) {
			np.Name.NameIdentifiers = append(np.Name.NameIdentifiers, nil)
			np.GeographicAddresses = []*ivms101.Address{nil}
			np.DateAndPlaceOfBirth = &ivms101.DateAndPlaceOfBirth{}
		})}}, want: `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"nameIdentifierType":"LEGL"},{"nameIdentifierType":"MISC"}]},"geographicAddress":[{"addressType":"MISC"}],"dateAndPlaceOfBirth":{}}}]}`},
		{name: "escaping", o: &Originator{AccountNumbers: []string{"a\"b\\c\n\x01\u2028<"}}, want: `{"accountNumber":["a\"b\\c\n\u0001\u2028<"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustEncode(t)(EncodeOriginator(tt.o, EncodeOptions{}))
			require.Equal(t, tt.want, got)
			back, err := DecodeOriginator([]byte(got), DecodeOptions{DisallowUnknownFields: true})
			require.NoError(t, err)
			require.Equal(t, got, mustEncode(t)(EncodeOriginator(back, EncodeOptions{})), "stable round trip")
		})
	}
}

func TestEncodeOutOfRangeCode(t *testing.T) {
	t.Parallel()
	p := natural("Howard", "Jane", func(np *ivms101.NaturalPerson) {
		np.Name.NameIdentifiers[0].NameIdentifierType = 42
	})
	_, err := EncodePerson(p, EncodeOptions{})
	require.ErrorContains(t, err, "nameIdentifierType")
	require.NotContains(t, err.Error(), "Howard")

	_, err = EncodeIdentity(&IdentityPayload{PayloadMetadata: PayloadMetadata{TransliterationMethods: []ivms101.TransliterationMethodCode{99}}}, EncodeOptions{})
	require.ErrorContains(t, err, "transliterationMethod")
}

// Our encoding must be readable by trisa's own encoding/json decoder (the TRISA dialect) and
// give back the same protobuf (MISC aside, which trisa writes by omission and reads as zero).
func TestEncodeReadableByTrisa(t *testing.T) {
	t.Parallel()
	dir := trisaTestdata(t)
	ours, err := DecodeIdentity(readFixture(t, dir, "identity_payload.json"), DecodeOptions{})
	require.NoError(t, err)
	data := mustEncode(t)(EncodeIdentity(ours, EncodeOptions{CustomerNumber: true}))
	var theirs ivms101.IdentityPayload
	require.NoError(t, json.Unmarshal([]byte(data), &theirs))
	requireProtoEqual(t, ours.Proto(), &theirs)
}

// Known answer from the protojson fixture, and a round trip through the protobuf types.
func TestProtoRoundTrip(t *testing.T) {
	t.Parallel()
	dir := trisaTestdata(t)
	data := readFixture(t, dir, "identity_payload.pb.json")
	var pb ivms101.IdentityPayload
	require.NoError(t, protojson.Unmarshal(data, &pb))

	ours, err := DecodeIdentity(data, DecodeOptions{DisallowUnknownFields: true})
	require.NoError(t, err)
	got := ours.Proto()
	requireProtoEqual(t, pb.Originator, got.Originator)
	requireProtoEqual(t, pb.Beneficiary, got.Beneficiary)
	requireProtoEqual(t, pb.OriginatingVasp, got.OriginatingVasp)
	requireProtoEqual(t, pb.BeneficiaryVasp, got.BeneficiaryVasp)
	require.Empty(t, got.GetTransferPath().GetTransferPath())

	back := IdentityFromProto(&pb)
	require.Equal(t, mustEncode(t)(EncodeIdentity(ours, EncodeOptions{})), mustEncode(t)(EncodeIdentity(back, EncodeOptions{})))

	full := &IdentityPayload{
		Originator:      &Originator{Persons: []*ivms101.Person{natural("Howard", "Jane")}, AccountNumbers: []string{"a"}},
		Beneficiary:     &Beneficiary{Persons: []*ivms101.Person{natural("Clark", "Larry")}},
		OriginatingVASP: NewVASP("Alice VASP", "506700T7Z685VUOZL877", "US", nil),
		BeneficiaryVASP: NewVASP("Bob VASP", "", "GB", NewAddress(ivms101.AddressTypeBusiness, []string{"1 High St"}, "OX1", "Oxford", "GB")),
		TransferPath:    []Intermediary{{VASP: NewVASP("Carol VASP", "", "DE", nil), Sequence: 0}},
		PayloadMetadata: PayloadMetadata{TransliterationMethods: []ivms101.TransliterationMethodCode{ivms101.TransliterationMethodCYRL}},
	}
	again := IdentityFromProto(full.Proto())
	require.Equal(t, mustEncode(t)(EncodeIdentity(full, EncodeOptions{})), mustEncode(t)(EncodeIdentity(again, EncodeOptions{})))

	// Proto returns copies: changing them leaves the payload alone.
	full.Proto().Originator.OriginatorPersons[0].GetNaturalPerson().Name.NameIdentifiers[0].PrimaryIdentifier = "changed"
	require.Equal(t, "Howard", full.Originator.Persons[0].GetNaturalPerson().Name.NameIdentifiers[0].PrimaryIdentifier)

	require.Nil(t, IdentityFromProto(nil))
	require.Nil(t, (*IdentityPayload)(nil).Proto())
	require.Nil(t, OriginatorFromProto(nil))
	require.Nil(t, BeneficiaryFromProto(nil))
}

func TestNewVASP(t *testing.T) {
	t.Parallel()
	p := NewVASP("Alice VASP", "506700T7Z685VUOZL877", "US", NewAddress(ivms101.AddressTypeBusiness, []string{"23 Roosevelt Place"}, "02151", "Boston", "US"))
	require.Equal(t,
		`{"legalPerson":{"name":{"nameIdentifier":[{"legalPersonName":"Alice VASP","legalPersonNameIdentifierType":"LEGL"}]},"geographicAddress":[{"addressType":"BIZZ","postCode":"02151","townName":"Boston","addressLine":["23 Roosevelt Place"],"country":"US"}],"nationalIdentification":{"nationalIdentifier":"506700T7Z685VUOZL877","nationalIdentifierType":"LEIX"},"countryOfRegistration":"US"}}`,
		mustEncode(t)(EncodePerson(p, EncodeOptions{})))
	v := ValidatePerson(p, testNow())
	require.Empty(t, v.Errors)
	require.Equal(t, "Alice VASP", DisplayName(p))

	noLEI := NewVASP("Bob VASP", "", "GB", nil)
	require.Nil(t, noLEI.GetLegalPerson().NationalIdentification)
	require.Empty(t, ValidatePerson(noLEI, testNow()).Errors)
}
