package ivms

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/lei"
	"github.com/trisacrypto/trisa/pkg/gleif"
	"github.com/trisacrypto/trisa/pkg/iso3166"
	"github.com/trisacrypto/trisa/pkg/ivms101"
)

// finding is a (path, code) pair; the tests compare sets of them.
type finding struct{ path, code string }

func findings(errs []FieldError) []finding {
	out := make([]finding, 0, len(errs))
	for _, e := range errs {
		out = append(out, finding{e.Path, e.Code})
	}
	return out
}

const p0 = "originatorPersons[0]."

func TestValidateOriginator(t *testing.T) {
	t.Parallel()
	withNP := func(mod func(*ivms101.NaturalPerson)) *Originator {
		return &Originator{Persons: []*ivms101.Person{natural("Howard", "Jane", func(np *ivms101.NaturalPerson) {
			np.GeographicAddresses = []*ivms101.Address{homeAddress()}
			mod(np)
		})}}
	}
	bare := func(mod func(*ivms101.NaturalPerson)) *Originator {
		return &Originator{Persons: []*ivms101.Person{natural("Howard", "Jane", mod)}}
	}
	withLP := func(mod func(*ivms101.LegalPerson)) *Originator {
		return &Originator{Persons: []*ivms101.Person{legal("Acme", func(lp *ivms101.LegalPerson) {
			lp.CustomerNumber = "c-1"
			mod(lp)
		})}}
	}
	lpBare := func(mod func(*ivms101.LegalPerson)) *Originator {
		return &Originator{Persons: []*ivms101.Person{legal("Acme", mod)}}
	}
	nid := func(id string, typ ivms101.NationalIdentifierTypeCode, country, ra string) *ivms101.NationalIdentification {
		return &ivms101.NationalIdentification{NationalIdentifier: id, NationalIdentifierType: typ, CountryOfIssue: country, RegistrationAuthority: ra}
	}
	const npath = p0 + "naturalPerson."
	const lpath = p0 + "legalPerson."

	tests := []struct {
		name string
		o    *Originator
		want []finding
	}{
		{name: "valid natural person", o: withNP(func(*ivms101.NaturalPerson) {})},
		{name: "nil originator", o: nil, want: []finding{{"originatorPersons", CodeRequired}}},
		{name: "no persons", o: &Originator{}, want: []finding{{"originatorPersons", CodeRequired}}},
		{name: "empty person", o: &Originator{Persons: []*ivms101.Person{{}}}, want: []finding{{"originatorPersons[0]", CodeRequired}}},

		// C1
		{name: "C1 name only", o: bare(func(*ivms101.NaturalPerson) {}), want: []finding{{p0 + "naturalPerson", "C1"}}},
		{name: "C1 met by customer identification", o: bare(func(np *ivms101.NaturalPerson) { np.CustomerIdentification = "c" })},
		{name: "C1 met by national identification", o: bare(func(np *ivms101.NaturalPerson) {
			np.NationalIdentification = nid("1", ivms101.NationalIdentifierCCPT, "", "")
		})},
		{name: "C1 met by date and place of birth", o: bare(func(np *ivms101.NaturalPerson) {
			np.DateAndPlaceOfBirth = &ivms101.DateAndPlaceOfBirth{DateOfBirth: "1990-01-01", PlaceOfBirth: "Oslo"}
		})},
		{name: "C1 met by a BIZZ address", o: bare(func(np *ivms101.NaturalPerson) {
			a := homeAddress()
			a.AddressType = ivms101.AddressTypeBusiness
			np.GeographicAddresses = []*ivms101.Address{a}
		})},
		{name: "C1 not met by an address without type", o: bare(func(np *ivms101.NaturalPerson) {
			a := homeAddress()
			a.AddressType = ivms101.AddressTypeMisc
			np.GeographicAddresses = []*ivms101.Address{a}
		}), want: []finding{{npath + "geographicAddress[0].addressType", CodeRequired}, {p0 + "naturalPerson", "C1"}}},

		// C2
		{name: "C2 yesterday", o: withNP(func(np *ivms101.NaturalPerson) {
			np.DateAndPlaceOfBirth = &ivms101.DateAndPlaceOfBirth{DateOfBirth: "2026-11-20", PlaceOfBirth: "Oslo"}
		})},
		{name: "C2 today", o: withNP(func(np *ivms101.NaturalPerson) {
			np.DateAndPlaceOfBirth = &ivms101.DateAndPlaceOfBirth{DateOfBirth: "2026-11-21", PlaceOfBirth: "Oslo"}
		}), want: []finding{{npath + "dateAndPlaceOfBirth.dateOfBirth", "C2"}}},
		{name: "C2 future", o: withNP(func(np *ivms101.NaturalPerson) {
			np.DateAndPlaceOfBirth = &ivms101.DateAndPlaceOfBirth{DateOfBirth: "2090-01-01", PlaceOfBirth: "Oslo"}
		}), want: []finding{{npath + "dateAndPlaceOfBirth.dateOfBirth", "C2"}}},
		{name: "date that does not exist", o: withNP(func(np *ivms101.NaturalPerson) {
			np.DateAndPlaceOfBirth = &ivms101.DateAndPlaceOfBirth{DateOfBirth: "1990-02-30", PlaceOfBirth: "Oslo"}
		}), want: []finding{{npath + "dateAndPlaceOfBirth.dateOfBirth", CodeInvalidDate}}},
		{name: "date in another format", o: withNP(func(np *ivms101.NaturalPerson) {
			np.DateAndPlaceOfBirth = &ivms101.DateAndPlaceOfBirth{DateOfBirth: "04/10/1992", PlaceOfBirth: "Oslo"}
		}), want: []finding{{npath + "dateAndPlaceOfBirth.dateOfBirth", CodeInvalidDate}}},
		{name: "date and place of birth both required", o: withNP(func(np *ivms101.NaturalPerson) {
			np.DateAndPlaceOfBirth = &ivms101.DateAndPlaceOfBirth{}
		}), want: []finding{{npath + "dateAndPlaceOfBirth.dateOfBirth", CodeRequired}, {npath + "dateAndPlaceOfBirth.placeOfBirth", CodeRequired}}},

		// C3
		{name: "C3 XX", o: withNP(func(np *ivms101.NaturalPerson) { np.CountryOfResidence = "XX" })},
		{name: "C3 unknown code", o: withNP(func(np *ivms101.NaturalPerson) { np.CountryOfResidence = "ZZ" }),
			want: []finding{{npath + "countryOfResidence", CodeInvalidCountry}}},
		{name: "C3 lower case", o: withNP(func(np *ivms101.NaturalPerson) { np.GeographicAddresses[0].Country = "us" }),
			want: []finding{{npath + "geographicAddress[0].country", CodeInvalidCountry}}},
		{name: "C3 alpha-3", o: withNP(func(np *ivms101.NaturalPerson) {
			np.NationalIdentification = nid("1", ivms101.NationalIdentifierCCPT, "USA", "")
		}), want: []finding{{npath + "nationalIdentification.countryOfIssue", CodeInvalidCountry}}},
		{name: "C3 country name", o: withLP(func(lp *ivms101.LegalPerson) { lp.CountryOfRegistration = "United Kingdom" }),
			want: []finding{{lpath + "countryOfRegistration", CodeInvalidCountry}}},

		// C4
		{name: "C4 name only", o: lpBare(func(*ivms101.LegalPerson) {}), want: []finding{{p0 + "legalPerson", "C4"}}},
		{name: "C4 not met by a BIZZ address", o: lpBare(func(lp *ivms101.LegalPerson) {
			a := homeAddress()
			a.AddressType = ivms101.AddressTypeBusiness
			lp.GeographicAddresses = []*ivms101.Address{a}
		}), want: []finding{{p0 + "legalPerson", "C4"}}},
		{name: "C4 met by a GEOG address", o: lpBare(func(lp *ivms101.LegalPerson) {
			a := homeAddress()
			a.AddressType = ivms101.AddressTypeGeographic
			lp.GeographicAddresses = []*ivms101.Address{a}
		})},
		{name: "C4 met by a customer number", o: withLP(func(*ivms101.LegalPerson) {})},
		{name: "C4 met by a national identification", o: lpBare(func(lp *ivms101.LegalPerson) {
			lp.NationalIdentification = nid("506700T7Z685VUOZL877", ivms101.NationalIdentifierLEIX, "", "")
		})},

		// C5, C6
		{name: "C5 no legal name", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.Name.NameIdentifiers[0].LegalPersonNameIdentifierType = ivms101.LegalPersonShort
		}), want: []finding{{lpath + "name.nameIdentifier", "C5"}}},
		{name: "C5 legal name among others", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.Name.NameIdentifiers = append([]*ivms101.LegalPersonNameId{{LegalPersonName: "A", LegalPersonNameIdentifierType: ivms101.LegalPersonTrading}}, lp.Name.NameIdentifiers...)
		})},
		{name: "C6 no legal name", o: withNP(func(np *ivms101.NaturalPerson) {
			np.Name.NameIdentifiers[0].NameIdentifierType = ivms101.NaturalPersonAlias
		}), want: []finding{{npath + "name.nameIdentifier", "C6"}}},
		{name: "C6 local LEGL does not count", o: withNP(func(np *ivms101.NaturalPerson) {
			np.Name.NameIdentifiers[0].NameIdentifierType = ivms101.NaturalPersonMisc
			np.Name.LocalNameIdentifiers = []*ivms101.LocalNaturalPersonNameId{{PrimaryIdentifier: "Говард", NameIdentifierType: ivms101.NaturalPersonLegal}}
		}), want: []finding{{npath + "name.nameIdentifier", "C6"}}},

		// C7
		{name: "C7 legal person with a passport", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.NationalIdentification = nid("1", ivms101.NationalIdentifierCCPT, "", "RA000589")
		}), want: []finding{{lpath + "nationalIdentification.nationalIdentifierType", "C7"}}},
		{name: "C7 legal person with a tax id", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.NationalIdentification = nid("1", ivms101.NationalIdentifierTXID, "", "RA000589")
		})},
		{name: "C7 natural person with a passport", o: withNP(func(np *ivms101.NaturalPerson) {
			np.NationalIdentification = nid("1", ivms101.NationalIdentifierCCPT, "US", "")
		})},

		// C8
		{name: "C8 address lines only", o: withNP(func(np *ivms101.NaturalPerson) {
			np.GeographicAddresses[0] = NewAddress(ivms101.AddressTypeHome, []string{"1 Main St"}, "", "Oslo", "NO")
		})},
		{name: "C8 street with building name", o: withNP(func(np *ivms101.NaturalPerson) {
			np.GeographicAddresses[0].BuildingNumber, np.GeographicAddresses[0].BuildingName = "", "Tower"
		})},
		{name: "C8 street without building", o: withNP(func(np *ivms101.NaturalPerson) { np.GeographicAddresses[0].BuildingNumber = "" }),
			want: []finding{{npath + "geographicAddress[0]", "C8"}}},
		{name: "C8 neither lines nor street", o: withNP(func(np *ivms101.NaturalPerson) { np.GeographicAddresses[0].StreetName = "" }),
			want: []finding{{npath + "geographicAddress[0]", "C8"}}},

		// C9
		{name: "C9 LEI with registration authority", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.NationalIdentification = nid("506700T7Z685VUOZL877", ivms101.NationalIdentifierLEIX, "", "RA000589")
		}), want: []finding{{lpath + "nationalIdentification.registrationAuthority", "C9"}}},
		{name: "C9 RAID without registration authority", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.NationalIdentification = nid("HRB 1", ivms101.NationalIdentifierRAID, "", "")
		}), want: []finding{{lpath + "nationalIdentification.registrationAuthority", "C9"}}},
		{name: "C9 legal person with a country of issue", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.NationalIdentification = nid("HRB 1", ivms101.NationalIdentifierRAID, "DE", "RA000589")
		}), want: []finding{{lpath + "nationalIdentification.countryOfIssue", "C9"}}},
		{name: "C9 natural person may have both", o: withNP(func(np *ivms101.NaturalPerson) {
			np.NationalIdentification = nid("1", ivms101.NationalIdentifierSOCS, "US", "RA000628")
		})},

		// C10
		{name: "C10 unknown registration authority", o: withNP(func(np *ivms101.NaturalPerson) {
			np.NationalIdentification = nid("1", ivms101.NationalIdentifierSOCS, "US", "RA000000")
		}), want: []finding{{npath + "nationalIdentification.registrationAuthority", "C10"}}},
		{name: "C10 malformed registration authority", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.NationalIdentification = nid("1", ivms101.NationalIdentifierRAID, "", "ra000589")
		}), want: []finding{{lpath + "nationalIdentification.registrationAuthority", "C10"}}},

		// C11
		{name: "C11 bad checksum", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.NationalIdentification = nid("213800AQUAUP6I215N33", ivms101.NationalIdentifierLEIX, "", "")
		}), want: []finding{{lpath + "nationalIdentification.nationalIdentifier", "C11"}}},
		{name: "C11 wrong shape", o: withNP(func(np *ivms101.NaturalPerson) {
			np.NationalIdentification = nid("5493001kjtiigc8y1r12", ivms101.NationalIdentifierLEIX, "", "")
		}), want: []finding{{npath + "nationalIdentification.nationalIdentifier", "C11"}}},
		{name: "C11 valid", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.NationalIdentification = nid("5493001KJTIIGC8Y1R12", ivms101.NationalIdentifierLEIX, "", "")
		})},

		// required fields and codes
		{name: "no name", o: withNP(func(np *ivms101.NaturalPerson) { np.Name = nil }), want: []finding{{npath + "name", CodeRequired}}},
		{name: "no name identifier", o: withNP(func(np *ivms101.NaturalPerson) { np.Name.NameIdentifiers = nil }),
			want: []finding{{npath + "name.nameIdentifier", CodeRequired}}},
		{name: "no surname", o: withNP(func(np *ivms101.NaturalPerson) { np.Name.NameIdentifiers[0].PrimaryIdentifier = "" }),
			want: []finding{{npath + "name.nameIdentifier[0].primaryIdentifier", CodeRequired}}},
		{name: "local name without surname", o: withNP(func(np *ivms101.NaturalPerson) {
			np.Name.PhoneticNameIdentifiers = []*ivms101.LocalNaturalPersonNameId{{SecondaryIdentifier: "x"}}
		}), want: []finding{{npath + "name.phoneticNameIdentifier[0].primaryIdentifier", CodeRequired}}},
		{name: "name type out of range", o: withNP(func(np *ivms101.NaturalPerson) {
			np.Name.NameIdentifiers = append(np.Name.NameIdentifiers, &ivms101.NaturalPersonNameId{PrimaryIdentifier: "x", NameIdentifierType: 9})
		}), want: []finding{{npath + "name.nameIdentifier[1].nameIdentifierType", CodeInvalidCode}}},
		{name: "no town or country", o: withNP(func(np *ivms101.NaturalPerson) {
			np.GeographicAddresses[0].TownName, np.GeographicAddresses[0].Country = "", ""
		}),
			want: []finding{{npath + "geographicAddress[0].townName", CodeRequired}, {npath + "geographicAddress[0].country", CodeRequired}}},
		{name: "address type out of range", o: withNP(func(np *ivms101.NaturalPerson) { np.GeographicAddresses[0].AddressType = 7 }),
			want: []finding{{npath + "geographicAddress[0].addressType", CodeInvalidCode}, {p0 + "naturalPerson", "C1"}}},
		{name: "empty national identifier", o: withNP(func(np *ivms101.NaturalPerson) {
			np.NationalIdentification = nid("", ivms101.NationalIdentifierCCPT, "", "")
		}),
			want: []finding{{npath + "nationalIdentification.nationalIdentifier", CodeRequired}}},
		{name: "national identifier type out of range", o: withNP(func(np *ivms101.NaturalPerson) { np.NationalIdentification = nid("1", 20, "", "") }),
			want: []finding{{npath + "nationalIdentification.nationalIdentifierType", CodeInvalidCode}}},
		{name: "legal name type missing", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.Name.NameIdentifiers = append(lp.Name.NameIdentifiers, &ivms101.LegalPersonNameId{LegalPersonName: "A"})
		}), want: []finding{{lpath + "name.nameIdentifier[1].legalPersonNameIdentifierType", CodeRequired}}},
		{name: "legal name type out of range", o: withLP(func(lp *ivms101.LegalPerson) {
			lp.Name.LocalNameIdentifiers = []*ivms101.LocalLegalPersonNameId{{LegalPersonName: "A", LegalPersonNameIdentifierType: 5}}
		}), want: []finding{{lpath + "name.localNameIdentifier[0].legalPersonNameIdentifierType", CodeInvalidCode}}},
		{name: "legal person without name", o: withLP(func(lp *ivms101.LegalPerson) { lp.Name = nil }), want: []finding{{lpath + "name", CodeRequired}}},
		{name: "legal person without legal person name", o: withLP(func(lp *ivms101.LegalPerson) { lp.Name.NameIdentifiers[0].LegalPersonName = "" }),
			want: []finding{{lpath + "name.nameIdentifier[0].legalPersonName", CodeRequired}}},

		// lengths
		{name: "surname of 100 characters", o: withNP(func(np *ivms101.NaturalPerson) {
			np.Name.NameIdentifiers[0].PrimaryIdentifier = strings.Repeat("a", 100)
		})},
		{name: "surname of 101 characters", o: withNP(func(np *ivms101.NaturalPerson) {
			np.Name.NameIdentifiers[0].PrimaryIdentifier = strings.Repeat("a", 101)
		}),
			want: []finding{{npath + "name.nameIdentifier[0].primaryIdentifier", CodeMaxLength}}},
		{name: "local name of 100 two-byte characters", o: withNP(func(np *ivms101.NaturalPerson) {
			np.Name.LocalNameIdentifiers = []*ivms101.LocalNaturalPersonNameId{{PrimaryIdentifier: strings.Repeat("é", 100), NameIdentifierType: ivms101.NaturalPersonLegal}}
		})},
		{name: "building number of 17 characters", o: withNP(func(np *ivms101.NaturalPerson) { np.GeographicAddresses[0].BuildingNumber = strings.Repeat("1", 17) }),
			want: []finding{{npath + "geographicAddress[0].buildingNumber", CodeMaxLength}}},
		{name: "eight address lines", o: withNP(func(np *ivms101.NaturalPerson) { np.GeographicAddresses[0].AddressLine = make([]string, 8) }),
			want: []finding{{npath + "geographicAddress[0].addressLine", CodeMaxItems}}},
		{name: "address line of 71 characters", o: withNP(func(np *ivms101.NaturalPerson) {
			np.GeographicAddresses[0].AddressLine = []string{strings.Repeat("x", 71)}
		}),
			want: []finding{{npath + "geographicAddress[0].addressLine[0]", CodeMaxLength}}},
		{name: "customer identification of 51 characters", o: withNP(func(np *ivms101.NaturalPerson) { np.CustomerIdentification = strings.Repeat("x", 51) }),
			want: []finding{{npath + "customerIdentification", CodeMaxLength}}},
		{name: "customer number of 51 characters", o: withLP(func(lp *ivms101.LegalPerson) { lp.CustomerNumber = strings.Repeat("x", 51) }),
			want: []finding{{lpath + "customerIdentification", CodeMaxLength}}},
		{name: "national identifier of 36 characters", o: withNP(func(np *ivms101.NaturalPerson) {
			np.NationalIdentification = nid(strings.Repeat("1", 36), ivms101.NationalIdentifierCCPT, "", "")
		}), want: []finding{{npath + "nationalIdentification.nationalIdentifier", CodeMaxLength}}},
		{name: "place of birth of 71 characters", o: withNP(func(np *ivms101.NaturalPerson) {
			np.DateAndPlaceOfBirth = &ivms101.DateAndPlaceOfBirth{DateOfBirth: "1990-01-01", PlaceOfBirth: strings.Repeat("x", 71)}
		}), want: []finding{{npath + "dateAndPlaceOfBirth.placeOfBirth", CodeMaxLength}}},
		{name: "account number of 101 characters", o: &Originator{Persons: withNP(func(*ivms101.NaturalPerson) {}).Persons, AccountNumbers: []string{"a", strings.Repeat("x", 101)}},
			want: []finding{{"accountNumber[1]", CodeMaxLength}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := ValidateOriginator(tt.o, testNow())
			require.ElementsMatch(t, tt.want, findings(v.Errors))
			require.Equal(t, len(tt.want) == 0, v.OK())
			for _, e := range v.Errors {
				require.NotEmpty(t, e.Message)
				require.NotContains(t, e.Error(), "Howard")
				require.NotContains(t, e.Error(), "aaaa")
			}
		})
	}
}

