package ivms

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
)

// JSON Schema (draft 2020-12) of the strict IVMS101 2020 form the encoder writes with default
// options. It describes output, so it is stricter than what the decoder accepts: request schemas
// should stay loose and leave checking to DecodeOriginator and ValidateOriginator. The 2020
// character set of MaxNText is not a pattern here, because it is only a warning.

// schemaDefs holds every definition; references use "#/$defs/<name>".
const schemaDefs = `{
"IdentityPayload": {
  "type": "object",
  "description": "An IVMS101 identity payload: the parties and VASPs of one transfer.",
  "properties": {
    "originator": {"$ref": "#/$defs/Originator"},
    "beneficiary": {"$ref": "#/$defs/Beneficiary"},
    "originatingVASP": {
      "type": "object",
      "properties": {"originatingVASP": {"$ref": "#/$defs/Person"}},
      "required": ["originatingVASP"],
      "additionalProperties": false
    },
    "beneficiaryVASP": {
      "type": "object",
      "properties": {"beneficiaryVASP": {"$ref": "#/$defs/Person"}},
      "required": ["beneficiaryVASP"],
      "additionalProperties": false
    },
    "transferPath": {
      "type": "object",
      "properties": {
        "transferPath": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/IntermediaryVASP"}}
      },
      "required": ["transferPath"],
      "additionalProperties": false
    },
    "payloadMetadata": {"$ref": "#/$defs/PayloadMetadata"}
  },
  "additionalProperties": false
},
"Originator": {
  "type": "object",
  "description": "IVMS101 Originator: the persons sending and their account numbers.",
  "properties": {
    "originatorPersons": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Person"}},
    "accountNumber": {"type": "array", "items": {"$ref": "#/$defs/Max100Text"}}
  },
  "required": ["originatorPersons"],
  "additionalProperties": false
},
"Beneficiary": {
  "type": "object",
  "description": "IVMS101 Beneficiary: the persons receiving and their account numbers.",
  "properties": {
    "beneficiaryPersons": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Person"}},
    "accountNumber": {"type": "array", "items": {"$ref": "#/$defs/Max100Text"}}
  },
  "required": ["beneficiaryPersons"],
  "additionalProperties": false
},
"Person": {
  "type": "object",
  "description": "IVMS101 Person: exactly one of naturalPerson or legalPerson.",
  "properties": {
    "naturalPerson": {"$ref": "#/$defs/NaturalPerson"},
    "legalPerson": {"$ref": "#/$defs/LegalPerson"}
  },
  "minProperties": 1,
  "maxProperties": 1,
  "additionalProperties": false
},
"NaturalPerson": {
  "type": "object",
  "properties": {
    "name": {"$ref": "#/$defs/NaturalPersonName"},
    "geographicAddress": {"type": "array", "items": {"$ref": "#/$defs/Address"}},
    "nationalIdentification": {"$ref": "#/$defs/NationalIdentification"},
    "customerIdentification": {"$ref": "#/$defs/Max50Text"},
    "dateAndPlaceOfBirth": {"$ref": "#/$defs/DateAndPlaceOfBirth"},
    "countryOfResidence": {"$ref": "#/$defs/CountryCode"}
  },
  "required": ["name"],
  "additionalProperties": false
},
"NaturalPersonName": {
  "type": "object",
  "description": "Written as one object (as TRISA and IVMS101.2023 model it), holding all name identifiers.",
  "properties": {
    "nameIdentifier": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/NaturalPersonNameId"}},
    "localNameIdentifier": {"type": "array", "items": {"$ref": "#/$defs/LocalNaturalPersonNameId"}},
    "phoneticNameIdentifier": {"type": "array", "items": {"$ref": "#/$defs/LocalNaturalPersonNameId"}}
  },
  "required": ["nameIdentifier"],
  "additionalProperties": false
},
"NaturalPersonNameId": {
  "type": "object",
  "properties": {
    "primaryIdentifier": {"$ref": "#/$defs/Max100Text", "description": "Surname, or the full name when it cannot be split."},
    "secondaryIdentifier": {"$ref": "#/$defs/Max100Text", "description": "Given names."},
    "nameIdentifierType": {"$ref": "#/$defs/NaturalPersonNameTypeCode"}
  },
  "required": ["primaryIdentifier", "nameIdentifierType"],
  "additionalProperties": false
},
"LocalNaturalPersonNameId": {
  "type": "object",
  "properties": {
    "primaryIdentifier": {"$ref": "#/$defs/LocalMax100Text"},
    "secondaryIdentifier": {"$ref": "#/$defs/LocalMax100Text"},
    "nameIdentifierType": {"$ref": "#/$defs/NaturalPersonNameTypeCode"}
  },
  "required": ["primaryIdentifier", "nameIdentifierType"],
  "additionalProperties": false
},
"NaturalPersonNameTypeCode": {
  "type": "string",
  "description": "ALIA alias, BIRT name at birth, MAID maiden name, LEGL legal name, MISC unspecified.",
  "enum": ["ALIA", "BIRT", "MAID", "LEGL", "MISC"]
},
"Address": {
  "type": "object",
  "description": "C8: at least one addressLine, or streetName with buildingName or buildingNumber.",
  "properties": {
    "addressType": {"type": "string", "description": "HOME residential, BIZZ business, GEOG geographic.", "enum": ["HOME", "BIZZ", "GEOG"]},
    "department": {"$ref": "#/$defs/Max50Text"},
    "subDepartment": {"$ref": "#/$defs/Max70Text"},
    "streetName": {"$ref": "#/$defs/Max70Text"},
    "buildingNumber": {"$ref": "#/$defs/Max16Text"},
    "buildingName": {"$ref": "#/$defs/Max35Text"},
    "floor": {"$ref": "#/$defs/Max70Text"},
    "postBox": {"$ref": "#/$defs/Max16Text"},
    "room": {"$ref": "#/$defs/Max70Text"},
    "postCode": {"$ref": "#/$defs/Max16Text"},
    "townName": {"$ref": "#/$defs/Max35Text"},
    "townLocationName": {"$ref": "#/$defs/Max35Text"},
    "districtName": {"$ref": "#/$defs/Max35Text"},
    "countrySubDivision": {"$ref": "#/$defs/Max35Text"},
    "addressLine": {"type": "array", "maxItems": 7, "items": {"$ref": "#/$defs/Max70Text"}},
    "country": {"$ref": "#/$defs/CountryCode"}
  },
  "required": ["addressType", "townName", "country"],
  "anyOf": [
    {"required": ["addressLine"]},
    {"required": ["streetName", "buildingNumber"]},
    {"required": ["streetName", "buildingName"]}
  ],
  "additionalProperties": false
},
"DateAndPlaceOfBirth": {
  "type": "object",
  "properties": {
    "dateOfBirth": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD, in the past (C2)."},
    "placeOfBirth": {"$ref": "#/$defs/Max70Text"}
  },
  "required": ["dateOfBirth", "placeOfBirth"],
  "additionalProperties": false
},
"NationalIdentification": {
  "type": "object",
  "properties": {
    "nationalIdentifier": {"$ref": "#/$defs/Max35Text", "description": "An LEI (C11) when the type is LEIX."},
    "nationalIdentifierType": {
      "type": "string",
      "description": "ARNU alien registration, CCPT passport, RAID registration authority, DRLC driving licence, FIIN foreign investment, TXID tax, SOCS social security, IDCD identity card, LEIX LEI, MISC unspecified. Legal persons: RAID, MISC, LEIX or TXID (C7).",
      "enum": ["ARNU", "CCPT", "RAID", "DRLC", "FIIN", "TXID", "SOCS", "IDCD", "LEIX", "MISC"]
    },
    "countryOfIssue": {"$ref": "#/$defs/CountryCode"},
    "registrationAuthority": {"type": "string", "pattern": "^RA[0-9]{6}$", "description": "A GLEIF registration authority code (C10)."}
  },
  "required": ["nationalIdentifier", "nationalIdentifierType"],
  "additionalProperties": false
},
"LegalPerson": {
  "type": "object",
  "properties": {
    "name": {"$ref": "#/$defs/LegalPersonName"},
    "geographicAddress": {"type": "array", "items": {"$ref": "#/$defs/Address"}},
    "customerIdentification": {"$ref": "#/$defs/Max50Text", "description": "The customer number; written as customerNumber instead for TRISA peers."},
    "customerNumber": {"$ref": "#/$defs/Max50Text", "description": "TRISA's key for the customer number; never written together with customerIdentification."},
    "nationalIdentification": {"$ref": "#/$defs/NationalIdentification"},
    "countryOfRegistration": {"$ref": "#/$defs/CountryCode"}
  },
  "required": ["name"],
  "not": {"required": ["customerIdentification", "customerNumber"]},
  "additionalProperties": false
},
"LegalPersonName": {
  "type": "object",
  "properties": {
    "nameIdentifier": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/LegalPersonNameId"}},
    "localNameIdentifier": {"type": "array", "items": {"$ref": "#/$defs/LocalLegalPersonNameId"}},
    "phoneticNameIdentifier": {"type": "array", "items": {"$ref": "#/$defs/LocalLegalPersonNameId"}}
  },
  "required": ["nameIdentifier"],
  "additionalProperties": false
},
"LegalPersonNameId": {
  "type": "object",
  "properties": {
    "legalPersonName": {"$ref": "#/$defs/Max100Text"},
    "legalPersonNameIdentifierType": {"$ref": "#/$defs/LegalPersonNameTypeCode"}
  },
  "required": ["legalPersonName", "legalPersonNameIdentifierType"],
  "additionalProperties": false
},
"LocalLegalPersonNameId": {
  "type": "object",
  "properties": {
    "legalPersonName": {"$ref": "#/$defs/LocalMax100Text"},
    "legalPersonNameIdentifierType": {"$ref": "#/$defs/LegalPersonNameTypeCode"}
  },
  "required": ["legalPersonName", "legalPersonNameIdentifierType"],
  "additionalProperties": false
},
"LegalPersonNameTypeCode": {
  "type": "string",
  "description": "LEGL legal name, SHRT short name, TRAD trading name.",
  "enum": ["LEGL", "SHRT", "TRAD"]
},
"IntermediaryVASP": {
  "type": "object",
  "properties": {
    "intermediaryVASP": {"$ref": "#/$defs/Person"},
    "sequence": {"type": "integer", "minimum": 0, "description": "Position in the path, from 0 without gaps (C12)."}
  },
  "required": ["intermediaryVASP", "sequence"],
  "additionalProperties": false
},
"PayloadMetadata": {
  "type": "object",
  "properties": {
    "transliterationMethod": {
      "type": "array",
      "items": {
        "type": "string",
        "description": "ISO 15924 script the names were transliterated from.",
        "enum": ["arab", "aran", "armn", "cyrl", "deva", "geor", "grek", "hani", "hebr", "kana", "kore", "thai", "othr"]
      }
    }
  },
  "additionalProperties": false
},
"CountryCode": {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2 code, or XX when unknown (C3)."},
"Max16Text": {"type": "string", "minLength": 1, "maxLength": 16},
"Max35Text": {"type": "string", "minLength": 1, "maxLength": 35},
"Max50Text": {"type": "string", "minLength": 1, "maxLength": 50},
"Max70Text": {"type": "string", "minLength": 1, "maxLength": 70},
"Max100Text": {"type": "string", "minLength": 1, "maxLength": 100},
"LocalMax100Text": {"type": "string", "minLength": 1, "maxLength": 100, "description": "Any script."}
}`

