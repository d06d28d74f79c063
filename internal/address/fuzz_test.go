package address

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	btcaddr "github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/stretchr/testify/require"
)

// FuzzValidate checks that no input panics, that Key is idempotent and keeps a valid address
// valid, and, on bitcoin, that Validate agrees with btcd's decoder on the output types waybill
// accepts.
func FuzzValidate(f *testing.F) {
	for _, seed := range []struct{ network, addr string }{
		{Bitcoin, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
		{Bitcoin, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"},
		{Bitcoin, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"},
		{Litecoin, "ltc1qxtm55gultqzhqzl2p3ks50hg2478y3hehuj6dz"},
		{Ethereum, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
		{Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
		{Solana, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"},
		{XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"},
	} {
		f.Add(seed.network, seed.addr)
	}
	f.Fuzz(func(t *testing.T, network, addr string) {
		err := Validate(network, addr)
		if err != nil {
			var e *Error
			require.True(t, errors.As(err, &e))
			require.True(t, errors.Is(err, ErrInvalid) || errors.Is(err, ErrUnknownNetwork))
		}
		k := Key(network, addr)
		require.Equal(t, k, Key(network, k))
		if err == nil {
			require.NoError(t, Validate(network, k), "the key of a valid address must be valid")
		}
		if network == Bitcoin {
			checkAgainstBtcd(t, addr, err)
		}
	})
}

// checkAgainstBtcd compares Validate with btcd's DecodeAddress on mainnet.
func checkAgainstBtcd(t *testing.T, addr string, ours error) {
	t.Helper()
	theirs, err := btcaddr.DecodeAddress(addr, &chaincfg.MainNetParams)
	accepted := err == nil && theirs.IsForNet(&chaincfg.MainNetParams)
	if accepted {
		switch theirs.(type) {
		case *btcaddr.AddressPubKeyHash, *btcaddr.AddressScriptHash, *btcaddr.AddressWitnessPubKeyHash,
			*btcaddr.AddressWitnessScriptHash, *btcaddr.AddressTaproot:
		default:
			accepted = false // raw public keys and pay-to-anchor: not payable addresses
		}
	}
	if strings.TrimSpace(addr) != addr {
		accepted = false
	}
	require.Equal(t, accepted, ours == nil, "btcd accepted=%v, ours=%v", accepted, ours)
	if accepted {
		script, err := ScriptPubKey(Bitcoin, addr)
		require.NoError(t, err)
		require.True(t, bytes.Contains(script, theirs.ScriptAddress()))
	}
}
