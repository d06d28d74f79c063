package ivms

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/ivms101"
)

func TestMissingOriginator(t *testing.T) {
	t.Parallel()
	full := natural("Howard", "Jane", func(np *ivms101.NaturalPerson) {
		np.GeographicAddresses = []*ivms101.Address{homeAddress()}
		np.NationalIdentification = &ivms101.NationalIdentification{NationalIdentifier: "1", NationalIdentifierType: ivms101.NationalIdentifierCCPT}
		np.CustomerIdentification = "c"
		np.DateAndPlaceOfBirth = &ivms101.DateAndPlaceOfBirth{DateOfBirth: "1990-01-01", PlaceOfBirth: "Oslo"}
		np.CountryOfResidence = "NO"
	})
	fullLegal := legal("Acme", func(lp *ivms101.LegalPerson) {
		lp.GeographicAddresses = []*ivms101.Address{homeAddress()}
		lp.NationalIdentification = &ivms101.NationalIdentification{NationalIdentifier: "506700T7Z685VUOZL877", NationalIdentifierType: ivms101.NationalIdentifierLEIX}
		lp.CustomerNumber = "c"
		lp.CountryOfRegistration = "NO"
	})
	all := RequiredFieldNames()
	const np, lp = "originatorPersons[0].naturalPerson.", "originatorPersons[0].legalPerson."
	tests := []struct {
		name     string
		o        *Originator
		required []string
		want     []finding
	}{
		{name: "nothing required", o: nil},
		{name: "complete natural person", o: &Originator{Persons: []*ivms101.Person{full}, AccountNumbers: []string{"a"}}, required: all},
		{name: "complete legal person", o: &Originator{Persons: []*ivms101.Person{fullLegal}, AccountNumbers: []string{"a"}}, required: all},
		{name: "bare natural person", o: &Originator{Persons: []*ivms101.Person{{Person: &ivms101.Person_NaturalPerson{NaturalPerson: &ivms101.NaturalPerson{}}}}}, required: all,
			want: []finding{
				{np + "name", CodeRequired}, {"accountNumber", CodeRequired}, {np + "geographicAddress", CodeRequired},
				{np + "nationalIdentification", CodeRequired}, {np + "customerIdentification", CodeRequired},
				{np + "dateAndPlaceOfBirth.dateOfBirth", CodeRequired}, {np + "dateAndPlaceOfBirth.placeOfBirth", CodeRequired},
				{np + "countryOfResidence", CodeRequired},
			}},
		{name: "bare legal person", o: &Originator{Persons: []*ivms101.Person{{Person: &ivms101.Person_LegalPerson{LegalPerson: &ivms101.LegalPerson{}}}}, AccountNumbers: []string{"a"}}, required: all,
			want: []finding{
				{lp + "name", CodeRequired}, {lp + "geographicAddress", CodeRequired}, {lp + "nationalIdentification", CodeRequired},
				{lp + "customerIdentification", CodeRequired}, {lp + "countryOfRegistration", CodeRequired}, {lp + "nationalIdentification", CodeRequired},
			}},
		{name: "LEI needs type LEIX", o: &Originator{Persons: []*ivms101.Person{legal("Acme", func(lp *ivms101.LegalPerson) {
			lp.NationalIdentification = &ivms101.NationalIdentification{NationalIdentifier: "1", NationalIdentifierType: ivms101.NationalIdentifierTXID, RegistrationAuthority: "RA000589"}
		})}}, required: []string{RequireLEI, RequireNationalIdentification}, want: []finding{{lp + "nationalIdentification", CodeRequired}}},
		{name: "no persons", o: &Originator{}, required: []string{RequireName, RequireAccountNumber},
			want: []finding{{"accountNumber", CodeRequired}, {"originatorPersons", CodeRequired}}},
		{name: "only party-level fields asked of a party without persons", o: &Originator{AccountNumbers: []string{"a"}}, required: []string{RequireAccountNumber}},
		{name: "empty person", o: &Originator{Persons: []*ivms101.Person{{}}}, required: []string{RequireName},
			want: []finding{{"originatorPersons[0]", CodeRequired}}},
		{name: "repeated and unknown names", o: &Originator{Persons: []*ivms101.Person{natural("", "")}}, required: []string{"name", "name", "shoe_size"},
			want: []finding{{np + "name", CodeRequired}}},
		{name: "every person of a joint account", o: &Originator{Persons: []*ivms101.Person{full, natural("Price", "Jane")}}, required: []string{RequireDateOfBirth},
			want: []finding{{"originatorPersons[1].naturalPerson.dateAndPlaceOfBirth.dateOfBirth", CodeRequired}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := MissingOriginator(tt.o, tt.required)
			require.ElementsMatch(t, tt.want, findings(got))
			for _, e := range got {
				require.NotEmpty(t, e.Message)
			}
		})
	}
}

func TestMissingBeneficiary(t *testing.T) {
	t.Parallel()
	require.Equal(t, []finding{{"beneficiaryPersons", CodeRequired}}, findings(MissingBeneficiary(nil, []string{RequireName})))
	b := &Beneficiary{Persons: []*ivms101.Person{natural("Clark", "Larry")}}
	require.Empty(t, MissingBeneficiary(b, []string{RequireName}))
	require.Equal(t, []finding{{"accountNumber", CodeRequired}}, findings(MissingBeneficiary(b, []string{RequireName, RequireAccountNumber})))
}

func TestRequiredFieldNames(t *testing.T) {
	t.Parallel()
	names := RequiredFieldNames()
	require.Len(t, names, 10)
	for _, n := range names {
		require.True(t, KnownRequiredField(n), n)
	}
	require.False(t, KnownRequiredField("Name"))
	names[0] = "changed"
	require.Equal(t, RequireName, RequiredFieldNames()[0], "callers cannot change the vocabulary")
}
