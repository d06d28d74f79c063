package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"
)

// TLS is this node's mutual TLS identity towards other nodes. The TRP listener and client use
// it, and the TRISA route uses it unless its own section names other files.
type TLS struct {
	// CertFile holds the node certificate followed by its chain, and its private key too when
	// KeyFile is empty (the trust.Provider layout `waybill certs` writes as <name>.pem).
	CertFile string `koanf:"cert_file"`
	// KeyFile holds the private key when it is not in CertFile.
	KeyFile string `koanf:"key_file"`
	// CAFile holds the certificate authorities whose node certificates we accept from peers
	// and trust on the servers we call.
	CAFile string `koanf:"ca_file"`
}

// Configured reports whether a certificate and a CA pool are named.
func (t TLS) Configured() bool { return t.CertFile != "" && t.CAFile != "" }

// TRP configures the OpenVASP Travel Rule Protocol route.
type TRP struct {
	// Enabled turns the route on: the TRP server, the travel addresses and the client.
	Enabled bool `koanf:"enabled"`
	// Addr is the mutual TLS listener of the TRP server (not used with InsecureHTTP).
	Addr string `koanf:"addr"`
	// BaseURL is the public origin of the TRP server, e.g. https://trp.example.com:8443; travel
	// addresses and callback URLs are built on it. Empty means: https:// and the address the
	// listener bound (a development default), or http.base_url with InsecureHTTP.
	BaseURL string `koanf:"base_url"`
	// InsecureHTTP serves TRP in plain HTTP under /trp/ on the main listener and sends without
	// client certificates. Development only: peers cannot authenticate each other.
	InsecureHTTP bool `koanf:"insecure_http"`
	// Timeout bounds one request to a peer.
	Timeout time.Duration `koanf:"timeout"`
	// TLS is the node's identity, shared with TRISA.
	TLS TLS `koanf:"tls"`
}

func defaultTRP() TRP { return TRP{Addr: ":8443", Timeout: 30 * time.Second} }

func (t TRP) validate() []string {
	if !t.Enabled {
		return nil
	}
	var p []string
	if t.Timeout <= 0 {
		p = append(p, "trp.timeout must be positive")
	}
	if t.InsecureHTTP {
		if t.BaseURL != "" {
			if u, err := url.Parse(t.BaseURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				p = append(p, fmt.Sprintf("trp.base_url %q must be an absolute http(s) URL", t.BaseURL))
			}
		}
		return p
	}
	if _, _, err := net.SplitHostPort(t.Addr); err != nil {
		p = append(p, fmt.Sprintf("trp.addr %q: %v", t.Addr, err))
	}
	if t.BaseURL != "" {
		if u, err := url.Parse(t.BaseURL); err != nil || u.Host == "" || u.Scheme != "https" || (u.Path != "" && u.Path != "/") {
			p = append(p, fmt.Sprintf("trp.base_url %q must be an https origin (scheme, host and port only)", t.BaseURL))
		}
	}
	if !t.TLS.Configured() {
		p = append(p, "trp: set tls.cert_file and tls.ca_file (make them with `waybill certs`), or insecure_http for development")
	}
	return p
}

// TRISA configures the TRISA route: the TRISANetwork gRPC server peers call over mutual TLS,
// and the client that calls theirs. The route is enabled when Addr is set.
type TRISA struct {
	// Addr is the listen address of the gRPC server, e.g. :4000; empty disables the route.
	Addr string `koanf:"addr"`
	// TLS is the node's TRISA identity; when it names no files, trp.tls is used (one node
	// certificate for both protocols).
	TLS TLS `koanf:"tls"`
	// SealingKeyFile holds the RSA private key peers seal envelopes for; empty means the
	// certificate's key, as TRISA does.
	SealingKeyFile string `koanf:"sealing_key_file"`
	// KeyCacheTTL is how long a peer's sealing key from a key exchange is used before keys are
	// exchanged again (TRISA recommends at most an hour).
	KeyCacheTTL time.Duration `koanf:"key_cache_ttl"`
	// Timeout bounds one call to a peer.
	Timeout time.Duration `koanf:"timeout"`
}

// Enabled reports whether the TRISA route is configured.
func (t TRISA) Enabled() bool { return t.Addr != "" }

// Identity returns the TLS files the route uses: its own section's when it names a
// certificate, else shared (trp.tls).
func (t TRISA) Identity(shared TLS) TLS {
	if t.TLS.CertFile != "" || t.TLS.CAFile != "" {
		return t.TLS
	}
	return shared
}

func defaultTRISA() TRISA { return TRISA{KeyCacheTTL: time.Hour, Timeout: 30 * time.Second} }

func (t TRISA) validate() []string {
	if !t.Enabled() {
		return nil
	}
	var p []string
	if _, _, err := net.SplitHostPort(t.Addr); err != nil {
		p = append(p, fmt.Sprintf("trisa.addr %q: %v", t.Addr, err))
	}
	if (t.TLS.CertFile != "" || t.TLS.CAFile != "" || t.TLS.KeyFile != "") && !t.TLS.Configured() {
		p = append(p, "trisa.tls: set both cert_file and ca_file, or neither to use trp.tls")
	}
	if t.KeyCacheTTL < time.Second || t.KeyCacheTTL > 24*time.Hour {
		p = append(p, "trisa.key_cache_ttl must be between 1s and 24h")
	}
	if t.Timeout <= 0 {
		p = append(p, "trisa.timeout must be positive")
	}
	return p
}

