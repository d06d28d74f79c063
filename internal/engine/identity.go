package engine

import (
	"strings"
	"time"

	"github.com/waybill/waybill/internal/ivms"
)

// The engine validates identity data with the ivms package and prefixes its relative paths with
// the request field ("originator.", "beneficiary.").

func fieldErrors(prefix string, fe []ivms.FieldError) []FieldError {
	if len(fe) == 0 {
		return nil
	}
	out := make([]FieldError, len(fe))
	for i, f := range fe {
		p := prefix
		if f.Path != "" {
			p += "." + f.Path
		}
		out[i] = FieldError{Path: p, Code: f.Code, Message: f.Message}
	}
	return out
}

// validateOriginator checks an originator against IVMS101 (C1-C12, lengths, codes). Warnings
// (the 2020 character set) do not refuse a request.
func validateOriginator(o *ivms.Originator, path string, now time.Time) []FieldError {
	if o == nil {
		return []FieldError{{Path: path, Code: "required", Message: "originator is required"}}
	}
	return fieldErrors(path, ivms.ValidateOriginator(o, now).Errors)
}

// validateBeneficiary checks a beneficiary against IVMS101.
func validateBeneficiary(b *ivms.Beneficiary, path string, now time.Time) []FieldError {
	if b == nil {
		return []FieldError{{Path: path, Code: "required", Message: "beneficiary is required"}}
	}
	return fieldErrors(path, ivms.ValidateBeneficiary(b, now).Errors)
}

// A required-field entry of a jurisdiction is a field of the ivms vocabulary, or alternatives
// separated by "|" of which one suffices, each alternative one field or several joined by "+".
func alternatives(req string) [][]string {
	var out [][]string
	for _, alt := range strings.Split(req, "|") {
		out = append(out, strings.Split(alt, "+"))
	}
	return out
}

// KnownRequirement reports whether a jurisdiction table entry uses only known fields.
func KnownRequirement(req string) bool {
	for _, alt := range alternatives(req) {
		for _, f := range alt {
			if !ivms.KnownRequiredField(f) {
				return false
			}
		}
	}
	return req != ""
}

func missing(required []string, check func([]string) []ivms.FieldError, path string) []FieldError {
	var out []FieldError
	for _, req := range required {
		alts := alternatives(req)
		if len(alts) == 1 {
			out = append(out, fieldErrors(path, check(alts[0]))...)
			continue
		}
		satisfied := false
		for _, alt := range alts {
			if len(check(alt)) == 0 {
				satisfied = true
				break
			}
		}
		if !satisfied {
			out = append(out, FieldError{Path: path, Code: "required", Message: "required: " + describeRequirement(alts)})
		}
	}
	return out
}

// missingOriginator reports required fields the originator lacks.
func missingOriginator(o *ivms.Originator, required []string, path string) []FieldError {
	return missing(required, func(f []string) []ivms.FieldError { return ivms.MissingOriginator(o, f) }, path)
}

// missingBeneficiary reports required fields the beneficiary lacks.
func missingBeneficiary(b *ivms.Beneficiary, required []string, path string) []FieldError {
	if b == nil {
		return []FieldError{{Path: path, Code: "required", Message: "beneficiary is required"}}
	}
	return missing(required, func(f []string) []ivms.FieldError { return ivms.MissingBeneficiary(b, f) }, path)
}

// describeRequirement renders alternatives for a person: "(a and b) or c".
func describeRequirement(alts [][]string) string {
	parts := make([]string, len(alts))
	for i, alt := range alts {
		parts[i] = strings.Join(alt, " and ")
		if len(alt) > 1 && len(alts) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " or ")
}
