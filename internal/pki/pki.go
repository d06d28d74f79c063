// Package pki makes and loads the X.509 material two waybill nodes need to talk mutual TLS:
// a throw-away certificate authority and node certificates for development and tests (RSA, the
// TRISA certificate profile: keyUsage digitalSignature, keyEncipherment and nonRepudiation, EKU
// serverAuth and clientAuth, the endpoint as SAN), PEM files in the layout trisa's
// trust.Provider reads (leaf, chain, then the PKCS#8 private key in one file), certificate
// pools, and the TLS configurations of the TRISA network profile that TRP and TRISA share.
//
// It must not be used to run a production CA: it keeps no serial register, no revocation and
// no audit trail. It performs file I/O only in the Load* and Write* functions, holds no
// package-level state and never logs; randomness and the clock are options.
package pki

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PEM block types written and read.
const (
	BlockCertificate = "CERTIFICATE"
	BlockPrivateKey  = "PRIVATE KEY"
	// BlockRSAPrivateKey is read (PKCS#1, or PKCS#8 under this label as some TRISA files have).
	BlockRSAPrivateKey = "RSA PRIVATE KEY"
)

// Key sizes.
const (
	// DefaultBits is the RSA key size of the TRISA certificate profile.
	DefaultBits = 4096
	// TestBits is a key size fast enough to generate in every test (still accepted by TLS and
	// RSA-OAEP-SHA512).
	TestBits = 2048
)

// CAOptions describe a development CA. Zero fields take the defaults named.
type CAOptions struct {
	// CommonName defaults to "waybill development CA".
	CommonName string
	// Organization defaults to "waybill development".
	Organization string
	// Bits is the RSA key size, DefaultBits when zero.
	Bits int
	// Validity defaults to five years.
	Validity time.Duration
	// Now and Rand default to time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
}

// CA is a certificate authority held in memory.
type CA struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
}

// NewCA makes a self-signed CA.
func NewCA(o CAOptions) (*CA, error) {
	now, rnd := clock(o.Now), randOr(o.Rand)
	key, err := rsa.GenerateKey(rnd, bitsOr(o.Bits))
	if err != nil {
		return nil, fmt.Errorf("pki: ca key: %w", err)
	}
	serial, err := serialNumber(rnd)
	if err != nil {
		return nil, err
	}
	validity := o.Validity
	if validity <= 0 {
		validity = 5 * 365 * 24 * time.Hour
	}
	tpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{CommonName: orDefault(o.CommonName, "waybill development CA"),
			Organization: []string{orDefault(o.Organization, "waybill development")}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		SubjectKeyId:          keyID(&key.PublicKey),
	}
	der, err := x509.CreateCertificate(rnd, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("pki: ca certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: ca certificate: %w", err)
	}
	return &CA{Cert: cert, Key: key}, nil
}

// ParseCA reads a CA from its certificate PEM and its private key PEM (keyPEM may be nil when
// the key follows the certificate in certPEM).
func ParseCA(certPEM, keyPEM []byte) (*CA, error) {
	certs, key, err := parsePEM(append(append([]byte{}, certPEM...), keyPEM...))
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, errors.New("pki: no CA certificate in the PEM data")
	}
	if key == nil {
		return nil, errors.New("pki: no CA private key in the PEM data")
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("pki: the CA key is not an RSA key")
	}
	if !certs[0].IsCA {
		return nil, errors.New("pki: the certificate is not a CA certificate")
	}
	if !publicKeyMatches(certs[0], rk) {
		return nil, errors.New("pki: the CA key does not belong to the CA certificate")
	}
	return &CA{Cert: certs[0], Key: rk}, nil
}

// LoadCA reads a CA from files (keyFile may be empty when the key is in certFile).
func LoadCA(certFile, keyFile string) (*CA, error) {
	certPEM, keyPEM, err := readPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return ParseCA(certPEM, keyPEM)
}

// CertPEM returns the CA certificate as PEM (the file peers use as their trust pool).
func (ca *CA) CertPEM() []byte { return encodeCert(ca.Cert) }

// KeyPEM returns the CA private key as PKCS#8 PEM.
func (ca *CA) KeyPEM() []byte { return encodeKey(ca.Key) }

