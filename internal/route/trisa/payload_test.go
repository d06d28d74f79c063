package trisa

import (
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	generic "github.com/trisacrypto/trisa/pkg/trisa/data/generic/v1beta1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/transfer"
)

// TestTransactionRoundTrip: what we send as a TRISA Transaction reads back as the same
// transaction, exact decimal amounts and our network names included; TRISA's fields alone say
// the same to other peers.
func TestTransactionRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		tx        route.Transaction
		kind      route.Kind
		code, sym string
	}{
		{"bitcoin", route.Transaction{Asset: transfer.Asset{Network: "bitcoin", Symbol: "BTC"}, Amount: decimal.RequireFromString("0.00206412"),
			OriginAddress: "bc1qa", DestinationAddress: "bc1qb"}, route.KindInquiry, "BTC", "BTC"},
		{"token with more digits than a float", route.Transaction{Asset: transfer.Asset{Network: "ethereum", Symbol: "USDC", DTI: "4H95J0R2X"},
			Amount: decimal.RequireFromString("1234567.123456"), DestinationAddress: "0xb", Memo: "", FiatValue: &transfer.FiatValue{
				Currency: "USD", Amount: decimal.RequireFromString("1234567.12"), Source: "given"}}, route.KindInquiry, "ETH", "USDC"},
		{"ether on a layer two", route.Transaction{Asset: transfer.Asset{Network: "arbitrum", Symbol: "ETH"}, Amount: decimal.RequireFromString("18.000000000000000001"),
			DestinationAddress: "0xb"}, route.KindInquiry, "ARB", "ETH"},
		{"xrp with a tag, post-transaction request", route.Transaction{Asset: transfer.Asset{Network: "xrp", Symbol: "XRP"}, Amount: decimal.RequireFromString("25"),
			DestinationAddress: "rB", Memo: "12345", TxHash: "ABCDEF"}, route.KindRequest, "XRP", "XRP"},
		{"a network we have no code for", route.Transaction{Asset: transfer.Asset{Network: "kaspa", Symbol: "KAS"}, Amount: decimal.RequireFromString("3"),
			DestinationAddress: "kaspa:q"}, route.KindInquiry, "KASPA", "KAS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := transaction(&tc.tx, tc.kind)
			require.Equal(t, tc.code, g.Network)
			require.Equal(t, tc.sym, g.AssetType)
			require.Equal(t, tc.tx.DestinationAddress, g.Beneficiary)
			require.Equal(t, tc.tx.Memo, g.Tag)
			require.Equal(t, tc.tx.TxHash, g.Txid)
			got, rej := fromTransaction(g)
			require.Nil(t, rej)
			require.Equal(t, tc.tx.Asset, got.Asset)
			require.Equal(t, tc.tx.Amount.String(), got.Amount.String())
			require.Equal(t, tc.tx.DestinationAddress, got.DestinationAddress)
			require.Equal(t, tc.tx.OriginAddress, got.OriginAddress)
			require.Equal(t, tc.tx.TxHash, got.TxHash)
			if tc.tx.FiatValue != nil {
				require.Equal(t, tc.tx.FiatValue.Amount.String(), got.FiatValue.Amount.String())
			}
			x := decodeExtra(g.ExtraJson)
			require.NotNil(t, x)
			require.Equal(t, tc.kind == route.KindRequest, x.Kind == kindRequest)

			// A peer that ignores extra_json reads TRISA's fields.
			g.ExtraJson = ""
			plain, rej := fromTransaction(g)
			require.Nil(t, rej)
			require.Equal(t, tc.tx.Asset.Network, plain.Asset.Network)
			require.Equal(t, tc.tx.Asset.Symbol, plain.Asset.Symbol)
			require.InDelta(t, tc.tx.Amount.InexactFloat64(), plain.Amount.InexactFloat64(), 1e-9*tc.tx.Amount.InexactFloat64())
		})
	}
}

