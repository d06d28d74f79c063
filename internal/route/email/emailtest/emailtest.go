// Package emailtest runs a real SMTP server in process for tests (github.com/emersion/go-smtp on
// 127.0.0.1:0): it keeps every message it accepts, decoded (subject and plain text), and can
// offer STARTTLS, require AUTH PLAIN, or refuse recipients. It is imported only by tests and
// never sleeps: Wait polls with a deadline.
package emailtest

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options choose how the server behaves.
type Options struct {
	// TLS, when set, makes the server offer STARTTLS with this configuration.
	TLS *tls.Config
	// Username and Password, when set, make the server require AUTH PLAIN with them.
	Username, Password string
	// Refuse, when set, is asked about every recipient; a non-nil error refuses it.
	Refuse func(rcpt string) *smtp.SMTPError
}

// Message is one accepted message.
type Message struct {
	From    string
	To      []string
	Header  mail.Header
	Subject string
	// Text is the decoded text/plain body.
	Text string
	Raw  []byte
}

// Server is a running SMTP server.
type Server struct {
	srv  *smtp.Server
	addr *net.TCPAddr
	opt  Options

	mu   sync.Mutex
	msgs []Message
	errs []string
	// auths counts successful authentications.
	auths int
}

// Start runs a server until the test ends.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("emailtest: listen: %v", err)
	}
	s := &Server{addr: ln.Addr().(*net.TCPAddr), opt: opt}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "mx.test"
	s.srv.AllowInsecureAuth = opt.TLS == nil
	s.srv.TLSConfig = opt.TLS
	s.srv.MaxMessageBytes = 1 << 20
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = s.srv.Close()
		<-done
	})
	return s
}

// Host returns the server's IP address.
func (s *Server) Host() string { return s.addr.IP.String() }

// Port returns the server's port.
func (s *Server) Port() int { return s.addr.Port }

// Messages returns every message accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Errors lists the messages the server could not decode.
func (s *Server) Errors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errs...)
}

// Auths counts successful authentications.
func (s *Server) Auths() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auths
}

// Deadline is how long Wait waits.
const Deadline = 15 * time.Second

// Wait returns the first message matching match, polling until Deadline (then the test fails
// naming what).
func (s *Server) Wait(t testing.TB, what string, match func(Message) bool) Message {
	t.Helper()
	deadline := time.NewTimer(Deadline)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, m := range s.Messages() {
			if match(m) {
				return m
			}
		}
		select {
		case <-deadline.C:
			t.Fatalf("emailtest: timed out waiting for %s (%d messages received)", what, len(s.Messages()))
		case <-tick.C:
		}
	}
}

// Count returns how many messages match.
func (s *Server) Count(match func(Message) bool) int {
	n := 0
	for _, m := range s.Messages() {
		if match(m) {
			n++
		}
	}
	return n
}

var (
	linkRE = regexp.MustCompile(`https?://[^\s<>"]+/sunrise/open\?t=[A-Za-z0-9_-]+`)
	codeRE = regexp.MustCompile(`(?m)^\s*(\d{6})\s*$`)
)

// Link returns the sunrise link in the message, or "".
func (m Message) Link() string { return linkRE.FindString(m.Text) }

// Code returns the one-time code in the message (six digits alone on a line), or "".
func (m Message) Code() string {
	if sm := codeRE.FindStringSubmatch(m.Text); sm != nil {
		return sm[1]
	}
	return ""
}

// SentTo reports whether addr is among the recipients.
func (m Message) SentTo(addr string) bool {
	for _, to := range m.To {
		if strings.EqualFold(to, addr) {
			return true
		}
	}
	return false
}

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opt.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || ss.s.opt.Username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.opt.Username || password != ss.s.opt.Password {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		ss.s.mu.Lock()
		ss.s.auths++
		ss.s.mu.Unlock()
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opt.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.s.opt.Refuse != nil {
		if err := ss.s.opt.Refuse(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := decode(raw)
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if err != nil {
		ss.s.errs = append(ss.s.errs, err.Error())
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "undecodable message"}
	}
	m.From, m.To = ss.from, append([]string(nil), ss.to...)
	ss.s.msgs = append(ss.s.msgs, m)
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// decode parses a message and finds its text/plain body.
func decode(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, fmt.Errorf("read message: %w", err)
	}
	out := Message{Header: msg.Header, Raw: raw}
	dec := new(mime.WordDecoder)
	if out.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Message{}, fmt.Errorf("subject: %w", err)
	}
	text, err := textPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	if err != nil {
		return Message{}, err
	}
	out.Text = text
	return out, nil
}

func textPart(contentType, encoding string, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", fmt.Errorf("content type: %w", err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return "", errors.New("no text/plain part")
			}
			if err != nil {
				return "", fmt.Errorf("multipart: %w", err)
			}
			if text, err := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err == nil {
				return text, nil
			}
		}
	}
	if mt != "text/plain" {
		return "", fmt.Errorf("unexpected content type %s", mt)
	}
	var r io.Reader = body
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("body: %w", err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}
