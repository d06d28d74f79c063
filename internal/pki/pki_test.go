package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/trisa/mtls"
	"github.com/trisacrypto/trisa/pkg/trust"
)

// shared holds one CA and two leaves for the tests that only read them (RSA key generation is
// the slow part).
var shared = sync.OnceValues(func() (*testSet, error) {
	ca, leaves, err := TestSet([]string{"alpha.example", "127.0.0.1"}, []string{"https://beta.example:8443/trp"})
	if err != nil {
		return nil, err
	}
	other, otherLeaves, err := TestSet([]string{"mallory.example"})
	if err != nil {
		return nil, err
	}
	return &testSet{ca: ca, alpha: leaves[0], beta: leaves[1], other: other, mallory: otherLeaves[0]}, nil
})

type testSet struct {
	ca, other            *CA
	alpha, beta, mallory *Leaf
}

func set(t *testing.T) *testSet {
	t.Helper()
	s, err := shared()
	require.NoError(t, err)
	return s
}

func TestIssueProfile(t *testing.T) {
	t.Parallel()
	s := set(t)
	c := s.alpha.Cert
	require.Equal(t, "alpha.example", c.Subject.CommonName)
	require.Equal(t, []string{"alpha.example"}, c.DNSNames)
	require.Len(t, c.IPAddresses, 1)
	require.Equal(t, "127.0.0.1", c.IPAddresses[0].String())
	require.Equal(t, x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment|x509.KeyUsageContentCommitment, c.KeyUsage)
	require.ElementsMatch(t, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, c.ExtKeyUsage)
	require.False(t, c.IsCA)
	require.Equal(t, TestBits, s.alpha.Key.N.BitLen())
	require.Equal(t, []string{"beta.example"}, s.beta.Cert.DNSNames, "a URL endpoint becomes its host name")

	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		_, err := c.Verify(x509.VerifyOptions{Roots: s.ca.Pool(), DNSName: "alpha.example", KeyUsages: []x509.ExtKeyUsage{usage}})
		require.NoError(t, err)
	}
	_, err := c.Verify(x509.VerifyOptions{Roots: s.other.Pool(), DNSName: "alpha.example"})
	require.Error(t, err, "another CA does not vouch for it")
	_, err = c.Verify(x509.VerifyOptions{Roots: s.ca.Pool(), DNSName: "beta.example"})
	require.Error(t, err, "the certificate is only good for its own names")
}

func TestValidityNeverPassesTheCA(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	ca, err := NewCA(CAOptions{Bits: TestBits, Validity: 48 * time.Hour, Now: func() time.Time { return now }})
	require.NoError(t, err)
	l, err := ca.Issue(LeafOptions{Endpoints: []string{"n.example"}, Bits: TestBits, Validity: 365 * 24 * time.Hour,
		Now: func() time.Time { return now }})
	require.NoError(t, err)
	require.Equal(t, ca.Cert.NotAfter, l.Cert.NotAfter)
	require.True(t, l.Cert.NotBefore.Before(now))
}

func TestIssueNeedsAnEndpoint(t *testing.T) {
	t.Parallel()
	s := set(t)
	for name, eps := range map[string][]string{"none": nil, "blank": {" "}, "path": {"a.example/x"}, "bad url": {"https://"}} {
		t.Run(name, func(t *testing.T) {
			_, err := s.ca.Issue(LeafOptions{Endpoints: eps, Bits: TestBits})
			require.Error(t, err)
		})
	}
}

func TestHosts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []string
		want []string
	}{
		{"names", []string{"A.Example", "a.example", "b.example"}, []string{"a.example", "b.example"}},
		{"host port", []string{"node.example:4443"}, []string{"node.example"}},
		{"url", []string{"https://node.example:8443/trp?t=i"}, []string{"node.example"}},
		{"ipv6", []string{"[::1]:443", "::1"}, []string{"::1"}},
		{"ip", []string{"127.0.0.1"}, []string{"127.0.0.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Hosts(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestPEMRoundTrip(t *testing.T) {
	t.Parallel()
	s := set(t)
	for name, tc := range map[string]struct{ cert, key []byte }{
		"one file":  {s.alpha.PEM(), nil},
		"two files": {s.alpha.CertPEM(), s.alpha.KeyPEM()},
	} {
		t.Run(name, func(t *testing.T) {
			kp, err := ParseKeyPair(tc.cert, tc.key)
			require.NoError(t, err)
			require.Len(t, kp.Certificate, 2, "leaf and chain")
			require.Equal(t, s.alpha.Cert.Raw, kp.Leaf.Raw)
		})
	}
	_, err := ParseKeyPair(s.alpha.CertPEM(), s.beta.KeyPEM())
	require.ErrorContains(t, err, "does not belong")
	_, err = ParseKeyPair(s.alpha.CertPEM(), nil)
	require.ErrorContains(t, err, "no private key")
	_, err = ParseKeyPair([]byte("not pem"), nil)
	require.ErrorContains(t, err, "no PEM data")
	_, err = ParseKeyPair(s.alpha.KeyPEM(), nil)
	require.ErrorContains(t, err, "no certificate")

	ca, err := ParseCA(s.ca.CertPEM(), s.ca.KeyPEM())
	require.NoError(t, err)
	require.True(t, ca.Cert.Equal(s.ca.Cert))
	_, err = ParseCA(s.alpha.CertPEM(), s.alpha.KeyPEM())
	require.ErrorContains(t, err, "not a CA")
	_, err = ParseCA(s.ca.CertPEM(), s.other.KeyPEM())
	require.ErrorContains(t, err, "does not belong")

	pool, err := ParsePool(append(s.ca.CertPEM(), s.other.CertPEM()...))
	require.NoError(t, err)
	_, err = s.mallory.Cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: "mallory.example"})
	require.NoError(t, err)
	_, err = ParsePool(s.alpha.KeyPEM())
	require.Error(t, err)
}

