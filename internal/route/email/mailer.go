package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/waybill/waybill/internal/route"
)

// Mail is one plain-text e-mail to one recipient.
type Mail struct {
	To string
	// FromName is the display name of the sender (the sending VASP).
	FromName string
	Subject  string
	Text     string
}

// Mailer delivers e-mails.
type Mailer interface {
	// Send delivers m. A *route.Permanent error means the server refused the recipient or the
	// message for good; any other error may succeed later.
	Send(ctx context.Context, m *Mail) error
}

// TLS policies of an SMTP connection.
const (
	// TLSStartTLS requires STARTTLS: a server that does not offer it gets nothing.
	TLSStartTLS = "starttls"
	// TLSOpportunistic uses STARTTLS when the server offers it, plain text otherwise.
	TLSOpportunistic = "opportunistic"
	// TLSImplicit speaks TLS from the first byte (SMTPS, port 465).
	TLSImplicit = "implicit"
	// TLSNone never encrypts: for a relay on the same host only.
	TLSNone = "none"
)

// SMTPConfig configures an SMTP client.
type SMTPConfig struct {
	Host string
	Port int
	// TLS is one of the TLS policies (starttls when empty).
	TLS string
	// RootCAs verifies the server's certificate; nil means the system roots.
	RootCAs *x509.CertPool
	// Username and Password enable SMTP AUTH (the strongest mechanism the server offers).
	Username string
	Password string
	// From is the envelope and header sender address.
	From    string
	Timeout time.Duration
	// Clock stamps the Date header.
	Clock func() time.Time
}

// LoadCAFile reads a PEM bundle for SMTPConfig.RootCAs.
func LoadCAFile(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("email: ca file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("email: ca file %s holds no PEM certificate", path)
	}
	return pool, nil
}

// SMTP sends e-mails through an SMTP server with github.com/wneessen/go-mail, one connection
// per message. It is safe for concurrent use.
type SMTP struct {
	cfg  SMTPConfig
	opts []gomail.Option
}

// NewSMTP checks cfg and returns a client.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("email: smtp host is required")
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, errors.New("email: the sender address is not an e-mail address")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: cfg.Host, RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12})}
	switch cfg.TLS {
	case "", TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("email: unknown tls policy %q", cfg.TLS)
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(cfg.Username),
			gomail.WithPassword(cfg.Password))
	}
	// Apply the options once, so a bad one fails at start rather than at the first send.
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("email: smtp client: %w", err)
	}
	return &SMTP{cfg: cfg, opts: opts}, nil
}

// Send implements Mailer.
func (s *SMTP) Send(ctx context.Context, m *Mail) error {
	msg := gomail.NewMsg()
	if err := msg.FromFormat(m.FromName, s.cfg.From); err != nil {
		return &route.Permanent{Err: errors.New("email: the sender cannot be formatted")}
	}
	if err := msg.To(m.To); err != nil {
		return &route.Permanent{Err: errors.New("email: the recipient is not an e-mail address")}
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(s.cfg.Clock())
	msg.SetMessageID()
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	c, err := gomail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return fmt.Errorf("email: smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(err)
	}
	return nil
}

// classify turns a go-mail error into ours. Server replies can quote the recipient's address,
// so only codes are kept. A definite refusal of the recipient or the message (5xx after RCPT TO
// or DATA) is permanent; everything else (connection, TLS, authentication, sender refused,
// 4xx) may work later or after the operator fixes the configuration, so it is retried.
func classify(err error) error {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return fmt.Errorf("email: smtp: %w", err)
		}
		return fmt.Errorf("email: smtp: %w", errors.New(redactAddresses(err.Error())))
	}
	desc := fmt.Sprintf("email: smtp %s refused (code %d", se.Reason, se.ErrorCode())
	if esc := se.EnhancedStatusCode(); esc != "" {
		desc += ", " + esc
	}
	desc += ")"
	switch se.Reason {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		if !se.IsTemp() && se.ErrorCode() >= 500 {
			return &route.Permanent{Err: errors.New(desc)}
		}
	}
	return errors.New(desc)
}

// redactAddresses removes anything that looks like an e-mail address from a message.
func redactAddresses(s string) string {
	out := []rune{}
	word := []rune{}
	flush := func() {
		w := string(word)
		for i := 0; i < len(w); i++ {
			if w[i] == '@' {
				w = "(address)"
				break
			}
		}
		out = append(out, []rune(w)...)
		word = word[:0]
	}
	for _, r := range s {
		if r == ' ' || r == '<' || r == '>' || r == ',' || r == ';' || r == '"' {
			flush()
			out = append(out, r)
			continue
		}
		word = append(word, r)
	}
	flush()
	return string(out)
}
