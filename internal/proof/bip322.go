package proof

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"

	btcaddr "github.com/btcsuite/btcd/address/v2"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/waybill/waybill/internal/address"
)

// This file implements BIP-322 (Generic Signed Message Format,
// https://github.com/bitcoin/bips/blob/master/bip-0322.mediawiki) for "simple" signatures of
// single-key addresses: P2WPKH (BIP-143 sighash, ECDSA) and P2TR key-path (BIP-341 sighash,
// BIP-340 Schnorr). Other scripts (P2WSH, P2SH, script-path spends) would need a script
// interpreter; for them Verify reports "inconclusive", as the BIP allows.

// bip322MessageHash is sha256_tag("BIP0322-signed-message", message).
func bip322MessageHash(message string) []byte {
	h := taggedHash("BIP0322-signed-message", []byte(message))
	return h[:]
}

// toSpendTxID returns the txid (internal byte order) of the virtual to_spend transaction:
// version 0, one input spending 000..000:FFFFFFFF with scriptSig OP_0 PUSH32[message_hash] and
// sequence 0, one output of value 0 paying to the address's scriptPubKey, lock time 0.
func toSpendTxID(messageHash, scriptPubKey []byte) []byte {
	var b bytes.Buffer
	b.Write(le32(0))          // nVersion
	writeCompactSize(&b, 1)   // one input
	b.Write(make([]byte, 32)) // prevout hash
	b.Write(le32(0xffffffff)) // prevout index
	writeVarBytes(&b, append([]byte{0x00, 0x20}, messageHash...))
	b.Write(le32(0))        // nSequence
	writeCompactSize(&b, 1) // one output
	b.Write(le64(0))        // nValue
	writeVarBytes(&b, scriptPubKey)
	b.Write(le32(0)) // nLockTime
	return sha256d(b.Bytes())
}

// toSignTxID returns the txid (internal byte order) of to_sign without its witness: version 0,
// one input spending to_spend:0 with an empty scriptSig and sequence 0, one OP_RETURN output
// of value 0, lock time 0. Only the test vectors use it; verification needs the sighash.
func toSignTxID(toSpend []byte) []byte {
	var b bytes.Buffer
	b.Write(le32(0))
	writeCompactSize(&b, 1)
	b.Write(toSpend)
	b.Write(le32(0))
	writeCompactSize(&b, 0) // empty scriptSig
	b.Write(le32(0))
	writeCompactSize(&b, 1)
	b.Write(le64(0))
	writeVarBytes(&b, []byte{0x6a})
	b.Write(le32(0))
	return sha256d(b.Bytes())
}

// sighashP2WPKH is the BIP-143 signature hash of to_sign's only input, spending a P2WPKH output
// of value 0 whose key hash is h, with SIGHASH_ALL.
func sighashP2WPKH(toSpend, h []byte) []byte {
	outpoint := append(append([]byte{}, toSpend...), le32(0)...)
	var outputs bytes.Buffer
	outputs.Write(le64(0))
	writeVarBytes(&outputs, []byte{0x6a})

	var b bytes.Buffer
	b.Write(le32(0))                  // nVersion
	b.Write(sha256d(outpoint))        // hashPrevouts
	b.Write(sha256d(le32(0)))         // hashSequence
	b.Write(outpoint)                 // outpoint
	writeVarBytes(&b, p2pkhScript(h)) // scriptCode
	b.Write(le64(0))                  // amount
	b.Write(le32(0))                  // nSequence
	b.Write(sha256d(outputs.Bytes())) // hashOutputs
	b.Write(le32(0))                  // nLockTime
	b.Write(le32(1))                  // SIGHASH_ALL
	return sha256d(b.Bytes())
}

