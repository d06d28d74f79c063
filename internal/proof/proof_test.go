package proof

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/address"
)

// Fixed keys for signing in the tests.
const (
	// The private key of the web3.js documentation (web3.eth.accounts.sign).
	web3Key     = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	web3Address = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
	// The BIP-322 test-vector key (WIF) and its addresses.
	bip322WIF     = "L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k"
	bip322P2WPKH  = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l"
	bip322P2TR    = "bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5sxq8lt3"
	otherKeyHex   = "0000000000000000000000000000000000000000000000000000000000000002"
	statementHead = "I confirm that I control the address "
)

func TestEIP191KnownAnswer(t *testing.T) {
	t.Parallel()
	// web3.eth.accounts.sign("Some data", web3Key) from the web3.js 1.x documentation.
	const sig = "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"
	require.Equal(t, "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655", hex.EncodeToString(eip191Hash("Some data")))

	compact, ferr := parseEIP191Signature(sig)
	require.Nil(t, ferr)
	signer, ok := ethereumAddress(compact, eip191Hash("Some data"))
	require.True(t, ok)
	require.Equal(t, strings.ToLower(web3Address), signer)
	require.Equal(t, web3Address, ethAddress(t, keyFromHex(t, web3Key)))
	require.Equal(t, sig, signEIP191(keyFromHex(t, web3Key), "Some data"), "RFC 6979 signing reproduces the published signature")

	// Through Verify: the signature is good but "Some data" does not name the address.
	res, err := Verify(Proof{Type: TypeEIP191, Network: address.Ethereum, Address: web3Address, Message: "Some data", Signature: sig})
	require.NoError(t, err)
	require.False(t, res.Verified)
	require.Equal(t, reasonNoMention, res.Reason)
}

func TestVerifyEIP191(t *testing.T) {
	t.Parallel()
	key := keyFromHex(t, web3Key)
	addr := ethAddress(t, key)
	msg := statementHead + addr + " on 2026-11-21 for waybill transfer 7f3a."
	sig := signEIP191(key, msg)
	raw := mustHex(t, sig[2:])
	v01 := append(append([]byte{}, raw[:64]...), raw[64]-27)
	badV := append(append([]byte{}, raw[:64]...), 29)
	other := ethAddress(t, keyFromHex(t, otherKeyHex))

	tests := []struct {
		name     string
		p        Proof
		verified bool
		reason   string // substring of Result.Reason, or of the error when errField is set
		errField string
	}{
		{"valid", Proof{Network: address.Ethereum, Address: addr, Message: msg, Signature: sig}, true, "signed", ""},
		{"valid, lower-case address", Proof{Network: address.Polygon, Address: strings.ToLower(addr), Message: msg, Signature: sig}, true, "signed", ""},
		{"valid, v is 0 or 1", Proof{Network: address.Base, Address: addr, Message: msg, Signature: hex.EncodeToString(v01)}, true, "signed", ""},
		{"message names the address in lower case", Proof{Network: address.Ethereum, Address: addr, Message: strings.ToLower(msg), Signature: signEIP191(key, strings.ToLower(msg))}, true, "signed", ""},
		{"wrong address", Proof{Network: address.Ethereum, Address: other, Message: msg, Signature: sig}, false, reasonOtherKey, ""},
		{"tampered message", Proof{Network: address.Ethereum, Address: addr, Message: msg + " ", Signature: sig}, false, reasonOtherKey, ""},
		{"message without the address", Proof{Network: address.Ethereum, Address: addr, Message: "I own it", Signature: signEIP191(key, "I own it")}, false, reasonNoMention, ""},
		{"r is zero", Proof{Network: address.Ethereum, Address: addr, Message: msg, Signature: hex.EncodeToString(append(make([]byte, 32), raw[32:]...))}, false, reasonBadSig, ""},
		{"bad recovery id", Proof{Network: address.Ethereum, Address: addr, Message: msg, Signature: hex.EncodeToString(badV)}, false, "recovery id", "signature"},
		{"64 bytes", Proof{Network: address.Ethereum, Address: addr, Message: msg, Signature: hex.EncodeToString(raw[:64])}, false, "65 bytes", "signature"},
		{"not hex", Proof{Network: address.Ethereum, Address: addr, Message: msg, Signature: "0xzz"}, false, "hex", "signature"},
		{"missing signature", Proof{Network: address.Ethereum, Address: addr, Message: msg}, false, "missing", "signature"},
		{"bitcoin network", Proof{Network: address.Bitcoin, Address: bip322P2WPKH, Message: msg, Signature: sig}, false, "EVM", "network"},
		{"bad checksum address", Proof{Network: address.Ethereum, Address: flipFirstLetter(addr), Message: msg, Signature: sig}, false, "EIP-55", "address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.p.Type = TypeEIP191
			checkVerify(t, tt.p, tt.verified, tt.reason, tt.errField)
		})
	}
}

