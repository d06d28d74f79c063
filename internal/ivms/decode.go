package ivms

import (
	"github.com/trisacrypto/trisa/pkg/ivms101"
)

// Decoding error codes (DecodeError.Code).
const (
	// CodeSyntax: the input is not well-formed JSON.
	CodeSyntax = "syntax"
	// CodeInvalidType: a value has the wrong JSON type (an object where a string belongs, ...).
	CodeInvalidType = "invalid_type"
	// CodeInvalidCode: a code-list value (nameIdentifierType, addressType, ...) is not in its list.
	CodeInvalidCode = "invalid_code"
	// CodeInvalidValue: a value has the right type but cannot be used (a negative sequence, ...).
	CodeInvalidValue = "invalid_value"
	// CodeUnknownField: a key the model does not know, with DisallowUnknownFields.
	CodeUnknownField = "unknown_field"
	// CodeDuplicateField: a field given twice (directly or through a synonym) with different values.
	CodeDuplicateField = "duplicate_field"
	// CodeOneOf: a person that is both a natural and a legal person.
	CodeOneOf = "one_of"
	// CodeTooDeep: the JSON nests deeper than any IVMS101 document.
	CodeTooDeep = "too_deep"
	// CodeMaxItems: more elements than the model allows (also a validation code).
	CodeMaxItems = "max_items"
)

// DecodeOptions tune the tolerant decoder.
type DecodeOptions struct {
	// DisallowUnknownFields rejects keys that are neither IVMS101 2020 or 2023 keys nor a known
	// synonym (CodeUnknownField, path of the key). Use it for our own API; leave it off for peers.
	DisallowUnknownFields bool
}

// DecodeError is the first problem the decoder met. Path is the JSON path of the offending value
// relative to the decoded object (empty for the object itself), using the IVMS101 2020 key names;
// the message never contains the value.
type DecodeError struct {
	Path    string
	Code    string
	Message string
}

// Error implements error.
func (e *DecodeError) Error() string {
	if e.Path == "" {
		return "ivms: " + e.Message
	}
	return "ivms: " + e.Path + ": " + e.Message
}

// FieldError returns e as a FieldError, so that decoding and validation findings can be reported
// together.
func (e *DecodeError) FieldError() FieldError {
	return FieldError{Path: e.Path, Code: e.Code, Message: e.Message}
}

// DecodeOriginator reads an IVMS101 Originator as users and peers send it (see the package
// documentation for what is tolerated). Errors are *DecodeError.
func DecodeOriginator(data []byte, opts DecodeOptions) (*Originator, error) {
	d := newDecoder(data, opts)
	o := &Originator{}
	d.parties(&o.Persons, &o.AccountNumbers, originatorField, "originatorPersons")
	d.end()
	if d.err != nil {
		return nil, d.err
	}
	return o, nil
}

// DecodeBeneficiary reads an IVMS101 Beneficiary tolerantly. Errors are *DecodeError.
func DecodeBeneficiary(data []byte, opts DecodeOptions) (*Beneficiary, error) {
	d := newDecoder(data, opts)
	b := &Beneficiary{}
	d.parties(&b.Persons, &b.AccountNumbers, beneficiaryField, "beneficiaryPersons")
	d.end()
	if d.err != nil {
		return nil, d.err
	}
	return b, nil
}

// DecodePerson reads one IVMS101 Person tolerantly. A person-level accountNumber (IVMS101.2023)
// is accepted and dropped, since the 2020 model keeps account numbers on the Originator or
// Beneficiary. Errors are *DecodeError.
func DecodePerson(data []byte, opts DecodeOptions) (*ivms101.Person, error) {
	d := newDecoder(data, opts)
	p := d.person("", nil)
	d.end()
	if d.err != nil {
		return nil, d.err
	}
	return p, nil
}

// DecodeIdentity reads an IVMS101 identity payload (originator, beneficiary, originatingVASP,
// beneficiaryVASP, transferPath, payloadMetadata) tolerantly, in the 2020 or the 2023 edition.
// Errors are *DecodeError.
func DecodeIdentity(data []byte, opts DecodeOptions) (*IdentityPayload, error) {
	d := newDecoder(data, opts)
	id := &IdentityPayload{}
	d.identity(id)
	d.end()
	if d.err != nil {
		return nil, d.err
	}
	return id, nil
}