// sighashTaproot is the BIP-341 key-path signature hash of to_sign's only input, spending the
// to_spend output (value 0, scriptPubKey spk), for hash type 0x00 (default) or 0x01 (ALL),
// without an annex.
func sighashTaproot(toSpend, spk []byte, hashType byte) []byte {
	one := func(b []byte) []byte { h := sha256.Sum256(b); return h[:] }
	var spks, outputs bytes.Buffer
	writeVarBytes(&spks, spk)
	outputs.Write(le64(0))
	writeVarBytes(&outputs, []byte{0x6a})

	var m bytes.Buffer
	m.WriteByte(0x00) // epoch
	m.WriteByte(hashType)
	m.Write(le32(0))                                               // nVersion
	m.Write(le32(0))                                               // nLockTime
	m.Write(one(append(append([]byte{}, toSpend...), le32(0)...))) // sha_prevouts
	m.Write(one(le64(0)))                                          // sha_amounts
	m.Write(one(spks.Bytes()))                                     // sha_scriptpubkeys
	m.Write(one(le32(0)))                                          // sha_sequences
	m.Write(one(outputs.Bytes()))                                  // sha_outputs
	m.WriteByte(0x00)                                              // spend_type: key path, no annex
	m.Write(le32(0))                                               // input_index
	h := taggedHash("TapSighash", m.Bytes())
	return h[:]
}

func verifyBIP322(p Proof) (Result, error) {
	res := Result{Type: TypeBIP322, Method: "bip322"}
	raw, ok := decodeBase64(p.Signature)
	if !ok {
		return Result{}, malformed("signature", "must be base64")
	}
	witness, ok := parseWitness(raw)
	if !ok {
		if len(raw) == 65 && raw[0] >= 27 && raw[0] <= 42 {
			return Result{}, malformed("signature",
				"is a BIP-137 (legacy) signature, not a BIP-322 simple one; submit it as type bip137")
		}
		return Result{}, malformed("signature",
			"is not a BIP-322 simple signature (a serialized witness stack); the full format is not supported")
	}
	spk, err := address.ScriptPubKey(p.Network, p.Address)
	if err != nil {
		return Result{}, malformed("address", "is not valid")
	}
	toSpend := toSpendTxID(bip322MessageHash(p.Message), spk)
	switch {
	case len(spk) == 22 && spk[0] == 0x00 && spk[1] == 0x14:
		res.Method = "bip322/p2wpkh"
		res.Reason = checkP2WPKH(witness, spk[2:], toSpend)
	case len(spk) == 34 && spk[0] == 0x51 && spk[1] == 0x20:
		res.Method = "bip322/p2tr"
		res.Reason = checkTaproot(witness, spk, toSpend)
	default:
		res.Reason = "inconclusive: BIP-322 simple signatures are checked for P2WPKH and P2TR addresses only; use bip137 for a 1... or 3... address"
		return res, nil
	}
	if res.Reason == "" {
		// The address is bound by to_spend's scriptPubKey, so the message need not name it.
		res.Verified = true
		res.Strength = StrengthCryptographic
		res.Reason = "the key of the address signed the message (BIP-322 simple signature)"
	}
	return res, nil
}

// checkP2WPKH applies the P2WPKH spending rule and BIP-322's required rules (SIGHASH_ALL,
// strict DER, low S) to the witness. It returns "" when the signature is valid, else the reason.
func checkP2WPKH(witness [][]byte, keyHash, toSpend []byte) string {
	if len(witness) != 2 {
		return "a P2WPKH signature must be a witness of two items (signature, public key)"
	}
	sig, pubBytes := witness[0], witness[1]
	if len(sig) < 2 {
		return reasonBadSig
	}
	if sig[len(sig)-1] != 0x01 {
		return "the signature must use SIGHASH_ALL"
	}
	parsed, err := ecdsa.ParseDERSignature(sig[:len(sig)-1])
	if err != nil {
		return "the signature is not strictly DER-encoded"
	}
	s := parsed.S()
	if s.IsOverHalfOrder() {
		return "the signature has a high S value (BIP-322 requires low S)"
	}
	if len(pubBytes) != 33 {
		return "the public key must be compressed (33 bytes)"
	}
	pub, err := secp256k1.ParsePubKey(pubBytes)
	if err != nil {
		return "the public key is not a valid secp256k1 point"
	}
	if !bytes.Equal(btcaddr.Hash160(pubBytes), keyHash) {
		return reasonOtherKey
	}
	if !parsed.Verify(sighashP2WPKH(toSpend, keyHash), pub) {
		return reasonBadSig + " (or the message was changed)"
	}
	return ""
}