func TestValidateCharsetIsAWarning(t *testing.T) {
	t.Parallel()
	o := &Originator{Persons: []*ivms101.Person{natural("Müller", "Jane-Ann", func(np *ivms101.NaturalPerson) {
		np.CustomerIdentification = "c-1"
		np.Name.LocalNameIdentifiers = []*ivms101.LocalNaturalPersonNameId{{PrimaryIdentifier: "Мюллер", NameIdentifierType: ivms101.NaturalPersonLegal}}
	})}}
	v := ValidateOriginator(o, testNow())
	require.True(t, v.OK())
	require.ElementsMatch(t, []finding{
		{p0 + "naturalPerson.name.nameIdentifier[0].primaryIdentifier", CodeCharset},
		{p0 + "naturalPerson.name.nameIdentifier[0].secondaryIdentifier", CodeCharset},
		{p0 + "naturalPerson.customerIdentification", CodeCharset},
	}, findings(v.Warnings), "local names may use any script")
	for _, w := range v.Warnings {
		require.NotContains(t, w.Message, "Müller")
	}
}

// C1 and C4 bind originators only.
func TestValidateBeneficiaryAndPerson(t *testing.T) {
	t.Parallel()
	b := &Beneficiary{Persons: []*ivms101.Person{natural("Clark", "Larry"), legal("Acme")}}
	require.Empty(t, ValidateBeneficiary(b, testNow()).Errors)
	require.Equal(t, []finding{{"beneficiaryPersons", CodeRequired}}, findings(ValidateBeneficiary(nil, testNow()).Errors))
	require.Equal(t, []finding{{"beneficiaryPersons[1].legalPerson.name.nameIdentifier", "C5"}},
		findings(ValidateBeneficiary(&Beneficiary{Persons: []*ivms101.Person{natural("Clark", ""), legal("Acme", func(lp *ivms101.LegalPerson) {
			lp.Name.NameIdentifiers[0].LegalPersonNameIdentifierType = ivms101.LegalPersonTrading
		})}}, testNow()).Errors))

	require.Empty(t, ValidatePerson(legal("Acme"), testNow()).Errors)
	require.Equal(t, []finding{{"naturalPerson.countryOfResidence", CodeInvalidCountry}},
		findings(ValidatePerson(natural("Clark", "", func(np *ivms101.NaturalPerson) { np.CountryOfResidence = "UK" }), testNow()).Errors))
	require.Equal(t, []finding{{"", CodeRequired}}, findings(ValidatePerson(nil, testNow()).Errors))
}