func (d *decoder) identity(id *IdentityPayload) {
	if !d.object() {
		return
	}
	var seen uint64
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			return
		}
		f := identityField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		d.pushKey(identityKey(f))
		if seen&(1<<f) != 0 {
			d.duplicate()
		}
		seen |= 1 << f
		switch f {
		case fOriginator:
			o := &Originator{}
			d.parties(&o.Persons, &o.AccountNumbers, originatorField, "originatorPersons")
			id.Originator = o
		case fBeneficiary:
			b := &Beneficiary{}
			d.parties(&b.Persons, &b.AccountNumbers, beneficiaryField, "beneficiaryPersons")
			id.Beneficiary = b
		case fOriginatingVASP:
			// Normally {"originatingVASP": Person}; person() also takes a bare Person.
			id.OriginatingVASP = d.person("originatingvasp", nil)
		case fBeneficiaryVASP:
			id.BeneficiaryVASP = d.person("beneficiaryvasp", nil)
		case fTransferPath:
			id.TransferPath = d.transferPath()
		case fPayloadMetadata:
			d.metadata(&id.PayloadMetadata)
		}
		d.pop()
		if d.err != nil {
			return
		}
	}
}

func identityKey(f field) string {
	switch f {
	case fOriginator:
		return "originator"
	case fBeneficiary:
		return "beneficiary"
	case fOriginatingVASP:
		return "originatingVASP"
	case fBeneficiaryVASP:
		return "beneficiaryVASP"
	case fTransferPath:
		return "transferPath"
	}
	return "payloadMetadata"
}

// parties reads an Originator or a Beneficiary. Account numbers given on persons (IVMS101.2023)
// are appended after the ones given on the party; repeated account numbers are dropped.
func (d *decoder) parties(persons *[]*ivms101.Person, accounts *[]string, lookup func(string) field, personsKey string) {
	if !d.object() {
		return
	}
	var seen uint64
	var personAccounts []string
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			break
		}
		f := lookup(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		if seen&(1<<f) != 0 {
			if f == fAccountNumber {
				d.pushKey("accountNumber")
			} else {
				d.pushKey(personsKey)
			}
			d.duplicate()
			d.pop()
			return
		}
		seen |= 1 << f
		switch f {
		case fPersons:
			d.pushKey(personsKey)
			d.list(func(int) {
				if p := d.person("", &personAccounts); p != nil {
					*persons = append(*persons, p)
				}
			})
			d.pop()
		case fAccountNumber:
			d.pushKey("accountNumber")
			d.textList(accounts)
			d.pop()
		}
	}
	if len(personAccounts) > 0 || hasRepeats(*accounts) {
		merged := make([]string, 0, len(*accounts)+len(personAccounts))
		for _, list := range [][]string{*accounts, personAccounts} {
			for _, a := range list {
				if !contains(merged, a) {
					merged = append(merged, a)
				}
			}
		}
		*accounts = merged
	}
}

