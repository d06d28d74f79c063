package ivms

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/ivms101"
	"google.golang.org/protobuf/proto"
	"pgregory.net/rapid"
)

// Generators of canonical values: what decoding can produce (no nil elements, no empty strings in
// lists, codes within their lists).

func genText() *rapid.Generator[string] {
	return rapid.OneOf(rapid.Just(""), rapid.StringMatching(`[A-Za-z0-9' ]{1,12}`), rapid.StringN(1, 12, -1))
}

func genNonEmpty() *rapid.Generator[string] { return rapid.StringN(1, 12, -1) }

func genNaturalNameID() *rapid.Generator[*ivms101.NaturalPersonNameId] {
	return rapid.Custom(func(t *rapid.T) *ivms101.NaturalPersonNameId {
		return &ivms101.NaturalPersonNameId{
			PrimaryIdentifier:   genText().Draw(t, "primary"),
			SecondaryIdentifier: genText().Draw(t, "secondary"),
			NameIdentifierType:  ivms101.NaturalPersonNameTypeCode(rapid.IntRange(0, 4).Draw(t, "type")),
		}
	})
}

func genLocalNaturalNameID() *rapid.Generator[*ivms101.LocalNaturalPersonNameId] {
	return rapid.Map(genNaturalNameID(), func(id *ivms101.NaturalPersonNameId) *ivms101.LocalNaturalPersonNameId {
		return &ivms101.LocalNaturalPersonNameId{PrimaryIdentifier: id.PrimaryIdentifier, SecondaryIdentifier: id.SecondaryIdentifier, NameIdentifierType: id.NameIdentifierType}
	})
}

func genAddress() *rapid.Generator[*ivms101.Address] {
	return rapid.Custom(func(t *rapid.T) *ivms101.Address {
		return &ivms101.Address{
			AddressType:        ivms101.AddressTypeCode(rapid.IntRange(0, 3).Draw(t, "type")),
			Department:         genText().Draw(t, "department"),
			SubDepartment:      genText().Draw(t, "subDepartment"),
			StreetName:         genText().Draw(t, "street"),
			BuildingNumber:     genText().Draw(t, "number"),
			BuildingName:       genText().Draw(t, "building"),
			Floor:              genText().Draw(t, "floor"),
			PostBox:            genText().Draw(t, "postBox"),
			Room:               genText().Draw(t, "room"),
			PostCode:           genText().Draw(t, "postCode"),
			TownName:           genText().Draw(t, "town"),
			TownLocationName:   genText().Draw(t, "townLocation"),
			DistrictName:       genText().Draw(t, "district"),
			CountrySubDivision: genText().Draw(t, "subdivision"),
			AddressLine:        rapid.SliceOfN(genNonEmpty(), 0, 3).Draw(t, "lines"),
			Country:            genText().Draw(t, "country"),
		}
	})
}

func genNationalID() *rapid.Generator[*ivms101.NationalIdentification] {
	return rapid.Custom(func(t *rapid.T) *ivms101.NationalIdentification {
		return &ivms101.NationalIdentification{
			NationalIdentifier:     genText().Draw(t, "id"),
			NationalIdentifierType: ivms101.NationalIdentifierTypeCode(rapid.IntRange(0, 9).Draw(t, "type")),
			CountryOfIssue:         genText().Draw(t, "country"),
			RegistrationAuthority:  genText().Draw(t, "ra"),
		}
	})
}

func genPerson() *rapid.Generator[*ivms101.Person] {
	return rapid.Custom(func(t *rapid.T) *ivms101.Person {
		if rapid.Bool().Draw(t, "natural") {
			np := &ivms101.NaturalPerson{
				GeographicAddresses:    rapid.SliceOfN(genAddress(), 0, 2).Draw(t, "addresses"),
				NationalIdentification: rapid.OneOf(rapid.Just[*ivms101.NationalIdentification](nil), genNationalID()).Draw(t, "nid"),
				CustomerIdentification: genText().Draw(t, "customer"),
				CountryOfResidence:     genText().Draw(t, "residence"),
			}
			if rapid.Bool().Draw(t, "hasName") {
				np.Name = &ivms101.NaturalPersonName{
					NameIdentifiers:         rapid.SliceOfN(genNaturalNameID(), 0, 3).Draw(t, "ids"),
					LocalNameIdentifiers:    rapid.SliceOfN(genLocalNaturalNameID(), 0, 2).Draw(t, "local"),
					PhoneticNameIdentifiers: rapid.SliceOfN(genLocalNaturalNameID(), 0, 2).Draw(t, "phonetic"),
				}
			}
			if rapid.Bool().Draw(t, "hasBirth") {
				np.DateAndPlaceOfBirth = &ivms101.DateAndPlaceOfBirth{DateOfBirth: genText().Draw(t, "dob"), PlaceOfBirth: genText().Draw(t, "pob")}
			}
			return &ivms101.Person{Person: &ivms101.Person_NaturalPerson{NaturalPerson: np}}
		}
		lp := &ivms101.LegalPerson{
			GeographicAddresses:    rapid.SliceOfN(genAddress(), 0, 2).Draw(t, "addresses"),
			CustomerNumber:         genText().Draw(t, "customer"),
			NationalIdentification: rapid.OneOf(rapid.Just[*ivms101.NationalIdentification](nil), genNationalID()).Draw(t, "nid"),
			CountryOfRegistration:  genText().Draw(t, "registration"),
		}
		if rapid.Bool().Draw(t, "hasName") {
			legalID := rapid.Custom(func(t *rapid.T) *ivms101.LegalPersonNameId {
				return &ivms101.LegalPersonNameId{LegalPersonName: genText().Draw(t, "name"), LegalPersonNameIdentifierType: ivms101.LegalPersonNameTypeCode(rapid.IntRange(0, 3).Draw(t, "type"))}
			})
			local := rapid.Map(legalID, func(id *ivms101.LegalPersonNameId) *ivms101.LocalLegalPersonNameId {
				return &ivms101.LocalLegalPersonNameId{LegalPersonName: id.LegalPersonName, LegalPersonNameIdentifierType: id.LegalPersonNameIdentifierType}
			})
			lp.Name = &ivms101.LegalPersonName{
				NameIdentifiers:         rapid.SliceOfN(legalID, 0, 3).Draw(t, "ids"),
				LocalNameIdentifiers:    rapid.SliceOfN(local, 0, 2).Draw(t, "local"),
				PhoneticNameIdentifiers: rapid.SliceOfN(local, 0, 2).Draw(t, "phonetic"),
			}
		}
		return &ivms101.Person{Person: &ivms101.Person_LegalPerson{LegalPerson: lp}}
	})
}

