// Package ivms handles IVMS101 identity data (the interVASP Messaging Standard, 2020 edition,
// with IVMS101.2023 input and output) on top of github.com/trisacrypto/trisa's pkg/ivms101
// protobuf types.
//
// It gives:
//   - tolerant decoding of what users and peers send (DecodeOriginator, DecodeIdentity, ...):
//     an object where an array belongs, key case variants (camelCase, PascalCase, snake_case),
//     postcode/postCode, customerNumber/customerIdentification, the IVMS101.2023 keys, short or
//     long code names in any case, numbers where strings belong, and unknown fields rejected or
//     ignored on request. Errors name the JSON path and never echo the value;
//   - strict encoding of what we send (EncodeOriginator, EncodeIdentity, ...): 2020 camelCase,
//     arrays always arrays, postCode, short codes including MISC, empty fields omitted, with a
//     customerNumber dialect for TRISA peers and IVMS101.2023 output;
//   - validation of constraints C1-C12, lengths, codes, dates, LEIs and registration
//     authorities with field paths (ValidateOriginator, ...), and the fields a jurisdiction
//     requires (MissingOriginator, ...);
//   - names for display and matching (Names, DisplayName) and JSON Schema documents.
//
// It must not perform I/O, log, or put personal data (names, dates, identifiers) into errors.
// It does not use trisa's JSON marshalling or its package-global rekeying switches: trisa's
// marshaller drops MISC codes and a legal person's customerIdentification.
package ivms

import (
	"github.com/trisacrypto/trisa/pkg/ivms101"
	"google.golang.org/protobuf/proto"
)

// Originator is the IVMS101 Originator: the persons sending and their account numbers. It
// marshals to JSON with EncodeOriginator's defaults and unmarshals with DecodeOriginator,
// rejecting unknown fields.
type Originator struct {
	Persons        []*ivms101.Person
	AccountNumbers []string
}

// Beneficiary is the IVMS101 Beneficiary: the persons receiving and their account numbers. It
// marshals to JSON with EncodeBeneficiary's defaults and unmarshals with DecodeBeneficiary,
// rejecting unknown fields.
type Beneficiary struct {
	Persons        []*ivms101.Person
	AccountNumbers []string
}

// IdentityPayload is the whole IVMS101 message about one transfer, as TRISA carries it in its
// envelopes and TRP under its "IVMS101" key.
type IdentityPayload struct {
	Originator  *Originator
	Beneficiary *Beneficiary
	// OriginatingVASP and BeneficiaryVASP are the VASPs' persons, normally legal persons (see
	// NewVASP). On the wire each sits inside a wrapper object with the same key.
	OriginatingVASP *ivms101.Person
	BeneficiaryVASP *ivms101.Person
	// TransferPath lists the intermediary VASPs, numbered from 0 (C12).
	TransferPath    []Intermediary
	PayloadMetadata PayloadMetadata
}

// Intermediary is one intermediary VASP of a transfer path.
type Intermediary struct {
	VASP     *ivms101.Person
	Sequence uint64
}

// PayloadMetadata is the IVMS101 payloadMetadata.
type PayloadMetadata struct {
	// TransliterationMethods are the scripts the names were transliterated from.
	TransliterationMethods []ivms101.TransliterationMethodCode
	// PayloadVersion is the payloadVersion a peer sent (IVMS101.2023), empty if none. The
	// encoder ignores it and writes the version its options ask for.
	PayloadVersion Version
}

// Version is an IVMS101 edition as payloadMetadata.payloadVersion names it.
type Version string

const (
	// Version2020 is IVMS101 Issue 1 (2020), the edition every network exchanges.
	Version2020 Version = "101"
	// Version2023 is IVMS101.2023.
	Version2023 Version = "101.2023"
)

// MarshalJSON encodes o as strict IVMS101 2020 JSON (EncodeOriginator with default options).
func (o Originator) MarshalJSON() ([]byte, error) { return EncodeOriginator(&o, EncodeOptions{}) }

