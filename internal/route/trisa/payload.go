package trisa

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/trisacrypto/trisa/pkg/ivms101"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	generic "github.com/trisacrypto/trisa/pkg/trisa/data/generic/v1beta1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/transfer"
)

// Our additions ride in the extra_json of TRISA's generic Transaction and Pending messages,
// under one key, so that peers running waybill keep what TRISA's types cannot say (an exact
// decimal amount, our network name, a post-transaction request) and other peers ignore it.
type extraJSON struct {
	Waybill *extra `json:"waybill,omitempty"`
}

type extra struct {
	// Kind is "request" for a beneficiary-initiated (post-transaction) exchange, and on Pending
	// messages "address_confirmation" or "not_ready".
	Kind      string              `json:"kind,omitempty"`
	Network   string              `json:"network,omitempty"`
	Symbol    string              `json:"symbol,omitempty"`
	DTI       string              `json:"dti,omitempty"`
	Amount    string              `json:"amount,omitempty"`
	FiatValue *transfer.FiatValue `json:"fiat_value,omitempty"`
}

// Pending kinds in extra_json.
const (
	pendingAddressConfirmed = "address_confirmation"
	pendingNotReady         = "not_ready"
	kindRequest             = "request"
)

// maxExtraJSON bounds the extra_json we read.
const maxExtraJSON = 16 << 10

func encodeExtra(x *extra) string {
	b, err := json.Marshal(extraJSON{Waybill: x})
	if err != nil {
		return ""
	}
	return string(b)
}

func decodeExtra(s string) *extra {
	if s == "" || len(s) > maxExtraJSON {
		return nil
	}
	var x extraJSON
	if json.Unmarshal([]byte(s), &x) != nil || x.Waybill == nil {
		return nil
	}
	return x.Waybill
}

// chain describes how TRISA's Transaction.network names one of our networks: the chain's
// ticker (BTC, ETH, ...) and the symbol of its native coin.
type chain struct{ name, code, native string }

func networks() []chain {
	return []chain{
		{"bitcoin", "BTC", "BTC"}, {"litecoin", "LTC", "LTC"}, {"ethereum", "ETH", "ETH"},
		{"tron", "TRX", "TRX"}, {"solana", "SOL", "SOL"}, {"xrp", "XRP", "XRP"}, {"polygon", "POL", "POL"},
		{"arbitrum", "ARB", "ETH"}, {"base", "BASE", "ETH"}, {"optimism", "OP", "ETH"}, {"avalanche", "AVAX", "AVAX"},
		{"bitcoin-cash", "BCH", "BCH"}, {"dogecoin", "DOGE", "DOGE"}, {"stellar", "XLM", "XLM"}, {"cardano", "ADA", "ADA"},
	}
}

// networkCode returns TRISA's code for our network name (its upper case when unknown).
func networkCode(name string) string {
	for _, n := range networks() {
		if n.name == name {
			return n.code
		}
	}
	return strings.ToUpper(name)
}

// networkName returns our name for a TRISA network code or name (its lower case when unknown).
func networkName(code string) string {
	c := strings.ToUpper(strings.TrimSpace(code))
	if c == "MATIC" {
		c = "POL"
	}
	for _, n := range networks() {
		if n.code == c || strings.ToUpper(n.name) == c {
			return n.name
		}
	}
	return strings.ToLower(strings.TrimSpace(code))
}

func nativeSymbol(name string) string {
	for _, n := range networks() {
		if n.name == name {
			return n.native
		}
	}
	return ""
}

