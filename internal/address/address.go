// Package address validates and canonicalises blockchain addresses for the networks waybill
// supports, so that a withdrawal to a mistyped address is refused before it reaches a
// counterparty, and so that the same address written two ways is found by one lookup.
//
// It is pure: no I/O, no chain access, no knowledge of who owns an address. It must not decide
// whether an address is risky (that is screening) or whose it is (that is the wallet book), and
// its errors must never echo the address they are about.
package address

import (
	"errors"
	"fmt"
	"strings"
)

// The networks waybill knows, as the lower-case names used in transfers, wallets and policies.
const (
	Bitcoin   = "bitcoin"
	Litecoin  = "litecoin"
	Ethereum  = "ethereum"
	Polygon   = "polygon"
	BSC       = "bsc"
	Arbitrum  = "arbitrum"
	Optimism  = "optimism"
	Base      = "base"
	Avalanche = "avalanche"
	Tron      = "tron"
	Solana    = "solana"
	XRP       = "xrp"
)

// maxLen bounds every address before decoding; the longest valid one (a bech32 P2WSH or P2TR
// address) has 62 characters. It keeps the quadratic base58 decoders cheap on hostile input.
const maxLen = 128

// Networks returns the supported network names in a stable order (a new slice on each call).
func Networks() []string {
	return []string{Bitcoin, Litecoin, Ethereum, Polygon, BSC, Arbitrum, Optimism, Base, Avalanche,
		Tron, Solana, XRP}
}

// IsEVM reports whether network is an EVM chain, whose addresses are 0x-prefixed hex with an
// optional EIP-55 checksum and whose messages are signed with EIP-191.
func IsEVM(network string) bool {
	switch network {
	case Ethereum, Polygon, BSC, Arbitrum, Optimism, Base, Avalanche:
		return true
	}
	return false
}

// IsSupported reports whether network is one of Networks.
func IsSupported(network string) bool {
	switch network {
	case Bitcoin, Litecoin, Tron, Solana, XRP:
		return true
	}
	return IsEVM(network)
}

// ErrUnknownNetwork is matched (errors.Is) by the *Error returned for a network that is not
// supported.
var ErrUnknownNetwork = errors.New("unknown network")

// ErrInvalid is matched (errors.Is) by the *Error returned for an address that is not valid on
// a supported network.
var ErrInvalid = errors.New("invalid address")

// Error says why an address was refused. Reason is a short phrase that completes
// "<network> address ...", e.g. "has a bad EIP-55 checksum"; it never contains the address.
type Error struct {
	Network string
	Reason  string
	// Err is ErrUnknownNetwork or ErrInvalid.
	Err error
}

// Error returns e.g. "ethereum address has a bad EIP-55 checksum" or `unknown network "foo"`.
func (e *Error) Error() string {
	if errors.Is(e.Err, ErrUnknownNetwork) {
		// The name is caller input: quoted and cut short so that it cannot flood a log.
		return fmt.Sprintf("unknown network %.32q", e.Network)
	}
	return e.Network + " address " + e.Reason
}

// Unwrap returns ErrUnknownNetwork or ErrInvalid.
func (e *Error) Unwrap() error { return e.Err }

func invalid(network, reason string) *Error {
	return &Error{Network: network, Reason: reason, Err: ErrInvalid}
}

// Validate checks that addr is a well-formed mainnet address on network. It returns nil or an
// *Error. Surrounding whitespace is refused rather than trimmed: the address is what funds are
// sent to, so the caller decides (Key trims for lookups).
//
// Accepted per network:
//   - bitcoin: base58check P2PKH (1...) and P2SH (3...); bech32 P2WPKH and P2WSH (BIP-173);
//     bech32m P2TR (BIP-350). Other witness versions and lengths are refused: they have no
//     defined output type yet and funds sent to them cannot be spent by the customer.
//   - litecoin: base58check L... (P2PKH), M... and legacy 3... (P2SH); ltc1 bech32 / bech32m
//     with the same witness rules as bitcoin. MWEB addresses (ltcmweb1...) are refused.
//   - EVM chains: 0x and 40 hex digits; mixed case must carry a valid EIP-55 checksum, all lower
//     or all upper case is accepted without one.
//   - tron: base58check, 21 bytes starting 0x41 (T...).
//   - solana: base58 decoding to exactly 32 bytes (an ed25519 key or a program-derived address).
//   - xrp: classic addresses (r...), XRP base58 alphabet, version 0, 20-byte account id,
//     double-SHA-256 checksum. X-addresses are refused.
func Validate(network, addr string) error {
	if !IsSupported(network) {
		return &Error{Network: network, Reason: "is not a supported network", Err: ErrUnknownNetwork}
	}
	if e := validate(network, addr); e != nil {
		return e
	}
	return nil
}

// checkShape refuses what no network accepts: empty, overlong, padded with whitespace.
func checkShape(network, addr string) *Error {
	switch {
	case addr == "":
		return invalid(network, "is empty")
	case len(addr) > maxLen:
		return invalid(network, "is too long")
	case strings.TrimSpace(addr) != addr:
		return invalid(network, "has leading or trailing whitespace")
	}
	return nil
}

func validate(network, addr string) *Error {
	if e := checkShape(network, addr); e != nil {
		return e
	}
	switch {
	case IsEVM(network):
		return validateEVM(network, addr)
	case network == Bitcoin:
		_, e := decodeUTXO(bitcoinParams(), addr)
		return e
	case network == Litecoin:
		_, e := decodeUTXO(litecoinParams(), addr)
		return e
	case network == Tron:
		return validateTron(addr)
	case network == Solana:
		return validateSolana(addr)
	case network == XRP:
		return validateXRP(addr)
	}
	return &Error{Network: network, Reason: "is not a supported network", Err: ErrUnknownNetwork}
}

// Key returns the canonical form of addr for lookups and comparisons: trimmed; lower case on EVM
// chains (the EIP-55 checksum is presentation only) and for bech32 addresses (BIP-173 allows
// all-upper-case, which means the same address); unchanged for base58 addresses, where case is
// part of the value. Key does not validate: call Validate for that. An unknown network gets the
// trimmed string.
func Key(network, addr string) string {
	s := strings.TrimSpace(addr)
	switch {
	case IsEVM(network):
		return strings.ToLower(s)
	case network == Bitcoin && isBech32Like(bitcoinParams(), s),
		network == Litecoin && isBech32Like(litecoinParams(), s):
		return strings.ToLower(s)
	}
	return s
}