func TestValidateIdentity(t *testing.T) {
	t.Parallel()
	vasp := func(name string) *ivms101.Person { return NewVASP(name, "", "DE", nil) }
	valid := func() *IdentityPayload {
		return &IdentityPayload{
			Originator:      &Originator{Persons: []*ivms101.Person{natural("Howard", "Jane", func(np *ivms101.NaturalPerson) { np.CustomerIdentification = "1" })}},
			Beneficiary:     &Beneficiary{Persons: []*ivms101.Person{natural("Clark", "Larry")}},
			OriginatingVASP: vasp("Alice"),
			BeneficiaryVASP: vasp("Bob"),
			TransferPath:    []Intermediary{{VASP: vasp("Carol"), Sequence: 1}, {VASP: vasp("Dave"), Sequence: 0}},
		}
	}
	tests := []struct {
		name string
		mod  func(*IdentityPayload)
		want []finding
	}{
		{name: "valid", mod: func(*IdentityPayload) {}},
		{name: "VASPs and path are optional", mod: func(p *IdentityPayload) { p.OriginatingVASP, p.BeneficiaryVASP, p.TransferPath = nil, nil, nil }},
		{name: "originator and beneficiary are required", mod: func(p *IdentityPayload) { p.Originator, p.Beneficiary = nil, nil },
			want: []finding{{"originator", CodeRequired}, {"beneficiary", CodeRequired}}},
		{name: "C1 on the originator only", mod: func(p *IdentityPayload) { p.Originator.Persons[0] = natural("Howard", "Jane") },
			want: []finding{{"originator.originatorPersons[0].naturalPerson", "C1"}}},
		{name: "VASP paths", mod: func(p *IdentityPayload) {
			p.OriginatingVASP.GetLegalPerson().CountryOfRegistration = "??"
			p.BeneficiaryVASP = &ivms101.Person{}
		}, want: []finding{{"originatingVASP.originatingVASP.legalPerson.countryOfRegistration", CodeInvalidCountry}, {"beneficiaryVASP.beneficiaryVASP", CodeRequired}}},
		{name: "C12 gap", mod: func(p *IdentityPayload) { p.TransferPath[0].Sequence = 2 },
			want: []finding{{"transferPath.transferPath[0].sequence", "C12"}}},
		{name: "C12 starts at 1", mod: func(p *IdentityPayload) { p.TransferPath[0].Sequence, p.TransferPath[1].Sequence = 1, 2 },
			want: []finding{{"transferPath.transferPath[1].sequence", "C12"}}},
		{name: "C12 repeat", mod: func(p *IdentityPayload) { p.TransferPath[0].Sequence = 0 },
			want: []finding{{"transferPath.transferPath[1].sequence", "C12"}}},
		{name: "intermediary without VASP", mod: func(p *IdentityPayload) { p.TransferPath[1].VASP = nil },
			want: []finding{{"transferPath.transferPath[1].intermediaryVASP", CodeRequired}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := valid()
			tt.mod(p)
			require.ElementsMatch(t, tt.want, findings(ValidateIdentity(p, testNow()).Errors))
		})
	}
	require.Equal(t, []finding{{"originator", CodeRequired}, {"beneficiary", CodeRequired}}, findings(ValidateIdentity(nil, testNow()).Errors))
}

