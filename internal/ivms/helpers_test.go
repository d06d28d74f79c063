package ivms

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/ivms101"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// testNow is the clock of every validation test.
func testNow() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }

// secret marks values that must never appear in an error message.
const secret = "Zebulon9Quixote"

// realisticOriginator is a natural-person originator as an exchange's backend sends it: name,
// address, national identification and date of birth.
const realisticOriginator = `{
  "originatorPersons": [{
    "naturalPerson": {
      "name": {
        "nameIdentifier": [{"primaryIdentifier": "Howard", "secondaryIdentifier": "Jane", "nameIdentifierType": "LEGL"}]
      },
      "geographicAddress": [{
        "addressType": "HOME",
        "streetName": "Greystone Street",
        "buildingNumber": "28",
        "postCode": "38017",
        "townName": "Collierville",
        "countrySubDivision": "TN",
        "country": "US"
      }],
      "nationalIdentification": {
        "nationalIdentifier": "112502920",
        "nationalIdentifierType": "SOCS",
        "countryOfIssue": "US",
        "registrationAuthority": "RA000628"
      },
      "customerIdentification": "2642",
      "dateAndPlaceOfBirth": {"dateOfBirth": "1992-10-04", "placeOfBirth": "West Islip"},
      "countryOfResidence": "US"
    }
  }],
  "accountNumber": ["14HmBSwec8XrcWge9Zi1ZngNia64u3Wd2v"]
}`

// trisaTestdata returns the directory of trisa's IVMS101 fixtures in the module cache, or skips.
func trisaTestdata(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/trisacrypto/trisa").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skip("trisa module not found in the module cache")
	}
	dir = filepath.Join(dir, "pkg", "ivms101", "testdata")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("trisa testdata not found")
	}
	return dir
}

func readFixture(t testing.TB, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return data
}

func natural(primary, secondary string, mods ...func(*ivms101.NaturalPerson)) *ivms101.Person {
	np := &ivms101.NaturalPerson{
		Name: &ivms101.NaturalPersonName{NameIdentifiers: []*ivms101.NaturalPersonNameId{
			{PrimaryIdentifier: primary, SecondaryIdentifier: secondary, NameIdentifierType: ivms101.NaturalPersonLegal},
		}},
	}
	for _, m := range mods {
		m(np)
	}
	return &ivms101.Person{Person: &ivms101.Person_NaturalPerson{NaturalPerson: np}}
}

func legal(name string, mods ...func(*ivms101.LegalPerson)) *ivms101.Person {
	lp := &ivms101.LegalPerson{
		Name: &ivms101.LegalPersonName{NameIdentifiers: []*ivms101.LegalPersonNameId{
			{LegalPersonName: name, LegalPersonNameIdentifierType: ivms101.LegalPersonLegal},
		}},
	}
	for _, m := range mods {
		m(lp)
	}
	return &ivms101.Person{Person: &ivms101.Person_LegalPerson{LegalPerson: lp}}
}

func homeAddress() *ivms101.Address {
	return &ivms101.Address{AddressType: ivms101.AddressTypeHome, StreetName: "Thorne Road", BuildingNumber: "78", TownName: "Hicksville", Country: "US"}
}

// mustEncode returns a function that turns an Encode* result into its string, failing t on error.
func mustEncode(t testing.TB) func([]byte, error) string {
	return func(b []byte, err error) string {
		t.Helper()
		require.NoError(t, err)
		return string(b)
	}
}

func requireProtoEqual(t testing.TB, want, got proto.Message) {
	t.Helper()
	if !proto.Equal(want, got) {
		w, _ := protojson.Marshal(want)
		g, _ := protojson.Marshal(got)
		require.Fail(t, "protobuf messages differ", "want %s\n got %s", w, g)
	}
}