func hasRepeats(list []string) bool {
	for i, s := range list {
		if contains(list[:i], s) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// textList reads a [0..n] list of strings, dropping empty ones.
func (d *decoder) textList(dst *[]string) {
	d.list(func(int) {
		if s := d.text(); s != "" {
			*dst = append(*dst, s)
		}
	})
}

// textInto reads a string field; a repeated field must repeat the same value.
func (d *decoder) textInto(dst *string, repeated bool) {
	s := d.text()
	if d.err != nil {
		return
	}
	if repeated && *dst != s {
		d.duplicate()
		return
	}
	*dst = s
}

// person reads a Person. wrapper is the folded key of an enclosing VASP wrapper whose inner key
// is also accepted; accounts collects person-level account numbers (IVMS101.2023),
// or drops them when nil.
func (d *decoder) person(wrapper string, accounts *[]string) *ivms101.Person {
	if !d.object() {
		return nil
	}
	p := &ivms101.Person{}
	var seenAccounts bool
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			break
		}
		f := personField(k, wrapper)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		switch f {
		case fNaturalPerson:
			d.pushKey("naturalPerson")
			if p.Person != nil {
				d.fail(CodeOneOf, "a person is either a natural or a legal person")
			}
			np := d.naturalPerson()
			p.Person = &ivms101.Person_NaturalPerson{NaturalPerson: np}
			d.pop()
		case fLegalPerson:
			d.pushKey("legalPerson")
			if p.Person != nil {
				d.fail(CodeOneOf, "a person is either a natural or a legal person")
			}
			lp := d.legalPerson()
			p.Person = &ivms101.Person_LegalPerson{LegalPerson: lp}
			d.pop()
		case fAccountNumber:
			d.pushKey("accountNumber")
			if seenAccounts {
				d.duplicate()
			}
			seenAccounts = true
			var list []string
			d.textList(&list)
			if accounts != nil {
				for _, a := range list {
					if !contains(*accounts, a) {
						*accounts = append(*accounts, a)
					}
				}
			}
			d.pop()
		case fWrappedPerson:
			// {"originatingVASP": {"originatingVASP": {...}}}: the inner key holds the person.
			d.pushKey(wrapperKey(wrapper))
			if p.Person != nil {
				d.fail(CodeOneOf, "a person is either a natural or a legal person")
			}
			if inner := d.person("", nil); inner != nil {
				p = inner
			}
			d.pop()
		}
		if d.err != nil {
			return nil
		}
	}
	if d.err != nil {
		return nil
	}
	return p
}

func wrapperKey(folded string) string {
	switch folded {
	case "originatingvasp":
		return "originatingVASP"
	case "beneficiaryvasp":
		return "beneficiaryVASP"
	}
	return "intermediaryVASP"
}

func (d *decoder) naturalPerson() *ivms101.NaturalPerson {
	np := &ivms101.NaturalPerson{}
	if !d.object() {
		return np
	}
	var seen uint64
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			break
		}
		f := naturalPersonField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		repeated := seen&(1<<f) != 0
		seen |= 1 << f
		switch f {
		case fName:
			d.pushKey("name")
			if repeated {
				d.duplicate()
			}
			if np.Name == nil {
				np.Name = &ivms101.NaturalPersonName{}
			}
			if d.peek() == '[' {
				// The 2020 table makes name [1..n]; TRISA models one name, so merge them.
				d.list(func(int) { d.naturalName(np.Name) })
			} else {
				d.naturalName(np.Name)
			}
			d.pop()
		case fAddress:
			d.pushKey("geographicAddress")
			if repeated {
				d.duplicate()
			}
			d.list(func(int) { np.GeographicAddresses = append(np.GeographicAddresses, d.address()) })
			d.pop()
		case fNationalID:
			d.pushKey("nationalIdentification")
			if repeated {
				d.duplicate()
			}
			np.NationalIdentification = d.singleNationalID()
			d.pop()
		case fCustomerID:
			d.pushKey("customerIdentification")
			d.textInto(&np.CustomerIdentification, repeated)
			d.pop()
		case fBirth:
			d.pushKey("dateAndPlaceOfBirth")
			if repeated {
				d.duplicate()
			}
			np.DateAndPlaceOfBirth = d.singleBirth()
			d.pop()
		case fCountry:
			d.pushKey("countryOfResidence")
			d.textInto(&np.CountryOfResidence, repeated)
			d.pop()
		}
		if d.err != nil {
			break
		}
	}
	return np
}

// singleNationalID reads a [0..1] object that some peers wrap in an array.
func (d *decoder) singleNationalID() *ivms101.NationalIdentification {
	var out *ivms101.NationalIdentification
	if d.peek() != '[' {
		return d.nationalID()
	}
	d.list(func(i int) {
		if i > 0 {
			d.fail(CodeMaxItems, "at most one national identification")
			return
		}
		out = d.nationalID()
	})
	return out
}

func (d *decoder) singleBirth() *ivms101.DateAndPlaceOfBirth {
	var out *ivms101.DateAndPlaceOfBirth
	if d.peek() != '[' {
		return d.birth()
	}
	d.list(func(i int) {
		if i > 0 {
			d.fail(CodeMaxItems, "at most one date and place of birth")
			return
		}
		out = d.birth()
	})
	return out
}

