package ivms

import (
	"strconv"

	"github.com/trisacrypto/trisa/pkg/ivms101"
)

// The vocabulary a jurisdiction table uses to say which IVMS101 fields it requires of an
// originator or a beneficiary. A field is checked on every person of the party; fields that do
// not apply to a kind of person (date of birth for a legal person, LEI for a natural person) are
// not asked of it.
const (
	// RequireName: a name identifier with a surname (natural) or a legal person name.
	RequireName = "name"
	// RequireAccountNumber: at least one account number on the originator or beneficiary.
	RequireAccountNumber = "account_number"
	// RequireGeographicAddress: at least one geographic address.
	RequireGeographicAddress = "geographic_address"
	// RequireNationalIdentification: a national identification with an identifier.
	RequireNationalIdentification = "national_identification"
	// RequireCustomerIdentification: the customer identification (customerNumber for legal persons).
	RequireCustomerIdentification = "customer_identification"
	// RequireDateOfBirth: a natural person's date of birth.
	RequireDateOfBirth = "date_of_birth"
	// RequirePlaceOfBirth: a natural person's place of birth.
	RequirePlaceOfBirth = "place_of_birth"
	// RequireCountryOfResidence: a natural person's country of residence.
	RequireCountryOfResidence = "country_of_residence"
	// RequireCountryOfRegistration: a legal person's country of registration.
	RequireCountryOfRegistration = "country_of_registration"
	// RequireLEI: a legal person's LEI (a national identification of type LEIX).
	RequireLEI = "lei"
)

// RequiredFieldNames returns the vocabulary of required fields, for validating jurisdiction
// tables. Each call returns a new slice.
func RequiredFieldNames() []string {
	return []string{
		RequireName, RequireAccountNumber, RequireGeographicAddress, RequireNationalIdentification,
		RequireCustomerIdentification, RequireDateOfBirth, RequirePlaceOfBirth,
		RequireCountryOfResidence, RequireCountryOfRegistration, RequireLEI,
	}
}

// KnownRequiredField reports whether name is in the vocabulary of RequiredFieldNames.
func KnownRequiredField(name string) bool {
	for _, n := range RequiredFieldNames() {
		if n == name {
			return true
		}
	}
	return false
}

// MissingOriginator reports the required fields o lacks, as FieldErrors with code "required"
// and paths relative to the originator. Names outside the vocabulary are ignored: check tables
// with KnownRequiredField when they are loaded.
func MissingOriginator(o *Originator, required []string) []FieldError {
	if o == nil {
		o = &Originator{}
	}
	return missing("originatorPersons", o.Persons, o.AccountNumbers, required)
}

// MissingBeneficiary reports the required fields b lacks; see MissingOriginator.
func MissingBeneficiary(b *Beneficiary, required []string) []FieldError {
	if b == nil {
		b = &Beneficiary{}
	}
	return missing("beneficiaryPersons", b.Persons, b.AccountNumbers, required)
}

func missing(personsKey string, persons []*ivms101.Person, accounts []string, required []string) []FieldError {
	var out []FieldError
	perPerson := false
	for i, r := range required {
		if dup(required[:i], r) || !KnownRequiredField(r) {
			continue
		}
		if r == RequireAccountNumber {
			if len(accounts) == 0 {
				out = append(out, FieldError{Path: "accountNumber", Code: CodeRequired, Message: "an account number is required by the jurisdiction"})
			}
			continue
		}
		perPerson = true
	}
	if !perPerson {
		return out
	}
	if len(persons) == 0 {
		return append(out, FieldError{Path: personsKey, Code: CodeRequired, Message: "a person is required by the jurisdiction"})
	}
	for i, p := range persons {
		prefix := personsKey + "[" + strconv.Itoa(i) + "]"
		switch {
		case p.GetNaturalPerson() != nil:
			out = missingNatural(out, prefix+".naturalPerson", p.GetNaturalPerson(), required)
		case p.GetLegalPerson() != nil:
			out = missingLegal(out, prefix+".legalPerson", p.GetLegalPerson(), required)
		default:
			out = append(out, FieldError{Path: prefix, Code: CodeRequired, Message: "a natural or legal person is required by the jurisdiction"})
		}
	}
	return out
}

func dup(seen []string, s string) bool {
	for _, x := range seen {
		if x == s {
			return true
		}
	}
	return false
}

func missingNatural(out []FieldError, prefix string, np *ivms101.NaturalPerson, required []string) []FieldError {
	add := func(path, what string) {
		out = append(out, FieldError{Path: prefix + "." + path, Code: CodeRequired, Message: what + " is required by the jurisdiction"})
	}
	for i, r := range required {
		if dup(required[:i], r) {
			continue
		}
		switch r {
		case RequireName:
			ok := false
			for _, id := range np.GetName().GetNameIdentifiers() {
				if id.GetPrimaryIdentifier() != "" {
					ok = true
				}
			}
			if !ok {
				add("name", "a name")
			}
		case RequireGeographicAddress:
			if len(np.GeographicAddresses) == 0 {
				add("geographicAddress", "a geographic address")
			}
		case RequireNationalIdentification:
			if np.GetNationalIdentification().GetNationalIdentifier() == "" {
				add("nationalIdentification", "a national identification")
			}
		case RequireCustomerIdentification:
			if np.CustomerIdentification == "" {
				add("customerIdentification", "a customer identification")
			}
		case RequireDateOfBirth:
			if np.GetDateAndPlaceOfBirth().GetDateOfBirth() == "" {
				add("dateAndPlaceOfBirth.dateOfBirth", "a date of birth")
			}
		case RequirePlaceOfBirth:
			if np.GetDateAndPlaceOfBirth().GetPlaceOfBirth() == "" {
				add("dateAndPlaceOfBirth.placeOfBirth", "a place of birth")
			}
		case RequireCountryOfResidence:
			if np.CountryOfResidence == "" {
				add("countryOfResidence", "a country of residence")
			}
		}
	}
	return out
}

func missingLegal(out []FieldError, prefix string, lp *ivms101.LegalPerson, required []string) []FieldError {
	add := func(path, what string) {
		out = append(out, FieldError{Path: prefix + "." + path, Code: CodeRequired, Message: what + " is required by the jurisdiction"})
	}
	for i, r := range required {
		if dup(required[:i], r) {
			continue
		}
		switch r {
		case RequireName:
			ok := false
			for _, id := range lp.GetName().GetNameIdentifiers() {
				if id.GetLegalPersonName() != "" {
					ok = true
				}
			}
			if !ok {
				add("name", "a name")
			}
		case RequireGeographicAddress:
			if len(lp.GeographicAddresses) == 0 {
				add("geographicAddress", "a geographic address")
			}
		case RequireNationalIdentification:
			if lp.GetNationalIdentification().GetNationalIdentifier() == "" {
				add("nationalIdentification", "a national identification")
			}
		case RequireCustomerIdentification:
			if lp.CustomerNumber == "" {
				add("customerIdentification", "a customer identification")
			}
		case RequireCountryOfRegistration:
			if lp.CountryOfRegistration == "" {
				add("countryOfRegistration", "a country of registration")
			}
		case RequireLEI:
			n := lp.GetNationalIdentification()
			if n.GetNationalIdentifierType() != ivms101.NationalIdentifierLEIX || n.GetNationalIdentifier() == "" {
				add("nationalIdentification", "an LEI")
			}
		}
	}
	return out
}
