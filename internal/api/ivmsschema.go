package api

import (
	"encoding/json"

	"github.com/danielgtaylor/huma/v2"

	"github.com/waybill/waybill/internal/ivms"
)

// strictIVMS registers (once) and references the schema of an IVMS101 object as waybill emits
// it: IVMS101 2020, camelCase, lists always lists, enum values as their four-letter codes. The
// definitions come from the ivms package (its JSON Schema, under IVMS101<name>); the hand
// description below is the fallback should they not decode.
func strictIVMS(r huma.Registry, which, desc string) *huma.Schema {
	m := r.Map()
	if defs, ok := ivmsPackageDefs(); ok {
		if _, done := m["IVMS101"+which]; !done {
			for name, s := range defs {
				m[name] = s
			}
		}
		if _, ok := m["IVMS101"+which]; ok {
			return ref("IVMS101" + which)
		}
	}
	if _, ok := m["IVMS101Person"]; !ok {
		for name, s := range ivmsDefs() {
			s.PrecomputeMessages()
			m[name] = s
		}
	}
	personsKey := "originatorPersons"
	if which == "Beneficiary" {
		personsKey = "beneficiaryPersons"
	}
	name := "IVMS101" + which
	if _, ok := m[name]; !ok {
		s := obj(desc, map[string]*huma.Schema{
			personsKey:      arr(ref("IVMS101Person"), "The persons, natural or legal."),
			"accountNumber": arr(str("Account number or wallet address."), "Account numbers or wallet addresses of the persons."),
		}, personsKey)
		s.Extensions = map[string]any{"externalDocs": map[string]any{"description": "interVASP Messaging Standard IVMS101", "url": ivmsStandard}}
		s.PrecomputeMessages()
		m[name] = s
	}
	return ref(name)
}

// ivmsPackageDefs wraps the ivms package's definitions as huma schemas: each definition's JSON
// is carried verbatim (huma writes a schema's extensions inline).
func ivmsPackageDefs() (map[string]*huma.Schema, bool) {
	out := map[string]*huma.Schema{}
	for name, raw := range ivms.SchemaDefinitions("#/components/schemas/IVMS101") {
		var fields map[string]any
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, false
		}
		out["IVMS101"+name] = &huma.Schema{Extensions: fields}
	}
	return out, len(out) > 0
}

func ref(name string) *huma.Schema { return &huma.Schema{Ref: "#/components/schemas/" + name} }

func str(desc string) *huma.Schema { return &huma.Schema{Type: huma.TypeString, Description: desc} }

func code(desc string, values ...string) *huma.Schema {
	s := str(desc)
	for _, v := range values {
		s.Enum = append(s.Enum, v)
	}
	return s
}

func arr(items *huma.Schema, desc string) *huma.Schema {
	return &huma.Schema{Type: huma.TypeArray, Items: items, Description: desc}
}

func obj(desc string, props map[string]*huma.Schema, required ...string) *huma.Schema {
	return &huma.Schema{Type: huma.TypeObject, Description: desc, Properties: props, Required: required, AdditionalProperties: false}
}

