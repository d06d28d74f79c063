package address

import (
	"golang.org/x/crypto/sha3"
)

// validateEVM checks 0x + 40 hex digits and, for mixed case, the EIP-55 checksum
// (https://eips.ethereum.org/EIPS/eip-55).
func validateEVM(network, s string) *Error {
	if len(s) < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return invalid(network, "must start with 0x")
	}
	if s[1] != 'x' {
		return invalid(network, "must start with a lower-case 0x")
	}
	if len(s) != 42 {
		return invalid(network, "must be 0x followed by 40 hex digits")
	}
	var upper, lower bool
	for i := 2; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f':
			lower = true
		case c >= 'A' && c <= 'F':
			upper = true
		default:
			return invalid(network, "has a character that is not a hex digit")
		}
	}
	if upper && lower && checksum(s[2:]) != s[2:] {
		return invalid(network, "has a bad EIP-55 checksum")
	}
	return nil
}

// Checksum returns the EIP-55 mixed-case form of an EVM address given in any case, with or
// without the 0x prefix; the checksum of the input is not checked. It returns an *Error
// (network "ethereum") when addr is not 40 hex digits.
func Checksum(addr string) (string, error) {
	h := addr
	if len(h) >= 2 && h[0] == '0' && (h[1] == 'x' || h[1] == 'X') {
		h = h[2:]
	}
	if len(h) != 40 {
		return "", invalid(Ethereum, "must be 0x followed by 40 hex digits")
	}
	for i := 0; i < len(h); i++ {
		if !isHex(h[i]) {
			return "", invalid(Ethereum, "has a character that is not a hex digit")
		}
	}
	return "0x" + checksum(h), nil
}

// checksum applies EIP-55 to 40 hex digits: a letter is upper case when the matching nibble of
// keccak256(lower-case hex) is 8 or more.
func checksum(hex40 string) string {
	lower := make([]byte, len(hex40))
	for i := 0; i < len(hex40); i++ {
		c := hex40[i]
		if c >= 'A' && c <= 'F' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	k := sha3.NewLegacyKeccak256()
	k.Write(lower)
	sum := k.Sum(nil)
	out := make([]byte, len(lower))
	for i, c := range lower {
		nibble := sum[i/2] >> 4
		if i%2 == 1 {
			nibble = sum[i/2] & 0x0f
		}
		if c >= 'a' && c <= 'f' && nibble >= 8 {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
