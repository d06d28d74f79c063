package nodetest

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/config"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
)

// TRISAPair returns pair options for two nodes that talk TRISA only (TRP off): each node's
// gRPC server listens on a port of 127.0.0.1 chosen now (so a restarted node binds it again),
// with the pair's certificates; each directory entry names the other node's endpoint and the
// certificate name only that node holds (node-<name>.waybill.test). opt's own hooks run after
// these.
func TRISAPair(t testing.TB, opt PairOptions) PairOptions {
	t.Helper()
	addrs := map[string]string{"a": freeAddr(t), "b": freeAddr(t)}
	configure, entry := opt.Configure, opt.Entry
	opt.NoTRP = true
	opt.Configure = func(peer string, c *config.Config, certs PairCerts) {
		c.TRISA.Addr, c.TRISA.Timeout, c.TRISA.KeyCacheTTL = addrs[peer], 5*time.Second, time.Hour
		c.TRISA.TLS = config.TLS{CertFile: certs.Identity, CAFile: certs.CA}
		if configure != nil {
			configure(peer, c, certs)
		}
	}
	opt.Entry = func(peer string, other *Peer, in *engine.CounterpartyInput) {
		in.Routes.TRISA = &counterparty.TRISA{Endpoint: addrs[other.Name], CommonName: "node-" + other.Name + ".waybill.test"}
		if entry != nil {
			entry(peer, other, in)
		}
	}
	return opt
}

// EachTRISAPair runs fn as a subtest per available driver with a fresh pair talking TRISA.
func EachTRISAPair(t *testing.T, opt PairOptions, fn func(t *testing.T, p *Pair)) {
	Each(t, func(t *testing.T, d Driver) { fn(t, StartPair(t, d, TRISAPair(t, opt))) })
}

// freeAddr returns a 127.0.0.1 address with a port free now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