// ivmsDefs are the IVMS101 2020 building blocks.
func ivmsDefs() map[string]*huma.Schema {
	country := func(desc string) *huma.Schema {
		s := str(desc + " ISO 3166-1 alpha-2 code, or XX.")
		s.Pattern = "^[A-Z]{2}$"
		return s
	}
	return map[string]*huma.Schema{
		"IVMS101Person": obj("An IVMS101 Person: exactly one of naturalPerson and legalPerson.", map[string]*huma.Schema{
			"naturalPerson": ref("IVMS101NaturalPerson"),
			"legalPerson":   ref("IVMS101LegalPerson"),
		}),
		"IVMS101NaturalPerson": obj("A natural person.", map[string]*huma.Schema{
			"name":                   arr(ref("IVMS101NaturalPersonName"), "Names of the person (at least one with a LEGL identifier)."),
			"geographicAddress":      arr(ref("IVMS101Address"), "Addresses."),
			"nationalIdentification": ref("IVMS101NationalIdentification"),
			"customerIdentification": str("The customer's identifier at its VASP."),
			"dateAndPlaceOfBirth":    ref("IVMS101DateAndPlaceOfBirth"),
			"countryOfResidence":     country("Country of residence."),
		}, "name"),
		"IVMS101NaturalPersonName": obj("A natural person's name.", map[string]*huma.Schema{
			"nameIdentifier":         arr(ref("IVMS101NaturalPersonNameID"), "Names in the Latin script."),
			"localNameIdentifier":    arr(ref("IVMS101NaturalPersonNameID"), "Names in a local script."),
			"phoneticNameIdentifier": arr(ref("IVMS101NaturalPersonNameID"), "Phonetic names."),
		}),
		"IVMS101NaturalPersonNameID": obj("One name.", map[string]*huma.Schema{
			"primaryIdentifier":   str("The family name, or the name as a whole."),
			"secondaryIdentifier": str("The given names."),
			"nameIdentifierType":  code("ALIA alias, BIRT birth name, MAID maiden name, LEGL legal name, MISC unspecified.", "ALIA", "BIRT", "MAID", "LEGL", "MISC"),
		}, "primaryIdentifier", "nameIdentifierType"),
		"IVMS101LegalPerson": obj("A legal person.", map[string]*huma.Schema{
			"name":                   ref("IVMS101LegalPersonName"),
			"geographicAddress":      arr(ref("IVMS101Address"), "Addresses."),
			"customerIdentification": str("The customer's identifier at its VASP."),
			"nationalIdentification": ref("IVMS101NationalIdentification"),
			"countryOfRegistration":  country("Country of registration."),
		}, "name"),
		"IVMS101LegalPersonName": obj("A legal person's names.", map[string]*huma.Schema{
			"nameIdentifier":         arr(ref("IVMS101LegalPersonNameID"), "Names in the Latin script."),
			"localNameIdentifier":    arr(ref("IVMS101LegalPersonNameID"), "Names in a local script."),
			"phoneticNameIdentifier": arr(ref("IVMS101LegalPersonNameID"), "Phonetic names."),
		}, "nameIdentifier"),
		"IVMS101LegalPersonNameID": obj("One name.", map[string]*huma.Schema{
			"legalPersonName":               str("The name."),
			"legalPersonNameIdentifierType": code("LEGL legal, SHRT short, TRAD trading name.", "LEGL", "SHRT", "TRAD"),
		}, "legalPersonName", "legalPersonNameIdentifierType"),
		"IVMS101Address": obj("A postal address: structured fields or address lines.", map[string]*huma.Schema{
			"addressType":        code("HOME residential, BIZZ business, GEOG geographic.", "HOME", "BIZZ", "GEOG"),
			"department":         str(""),
			"subDepartment":      str(""),
			"streetName":         str(""),
			"buildingNumber":     str(""),
			"buildingName":       str(""),
			"floor":              str(""),
			"postBox":            str(""),
			"room":               str(""),
			"postCode":           str(""),
			"townName":           str(""),
			"townLocationName":   str(""),
			"districtName":       str(""),
			"countrySubDivision": str(""),
			"addressLine":        arr(str(""), "Up to three unstructured lines."),
			"country":            country("Country."),
		}, "addressType", "country"),
		"IVMS101NationalIdentification": obj("A national identifier.", map[string]*huma.Schema{
			"nationalIdentifier":     str("The identifier."),
			"nationalIdentifierType": code("ARNU, CCPT, RAID, DRLC, FIIN, TXID, SOCS, IDCD, LEIX or MISC.", "ARNU", "CCPT", "RAID", "DRLC", "FIIN", "TXID", "SOCS", "IDCD", "LEIX", "MISC"),
			"countryOfIssue":         country("Issuing country."),
			"registrationAuthority":  str("GLEIF Registration Authority code (RA000000)."),
		}, "nationalIdentifier", "nationalIdentifierType"),
		"IVMS101DateAndPlaceOfBirth": obj("Date and place of birth.", map[string]*huma.Schema{
			"dateOfBirth":  &huma.Schema{Type: huma.TypeString, Format: "date", Description: "YYYY-MM-DD, in the past."},
			"placeOfBirth": str("Town and country of birth."),
		}, "dateOfBirth", "placeOfBirth"),
	}
}
