package screening

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCharClass(t *testing.T) {
	t.Parallel()
	for c := range 256 {
		b := byte(c)
		var want byte
		if '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F' {
			want |= classHex
		}
		if c < 128 && strings.IndexByte(bech32Charset, lower(b)) >= 0 {
			want |= classBech32
		}
		if 'A' <= b && b <= 'Z' {
			want |= classUpper
		}
		if 'a' <= b && b <= 'z' {
			want |= classLower
		}
		require.Equal(t, want, charClass[c], "byte %#x", c)
	}
}

func TestNormalizeAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"evm mixed case", "0xFF23827E17c10CDC1c27a028caAe6c9810626198", "0xff23827e17c10cdc1c27a028caae6c9810626198"},
		{"evm upper prefix", "0XFF23827E17C10CDC1C27A028CAAE6C9810626198", "0xff23827e17c10cdc1c27a028caae6c9810626198"},
		{"evm padded", " \t0xABCDEF0123456789abcdef0123456789ABCDEF01\r\n", "0xabcdef0123456789abcdef0123456789abcdef01"},
		{"41 hex digits is not evm", "0xABCDEF0123456789abcdef0123456789ABCDEF012", "0xABCDEF0123456789abcdef0123456789ABCDEF012"},
		{"39 hex digits is not evm", "0xABCDEF0123456789abcdef0123456789ABCDEF0", "0xABCDEF0123456789abcdef0123456789ABCDEF0"},
		{"non-hex is not evm", "0xGBCDEF0123456789abcdef0123456789ABCDEF01", "0xGBCDEF0123456789abcdef0123456789ABCDEF01"},
		{"bech32 upper", "BC1Q5VWQD02X8CUJ80Q64K77FZCKJAKQSPCHX9P2KM", "bc1q5vwqd02x8cuj80q64k77fzckjakqspchx9p2km"},
		{"bech32 mixed case segwit prefix", "bc1Q5vwqd02x8cuj80q64k77fzckjakqspchx9p2km", "bc1q5vwqd02x8cuj80q64k77fzckjakqspchx9p2km"},
		{"bech32 lower unchanged", "bc1q5vwqd02x8cuj80q64k77fzckjakqspchx9p2km", "bc1q5vwqd02x8cuj80q64k77fzckjakqspchx9p2km"},
		{"litecoin bech32", "LTC1QZAS3SK7CTZDY8NSTHF6CJ8LEA3SPFR2TVH85KZ", "ltc1qzas3sk7ctzdy8nsthf6cj8lea3spfr2tvh85kz"},
		{"testnet bech32", "TB1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KXPJZSX", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"},
		{"other bech32 with checksum", "COSMOS12TEZVEDXPSFD9ZGCTK2SA6YPXCY3VMMT5EX2UY", "cosmos12tezvedxpsfd9zgctk2sa6ypxcy3vmmt5ex2uy"},
		{"bech32 taproot (bech32m)", "BC1PXUACRXSX3UET0F4N3D4NSU5KGL8AUQWZEC5TYMZHGUNN0AWR2CDQK0QACX", "bc1pxuacrxsx3uet0f4n3d4nsu5kgl8auqwzec5tymzhgunn0awr2cdqk0qacx"},
		{"upper bech32-like without checksum kept", "COSMOS12TEZVEDXPSFD9ZGCTK2SA6YPXCY3VMMT5EX2UQ", "COSMOS12TEZVEDXPSFD9ZGCTK2SA6YPXCY3VMMT5EX2UQ"},
		{"base58 legacy kept", "1LPGfncT4L28tLJNjFR4vze6FvnyR8bD3N", "1LPGfncT4L28tLJNjFR4vze6FvnyR8bD3N"},
		{"tron kept", " TDwPrJTEeQPyaJ5ttEYNaDkvXeQCp2dQs9 ", "TDwPrJTEeQPyaJ5ttEYNaDkvXeQCp2dQs9"},
		{"xrp kept", "rLvhZfDAQqBbra1fMY28QyvtLG4Gyd66oY", "rLvhZfDAQqBbra1fMY28QyvtLG4Gyd66oY"},
		{"upper base58 kept", "3J98T1WPEZ73CNMQVIECRNYIWRNQRHWNLY", "3J98T1WPEZ73CNMQVIECRNYIWRNQRHWNLY"},
		{"empty", "  ", ""},
		{"non-ascii kept", "адрес", "адрес"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, NormalizeAddress(tt.in))
		})
	}
}

func TestKeyOf(t *testing.T) {
	t.Parallel()
	// The key derivation is part of the snapshot format: a change must come with a new format
	// version.
	k, ok := keyOf(" 0xFF23827E17c10CDC1c27a028caAe6c9810626198 ")
	require.True(t, ok)
	require.Equal(t, key{0xb9f54daef4aaa7e1, 0x184fff5bfabc7632}, k)
	k, ok = keyOf("TDwPrJTEeQPyaJ5ttEYNaDkvXeQCp2dQs9")
	require.True(t, ok)
	require.Equal(t, key{0x9311994e54435660, 0x0e5c2b3bb4c8b7f2}, k)

	lower, _ := keyOf("TDwPrJTEeQPyaJ5ttEYNaDkvXeQCp2dQs9")
	other, _ := keyOf("TDWPRJTEEQPYAJ5TTEYNADKVXEQCP2DQS9")
	require.NotEqual(t, lower, other, "base58 is case-sensitive")

	_, ok = keyOf(" \n")
	require.False(t, ok)
	_, ok = keyOf(strings.Repeat("a", MaxAddressLen+1))
	require.False(t, ok)
	_, ok = keyOf(strings.Repeat("a", MaxAddressLen))
	require.True(t, ok)
}

func TestKeyOfAllocates(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = keyOf("0xFF23827E17c10CDC1c27a028caAe6c9810626198")
	})
	require.Zero(t, allocs)
}
