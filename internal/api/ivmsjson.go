package api

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/waybill/waybill/internal/ivms"
)

const ivmsStandard = "https://www.intervasp.org/"

// OriginatorJSON is an IVMS101 Originator as a request carries it. The schema is loose on
// purpose: the ivms package decodes it tolerantly (a single object where a list belongs,
// postcode/postCode, IVMS101.2023 names, enum codes short or long) and rejects unknown fields
// with their path.
type OriginatorJSON []byte

// BeneficiaryJSON is an IVMS101 Beneficiary as a request carries it (see OriginatorJSON).
type BeneficiaryJSON []byte

// UnmarshalJSON keeps the raw object for the ivms decoder.
func (v *OriginatorJSON) UnmarshalJSON(b []byte) error {
	*v = append((*v)[:0], b...)
	return nil
}

// MarshalJSON writes the raw object back.
func (v OriginatorJSON) MarshalJSON() ([]byte, error) { return rawOrNull(v), nil }

// UnmarshalJSON keeps the raw object for the ivms decoder.
func (v *BeneficiaryJSON) UnmarshalJSON(b []byte) error {
	*v = append((*v)[:0], b...)
	return nil
}

// MarshalJSON writes the raw object back.
func (v BeneficiaryJSON) MarshalJSON() ([]byte, error) { return rawOrNull(v), nil }

func rawOrNull(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}

// Schema implements huma.SchemaProvider.
func (OriginatorJSON) Schema(huma.Registry) *huma.Schema {
	return looseIVMS("IVMS101 Originator: `originatorPersons` (one or more persons, each a " +
		"`naturalPerson` or a `legalPerson`) and `accountNumber` (the originator's account numbers or " +
		"wallet addresses). Field names follow the IVMS101 standard (camelCase). Lenient input: a single " +
		"object is accepted where a list belongs, `postcode` for `postCode`, IVMS101.2023 names, enum codes " +
		"short (`LEGL`) or long; unknown fields are refused with their path.")
}

// Schema implements huma.SchemaProvider.
func (BeneficiaryJSON) Schema(huma.Registry) *huma.Schema {
	return looseIVMS("IVMS101 Beneficiary: `beneficiaryPersons` (one or more persons, each a " +
		"`naturalPerson` or a `legalPerson`) and `accountNumber` (the beneficiary's account numbers or " +
		"wallet addresses). Accepted as leniently as the originator.")
}

func looseIVMS(desc string) *huma.Schema {
	return &huma.Schema{
		Type: huma.TypeObject, Nullable: true, Description: desc, AdditionalProperties: true,
		Extensions: map[string]any{"externalDocs": map[string]any{"description": "interVASP Messaging Standard IVMS101", "url": ivmsStandard}},
	}
}

// originatorSchema stands in for ivms.Originator in the response schema.
type originatorSchema struct{}

// Schema implements huma.SchemaProvider.
func (originatorSchema) Schema(r huma.Registry) *huma.Schema {
	return strictIVMS(r, "Originator", "IVMS101 Originator, as waybill emits it (IVMS101 2020, camelCase, lists always lists).")
}

// beneficiarySchema stands in for ivms.Beneficiary in the response schema.
type beneficiarySchema struct{}

// Schema implements huma.SchemaProvider.
func (beneficiarySchema) Schema(r huma.Registry) *huma.Schema {
	return strictIVMS(r, "Beneficiary", "IVMS101 Beneficiary, as waybill emits it (IVMS101 2020, camelCase, lists always lists).")
}

// decodeOriginator decodes a request's originator; nil when absent or null.
func decodeOriginator(ctx context.Context, raw OriginatorJSON, field string) (*ivms.Originator, error) {
	if isNull(raw) {
		return nil, nil
	}
	o, err := ivms.DecodeOriginator(raw, ivms.DecodeOptions{DisallowUnknownFields: true})
	if err != nil {
		return nil, ivmsProblem(ctx, field, err)
	}
	return o, nil
}

// decodeBeneficiary decodes a request's beneficiary; nil when absent or null.
func decodeBeneficiary(ctx context.Context, raw BeneficiaryJSON, field string) (*ivms.Beneficiary, error) {
	if isNull(raw) {
		return nil, nil
	}
	b, err := ivms.DecodeBeneficiary(raw, ivms.DecodeOptions{DisallowUnknownFields: true})
	if err != nil {
		return nil, ivmsProblem(ctx, field, err)
	}
	return b, nil
}

func isNull(b []byte) bool {
	return len(b) == 0 || string(b) == "null"
}
