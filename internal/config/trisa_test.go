package config

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTRISASettings(t *testing.T) {
	t.Parallel()
	shared := TLS{CertFile: "/etc/waybill/node.pem", CAFile: "/etc/waybill/ca.crt"}
	for _, tc := range []struct {
		name    string
		env     []string
		problem string
		check   func(t *testing.T, c Config)
	}{
		{name: "off by default", check: func(t *testing.T, c Config) {
			require.False(t, c.TRISA.Enabled())
			require.Equal(t, time.Hour, c.TRISA.KeyCacheTTL)
			require.Equal(t, 30*time.Second, c.TRISA.Timeout)
		}},
		{name: "the node certificate of trp.tls", env: []string{"WAYBILL_TRISA_ADDR=:4000"}, check: func(t *testing.T, c Config) {
			require.True(t, c.TRISA.Enabled())
			require.Equal(t, shared, c.TRISA.Identity(shared))
		}},
		{name: "its own certificate and sealing key", env: []string{"WAYBILL_TRISA_ADDR=127.0.0.1:4000",
			"WAYBILL_TRISA_TLS_CERT_FILE=/etc/waybill/trisa.pem", "WAYBILL_TRISA_TLS_CA_FILE=/etc/waybill/trisa-ca.crt",
			"WAYBILL_TRISA_SEALING_KEY_FILE=/etc/waybill/sealing.pem", "WAYBILL_TRISA_KEY_CACHE_TTL=30m"}, check: func(t *testing.T, c Config) {
			require.Equal(t, "/etc/waybill/trisa.pem", c.TRISA.Identity(shared).CertFile)
			require.Equal(t, "/etc/waybill/sealing.pem", c.TRISA.SealingKeyFile)
			require.Equal(t, 30*time.Minute, c.TRISA.KeyCacheTTL)
		}},
		{name: "half a certificate", env: []string{"WAYBILL_TRISA_ADDR=:4000", "WAYBILL_TRISA_TLS_CERT_FILE=/x.pem"}, problem: "trisa.tls"},
		{name: "bad address", env: []string{"WAYBILL_TRISA_ADDR=4000"}, problem: "trisa.addr"},
		{name: "key cache too long", env: []string{"WAYBILL_TRISA_ADDR=:4000", "WAYBILL_TRISA_KEY_CACHE_TTL=48h"}, problem: "trisa.key_cache_ttl"},
		{name: "timeout", env: []string{"WAYBILL_TRISA_ADDR=:4000", "WAYBILL_TRISA_TIMEOUT=0s"}, problem: "trisa.timeout"},
		{name: "nothing checked when off", env: []string{"WAYBILL_TRISA_TIMEOUT=0s"}, check: func(t *testing.T, c Config) {
			require.False(t, c.TRISA.Enabled())
		}},
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
