package proof

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"

	btcaddr "github.com/btcsuite/btcd/address/v2"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/waybill/waybill/internal/address"
)

// bitcoinMessageHash is the digest Bitcoin Core's signmessage signs: double SHA-256 of the
// length-prefixed magic "Bitcoin Signed Message:\n" and the length-prefixed message.
func bitcoinMessageHash(message string) []byte {
	const magic = "Bitcoin Signed Message:\n"
	var b bytes.Buffer
	writeVarBytes(&b, []byte(magic))
	writeVarBytes(&b, []byte(message))
	return sha256d(b.Bytes())
}

// decodeBase64 accepts standard base64 with or without padding.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	return nil, false
}

// bip137Kind is what the BIP-137 header byte says about the address type.
type bip137Kind int

const (
	kindP2PKHUncompressed bip137Kind = iota // header 27-30
	kindP2PKH                               // 31-34
	kindP2SHP2WPKH                          // 35-38
	kindP2WPKH                              // 39-42
)

// parseBIP137Signature decodes the 65-byte signature and splits its header
// (https://github.com/bitcoin/bips/blob/master/bip-0137.mediawiki) into the address kind and a
// compact signature whose header secp256k1 recovery understands (27+recid, +4 if compressed).
func parseBIP137Signature(s string) (bip137Kind, []byte, *FieldError) {
	raw, ok := decodeBase64(s)
	if !ok {
		return 0, nil, malformed("signature", "must be base64")
	}
	if len(raw) != 65 {
		return 0, nil, malformed("signature", "must be 65 bytes")
	}
	header := raw[0]
	if header < 27 || header > 42 {
		return 0, nil, malformed("signature", "has a bad header byte (recovery id must be 27-42)")
	}
	kind := bip137Kind((header - 27) / 4)
	recid := (header - 27) & 3
	compact := make([]byte, 65)
	compact[0] = 27 + recid
	if kind != kindP2PKHUncompressed {
		compact[0] += 4
	}
	copy(compact[1:], raw[1:])
	return kind, compact, nil
}

// candidate is an output script the recovered key may pay to, and the method that names it.
type candidate struct {
	script []byte
	method string
}

// bip137Candidates returns the output scripts the recovered key may pay to. Header 31-34
// (compressed P2PKH) also matches the key's segwit addresses: Electrum, Trezor and others sign
// for P2WPKH and P2SH-P2WPKH with that header, and the key is the same.
func bip137Candidates(kind bip137Kind, compact, hash []byte) ([]candidate, bool) {
	pub, _, err := ecdsa.RecoverCompact(compact, hash)
	if err != nil {
		return nil, false
	}
	if kind == kindP2PKHUncompressed {
		return []candidate{{p2pkhScript(btcaddr.Hash160(pub.SerializeUncompressed())), "bip137/p2pkh-uncompressed"}}, true
	}
	h := btcaddr.Hash160(pub.SerializeCompressed())
	switch kind {
	case kindP2SHP2WPKH:
		return []candidate{{p2shP2WPKHScript(h), "bip137/p2sh-p2wpkh"}}, true
	case kindP2WPKH:
		return []candidate{{p2wpkhScript(h), "bip137/p2wpkh"}}, true
	}
	return []candidate{
		{p2pkhScript(h), "bip137/p2pkh"},
		{p2wpkhScript(h), "bip137/p2wpkh"},
		{p2shP2WPKHScript(h), "bip137/p2sh-p2wpkh"},
	}, true
}

func verifyBIP137(p Proof) (Result, error) {
	res := Result{Type: TypeBIP137, Method: "bip137"}
	kind, compact, ferr := parseBIP137Signature(p.Signature)
	if ferr != nil {
		return Result{}, ferr
	}
	want, err := address.ScriptPubKey(p.Network, p.Address)
	if err != nil {
		return Result{}, malformed("address", "is not valid")
	}
	if len(want) == 34 {
		// P2WSH and P2TR commit to a script or a tweaked key, not to a key hash.
		res.Reason = "inconclusive: BIP-137 signatures cannot prove P2WSH or P2TR addresses; use bip322"
		return res, nil
	}
	candidates, ok := bip137Candidates(kind, compact, bitcoinMessageHash(p.Message))
	if !ok {
		res.Reason = reasonBadSig
		return res, nil
	}
	i := slices.IndexFunc(candidates, func(c candidate) bool { return bytes.Equal(c.script, want) })
	if i < 0 {
		res.Reason = reasonOtherKey + " (or the message was changed)"
		return res, nil
	}
	res.Method = candidates[i].method
	if !mentionsAddress(p.Network, p.Address, p.Message) {
		res.Reason = reasonNoMention
		return res, nil
	}
	res.Verified = true
	res.Strength = StrengthCryptographic
	res.Reason = "the key of the address signed the message (BIP-137 signed message)"
	return res, nil
}

func p2pkhScript(h []byte) []byte {
	return append(append([]byte{0x76, 0xa9, 0x14}, h...), 0x88, 0xac)
}

func p2wpkhScript(h []byte) []byte {
	return append([]byte{0x00, 0x14}, h...)
}

func p2shP2WPKHScript(h []byte) []byte {
	return append(append([]byte{0xa9, 0x14}, btcaddr.Hash160(p2wpkhScript(h))...), 0x87)
}

func sha256d(b []byte) []byte {
	h1 := sha256.Sum256(b)
	h2 := sha256.Sum256(h1[:])
	return h2[:]
}