// Known answers: trisa's fixture is valid apart from its 2020 character set; the protojson one
// carries a country name, LEIs with bad checksums, and LEIX with authority and country (C9).
func TestValidateTrisaFixtures(t *testing.T) {
	t.Parallel()
	dir := trisaTestdata(t)
	id, err := DecodeIdentity(readFixture(t, dir, "identity_payload.json"), DecodeOptions{})
	require.NoError(t, err)
	v := ValidateIdentity(id, testNow())
	require.Empty(t, v.Errors)
	require.Len(t, v.Warnings, 4)

	id, err = DecodeIdentity(readFixture(t, dir, "identity_payload.pb.json"), DecodeOptions{})
	require.NoError(t, err)
	const ov, bv = "originatingVASP.originatingVASP.legalPerson.nationalIdentification.", "beneficiaryVASP.beneficiaryVASP.legalPerson.nationalIdentification."
	require.ElementsMatch(t, []finding{
		{"beneficiary.beneficiaryPersons[0].naturalPerson.geographicAddress[0].country", CodeInvalidCountry},
		{ov + "nationalIdentifier", "C11"}, {ov + "countryOfIssue", "C9"}, {ov + "registrationAuthority", "C9"},
		{bv + "nationalIdentifier", "C11"}, {bv + "countryOfIssue", "C9"}, {bv + "registrationAuthority", "C9"},
	}, findings(ValidateIdentity(id, testNow()).Errors))
}

