package email

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/waybill/waybill/internal/ivms"
)

// option is one choice of a select list.
type option struct {
	Value string
	Label string
}

// Reasons the pages offer. The chosen code starts the reason the engine records (code, a
// colon, then the visitor's details), as reasons from every other route do.
var (
	declineReasons = []option{
		{"unknown_beneficiary", "The beneficiary is not our customer"},
		{"beneficiary_name_mismatch", "The beneficiary's name does not match our records"},
		{"incomplete_data", "The originator's data is incomplete"},
		{"compliance_refused", "Our compliance review refuses this transfer"},
		{"sanctions_screening", "Sanctions screening"},
		{"unsupported_asset", "We do not support this asset or network"},
		{"other", "Another reason (say which below)"},
	}
	requestDeclineReasons = []option{
		{"unknown_originator", "The sender is not our customer"},
		{"compliance_refused", "Our compliance review refuses to share the data"},
		{"other", "Another reason (say which below)"},
	}
	notReadyReasons = []option{
		{"awaiting_kyc", "We are still verifying our customer"},
		{"under_review", "The transfer is under compliance review"},
		{"other", "Another reason (say which below)"},
	}
	rejectReasons = []option{
		{"address_not_controlled", "We do not control this address"},
	}
	requestRejectReasons = []option{
		{"address_not_controlled", "The transaction was not sent by one of our customers"},
	}
	nationalIDOptions = []option{
		{"", "(none)"}, {"CCPT", "Passport"}, {"IDCD", "Identity card"}, {"DRLC", "Driving licence"},
		{"TXID", "Tax identification number"}, {"SOCS", "Social security number"}, {"ARNU", "Alien registration number"},
		{"MISC", "Other"},
	}
)

// maxDetails bounds the free text of a reason.
const maxDetails = 300

// reasonFrom builds the recorded reason from a chosen code and the visitor's details: an unknown
// code is refused (ok false); details lose control characters and are cut at maxDetails.
func reasonFrom(opts []option, chosen, details string) (string, bool) {
	label := ""
	for _, o := range opts {
		if o.Value == chosen {
			label = o.Label
		}
	}
	if label == "" {
		return "", false
	}
	d := clean(details, maxDetails)
	if chosen == "other" && d == "" {
		return "", false
	}
	if d == "" {
		d = strings.ToLower(label[:1]) + label[1:]
	}
	return chosen + ": " + d, true
}

