package address

import (
	"crypto/sha256"
	"strings"
)

// The two base58 alphabets in use: Bitcoin's (also Tron's and Solana's) and the XRP Ledger's,
// which permutes the same 58 characters so that classic addresses start with r.
const (
	bitcoinAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	xrpAlphabet     = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
)

// decodeBase58 decodes s in the given alphabet; each leading zero digit is one zero byte. ok is
// false when s has a character outside the alphabet. The cost is quadratic in len(s), which
// callers bound with maxLen.
func decodeBase58(s, alphabet string) (out []byte, ok bool) {
	zeros := 0
	for zeros < len(s) && s[zeros] == alphabet[0] {
		zeros++
	}
	// log(58)/log(256) < 0.733 bytes per digit.
	buf := make([]byte, (len(s)-zeros)*733/1000+1)
	used := 0
	for i := zeros; i < len(s); i++ {
		carry := strings.IndexByte(alphabet, s[i])
		if carry < 0 {
			return nil, false
		}
		j := 0
		for k := len(buf) - 1; k >= 0 && (carry != 0 || j < used); k-- {
			carry += 58 * int(buf[k])
			buf[k] = byte(carry)
			carry >>= 8
			j++
		}
		used = j
	}
	out = make([]byte, zeros+used)
	copy(out[zeros:], buf[len(buf)-used:])
	return out, true
}

// checksumOK reports whether the last four bytes of b are the first four of
// SHA-256(SHA-256(the rest)), the base58check rule shared by Bitcoin, Tron and XRP.
func checksumOK(b []byte) bool {
	if len(b) < 5 {
		return false
	}
	body, sum := b[:len(b)-4], b[len(b)-4:]
	h1 := sha256.Sum256(body)
	h2 := sha256.Sum256(h1[:])
	return string(h2[:4]) == string(sum)
}

// validateTron checks a base58check address of 21 bytes whose first is 0x41 (the T... form;
// https://developers.tron.network/docs/account).
func validateTron(s string) *Error {
	b, ok := decodeBase58(s, bitcoinAlphabet)
	switch {
	case !ok:
		return invalid(Tron, "has a character outside the base58 alphabet")
	case len(b) != 25:
		return invalid(Tron, "has a bad length")
	case !checksumOK(b):
		return invalid(Tron, "has a bad checksum")
	case b[0] != 0x41:
		return invalid(Tron, "must start with T (version byte 0x41)")
	}
	return nil
}

// validateSolana checks a base58 string that decodes to 32 bytes. An address may be an ed25519
// public key or a program-derived address (off the curve), so the curve is not checked.
func validateSolana(s string) *Error {
	b, ok := decodeBase58(s, bitcoinAlphabet)
	switch {
	case !ok:
		return invalid(Solana, "has a character outside the base58 alphabet")
	case len(b) != 32:
		return invalid(Solana, "does not decode to 32 bytes")
	}
	return nil
}

// validateXRP checks a classic address: XRP-alphabet base58check of version 0 and a 20-byte
// account id (https://xrpl.org/docs/concepts/accounts/addresses).
func validateXRP(s string) *Error {
	if s[0] == 'X' || s[0] == 'T' {
		return invalid(XRP, "is an X-address; give the classic r... address and a destination tag")
	}
	if s[0] != 'r' {
		return invalid(XRP, "must start with r")
	}
	b, ok := decodeBase58(s, xrpAlphabet)
	switch {
	case !ok:
		return invalid(XRP, "has a character outside the XRP base58 alphabet")
	case len(b) != 25:
		return invalid(XRP, "has a bad length")
	case !checksumOK(b):
		return invalid(XRP, "has a bad checksum")
	case b[0] != 0x00:
		return invalid(XRP, "has an unknown version byte")
	}
	return nil
}