func genIdentity() *rapid.Generator[*IdentityPayload] {
	return rapid.Custom(func(t *rapid.T) *IdentityPayload {
		accounts := rapid.SliceOfNDistinct(genNonEmpty(), 0, 3, func(s string) string { return s })
		p := &IdentityPayload{
			Originator:  &Originator{Persons: rapid.SliceOfN(genPerson(), 0, 2).Draw(t, "originators"), AccountNumbers: accounts.Draw(t, "oacct")},
			Beneficiary: &Beneficiary{Persons: rapid.SliceOfN(genPerson(), 0, 2).Draw(t, "beneficiaries"), AccountNumbers: accounts.Draw(t, "bacct")},
		}
		if rapid.Bool().Draw(t, "ovasp") {
			p.OriginatingVASP = genPerson().Draw(t, "originatingVASP")
		}
		if rapid.Bool().Draw(t, "bvasp") {
			p.BeneficiaryVASP = genPerson().Draw(t, "beneficiaryVASP")
		}
		for i, n := 0, rapid.IntRange(0, 2).Draw(t, "hops"); i < n; i++ {
			p.TransferPath = append(p.TransferPath, Intermediary{VASP: genPerson().Draw(t, "hop"), Sequence: rapid.Uint64().Draw(t, "seq")})
		}
		p.PayloadMetadata.TransliterationMethods = rapid.SliceOfN(rapid.Map(rapid.IntRange(0, 12), func(i int) ivms101.TransliterationMethodCode {
			return ivms101.TransliterationMethodCode(i)
		}), 0, 3).Draw(t, "transliteration")
		return p
	})
}

// decode(encode(x)) == x in every dialect, so encode(decode(encode(x))) == encode(x).
func TestRoundTripProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		p := genIdentity().Draw(t, "identity")
		opts := rapid.SampledFrom([]EncodeOptions{{}, {CustomerNumber: true}, {Version: Version2023}}).Draw(t, "opts")
		data, err := EncodeIdentity(p, opts)
		require.NoError(t, err)
		require.True(t, json.Valid(data))

		back, err := DecodeIdentity(data, DecodeOptions{DisallowUnknownFields: true})
		require.NoError(t, err)
		if !proto.Equal(p.Proto(), back.Proto()) {
			t.Fatalf("round trip changed the payload:\n%s", data)
		}
		again, err := EncodeIdentity(back, opts)
		require.NoError(t, err)
		require.Equal(t, string(data), string(again))

		_ = ValidateIdentity(back, testNow())
	})
}

// Rewriting keys in other cases and unwrapping one-element arrays does not change what decodes.
func TestToleranceProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		p := genIdentity().Draw(t, "identity")
		data, err := EncodeIdentity(p, EncodeOptions{})
		require.NoError(t, err)

		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var tree any
		require.NoError(t, dec.Decode(&tree))
		mangled, err := json.Marshal(mangle(t, tree))
		require.NoError(t, err)

		back, err := DecodeIdentity(mangled, DecodeOptions{DisallowUnknownFields: true})
		require.NoError(t, err, string(mangled))
		if !proto.Equal(p.Proto(), back.Proto()) {
			t.Fatalf("tolerant decoding changed the payload:\n%s\n%s", data, mangled)
		}
	})
}

func mangle(t *rapid.T, v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			style := rapid.IntRange(0, 3).Draw(t, "keyStyle")
			out[restyle(k, style)] = mangle(t, val)
		}
		return out
	case []any:
		if len(v) == 1 && rapid.Bool().Draw(t, "unwrap") {
			return mangle(t, v[0])
		}
		for i := range v {
			v[i] = mangle(t, v[i])
		}
		return v
	}
	return v
}

// restyle writes a camelCase key as is (0), in PascalCase (1), snake_case (2) or lower case (3).
func restyle(k string, style int) string {
	switch style {
	case 1:
		return strings.ToUpper(k[:1]) + k[1:]
	case 2:
		var b strings.Builder
		for i, r := range k {
			if unicode.IsUpper(r) && i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
		}
		return b.String()
	case 3:
		return strings.ToLower(k)
	}
	return k
}
