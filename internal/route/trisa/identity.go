package trisa

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	"github.com/trisacrypto/trisa/pkg/trisa/keys"
	"github.com/trisacrypto/trisa/pkg/trisa/keys/signature"
	"github.com/trisacrypto/trisa/pkg/trisa/mtls"
	"github.com/trisacrypto/trisa/pkg/trust"
)

// minSealingBits is the smallest RSA key we seal for or accept: RSA-OAEP with SHA-512 needs
// 2048 bits to carry a 32-byte key.
const minSealingBits = 2048

// Identity is this node's TRISA identity: the certificate chain and key it presents in mutual
// TLS, the pool of certificate authorities whose peers it trusts, and the RSA key pair peers
// seal envelopes for (the certificate's key unless another is configured, as TRISA does).
type Identity struct {
	provider *trust.Provider
	pool     trust.ProviderPool
	roots    *x509.CertPool
	leaf     *x509.Certificate
	sealing  *rsa.PrivateKey
	exchange *api.SigningKey
	pks      string
}

// ParseIdentity builds an identity from PEM data. certPEM holds the leaf certificate, then its
// chain, and may hold the private key after them (TRISA's trust.Provider layout); keyPEM holds
// the key otherwise. poolPEM holds the certificate authorities trusted for peers. sealingPEM is
// an RSA private key for envelopes, or empty to seal with the certificate's key.
func ParseIdentity(certPEM, keyPEM, poolPEM, sealingPEM []byte) (*Identity, error) {
	chain := append(append([]byte{}, certPEM...), '\n')
	chain = append(chain, keyPEM...)
	p, err := trust.New(chain)
	if err != nil {
		return nil, fmt.Errorf("trisa certificate: %w", err)
	}
	if !p.IsPrivate() {
		return nil, errors.New("trisa certificate: no private key (put it after the chain or in the key file)")
	}
	leaf, err := p.GetLeafCertificate()
	if err != nil {
		return nil, fmt.Errorf("trisa certificate: %w", err)
	}
	if _, err := p.GetKeyPair(); err != nil {
		return nil, fmt.Errorf("trisa certificate: the key does not match: %w", err)
	}
	poolProvider, err := trust.New(poolPEM)
	if err != nil {
		return nil, fmt.Errorf("trisa CA pool: %w", err)
	}
	pool := trust.NewPool(poolProvider)
	roots, err := pool.GetCertPool(false)
	if err != nil {
		return nil, fmt.Errorf("trisa CA pool: %w", err)
	}
	if _, err := poolProvider.GetLeafCertificate(); err != nil {
		return nil, errors.New("trisa CA pool: no certificate")
	}
	id := &Identity{provider: p, pool: pool, roots: roots, leaf: leaf}
	var own bool
	if len(sealingPEM) > 0 {
		rk, err := parseRSAKey(sealingPEM)
		if err != nil {
			return nil, fmt.Errorf("trisa sealing key: %w", err)
		}
		id.sealing = rk
	} else {
		rk, ok := p.GetKey().(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("trisa certificate: its key is not RSA; configure an RSA sealing key")
		}
		id.sealing, own = rk, true
	}
	if id.sealing.N.BitLen() < minSealingBits {
		return nil, fmt.Errorf("trisa sealing key: %d bits, at least %d needed", id.sealing.N.BitLen(), minSealingBits)
	}
	if own {
		k, err := keys.FromX509KeyPair(leaf, id.sealing)
		if err != nil {
			return nil, err
		}
		if id.exchange, err = k.Proto(); err != nil {
			return nil, fmt.Errorf("trisa signing key: %w", err)
		}
	} else {
		der, err := x509.MarshalPKIXPublicKey(&id.sealing.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("trisa sealing key: %w", err)
		}
		id.exchange = &api.SigningKey{Version: 3, PublicKeyAlgorithm: x509.RSA.String(), Data: der,
			NotBefore: leaf.NotBefore.Format(time.RFC3339), NotAfter: leaf.NotAfter.Format(time.RFC3339)}
	}
	if id.pks, err = signature.New(&id.sealing.PublicKey); err != nil {
		return nil, fmt.Errorf("trisa sealing key: %w", err)
	}
	return id, nil
}

// LoadIdentity reads the files of ParseIdentity; keyFile and sealingKeyFile may be empty.
func LoadIdentity(certFile, keyFile, poolFile, sealingKeyFile string) (*Identity, error) {
	read := func(name string) ([]byte, error) {
		if name == "" {
			return nil, nil
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("trisa: %w", err)
		}
		return b, nil
	}
	var parts [4][]byte
	for i, f := range []string{certFile, keyFile, poolFile, sealingKeyFile} {
		b, err := read(f)
		if err != nil {
			return nil, err
		}
		parts[i] = b
	}
	return ParseIdentity(parts[0], parts[1], parts[2], parts[3])
}