// checkTaproot applies the P2TR key-path spending rule (BIP-341) and BIP-322's SIGHASH_ALL rule
// (SIGHASH_DEFAULT is the same commitment) to the witness.
func checkTaproot(witness [][]byte, spk, toSpend []byte) string {
	if len(witness) == 2 && len(witness[1]) > 0 && witness[1][0] == 0x50 {
		return "inconclusive: signatures with a taproot annex are not supported"
	}
	if len(witness) != 1 {
		return "inconclusive: taproot script-path signatures are not supported, only key-path"
	}
	sig := witness[0]
	var hashType byte
	switch {
	case len(sig) == 64:
		hashType = 0x00
	case len(sig) == 65 && sig[64] == 0x01:
		hashType = 0x01
	case len(sig) == 65:
		return "the signature must use SIGHASH_ALL"
	default:
		return "a taproot signature must be 64 or 65 bytes"
	}
	if !verifySchnorr(spk[2:], sighashTaproot(toSpend, spk, hashType), sig[:64]) {
		return reasonBadSig + " (or the message was changed, or another key signed)"
	}
	return ""
}

// parseWitness decodes a consensus-encoded witness stack: a CompactSize item count, then each
// item as CompactSize length and bytes. It must consume the input exactly.
func parseWitness(b []byte) ([][]byte, bool) {
	r := bytes.NewReader(b)
	n, ok := readCompactSize(r)
	if !ok || n == 0 || n > uint64(len(b)) {
		return nil, false
	}
	items := make([][]byte, 0, n)
	for range n {
		size, ok := readCompactSize(r)
		if !ok || size > uint64(r.Len()) {
			return nil, false
		}
		item := make([]byte, size)
		if _, err := r.Read(item); err != nil && size > 0 {
			return nil, false
		}
		items = append(items, item)
	}
	if r.Len() != 0 {
		return nil, false
	}
	return items, true
}

// readCompactSize reads Bitcoin's variable-length integer and refuses non-canonical encodings.
func readCompactSize(r *bytes.Reader) (uint64, bool) {
	first, err := r.ReadByte()
	if err != nil {
		return 0, false
	}
	var size int
	var min uint64
	switch first {
	case 0xfd:
		size, min = 2, 0xfd
	case 0xfe:
		size, min = 4, 0x10000
	case 0xff:
		size, min = 8, 0x100000000
	default:
		return uint64(first), true
	}
	buf := make([]byte, 8)
	if n, _ := r.Read(buf[:size]); n != size {
		return 0, false
	}
	v := binary.LittleEndian.Uint64(buf)
	if v < min {
		return 0, false
	}
	return v, true
}

func writeCompactSize(b *bytes.Buffer, n uint64) {
	switch {
	case n < 0xfd:
		b.WriteByte(byte(n))
	case n <= 0xffff:
		b.WriteByte(0xfd)
		b.Write(binary.LittleEndian.AppendUint16(nil, uint16(n)))
	case n <= 0xffffffff:
		b.WriteByte(0xfe)
		b.Write(le32(uint32(n)))
	default:
		b.WriteByte(0xff)
		b.Write(le64(n))
	}
}

func writeVarBytes(b *bytes.Buffer, p []byte) {
	writeCompactSize(b, uint64(len(p)))
	b.Write(p)
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