// Email configures the e-mail (sunrise) route and its SMTP client. The route is enabled when
// Host is set.
type Email struct {
	// Host is the SMTP server (submission relay); empty disables the e-mail route.
	Host string `koanf:"host"`
	// Port is the SMTP port: 587 for submission with STARTTLS, 465 for implicit TLS.
	Port int `koanf:"port"`
	// TLS is the connection policy: starttls (required), opportunistic (STARTTLS when offered),
	// implicit (TLS from the first byte, "SMTPS") or none (development on loopback only).
	TLS string `koanf:"tls"`
	// CAFile is an optional PEM bundle that verifies the SMTP server's certificate instead of the
	// system roots (a private relay).
	CAFile string `koanf:"ca_file"`
	// Username and Password authenticate to the server (SMTP AUTH); empty means no
	// authentication. Password is a secret: the configuration dump hides it.
	Username string `koanf:"username"`
	Password string `koanf:"password"`
	// From is the sender address of every e-mail ("travelrule@exchange.example"); the sending
	// VASP's name is shown as the display name.
	From string `koanf:"from"`
	// BaseURL is the public URL links point to; empty means http.base_url. The pages are served
	// under /sunrise/ on the main HTTP listener.
	BaseURL string `koanf:"base_url"`
	// LinkLifetime is how long a link stays usable after it is first opened (72h).
	LinkLifetime time.Duration `koanf:"link_lifetime"`
	// LinkHardLimit is how long a link is usable at most after it was sent, opened or not.
	LinkHardLimit time.Duration `koanf:"link_hard_limit"`
	// CodeLifetime is how long a one-time code stays valid.
	CodeLifetime time.Duration `koanf:"code_lifetime"`
	// CodeAttempts is how many wrong codes lock a link.
	CodeAttempts int `koanf:"code_attempts"`
	// Timeout bounds one SMTP conversation.
	Timeout time.Duration `koanf:"timeout"`
}

// Enabled reports whether the e-mail route is configured.
func (e Email) Enabled() bool { return e.Host != "" }

// PublicURL returns the base URL of links: BaseURL, else the node's http.base_url.
func (e Email) PublicURL(h HTTP) string {
	if e.BaseURL != "" {
		return strings.TrimRight(e.BaseURL, "/")
	}
	return strings.TrimRight(h.BaseURL, "/")
}

func defaultEmail() Email {
	return Email{Port: 587, TLS: "starttls", LinkLifetime: 72 * time.Hour, LinkHardLimit: 7 * 24 * time.Hour,
		CodeLifetime: 10 * time.Minute, CodeAttempts: 5, Timeout: 30 * time.Second}
}

func (e Email) validate() []string {
	if !e.Enabled() {
		return nil
	}
	var p []string
	if strings.ContainsAny(e.Host, " /:") {
		p = append(p, "email.host must be a host name or IP address without a port")
	}
	if e.Port < 1 || e.Port > 65535 {
		p = append(p, "email.port must be between 1 and 65535")
	}
	switch e.TLS {
	case "starttls", "opportunistic", "implicit":
	case "none":
		if e.Password != "" && !loopback(e.Host) {
			p = append(p, "email.tls none would send email.password in clear: use starttls or implicit")
		}
	default:
		p = append(p, "email.tls must be starttls, opportunistic, implicit or none")
	}
	if e.CAFile != "" {
		if _, err := os.Stat(e.CAFile); err != nil {
			p = append(p, fmt.Sprintf("email.ca_file: %v", err))
		}
	}
	if e.Password != "" && e.Username == "" {
		p = append(p, "email.password needs email.username")
	}
	if a, err := mail.ParseAddress(e.From); err != nil || a.Name != "" {
		p = append(p, "email.from must be a plain e-mail address (the VASP's name is added as display name)")
	}
	if e.BaseURL != "" {
		if u, err := url.Parse(e.BaseURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			p = append(p, fmt.Sprintf("email.base_url %q must be an absolute http(s) URL", e.BaseURL))
		}
	}
	if e.LinkLifetime < time.Minute {
		p = append(p, "email.link_lifetime must be at least 1m")
	}
	if e.LinkHardLimit < e.LinkLifetime {
		p = append(p, "email.link_hard_limit must be at least email.link_lifetime")
	}
	if e.CodeLifetime < time.Minute || e.CodeLifetime > time.Hour {
		p = append(p, "email.code_lifetime must be between 1m and 1h")
	}
	if e.CodeAttempts < 1 || e.CodeAttempts > 20 {
		p = append(p, "email.code_attempts must be between 1 and 20")
	}
	if e.Timeout <= 0 {
		p = append(p, "email.timeout must be positive")
	}
	return p
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
