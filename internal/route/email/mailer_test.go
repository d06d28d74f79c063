package email

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/pki"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/route/email/emailtest"
)

var sentAt = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

// TestSMTPStartTLSAndAuth sends through a server that offers STARTTLS with a certificate of a
// throw-away CA and requires AUTH PLAIN: the client verifies the server against the CA file,
// authenticates, and the message arrives decoded.
func TestSMTPStartTLSAndAuth(t *testing.T) {
	t.Parallel()
	ca, leaves, err := pki.TestSet([]string{"127.0.0.1"})
	require.NoError(t, err)
	cert := leaves[0].TLSCertificate()
	srv := emailtest.Start(t, emailtest.Options{TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		Username: "waybill", Password: "s3cret"})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, ca.CertPEM(), 0o600))
	roots, err := LoadCAFile(caFile)
	require.NoError(t, err)

	m, err := NewSMTP(SMTPConfig{Host: srv.Host(), Port: srv.Port(), TLS: TLSStartTLS, RootCAs: roots, Username: "waybill",
		Password: "s3cret", From: "travelrule@alpha.example", Timeout: 5 * time.Second, Clock: clockAt(sentAt)})
	require.NoError(t, err)
	require.NoError(t, m.Send(context.Background(), &Mail{To: "compliance@gamma.example", FromName: "Alpha Exchange",
		Subject: "Travel Rule request from Alpha Exchange — réf. 1", Text: "Hello,\n\nline two with ü\n"}))
	require.Equal(t, 1, srv.Auths())
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	got := msgs[0]
	require.Equal(t, "travelrule@alpha.example", got.From)
	require.Equal(t, []string{"compliance@gamma.example"}, got.To)
	require.Equal(t, "Travel Rule request from Alpha Exchange — réf. 1", got.Subject)
	require.Equal(t, "Hello,\n\nline two with ü\n", got.Text)
	require.Contains(t, got.Header.Get("From"), "Alpha Exchange")
	require.Equal(t, "auto-generated", got.Header.Get("Auto-Submitted"))
	date, err := got.Header.Date()
	require.NoError(t, err)
	require.True(t, date.Equal(sentAt), "the Date header comes from the injected clock")

	// Without the CA, the server's certificate is refused; with a wrong password, auth fails.
	// Both may be fixed by the operator, so neither is permanent.
	for name, cfg := range map[string]SMTPConfig{
		"unknown CA":     {Host: srv.Host(), Port: srv.Port(), Username: "waybill", Password: "s3cret", From: "tr@alpha.example", Timeout: 5 * time.Second},
		"wrong password": {Host: srv.Host(), Port: srv.Port(), RootCAs: roots, Username: "waybill", Password: "nope", From: "tr@alpha.example", Timeout: 5 * time.Second},
	} {
		m, err := NewSMTP(cfg)
		require.NoError(t, err, name)
		err = m.Send(context.Background(), &Mail{To: "compliance@gamma.example", Subject: "x", Text: "x"})
		require.Error(t, err, name)
		var perm *route.Permanent
		require.False(t, errors.As(err, &perm), "%s: %v", name, err)
	}
	require.Len(t, srv.Messages(), 1)
}

// TestSMTPRefusals: a recipient refused for good is a permanent error; a temporary refusal is
// retried; neither error repeats the address.
func TestSMTPRefusals(t *testing.T) {
	t.Parallel()
	srv := emailtest.Start(t, emailtest.Options{Refuse: func(rcpt string) *smtp.SMTPError {
		switch {
		case strings.HasPrefix(rcpt, "gone@"):
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + rcpt + ">: no such user"}
		case strings.HasPrefix(rcpt, "busy@"):
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "<" + rcpt + ">: try later"}
		}
		return nil
	}})
	m, err := NewSMTP(SMTPConfig{Host: srv.Host(), Port: srv.Port(), TLS: TLSNone, From: "tr@alpha.example", Timeout: 5 * time.Second})
	require.NoError(t, err)
	var perm *route.Permanent

	err = m.Send(context.Background(), &Mail{To: "gone@gamma.example", Subject: "x", Text: "x"})
	require.ErrorAs(t, err, &perm)
	require.NotContains(t, err.Error(), "gone@gamma.example")
	require.Contains(t, err.Error(), "550")

	err = m.Send(context.Background(), &Mail{To: "busy@gamma.example", Subject: "x", Text: "x"})
	require.Error(t, err)
	require.False(t, errors.As(err, &perm), "%v", err)
	require.NotContains(t, err.Error(), "busy@gamma.example")

	err = m.Send(context.Background(), &Mail{To: "not an address", Subject: "x", Text: "x"})
	require.ErrorAs(t, err, &perm)

	// STARTTLS required but not offered: not sent, retried later.
	strict, err := NewSMTP(SMTPConfig{Host: srv.Host(), Port: srv.Port(), TLS: TLSStartTLS, From: "tr@alpha.example", Timeout: 5 * time.Second})
	require.NoError(t, err)
	err = strict.Send(context.Background(), &Mail{To: "ok@gamma.example", Subject: "x", Text: "x"})
	require.Error(t, err)
	require.False(t, errors.As(err, &perm))
	require.Empty(t, srv.Messages())

	// Nobody listening: retried later.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	down, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: port, TLS: TLSNone, From: "tr@alpha.example", Timeout: 2 * time.Second})
	require.NoError(t, err)
	err = down.Send(context.Background(), &Mail{To: "ok@gamma.example", Subject: "x", Text: "x"})
	require.Error(t, err)
	require.False(t, errors.As(err, &perm))
}

