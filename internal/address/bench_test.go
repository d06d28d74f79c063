package address

import "testing"

func BenchmarkValidate(b *testing.B) {
	for _, bm := range []struct{ name, network, addr string }{
		{"bitcoin-base58", Bitcoin, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
		{"bitcoin-bech32m", Bitcoin, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"},
		{"ethereum-eip55", Ethereum, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
		{"tron", Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
		{"solana", Solana, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"},
		{"xrp", XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Validate(bm.network, bm.addr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
