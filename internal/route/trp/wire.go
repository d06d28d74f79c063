package trp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/trisacrypto/trisa/pkg/slip0044"

	"github.com/waybill/waybill/internal/ivms"
)

// The TRP 3.x message bodies (OpenVASP Travel Rule Protocol core specification 3.1.0, as
// trisacrypto/trisa's pkg/openvasp/trp/v3 models them). Decoding is lenient: unknown keys are
// ignored (extensions travel under "extensions"), amounts may be JSON numbers or numeric
// strings, the SLIP-0044 asset may be a coin symbol ("BTC") or a coin type (0, "0"), IVMS101
// goes through ivms.DecodeIdentity (an object where a list belongs, 2020 or 2023 keys).
// Encoding is strict: exactly one asset identifier, the amount as a JSON number written from
// the exact decimal, the IVMS101 2020 camelCase encoding, no unknown top-level keys (trisa's
// handler rejects them).

// WireError is a malformed TRP body: the protocol answers it with 400 Bad Request. Field names
// the JSON key at fault; the message never repeats the value.
type WireError struct {
	Field   string
	Message string
}

func (e *WireError) Error() string {
	if e.Field == "" {
		return "trp: " + e.Message
	}
	return "trp: " + e.Field + ": " + e.Message
}

func wireErr(field, format string, args ...any) error {
	return &WireError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Asset is a TRP asset identifier: an ISO 24165 DTI, or a SLIP-0044 coin type.
type Asset struct {
	DTI string
	// SLIP44 is the coin type; meaningful only when HasSLIP44 (BTC is coin type 0).
	SLIP44    int64
	HasSLIP44 bool
}

// Inquiry is a Transfer Inquiry as received or to send.
type Inquiry struct {
	Asset    Asset
	Amount   decimal.Decimal
	Callback string
	Identity *ivms.IdentityPayload
	// Extensions holds the extensions object as received (not interpreted).
	Extensions json.RawMessage
}

// Approval is the "approved" answer to an inquiry.
type Approval struct {
	Address  string `json:"address"`
	Callback string `json:"callback"`
}

// Resolution answers an inquiry: exactly one of Version (acknowledged, answer to follow),
// Approved or Rejected.
type Resolution struct {
	Version  string    `json:"version,omitempty"`
	Approved *Approval `json:"approved,omitempty"`
	Rejected string    `json:"rejected,omitempty"`
}

// Confirmation follows an approval: exactly one of TxID or Canceled.
type Confirmation struct {
	TxID     string `json:"txid,omitempty"`
	Canceled string `json:"canceled,omitempty"`
}

// Limits of what we accept in a field (beyond them a value is refused, not truncated).
const (
	maxURL    = 2048
	maxText   = 1024
	maxAmount = 100
	// maxExponent bounds the decimal exponent of an amount, so "1e999999999" cannot make a
	// string of a billion digits later.
	maxExponent = 40
)

type inquiryWire struct {
	Asset      json.RawMessage `json:"asset"`
	Amount     json.RawMessage `json:"amount"`
	Callback   json.RawMessage `json:"callback"`
	IVMS101    json.RawMessage `json:"IVMS101"`
	Extensions json.RawMessage `json:"extensions"`
}

// DecodeInquiry reads a Transfer Inquiry body. Errors are *WireError (or an *ivms.DecodeError
// wrapped in one, naming the IVMS101 path).
func DecodeInquiry(body []byte) (*Inquiry, error) {
	var w inquiryWire
	if err := decodeObject(body, &w); err != nil {
		return nil, err
	}
	in := &Inquiry{Extensions: w.Extensions}
	var err error
	if in.Asset, err = decodeAsset(w.Asset); err != nil {
		return nil, err
	}
	if in.Amount, err = decodeAmount(w.Amount); err != nil {
		return nil, err
	}
	if in.Callback, err = decodeURL("callback", w.Callback); err != nil {
		return nil, err
	}
	if isNull(w.IVMS101) {
		return nil, wireErr("IVMS101", "the IVMS101 identity payload is required")
	}
	id, err := ivms.DecodeIdentity(w.IVMS101, ivms.DecodeOptions{})
	if err != nil {
		var de *ivms.DecodeError
		if errors.As(err, &de) {
			return nil, &WireError{Field: joinPath("IVMS101", de.Path), Message: de.Message}
		}
		return nil, wireErr("IVMS101", "not a readable IVMS101 payload")
	}
	if id.Originator == nil || len(id.Originator.Persons) == 0 {
		return nil, wireErr("IVMS101.originator", "the originator is required")
	}
	in.Identity = id
	return in, nil
}

func joinPath(a, b string) string {
	if b == "" {
		return a
	}
	if strings.HasPrefix(b, "[") {
		return a + b
	}
	return a + "." + b
}

// EncodeInquiry writes an inquiry strictly. slip0044 goes out as the coin symbol where trisa's
// SLIP-0044 table has one (the form trisa's types read), else as the coin type number.
func EncodeInquiry(in *Inquiry) ([]byte, error) {
	if in.Identity == nil {
		return nil, errors.New("trp: an inquiry needs an identity payload")
	}
	if !in.Amount.IsPositive() {
		return nil, errors.New("trp: an inquiry needs a positive amount")
	}
	var asset []byte
	switch {
	case in.Asset.DTI != "":
		asset = encodeJSON(map[string]string{"dti": in.Asset.DTI})
	case in.Asset.HasSLIP44:
		if sym := slip0044.CoinType(in.Asset.SLIP44).Symbol(); sym != "" && in.Asset.SLIP44 >= 0 && in.Asset.SLIP44 <= 1<<31-1 {
			asset = encodeJSON(map[string]string{"slip0044": sym})
		} else {
			asset = []byte(`{"slip0044":` + strconv.FormatInt(in.Asset.SLIP44, 10) + `}`)
		}
	default:
		return nil, errors.New("trp: the asset has neither a DTI nor a SLIP-0044 coin type")
	}
	id, err := ivms.EncodeIdentity(in.Identity, ivms.EncodeOptions{})
	if err != nil {
		return nil, err
	}
	cb := encodeJSON(in.Callback)
	var b bytes.Buffer
	b.WriteString(`{"asset":`)
	b.Write(asset)
	b.WriteString(`,"amount":`)
	b.WriteString(in.Amount.String())
	b.WriteString(`,"callback":`)
	b.Write(cb)
	b.WriteString(`,"IVMS101":`)
	b.Write(id)
	b.WriteString(`}`)
	return b.Bytes(), nil
}

type resolutionWire struct {
	Version  json.RawMessage `json:"version"`
	Approved json.RawMessage `json:"approved"`
	Rejected json.RawMessage `json:"rejected"`
}

// DecodeResolution reads an inquiry resolution (the inquiry's response or the callback body):
// exactly one of version, approved (with address and callback) or rejected.
func DecodeResolution(body []byte) (*Resolution, error) {
	var w resolutionWire
	if err := decodeObject(body, &w); err != nil {
		return nil, err
	}
	r := &Resolution{}
	n := 0
	// An empty version or rejected counts as absent, as trisa's validation has it.
	if !isNull(w.Version) {
		v, err := decodeString("version", w.Version, 64)
		if err != nil {
			return nil, err
		}
		if r.Version = v; v != "" {
			n++
		}
	}
	if !isNull(w.Approved) {
		n++
		var a struct {
			Address  json.RawMessage `json:"address"`
			Callback json.RawMessage `json:"callback"`
		}
		if err := json.Unmarshal(w.Approved, &a); err != nil {
			return nil, wireErr("approved", "must be an object with address and callback")
		}
		addr, err := decodeString("approved.address", a.Address, 256)
		if err != nil {
			return nil, err
		}
		if addr == "" {
			return nil, wireErr("approved.address", "the payment address is required")
		}
		cb, err := decodeURL("approved.callback", a.Callback)
		if err != nil {
			return nil, err
		}
		r.Approved = &Approval{Address: addr, Callback: cb}
	}
	if !isNull(w.Rejected) {
		s, err := decodeString("rejected", w.Rejected, maxText)
		if err != nil {
			return nil, err
		}
		if r.Rejected = s; s != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, wireErr("", "a resolution needs one of version, approved or rejected")
	case n > 1:
		return nil, wireErr("", "a resolution has only one of version, approved or rejected")
	}
	return r, nil
}

// DecodeConfirmation reads a transfer confirmation: exactly one of txid or canceled.
func DecodeConfirmation(body []byte) (*Confirmation, error) {
	var w struct {
		TxID     json.RawMessage `json:"txid"`
		Canceled json.RawMessage `json:"canceled"`
		// The British spelling is read too: a lenient reader of a one-letter slip.
		Cancelled json.RawMessage `json:"cancelled"`
	}
	if err := decodeObject(body, &w); err != nil {
		return nil, err
	}
	c := &Confirmation{}
	var err error
	if !isNull(w.TxID) {
		if c.TxID, err = decodeString("txid", w.TxID, 256); err != nil {
			return nil, err
		}
	}
	canceled := w.Canceled
	if isNull(canceled) {
		canceled = w.Cancelled
	}
	hasCancel := !isNull(canceled)
	if hasCancel {
		if c.Canceled, err = decodeString("canceled", canceled, maxText); err != nil {
			return nil, err
		}
		if c.Canceled == "" {
			c.Canceled = "canceled"
		}
	}
	switch {
	case c.TxID == "" && !hasCancel:
		return nil, wireErr("", "a confirmation needs one of txid or canceled")
	case c.TxID != "" && hasCancel:
		return nil, wireErr("", "a confirmation has only one of txid or canceled")
	}
	return c, nil
}

// decodeObject reads one JSON object; anything after it is an error.
func decodeObject(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return wireErr("", "the body is empty")
	}
	if trimmed[0] != '{' {
		return wireErr("", "the body must be a JSON object")
	}
	if !utf8.Valid(trimmed) {
		return wireErr("", "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return wireErr(te.Field, "has the wrong JSON type")
		}
		return wireErr("", "the body is not well-formed JSON")
	}
	if dec.More() {
		return wireErr("", "the body must hold a single JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return wireErr("", "the body must hold a single JSON object")
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

func decodeString(field string, raw json.RawMessage, max int) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", wireErr(field, "must be a string")
	}
	s = strings.TrimSpace(s)
	if len(s) > max {
		return "", wireErr(field, "is longer than %d bytes", max)
	}
	return s, nil
}

// decodeURL reads a callback: an absolute http(s) URL with a host, no user information.
func decodeURL(field string, raw json.RawMessage) (string, error) {
	s, err := decodeString(field, raw, maxURL)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", wireErr(field, "the callback URL is required")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" || u.User != nil {
		return "", wireErr(field, "must be an absolute https URL")
	}
	return u.String(), nil
}

func decodeAmount(raw json.RawMessage) (decimal.Decimal, error) {
	t := bytes.TrimSpace(raw)
	if isNull(t) {
		return decimal.Decimal{}, wireErr("amount", "the amount is required")
	}
	if len(t) > maxAmount {
		return decimal.Decimal{}, wireErr("amount", "is too long")
	}
	s := string(t)
	if t[0] == '"' {
		if err := json.Unmarshal(t, &s); err != nil {
			return decimal.Decimal{}, wireErr("amount", "must be a number or a numeric string")
		}
		s = strings.TrimSpace(s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil || s == "" {
		return decimal.Decimal{}, wireErr("amount", "must be a number or a numeric string")
	}
	if e := d.Exponent(); e > maxExponent || e < -maxExponent {
		return decimal.Decimal{}, wireErr("amount", "is out of range")
	}
	if !d.IsPositive() {
		return decimal.Decimal{}, wireErr("amount", "must be positive")
	}
	return d, nil
}

func decodeAsset(raw json.RawMessage) (Asset, error) {
	if isNull(raw) {
		return Asset{}, wireErr("asset", "the asset is required")
	}
	var w struct {
		DTI      json.RawMessage `json:"dti"`
		SLIP0044 json.RawMessage `json:"slip0044"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return Asset{}, wireErr("asset", "must be an object with dti or slip0044")
	}
	var a Asset
	dti, err := decodeString("asset.dti", w.DTI, 16)
	if err != nil {
		return Asset{}, err
	}
	a.DTI = strings.ToUpper(dti)
	if !isNull(w.SLIP0044) {
		a.SLIP44, err = decodeCoinType(w.SLIP0044)
		if err != nil {
			return Asset{}, err
		}
		a.HasSLIP44 = true
	}
	if a.DTI == "" && !a.HasSLIP44 {
		return Asset{}, wireErr("asset", "needs a dti or a slip0044 identifier")
	}
	return a, nil
}

// decodeCoinType reads a SLIP-0044 identifier: a coin type number, as a JSON number or string,
// or a coin symbol or name as trisa's SLIP-0044 table knows it.
func decodeCoinType(raw json.RawMessage) (int64, error) {
	t := bytes.TrimSpace(raw)
	s := string(t)
	if t[0] == '"' {
		if err := json.Unmarshal(t, &s); err != nil {
			return 0, wireErr("asset.slip0044", "must be a coin type or a coin symbol")
		}
		s = strings.TrimSpace(s)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > 1<<31-1 {
			return 0, wireErr("asset.slip0044", "is not a SLIP-0044 coin type")
		}
		return n, nil
	}
	if t[0] != '"' || len(s) > 64 {
		return 0, wireErr("asset.slip0044", "must be a coin type or a coin symbol")
	}
	ct, err := slip0044.ParseCoinType(s)
	if err != nil {
		return 0, wireErr("asset.slip0044", "is not a known SLIP-0044 coin symbol")
	}
	return int64(ct), nil
}

// encodeJSON marshals v without HTML escaping (URLs keep their '&').
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimRight(b.Bytes(), "\n")
}
