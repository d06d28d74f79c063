package address

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, network, addr string
	}{
		// Bitcoin: well-known addresses and the mainnet vectors of BIP-173 and BIP-350.
		{"genesis P2PKH", Bitcoin, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
		{"wiki P2PKH", Bitcoin, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"},
		{"wiki P2SH", Bitcoin, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"},
		{"BIP-173 P2WPKH upper case", Bitcoin, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"},
		{"BIP-173 P2WPKH lower case", Bitcoin, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
		{"BIP-173 P2WSH", Bitcoin, "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"},
		{"BIP-350 P2TR", Bitcoin, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"},
		{"BIP-322 P2WPKH", Bitcoin, "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l"},
		{"BIP-322 P2TR", Bitcoin, "bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5sxq8lt3"},
		{"P2WPKH", Bitcoin, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"},

		// Litecoin (vectors of bisq-network's asset tests).
		{"L P2PKH", Litecoin, "Lg3PX8wRWmApFCoCMAsPF5P9dPHYQHEWKW"},
		{"L P2PKH 2", Litecoin, "LTuoeY6RBHV3n3cfhXVVTbJbxzxnXs9ofm"},
		{"M P2SH", Litecoin, "MGEW4aba3tnrVtVhGcmoqqHaLt5ymPSLPi"},
		{"legacy 3 P2SH", Litecoin, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"},
		{"ltc1 P2WPKH", Litecoin, "ltc1qxtm55gultqzhqzl2p3ks50hg2478y3hehuj6dz"},
		{"ltc1 P2WPKH upper case", Litecoin, "LTC1QXTM55GULTQZHQZL2P3KS50HG2478Y3HEHUJ6DZ"},

		// EVM: the EIP-55 test vectors.
		{"EIP-55 all caps 1", Ethereum, "0x52908400098527886E0F7030069857D2E4169EE7"},
		{"EIP-55 all caps 2", Ethereum, "0x8617E340B3D01FA5F11F306F4090FD50E238070D"},
		{"EIP-55 all lower 1", Ethereum, "0xde709f2102306220921060314715629080e2fb77"},
		{"EIP-55 all lower 2", Ethereum, "0x27b1fdb04752bbc536007a920d24acb045561c26"},
		{"EIP-55 normal 1", Ethereum, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
		{"EIP-55 normal 2", Ethereum, "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"},
		{"EIP-55 normal 3", Ethereum, "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"},
		{"EIP-55 normal 4", Ethereum, "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"},
		{"polygon", Polygon, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
		{"bsc", BSC, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
		{"arbitrum", Arbitrum, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
		{"optimism", Optimism, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
		{"base", Base, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
		{"avalanche", Avalanche, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
		{"zero address", Ethereum, "0x0000000000000000000000000000000000000000"},

		// Tron: the USDT (TRC-20) contract and the example account of the Tron docs.
		{"USDT contract", Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
		{"docs account", Tron, "TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy"},

		// Solana: the system program (32 zero bytes), the SPL token program, the USDC mint.
		{"system program", Solana, "11111111111111111111111111111111"},
		{"token program", Solana, "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"},
		{"USDC mint", Solana, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"},

		// XRP: the genesis account and the special accounts of the XRP Ledger docs.
		{"genesis account", XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"},
		{"ACCOUNT_ZERO", XRP, "rrrrrrrrrrrrrrrrrrrrrhoLvTp"},
		{"ACCOUNT_ONE", XRP, "rrrrrrrrrrrrrrrrrrrrBZbvji"},
	}
	for _, tt := range tests {
		t.Run(tt.network+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, Validate(tt.network, tt.addr))
		})
	}
}

func TestValidateRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, network, addr, reason string
	}{
		// Shape, every network.
		{"empty", Bitcoin, "", "is empty"},
		{"leading space", Ethereum, " 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "whitespace"},
		{"trailing newline", Solana, "11111111111111111111111111111111\n", "whitespace"},
		{"too long", XRP, "r" + strings.Repeat("p", 200), "too long"},

		// Bitcoin base58.
		{"bad base58 checksum", Bitcoin, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "bad checksum"},
		{"testnet P2PKH", Bitcoin, "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "testnet"},
		{"testnet P2SH", Bitcoin, "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", "testnet"},
		{"litecoin address", Bitcoin, "Lg3PX8wRWmApFCoCMAsPF5P9dPHYQHEWKW", "unknown version byte"},
		{"not base58", Bitcoin, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0", "base58 alphabet"},
		{"hex public key", Bitcoin, "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "base58 alphabet"},
		{"too short", Bitcoin, "1111", "too short"},

		// Bitcoin bech32: the invalid vectors of BIP-173 ...
		{"BIP-173 invalid hrp", Bitcoin, "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", "base58"},
		{"BIP-173 invalid checksum", Bitcoin, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bad checksum"},
		{"BIP-173 invalid witness version", Bitcoin, "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", "invalid witness version"},
		{"BIP-173 program 1 byte", Bitcoin, "bc1rw5uspcuh", "program length"},
		{"BIP-173 program 41 bytes", Bitcoin, "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", "program length"},
		{"BIP-173 v0 16 bytes", Bitcoin, "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "program length"},
		{"BIP-173 mixed case", Bitcoin, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "mixes upper and lower case"},
		{"BIP-173 zero padding > 4 bits", Bitcoin, "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "padding"},
		{"BIP-173 non-zero padding (testnet)", Bitcoin, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv", "testnet"},
		{"BIP-173 empty data", Bitcoin, "bc1gmk9yu", "no witness version"},
		// ... and of BIP-350.
		{"BIP-350 invalid hrp", Bitcoin, "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", "base58"},
		{"BIP-350 v1 with bech32", Bitcoin, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "bech32m checksum"},
		{"BIP-350 v2 with bech32 (testnet)", Bitcoin, "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", "testnet"},
		{"BIP-350 v16 with bech32", Bitcoin, "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "bech32m checksum"},
		{"BIP-350 v0 with bech32m", Bitcoin, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "bech32 checksum"},
		{"BIP-350 bad checksum char", Bitcoin, "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "bech32"},
		{"BIP-350 invalid witness version", Bitcoin, "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "invalid witness version"},
		{"BIP-350 program 1 byte", Bitcoin, "bc1pw5dgrnzv", "program length"},
		{"BIP-350 program 41 bytes", Bitcoin, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", "program length"},
		{"BIP-350 v0 16 bytes", Bitcoin, "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "program length"},
		{"BIP-350 padding > 4 bits", Bitcoin, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "padding"},
		{"BIP-350 empty data", Bitcoin, "bc1gmk9yu", "no witness version"},
		// Valid per BIP-350 but with no spending rule yet: funds sent there are lost.
		{"BIP-350 v1 40 bytes", Bitcoin, "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "not a supported output type"},
		{"BIP-350 v16", Bitcoin, "BC1SW50QGDZ25J", "not a supported output type"},
		{"BIP-350 v2", Bitcoin, "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "not a supported output type"},
		{"pay-to-anchor", Bitcoin, "bc1pfeessrawgf", "not a supported output type"},
		{"testnet P2WSH", Bitcoin, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "testnet"},
		{"litecoin bech32", Bitcoin, "ltc1qxtm55gultqzhqzl2p3ks50hg2478y3hehuj6dz", "base58"},

		// Litecoin.
		{"bitcoin P2PKH", Litecoin, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "unknown version byte"},
		{"bitcoin bech32", Litecoin, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "base58"},
		{"bad checksum", Litecoin, "Lg3PX8wRWmApFCoCMAsPF5P9dPHYQHEWKX", "bad checksum"},
		{"bad bech32 checksum", Litecoin, "ltc1qxtm55gultqzhqzl2p3ks50hg2478y3hehuj6dy", "bad checksum"},
		{"MWEB", Litecoin, "ltcmweb1qq0h6ujhf4u3qd6y3tys5zfrcfq9j0kqccx4t7mgxwp0zgld0p8jvgq3vm5r0g8pq", "MWEB"},

		// EVM.
		{"EIP-55 one letter flipped", Ethereum, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "bad EIP-55 checksum"},
		{"EIP-55 on polygon", Polygon, "0xfb6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "bad EIP-55 checksum"},
		{"no prefix", Ethereum, "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "must start with 0x"},
		{"upper-case prefix", Ethereum, "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "lower-case 0x"},
		{"39 digits", BSC, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", "40 hex digits"},
		{"41 digits", Base, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed0", "40 hex digits"},
		{"not hex", Arbitrum, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "not a hex digit"},
		{"bitcoin address", Avalanche, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "must start with 0x"},

		// Tron.
		{"bad checksum", Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", "bad checksum"},
		{"bitcoin version byte", Tron, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "must start with T"},
		{"hex form", Tron, "41a614f803b6fd780986a42c78ec9c7f77e6ded13c", "base58 alphabet"},
		{"short", Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8", "bad length"},
		{"ethereum address", Tron, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "base58 alphabet"},

		// Solana.
		{"31 bytes", Solana, "1111111111111111111111111111111", "32 bytes"},
		{"too long for 32 bytes", Solana, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1vEPj", "32 bytes"},
		{"zero", Solana, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt10", "base58 alphabet"},
		{"ethereum address", Solana, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "base58 alphabet"},

		// XRP.
		{"bad checksum", XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTi", "bad checksum"},
		{"X-address", XRP, "X7AcgcsBL6XDcUb289X4mJ8djcdyKaB5hJDWMArnXr61cqZ", "X-address"},
		{"bitcoin address", XRP, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "must start with r"},
		{"zero", XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdty0h", "XRP base58 alphabet"},
		{"short", XRP, "rHb9CJAWyB4rj91VRWn96Dkuk", "bad length"},
	}
	for _, tt := range tests {
		t.Run(tt.network+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate(tt.network, tt.addr)
			require.Error(t, err)
			require.ErrorIs(t, err, ErrInvalid)
			var e *Error
			require.True(t, errors.As(err, &e))
			require.Equal(t, tt.network, e.Network)
			require.Contains(t, e.Reason, tt.reason)
			require.True(t, strings.HasPrefix(err.Error(), tt.network+" address "), err.Error())
			if tt.addr != "" {
				require.NotContains(t, err.Error(), strings.TrimSpace(tt.addr), "the error must not echo the address")
			}
		})
	}
}

func TestValidateUnknownNetwork(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, network, want string }{
		{"dogecoin", "dogecoin", `unknown network "dogecoin"`},
		{"upper case", "Bitcoin", `unknown network "Bitcoin"`},
		{"empty", "", `unknown network ""`},
		{"long name is cut", strings.Repeat("x", 100), `unknown network "` + strings.Repeat("x", 32) + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate(tt.network, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
			require.ErrorIs(t, err, ErrUnknownNetwork)
			require.NotErrorIs(t, err, ErrInvalid)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	err := Validate(Ethereum, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
	require.EqualError(t, err, "ethereum address has a bad EIP-55 checksum")
}

func TestNetworks(t *testing.T) {
	t.Parallel()
	got := Networks()
	require.Equal(t, []string{"bitcoin", "litecoin", "ethereum", "polygon", "bsc", "arbitrum",
		"optimism", "base", "avalanche", "tron", "solana", "xrp"}, got)
	for _, n := range got {
		require.True(t, IsSupported(n), n)
	}
	got[0] = "changed"
	require.Equal(t, Bitcoin, Networks()[0], "Networks must return a fresh slice")
	require.False(t, IsSupported("dogecoin"))
	require.True(t, IsEVM(Avalanche))
	require.False(t, IsEVM(Tron))
}

func TestChecksum(t *testing.T) {
	t.Parallel()
	// The mixed-case vectors of EIP-55, each given in lower case, upper case and without 0x.
	vectors := []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	}
	for _, want := range vectors {
		t.Run(want, func(t *testing.T) {
			t.Parallel()
			for _, in := range []string{strings.ToLower(want), "0x" + strings.ToUpper(want[2:]), want[2:], want} {
				got, err := Checksum(in)
				require.NoError(t, err)
				require.Equal(t, want, got)
			}
		})
	}
	for _, bad := range []string{"", "0x", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg"} {
		_, err := Checksum(bad)
		require.ErrorIs(t, err, ErrInvalid, bad)
	}
}

func TestKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, network, in, want string }{
		{"EVM checksummed", Ethereum, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
		{"EVM upper", Polygon, " 0x52908400098527886E0F7030069857D2E4169EE7\t", "0x52908400098527886e0f7030069857d2e4169ee7"},
		{"bech32 upper", Bitcoin, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
		{"ltc bech32 upper", Litecoin, "LTC1QXTM55GULTQZHQZL2P3KS50HG2478Y3HEHUJ6DZ", "ltc1qxtm55gultqzhqzl2p3ks50hg2478y3hehuj6dz"},
		{"bitcoin base58 unchanged", Bitcoin, " 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa ", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
		{"litecoin base58 unchanged", Litecoin, "Lg3PX8wRWmApFCoCMAsPF5P9dPHYQHEWKW", "Lg3PX8wRWmApFCoCMAsPF5P9dPHYQHEWKW"},
		{"tron unchanged", Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\n", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
		{"solana unchanged", Solana, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"},
		{"xrp unchanged", XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"},
		{"unknown network trimmed", "dogecoin", " DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L ", "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Key(tt.network, tt.in))
			require.Equal(t, tt.want, Key(tt.network, tt.want), "Key must be idempotent")
		})
	}
}

func TestScriptPubKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, network, addr, want string }{
		// The scriptPubKeys given by BIP-350 for its valid mainnet addresses.
		{"BIP-350 P2WPKH", Bitcoin, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
		{"BIP-350 P2TR", Bitcoin, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
		// The genesis coinbase key's hash.
		{"genesis P2PKH", Bitcoin, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac"},
		{"litecoin legacy P2SH", Litecoin, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ScriptPubKey(tt.network, tt.addr)
			require.NoError(t, err)
			require.Equal(t, tt.want, hex.EncodeToString(got))
		})
	}
	_, err := ScriptPubKey(Ethereum, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
	require.ErrorIs(t, err, ErrInvalid)
	_, err = ScriptPubKey("dogecoin", "x")
	require.ErrorIs(t, err, ErrUnknownNetwork)
	_, err = ScriptPubKey(Bitcoin, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")
	require.ErrorIs(t, err, ErrInvalid)
}

func TestDecodeBase58(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"1", "00"},
		{"11", "0000"},
		{"2", "01"},
		{"z", "39"},
		{"21", "3a"},
		{"5Q", "ff"},
		{"LUv", "ffff"},
		{"1LUv", "00ffff"},
		// "Hello World!" from the Base58 draft (draft-msporny-base58).
		{"2NEpo7TZRRrLZSi2U", "48656c6c6f20576f726c6421"},
	}
	for _, tt := range tests {
		got, ok := decodeBase58(tt.in, bitcoinAlphabet)
		require.True(t, ok, tt.in)
		require.Equal(t, tt.want, hex.EncodeToString(got), tt.in)
	}
	_, ok := decodeBase58("0OIl", bitcoinAlphabet)
	require.False(t, ok)
}