// Pool returns a pool holding only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// LeafOptions describe a node certificate. Zero fields take the defaults named.
type LeafOptions struct {
	// Endpoints are the names the node is reached by: host names, IP addresses, host:port or
	// URLs. Each becomes a DNS or IP subject alternative name; at least one is required.
	Endpoints []string
	// CommonName defaults to the host of the first endpoint.
	CommonName string
	// Organization defaults to the CA's organization.
	Organization string
	// Bits is the RSA key size, DefaultBits when zero.
	Bits int
	// Validity defaults to one year, and never runs past the CA's.
	Validity time.Duration
	// Now and Rand default to time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
}

// Leaf is a node certificate with its chain (up to, and including, the CA) and key.
type Leaf struct {
	Cert  *x509.Certificate
	Chain []*x509.Certificate
	Key   *rsa.PrivateKey
}

// Issue makes a node certificate for client and server use signed by ca.
func (ca *CA) Issue(o LeafOptions) (*Leaf, error) {
	hosts, err := Hosts(o.Endpoints)
	if err != nil {
		return nil, err
	}
	if len(hosts) == 0 {
		return nil, errors.New("pki: a node certificate needs at least one endpoint")
	}
	now, rnd := clock(o.Now), randOr(o.Rand)
	key, err := rsa.GenerateKey(rnd, bitsOr(o.Bits))
	if err != nil {
		return nil, fmt.Errorf("pki: node key: %w", err)
	}
	serial, err := serialNumber(rnd)
	if err != nil {
		return nil, err
	}
	validity := o.Validity
	if validity <= 0 {
		validity = 365 * 24 * time.Hour
	}
	notAfter := now.Add(validity)
	if notAfter.After(ca.Cert.NotAfter) {
		notAfter = ca.Cert.NotAfter
	}
	org := o.Organization
	if org == "" && len(ca.Cert.Subject.Organization) > 0 {
		org = ca.Cert.Subject.Organization[0]
	}
	tpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: orDefault(o.CommonName, hosts[0]), Organization: nonEmpty(org)},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     notAfter,
		// The TRISA profile: digitalSignature, keyEncipherment (RSA key exchange), nonRepudiation.
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageContentCommitment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		SubjectKeyId:          keyID(&key.PublicKey),
		AuthorityKeyId:        ca.Cert.SubjectKeyId,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tpl.IPAddresses = append(tpl.IPAddresses, ip)
		} else {
			tpl.DNSNames = append(tpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rnd, tpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("pki: node certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: node certificate: %w", err)
	}
	return &Leaf{Cert: cert, Chain: []*x509.Certificate{ca.Cert}, Key: key}, nil
}

// PEM returns the leaf, its chain and its private key in one PEM document: the layout trisa's
// trust.Provider (and LoadKeyPair with no key file) reads.
func (l *Leaf) PEM() []byte {
	return append(l.CertPEM(), encodeKey(l.Key)...)
}

// CertPEM returns the leaf followed by its chain.
func (l *Leaf) CertPEM() []byte {
	var b bytes.Buffer
	b.Write(encodeCert(l.Cert))
	for _, c := range l.Chain {
		b.Write(encodeCert(c))
	}
	return b.Bytes()
}

// KeyPEM returns the private key as PKCS#8 PEM.
func (l *Leaf) KeyPEM() []byte { return encodeKey(l.Key) }

// TLSCertificate returns the leaf as a tls.Certificate (chain included).
func (l *Leaf) TLSCertificate() tls.Certificate {
	c := tls.Certificate{Certificate: [][]byte{l.Cert.Raw}, PrivateKey: l.Key, Leaf: l.Cert}
	for _, ch := range l.Chain {
		c.Certificate = append(c.Certificate, ch.Raw)
	}
	return c
}

