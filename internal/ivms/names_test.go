package ivms

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/ivms101"
)

func TestNames(t *testing.T) {
	t.Parallel()
	jane := natural("Howard", "Jane", func(np *ivms101.NaturalPerson) {
		np.Name.NameIdentifiers = append(np.Name.NameIdentifiers,
			&ivms101.NaturalPersonNameId{PrimaryIdentifier: "Price", SecondaryIdentifier: "Jane", NameIdentifierType: ivms101.NaturalPersonMaiden},
			&ivms101.NaturalPersonNameId{PrimaryIdentifier: " ", NameIdentifierType: ivms101.NaturalPersonAlias})
		np.Name.LocalNameIdentifiers = []*ivms101.LocalNaturalPersonNameId{{PrimaryIdentifier: "Говард", SecondaryIdentifier: "Джейн", NameIdentifierType: ivms101.NaturalPersonLegal}}
		np.Name.PhoneticNameIdentifiers = []*ivms101.LocalNaturalPersonNameId{{PrimaryIdentifier: "Hauard", NameIdentifierType: ivms101.NaturalPersonMisc}}
	})
	require.Equal(t, []Name{
		{Form: FormStandard, Type: "LEGL", Primary: "Howard", Secondary: "Jane"},
		{Form: FormStandard, Type: "MAID", Primary: "Price", Secondary: "Jane"},
		{Form: FormLocal, Type: "LEGL", Primary: "Говард", Secondary: "Джейн"},
		{Form: FormPhonetic, Type: "MISC", Primary: "Hauard"},
	}, Names(jane))
	require.Equal(t, "Jane Howard", DisplayName(jane))
	require.Equal(t, []Name{{Form: FormStandard, Type: "MAID", Primary: "Price", Secondary: "Jane"}}, NamesOf(jane, FormStandard, "MAID"))
	require.Len(t, NamesOf(jane, FormStandard, ""), 2)
	require.Equal(t, "Джейн Говард", NamesOf(jane, FormLocal, "LEGL")[0].Full())

	acme := legal("Acme Holdings Ltd", func(lp *ivms101.LegalPerson) {
		lp.Name.NameIdentifiers = append([]*ivms101.LegalPersonNameId{{LegalPersonName: "Acme", LegalPersonNameIdentifierType: ivms101.LegalPersonTrading}}, lp.Name.NameIdentifiers...)
		lp.Name.LocalNameIdentifiers = []*ivms101.LocalLegalPersonNameId{{LegalPersonName: "アクメ", LegalPersonNameIdentifierType: ivms101.LegalPersonLegal}}
		lp.Name.PhoneticNameIdentifiers = []*ivms101.LocalLegalPersonNameId{{LegalPersonName: "Akume", LegalPersonNameIdentifierType: ivms101.LegalPersonShort}}
	})
	require.Equal(t, []Name{
		{Form: FormStandard, Type: "TRAD", Legal: true, Primary: "Acme"},
		{Form: FormStandard, Type: "LEGL", Legal: true, Primary: "Acme Holdings Ltd"},
		{Form: FormLocal, Type: "LEGL", Legal: true, Primary: "アクメ"},
		{Form: FormPhonetic, Type: "SHRT", Legal: true, Primary: "Akume"},
	}, Names(acme))
	require.Equal(t, "Acme Holdings Ltd", DisplayName(acme), "the legal name wins over the first one")

	tests := []struct {
		name string
		p    *ivms101.Person
		want string
	}{
		{name: "nil person", p: nil, want: ""},
		{name: "no name", p: &ivms101.Person{Person: &ivms101.Person_NaturalPerson{NaturalPerson: &ivms101.NaturalPerson{}}}, want: ""},
		{name: "no legal name", p: natural("Howard", "Jane", func(np *ivms101.NaturalPerson) {
			np.Name.NameIdentifiers[0].NameIdentifierType = ivms101.NaturalPersonAlias
		}), want: "Jane Howard"},
		{name: "surname only", p: natural("Howard", ""), want: "Howard"},
		{name: "given names only", p: natural("", " Jane "), want: "Jane"},
		{name: "local name only", p: natural("", "", func(np *ivms101.NaturalPerson) {
			np.Name.LocalNameIdentifiers = []*ivms101.LocalNaturalPersonNameId{{PrimaryIdentifier: "王", SecondaryIdentifier: "小明"}}
		}), want: "小明 王"},
		{name: "phonetic name only", p: legal("", func(lp *ivms101.LegalPerson) {
			lp.Name.PhoneticNameIdentifiers = []*ivms101.LocalLegalPersonNameId{{LegalPersonName: "Akume"}}
		}), want: "Akume"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, DisplayName(tt.p))
		})
	}

	require.Equal(t, "Jane Howard, Acme Holdings Ltd", DisplayNames([]*ivms101.Person{jane, nil, acme}))
}
