package email

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReasonFrom(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, code, details, want string
		ok                        bool
	}{
		{"code only", "sanctions_screening", "", "sanctions_screening: sanctions screening", true},
		{"with details", "awaiting_kyc", "  documents   requested\n", "awaiting_kyc: documents requested", false},
		{"other needs details", "other", " ", "", false},
		{"other with details", "other", "asset paused", "other: asset paused", true},
		{"unknown code", "free_text", "x", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := declineReasons
			if tc.code == "awaiting_kyc" {
				opts, tc.ok = notReadyReasons, true
			}
			got, ok := reasonFrom(opts, tc.code, tc.details)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
	long, ok := reasonFrom(declineReasons, "other", strings.Repeat("é", 1000))
	require.True(t, ok)
	require.Equal(t, maxDetails, len([]rune(strings.TrimPrefix(long, "other: "))))
}

func TestClean(t *testing.T) {
	t.Parallel()
	require.Equal(t, "a b c", clean("  a\t\nb \x00\x1b c  ", 100))
	require.Equal(t, "abc", clean("abcdef", 3))
	require.Equal(t, "Zoë", clean("Zoë\u200b", 10), "invisible format characters are dropped")
	require.Equal(t, "", clean("\r\n", 10))
}

func TestOriginatorForm(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	base := url.Values{"person_type": {"natural"}, "family_name": {"Okonkwo"}, "given_names": {"Ximena"},
		"account_number": {"0x8617e340b3d01fa5f11f306f4090fd50e238070d"}, "street": {"Awolowo Road"}, "building_number": {"7"},
		"town": {"Lagos"}, "country": {"ng"}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range base {
			v[k] = append([]string(nil), vs...)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}
	noAddress := []string{"street", "", "building_number", "", "town", "", "country", ""}
	for _, tc := range []struct {
		name   string
		form   url.Values
		fields []string // inputs with an error; none means valid
	}{
		{"natural with address", base, nil},
		{"natural with date and place of birth", with(append(noAddress, "date_of_birth", "1990-02-03", "place_of_birth", "Lagos")...), nil},
		{"natural with national id", with(append(noAddress, "national_id", "A1234567", "national_id_type", "ccpt", "national_id_country", "NG")...), nil},
		{"natural with customer id", with(append(noAddress, "customer_id", "C-881")...), nil},
		{"legal with LEI", url.Values{"person_type": {"legal"}, "legal_name": {"Okonkwo Trading Ltd"}, "lei": {"5493001KJTIIGC8Y1R12"},
			"country_of_registration": {"NG"}, "account_number": {"acct-1"}}, nil},
		{"legal with address", url.Values{"person_type": {"legal"}, "legal_name": {"Okonkwo Trading Ltd"}, "street": {"Awolowo Road"},
			"building_number": {"12"}, "town": {"Lagos"}, "country": {"NG"}, "account_number": {"acct-1"}}, nil},
		{"no person type", with("person_type", "alien"), []string{"person_type"}},
		{"no family name", with("family_name", ""), []string{"family_name"}},
		{"no identifier at all", with(noAddress...), []string{"street"}},
		{"half an address", with("town", ""), []string{"town"}},
		{"address without street", with("street", ""), []string{"street"}},
		{"address without building number", with("building_number", ""), []string{"street"}},
		{"birth date without place", with("date_of_birth", "1990-02-03"), []string{"date_of_birth"}},
		{"impossible date", with("date_of_birth", "1990-02-30", "place_of_birth", "Lagos"), []string{"date_of_birth"}},
		{"future date", with("date_of_birth", "2090-02-03", "place_of_birth", "Lagos"), []string{"date_of_birth"}},
		{"bad country", with("country", "Nigeria"), []string{"country"}},
		{"bad residence", with("country_of_residence", "XY1"), []string{"country_of_residence"}},
		{"no account", with("account_number", ""), []string{"account_number"}},
		{"bad LEI", url.Values{"person_type": {"legal"}, "legal_name": {"X Ltd"}, "lei": {"5493001KJTIIGC8Y1R13"}, "account_number": {"a"}}, []string{"lei"}},
		{"legal without name", url.Values{"person_type": {"legal"}, "customer_number": {"7"}, "account_number": {"a"}}, []string{"legal_name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, fe := parseOriginatorForm(tc.form).originator(now)
			if tc.fields == nil {
				require.Empty(t, fe)
				require.NotNil(t, o)
				require.Len(t, o.Persons, 1)
				require.Len(t, o.AccountNumbers, 1)
				return
			}
			require.Nil(t, o)
			got := map[string]bool{}
			for _, e := range fe {
				got[e.Field] = true
				for _, v := range tc.form {
					if len(v[0]) >= 6 {
						require.NotContains(t, e.Message, v[0], "an error repeats a value")
					}
				}
			}
			for _, f := range tc.fields {
				require.True(t, got[f], "want an error on %s, got %+v", f, fe)
			}
		})
	}

	// What the form builds.
	o, fe := parseOriginatorForm(with("date_of_birth", "1990-02-03", "place_of_birth", "Lagos", "national_id", "A1234567",
		"national_id_type", "ccpt", "national_id_country", "ng", "country_of_residence", "ng", "customer_id", "C-881")).originator(now)
	require.Empty(t, fe)
	np := o.Persons[0].GetNaturalPerson()
	require.Equal(t, "Okonkwo", np.GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())
	require.Equal(t, "Ximena", np.GetName().GetNameIdentifiers()[0].GetSecondaryIdentifier())
	require.Equal(t, "LEGL", code(np.GetName().GetNameIdentifiers()[0].GetNameIdentifierType().String()))
	require.Equal(t, "NG", np.GetCountryOfResidence())
	require.Equal(t, "CCPT", code(np.GetNationalIdentification().GetNationalIdentifierType().String()))
	require.Equal(t, "NG", np.GetNationalIdentification().GetCountryOfIssue())
	require.Equal(t, "1990-02-03", np.GetDateAndPlaceOfBirth().GetDateOfBirth())
	require.Equal(t, "C-881", np.GetCustomerIdentification())
	a := np.GetGeographicAddresses()[0]
	require.Equal(t, "HOME", code(a.GetAddressType().String()))
	require.Equal(t, "Awolowo Road", a.GetStreetName())
	require.Equal(t, "NG", a.GetCountry())

	legal, fe := parseOriginatorForm(url.Values{"person_type": {"legal"}, "legal_name": {"Okonkwo Trading Ltd"},
		"lei": {"5493001kjtiigc8y1r12"}, "account_number": {"acct-1"}}).originator(now)
	require.Empty(t, fe)
	lp := legal.Persons[0].GetLegalPerson()
	require.Equal(t, "Okonkwo Trading Ltd", lp.GetName().GetNameIdentifiers()[0].GetLegalPersonName())
	require.Equal(t, "5493001KJTIIGC8Y1R12", lp.GetNationalIdentification().GetNationalIdentifier())
	require.Equal(t, "LEIX", code(lp.GetNationalIdentification().GetNationalIdentifierType().String()))
}

func TestFieldOf(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"originator.originatorPersons[0].naturalPerson.dateAndPlaceOfBirth.dateOfBirth": "date_of_birth",
		"originatorPersons[0].naturalPerson.name.nameIdentifier[0].primaryIdentifier":   "family_name",
		"originatorPersons[0].naturalPerson.name.nameIdentifier[0].secondaryIdentifier": "given_names",
		"originatorPersons[0].legalPerson.name.nameIdentifier[0].legalPersonName":       "legal_name",
		"originatorPersons[0].naturalPerson.geographicAddress[0].townName":              "town",
		"originatorPersons[0].naturalPerson.geographicAddress[0].country":               "country",
		"originatorPersons[0].naturalPerson.nationalIdentification.countryOfIssue":      "national_id_country",
		"originatorPersons[0].naturalPerson.countryOfResidence":                         "country_of_residence",
		"accountNumber[0]":  "account_number",
		"originatorPersons": "",
	} {
		require.Equal(t, want, fieldOf(path), path)
	}
}