// ParseKeyPair reads a certificate chain (leaf first) and its private key from PEM. keyPEM may
// be nil when the key is in certPEM (the trust.Provider layout).
func ParseKeyPair(certPEM, keyPEM []byte) (tls.Certificate, error) {
	certs, key, err := parsePEM(append(append([]byte{}, certPEM...), keyPEM...))
	if err != nil {
		return tls.Certificate{}, err
	}
	if len(certs) == 0 {
		return tls.Certificate{}, errors.New("pki: no certificate in the PEM data")
	}
	if key == nil {
		return tls.Certificate{}, errors.New("pki: no private key in the PEM data")
	}
	signer, ok := key.(crypto.Signer)
	if !ok || !publicKeyMatches(certs[0], signer) {
		return tls.Certificate{}, errors.New("pki: the private key does not belong to the first certificate")
	}
	c := tls.Certificate{PrivateKey: key, Leaf: certs[0]}
	for _, ct := range certs {
		c.Certificate = append(c.Certificate, ct.Raw)
	}
	return c, nil
}

// LoadKeyPair reads a node certificate from files (keyFile may be empty when the key is in
// certFile).
func LoadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, keyPEM, err := readPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	c, err := ParseKeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s: %w", certFile, err)
	}
	return c, nil
}

// ParsePool returns a pool of every certificate in the PEM data (private keys are ignored).
func ParsePool(data []byte) (*x509.CertPool, error) {
	certs, _, err := parsePEM(data)
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, errors.New("pki: no certificate in the pool data")
	}
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p, nil
}

// LoadPool reads a pool from PEM files.
func LoadPool(files ...string) (*x509.CertPool, error) {
	p := x509.NewCertPool()
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("pki: %w", err)
		}
		certs, _, err := parsePEM(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, c := range certs {
			p.AddCert(c)
			n++
		}
	}
	if n == 0 {
		return nil, errors.New("pki: no certificate in the pool files")
	}
	return p, nil
}

// ServerConfig returns the TLS configuration of a mutual TLS server in the TRISA network
// profile (TLS 1.2 or later, NIST curves, RSA AES-GCM suites for TLS 1.2): the client must
// present a certificate that clients verifies.
func ServerConfig(cert tls.Certificate, clients *x509.CertPool) *tls.Config {
	c := profile()
	c.Certificates = []tls.Certificate{cert}
	c.ClientAuth = tls.RequireAndVerifyClientCert
	c.ClientCAs = clients
	return c
}

// ClientConfig returns the TLS configuration of a mutual TLS client in the same profile: it
// presents cert and verifies servers against the pool.
func ClientConfig(cert tls.Certificate, servers *x509.CertPool) *tls.Config {
	c := profile()
	c.Certificates = []tls.Certificate{cert}
	c.RootCAs = servers
	return c
}

func profile() *tls.Config {
	return &tls.Config{
		MinVersion:       tls.VersionTLS12,
		CurvePreferences: []tls.CurveID{tls.CurveP521, tls.CurveP384, tls.CurveP256},
		CipherSuites: []uint16{
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
		},
	}
}

// Names returns the names a certificate vouches for, lower-cased and without duplicates: the
// DNS and IP subject alternative names, then the common name.
func Names(c *x509.Certificate) []string {
	if c == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, d := range c.DNSNames {
		add(d)
	}
	for _, ip := range c.IPAddresses {
		add(ip.String())
	}
	add(c.Subject.CommonName)
	return out
}

// Fingerprint returns the SHA-256 fingerprint of a certificate, as lower-case hex.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// Hosts reduces endpoints (host names, IPs, host:port, URLs) to their host names, lower-cased,
// without duplicates.
func Hosts(endpoints []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, e := range endpoints {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		h := e
		if strings.Contains(e, "://") {
			u, err := url.Parse(e)
			if err != nil || u.Hostname() == "" {
				return nil, fmt.Errorf("pki: endpoint %q is not a URL with a host", e)
			}
			h = u.Hostname()
		} else if host, _, err := net.SplitHostPort(e); err == nil {
			h = host
		}
		h = strings.ToLower(strings.Trim(h, "[]"))
		if h == "" || strings.ContainsAny(h, "/ ?#@") {
			return nil, fmt.Errorf("pki: endpoint %q is not a host name", e)
		}
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out, nil
}

// Files name what WriteFiles writes for one node certificate.
type Files struct {
	// Identity holds leaf, chain and key (the trust.Provider layout; our cert_file alone).
	Identity string
	// Cert holds leaf and chain; Key the private key (for tools that want them apart).
	Cert, Key string
}

// WriteLeaf writes a node certificate into dir as name.pem (leaf, chain, key), name.crt and
// name.key, private files with mode 0600. Existing files are not overwritten unless force.
func WriteLeaf(dir, name string, l *Leaf, force bool) (Files, error) {
	f := Files{Identity: filepath.Join(dir, name+".pem"), Cert: filepath.Join(dir, name+".crt"), Key: filepath.Join(dir, name+".key")}
	for _, w := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{f.Identity, l.PEM(), 0o600}, {f.Cert, l.CertPEM(), 0o644}, {f.Key, l.KeyPEM(), 0o600}} {
		if err := writeFile(w.path, w.data, w.mode, force); err != nil {
			return Files{}, err
		}
	}
	return f, nil
}