// flipFirstLetter flips the case of the first letter after 0x, breaking an EIP-55 checksum.
func flipFirstLetter(s string) string {
	b := []byte(s)
	for i := 2; i < len(b); i++ {
		switch c := b[i]; {
		case c >= 'a' && c <= 'f':
			b[i] = c - 32
			return string(b)
		case c >= 'A' && c <= 'F':
			b[i] = c + 32
			return string(b)
		}
	}
	return s
}

// checkVerify runs Verify and checks the outcome; errField set means a *FieldError is expected.
func checkVerify(t *testing.T, p Proof, verified bool, reason, errField string) {
	t.Helper()
	res, err := Verify(p)
	if errField != "" {
		require.Error(t, err)
		require.ErrorIs(t, err, ErrMalformed)
		var fe *FieldError
		require.True(t, errors.As(err, &fe))
		require.Equal(t, errField, fe.Field)
		require.Contains(t, fe.Reason, reason)
		checkNoPersonalData(t, p, err.Error())
		return
	}
	require.NoError(t, err)
	require.Equal(t, verified, res.Verified, res.Reason)
	require.Equal(t, p.Type, res.Type)
	require.Contains(t, res.Reason, reason)
	if verified {
		require.NotEmpty(t, res.Strength)
	} else {
		require.Empty(t, res.Strength)
	}
	checkNoPersonalData(t, p, res.Reason)
}

func checkNoPersonalData(t *testing.T, p Proof, text string) {
	t.Helper()
	for _, s := range []string{p.Message, p.Signature, p.Address} {
		if len(s) > 8 {
			require.NotContains(t, text, s)
		}
	}
	if p.Declaration != nil && p.Declaration.Name != "" {
		require.NotContains(t, text, p.Declaration.Name)
	}
}

