package email

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// Secrets. Tokens and sessions are 256 random bits in unpadded base64url (43 characters); the
// database keeps only their SHA-256. One-time codes are six digits, hashed with the link id so
// that equal codes of two links differ at rest; six digits are enough because a link locks
// after a few wrong codes.

const (
	secretBytes = 32
	secretLen   = 43 // base64url of 32 bytes, unpadded
	codeDigits  = 6
)

// newSecret returns a random token.
func newSecret(r io.Reader) (string, error) {
	b := make([]byte, secretBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("email: randomness: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// wellFormed reports whether s looks like a token we issued (checked before any lookup).
func wellFormed(s string) bool {
	if len(s) != secretLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// hashSecret returns the stored form of a token or session.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte("waybill-sunrise/" + s))
	return hex.EncodeToString(h[:])
}

// sameHash compares a secret with a stored hash in constant time.
func sameHash(secret, stored string) bool {
	if stored == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(stored)) == 1
}

// newCode returns a uniformly random six-digit code.
func newCode(r io.Reader) (string, error) {
	const limit = 4_294_000_000 // the largest multiple of 10^6 below 2^32: no modulo bias
	var b [4]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("email: randomness: %w", err)
		}
		if v := binary.BigEndian.Uint32(b[:]); v < limit {
			return fmt.Sprintf("%0*d", codeDigits, v%1_000_000), nil
		}
	}
}

// hashCode returns the stored form of a code of one link.
func hashCode(linkID, code string) string {
	h := sha256.Sum256([]byte("waybill-sunrise-code/" + linkID + "/" + code))
	return hex.EncodeToString(h[:])
}

// normalizeCode drops the spaces and dashes people type into codes.
func normalizeCode(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if len(s) != codeDigits {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return ""
		}
	}
	return s
}

// csrfToken binds a form to the browser session and the link.
func csrfToken(session, linkID string) string {
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("csrf/" + linkID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validCSRF checks a submitted token in constant time.
func validCSRF(session, linkID, got string) bool {
	want := csrfToken(session, linkID)
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// hmacEqual compares two hashes in constant time.
func hmacEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
