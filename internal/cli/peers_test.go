package cli

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/pki"
)

// run runs the command line with args and returns stdout, stderr and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestCertsCommands(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "certs")
	out, errs, code := run(t, "certs", "ca", "--dir", dir, "--bits", "2048")
	require.Zero(t, code, errs)
	require.Contains(t, out, filepath.Join(dir, "ca.crt"))
	_, _, code = run(t, "certs", "ca", "--dir", dir, "--bits", "2048")
	require.NotZero(t, code, "an existing CA is not overwritten without --force")

	out, errs, code = run(t, "certs", "node", "alpha", "--dir", dir, "--bits", "2048", "--endpoint", "trp.alpha.example:8443", "--endpoint", "127.0.0.1")
	require.Zero(t, code, errs)
	require.Contains(t, out, "WAYBILL_TRP_TLS_CERT_FILE=")
	kp, err := pki.LoadKeyPair(filepath.Join(dir, "alpha.pem"), "")
	require.NoError(t, err)
	pool, err := pki.LoadPool(filepath.Join(dir, "ca.crt"))
	require.NoError(t, err)
	for _, name := range []string{"trp.alpha.example", "127.0.0.1"} {
		_, err = kp.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: name, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
		require.NoError(t, err, name)
	}
	_, _, code = run(t, "certs", "node", "beta", "--dir", dir, "--bits", "2048")
	require.NotZero(t, code, "an endpoint is required")
	_, errs, code = run(t, "certs", "node", "beta", "--dir", t.TempDir(), "--endpoint", "x.example", "--bits", "2048")
	require.NotZero(t, code)
	require.Contains(t, errs, "waybill certs ca")
}

func TestTRPAddressCommands(t *testing.T) {
	t.Parallel()
	out, errs, code := run(t, "trp", "decode", "ta2W2HPKfHxgSgrzY178knqXHg1H3jfeQrwQ9JrKBs9wv")
	require.Zero(t, code, errs)
	require.Equal(t, "https://beneficiary.com/x/12345?t=i (travel_address)\n", out)
	_, _, code = run(t, "trp", "decode", "ta3MNQE1Y")
	require.NotZero(t, code)

	cfg := filepath.Join(t.TempDir(), "waybill.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("trp:\n  base_url: https://trp.alpha.example:8443\n"), 0o600))
	out, errs, code = run(t, "--config", cfg, "trp", "address", "--vasp", "v1", "--wallet", "w1")
	require.Zero(t, code, errs)
	require.Contains(t, out, "inquiry URL:    https://trp.alpha.example:8443/trp/v/v1/w/w1?t=i")
	ta := regexp.MustCompile(`travel address: (ta\w+)`).FindStringSubmatch(out)
	require.Len(t, ta, 2)
	out, _, code = run(t, "trp", "decode", ta[1])
	require.Zero(t, code)
	require.Contains(t, out, "https://trp.alpha.example:8443/trp/v/v1/w/w1?t=i")
}

func TestCounterpartyCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "waybill.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("database:\n  url: sqlite:"+filepath.Join(dir, "w.db")+"\n  sqlite_synchronous: normal\nkeys:\n  master_key_file: "+
		filepath.Join(dir, "w.key")+"\n"), 0o600))
	out, errs, code := run(t, "--config", cfg, "vasp", "create", "--name", "Alpha Exchange GmbH", "--country", "DE")
	require.Zero(t, code, errs)
	vaspID := regexp.MustCompile(`id:\s+(\S+)`).FindStringSubmatch(out)[1]

	out, errs, code = run(t, "--config", cfg, "counterparty", "create", "--vasp", vaspID, "--name", "Gamma Exchange", "--lei", "5493001KJTIIGC8Y1R12",
		"--standing", "allowed", "--travel-address", "ta2W2HPKfHxgSgrzY178knqXHg1H3jfeQrwQ9JrKBs9wv", "--preferred", "trp")
	require.Zero(t, code, errs)
	require.Contains(t, out, "routes:   trp")
	gammaID := regexp.MustCompile(`id:\s+(\S+)`).FindStringSubmatch(out)[1]

	out, errs, code = run(t, "--config", cfg, "counterparty", "update", gammaID, "--vasp", vaspID, "--standing", "blocked", "--email", "tr@gamma.example")
	require.Zero(t, code, errs)
	require.Contains(t, out, "standing: blocked")
	require.Contains(t, out, "routes:   trp,email", "fields not given stay")

	csv := filepath.Join(dir, "directory.csv")
	require.NoError(t, os.WriteFile(csv, []byte("name,lei,standing,trisa_endpoint\nDelta,,allowed,trisa.delta.example:4000\nGamma Exchange AG,5493001KJTIIGC8Y1R12,allowed,\n"), 0o600))
	out, errs, code = run(t, "--config", cfg, "counterparty", "import", csv, "--vasp", vaspID)
	require.Zero(t, code, errs)
	require.Equal(t, "created 1, updated 1\n", out)

	attr := filepath.Join(dir, "attributions.json")
	require.NoError(t, os.WriteFile(attr, []byte(`[{"network":"ethereum","address":"0x8617e340b3d01fa5f11f306f4090fd50e238070d","counterparty_id":"`+gammaID+`"}]`), 0o600))
	out, errs, code = run(t, "--config", cfg, "counterparty", "attributions", attr, "--vasp", vaspID)
	require.Zero(t, code, errs)
	require.Equal(t, "recorded 1, skipped 0 already confirmed\n", out)

	out, errs, code = run(t, "--config", cfg, "counterparty", "list", "--vasp", vaspID)
	require.Zero(t, code, errs)
	require.Contains(t, out, "Gamma Exchange AG")
	require.Contains(t, out, "trisa")
	require.Equal(t, 3, strings.Count(out, "\n"), "a header and two entries:\n%s", out)

	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("name,country\nX,DEU\n"), 0o600))
	_, errs, code = run(t, "--config", cfg, "counterparty", "import", bad, "--vasp", vaspID)
	require.NotZero(t, code)
	require.Contains(t, errs, "line[2].country")
	_, errs, code = run(t, "--config", cfg, "counterparty", "import", filepath.Join(dir, "w.key"), "--vasp", vaspID)
	require.NotZero(t, code)
	require.Contains(t, errs, "--format")
}
