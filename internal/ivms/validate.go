package ivms

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trisacrypto/lei"
	"github.com/trisacrypto/trisa/pkg/iso3166"
	"github.com/trisacrypto/trisa/pkg/ivms101"
)

// Validation codes (FieldError.Code). The IVMS101 constraints keep their numbers ("C1" ... "C12"),
// except C3, which is CodeInvalidCountry.
const (
	// CodeRequired: a mandatory field is missing or empty.
	CodeRequired = "required"
	// CodeMaxLength: a text is longer than its Max*Text type allows (counted in characters).
	CodeMaxLength = "max_length"
	// CodeInvalidCountry: not an ISO 3166-1 alpha-2 code nor XX (constraint C3).
	CodeInvalidCountry = "invalid_country"
	// CodeInvalidDate: a date that is not an existing YYYY-MM-DD date.
	CodeInvalidDate = "invalid_date"
	// CodeCharset: a warning: the text has characters outside the IVMS101 2020 MaxNText set
	// (Latin letters, digits, apostrophe, space). No implementation enforces that set.
	CodeCharset = "charset"
)

// FieldError is one finding about a field. Path is relative to what was validated (the caller
// prefixes it, e.g. "originator."); Message never contains the field's value.
type FieldError struct {
	Path    string `json:"path"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error implements error.
func (e FieldError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// Validation is the outcome of a validation: errors make the data unacceptable, warnings do not.
type Validation struct {
	Errors   []FieldError
	Warnings []FieldError
}

// OK reports whether there are no errors.
func (v Validation) OK() bool { return len(v.Errors) == 0 }

// ValidateOriginator checks o against IVMS101: originatorPersons [1..n], every person (C1 and C4
// apply here, strictly), account numbers. now is the clock for C2.
func ValidateOriginator(o *Originator, now time.Time) Validation {
	v := newValidator(now)
	if o == nil {
		o = &Originator{}
	}
	v.party("originatorPersons", o.Persons, o.AccountNumbers, true)
	return v.res
}

// ValidateBeneficiary checks b against IVMS101: beneficiaryPersons [1..n], every person (without
// C1 and C4, which bind originators), account numbers. now is the clock for C2.
func ValidateBeneficiary(b *Beneficiary, now time.Time) Validation {
	v := newValidator(now)
	if b == nil {
		b = &Beneficiary{}
	}
	v.party("beneficiaryPersons", b.Persons, b.AccountNumbers, false)
	return v.res
}

// ValidatePerson checks one person that is not an originator (a beneficiary, a VASP): every
// rule except C1 and C4. Paths start at "naturalPerson" or "legalPerson".
func ValidatePerson(p *ivms101.Person, now time.Time) Validation {
	v := newValidator(now)
	v.person(p, false)
	return v.res
}

// ValidateIdentity checks a whole payload: originator and beneficiary are required, the VASPs
// and the transfer path are checked when present, and the transfer path sequence must run from 0
// without gaps (C12). Paths start at the payload's keys ("originator.originatorPersons[0]...").
func ValidateIdentity(p *IdentityPayload, now time.Time) Validation {
	v := newValidator(now)
	if p == nil {
		p = &IdentityPayload{}
	}
	v.push("originator")
	if p.Originator == nil {
		v.fail(CodeRequired, "the originator is required")
	} else {
		v.party("originatorPersons", p.Originator.Persons, p.Originator.AccountNumbers, true)
	}
	v.pop()
	v.push("beneficiary")
	if p.Beneficiary == nil {
		v.fail(CodeRequired, "the beneficiary is required")
	} else {
		v.party("beneficiaryPersons", p.Beneficiary.Persons, p.Beneficiary.AccountNumbers, false)
	}
	v.pop()
	if p.OriginatingVASP != nil {
		v.push("originatingVASP")
		v.push("originatingVASP")
		v.person(p.OriginatingVASP, false)
		v.pop()
		v.pop()
	}
	if p.BeneficiaryVASP != nil {
		v.push("beneficiaryVASP")
		v.push("beneficiaryVASP")
		v.person(p.BeneficiaryVASP, false)
		v.pop()
		v.pop()
	}
	if len(p.TransferPath) > 0 {
		v.push("transferPath")
		v.push("transferPath")
		v.transferPath(p.TransferPath)
		v.pop()
		v.pop()
	}
	return v.res
}

type validator struct {
	today string // YYYY-MM-DD of now in UTC
	path  []seg
	res   Validation
	base  [16]seg
}

func newValidator(now time.Time) *validator {
	v := &validator{today: now.UTC().Format(time.DateOnly)}
	v.path = v.base[:0]
	return v
}

func (v *validator) push(k string) { v.path = append(v.path, seg{key: k, idx: -1}) }
func (v *validator) pushIdx(i int) { v.path = append(v.path, seg{idx: i}) }
func (v *validator) pop()          { v.path = v.path[:len(v.path)-1] }

func (v *validator) fail(code, msg string) {
	v.res.Errors = append(v.res.Errors, FieldError{Path: renderPath(v.path), Code: code, Message: msg})
}

func (v *validator) warn(code, msg string) {
	v.res.Warnings = append(v.res.Warnings, FieldError{Path: renderPath(v.path), Code: code, Message: msg})
}

// failAt records an error at the current path extended by key.
func (v *validator) failAt(key, code, msg string) {
	v.push(key)
	v.fail(code, msg)
	v.pop()
}

func (v *validator) party(key string, persons []*ivms101.Person, accounts []string, originator bool) {
	v.push(key)
	if len(persons) == 0 {
		v.fail(CodeRequired, "at least one person is required")
	}
	for i, p := range persons {
		v.pushIdx(i)
		v.person(p, originator)
		v.pop()
	}
	v.pop()
	v.push("accountNumber")
	for i, a := range accounts {
		v.pushIdx(i)
		v.maxText(a, 100, true)
		v.pop()
	}
	v.pop()
}

func (v *validator) person(p *ivms101.Person, originator bool) {
	switch {
	case p.GetNaturalPerson() != nil:
		v.push("naturalPerson")
		v.naturalPerson(p.GetNaturalPerson(), originator)
		v.pop()
	case p.GetLegalPerson() != nil:
		v.push("legalPerson")
		v.legalPerson(p.GetLegalPerson(), originator)
		v.pop()
	default:
		v.fail(CodeRequired, "a person must be a naturalPerson or a legalPerson")
	}
}

func (v *validator) naturalPerson(np *ivms101.NaturalPerson, originator bool) {
	if np.Name == nil {
		v.failAt("name", CodeRequired, "a name is required")
	} else {
		v.push("name")
		v.naturalName(np.Name)
		v.pop()
	}
	hasAddress := v.addresses(np.GeographicAddresses, false)
	if np.NationalIdentification != nil {
		v.push("nationalIdentification")
		v.nationalID(np.NationalIdentification, false)
		v.pop()
	}
	v.push("customerIdentification")
	v.maxText(np.CustomerIdentification, 50, true)
	v.pop()
	if b := np.DateAndPlaceOfBirth; b != nil {
		v.push("dateAndPlaceOfBirth")
		v.birth(b)
		v.pop()
	}
	if np.CountryOfResidence != "" {
		v.push("countryOfResidence")
		v.country(np.CountryOfResidence)
		v.pop()
	}
	if originator && !hasAddress && np.CustomerIdentification == "" && np.NationalIdentification == nil && np.DateAndPlaceOfBirth == nil {
		v.fail("C1", "a natural-person originator needs a geographic address, a customer identification, a national identification, or a date and place of birth (C1)")
	}
}

func (v *validator) naturalName(n *ivms101.NaturalPersonName) {
	v.push("nameIdentifier")
	if len(n.NameIdentifiers) == 0 {
		v.fail(CodeRequired, "at least one name identifier is required")
	}
	legal := false
	for i, id := range n.NameIdentifiers {
		v.pushIdx(i)
		v.nameID(id.GetPrimaryIdentifier(), id.GetSecondaryIdentifier(), id.GetNameIdentifierType(), true)
		v.pop()
		if id.GetNameIdentifierType() == ivms101.NaturalPersonLegal {
			legal = true
		}
	}
	if len(n.NameIdentifiers) > 0 && !legal {
		v.fail("C6", "at least one name identifier must have type LEGL (C6)")
	}
	v.pop()
	for _, list := range []struct {
		key string
		ids []*ivms101.LocalNaturalPersonNameId
	}{{"localNameIdentifier", n.LocalNameIdentifiers}, {"phoneticNameIdentifier", n.PhoneticNameIdentifiers}} {
		if len(list.ids) == 0 {
			continue
		}
		v.push(list.key)
		for i, id := range list.ids {
			v.pushIdx(i)
			v.nameID(id.GetPrimaryIdentifier(), id.GetSecondaryIdentifier(), id.GetNameIdentifierType(), false)
			v.pop()
		}
		v.pop()
	}
}

func (v *validator) nameID(primary, secondary string, typ ivms101.NaturalPersonNameTypeCode, charset bool) {
	v.push("primaryIdentifier")
	if primary == "" {
		v.fail(CodeRequired, "the primary identifier (surname) is required")
	}
	v.maxText(primary, 100, charset)
	v.pop()
	v.push("secondaryIdentifier")
	v.maxText(secondary, 100, charset)
	v.pop()
	if naturalNameTypeCode(typ) == "" {
		v.failAt("nameIdentifierType", CodeInvalidCode, "must be one of ALIA, BIRT, MAID, LEGL, MISC")
	}
}

// addresses checks a geographicAddress list and reports whether one has a HOME, BIZZ or GEOG
// type (C1), or a GEOG type when geogOnly (C4).
func (v *validator) addresses(as []*ivms101.Address, geogOnly bool) bool {
	found := false
	if len(as) == 0 {
		return false
	}
	v.push("geographicAddress")
	for i, a := range as {
		v.pushIdx(i)
		if a == nil {
			a = &ivms101.Address{}
		}
		v.address(a)
		v.pop()
		switch a.AddressType {
		case ivms101.AddressTypeGeographic:
			found = true
		case ivms101.AddressTypeHome, ivms101.AddressTypeBusiness:
			found = found || !geogOnly
		}
	}
	v.pop()
	return found
}

func (v *validator) address(a *ivms101.Address) {
	switch a.AddressType {
	case ivms101.AddressTypeHome, ivms101.AddressTypeBusiness, ivms101.AddressTypeGeographic:
	case ivms101.AddressTypeMisc:
		v.failAt("addressType", CodeRequired, "the address type is required (HOME, BIZZ or GEOG)")
	default:
		v.failAt("addressType", CodeInvalidCode, "must be one of HOME, BIZZ, GEOG")
	}
	v.textField("department", a.Department, 50)
	v.textField("subDepartment", a.SubDepartment, 70)
	v.textField("streetName", a.StreetName, 70)
	v.textField("buildingNumber", a.BuildingNumber, 16)
	v.textField("buildingName", a.BuildingName, 35)
	v.textField("floor", a.Floor, 70)
	v.textField("postBox", a.PostBox, 16)
	v.textField("room", a.Room, 70)
	v.textField("postCode", a.PostCode, 16)
	if a.TownName == "" {
		v.failAt("townName", CodeRequired, "the town name is required")
	}
	v.textField("townName", a.TownName, 35)
	v.textField("townLocationName", a.TownLocationName, 35)
	v.textField("districtName", a.DistrictName, 35)
	v.textField("countrySubDivision", a.CountrySubDivision, 35)
	if len(a.AddressLine) > 0 {
		v.push("addressLine")
		if len(a.AddressLine) > 7 {
			v.fail(CodeMaxItems, "at most 7 address lines")
		}
		for i, l := range a.AddressLine {
			v.pushIdx(i)
			v.maxText(l, 70, true)
			v.pop()
		}
		v.pop()
	}
	v.push("country")
	if a.Country == "" {
		v.fail(CodeRequired, "the country is required")
	} else {
		v.country(a.Country)
	}
	v.pop()
	if !hasText(a.AddressLine) && (a.StreetName == "" || (a.BuildingName == "" && a.BuildingNumber == "")) {
		v.fail("C8", "an address needs an address line, or a street name with a building name or number (C8)")
	}
}

func hasText(lines []string) bool {
	for _, l := range lines {
		if l != "" {
			return true
		}
	}
	return false
}

func (v *validator) textField(key, s string, max int) {
	if s == "" {
		return
	}
	v.push(key)
	v.maxText(s, max, true)
	v.pop()
}

// maxText checks a MaxNText (charset true) or LocalMaxNText value at the current path.
func (v *validator) maxText(s string, max int, charset bool) {
	if s == "" {
		return
	}
	if len(s) > max && utf8.RuneCountInString(s) > max {
		v.fail(CodeMaxLength, "must be at most "+strconv.Itoa(max)+" characters")
	}
	if charset && !latin2020(s) {
		v.warn(CodeCharset, "has characters outside the IVMS101 2020 character set (Latin letters, digits, apostrophe, space)")
	}
}

// latin2020 reports whether s matches the IVMS101 2020 MaxNText pattern [a-zA-Z0-9' ].
func latin2020(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '\'' || c == ' ') {
			return false
		}
	}
	return true
}

func (v *validator) country(c string) {
	if !ValidCountry(c) {
		v.fail(CodeInvalidCountry, "must be an ISO 3166-1 alpha-2 country code or XX (C3)")
	}
}

// ValidCountry reports whether c is an ISO 3166-1 alpha-2 code or XX, as IVMS101's CountryCode
// (constraint C3) requires.
func ValidCountry(c string) bool {
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		return false
	}
	if c == "XX" {
		return true
	}
	// Find looks alpha-2 codes up in a map, but falls back to matching country-name prefixes,
	// hence the comparison (ValidateAlpha2 would run a regular expression first).
	code, err := iso3166.Find(c)
	return err == nil && code.Alpha2 == c
}

// ValidLEI reports whether s is an LEI: the LEIText pattern ^[0-9A-Z]{18}[0-9]{2}$ and the
// ISO 17442 mod-97 check (constraint C11).
func ValidLEI(s string) bool {
	if len(s) != 20 {
		return false
	}
	for i := 0; i < 20; i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || (i < 18 && c >= 'A' && c <= 'Z')) {
			return false
		}
	}
	return lei.LEI(s).Check() == nil
}

// ValidRegistrationAuthority reports whether ra is on GLEIF's Registration Authorities list
// (constraint C10). It uses the sorted copy in github.com/trisacrypto/lei, which holds the same
// list as trisa's pkg/gleif (a test checks this) but searches it in logarithmic time.
func ValidRegistrationAuthority(ra string) bool {
	if len(ra) != 8 || !strings.HasPrefix(ra, "RA") {
		return false
	}
	for i := 2; i < 8; i++ {
		if ra[i] < '0' || ra[i] > '9' {
			return false
		}
	}
	return lei.CheckRA(ra) == nil
}

func (v *validator) birth(b *ivms101.DateAndPlaceOfBirth) {
	v.push("dateOfBirth")
	switch {
	case b.DateOfBirth == "":
		v.fail(CodeRequired, "the date of birth is required with the place of birth")
	case !validDate(b.DateOfBirth):
		v.fail(CodeInvalidDate, "must be a date in the form YYYY-MM-DD")
	case b.DateOfBirth >= v.today:
		v.fail("C2", "must be in the past (C2)")
	}
	v.pop()
	v.push("placeOfBirth")
	if b.PlaceOfBirth == "" {
		v.fail(CodeRequired, "the place of birth is required with the date of birth")
	}
	v.maxText(b.PlaceOfBirth, 70, true)
	v.pop()
}

// validDate reports whether s is an existing calendar date written YYYY-MM-DD.
func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i, c := range []byte(s) {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func (v *validator) nationalID(n *ivms101.NationalIdentification, legal bool) {
	v.push("nationalIdentifier")
	if n.NationalIdentifier == "" {
		v.fail(CodeRequired, "the national identifier is required")
	}
	v.maxText(n.NationalIdentifier, 35, true)
	if n.NationalIdentifierType == ivms101.NationalIdentifierLEIX && n.NationalIdentifier != "" && !ValidLEI(n.NationalIdentifier) {
		v.fail("C11", "must be a valid LEI (C11)")
	}
	v.pop()
	typ := n.NationalIdentifierType
	if nationalIDTypeCode(typ) == "" {
		v.failAt("nationalIdentifierType", CodeInvalidCode, "must be one of ARNU, CCPT, RAID, DRLC, FIIN, TXID, SOCS, IDCD, LEIX, MISC")
	} else if legal {
		switch typ {
		case ivms101.NationalIdentifierRAID, ivms101.NationalIdentifierMISC, ivms101.NationalIdentifierLEIX, ivms101.NationalIdentifierTXID:
		default:
			v.failAt("nationalIdentifierType", "C7", "a legal person's national identifier type must be RAID, MISC, LEIX or TXID (C7)")
		}
	}
	if n.CountryOfIssue != "" {
		v.push("countryOfIssue")
		if legal {
			v.fail("C9", "a legal person's national identification has no country of issue (C9)")
		} else {
			v.country(n.CountryOfIssue)
		}
		v.pop()
	}
	v.push("registrationAuthority")
	switch {
	case legal && typ == ivms101.NationalIdentifierLEIX && n.RegistrationAuthority != "":
		v.fail("C9", "a registration authority must not be given for an LEI (C9)")
	case legal && typ != ivms101.NationalIdentifierLEIX && n.RegistrationAuthority == "":
		v.fail("C9", "a registration authority is required unless the type is LEIX (C9)")
	case n.RegistrationAuthority != "" && !ValidRegistrationAuthority(n.RegistrationAuthority):
		v.fail("C10", "must be a code from GLEIF's registration authorities list (C10)")
	}
	v.pop()
}

func (v *validator) legalPerson(lp *ivms101.LegalPerson, originator bool) {
	if lp.Name == nil {
		v.failAt("name", CodeRequired, "a name is required")
	} else {
		v.push("name")
		v.legalName(lp.Name)
		v.pop()
	}
	hasGeog := v.addresses(lp.GeographicAddresses, true)
	v.push("customerIdentification")
	v.maxText(lp.CustomerNumber, 50, true)
	v.pop()
	if lp.NationalIdentification != nil {
		v.push("nationalIdentification")
		v.nationalID(lp.NationalIdentification, true)
		v.pop()
	}
	if lp.CountryOfRegistration != "" {
		v.push("countryOfRegistration")
		v.country(lp.CountryOfRegistration)
		v.pop()
	}
	if originator && !hasGeog && lp.CustomerNumber == "" && lp.NationalIdentification == nil {
		v.fail("C4", "a legal-person originator needs a geographic address of type GEOG, a customer number, or a national identification (C4)")
	}
}

func (v *validator) legalName(n *ivms101.LegalPersonName) {
	v.push("nameIdentifier")
	if len(n.NameIdentifiers) == 0 {
		v.fail(CodeRequired, "at least one name identifier is required")
	}
	legal := false
	for i, id := range n.NameIdentifiers {
		v.pushIdx(i)
		v.legalNameID(id.GetLegalPersonName(), id.GetLegalPersonNameIdentifierType(), true)
		v.pop()
		if id.GetLegalPersonNameIdentifierType() == ivms101.LegalPersonLegal {
			legal = true
		}
	}
	if len(n.NameIdentifiers) > 0 && !legal {
		v.fail("C5", "at least one name identifier must have type LEGL (C5)")
	}
	v.pop()
	for _, list := range []struct {
		key string
		ids []*ivms101.LocalLegalPersonNameId
	}{{"localNameIdentifier", n.LocalNameIdentifiers}, {"phoneticNameIdentifier", n.PhoneticNameIdentifiers}} {
		if len(list.ids) == 0 {
			continue
		}
		v.push(list.key)
		for i, id := range list.ids {
			v.pushIdx(i)
			v.legalNameID(id.GetLegalPersonName(), id.GetLegalPersonNameIdentifierType(), false)
			v.pop()
		}
		v.pop()
	}
}

func (v *validator) legalNameID(name string, typ ivms101.LegalPersonNameTypeCode, charset bool) {
	v.push("legalPersonName")
	if name == "" {
		v.fail(CodeRequired, "the legal person name is required")
	}
	v.maxText(name, 100, charset)
	v.pop()
	switch typ {
	case ivms101.LegalPersonLegal, ivms101.LegalPersonShort, ivms101.LegalPersonTrading:
	case ivms101.LegalPersonMisc:
		v.failAt("legalPersonNameIdentifierType", CodeRequired, "the name type is required (LEGL, SHRT or TRAD)")
	default:
		v.failAt("legalPersonNameIdentifierType", CodeInvalidCode, "must be one of LEGL, SHRT, TRAD")
	}
}

func (v *validator) transferPath(path []Intermediary) {
	seen := make([]bool, len(path))
	for i, im := range path {
		v.pushIdx(i)
		if im.VASP == nil {
			v.failAt("intermediaryVASP", CodeRequired, "the intermediary VASP is required")
		} else {
			v.push("intermediaryVASP")
			v.person(im.VASP, false)
			v.pop()
		}
		v.push("sequence")
		switch {
		case im.Sequence >= uint64(len(path)):
			v.fail("C12", "sequence numbers must run from 0 without gaps (C12)")
		case seen[im.Sequence]:
			v.fail("C12", "sequence numbers must not repeat (C12)")
		default:
			seen[im.Sequence] = true
		}
		v.pop()
		v.pop()
	}
}