func TestBIP137KnownAnswer(t *testing.T) {
	t.Parallel()
	// bitcoinjs-message test/fixtures.json ("valid.verify" and "invalid.verify"), and the
	// example of its README (https://github.com/bitcoinjs/bitcoinjs-message).
	tests := []struct {
		name, addr, message, sig string
		match                    bool
		method                   string
	}{
		{"uncompressed P2PKH", "16UwLL9Risc3QfPqBUvKofHmBQ7wMtjvM", "vires is numeris", "G8JawPtQOrybrSP1WHQnQPr67B9S3qrxBrl1mlzoTJOSHEpmnF7D3+t+LX0Xei9J20B5AIdPbeL3AaTBZ4N3bY0=", true, "bip137/p2pkh-uncompressed"},
		{"compressed P2PKH", "1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs", "vires is numeris", "H8JawPtQOrybrSP1WHQnQPr67B9S3qrxBrl1mlzoTJOSHEpmnF7D3+t+LX0Xei9J20B5AIdPbeL3AaTBZ4N3bY0=", true, "bip137/p2pkh"},
		{"P2SH-P2WPKH", "3JvL6Ymt8MVWiCNHC7oWU6nLeHNJKLZGLN", "vires is numeris", "JF8nHqFr3K2UKYahhX3soVeoW8W1ECNbr0wfck7lzyXjCS5Q16Ek45zyBuy1Fiy9sTPKVgsqqOuPvbycuVSSVl8=", true, "bip137/p2sh-p2wpkh"},
		{"P2WPKH", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "vires is numeris", "KF8nHqFr3K2UKYahhX3soVeoW8W1ECNbr0wfck7lzyXjCS5Q16Ek45zyBuy1Fiy9sTPKVgsqqOuPvbycuVSSVl8=", true, "bip137/p2wpkh"},
		{"README compressed P2PKH", "1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbV", "This is an example of a signed message.", "H9L5yLFjti0QTHhPyFrZCT1V/MMnBtXKmoiKDZ78NDBjERki6ZTQZdSMCtkgoNmp17By9ItJr8o7ChX0XxY91nk=", true, "bip137/p2pkh"},
		{"wrong message", "16UwLL9Risc3QfPqBUvKofHmBQ7wMtjvM", "foobar", "G8JawPtQOrybrSP1WHQnQPr67B9S3qrxBrl1mlzoTJOSHEpmnF7D3+t+LX0Xei9J20B5AIdPbeL3AaTBZ4N3bY0=", false, ""},
		{"wrong address", "1111111111111111111114oLvT2", "vires is numeris", "H8JawPtQOrybrSP1WHQnQPr67B9S3qrxBrl1mlzoTJOSHEpmnF7D3+t+LX0Xei9J20B5AIdPbeL3AaTBZ4N3bY0=", false, ""},
		{"uncompressed address, compressed signature", "16UwLL9Risc3QfPqBUvKofHmBQ7wMtjvM", "vires is numeris", "H8JawPtQOrybrSP1WHQnQPr67B9S3qrxBrl1mlzoTJOSHEpmnF7D3+t+LX0Xei9J20B5AIdPbeL3AaTBZ4N3bY0=", false, ""},
		{"compressed address, uncompressed signature", "1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs", "vires is numeris", "G8JawPtQOrybrSP1WHQnQPr67B9S3qrxBrl1mlzoTJOSHEpmnF7D3+t+LX0Xei9J20B5AIdPbeL3AaTBZ4N3bY0=", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kind, compact, ferr := parseBIP137Signature(tt.sig)
			require.Nil(t, ferr)
			want, err := address.ScriptPubKey(address.Bitcoin, tt.addr)
			require.NoError(t, err)
			candidates, ok := bip137Candidates(kind, compact, bitcoinMessageHash(tt.message))
			require.True(t, ok)
			i := slices.IndexFunc(candidates, func(c candidate) bool { return string(c.script) == string(want) })
			require.Equal(t, tt.match, i >= 0)
			if tt.match {
				require.Equal(t, tt.method, candidates[i].method)
			}
			// Through Verify: none of these messages names its address.
			res, err := Verify(Proof{Type: TypeBIP137, Network: address.Bitcoin, Address: tt.addr, Message: tt.message, Signature: tt.sig})
			require.NoError(t, err)
			require.False(t, res.Verified)
			if tt.match {
				require.Equal(t, reasonNoMention, res.Reason)
				require.Equal(t, tt.method, res.Method)
			} else {
				require.Contains(t, res.Reason, reasonOtherKey)
			}
		})
	}
	// The message hashes of the same fixtures ("valid.magicHash").
	require.Equal(t, "80e795d4a4caadd7047af389d9f7f220562feb6196032e2131e10563352c4bcc", hex.EncodeToString(bitcoinMessageHash("")))
	require.Equal(t, "f8a5affbef4a3241b19067aa694562f64f513310817297089a8929a930f4f933", hex.EncodeToString(bitcoinMessageHash("Vires is Numeris")))
	// The README's key and address, signed here with RFC 6979: the published signature.
	key := keyFromWIF(t, "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1")
	require.Equal(t, "1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbV", p2pkhAddress(key, true))
	require.Equal(t, "H9L5yLFjti0QTHhPyFrZCT1V/MMnBtXKmoiKDZ78NDBjERki6ZTQZdSMCtkgoNmp17By9ItJr8o7ChX0XxY91nk=",
		signBIP137(key, "This is an example of a signed message.", kindP2PKH))
}