// UnmarshalJSON decodes o tolerantly, rejecting unknown fields; errors are *DecodeError.
func (o *Originator) UnmarshalJSON(data []byte) error {
	v, err := DecodeOriginator(data, DecodeOptions{DisallowUnknownFields: true})
	if err != nil {
		return err
	}
	*o = *v
	return nil
}

// MarshalJSON encodes b as strict IVMS101 2020 JSON (EncodeBeneficiary with default options).
func (b Beneficiary) MarshalJSON() ([]byte, error) { return EncodeBeneficiary(&b, EncodeOptions{}) }

// UnmarshalJSON decodes b tolerantly, rejecting unknown fields; errors are *DecodeError.
func (b *Beneficiary) UnmarshalJSON(data []byte) error {
	v, err := DecodeBeneficiary(data, DecodeOptions{DisallowUnknownFields: true})
	if err != nil {
		return err
	}
	*b = *v
	return nil
}

// MarshalJSON encodes p as strict IVMS101 2020 JSON (EncodeIdentity with default options).
func (p IdentityPayload) MarshalJSON() ([]byte, error) { return EncodeIdentity(&p, EncodeOptions{}) }

// UnmarshalJSON decodes p tolerantly, rejecting unknown fields; errors are *DecodeError.
func (p *IdentityPayload) UnmarshalJSON(data []byte) error {
	v, err := DecodeIdentity(data, DecodeOptions{DisallowUnknownFields: true})
	if err != nil {
		return err
	}
	*p = *v
	return nil
}

// Proto returns o as trisa's protobuf Originator; persons are deep copies.
func (o *Originator) Proto() *ivms101.Originator {
	if o == nil {
		return nil
	}
	return &ivms101.Originator{OriginatorPersons: clonePersons(o.Persons), AccountNumbers: cloneStrings(o.AccountNumbers)}
}

// Proto returns b as trisa's protobuf Beneficiary; persons are deep copies.
func (b *Beneficiary) Proto() *ivms101.Beneficiary {
	if b == nil {
		return nil
	}
	return &ivms101.Beneficiary{BeneficiaryPersons: clonePersons(b.Persons), AccountNumbers: cloneStrings(b.AccountNumbers)}
}

// OriginatorFromProto returns the Originator held by pb (nil for nil); persons are deep copies.
func OriginatorFromProto(pb *ivms101.Originator) *Originator {
	if pb == nil {
		return nil
	}
	return &Originator{Persons: clonePersons(pb.OriginatorPersons), AccountNumbers: cloneStrings(pb.AccountNumbers)}
}

// BeneficiaryFromProto returns the Beneficiary held by pb (nil for nil); persons are deep copies.
func BeneficiaryFromProto(pb *ivms101.Beneficiary) *Beneficiary {
	if pb == nil {
		return nil
	}
	return &Beneficiary{Persons: clonePersons(pb.BeneficiaryPersons), AccountNumbers: cloneStrings(pb.AccountNumbers)}
}

// Proto returns p as trisa's protobuf IdentityPayload, ready for a TRISA envelope. Persons are
// deep copies. The protobuf has no payloadVersion, so PayloadVersion is not carried.
func (p *IdentityPayload) Proto() *ivms101.IdentityPayload {
	if p == nil {
		return nil
	}
	pb := &ivms101.IdentityPayload{Originator: p.Originator.Proto(), Beneficiary: p.Beneficiary.Proto()}
	if p.OriginatingVASP != nil {
		pb.OriginatingVasp = &ivms101.OriginatingVasp{OriginatingVasp: clonePerson(p.OriginatingVASP)}
	}
	if p.BeneficiaryVASP != nil {
		pb.BeneficiaryVasp = &ivms101.BeneficiaryVasp{BeneficiaryVasp: clonePerson(p.BeneficiaryVASP)}
	}
	if len(p.TransferPath) > 0 {
		pb.TransferPath = &ivms101.TransferPath{}
		for _, im := range p.TransferPath {
			pb.TransferPath.TransferPath = append(pb.TransferPath.TransferPath,
				&ivms101.IntermediaryVasp{IntermediaryVasp: clonePerson(im.VASP), Sequence: im.Sequence})
		}
	}
	if len(p.PayloadMetadata.TransliterationMethods) > 0 {
		pb.PayloadMetadata = &ivms101.PayloadMetadata{
			TransliterationMethod: append([]ivms101.TransliterationMethodCode(nil), p.PayloadMetadata.TransliterationMethods...),
		}
	}
	return pb
}

