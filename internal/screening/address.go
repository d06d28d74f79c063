package screening

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
)

// MaxAddressLen is the longest address, in bytes after trimming, that a list may hold. OFAC
// allows digital currency identifiers of up to 256 characters; no chain uses longer ones.
const MaxAddressLen = 256

// NormalizeAddress returns the form of address that lists are keyed by. It does not depend on
// the network, only on the address's format: an EVM address ("0x" and 40 hex digits) and a
// bech32 or bech32m address (bc1…, ltc1…, tb1…, or any upper-case string with a valid bech32
// checksum) are lower-cased, since both are case-insensitive; everything else (base58, XRP,
// Monero, ...) is case-sensitive and only trimmed of surrounding white space. It agrees with
// address.Key on every network that package knows, but a list entry's network may be missing,
// wrong or one address.Key does not know, so it reads the format instead.
func NormalizeAddress(address string) string {
	var buf [MaxAddressLen]byte
	n, ok := normalize(&buf, address)
	if !ok {
		return strings.TrimSpace(address)
	}
	return string(buf[:n])
}

// normalize writes the normalised address into buf and returns its length; ok is false when
// the trimmed address is empty or longer than MaxAddressLen, which no list can hold.
func normalize(buf *[MaxAddressLen]byte, address string) (n int, ok bool) {
	s := strings.TrimSpace(address)
	if s == "" || len(s) > MaxAddressLen {
		return 0, false
	}
	n = copy(buf[:], s)
	if caseInsensitive(s) {
		for i := range n {
			if c := buf[i]; 'A' <= c && c <= 'Z' {
				buf[i] = c + ('a' - 'A')
			}
		}
	}
	return n, true
}

// caseInsensitive reports whether s is in a format whose letter case carries no meaning.
func caseInsensitive(s string) bool {
	if isEVM(s) {
		return true
	}
	if !hasUpper(s) {
		return false // lower-casing would change nothing
	}
	return hasSegwitPrefix(s) || isBech32(s)
}

// Character classes of an ASCII byte, as bits of charClass.
const (
	classHex    = 1 << iota // 0-9 a-f A-F
	classBech32             // in the bech32 character set, in either case
	classUpper              // A-Z
	classLower              // a-z
)

// charClass holds the classes of every byte value (a constant string rather than a table
// variable: the package keeps no mutable state). TestCharClass checks it against the
// definitions above.
const charClass = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x03\x01\x03\x03\x03\x03\x03\x03\x03\x03\x00\x00\x00\x00\x00\x00" +
	"\x00\x07\x05\x07\x07\x07\x07\x06\x06\x04\x06\x06\x06\x06\x06\x04" +
	"\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x00\x00\x00\x00\x00" +
	"\x00\x0b\x09\x0b\x0b\x0b\x0b\x0a\x0a\x08\x0a\x0a\x0a\x0a\x0a\x08" +
	"\x0a\x0a\x0a\x0a\x0a\x0a\x0a\x0a\x0a\x0a\x0a\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// classes returns the union and the intersection of the classes of the bytes of s.
func classes(s string) (union, inter byte) {
	inter = 0xff
	for i := 0; i < len(s); i++ {
		c := charClass[s[i]]
		union |= c
		inter &= c
	}
	return union, inter
}

// isEVM reports whether s looks like an EVM account address: 0x and 40 hex digits.
func isEVM(s string) bool {
	if len(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return false
	}
	_, inter := classes(s[2:])
	return inter&classHex != 0
}

func hasUpper(s string) bool {
	union, _ := classes(s)
	return union&classUpper != 0
}

// hasSegwitPrefix reports whether s starts, in any case, with the human-readable part and
// separator of a segwit address family that waybill's networks use (BIP-173: bitcoin main, test
// and regtest; litecoin main, test and regtest) and continues with bech32 characters only.
func hasSegwitPrefix(s string) bool {
	for _, p := range [...]string{"bc1", "tb1", "bcrt1", "ltc1", "tltc1", "rltc1"} {
		if len(s) > len(p)+6 && strings.EqualFold(s[:len(p)], p) {
			return allBech32Chars(s[len(p):])
		}
	}
	return false
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32Value returns the 5-bit value of c read case-insensitively, or -1 when c is not in the
// bech32 character set.
func bech32Value(c byte) int {
	return strings.IndexByte(bech32Charset, lower(c))
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func allBech32Chars(s string) bool {
	_, inter := classes(s)
	return inter&classBech32 != 0
}

// isBech32 reports whether s, read case-insensitively, is a bech32 or bech32m string (BIP-173,
// BIP-350) with a valid checksum. Mixed case is not valid bech32, so it is refused.
func isBech32(s string) bool {
	if union, _ := classes(s); union&classUpper != 0 && union&classLower != 0 {
		return false
	}
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 || len(s)-sep-1 < 6 {
		return false
	}
	hrp, data := s[:sep], s[sep+1:]
	for i := 0; i < len(hrp); i++ {
		if hrp[i] < 33 || hrp[i] > 126 {
			return false
		}
	}
	chk := uint32(1)
	for i := 0; i < len(hrp); i++ {
		chk = bech32Step(chk) ^ uint32(lower(hrp[i])>>5)
	}
	chk = bech32Step(chk)
	for i := 0; i < len(hrp); i++ {
		chk = bech32Step(chk) ^ uint32(lower(hrp[i])&31)
	}
	for i := 0; i < len(data); i++ {
		v := bech32Value(data[i])
		if v < 0 {
			return false
		}
		chk = bech32Step(chk) ^ uint32(v)
	}
	return chk == 1 || chk == 0x2bc830a3 // bech32, bech32m
}

func bech32Step(chk uint32) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	b := chk >> 25
	chk = (chk & 0x1ffffff) << 5
	for i := range gen {
		if (b>>i)&1 == 1 {
			chk ^= gen[i]
		}
	}
	return chk
}

// key is the 128-bit identity of a normalised address in an index: the first 16 bytes of its
// SHA-256. With at most 2^31 addresses per list the chance of any false match stays below
// 2^-66, and SHA-256 keeps it there even for addresses chosen by an adversary.
type key struct{ hi, lo uint64 }

// keyOf returns the key of address after normalisation; ok is false when the address is empty
// or too long to be on any list.
func keyOf(address string) (k key, ok bool) {
	var buf [MaxAddressLen]byte
	n, ok := normalize(&buf, address)
	if !ok {
		return key{}, false
	}
	sum := sha256.Sum256(buf[:n])
	return key{binary.BigEndian.Uint64(sum[0:8]), binary.BigEndian.Uint64(sum[8:16])}, true
}
