package trp

import (
	"net"
	"net/url"
	"strings"

	"github.com/waybill/waybill/internal/route/trp/travel"
)

// Paths of our TRP server. Each hosted VASP has an inquiry URL, and each of its wallets one
// more (the wallet names the destination); callbacks are per transfer. All sit under /trp/, on
// the mutual TLS listener (and, with insecure_http, on the main listener).
const (
	// PathPrefix starts every TRP path.
	PathPrefix = "/trp"
)

// InquiryPath is the inquiry path of a hosted VASP, or of one of its wallets.
func InquiryPath(vaspID, walletID string) string {
	p := PathPrefix + "/v/" + url.PathEscape(vaspID)
	if walletID != "" {
		p += "/w/" + url.PathEscape(walletID)
	}
	return p
}

// ResolvePath is where the beneficiary VASP posts its resolution of our inquiry.
func ResolvePath(vaspID, messageID string) string {
	return PathPrefix + "/v/" + url.PathEscape(vaspID) + "/transfers/" + url.PathEscape(messageID) + "/resolve"
}

// ConfirmPath is where the originating VASP posts its confirmation after our approval.
func ConfirmPath(vaspID, messageID string) string {
	return PathPrefix + "/v/" + url.PathEscape(vaspID) + "/transfers/" + url.PathEscape(messageID) + "/confirm"
}

// TravelAddress returns the travel address of an inquiry URL (see travel.Encode).
func TravelAddress(inquiryURL string) (string, error) { return travel.Encode(inquiryURL) }

// Address kinds a peer's TRP address may come in.
const (
	FormTravelAddress = travel.FormTravelAddress
	FormLNURL         = travel.FormLNURL
	FormURL           = travel.FormURL
)

// ErrAddress is wrapped by every error of ParseAddress.
var ErrAddress = travel.ErrAddress

// ParseAddress returns the inquiry URL behind a counterparty's TRP address (see travel.Parse).
func ParseAddress(addr string) (*url.URL, string, error) { return travel.Parse(addr) }

// hostPort returns the lower-cased host and the port (the scheme's default when absent) of u.
func hostPort(u *url.URL) (string, string) {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), port
}

func sameHostPort(a, b *url.URL) bool {
	ha, pa := hostPort(a)
	hb, pb := hostPort(b)
	return ha == hb && pa == pb
}

// canonicalHost folds an IP literal to its canonical text, so "::1" and "0:0::1" compare equal.
func canonicalHost(h string) string {
	if ip := net.ParseIP(h); ip != nil {
		return ip.String()
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}
