package ivms

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/trisacrypto/trisa/pkg/ivms101"
)

// EncodeOptions choose the dialect of the JSON we send. The zero value is IVMS101 2020 as
// 21 Analytics' validator and TRP peers read it, with customerIdentification for legal persons.
type EncodeOptions struct {
	// CustomerNumber writes a legal person's customer identification under customerNumber,
	// the key TRISA's Go types read (they drop customerIdentification on legal persons).
	CustomerNumber bool
	// Version selects the edition: empty or Version2020, or Version2023 (originatorPerson,
	// beneficiaryPerson, accountNumber on the first person, naturalPersonNameIdentifierType, and
	// payloadMetadata.payloadVersion).
	Version Version
}

// EncodeOriginator writes o as strict IVMS101 JSON. It fails only on a code outside its code
// list (a protobuf enum value trisa does not define), naming its path.
func EncodeOriginator(o *Originator, opts EncodeOptions) ([]byte, error) {
	e := newEncoder(opts)
	if o == nil {
		o = &Originator{}
	}
	e.party("originatorPersons", "originatorPerson", o.Persons, o.AccountNumbers)
	return e.result()
}

// EncodeBeneficiary writes b as strict IVMS101 JSON; see EncodeOriginator.
func EncodeBeneficiary(b *Beneficiary, opts EncodeOptions) ([]byte, error) {
	e := newEncoder(opts)
	if b == nil {
		b = &Beneficiary{}
	}
	e.party("beneficiaryPersons", "beneficiaryPerson", b.Persons, b.AccountNumbers)
	return e.result()
}

// EncodePerson writes one Person as strict IVMS101 JSON; see EncodeOriginator.
func EncodePerson(p *ivms101.Person, opts EncodeOptions) ([]byte, error) {
	e := newEncoder(opts)
	e.person(p, nil)
	return e.result()
}

// EncodeIdentity writes an identity payload as strict IVMS101 JSON; see EncodeOriginator.
// In 2020 output payloadVersion is never written (2020 has no such field); in 2023 output it
// always is.
func EncodeIdentity(p *IdentityPayload, opts EncodeOptions) ([]byte, error) {
	e := newEncoder(opts)
	if p == nil {
		p = &IdentityPayload{}
	}
	e.open()
	if p.Originator != nil {
		e.key("originator")
		e.party("originatorPersons", "originatorPerson", p.Originator.Persons, p.Originator.AccountNumbers)
	}
	if p.Beneficiary != nil {
		e.key("beneficiary")
		e.party("beneficiaryPersons", "beneficiaryPerson", p.Beneficiary.Persons, p.Beneficiary.AccountNumbers)
	}
	if p.OriginatingVASP != nil {
		e.key("originatingVASP")
		e.open()
		e.key("originatingVASP")
		e.person(p.OriginatingVASP, nil)
		e.close()
	}
	if p.BeneficiaryVASP != nil {
		e.key("beneficiaryVASP")
		e.open()
		e.key("beneficiaryVASP")
		e.person(p.BeneficiaryVASP, nil)
		e.close()
	}
	if len(p.TransferPath) > 0 {
		e.key("transferPath")
		e.open()
		e.key("transferPath")
		e.b = append(e.b, '[')
		for i, im := range p.TransferPath {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.open()
			if im.VASP != nil {
				e.key("intermediaryVASP")
				e.person(im.VASP, nil)
			}
			e.key("sequence")
			e.b = strconv.AppendUint(e.b, im.Sequence, 10)
			e.close()
		}
		e.b = append(e.b, ']')
		e.close()
	}
	if len(p.PayloadMetadata.TransliterationMethods) > 0 || e.v2023 {
		e.key("payloadMetadata")
		e.open()
		if len(p.PayloadMetadata.TransliterationMethods) > 0 {
			e.key("transliterationMethod")
			e.b = append(e.b, '[')
			for i, c := range p.PayloadMetadata.TransliterationMethods {
				if i > 0 {
					e.b = append(e.b, ',')
				}
				e.code(transliterationCode(c), "payloadMetadata.transliterationMethod")
			}
			e.b = append(e.b, ']')
		}
		if e.v2023 {
			e.key("payloadVersion")
			e.b = appendString(e.b, string(Version2023))
		}
		e.close()
	}
	e.close()
	return e.result()
}

