package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEmailFromEnvironment(t *testing.T) {
	t.Parallel()
	c, err := Load("", []string{"WAYBILL_EMAIL_HOST=smtp.example.com", "WAYBILL_EMAIL_USERNAME=waybill",
		"WAYBILL_EMAIL_PASSWORD=hunter2-smtp", "WAYBILL_EMAIL_FROM=travelrule@exchange.example",
		"WAYBILL_EMAIL_LINK_LIFETIME=48h", "WAYBILL_EMAIL_TLS=implicit", "WAYBILL_EMAIL_PORT=465"})
	require.NoError(t, err)
	require.True(t, c.Email.Enabled())
	require.Equal(t, 48*time.Hour, c.Email.LinkLifetime)
	require.Equal(t, 7*24*time.Hour, c.Email.LinkHardLimit, "defaults stay")
	require.Equal(t, "http://localhost:8080", c.Email.PublicURL(c.HTTP), "links default to http.base_url")
	c.Email.BaseURL = "https://tr.example.com/"
	require.Equal(t, "https://tr.example.com", c.Email.PublicURL(c.HTTP))

	red := c.Redacted()
	require.NotContains(t, red, "hunter2-smtp")
	require.Contains(t, red, "email.password = (set, hidden)")
	require.Contains(t, red, "email.host = smtp.example.com")
}

func TestEmailDisabledByDefault(t *testing.T) {
	t.Parallel()
	c, err := Load("", nil)
	require.NoError(t, err)
	require.False(t, c.Email.Enabled())
	require.Contains(t, c.Redacted(), "email.password = \n", "an empty password shows as empty")
}

func TestEmailProblems(t *testing.T) {
	t.Parallel()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, []byte("-----BEGIN CERTIFICATE-----\n"), 0o600))
	ok := func(e *Email) {}
	for _, tc := range []struct {
		name   string
		change func(e *Email)
		want   string
	}{
		{"valid", ok, ""},
		{"ca file present", func(e *Email) { e.CAFile = caFile }, ""},
		{"loopback in clear with a password", func(e *Email) { e.Host, e.TLS = "127.0.0.1", "none" }, ""},
		{"host with port", func(e *Email) { e.Host = "smtp.example.com:587" }, "email.host"},
		{"port", func(e *Email) { e.Port = 0 }, "email.port"},
		{"tls policy", func(e *Email) { e.TLS = "maybe" }, "email.tls must be"},
		{"password in clear", func(e *Email) { e.TLS = "none" }, "in clear"},
		{"ca file missing", func(e *Email) { e.CAFile = filepath.Join(t.TempDir(), "absent.pem") }, "email.ca_file"},
		{"password without user", func(e *Email) { e.Username = "" }, "needs email.username"},
		{"from missing", func(e *Email) { e.From = "" }, "email.from"},
		{"from with a name", func(e *Email) { e.From = "Alpha <tr@alpha.example>" }, "email.from"},
		{"base url", func(e *Email) { e.BaseURL = "/relative" }, "email.base_url"},
		{"link lifetime", func(e *Email) { e.LinkLifetime = time.Second }, "email.link_lifetime"},
		{"hard limit below lifetime", func(e *Email) { e.LinkHardLimit = time.Hour }, "email.link_hard_limit"},
		{"code lifetime", func(e *Email) { e.CodeLifetime = 2 * time.Hour }, "email.code_lifetime"},
		{"code attempts", func(e *Email) { e.CodeAttempts = 0 }, "email.code_attempts"},
		{"timeout", func(e *Email) { e.Timeout = 0 }, "email.timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := defaultEmail()
			e.Host, e.Username, e.Password, e.From = "smtp.example.com", "waybill", "secret", "tr@alpha.example"
			tc.change(&e)
			p := e.validate()
			if tc.want == "" {
				require.Empty(t, p)
				return
			}
			require.Len(t, p, 1, strings.Join(p, "; "))
			require.Contains(t, p[0], tc.want)
		})
	}
	// Disabled: nothing is checked.
	require.Empty(t, Email{TLS: "nonsense"}.validate())
}
