package proof

import (
	"testing"
	"time"

	"github.com/waybill/waybill/internal/address"
)

func BenchmarkVerify(b *testing.B) {
	key := keyFromWIF(b, bip322WIF)
	ethKey := keyFromHex(b, web3Key)
	eth := ethAddress(b, ethKey)
	ethMsg := statementHead + eth
	btcMsg := statementHead + bip322P2WPKH
	trAddr, trSig := signBIP322P2TR(b, key, btcMsg, false)
	for _, bm := range []struct {
		name string
		p    Proof
	}{
		{"eip191", Proof{Type: TypeEIP191, Network: address.Ethereum, Address: eth, Message: ethMsg, Signature: signEIP191(ethKey, ethMsg)}},
		{"bip137-p2wpkh", Proof{Type: TypeBIP137, Network: address.Bitcoin, Address: bip322P2WPKH, Message: btcMsg, Signature: signBIP137(key, btcMsg, kindP2WPKH)}},
		{"bip322-p2wpkh", Proof{Type: TypeBIP322, Network: address.Bitcoin, Address: bip322P2WPKH, Message: btcMsg, Signature: signBIP322P2WPKH(key, btcMsg)}},
		{"bip322-p2tr", Proof{Type: TypeBIP322, Network: address.Bitcoin, Address: trAddr, Message: btcMsg, Signature: trSig}},
		{"declaration", Proof{Type: TypeDeclaration, Network: address.Bitcoin, Address: bip322P2WPKH, Message: btcMsg,
			Declaration: &Declaration{Name: "A. Name", Date: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Accepted: true}}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := Verify(bm.p)
				if err != nil || !res.Verified {
					b.Fatal(err, res.Reason)
				}
			}
		})
	}
}