// CommonName returns the common name of the node's certificate.
func (id *Identity) CommonName() string { return id.leaf.Subject.CommonName }

// PublicKeySignature returns the TRISA signature of the sealing public key ("SHA256:...").
func (id *Identity) PublicKeySignature() string { return id.pks }

// SealingKey returns the public key peers seal envelopes for.
func (id *Identity) SealingKey() *rsa.PublicKey { return &id.sealing.PublicKey }

// serverTLS is TRISA's standard server configuration (pkg/trisa/mtls: TLS 1.2 or later,
// ECDHE-RSA AES-GCM suites, a client certificate required), with the chain check left to
// verify so that a counterparty's pinned pool can vouch for a peer the node pool does not
// know.
func (id *Identity) serverTLS(verify func(rawCerts [][]byte) error) (*tls.Config, error) {
	conf, err := mtls.Config(id.provider, id.pool)
	if err != nil {
		return nil, fmt.Errorf("trisa tls: %w", err)
	}
	conf.ClientAuth = tls.RequireAnyClientCert
	conf.ClientCAs = nil
	conf.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error { return verify(raw) }
	return conf, nil
}

// clientTLS is the client side of the same configuration: our certificate, the server
// verified against roots for serverName, and, when wantName is set, that name on the
// server's certificate.
func (id *Identity) clientTLS(serverName string, roots *x509.CertPool, wantName string) (*tls.Config, error) {
	base, err := mtls.Config(id.provider, id.pool)
	if err != nil {
		return nil, fmt.Errorf("trisa tls: %w", err)
	}
	conf := &tls.Config{
		Certificates:     base.Certificates,
		MinVersion:       base.MinVersion,
		CurvePreferences: base.CurvePreferences,
		CipherSuites:     base.CipherSuites,
		RootCAs:          roots,
		ServerName:       serverName,
	}
	if wantName != "" {
		conf.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || !hasName(certNames(cs.PeerCertificates[0]), wantName) {
				return fmt.Errorf("trisa: the server certificate is not %q", wantName)
			}
			return nil
		}
	}
	return conf, nil
}

// verifyChain checks that the leaf of certs chains to roots for the given use.
func verifyChain(certs []*x509.Certificate, roots *x509.CertPool, usage x509.ExtKeyUsage) error {
	if len(certs) == 0 {
		return errors.New("no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage}})
	return err
}

// parsePool reads a PEM certificate pool (a counterparty's pinned CAs).
func parsePool(pemData string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	rest := []byte(pemData)
	n := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != trust.BlockCertificate {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate pool: %w", err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, errors.New("certificate pool: no certificate")
	}
	return pool, nil
}

// certNames returns the names a certificate stands for, lower case: its common name, DNS
// names and IP addresses.
func certNames(c *x509.Certificate) []string {
	out := make([]string, 0, 1+len(c.DNSNames)+len(c.IPAddresses))
	add := func(s string) {
		s = strings.ToLower(strings.TrimSuffix(s, "."))
		if s == "" {
			return
		}
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	add(c.Subject.CommonName)
	for _, n := range c.DNSNames {
		add(n)
	}
	for _, ip := range c.IPAddresses {
		add(ip.String())
	}
	return out
}

func hasName(names []string, name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// splitEndpoint returns host and host:port of a TRISA endpoint ("host:port", optionally with
// a scheme; the port defaults to 443).
func splitEndpoint(endpoint string) (host, hostport string, err error) {
	e := strings.TrimSpace(endpoint)
	for _, scheme := range []string{"https://", "grpcs://", "grpc://", "dns:///", "passthrough:///"} {
		e = strings.TrimPrefix(e, scheme)
	}
	e = strings.TrimSuffix(e, "/")
	if e == "" || strings.ContainsAny(e, "/ ") {
		return "", "", fmt.Errorf("endpoint %q is not host:port", endpoint)
	}
	h, p, err := net.SplitHostPort(e)
	if err != nil {
		if strings.Contains(err.Error(), "missing port") {
			return e, net.JoinHostPort(e, "443"), nil
		}
		return "", "", fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	if h == "" || p == "" {
		return "", "", fmt.Errorf("endpoint %q is not host:port", endpoint)
	}
	return h, net.JoinHostPort(h, p), nil
}

// parseRSAKey reads the first private key block of PEM data: PKCS#1 or PKCS#8, under either
// label (TRISA's own files put PKCS#8 under "RSA PRIVATE KEY").
func parseRSAKey(data []byte) (*rsa.PrivateKey, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no private key block")
		}
		if block.Type != trust.BlockPrivateKey && block.Type != trust.BlockRSAPrivateKey {
			continue
		}
		if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
			return k, nil
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("unreadable private key: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("the key must be RSA, not %T", k)
		}
		return rk, nil
	}
}