func TestNewSMTPChecks(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]SMTPConfig{
		"no host":    {From: "tr@alpha.example"},
		"bad from":   {Host: "smtp.example.com", From: "nobody"},
		"bad policy": {Host: "smtp.example.com", From: "tr@alpha.example", TLS: "sometimes"},
		"bad port":   {Host: "smtp.example.com", From: "tr@alpha.example", Port: 70000},
	} {
		_, err := NewSMTP(cfg)
		require.Error(t, err, name)
	}
	for _, p := range []string{"", TLSStartTLS, TLSOpportunistic, TLSImplicit, TLSNone} {
		_, err := NewSMTP(SMTPConfig{Host: "smtp.example.com", Port: 587, From: "tr@alpha.example", TLS: p})
		require.NoError(t, err, p)
	}
	_, err := LoadCAFile(filepath.Join(t.TempDir(), "absent.pem"))
	require.Error(t, err)
	empty := filepath.Join(t.TempDir(), "empty.pem")
	require.NoError(t, os.WriteFile(empty, []byte("nothing"), 0o600))
	_, err = LoadCAFile(empty)
	require.Error(t, err)
	require.Equal(t, "dial tcp: <(address)> refused", redactAddresses("dial tcp: <x@y.example> refused"))
}

func TestMailTemplates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		d    mailData
		want []string
	}{
		{"invite", mailData{VASP: "Alpha Exchange", Website: "https://alpha.example", Counterparty: "Gamma", Reference: "m-1",
			Link: "https://tr.alpha.example/sunrise/open?t=abc", Purpose: "inquiry", Lifetime: "72 hours", Until: "28 November 2026 12:00 UTC"},
			[]string{"Hello Gamma compliance team", "confirm the address", "Reference: m-1", "\nhttps://tr.alpha.example/sunrise/open?t=abc\n",
				"72 hours after you first open", "28 November 2026"}},
		{"invite", mailData{VASP: "Alpha Exchange", Reference: "m-2", Link: "https://x/sunrise/open?t=abc", Purpose: "request", Lifetime: "1 hour"},
			[]string{"identify the sender", "Reference: m-2"}},
		{"code", mailData{VASP: "Alpha Exchange", Reference: "m-1", Code: "042137", Minutes: "10 minutes"},
			[]string{"\n042137\n", "valid for 10 minutes"}},
		{"txhash", mailData{VASP: "Alpha Exchange", Reference: "m-1", TxHash: "0xfeed"}, []string{"0xfeed", "complete"}},
		{"cancel", mailData{VASP: "Alpha Exchange", Reference: "m-1"}, []string{"cancelled the Travel Rule exchange with reference m-1."}},
		{"cancel", mailData{VASP: "Alpha Exchange", Reference: "m-1", Expired: true}, []string{"closed the Travel Rule", "no answer arrived in time"}},
	} {
		text, err := renderMail(tc.name, tc.d)
		require.NoError(t, err)
		for _, w := range tc.want {
			require.Contains(t, text, w, tc.name)
		}
		require.NotContains(t, text, "<no value>", tc.name)
		require.NotContains(t, text, "{{", tc.name)
		msg := emailtest.Message{Text: text}
		if tc.name == "code" {
			require.Equal(t, "042137", msg.Code())
		} else {
			require.Empty(t, msg.Code(), "%s: only the code e-mail has a lone six-digit line", tc.name)
		}
	}
}