func (d *decoder) naturalName(n *ivms101.NaturalPersonName) {
	if !d.object() {
		return
	}
	var seen uint64
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			return
		}
		f := nameField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		repeated := seen&(1<<f) != 0
		seen |= 1 << f
		switch f {
		case fNameID:
			d.pushKey("nameIdentifier")
			if repeated {
				d.duplicate()
			}
			d.list(func(int) {
				primary, secondary, typ := d.naturalNameID()
				n.NameIdentifiers = append(n.NameIdentifiers, &ivms101.NaturalPersonNameId{
					PrimaryIdentifier: primary, SecondaryIdentifier: secondary, NameIdentifierType: typ})
			})
			d.pop()
		case fLocalNameID, fPhoneticNameID:
			key, dst := "localNameIdentifier", &n.LocalNameIdentifiers
			if f == fPhoneticNameID {
				key, dst = "phoneticNameIdentifier", &n.PhoneticNameIdentifiers
			}
			d.pushKey(key)
			if repeated {
				d.duplicate()
			}
			d.list(func(int) {
				primary, secondary, typ := d.naturalNameID()
				*dst = append(*dst, &ivms101.LocalNaturalPersonNameId{
					PrimaryIdentifier: primary, SecondaryIdentifier: secondary, NameIdentifierType: typ})
			})
			d.pop()
		}
		if d.err != nil {
			return
		}
	}
}

func (d *decoder) naturalNameID() (primary, secondary string, typ ivms101.NaturalPersonNameTypeCode) {
	if !d.object() {
		return
	}
	var seen uint64
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			return
		}
		f := naturalNameIDField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		repeated := seen&(1<<f) != 0
		seen |= 1 << f
		switch f {
		case fPrimary:
			d.pushKey("primaryIdentifier")
			d.textInto(&primary, repeated)
		case fSecondary:
			d.pushKey("secondaryIdentifier")
			d.textInto(&secondary, repeated)
		case fNameType:
			d.pushKey("nameIdentifierType")
			if s, ok := d.code(); ok {
				c, ok := parseNaturalNameType(s)
				switch {
				case !ok:
					d.fail(CodeInvalidCode, "must be one of ALIA, BIRT, MAID, LEGL, MISC")
				case repeated && c != typ:
					d.duplicate()
				}
				typ = c
			}
		}
		d.pop()
		if d.err != nil {
			return
		}
	}
}

func (d *decoder) address() *ivms101.Address {
	a := &ivms101.Address{}
	if !d.object() {
		return a
	}
	var seen uint64
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			break
		}
		f := addressField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		repeated := seen&(1<<(f-fAddressType)) != 0
		seen |= 1 << (f - fAddressType)
		switch f {
		case fAddressType:
			d.pushKey("addressType")
			if s, ok := d.code(); ok {
				c, ok := parseAddressType(s)
				switch {
				case !ok:
					d.fail(CodeInvalidCode, "must be one of HOME, BIZZ, GEOG")
				case repeated && c != a.AddressType:
					d.duplicate()
				}
				a.AddressType = c
			}
		case fAddressLine:
			d.pushKey("addressLine")
			if repeated {
				d.duplicate()
			}
			d.textList(&a.AddressLine)
		default:
			key, dst := addressText(a, f)
			d.pushKey(key)
			d.textInto(dst, repeated)
		}
		d.pop()
		if d.err != nil {
			break
		}
	}
	return a
}

// addressText maps an address text field to its 2020 key and its protobuf field.
func addressText(a *ivms101.Address, f field) (string, *string) {
	switch f {
	case fDepartment:
		return "department", &a.Department
	case fSubDepartment:
		return "subDepartment", &a.SubDepartment
	case fStreetName:
		return "streetName", &a.StreetName
	case fBuildingNumber:
		return "buildingNumber", &a.BuildingNumber
	case fBuildingName:
		return "buildingName", &a.BuildingName
	case fFloor:
		return "floor", &a.Floor
	case fPostBox:
		return "postBox", &a.PostBox
	case fRoom:
		return "room", &a.Room
	case fPostCode:
		return "postCode", &a.PostCode
	case fTownName:
		return "townName", &a.TownName
	case fTownLocationName:
		return "townLocationName", &a.TownLocationName
	case fDistrictName:
		return "districtName", &a.DistrictName
	case fCountrySubDivision:
		return "countrySubDivision", &a.CountrySubDivision
	}
	return "country", &a.Country
}