// schemaRoots are the definitions exported as standalone documents, with their titles.
func schemaTitle(root string) string {
	switch root {
	case "Originator":
		return "IVMS101 Originator"
	case "Beneficiary":
		return "IVMS101 Beneficiary"
	case "Person":
		return "IVMS101 Person"
	}
	return "IVMS101 identity payload"
}

// OriginatorSchema returns a standalone JSON Schema (draft 2020-12) document for Originator.
func OriginatorSchema() []byte { return schemaDocument("Originator") }

// BeneficiarySchema returns a standalone JSON Schema (draft 2020-12) document for Beneficiary.
func BeneficiarySchema() []byte { return schemaDocument("Beneficiary") }

// PersonSchema returns a standalone JSON Schema (draft 2020-12) document for an IVMS101 Person.
func PersonSchema() []byte { return schemaDocument("Person") }

// IdentityPayloadSchema returns a standalone JSON Schema (draft 2020-12) document for the
// identity payload.
func IdentityPayloadSchema() []byte { return schemaDocument("IdentityPayload") }

// SchemaDefinitions returns every definition (Originator, Beneficiary, Person, IdentityPayload
// and the types they use) keyed by name, with each reference rewritten to refPrefix + name.
// It suits documents that keep schemas elsewhere than under $defs, such as OpenAPI 3.1:
// SchemaDefinitions("#/components/schemas/IVMS101") to register each under "IVMS101" + name.
func SchemaDefinitions(refPrefix string) map[string][]byte {
	defs := parseDefs()
	out := make(map[string][]byte, len(defs))
	for name, raw := range defs {
		out[name] = rewriteRefs(raw, refPrefix)
	}
	return out
}