func TestVerifyBIP137(t *testing.T) {
	t.Parallel()
	key := keyFromWIF(t, bip322WIF)
	other := keyFromHex(t, otherKeyHex)
	uncompressed := p2pkhAddress(key, false)
	compressed := p2pkhAddress(key, true)
	nested := p2shP2WPKHAddress(t, key)
	native := p2wpkhAddress(t, key)
	require.Equal(t, bip322P2WPKH, native)
	msgFor := func(a string) string { return statementHead + a + " (waybill, 2026-11-21)" }
	sig := signBIP137(key, msgFor(native), kindP2WPKH)
	raw, _ := base64.StdEncoding.DecodeString(sig)
	badHeader := append([]byte{43}, raw[1:]...)

	tests := []struct {
		name     string
		p        Proof
		verified bool
		reason   string
		method   string
		errField string
	}{
		{"P2PKH uncompressed", Proof{Address: uncompressed, Message: msgFor(uncompressed), Signature: signBIP137(key, msgFor(uncompressed), kindP2PKHUncompressed)}, true, "signed", "bip137/p2pkh-uncompressed", ""},
		{"P2PKH compressed", Proof{Address: compressed, Message: msgFor(compressed), Signature: signBIP137(key, msgFor(compressed), kindP2PKH)}, true, "signed", "bip137/p2pkh", ""},
		{"P2SH-P2WPKH", Proof{Address: nested, Message: msgFor(nested), Signature: signBIP137(key, msgFor(nested), kindP2SHP2WPKH)}, true, "signed", "bip137/p2sh-p2wpkh", ""},
		{"P2WPKH", Proof{Address: native, Message: msgFor(native), Signature: sig}, true, "signed", "bip137/p2wpkh", ""},
		{"P2WPKH upper case in message", Proof{Address: native, Message: strings.ToUpper(msgFor(native)), Signature: signBIP137(key, strings.ToUpper(msgFor(native)), kindP2WPKH)}, true, "signed", "bip137/p2wpkh", ""},
		{"P2WPKH with a P2PKH header (Electrum)", Proof{Address: native, Message: msgFor(native), Signature: signBIP137(key, msgFor(native), kindP2PKH)}, true, "signed", "bip137/p2wpkh", ""},
		{"P2SH-P2WPKH with a P2PKH header", Proof{Address: nested, Message: msgFor(nested), Signature: signBIP137(key, msgFor(nested), kindP2PKH)}, true, "signed", "bip137/p2sh-p2wpkh", ""},
		{"P2WPKH header for a P2PKH address", Proof{Address: compressed, Message: msgFor(compressed), Signature: signBIP137(key, msgFor(compressed), kindP2WPKH)}, false, reasonOtherKey, "bip137", ""},
		{"wrong address", Proof{Address: p2wpkhAddress(t, other), Message: msgFor(native), Signature: sig}, false, reasonOtherKey, "bip137", ""},
		{"tampered message", Proof{Address: native, Message: msgFor(native) + ".", Signature: sig}, false, reasonOtherKey, "bip137", ""},
		{"message without the address", Proof{Address: native, Message: "mine", Signature: signBIP137(key, "mine", kindP2WPKH)}, false, reasonNoMention, "bip137/p2wpkh", ""},
		{"P2TR address", Proof{Address: bip322P2TR, Message: msgFor(bip322P2TR), Signature: sig}, false, "inconclusive", "bip137", ""},
		{"P2WSH address", Proof{Address: "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", Message: "x", Signature: sig}, false, "inconclusive", "bip137", ""},
		{"bad header byte", Proof{Address: native, Message: msgFor(native), Signature: base64.StdEncoding.EncodeToString(badHeader)}, false, "header", "", "signature"},
		{"64 bytes", Proof{Address: native, Message: msgFor(native), Signature: base64.StdEncoding.EncodeToString(raw[:64])}, false, "65 bytes", "", "signature"},
		{"not base64", Proof{Address: native, Message: msgFor(native), Signature: "%%%"}, false, "base64", "", "signature"},
		{"testnet address", Proof{Address: "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", Message: "x", Signature: sig}, false, "testnet", "", "address"},
		{"ethereum network", Proof{Network: address.Ethereum, Address: web3Address, Message: "x", Signature: sig}, false, "bitcoin", "", "network"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.p.Type = TypeBIP137
			if tt.p.Network == "" {
				tt.p.Network = address.Bitcoin
			}
			checkVerify(t, tt.p, tt.verified, tt.reason, tt.errField)
			if tt.errField == "" {
				res, _ := Verify(tt.p)
				require.Equal(t, tt.method, res.Method)
			}
		})
	}
}