// plainName reports whether s is a plausible network name of ours (lower case letters,
// digits and dashes), so that a peer's extra_json cannot put anything else there.
func plainName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// identityPayload is the IVMS101 identity of a message, in trisa's protobuf types.
func identityPayload(m *route.Message) *ivms101.IdentityPayload {
	p := &ivms101.IdentityPayload{}
	if o := m.Originator; o != nil {
		p.Originator = &ivms101.Originator{OriginatorPersons: o.Persons, AccountNumbers: o.AccountNumbers}
	}
	if b := m.Beneficiary; b != nil {
		p.Beneficiary = &ivms101.Beneficiary{BeneficiaryPersons: b.Persons, AccountNumbers: b.AccountNumbers}
	}
	if v := m.OriginatingVASP; v != nil && v.Name != "" {
		p.OriginatingVasp = &ivms101.OriginatingVasp{OriginatingVasp: ivms.NewVASP(v.Name, v.LEI, v.Country, nil)}
	}
	if v := m.BeneficiaryVASP; v != nil && v.Name != "" {
		p.BeneficiaryVasp = &ivms101.BeneficiaryVasp{BeneficiaryVasp: ivms.NewVASP(v.Name, v.LEI, v.Country, nil)}
	}
	return p
}

// parties returns the originator and beneficiary of an identity payload, nil when absent.
func parties(p *ivms101.IdentityPayload) (*ivms.Originator, *ivms.Beneficiary) {
	var o *ivms.Originator
	var b *ivms.Beneficiary
	if x := p.GetOriginator(); x != nil && (len(x.OriginatorPersons) > 0 || len(x.AccountNumbers) > 0) {
		o = &ivms.Originator{Persons: x.OriginatorPersons, AccountNumbers: x.AccountNumbers}
	}
	if x := p.GetBeneficiary(); x != nil && (len(x.BeneficiaryPersons) > 0 || len(x.AccountNumbers) > 0) {
		b = &ivms.Beneficiary{Persons: x.BeneficiaryPersons, AccountNumbers: x.AccountNumbers}
	}
	return o, b
}

// vaspIDs returns the legal name and LEI of a VASP person of an identity payload.
func vaspIDs(p *ivms101.Person) (name, lei string) {
	lp := p.GetLegalPerson()
	if lp == nil {
		return "", ""
	}
	if n := lp.GetName(); n != nil {
		for _, id := range n.NameIdentifiers {
			if id.GetLegalPersonName() != "" {
				name = id.GetLegalPersonName()
				break
			}
		}
	}
	if ni := lp.GetNationalIdentification(); ni != nil && ni.NationalIdentifierType == ivms101.NationalIdentifierLEIX {
		lei = ni.NationalIdentifier
	}
	return name, lei
}

// transaction is the TRISA generic Transaction of a message's transaction.
func transaction(t *route.Transaction, kind route.Kind) *generic.Transaction {
	x := &extra{Network: t.Asset.Network, Symbol: t.Asset.Symbol, DTI: t.Asset.DTI, Amount: t.Amount.String(), FiatValue: t.FiatValue}
	if kind == route.KindRequest {
		x.Kind = kindRequest
	}
	return &generic.Transaction{
		Txid: t.TxHash, Originator: t.OriginAddress, Beneficiary: t.DestinationAddress,
		Amount: t.Amount.InexactFloat64(), Network: networkCode(t.Asset.Network), AssetType: t.Asset.Symbol,
		Tag: t.Memo, ExtraJson: encodeExtra(x),
	}
}