// WriteCA writes a CA into dir as name.crt (the pool peers trust) and name.key (mode 0600).
// Existing files are not overwritten unless force.
func WriteCA(dir, name string, ca *CA, force bool) (cert, key string, err error) {
	cert, key = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	if err := writeFile(cert, ca.CertPEM(), 0o644, force); err != nil {
		return "", "", err
	}
	if err := writeFile(key, ca.KeyPEM(), 0o600, force); err != nil {
		return "", "", err
	}
	return cert, key, nil
}

func writeFile(path string, data []byte, mode os.FileMode, force bool) error {
	flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flag, mode)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("pki: %s exists (use --force to replace it)", path)
		}
		return fmt.Errorf("pki: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("pki: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	return os.Chmod(path, mode)
}

func readPair(certFile, keyFile string) ([]byte, []byte, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: %w", err)
	}
	var keyPEM []byte
	if keyFile != "" {
		if keyPEM, err = os.ReadFile(keyFile); err != nil {
			return nil, nil, fmt.Errorf("pki: %w", err)
		}
	}
	return certPEM, keyPEM, nil
}

// parsePEM reads every certificate and the first private key of PEM data. Blocks of other
// types are skipped; anything that is not PEM at all is an error.
func parsePEM(data []byte) ([]*x509.Certificate, any, error) {
	var certs []*x509.Certificate
	var key any
	rest := data
	blocks := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks++
		switch b.Type {
		case BlockCertificate:
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("pki: certificate %d: %w", len(certs)+1, err)
			}
			certs = append(certs, c)
		case BlockPrivateKey, BlockRSAPrivateKey, "EC PRIVATE KEY":
			if key != nil {
				continue
			}
			k, err := parseKey(b)
			if err != nil {
				return nil, nil, err
			}
			key = k
		}
	}
	if blocks == 0 {
		return nil, nil, errors.New("pki: no PEM data")
	}
	return certs, key, nil
}

func parseKey(b *pem.Block) (any, error) {
	// Some TRISA files label PKCS#8 keys "RSA PRIVATE KEY": try each form.
	if k, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("pki: %s block is not a readable private key", strings.ToLower(b.Type))
}

func publicKeyMatches(c *x509.Certificate, key crypto.Signer) bool {
	pub, ok := c.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(key.Public())
}

func encodeCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: BlockCertificate, Bytes: c.Raw})
}

func encodeKey(k *rsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		// An RSA key always marshals; an error here would be a standard library defect.
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: BlockPrivateKey, Bytes: der})
}

func keyID(pub *rsa.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	sum := sha256.Sum256(der)
	return sum[:20]
}

func serialNumber(r io.Reader) (*big.Int, error) {
	n, err := rand.Int(r, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("pki: serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

func clock(now func() time.Time) time.Time {
	if now == nil {
		return time.Now().UTC()
	}
	return now().UTC()
}

func randOr(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

func bitsOr(b int) int {
	if b <= 0 {
		return DefaultBits
	}
	return b
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// TestSet makes a CA and one node certificate per endpoint list with TestBits keys, for tests
// and benchmarks that need mutual TLS in memory.
func TestSet(endpoints ...[]string) (*CA, []*Leaf, error) {
	ca, err := NewCA(CAOptions{Bits: TestBits})
	if err != nil {
		return nil, nil, err
	}
	leaves := make([]*Leaf, 0, len(endpoints))
	for _, e := range endpoints {
		l, err := ca.Issue(LeafOptions{Endpoints: e, Bits: TestBits})
		if err != nil {
			return nil, nil, err
		}
		leaves = append(leaves, l)
	}
	return ca, leaves, nil
}