func (d *decoder) birth() *ivms101.DateAndPlaceOfBirth {
	b := &ivms101.DateAndPlaceOfBirth{}
	if !d.object() {
		return b
	}
	var seen uint64
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			break
		}
		f := birthField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		repeated := seen&(1<<(f-fDateOfBirth)) != 0
		seen |= 1 << (f - fDateOfBirth)
		if f == fDateOfBirth {
			d.pushKey("dateOfBirth")
			d.textInto(&b.DateOfBirth, repeated)
		} else {
			d.pushKey("placeOfBirth")
			d.textInto(&b.PlaceOfBirth, repeated)
		}
		d.pop()
		if d.err != nil {
			break
		}
	}
	return b
}

func (d *decoder) nationalID() *ivms101.NationalIdentification {
	n := &ivms101.NationalIdentification{}
	if !d.object() {
		return n
	}
	var seen uint64
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			break
		}
		f := nationalIDField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		repeated := seen&(1<<(f-fNationalIdentifier)) != 0
		seen |= 1 << (f - fNationalIdentifier)
		switch f {
		case fNationalIdentifier:
			d.pushKey("nationalIdentifier")
			d.textInto(&n.NationalIdentifier, repeated)
		case fNationalIDType:
			d.pushKey("nationalIdentifierType")
			if s, ok := d.code(); ok {
				c, ok := parseNationalIDType(s)
				switch {
				case !ok:
					d.fail(CodeInvalidCode, "must be one of ARNU, CCPT, RAID, DRLC, FIIN, TXID, SOCS, IDCD, LEIX, MISC")
				case repeated && c != n.NationalIdentifierType:
					d.duplicate()
				}
				n.NationalIdentifierType = c
			}
		case fCountryOfIssue:
			d.pushKey("countryOfIssue")
			d.textInto(&n.CountryOfIssue, repeated)
		case fRegistrationAuthority:
			d.pushKey("registrationAuthority")
			d.textInto(&n.RegistrationAuthority, repeated)
		}
		d.pop()
		if d.err != nil {
			break
		}
	}
	return n
}

func (d *decoder) legalPerson() *ivms101.LegalPerson {
	lp := &ivms101.LegalPerson{}
	if !d.object() {
		return lp
	}
	var seen uint64
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			break
		}
		f := legalPersonField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		repeated := seen&(1<<f) != 0
		seen |= 1 << f
		switch f {
		case fName:
			d.pushKey("name")
			if repeated {
				d.duplicate()
			}
			if lp.Name == nil {
				lp.Name = &ivms101.LegalPersonName{}
			}
			if d.peek() == '[' {
				d.list(func(int) { d.legalName(lp.Name) })
			} else {
				d.legalName(lp.Name)
			}
		case fAddress:
			d.pushKey("geographicAddress")
			if repeated {
				d.duplicate()
			}
			d.list(func(int) { lp.GeographicAddresses = append(lp.GeographicAddresses, d.address()) })
		case fNationalID:
			d.pushKey("nationalIdentification")
			if repeated {
				d.duplicate()
			}
			lp.NationalIdentification = d.singleNationalID()
		case fCustomerID:
			d.pushKey("customerIdentification")
			d.textInto(&lp.CustomerNumber, repeated)
		case fCountry:
			d.pushKey("countryOfRegistration")
			d.textInto(&lp.CountryOfRegistration, repeated)
		}
		d.pop()
		if d.err != nil {
			break
		}
	}
	return lp
}

