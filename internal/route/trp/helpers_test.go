package trp

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// trisaDir is the trisacrypto/trisa module in the module cache: its fixtures and test vectors
// are read from there, never copied.
var trisaDir = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/trisacrypto/trisa").Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
})

// trisaFile returns a file of the trisa module.
func trisaFile(t testing.TB, rel string) []byte {
	t.Helper()
	dir, err := trisaDir()
	require.NoError(t, err, "go list -m github.com/trisacrypto/trisa")
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	require.NoError(t, err)
	return b
}

// originatorJSON is an IVMS101 originator (a natural person) as peers send it.
const originatorJSON = `{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Post","secondaryIdentifier":"Johnny","nameIdentifierType":"LEGL"}]},` +
	`"geographicAddress":[{"addressType":"GEOG","streetName":"Potential Street","buildingNumber":"123","postCode":"91361","townName":"Thousand Oaks","country":"US"}],` +
	`"customerIdentification":"1002390"}}],"accountNumber":["0x52908400098527886E0F7030069857D2E4169EE7"]}`

// inquiryBody is a well-formed inquiry with the given asset, amount and callback.
func inquiryBody(asset, amount, callback string) string {
	return `{"asset":` + asset + `,"amount":` + amount + `,"callback":"` + callback + `","IVMS101":{"originator":` + originatorJSON +
		`,"beneficiary":{"beneficiaryPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"Tilcott","secondaryIdentifier":"Mildred","nameIdentifierType":"LEGL"}]}}}],` +
		`"accountNumber":["0xde709f2102306220921060314715629080e2fb77"]}}}`
}