// IdentityFromProto returns the IdentityPayload held by pb (nil for nil), for example one opened
// from a TRISA envelope. Persons are deep copies.
func IdentityFromProto(pb *ivms101.IdentityPayload) *IdentityPayload {
	if pb == nil {
		return nil
	}
	p := &IdentityPayload{
		Originator:      OriginatorFromProto(pb.Originator),
		Beneficiary:     BeneficiaryFromProto(pb.Beneficiary),
		OriginatingVASP: clonePerson(pb.GetOriginatingVasp().GetOriginatingVasp()),
		BeneficiaryVASP: clonePerson(pb.GetBeneficiaryVasp().GetBeneficiaryVasp()),
	}
	for _, im := range pb.GetTransferPath().GetTransferPath() {
		if im == nil {
			continue
		}
		p.TransferPath = append(p.TransferPath, Intermediary{VASP: clonePerson(im.IntermediaryVasp), Sequence: im.Sequence})
	}
	if tm := pb.GetPayloadMetadata().GetTransliterationMethod(); len(tm) > 0 {
		p.PayloadMetadata.TransliterationMethods = append([]ivms101.TransliterationMethodCode(nil), tm...)
	}
	return p
}

func clonePerson(p *ivms101.Person) *ivms101.Person {
	if p == nil {
		return nil
	}
	return proto.Clone(p).(*ivms101.Person)
}

func clonePersons(ps []*ivms101.Person) []*ivms101.Person {
	if len(ps) == 0 {
		return nil
	}
	out := make([]*ivms101.Person, len(ps))
	for i, p := range ps {
		out[i] = clonePerson(p)
	}
	return out
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

// NewVASP returns the IVMS101 legal person of a VASP from directory data: its legal name (type
// LEGL), its LEI as a national identification of type LEIX when lei is not empty (without a
// registration authority or country of issue, as C9 requires), its country of registration, and
// its address when address is not nil. Nothing is validated here; run ValidatePerson.
func NewVASP(name, lei, country string, address *ivms101.Address) *ivms101.Person {
	lp := &ivms101.LegalPerson{
		Name: &ivms101.LegalPersonName{NameIdentifiers: []*ivms101.LegalPersonNameId{
			{LegalPersonName: name, LegalPersonNameIdentifierType: ivms101.LegalPersonLegal},
		}},
		CountryOfRegistration: country,
	}
	if lei != "" {
		lp.NationalIdentification = &ivms101.NationalIdentification{
			NationalIdentifier:     lei,
			NationalIdentifierType: ivms101.NationalIdentifierLEIX,
		}
	}
	if address != nil {
		lp.GeographicAddresses = []*ivms101.Address{address}
	}
	return &ivms101.Person{Person: &ivms101.Person_LegalPerson{LegalPerson: lp}}
}

// NewAddress returns an address of the given type made of free-form lines (at most seven, C8
// accepts them instead of a street name), a town and a country; postCode may be empty.
func NewAddress(typ ivms101.AddressTypeCode, lines []string, postCode, town, country string) *ivms101.Address {
	return &ivms101.Address{
		AddressType: typ,
		AddressLine: cloneStrings(lines),
		PostCode:    postCode,
		TownName:    town,
		Country:     country,
	}
}