// encoder appends strict IVMS101 JSON to a buffer. first tracks whether the innermost open object
// has members yet.
type encoder struct {
	b      []byte
	opts   EncodeOptions
	v2023  bool
	first  bool
	badAt  string
	nested []bool
}

func newEncoder(opts EncodeOptions) *encoder {
	return &encoder{b: make([]byte, 0, 1024), opts: opts, v2023: opts.Version == Version2023}
}

func (e *encoder) result() ([]byte, error) {
	if e.badAt != "" {
		return nil, fmt.Errorf("ivms: encode: %s holds a value outside its code list", e.badAt)
	}
	return e.b, nil
}

func (e *encoder) open() {
	e.b = append(e.b, '{')
	e.nested = append(e.nested, e.first)
	e.first = true
}

func (e *encoder) close() {
	e.b = append(e.b, '}')
	e.first = e.nested[len(e.nested)-1]
	e.nested = e.nested[:len(e.nested)-1]
}

func (e *encoder) key(k string) {
	if !e.first {
		e.b = append(e.b, ',')
	}
	e.first = false
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
}

// text writes a string member unless it is empty.
func (e *encoder) text(k, v string) {
	if v == "" {
		return
	}
	e.key(k)
	e.b = appendString(e.b, v)
}

// texts writes a list of strings unless it has no non-empty element.
func (e *encoder) texts(k string, vs []string) {
	n := 0
	for _, v := range vs {
		if v != "" {
			n++
		}
	}
	if n == 0 {
		return
	}
	e.key(k)
	e.b = append(e.b, '[')
	n = 0
	for _, v := range vs {
		if v == "" {
			continue
		}
		if n > 0 {
			e.b = append(e.b, ',')
		}
		n++
		e.b = appendString(e.b, v)
	}
	e.b = append(e.b, ']')
}

// code writes a code value; an empty code means the value is outside its list.
func (e *encoder) code(c, where string) {
	if c == "" {
		if e.badAt == "" {
			e.badAt = where
		}
		c = "MISC"
	}
	e.b = appendString(e.b, c)
}

func (e *encoder) party(key2020, key2023 string, persons []*ivms101.Person, accounts []string) {
	e.open()
	key := key2020
	if e.v2023 {
		key = key2023
	}
	if len(persons) > 0 {
		e.key(key)
		e.b = append(e.b, '[')
		for i, p := range persons {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			if e.v2023 && i == 0 {
				// IVMS101.2023 moved accountNumber into Person.
				e.person(p, accounts)
			} else {
				e.person(p, nil)
			}
		}
		e.b = append(e.b, ']')
	}
	if !e.v2023 || len(persons) == 0 {
		e.texts("accountNumber", accounts)
	}
	e.close()
}

func (e *encoder) person(p *ivms101.Person, accounts []string) {
	e.open()
	switch {
	case p.GetNaturalPerson() != nil:
		e.key("naturalPerson")
		e.naturalPerson(p.GetNaturalPerson())
	case p.GetLegalPerson() != nil:
		e.key("legalPerson")
		e.legalPerson(p.GetLegalPerson())
	}
	e.texts("accountNumber", accounts)
	e.close()
}

func (e *encoder) naturalPerson(np *ivms101.NaturalPerson) {
	e.open()
	if n := np.Name; n != nil {
		e.key("name")
		e.open()
		if len(n.NameIdentifiers) > 0 {
			e.key("nameIdentifier")
			e.b = append(e.b, '[')
			for i, id := range n.NameIdentifiers {
				if i > 0 {
					e.b = append(e.b, ',')
				}
				e.naturalNameID(id.GetPrimaryIdentifier(), id.GetSecondaryIdentifier(), id.GetNameIdentifierType(), true)
			}
			e.b = append(e.b, ']')
		}
		e.localNames("localNameIdentifier", n.LocalNameIdentifiers)
		e.localNames("phoneticNameIdentifier", n.PhoneticNameIdentifiers)
		e.close()
	}
	e.addresses(np.GeographicAddresses)
	e.nationalID(np.NationalIdentification)
	e.text("customerIdentification", np.CustomerIdentification)
	if b := np.DateAndPlaceOfBirth; b != nil {
		e.key("dateAndPlaceOfBirth")
		e.open()
		e.text("dateOfBirth", b.DateOfBirth)
		e.text("placeOfBirth", b.PlaceOfBirth)
		e.close()
	}
	e.text("countryOfResidence", np.CountryOfResidence)
	e.close()
}

