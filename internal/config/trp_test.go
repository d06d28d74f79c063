package config

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTRPSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		env     []string
		problem string
		check   func(t *testing.T, c Config)
	}{
		{name: "off by default", check: func(t *testing.T, c Config) {
			require.False(t, c.TRP.Enabled)
			require.Equal(t, ":8443", c.TRP.Addr)
			require.Equal(t, 30*time.Second, c.TRP.Timeout)
		}},
		{name: "mutual TLS from the environment", env: []string{"WAYBILL_TRP_ENABLED=true", "WAYBILL_TRP_ADDR=127.0.0.1:9443",
			"WAYBILL_TRP_BASE_URL=https://trp.example.com:9443", "WAYBILL_TRP_TLS_CERT_FILE=/etc/waybill/node.pem",
			"WAYBILL_TRP_TLS_CA_FILE=/etc/waybill/ca.crt"}, check: func(t *testing.T, c Config) {
			require.Equal(t, "/etc/waybill/node.pem", c.TRP.TLS.CertFile)
			require.True(t, c.TRP.TLS.Configured())
			require.Equal(t, "https://trp.example.com:9443", c.TRP.BaseURL)
		}},
		{name: "certificates required", env: []string{"WAYBILL_TRP_ENABLED=true"}, problem: "tls.cert_file and tls.ca_file"},
		{name: "insecure needs no certificates", env: []string{"WAYBILL_TRP_ENABLED=true", "WAYBILL_TRP_INSECURE_HTTP=true"},
			check: func(t *testing.T, c Config) { require.True(t, c.TRP.InsecureHTTP) }},
		{name: "base url is an https origin", env: []string{"WAYBILL_TRP_ENABLED=true", "WAYBILL_TRP_BASE_URL=http://x.example/trp",
			"WAYBILL_TRP_TLS_CERT_FILE=a", "WAYBILL_TRP_TLS_CA_FILE=b"}, problem: "trp.base_url"},
		{name: "bad address", env: []string{"WAYBILL_TRP_ENABLED=true", "WAYBILL_TRP_ADDR=8443",
			"WAYBILL_TRP_TLS_CERT_FILE=a", "WAYBILL_TRP_TLS_CA_FILE=b"}, problem: "trp.addr"},
		{name: "timeout", env: []string{"WAYBILL_TRP_ENABLED=true", "WAYBILL_TRP_INSECURE_HTTP=true", "WAYBILL_TRP_TIMEOUT=0s"},
			problem: "trp.timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load("", tc.env)
			if tc.problem != "" {
				var ce *Error
				require.ErrorAs(t, err, &ce)
				require.Len(t, ce.Problems, 1, ce.Error())
				require.True(t, strings.Contains(ce.Problems[0], tc.problem), ce.Problems[0])
				return
			}
			require.NoError(t, err)
			tc.check(t, c)
		})
	}
}
