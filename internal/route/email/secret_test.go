package email

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSecrets(t *testing.T) {
	t.Parallel()
	a, err := newSecret(rand.Reader)
	require.NoError(t, err)
	b, err := newSecret(rand.Reader)
	require.NoError(t, err)
	require.NotEqual(t, a, b)
	require.True(t, wellFormed(a), a)
	require.Len(t, a, secretLen)
	require.NotEqual(t, hashSecret(a), hashSecret(b))
	require.Equal(t, hashSecret(a), hashSecret(a))
	require.NotContains(t, hashSecret(a), a, "the stored form does not contain the secret")
	require.True(t, sameHash(a, hashSecret(a)))
	require.False(t, sameHash(b, hashSecret(a)))
	require.False(t, sameHash(a, ""), "an empty stored hash matches nothing")

	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"issued", a, true},
		{"short", a[:42], false},
		{"long", a + "A", false},
		{"padding", a[:42] + "=", false},
		{"standard alphabet", a[:42] + "+", false},
		{"space", a[:42] + " ", false},
	} {
		require.Equal(t, tc.ok, wellFormed(tc.in), tc.name)
	}

	_, err = newSecret(bytes.NewReader(nil))
	require.Error(t, err, "a failing random source is an error, not a weak token")
}

func TestCodes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		c, err := newCode(rand.Reader)
		require.NoError(t, err)
		require.Len(t, c, codeDigits)
		require.Equal(t, c, normalizeCode(c))
		seen[c] = true
	}
	require.Greater(t, len(seen), 190, "codes are random")

	// Values past the largest multiple of a million are drawn again (no modulo bias).
	c, err := newCode(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x07}))
	require.NoError(t, err)
	require.Equal(t, "000007", c)
	_, err = newCode(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff}))
	require.Error(t, err)

	require.NotEqual(t, hashCode("link-1", "123456"), hashCode("link-2", "123456"), "codes are hashed per link")
	require.True(t, hmacEqual(hashCode("l", "123456"), hashCode("l", "123456")))
	require.False(t, hmacEqual("", ""))

	for in, want := range map[string]string{"123456": "123456", "123 456": "123456", "123-456": "123456", " 123456\t": "123456",
		"12345": "", "1234567": "", "12345a": "", "１２３４５６": "", "": ""} {
		require.Equal(t, want, normalizeCode(in), "%q", in)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	tok := csrfToken("session-a", "link-1")
	require.True(t, validCSRF("session-a", "link-1", tok))
	require.False(t, validCSRF("session-b", "link-1", tok), "bound to the session")
	require.False(t, validCSRF("session-a", "link-2", tok), "bound to the link")
	require.False(t, validCSRF("session-a", "link-1", ""))
	require.False(t, validCSRF("session-a", "link-1", strings.ToUpper(tok)))
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	l := newLimiter(3*time.Second, 2, func() time.Time { return now })
	req := func(addr string) bool {
		return l.allow(newRequest(addr))
	}
	require.True(t, req("192.0.2.1:1000"))
	require.True(t, req("192.0.2.1:1001"), "the port does not matter")
	require.False(t, req("192.0.2.1:1002"), "the burst is spent")
	require.True(t, req("192.0.2.2:1000"), "addresses have their own bucket")
	now = now.Add(3 * time.Second)
	require.True(t, req("192.0.2.1:1003"), "the bucket refills")
	require.False(t, req("192.0.2.1:1004"))
	require.True(t, req("not-an-address"), "an odd remote address still gets a bucket")
}

func newRequest(remote string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/sunrise/open", nil)
	r.RemoteAddr = remote
	return r
}