func (e *encoder) localNames(key string, ids []*ivms101.LocalNaturalPersonNameId) {
	if len(ids) == 0 {
		return
	}
	e.key(key)
	e.b = append(e.b, '[')
	for i, id := range ids {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.naturalNameID(id.GetPrimaryIdentifier(), id.GetSecondaryIdentifier(), id.GetNameIdentifierType(), false)
	}
	e.b = append(e.b, ']')
}

func (e *encoder) naturalNameID(primary, secondary string, typ ivms101.NaturalPersonNameTypeCode, standard bool) {
	e.open()
	e.text("primaryIdentifier", primary)
	e.text("secondaryIdentifier", secondary)
	if standard && e.v2023 {
		e.key("naturalPersonNameIdentifierType")
	} else {
		e.key("nameIdentifierType")
	}
	e.code(naturalNameTypeCode(typ), "nameIdentifierType")
	e.close()
}

func (e *encoder) addresses(as []*ivms101.Address) {
	if len(as) == 0 {
		return
	}
	e.key("geographicAddress")
	e.b = append(e.b, '[')
	for i, a := range as {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		if a == nil {
			a = &ivms101.Address{}
		}
		e.open()
		e.key("addressType")
		e.code(addressTypeCode(a.AddressType), "geographicAddress.addressType")
		e.text("department", a.Department)
		e.text("subDepartment", a.SubDepartment)
		e.text("streetName", a.StreetName)
		e.text("buildingNumber", a.BuildingNumber)
		e.text("buildingName", a.BuildingName)
		e.text("floor", a.Floor)
		e.text("postBox", a.PostBox)
		e.text("room", a.Room)
		e.text("postCode", a.PostCode)
		e.text("townName", a.TownName)
		e.text("townLocationName", a.TownLocationName)
		e.text("districtName", a.DistrictName)
		e.text("countrySubDivision", a.CountrySubDivision)
		e.texts("addressLine", a.AddressLine)
		e.text("country", a.Country)
		e.close()
	}
	e.b = append(e.b, ']')
}

func (e *encoder) nationalID(n *ivms101.NationalIdentification) {
	if n == nil {
		return
	}
	e.key("nationalIdentification")
	e.open()
	e.text("nationalIdentifier", n.NationalIdentifier)
	e.key("nationalIdentifierType")
	e.code(nationalIDTypeCode(n.NationalIdentifierType), "nationalIdentification.nationalIdentifierType")
	e.text("countryOfIssue", n.CountryOfIssue)
	e.text("registrationAuthority", n.RegistrationAuthority)
	e.close()
}

func (e *encoder) legalPerson(lp *ivms101.LegalPerson) {
	e.open()
	if n := lp.Name; n != nil {
		e.key("name")
		e.open()
		e.legalNames("nameIdentifier", n.NameIdentifiers, nil)
		e.legalNames("localNameIdentifier", nil, n.LocalNameIdentifiers)
		e.legalNames("phoneticNameIdentifier", nil, n.PhoneticNameIdentifiers)
		e.close()
	}
	e.addresses(lp.GeographicAddresses)
	if e.opts.CustomerNumber {
		e.text("customerNumber", lp.CustomerNumber)
	} else {
		e.text("customerIdentification", lp.CustomerNumber)
	}
	e.nationalID(lp.NationalIdentification)
	e.text("countryOfRegistration", lp.CountryOfRegistration)
	e.close()
}

func (e *encoder) legalNames(key string, ids []*ivms101.LegalPersonNameId, local []*ivms101.LocalLegalPersonNameId) {
	n := len(ids) + len(local)
	if n == 0 {
		return
	}
	e.key(key)
	e.b = append(e.b, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		var name string
		var typ ivms101.LegalPersonNameTypeCode
		if ids != nil {
			name, typ = ids[i].GetLegalPersonName(), ids[i].GetLegalPersonNameIdentifierType()
		} else {
			name, typ = local[i].GetLegalPersonName(), local[i].GetLegalPersonNameIdentifierType()
		}
		e.open()
		e.text("legalPersonName", name)
		e.key("legalPersonNameIdentifierType")
		e.code(legalNameTypeCode(typ), "legalPersonNameIdentifierType")
		e.close()
	}
	e.b = append(e.b, ']')
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, and U+2028 and U+2029
// are escaped, as encoding/json does.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
