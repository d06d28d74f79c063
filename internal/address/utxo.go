package address

import (
	"errors"
	"strings"

	"github.com/btcsuite/btcd/address/v2/base58"
	"github.com/btcsuite/btcd/address/v2/bech32"
)

// utxoParams describes the address encodings of a Bitcoin-like chain. The segwit rules are the
// same on every such chain (BIP-141, BIP-173, BIP-350); only the prefixes differ.
type utxoParams struct {
	network     string
	pubKeyHash  []byte   // base58check version bytes of P2PKH
	scriptHash  []byte   // base58check version bytes of P2SH
	testVersion []byte   // base58check version bytes of the test networks, for a clearer refusal
	hrp         string   // bech32 human-readable part on mainnet
	testHRPs    []string // bech32 human-readable parts of the test networks
}

// bitcoinParams are Bitcoin mainnet's prefixes (Bitcoin Core chainparams.cpp).
func bitcoinParams() utxoParams {
	return utxoParams{
		network:     Bitcoin,
		pubKeyHash:  []byte{0x00},
		scriptHash:  []byte{0x05},
		testVersion: []byte{0x6f, 0xc4},
		hrp:         "bc",
		testHRPs:    []string{"tb", "bcrt"},
	}
}

// litecoinParams are Litecoin mainnet's prefixes (Litecoin Core chainparams.cpp): P2PKH 48 (L),
// P2SH 50 (M) and the legacy P2SH 5 (3) that Litecoin Core still accepts.
func litecoinParams() utxoParams {
	return utxoParams{
		network:     Litecoin,
		pubKeyHash:  []byte{0x30},
		scriptHash:  []byte{0x32, 0x05},
		testVersion: []byte{0x6f, 0x3a, 0xc4},
		hrp:         "ltc",
		testHRPs:    []string{"tltc", "rltc"},
	}
}

// isBech32Like reports whether s starts with one of the chain's bech32 prefixes, in any case.
func isBech32Like(p utxoParams, s string) bool {
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, p.hrp+"1") {
		return true
	}
	for _, h := range p.testHRPs {
		if strings.HasPrefix(lower, h+"1") {
			return true
		}
	}
	return false
}

// ScriptPubKey returns the output script that a valid bitcoin or litecoin address pays to
// (P2PKH, P2SH, or a segwit v0 / v1 program). It returns an *Error for an invalid address, for
// an unknown network, and for a network without scripts.
func ScriptPubKey(network, addr string) ([]byte, error) {
	var p utxoParams
	switch network {
	case Bitcoin:
		p = bitcoinParams()
	case Litecoin:
		p = litecoinParams()
	default:
		if !IsSupported(network) {
			return nil, &Error{Network: network, Reason: "is not a supported network", Err: ErrUnknownNetwork}
		}
		return nil, invalid(network, "has no script form")
	}
	if e := checkShape(network, addr); e != nil {
		return nil, e
	}
	script, e := decodeUTXO(p, addr)
	if e != nil {
		return nil, e
	}
	return script, nil
}

// decodeUTXO decodes a Bitcoin-like address to its output script.
func decodeUTXO(p utxoParams, s string) ([]byte, *Error) {
	if p.network == Litecoin && strings.HasPrefix(strings.ToLower(s), "ltcmweb1") {
		return nil, invalid(p.network, "is an MWEB address, which is not supported")
	}
	if isBech32Like(p, s) {
		return decodeSegwit(p, s)
	}
	return decodeBase58Check(p, s)
}

func decodeBase58Check(p utxoParams, s string) ([]byte, *Error) {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(bitcoinAlphabet, s[i]) < 0 {
			return nil, invalid(p.network, "has a character outside the base58 alphabet")
		}
	}
	payload, version, err := base58.CheckDecode(s)
	switch {
	case errors.Is(err, base58.ErrChecksum):
		return nil, invalid(p.network, "has a bad checksum")
	case err != nil:
		return nil, invalid(p.network, "is too short")
	case len(payload) != 20:
		return nil, invalid(p.network, "has a bad length")
	}
	switch {
	case contains(p.pubKeyHash, version):
		return append([]byte{0x76, 0xa9, 0x14}, append(payload, 0x88, 0xac)...), nil
	case contains(p.scriptHash, version):
		return append([]byte{0xa9, 0x14}, append(payload, 0x87)...), nil
	case contains(p.testVersion, version):
		return nil, invalid(p.network, "is a testnet address")
	}
	return nil, invalid(p.network, "has an unknown version byte")
}

// decodeSegwit decodes a native segwit address per BIP-173 and BIP-350 and accepts the output
// types with a defined spending rule: P2WPKH (v0, 20 bytes), P2WSH (v0, 32 bytes), P2TR (v1, 32
// bytes).
func decodeSegwit(p utxoParams, s string) ([]byte, *Error) {
	hrp, data, version, err := bech32.DecodeGeneric(s)
	if err != nil {
		var mixed bech32.ErrMixedCase
		var sum bech32.ErrInvalidChecksum
		switch {
		case errors.As(err, &mixed):
			return nil, invalid(p.network, "mixes upper and lower case")
		case errors.As(err, &sum):
			return nil, invalid(p.network, "has a bad checksum")
		}
		return nil, invalid(p.network, "is not valid bech32")
	}
	if hrp != p.hrp {
		for _, h := range p.testHRPs {
			if hrp == h {
				return nil, invalid(p.network, "is a testnet address")
			}
		}
		return nil, invalid(p.network, "has the wrong bech32 prefix")
	}
	if len(data) < 1 {
		return nil, invalid(p.network, "has no witness version")
	}
	witnessVersion := data[0]
	if witnessVersion > 16 {
		return nil, invalid(p.network, "has an invalid witness version")
	}
	program, err := bech32.ConvertBits(data[1:], 5, 8, false)
	if err != nil {
		return nil, invalid(p.network, "has bad padding")
	}
	if len(program) < 2 || len(program) > 40 ||
		(witnessVersion == 0 && len(program) != 20 && len(program) != 32) {
		return nil, invalid(p.network, "has a bad witness program length")
	}
	if witnessVersion == 0 && version != bech32.Version0 {
		return nil, invalid(p.network, "must use a bech32 checksum for witness version 0")
	}
	if witnessVersion != 0 && version != bech32.VersionM {
		return nil, invalid(p.network, "must use a bech32m checksum for witness version 1 and above")
	}
	switch {
	case witnessVersion == 0:
		return append([]byte{0x00, byte(len(program))}, program...), nil
	case witnessVersion == 1 && len(program) == 32:
		return append([]byte{0x51, 0x20}, program...), nil
	}
	return nil, invalid(p.network, "is not a supported output type (P2WPKH, P2WSH or P2TR)")
}

func contains(b []byte, v byte) bool {
	for _, x := range b {
		if x == v {
			return true
		}
	}
	return false
}
