package proof

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"golang.org/x/crypto/sha3"
)

// eip191Hash is keccak256("\x19Ethereum Signed Message:\n" + len(message) + message), the
// digest of personal_sign (EIP-191 version byte 0x45; https://eips.ethereum.org/EIPS/eip-191).
// The message is signed as its UTF-8 bytes.
func eip191Hash(message string) []byte {
	k := sha3.NewLegacyKeccak256()
	k.Write([]byte("\x19Ethereum Signed Message:\n"))
	k.Write([]byte(strconv.Itoa(len(message))))
	k.Write([]byte(message))
	return k.Sum(nil)
}

// parseEIP191Signature decodes r||s||v (65 bytes, hex, optional 0x) into the compact form that
// secp256k1 recovery takes: a header byte 27+recid, then r and s. v may be 27/28 (the usual
// form) or 0/1 (some hardware wallets).
func parseEIP191Signature(s string) ([]byte, *FieldError) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, malformed("signature", "must be hex")
	}
	if len(raw) != 65 {
		return nil, malformed("signature", "must be 65 bytes (r, s, v)")
	}
	v := raw[64]
	if v >= 27 {
		v -= 27
	}
	if v > 1 {
		return nil, malformed("signature", "has a bad recovery id (v must be 27, 28, 0 or 1)")
	}
	compact := make([]byte, 65)
	compact[0] = 27 + v
	copy(compact[1:], raw[:64])
	return compact, nil
}

// ethereumAddress returns the lower-case 0x address of the key that made compact over hash, or
// false when no key can be recovered (r or s out of range, r not an x coordinate).
func ethereumAddress(compact, hash []byte) (string, bool) {
	pub, _, err := ecdsa.RecoverCompact(compact, hash)
	if err != nil {
		return "", false
	}
	k := sha3.NewLegacyKeccak256()
	k.Write(pub.SerializeUncompressed()[1:])
	return "0x" + hex.EncodeToString(k.Sum(nil)[12:]), true
}

func verifyEIP191(p Proof) (Result, error) {
	res := Result{Type: TypeEIP191, Method: "eip191"}
	compact, ferr := parseEIP191Signature(p.Signature)
	if ferr != nil {
		return Result{}, ferr
	}
	signer, ok := ethereumAddress(compact, eip191Hash(p.Message))
	switch {
	case !ok:
		res.Reason = reasonBadSig
	case signer != strings.ToLower(p.Address):
		// A changed message recovers some other key, so this also covers tampering.
		res.Reason = reasonOtherKey + " (or the message was changed)"
	case !mentionsAddress(p.Network, p.Address, p.Message):
		res.Reason = reasonNoMention
	default:
		res.Verified = true
		res.Strength = StrengthCryptographic
		res.Reason = "the key of the address signed the message (EIP-191 personal_sign)"
	}
	return res, nil
}
