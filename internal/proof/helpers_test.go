package proof

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"testing"

	btcaddr "github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/address/v2/base58"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/sha3"

	"github.com/waybill/waybill/internal/address"
)

// This file signs proofs in the tests with fixed keys, the way a wallet would, so that the
// verifiers are checked against independently built signatures as well as published vectors.

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// keyFromHex returns the private key with the given 32-byte hex scalar.
func keyFromHex(t testing.TB, s string) *secp256k1.PrivateKey {
	t.Helper()
	return secp256k1.PrivKeyFromBytes(mustHex(t, s))
}

// keyFromWIF decodes a mainnet WIF private key (compressed form).
func keyFromWIF(t testing.TB, wif string) *secp256k1.PrivateKey {
	t.Helper()
	payload, version, err := base58.CheckDecode(wif)
	require.NoError(t, err)
	require.Equal(t, byte(0x80), version)
	require.Len(t, payload, 33)
	return secp256k1.PrivKeyFromBytes(payload[:32])
}

// ethAddress is the EIP-55 address of key.
func ethAddress(t testing.TB, key *secp256k1.PrivateKey) string {
	t.Helper()
	k := sha3.NewLegacyKeccak256()
	k.Write(key.PubKey().SerializeUncompressed()[1:])
	a, err := address.Checksum(hex.EncodeToString(k.Sum(nil)[12:]))
	require.NoError(t, err)
	return a
}

// signEIP191 signs message with personal_sign and returns 0x r||s||v with v 27 or 28.
func signEIP191(key *secp256k1.PrivateKey, message string) string {
	compact := ecdsa.SignCompact(key, eip191Hash(message), false)
	sig := append(append([]byte{}, compact[1:]...), compact[0])
	return "0x" + hex.EncodeToString(sig)
}

// bitcoin addresses of a key.
func p2pkhAddress(key *secp256k1.PrivateKey, compressed bool) string {
	pub := key.PubKey().SerializeCompressed()
	if !compressed {
		pub = key.PubKey().SerializeUncompressed()
	}
	return base58.CheckEncode(btcaddr.Hash160(pub), 0x00)
}

func p2wpkhAddress(t testing.TB, key *secp256k1.PrivateKey) string {
	t.Helper()
	a, err := btcaddr.NewAddressWitnessPubKeyHash(btcaddr.Hash160(key.PubKey().SerializeCompressed()), &chaincfg.MainNetParams)
	require.NoError(t, err)
	return a.EncodeAddress()
}

func p2shP2WPKHAddress(t testing.TB, key *secp256k1.PrivateKey) string {
	t.Helper()
	a, err := btcaddr.NewAddressScriptHash(p2wpkhScript(btcaddr.Hash160(key.PubKey().SerializeCompressed())), &chaincfg.MainNetParams)
	require.NoError(t, err)
	return a.EncodeAddress()
}

func p2trAddress(t testing.TB, outputKey []byte) string {
	t.Helper()
	a, err := btcaddr.NewAddressTaproot(outputKey, &chaincfg.MainNetParams)
	require.NoError(t, err)
	return a.EncodeAddress()
}

// signBIP137 makes a compact signature with the header of the given kind.
func signBIP137(key *secp256k1.PrivateKey, message string, kind bip137Kind) string {
	compact := ecdsa.SignCompact(key, bitcoinMessageHash(message), kind != kindP2PKHUncompressed)
	recid := (compact[0] - 27) & 3
	compact[0] = 27 + 4*byte(kind) + recid
	return base64.StdEncoding.EncodeToString(compact)
}

func serializeWitness(items ...[]byte) string {
	var b bytes.Buffer
	writeCompactSize(&b, uint64(len(items)))
	for _, it := range items {
		writeVarBytes(&b, it)
	}
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// signBIP322P2WPKH makes a BIP-322 simple signature for the key's P2WPKH address.
func signBIP322P2WPKH(key *secp256k1.PrivateKey, message string) string {
	pub := key.PubKey().SerializeCompressed()
	h := btcaddr.Hash160(pub)
	toSpend := toSpendTxID(bip322MessageHash(message), p2wpkhScript(h))
	sig := ecdsa.Sign(key, sighashP2WPKH(toSpend, h)).Serialize()
	return serializeWitness(append(sig, 0x01), pub)
}

// taprootOutputKey tweaks the key per BIP-341 for a key-path-only output (no script tree) and
// returns the x-only output key and the secret key that signs for it.
func taprootOutputKey(key *secp256k1.PrivateKey) ([]byte, *secp256k1.ModNScalar) {
	d := key.Key
	var P secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(&d, &P)
	P.ToAffine()
	if P.Y.IsOdd() {
		d.Negate()
	}
	px := P.X.Bytes()
	tweak := taggedHash("TapTweak", px[:])
	var t secp256k1.ModNScalar
	t.SetByteSlice(tweak[:])
	q := new(secp256k1.ModNScalar).Add2(&d, &t)
	var Q secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(q, &Q)
	Q.ToAffine()
	qx := Q.X.Bytes()
	return qx[:], q
}

// signSchnorr is BIP-340's default signing algorithm with auxiliary randomness aux.
func signSchnorr(secret *secp256k1.ModNScalar, msg []byte, aux [32]byte) []byte {
	d := *secret
	var P secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(&d, &P)
	P.ToAffine()
	if P.Y.IsOdd() {
		d.Negate()
	}
	px := P.X.Bytes()
	db := d.Bytes()
	a := taggedHash("BIP0340/aux", aux[:])
	var masked [32]byte
	for i := range masked {
		masked[i] = db[i] ^ a[i]
	}
	rand := taggedHash("BIP0340/nonce", masked[:], px[:], msg)
	var k secp256k1.ModNScalar
	k.SetByteSlice(rand[:])
	var R secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(&k, &R)
	R.ToAffine()
	if R.Y.IsOdd() {
		k.Negate()
	}
	rx := R.X.Bytes()
	c := taggedHash("BIP0340/challenge", rx[:], px[:], msg)
	var e secp256k1.ModNScalar
	e.SetByteSlice(c[:])
	s := new(secp256k1.ModNScalar).Mul2(&e, &d).Add(&k)
	sb := s.Bytes()
	return append(rx[:], sb[:]...)
}

// signBIP322P2TR makes a BIP-322 simple signature for the key's P2TR (key-path) address, with
// SIGHASH_DEFAULT (64 bytes) or SIGHASH_ALL (65 bytes).
func signBIP322P2TR(t testing.TB, key *secp256k1.PrivateKey, message string, sighashAll bool) (addr, sig string) {
	t.Helper()
	outputKey, secret := taprootOutputKey(key)
	spk := append([]byte{0x51, 0x20}, outputKey...)
	toSpend := toSpendTxID(bip322MessageHash(message), spk)
	hashType := byte(0x00)
	if sighashAll {
		hashType = 0x01
	}
	s := signSchnorr(secret, sighashTaproot(toSpend, spk, hashType), [32]byte{})
	if sighashAll {
		s = append(s, 0x01)
	}
	return p2trAddress(t, outputKey), serializeWitness(s)
}