func TestBIP322KnownAnswer(t *testing.T) {
	t.Parallel()
	// BIP-322 "Test vectors": message hashes, transaction hashes, signatures.
	spk, err := address.ScriptPubKey(address.Bitcoin, bip322P2WPKH)
	require.NoError(t, err)
	for _, tt := range []struct{ message, hash, toSpend, toSign string }{
		{"", "c90c269c4f8fcbe6880f72a721ddfbf1914268a794cbb21cfafee13770ae19f1",
			"c5680aa69bb8d860bf82d4e9cd3504b55dde018de765a91bb566283c545a99a7",
			"1e9654e951a5ba44c8604c4de6c67fd78a27e81dcadcfe1edf638ba3aaebaed6"},
		{"Hello World", "f0eb03b1a75ac6d9847f55c624a99169b5dccba2a31f5b23bea77ba270de0a7a",
			"b79d196740ad5217771c1098fc4a4b51e0535c32236c71f1ea4d61a2d603352b",
			"88737ae86f2077145f93cc4b153ae9a1cb8d56afa511988c149c5c8c9d93bddf"},
	} {
		require.Equal(t, tt.hash, hex.EncodeToString(bip322MessageHash(tt.message)))
		toSpend := toSpendTxID(bip322MessageHash(tt.message), spk)
		require.Equal(t, tt.toSpend, displayTxID(toSpend))
		require.Equal(t, tt.toSign, displayTxID(toSignTxID(toSpend)))
	}

	// The key of the vectors gives both addresses.
	key := keyFromWIF(t, bip322WIF)
	require.Equal(t, bip322P2WPKH, p2wpkhAddress(t, key))
	outputKey, _ := taprootOutputKey(key)
	require.Equal(t, bip322P2TR, p2trAddress(t, outputKey))

	tests := []struct {
		name, addr, message, sig, method string
	}{
		{"empty message", bip322P2WPKH, "", "AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=", "bip322/p2wpkh"},
		{"empty message, second signature", bip322P2WPKH, "", "AkgwRQIhAPkJ1Q4oYS0htvyuSFHLxRQpFAY56b70UvE7Dxazen0ZAiAtZfFz1S6T6I23MWI2lK/pcNTWncuyL8UL+oMdydVgzAEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy", "bip322/p2wpkh"},
		{"Hello World", bip322P2WPKH, "Hello World", "AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=", "bip322/p2wpkh"},
		{"Hello World, second signature", bip322P2WPKH, "Hello World", "AkgwRQIhAOzyynlqt93lOKJr+wmmxIens//zPzl9tqIOua93wO6MAiBi5n5EyAcPScOjf1lAqIUIQtr3zKNeavYabHyR8eGhowEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy", "bip322/p2wpkh"},
		// Bitcoin Core's BIP-322 tests (src/test/util_tests.cpp of the BIP-322 pull request).
		{"P2TR Hello World", bip322P2TR, "Hello World", "AUHd69PrJQEv+oKTfZ8l+WROBHuy9HKrbFCJu7U1iK2iiEy1vMU5EfMtjc+VSHM7aU0SDbak5IUZRVno2P5mjSafAQ==", "bip322/p2tr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Proof{Type: TypeBIP322, Network: address.Bitcoin, Address: tt.addr, Message: tt.message, Signature: tt.sig}
			res, err := Verify(p)
			require.NoError(t, err)
			require.True(t, res.Verified, res.Reason)
			require.Equal(t, tt.method, res.Method)
			require.Equal(t, StrengthCryptographic, res.Strength)

			p.Message += "!"
			res, err = Verify(p)
			require.NoError(t, err)
			require.False(t, res.Verified, "a changed message must fail")
		})
	}
	// The vectors' P2WPKH signatures are not valid for the P2TR address of the same key.
	res, err := Verify(Proof{Type: TypeBIP322, Network: address.Bitcoin, Address: bip322P2TR, Message: "Hello World", Signature: tests[2].sig})
	require.NoError(t, err)
	require.False(t, res.Verified)
}

// displayTxID reverses a txid into the byte order block explorers and the BIP show.
func displayTxID(b []byte) string {
	r := slices.Clone(b)
	slices.Reverse(r)
	return hex.EncodeToString(r)
}