// clean keeps printable text on one line, at most max runes.
func clean(s string, max int) string {
	var b strings.Builder
	n := 0
	space := false
	for _, r := range s {
		if n >= max {
			break
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if !unicode.IsPrint(r) {
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// originatorForm is what the post-transaction request page asks of the originating VASP about
// its customer. Field names are the form's input names.
type originatorForm struct {
	PersonType string // natural or legal
	// Natural person.
	FamilyName, GivenNames, DateOfBirth, PlaceOfBirth, Residence string
	NationalID, NationalIDType, NationalIDCountry, CustomerID    string
	// Legal person.
	LegalName, LEI, Registration, CustomerNumber string
	// Address.
	Street, BuildingNumber, PostCode, Town, Country string
	Account                                         string
}

// maxField bounds every field of the form (IVMS101's longest text is 100 characters).
const maxField = 200

func parseOriginatorForm(v url.Values) originatorForm {
	g := func(k string) string { return clean(v.Get(k), maxField) }
	return originatorForm{
		PersonType: g("person_type"),
		FamilyName: g("family_name"), GivenNames: g("given_names"), DateOfBirth: g("date_of_birth"),
		PlaceOfBirth: g("place_of_birth"), Residence: strings.ToUpper(g("country_of_residence")),
		NationalID: g("national_id"), NationalIDType: strings.ToUpper(g("national_id_type")),
		NationalIDCountry: strings.ToUpper(g("national_id_country")), CustomerID: g("customer_id"),
		LegalName: g("legal_name"), LEI: strings.ToUpper(g("lei")), Registration: strings.ToUpper(g("country_of_registration")),
		CustomerNumber: g("customer_number"),
		Street:         g("street"), BuildingNumber: g("building_number"), PostCode: g("post_code"), Town: g("town"),
		Country: strings.ToUpper(g("country")), Account: g("account_number"),
	}
}

// formError is a problem with one input of the form; Field is the input's name.
type formError struct {
	Field   string
	Message string
}

// originator turns the form into IVMS101 data, checking what IVMS101 and FATF R.16 ask of an
// originator: a name, an account number, and the address, a national identity number, a
// customer identification number or the date and place of birth. The errors name inputs and
// never repeat what was typed.
func (f originatorForm) originator(now time.Time) (*ivms.Originator, []formError) {
	var fe []formError
	person := map[string]any{}
	var address map[string]any
	if f.Street != "" || f.BuildingNumber != "" || f.PostCode != "" || f.Town != "" || f.Country != "" {
		// A legal person's address counts for IVMS101 C4 only as its registered (GEOG) address.
		typ := "HOME"
		if f.PersonType == "legal" {
			typ = "GEOG"
		}
		address = map[string]any{"addressType": typ, "streetName": f.Street, "buildingNumber": f.BuildingNumber,
			"postCode": f.PostCode, "townName": f.Town, "country": f.Country}
		if f.Town == "" {
			fe = append(fe, formError{"town", "Give the town of the address."})
		}
		if f.Country == "" {
			fe = append(fe, formError{"country", "Give the country of the address."})
		}
		if f.Street == "" || f.BuildingNumber == "" {
			fe = append(fe, formError{"street", "Give the street and the building number of the address."})
		}
	}
	switch f.PersonType {
	case "natural":
		if f.FamilyName == "" {
			fe = append(fe, formError{"family_name", "Give the customer's family name."})
		}
		np := map[string]any{"name": map[string]any{"nameIdentifier": []any{map[string]any{
			"primaryIdentifier": f.FamilyName, "secondaryIdentifier": f.GivenNames, "nameIdentifierType": "LEGL"}}}}
		if address != nil {
			np["geographicAddress"] = []any{address}
		}
		if f.DateOfBirth != "" || f.PlaceOfBirth != "" {
			if f.DateOfBirth == "" || f.PlaceOfBirth == "" {
				fe = append(fe, formError{"date_of_birth", "Give both the date and the place of birth, or neither."})
			}
			np["dateAndPlaceOfBirth"] = map[string]any{"dateOfBirth": f.DateOfBirth, "placeOfBirth": f.PlaceOfBirth}
		}
		if f.NationalID != "" {
			typ := f.NationalIDType
			if typ == "" {
				typ = "MISC"
			}
			np["nationalIdentification"] = map[string]any{"nationalIdentifier": f.NationalID, "nationalIdentifierType": typ,
				"countryOfIssue": f.NationalIDCountry}
		}
		if f.CustomerID != "" {
			np["customerIdentification"] = f.CustomerID
		}
		if f.Residence != "" {
			np["countryOfResidence"] = f.Residence
		}
		if address == nil && f.NationalID == "" && f.CustomerID == "" && (f.DateOfBirth == "" || f.PlaceOfBirth == "") {
			fe = append(fe, formError{"street", "Give the address, a national identity number, a customer identification number, or the date and place of birth."})
		}
		person["naturalPerson"] = np
	case "legal":
		if f.LegalName == "" {
			fe = append(fe, formError{"legal_name", "Give the customer's legal name."})
		}
		lp := map[string]any{"name": map[string]any{"nameIdentifier": []any{map[string]any{
			"legalPersonName": f.LegalName, "legalPersonNameIdentifierType": "LEGL"}}}}
		if address != nil {
			lp["geographicAddress"] = []any{address}
		}
		if f.LEI != "" {
			if !ivms.ValidLEI(f.LEI) {
				fe = append(fe, formError{"lei", "The LEI is not valid (20 characters with a correct check)."})
			}
			lp["nationalIdentification"] = map[string]any{"nationalIdentifier": f.LEI, "nationalIdentifierType": "LEIX"}
		}
		if f.CustomerNumber != "" {
			lp["customerNumber"] = f.CustomerNumber
		}
		if f.Registration != "" {
			lp["countryOfRegistration"] = f.Registration
		}
		if address == nil && f.LEI == "" && f.CustomerNumber == "" {
			fe = append(fe, formError{"street", "Give the address, the LEI or a customer number."})
		}
		person["legalPerson"] = lp
	default:
		return nil, []formError{{"person_type", "Say whether the customer is a natural or a legal person."}}
	}
	if f.Account == "" {
		fe = append(fe, formError{"account_number", "Give the customer's account number or address."})
	}
	if len(fe) > 0 {
		return nil, fe
	}
	raw, err := json.Marshal(map[string]any{"originatorPersons": []any{person}, "accountNumber": []string{f.Account}})
	if err != nil {
		return nil, []formError{{"", "The form could not be read."}}
	}
	o, err := ivms.DecodeOriginator(raw, ivms.DecodeOptions{DisallowUnknownFields: true})
	if err != nil {
		return nil, []formError{{"", "The form could not be read."}}
	}
	if v := ivms.ValidateOriginator(o, now); !v.OK() {
		for _, e := range v.Errors {
			fe = append(fe, formError{Field: fieldOf(e.Path), Message: e.Message})
		}
		return nil, fe
	}
	return o, nil
}

// fieldOf maps an IVMS101 path of the originator the form built to the input it came from.
func fieldOf(path string) string {
	for _, m := range []struct{ part, field string }{
		{"dateAndPlaceOfBirth.dateOfBirth", "date_of_birth"},
		{"dateAndPlaceOfBirth.placeOfBirth", "place_of_birth"},
		{"nationalIdentification.countryOfIssue", "national_id_country"},
		{"nationalIdentification", "national_id"},
		{"countryOfResidence", "country_of_residence"},
		{"countryOfRegistration", "country_of_registration"},
		{"customerIdentification", "customer_id"},
		{"customerNumber", "customer_number"},
		{"streetName", "street"},
		{"buildingNumber", "building_number"},
		{"postCode", "post_code"},
		{"townName", "town"},
		{"geographicAddress", "country"},
		{"secondaryIdentifier", "given_names"},
		{"legalPersonName", "legal_name"},
		{"naturalPerson.name", "family_name"},
		{"legalPerson.name", "legal_name"},
		{"accountNumber", "account_number"},
	} {
		if strings.Contains(path, m.part) {
			return m.field
		}
	}
	return ""
}