func TestValidHelpers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in               string
		country, lei, ra bool
	}{
		{in: "DE", country: true},
		{in: "XX", country: true},
		{in: "XK"},
		{in: "de"},
		{in: "506700T7Z685VUOZL877", lei: true},
		{in: "506700T7Z685VUOZL878"},
		{in: "506700T7Z685VUOZL8A7"},
		{in: "RA000589", ra: true},
		{in: "RA000000"},
		{in: "RA00058"},
	} {
		require.Equal(t, tt.country, ValidCountry(tt.in), tt.in)
		require.Equal(t, tt.lei, ValidLEI(tt.in), tt.in)
		require.Equal(t, tt.ra, ValidRegistrationAuthority(tt.in), tt.in)
	}
}

// ValidRegistrationAuthority searches trisacrypto/lei's copy of the GLEIF list; it must be the
// list trisa's pkg/gleif embeds.
func TestRegistrationAuthorityListsAgree(t *testing.T) {
	t.Parallel()
	ras := lei.RegistrationAuthorities()
	require.Greater(t, len(ras), 1000)
	for _, ra := range ras {
		require.NoError(t, gleif.Validate(ra), ra)
		require.True(t, ValidRegistrationAuthority(ra), ra)
	}
}

// ValidCountry agrees with trisa's iso3166.ValidateAlpha2 on every two-letter code.
func TestValidCountryAgreesWithISO3166(t *testing.T) {
	t.Parallel()
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			c := string([]rune{a, b})
			require.Equal(t, c == "XX" || iso3166.ValidateAlpha2(c) == nil, ValidCountry(c), c)
		}
	}
}