// TestTransactionFromPeers: what other TRISA nodes send, and what no one should.
func TestTransactionFromPeers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		g     *generic.Transaction
		code  api.Error_Code
		check func(t *testing.T, tx *route.Transaction)
	}{
		{"lower case network, no asset type", &generic.Transaction{Network: "btc", Amount: 0.5, Beneficiary: "bc1q"}, 0,
			func(t *testing.T, tx *route.Transaction) {
				require.Equal(t, transfer.Asset{Network: "bitcoin", Symbol: "BTC"}, tx.Asset)
			}},
		{"token on ETH", &generic.Transaction{Network: "ETH", AssetType: "usdt", Amount: 10, Beneficiary: "0xb"}, 0,
			func(t *testing.T, tx *route.Transaction) {
				require.Equal(t, transfer.Asset{Network: "ethereum", Symbol: "USDT"}, tx.Asset)
			}},
		{"MATIC", &generic.Transaction{Network: "MATIC", Amount: 1, Beneficiary: "0xb"}, 0,
			func(t *testing.T, tx *route.Transaction) { require.Equal(t, "polygon", tx.Asset.Network) }},
		{"extra_json contradicting the amount is ignored", &generic.Transaction{Network: "ETH", Amount: 1.5, Beneficiary: "0xb",
			ExtraJson: `{"waybill":{"amount":"1000"}}`}, 0,
			func(t *testing.T, tx *route.Transaction) { require.Equal(t, "1.5", tx.Amount.String()) }},
		{"extra_json naming another network is ignored", &generic.Transaction{Network: "ETH", Amount: 1, Beneficiary: "0xb",
			ExtraJson: `{"waybill":{"network":"bitcoin"}}`}, 0,
			func(t *testing.T, tx *route.Transaction) { require.Equal(t, "ethereum", tx.Asset.Network) }},
		{"malformed extra_json is ignored", &generic.Transaction{Network: "ETH", Amount: 1, Beneficiary: "0xb", ExtraJson: `{"waybill":`}, 0,
			func(t *testing.T, tx *route.Transaction) { require.Equal(t, "1", tx.Amount.String()) }},
		{"NaN", &generic.Transaction{Network: "ETH", Amount: math.NaN(), Beneficiary: "0xb"}, api.UnparseableTransaction, nil},
		{"infinite", &generic.Transaction{Network: "ETH", Amount: math.Inf(1), Beneficiary: "0xb"}, api.UnparseableTransaction, nil},
		{"negative", &generic.Transaction{Network: "ETH", Amount: -1, Beneficiary: "0xb"}, api.UnparseableTransaction, nil},
		{"no network", &generic.Transaction{Amount: 1, Beneficiary: "0xb"}, api.MissingFields, nil},
		{"no destination", &generic.Transaction{Network: "ETH", Amount: 1}, api.MissingFields, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tx, rej := fromTransaction(tc.g)
			if tc.code != 0 {
				require.NotNil(t, rej)
				require.Equal(t, tc.code, rej.Code)
				require.True(t, rej.Retry, "the sender may fix it")
				return
			}
			require.Nil(t, rej)
			tc.check(t, tx)
		})
	}
}

// TestReadPayload: only an IVMS101 identity with a Transaction or Pending is read.
func TestReadPayload(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	id := identityPayload(&route.Message{OriginatingVASP: &transfer.VASPRef{Name: "Alpha Exchange GmbH", LEI: "5493001KJTIIGC8Y1R12", Country: "DE"}})
	good, err := newPayload(id, &generic.Pending{Message: "later"}, now, now)
	require.NoError(t, err)
	c, rej := readPayload(good)
	require.Nil(t, rej)
	require.Equal(t, "later", c.pending.Message)
	require.Equal(t, now, c.sentAt)
	name, lei := vaspIDs(c.identity.OriginatingVasp.OriginatingVasp)
	require.Equal(t, "Alpha Exchange GmbH", name)
	require.Equal(t, "5493001KJTIIGC8Y1R12", lei)

	swapped, err := newPayload(id, id, now, now)
	require.NoError(t, err)
	_, rej = readPayload(swapped)
	require.Equal(t, api.UnparseableTransaction, rej.Code)

	noIdentity := &api.Payload{Transaction: good.Transaction, SentAt: good.SentAt}
	_, rej = readPayload(noIdentity)
	require.Equal(t, api.UnparseableIdentity, rej.Code)

	corrupt := &api.Payload{Identity: good.Identity, Transaction: good.Transaction, SentAt: good.SentAt}
	corrupt.Transaction = proto.Clone(good.Transaction).(*anypb.Any)
	corrupt.Transaction.Value = []byte{0xff, 0xff, 0xff}
	_, rej = readPayload(corrupt)
	require.Equal(t, api.UnparseableTransaction, rej.Code)
}