func TestVerifyBIP322(t *testing.T) {
	t.Parallel()
	key := keyFromWIF(t, bip322WIF)
	other := keyFromHex(t, otherKeyHex)
	const msg = "waybill ownership check 7f3a"
	wpkhSig := signBIP322P2WPKH(key, msg)
	trAddr, trSig := signBIP322P2TR(t, key, msg, false)
	require.Equal(t, bip322P2TR, trAddr)
	_, trSigAll := signBIP322P2TR(t, key, msg, true)

	// Malleations of the P2WPKH witness.
	wpkh := mustWitness(t, wpkhSig)
	highS := mustWitness(t, wpkhSig)
	highS[0] = highSVariant(t, highS[0])
	noneHash := mustWitness(t, wpkhSig)
	noneHash[0][len(noneHash[0])-1] = 0x02
	tr := mustWitness(t, trSigAll)
	trNone := [][]byte{append(slices.Clone(tr[0][:64]), 0x02)}
	trExplicitDefault := [][]byte{append(slices.Clone(tr[0][:64]), 0x00)}
	legacy := signBIP137(key, msg, kindP2WPKH)

	tests := []struct {
		name     string
		addr     string
		message  string
		sig      string
		verified bool
		reason   string
		errField string
	}{
		{"P2WPKH", bip322P2WPKH, msg, wpkhSig, true, "signed", ""},
		{"P2WPKH, upper-case address", strings.ToUpper(bip322P2WPKH), msg, wpkhSig, true, "signed", ""},
		{"P2TR, SIGHASH_DEFAULT", trAddr, msg, trSig, true, "signed", ""},
		{"P2TR, SIGHASH_ALL", trAddr, msg, trSigAll, true, "signed", ""},
		{"P2WPKH, empty message", bip322P2WPKH, "", signBIP322P2WPKH(key, ""), true, "signed", ""},
		{"P2WPKH wrong address", p2wpkhAddress(t, other), msg, wpkhSig, false, reasonOtherKey, ""},
		{"P2TR wrong address", p2trAddressOf(t, other), msg, trSig, false, reasonBadSig, ""},
		{"P2WPKH tampered message", bip322P2WPKH, msg + " ", wpkhSig, false, reasonBadSig, ""},
		{"P2TR tampered message", trAddr, msg + " ", trSig, false, reasonBadSig, ""},
		{"high S", bip322P2WPKH, msg, serializeWitness(highS...), false, "high S", ""},
		{"SIGHASH_NONE", bip322P2WPKH, msg, serializeWitness(noneHash...), false, "SIGHASH_ALL", ""},
		{"taproot SIGHASH_NONE", trAddr, msg, serializeWitness(trNone...), false, "SIGHASH_ALL", ""},
		{"taproot explicit 0x00", trAddr, msg, serializeWitness(trExplicitDefault...), false, "SIGHASH_ALL", ""},
		{"P2WPKH witness with one item", bip322P2WPKH, msg, serializeWitness(wpkh[0]), false, "two items", ""},
		{"P2WPKH uncompressed key", bip322P2WPKH, msg, serializeWitness(wpkh[0], key.PubKey().SerializeUncompressed()), false, "compressed", ""},
		{"not DER", bip322P2WPKH, msg, serializeWitness(append([]byte{0x30, 0x00}, 0x01), wpkh[1]), false, "DER", ""},
		{"taproot script path", trAddr, msg, serializeWitness(tr[0], []byte{0x51}, []byte{0xc0}), false, "inconclusive", ""},
		{"taproot annex", trAddr, msg, serializeWitness(tr[0], []byte{0x50, 0x01}), false, "inconclusive", ""},
		{"taproot short signature", trAddr, msg, serializeWitness(tr[0][:63]), false, "64 or 65 bytes", ""},
		{"P2PKH address", p2pkhAddress(key, true), msg, wpkhSig, false, "inconclusive", ""},
		{"P2SH address", p2shP2WPKHAddress(t, key), msg, wpkhSig, false, "inconclusive", ""},
		{"BIP-137 signature", bip322P2WPKH, msg, legacy, false, "BIP-137", "signature"},
		{"trailing bytes", bip322P2WPKH, msg, base64.StdEncoding.EncodeToString(append(mustBase64(t, wpkhSig), 0x00)), false, "witness stack", "signature"},
		{"truncated", bip322P2WPKH, msg, base64.StdEncoding.EncodeToString(mustBase64(t, wpkhSig)[:40]), false, "witness stack", "signature"},
		{"empty stack", bip322P2WPKH, msg, base64.StdEncoding.EncodeToString([]byte{0x00}), false, "witness stack", "signature"},
		{"non-canonical size", bip322P2WPKH, msg, base64.StdEncoding.EncodeToString([]byte{0xfd, 0x01, 0x00, 0x00}), false, "witness stack", "signature"},
		{"not base64", bip322P2WPKH, msg, "not base64!", false, "base64", "signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Proof{Type: TypeBIP322, Network: address.Bitcoin, Address: tt.addr, Message: tt.message, Signature: tt.sig}
			checkVerify(t, p, tt.verified, tt.reason, tt.errField)
		})
	}
}

func p2trAddressOf(t *testing.T, key *secp256k1.PrivateKey) string {
	t.Helper()
	outputKey, _ := taprootOutputKey(key)
	return p2trAddress(t, outputKey)
}

