package proof

import (
	"crypto/sha256"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// taggedHash is BIP-340's hash_tag(x) = SHA256(SHA256(tag) || SHA256(tag) || x).
func taggedHash(tag string, parts ...[]byte) [32]byte {
	t := sha256.Sum256([]byte(tag))
	h := sha256.New()
	h.Write(t[:])
	h.Write(t[:])
	for _, p := range parts {
		h.Write(p)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// verifySchnorr is BIP-340 Verify(pk, m, sig) for a 32-byte x-only public key and a 32-byte
// message (https://github.com/bitcoin/bips/blob/master/bip-0340.mediawiki). It is written on
// the secp256k1 primitives of dcrd because btcec's schnorr package needs a module that is not
// in waybill's go.sum.
func verifySchnorr(pubX, msg, sig []byte) bool {
	if len(pubX) != 32 || len(msg) != 32 || len(sig) != 64 {
		return false
	}
	// P = lift_x(int(pk)); fail if pk >= p or x is not on the curve.
	var px, py secp256k1.FieldVal
	if overflow := px.SetByteSlice(pubX); overflow {
		return false
	}
	if !secp256k1.DecompressY(&px, false, &py) {
		return false
	}
	// r = int(sig[0:32]), fail if r >= p; s = int(sig[32:64]), fail if s >= n.
	var r secp256k1.FieldVal
	if overflow := r.SetByteSlice(sig[:32]); overflow {
		return false
	}
	var s secp256k1.ModNScalar
	if overflow := s.SetByteSlice(sig[32:]); overflow {
		return false
	}
	// e = int(hash_BIP0340/challenge(bytes(r) || bytes(P) || m)) mod n.
	c := taggedHash("BIP0340/challenge", sig[:32], pubX, msg)
	var e secp256k1.ModNScalar
	e.SetByteSlice(c[:])
	e.Negate()
	// R = s*G - e*P; fail if infinite, if y(R) is odd, or if x(R) != r.
	var P, sG, eP, R secp256k1.JacobianPoint
	P.X.Set(&px)
	P.Y.Set(&py)
	P.Z.SetInt(1)
	secp256k1.ScalarBaseMultNonConst(&s, &sG)
	secp256k1.ScalarMultNonConst(&e, &P, &eP)
	secp256k1.AddNonConst(&sG, &eP, &R)
	if (R.X.IsZero() && R.Y.IsZero()) || R.Z.IsZero() {
		return false
	}
	R.ToAffine()
	if R.Y.IsOdd() {
		return false
	}
	return R.X.Equals(&r)
}