// TestTrustProviderReadsOurFiles checks the one-file layout is what trisa's trust.Provider and
// mtls packages read (the TRISA route loads its identity through them).
func TestTrustProviderReadsOurFiles(t *testing.T) {
	t.Parallel()
	s := set(t)
	p, err := trust.New(s.alpha.PEM())
	require.NoError(t, err)
	require.True(t, p.IsPrivate())
	leaf, err := p.GetLeafCertificate()
	require.NoError(t, err)
	require.True(t, leaf.Equal(s.alpha.Cert))
	caProvider, err := trust.New(s.ca.CertPEM())
	require.NoError(t, err)
	conf, err := mtls.Config(p, trust.NewPool(caProvider))
	require.NoError(t, err)
	require.Equal(t, tls.RequireAndVerifyClientCert, conf.ClientAuth)
	rk, err := p.GetRSAKeys()
	require.NoError(t, err)
	require.True(t, rk.Equal(s.alpha.Key))
}

func TestMutualTLS(t *testing.T) {
	t.Parallel()
	s := set(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, Names(r.TLS.PeerCertificates[0])[0])
	}))
	srv.TLS = ServerConfig(s.alpha.TLSCertificate(), s.ca.Pool())
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	get := func(conf *tls.Config) (string, error) {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: conf}, Timeout: 10 * time.Second}
		defer c.CloseIdleConnections()
		resp, err := c.Get("https://127.0.0.1:" + port + "/")
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	for _, tc := range []struct {
		name    string
		conf    *tls.Config
		want    string
		wantErr bool
	}{
		{"same CA", ClientConfig(s.beta.TLSCertificate(), s.ca.Pool()), "beta.example", false},
		{"TLS 1.2", func() *tls.Config {
			c := ClientConfig(s.beta.TLSCertificate(), s.ca.Pool())
			c.MaxVersion = tls.VersionTLS12
			return c
		}(), "beta.example", false},
		{"no client certificate", &tls.Config{RootCAs: s.ca.Pool()}, "", true},
		{"client from another CA", ClientConfig(s.mallory.TLSCertificate(), s.ca.Pool()), "", true},
		{"server not trusted", ClientConfig(s.beta.TLSCertificate(), s.other.Pool()), "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := get(tc.conf)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	s := set(t)
	require.Equal(t, []string{"alpha.example", "127.0.0.1"}, Names(s.alpha.Cert))
	require.Nil(t, Names(nil))
	require.Len(t, Fingerprint(s.alpha.Cert), 64)
}

func TestFiles(t *testing.T) {
	t.Parallel()
	s := set(t)
	dir := t.TempDir()
	caCert, caKey, err := WriteCA(dir, "ca", s.ca, false)
	require.NoError(t, err)
	f, err := WriteLeaf(dir, "alpha", s.alpha, false)
	require.NoError(t, err)
	for _, p := range []string{caKey, f.Identity, f.Key} {
		st, err := os.Stat(p)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), p)
	}
	_, err = WriteLeaf(dir, "alpha", s.beta, false)
	require.ErrorContains(t, err, "exists")
	_, err = WriteLeaf(dir, "alpha", s.alpha, true)
	require.NoError(t, err)

	ca, err := LoadCA(caCert, caKey)
	require.NoError(t, err)
	require.True(t, ca.Cert.Equal(s.ca.Cert))
	for _, pair := range [][2]string{{f.Identity, ""}, {f.Cert, f.Key}} {
		kp, err := LoadKeyPair(pair[0], pair[1])
		require.NoError(t, err)
		require.True(t, kp.Leaf.Equal(s.alpha.Cert))
	}
	pool, err := LoadPool(caCert)
	require.NoError(t, err)
	_, err = s.alpha.Cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: "alpha.example"})
	require.NoError(t, err)

	_, err = LoadKeyPair(filepath.Join(dir, "missing.pem"), "")
	require.True(t, errors.Is(err, os.ErrNotExist))
	_, err = LoadPool(f.Key)
	require.Error(t, err)
}