func parseDefs() map[string]json.RawMessage {
	var defs map[string]json.RawMessage
	if err := json.Unmarshal([]byte(schemaDefs), &defs); err != nil {
		// schemaDefs is a constant checked by the tests; this cannot happen at run time.
		return map[string]json.RawMessage{}
	}
	return defs
}

func refPattern() *regexp.Regexp { return regexp.MustCompile(`"#/\$defs/([A-Za-z0-9]+)"`) }

func rewriteRefs(raw []byte, prefix string) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return refPattern().ReplaceAllFunc(buf.Bytes(), func(m []byte) []byte {
		name := m[len(`"#/$defs/`) : len(m)-1]
		q, _ := json.Marshal(prefix + string(name))
		return q
	})
}

// schemaDocument builds a standalone document for root with the definitions it reaches.
func schemaDocument(root string) []byte {
	defs := parseDefs()
	reached := map[string]bool{root: true}
	queue := []string{root}
	re := refPattern()
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, m := range re.FindAllSubmatch(defs[name], -1) {
			if n := string(m[1]); !reached[n] {
				reached[n] = true
				queue = append(queue, n)
			}
		}
	}
	names := make([]string, 0, len(reached))
	for n := range reached {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString(`{"$schema":"https://json-schema.org/draft/2020-12/schema",`)
	b.WriteString(`"title":"` + schemaTitle(root) + `",`)
	b.WriteString(`"description":"The strict IVMS101 (interVASP Messaging Standard, 2020 edition, https://www.intervasp.org) form waybill writes.",`)
	b.WriteString(`"$ref":"#/$defs/` + root + `","$defs":{`)
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + n + `":`)
		if err := json.Compact(&b, defs[n]); err != nil {
			b.WriteString("{}")
		}
	}
	b.WriteString("}}")
	return b.Bytes()
}