func (d *decoder) legalName(n *ivms101.LegalPersonName) {
	if !d.object() {
		return
	}
	var seen uint64
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			return
		}
		f := nameField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		repeated := seen&(1<<f) != 0
		seen |= 1 << f
		switch f {
		case fNameID:
			d.pushKey("nameIdentifier")
			if repeated {
				d.duplicate()
			}
			d.list(func(int) {
				name, typ := d.legalNameID()
				n.NameIdentifiers = append(n.NameIdentifiers, &ivms101.LegalPersonNameId{
					LegalPersonName: name, LegalPersonNameIdentifierType: typ})
			})
		case fLocalNameID, fPhoneticNameID:
			key, dst := "localNameIdentifier", &n.LocalNameIdentifiers
			if f == fPhoneticNameID {
				key, dst = "phoneticNameIdentifier", &n.PhoneticNameIdentifiers
			}
			d.pushKey(key)
			if repeated {
				d.duplicate()
			}
			d.list(func(int) {
				name, typ := d.legalNameID()
				*dst = append(*dst, &ivms101.LocalLegalPersonNameId{
					LegalPersonName: name, LegalPersonNameIdentifierType: typ})
			})
		}
		d.pop()
		if d.err != nil {
			return
		}
	}
}

func (d *decoder) legalNameID() (name string, typ ivms101.LegalPersonNameTypeCode) {
	if !d.object() {
		return
	}
	var seen uint64
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			return
		}
		f := legalNameIDField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		repeated := seen&(1<<f) != 0
		seen |= 1 << f
		if f == fLegalName {
			d.pushKey("legalPersonName")
			d.textInto(&name, repeated)
		} else {
			d.pushKey("legalPersonNameIdentifierType")
			if s, ok := d.code(); ok {
				c, ok := parseLegalNameType(s)
				switch {
				case !ok:
					d.fail(CodeInvalidCode, "must be one of LEGL, SHRT, TRAD")
				case repeated && c != typ:
					d.duplicate()
				}
				typ = c
			}
		}
		d.pop()
		if d.err != nil {
			return
		}
	}
}

// transferPath reads {"transferPath": [IntermediaryVASP...]}, or the bare list.
func (d *decoder) transferPath() []Intermediary {
	var out []Intermediary
	read := func() {
		d.list(func(int) {
			if im, ok := d.intermediary(); ok {
				out = append(out, im)
			}
		})
	}
	if d.peek() == '[' {
		read()
		return out
	}
	if !d.object() {
		return nil
	}
	var seen bool
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			break
		}
		if transferPathField(k) == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		d.pushKey("transferPath")
		if seen {
			d.duplicate()
		}
		seen = true
		read()
		d.pop()
		if d.err != nil {
			break
		}
	}
	return out
}

func (d *decoder) intermediary() (Intermediary, bool) {
	var im Intermediary
	if !d.object() {
		return im, false
	}
	var seenVASP, seenSeq bool
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			break
		}
		f := intermediaryField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		if f == fSequence {
			d.pushKey("sequence")
			n := d.uint()
			if seenSeq && n != im.Sequence {
				d.duplicate()
			}
			seenSeq = true
			im.Sequence = n
		} else {
			d.pushKey("intermediaryVASP")
			if seenVASP {
				d.duplicate()
			}
			seenVASP = true
			im.VASP = d.person("", nil)
		}
		d.pop()
		if d.err != nil {
			break
		}
	}
	return im, d.err == nil
}

func (d *decoder) metadata(m *PayloadMetadata) {
	if !d.object() {
		return
	}
	var seen uint64
	for first := true; ; first = false {
		k, ok := d.member(first)
		if !ok {
			return
		}
		f := metadataField(k)
		if f == fUnknown {
			d.unknown(k)
			continue
		}
		if d.null() {
			continue
		}
		repeated := seen&(1<<(f-fTransliteration)) != 0
		seen |= 1 << (f - fTransliteration)
		if f == fTransliteration {
			d.pushKey("transliterationMethod")
			if repeated {
				d.duplicate()
			}
			d.list(func(int) {
				if s, ok := d.code(); ok {
					c, ok := parseTransliteration(s)
					if !ok {
						d.fail(CodeInvalidCode, "must be an IVMS101 transliteration method code (ISO 15924)")
						return
					}
					m.TransliterationMethods = append(m.TransliterationMethods, c)
				}
			})
		} else {
			d.pushKey("payloadVersion")
			v := string(m.PayloadVersion)
			d.textInto(&v, repeated)
			m.PayloadVersion = Version(v)
		}
		d.pop()
		if d.err != nil {
			return
		}
	}
}
