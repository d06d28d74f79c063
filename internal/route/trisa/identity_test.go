package trisa

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/pki"
)

func TestIdentity(t *testing.T) {
	t.Parallel()
	ca, leaves, err := pki.TestSet([]string{"node.trisa.test", "127.0.0.1"})
	require.NoError(t, err)
	leaf := leaves[0]
	dir := t.TempDir()
	files, err := pki.WriteLeaf(dir, "node", leaf, false)
	require.NoError(t, err)
	caFile, _, err := pki.WriteCA(dir, "ca", ca, false)
	require.NoError(t, err)

	t.Run("one file, as TRISA keeps it", func(t *testing.T) {
		t.Parallel()
		id, err := LoadIdentity(files.Identity, "", caFile, "")
		require.NoError(t, err)
		require.Equal(t, "node.trisa.test", id.CommonName())
		require.True(t, id.SealingKey().Equal(&leaf.Key.PublicKey), "the certificate key seals")
		k, err := exchangeKey(id.exchange, time.Now())
		require.NoError(t, err)
		require.True(t, k.Equal(&leaf.Key.PublicKey), "and is what key exchanges give")
		pks, err := publicKeySignature(&leaf.Key.PublicKey)
		require.NoError(t, err)
		require.Equal(t, pks, id.PublicKeySignature())
	})
	t.Run("certificate and key apart, another sealing key", func(t *testing.T) {
		t.Parallel()
		sk, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		der, err := x509.MarshalPKCS8PrivateKey(sk)
		require.NoError(t, err)
		// PKCS#8 under the PKCS#1 label, as TRISA's own fixtures have it.
		path := filepath.Join(dir, "sealing.pem")
		require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), 0o600))
		id, err := LoadIdentity(files.Cert, files.Key, caFile, path)
		require.NoError(t, err)
		require.True(t, id.SealingKey().Equal(&sk.PublicKey))
		k, err := exchangeKey(id.exchange, time.Now())
		require.NoError(t, err)
		require.True(t, k.Equal(&sk.PublicKey))
	})
	t.Run("refusals", func(t *testing.T) {
		t.Parallel()
		ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
		require.NoError(t, err)
		small, err := rsa.GenerateKey(rand.Reader, 1024)
		require.NoError(t, err)
		smallDER := x509.MarshalPKCS1PrivateKey(small)
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		for name, args := range map[string][4][]byte{
			"no key":             {leaf.CertPEM(), nil, ca.CertPEM(), nil},
			"key of another":     {leaf.CertPEM(), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)}), ca.CertPEM(), nil},
			"no pool":            {leaf.PEM(), nil, nil, nil},
			"garbage pool":       {leaf.PEM(), nil, []byte("-----BEGIN JUNK-----\nAA==\n-----END JUNK-----\n"), nil},
			"EC sealing key":     {leaf.PEM(), nil, ca.CertPEM(), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})},
			"small sealing key":  {leaf.PEM(), nil, ca.CertPEM(), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: smallDER})},
			"sealing key absent": {leaf.PEM(), nil, ca.CertPEM(), []byte("not pem")},
		} {
			_, err := ParseIdentity(args[0], args[1], args[2], args[3])
			require.Error(t, err, name)
		}
		_, err = LoadIdentity(filepath.Join(dir, "missing.pem"), "", caFile, "")
		require.Error(t, err)
	})
}

func TestSplitEndpoint(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]string{
		"trisa.example.com:4000":         {"trisa.example.com", "trisa.example.com:4000"},
		"trisa.example.com":              {"trisa.example.com", "trisa.example.com:443"},
		"https://trisa.example.com:443/": {"trisa.example.com", "trisa.example.com:443"},
		"dns:///127.0.0.1:4000":          {"127.0.0.1", "127.0.0.1:4000"},
		"[::1]:4000":                     {"::1", "[::1]:4000"},
	} {
		h, hp, err := splitEndpoint(in)
		require.NoError(t, err, in)
		require.Equal(t, want, [2]string{h, hp}, in)
	}
	for _, bad := range []string{"", "a b:1", "host:", ":4000", "https://x.example/path"} {
		_, _, err := splitEndpoint(bad)
		require.Error(t, err, bad)
	}
}

func TestKeyCache(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := newKeyCache(time.Hour, clock)
	k := &rsa.PublicKey{}
	c.put("peer", k)
	got, ok := c.get("peer")
	require.True(t, ok)
	require.Same(t, k, got)
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	_, ok = c.get("peer")
	require.False(t, ok, "expired after the TTL")
	c.put("peer", k)
	c.forget("peer")
	_, ok = c.get("peer")
	require.False(t, ok)
	for i := 0; i < maxCachedKeys+10; i++ {
		c.put(string(rune('a'+i%26))+time.Duration(i).String(), k)
	}
	require.LessOrEqual(t, len(c.m), maxCachedKeys, "bounded")
}
