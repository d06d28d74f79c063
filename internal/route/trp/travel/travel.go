// Package travel encodes and decodes TRP travel addresses: ta… (TRP 3.1: the inquiry URL
// without its scheme, base58 with a double SHA-256 checksum, per trisacrypto/trisa's
// pkg/openvasp/traddr, which it uses), legacy LNURL (bech32, read only) and plain URLs. It is a
// leaf: the TRP route and the engine's directory import both use it. It performs no I/O and
// never panics on input.
package travel

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/trisacrypto/trisa/pkg/openvasp/lnurl"
	"github.com/trisacrypto/trisa/pkg/openvasp/traddr"
)

// maxLength bounds an address we read.
const maxLength = 4096

// Encode returns the travel address (ta…, TRP 3.1) of an inquiry URL: the URL without
// its scheme (https is implied), with t=i, base58 with a double SHA-256 checksum, per
// trisacrypto/trisa's pkg/openvasp/traddr. traddr refuses two kinds of hosts the rule itself
// allows: an IP literal followed by a port ("127.0.0.1:8443/...", which its parser misreads)
// and names outside the public TLD list (private networks: .internal, .test); those are
// encoded here by the same rule.
func Encode(inquiryURL string) (string, error) {
	u, err := url.Parse(inquiryURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("travel: %q is not an absolute URL", inquiryURL)
	}
	ta, err := traddr.Make(inquiryURL)
	if err == nil || !plausibleHost(u.Hostname()) {
		return ta, err
	}
	u.Scheme = ""
	q := u.Query()
	q.Set("t", "i")
	u.RawQuery = q.Encode()
	return "ta" + base58Check([]byte(strings.TrimPrefix(u.String(), "//"))), nil
}

// decodeTravelAddress decodes a ta… address with traddr (checksum, no scheme, t=i, a public
// TLD, an IP or localhost) and, by the same rule, the forms traddr refuses but TravelAddress
// makes: an IP with a port, a dotted name outside the public TLD list. A single-label name
// (other than localhost) is refused.
func decodeTravelAddress(addr string) (string, error) {
	s, err := traddr.DecodeURL(addr)
	if err == nil {
		return s, nil
	}
	raw, ok := base58CheckDecode(strings.TrimPrefix(addr, "ta"))
	if !ok || !strings.HasPrefix(addr, "ta") || strings.Contains(string(raw), "://") {
		return "", err
	}
	u, perr := url.Parse("//" + string(raw))
	if perr != nil || !plausibleHost(u.Hostname()) || u.Query().Get("t") != "i" {
		return "", err
	}
	u.Scheme = "https"
	return u.String(), nil
}

// plausibleHost accepts an IP literal, localhost, or a name with at least two labels.
func plausibleHost(h string) bool {
	if net.ParseIP(h) != nil || strings.EqualFold(h, "localhost") {
		return true
	}
	labels := strings.Split(strings.TrimSuffix(h, "."), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.ContainsAny(l, " /?#@:[]") {
			return false
		}
	}
	return true
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Check encodes b followed by the first four bytes of SHA-256(SHA-256(b)), with no
// version byte (the travel address rule).
func base58Check(b []byte) string {
	sum := doubleSHA256(b)
	data := append(append([]byte{}, b...), sum[:4]...)
	n := new(big.Int).SetBytes(data)
	radix, mod := big.NewInt(58), new(big.Int)
	var out []byte
	for n.Sign() > 0 {
		n.DivMod(n, radix, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	for _, c := range data {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	slices.Reverse(out)
	return string(out)
}

// base58CheckDecode reverses base58Check; ok is false for bad characters or checksums.
func base58CheckDecode(s string) ([]byte, bool) {
	if s == "" || len(s) > maxLength {
		return nil, false
	}
	n := new(big.Int)
	radix := big.NewInt(58)
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base58Alphabet, s[i])
		if d < 0 {
			return nil, false
		}
		n.Mul(n, radix).Add(n, big.NewInt(int64(d)))
	}
	data := n.Bytes()
	for i := 0; i < len(s) && s[i] == '1'; i++ {
		data = append([]byte{0}, data...)
	}
	if len(data) < 5 {
		return nil, false
	}
	body, sum := data[:len(data)-4], data[len(data)-4:]
	want := doubleSHA256(body)
	if !bytes.Equal(sum, want[:4]) {
		return nil, false
	}
	return body, true
}

func doubleSHA256(b []byte) [32]byte {
	first := sha256.Sum256(b)
	return sha256.Sum256(first[:])
}

// Address kinds a peer's TRP address may come in.
const (
	FormTravelAddress = "travel_address"
	FormLNURL         = "lnurl"
	FormURL           = "url"
)

// ErrAddress is wrapped by every error of ParseAddress.
var ErrAddress = errors.New("not a TRP address")

// Parse returns the inquiry URL behind a counterparty's TRP address: a travel address
// (ta…, decoded strictly: checksum, t=i, a valid TLD, an IP or localhost; https implied), a
// legacy LNURL (LNURL1… or lnurl1…, bech32 without the 90-character limit, over the full URL),
// or an absolute http(s) URL. It never panics; errors wrap ErrAddress.
func Parse(addr string) (*url.URL, string, error) {
	addr = strings.TrimSpace(addr)
	if len(addr) > maxLength {
		return nil, "", fmt.Errorf("travel: address too long: %w", ErrAddress)
	}
	var raw, form string
	switch {
	case addr == "":
		return nil, "", fmt.Errorf("travel: empty address: %w", ErrAddress)
	case strings.HasPrefix(strings.ToLower(addr), "lnurl1"):
		s, err := lnurl.Decode(addr)
		if err != nil {
			return nil, "", fmt.Errorf("travel: LNURL does not decode (%v): %w", err, ErrAddress)
		}
		raw, form = s, FormLNURL
	case strings.Contains(addr, "://"):
		raw, form = addr, FormURL
	case strings.HasPrefix(addr, "ta"):
		s, err := decodeTravelAddress(addr)
		if err != nil {
			return nil, "", fmt.Errorf("travel: travel address does not decode (%v): %w", err, ErrAddress)
		}
		raw, form = s, FormTravelAddress
	default:
		return nil, "", fmt.Errorf("travel: expected a travel address, an LNURL or a URL: %w", ErrAddress)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" || u.User != nil {
		return nil, "", fmt.Errorf("travel: the address does not hold an absolute http(s) URL: %w", ErrAddress)
	}
	return u, form, nil
}