// highSVariant turns a low-S DER signature (with its hash-type byte) into the equally valid
// high-S one, n - s, which BIP-322 refuses.
func highSVariant(t *testing.T, sig []byte) []byte {
	t.Helper()
	parsed, err := ecdsa.ParseDERSignature(sig[:len(sig)-1])
	require.NoError(t, err)
	r, s := parsed.R(), parsed.S()
	require.False(t, s.IsOverHalfOrder())
	s.Negate()
	der := func(v [32]byte) []byte {
		b := append([]byte{0x00}, v[:]...)
		for len(b) > 1 && b[0] == 0 && b[1]&0x80 == 0 {
			b = b[1:]
		}
		return append([]byte{0x02, byte(len(b))}, b...)
	}
	body := append(der(r.Bytes()), der(s.Bytes())...)
	return append(append([]byte{0x30, byte(len(body))}, body...), sig[len(sig)-1])
}

func mustBase64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func mustWitness(t *testing.T, s string) [][]byte {
	t.Helper()
	w, ok := parseWitness(mustBase64(t, s))
	require.True(t, ok)
	return w
}

func TestVerifyDeclaration(t *testing.T) {
	t.Parallel()
	const name = "Anna Schmidt"
	addr := "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
	stmt := "I, the undersigned, declare that the wallet " + addr + " is mine and under my sole control."
	date := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		message  string
		decl     *Declaration
		verified bool
		reason   string
		errField string
	}{
		{"complete", stmt, &Declaration{Name: name, Date: date, Accepted: true}, true, "not cryptographic", ""},
		{"not accepted", stmt, &Declaration{Name: name, Date: date}, false, "did not accept", ""},
		{"statement without the address", "I declare that the wallet is mine.", &Declaration{Name: name, Date: date, Accepted: true}, false, "does not mention the address", ""},
		{"no declaration", stmt, nil, false, "missing", "declaration"},
		{"no name", stmt, &Declaration{Name: "  ", Date: date, Accepted: true}, false, "missing", "declaration.name"},
		{"no date", stmt, &Declaration{Name: name, Accepted: true}, false, "missing", "declaration.date"},
		{"no statement", "", &Declaration{Name: name, Date: date, Accepted: true}, false, "missing", "message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Proof{Type: TypeDeclaration, Network: address.Bitcoin, Address: addr, Message: tt.message, Declaration: tt.decl}
			checkVerify(t, p, tt.verified, tt.reason, tt.errField)
			if tt.verified {
				res, _ := Verify(p)
				require.Equal(t, StrengthDeclared, res.Strength)
			}
		})
	}
}

func TestVerifyCommonFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		p        Proof
		errField string
		reason   string
	}{
		{"no type", Proof{Network: address.Bitcoin, Address: bip322P2WPKH, Signature: "x"}, "type", "missing"},
		{"unknown type", Proof{Type: "eip712", Network: address.Bitcoin, Address: bip322P2WPKH, Signature: "x"}, "type", "one of"},
		{"no network", Proof{Type: TypeBIP322, Address: bip322P2WPKH, Signature: "x"}, "network", "missing"},
		{"unknown network", Proof{Type: TypeDeclaration, Network: "dogecoin", Address: "D8x"}, "network", "not a supported"},
		{"no address", Proof{Type: TypeBIP322, Network: address.Bitcoin, Signature: "x"}, "address", "empty"},
		{"bip322 on litecoin", Proof{Type: TypeBIP322, Network: address.Litecoin, Address: "ltc1qxtm55gultqzhqzl2p3ks50hg2478y3hehuj6dz", Signature: "x"}, "network", "bitcoin"},
		{"message too long", Proof{Type: TypeBIP322, Network: address.Bitcoin, Address: bip322P2WPKH, Message: strings.Repeat("a", maxMessage+1), Signature: "x"}, "message", "too long"},
		{"signature too long", Proof{Type: TypeBIP322, Network: address.Bitcoin, Address: bip322P2WPKH, Signature: strings.Repeat("A", maxSignature+1)}, "signature", "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkVerify(t, tt.p, false, tt.reason, tt.errField)
		})
	}
}

func TestFieldError(t *testing.T) {
	t.Parallel()
	err := error(malformed("signature", "must be 65 bytes"))
	require.EqualError(t, err, "proof: signature: must be 65 bytes")
	require.ErrorIs(t, err, ErrMalformed)
}