// fromTransaction reads a TRISA generic Transaction. Our extra_json refines what the fields
// say (the exact amount when it agrees with the float), never contradicts it.
func fromTransaction(g *generic.Transaction) (*route.Transaction, *api.Error) {
	f := g.GetAmount()
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return nil, &api.Error{Code: api.UnparseableTransaction, Message: "the amount is not a finite non-negative number", Retry: true}
	}
	x := decodeExtra(g.GetExtraJson())
	netName := networkName(g.GetNetwork())
	if x != nil && plainName(x.Network) && networkCode(x.Network) == strings.ToUpper(strings.TrimSpace(g.GetNetwork())) {
		netName = x.Network
	}
	if netName == "" {
		return nil, &api.Error{Code: api.MissingFields, Message: "transaction.network is required", Retry: true}
	}
	symbol := strings.ToUpper(strings.TrimSpace(g.GetAssetType()))
	if symbol == "" {
		symbol = nativeSymbol(netName)
	}
	if symbol == "" {
		symbol = strings.ToUpper(strings.TrimSpace(g.GetNetwork()))
	}
	amount := decimal.NewFromFloat(f)
	t := &route.Transaction{
		Asset:  transfer.Asset{Network: netName, Symbol: symbol},
		Amount: amount, OriginAddress: g.GetOriginator(), DestinationAddress: g.GetBeneficiary(),
		Memo: g.GetTag(), TxHash: g.GetTxid(),
	}
	if x != nil {
		if len(x.Amount) <= 80 {
			if d, err := decimal.NewFromString(x.Amount); err == nil && d.InexactFloat64() == f {
				t.Amount = d
			}
		}
		if x.Symbol == symbol && len(x.DTI) <= 16 {
			t.Asset.DTI = x.DTI
		}
		if fv := x.FiatValue; fv != nil && len(fv.Currency) == 3 && fv.Amount.Sign() >= 0 {
			t.FiatValue = &transfer.FiatValue{Currency: strings.ToUpper(fv.Currency), Amount: fv.Amount, Source: "given"}
		}
	}
	if t.DestinationAddress == "" {
		return nil, &api.Error{Code: api.MissingFields, Message: "transaction.beneficiary (the destination address) is required", Retry: true}
	}
	return t, nil
}

// content is what a payload says, parsed.
type content struct {
	payload     *api.Payload
	identity    *ivms101.IdentityPayload
	transaction *generic.Transaction // nil when the payload carries a Pending
	pending     *generic.Pending
	sentAt      time.Time
}

// readPayload parses a payload's identity and transaction. Anything else than an IVMS101
// identity and a generic Transaction or Pending is answered UNPARSEABLE_*.
func readPayload(p *api.Payload) (*content, *api.Error) {
	c := &content{payload: p, identity: &ivms101.IdentityPayload{}}
	if p.GetIdentity() == nil || !p.GetIdentity().MessageIs(c.identity) {
		return nil, &api.Error{Code: api.UnparseableIdentity, Message: "the identity must be an ivms101.IdentityPayload", Retry: true}
	}
	if err := p.GetIdentity().UnmarshalTo(c.identity); err != nil {
		return nil, &api.Error{Code: api.UnparseableIdentity, Message: "could not parse the IVMS101 identity payload", Retry: true}
	}
	tx := p.GetTransaction()
	switch {
	case tx == nil:
		return nil, &api.Error{Code: api.UnparseableTransaction, Message: "the payload has no transaction", Retry: true}
	case tx.MessageIs(&generic.Transaction{}):
		c.transaction = &generic.Transaction{}
		if err := tx.UnmarshalTo(c.transaction); err != nil {
			return nil, &api.Error{Code: api.UnparseableTransaction, Message: "could not parse the transaction", Retry: true}
		}
	case tx.MessageIs(&generic.Pending{}):
		c.pending = &generic.Pending{}
		if err := tx.UnmarshalTo(c.pending); err != nil {
			return nil, &api.Error{Code: api.UnparseableTransaction, Message: "could not parse the pending message", Retry: true}
		}
	default:
		return nil, &api.Error{Code: api.UnparseableTransaction,
			Message: "the transaction must be a trisa.data.generic.v1beta1 Transaction or Pending", Retry: true}
	}
	if ts, err := time.Parse(time.RFC3339Nano, p.GetSentAt()); err == nil {
		c.sentAt = ts.UTC()
	}
	return c, nil
}

// newPayload packs an identity and a transaction message.
func newPayload(identity *ivms101.IdentityPayload, tx proto.Message, sentAt, receivedAt time.Time) (*api.Payload, error) {
	p := &api.Payload{SentAt: sentAt.UTC().Format(time.RFC3339)}
	if !receivedAt.IsZero() {
		p.ReceivedAt = receivedAt.UTC().Format(time.RFC3339)
	}
	var err error
	if p.Identity, err = anypb.New(identity); err != nil {
		return nil, fmt.Errorf("trisa payload identity: %w", err)
	}
	if p.Transaction, err = anypb.New(tx); err != nil {
		return nil, fmt.Errorf("trisa payload transaction: %w", err)
	}
	return p, nil
}
