package trp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// ErrPrivateAddress is returned when a peer URL resolves only to loopback, private, link-local
// or otherwise internal addresses and the counterparty is not allowed them.
var ErrPrivateAddress = errors.New("the peer resolves to a loopback or private address")

// Resolver looks host names up (net.DefaultResolver in production, a table in tests).
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// guardedDialer dials only public addresses unless allowPrivate: the check runs on the resolved
// IP at dial time, so a name that resolves to 127.0.0.1 (or changes its answer between a check
// and the connection, DNS rebinding) does not get through.
type guardedDialer struct {
	allowPrivate bool
	resolver     Resolver
	dialer       net.Dialer
}

func newGuardedDialer(allowPrivate bool, r Resolver) *guardedDialer {
	if r == nil {
		r = net.DefaultResolver
	}
	return &guardedDialer{allowPrivate: allowPrivate, resolver: r, dialer: net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}}
}

// DialContext implements the http.Transport dial hook.
func (d *guardedDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		found, err := d.resolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("trp: resolve %s: %w", host, err)
		}
		for _, a := range found {
			if ip, ok := netip.AddrFromSlice(a.IP); ok {
				ips = append(ips, ip)
			}
		}
	}
	var errs []error
	refused := false
	for _, ip := range ips {
		if !d.allowPrivate && Internal(ip) {
			refused = true
			continue
		}
		c, err := d.dialer.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if refused {
		return nil, fmt.Errorf("trp: %s: %w", host, ErrPrivateAddress)
	}
	return nil, fmt.Errorf("trp: %s has no address", host)
}

// Internal reports whether ip is not a public unicast address: loopback, private (RFC 1918,
// RFC 4193), link-local, carrier-grade NAT, unspecified, multicast, documentation,
// benchmarking or reserved ranges, including IPv4 addresses mapped into IPv6.
func Internal(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range internalPrefixes() {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func internalPrefixes() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),       // "this" network
		netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
		netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
		netip.MustParsePrefix("192.0.2.0/24"),    // documentation
		netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
		netip.MustParsePrefix("198.51.100.0/24"), // documentation
		netip.MustParsePrefix("203.0.113.0/24"),  // documentation
		netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
		netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 (may reach internal IPv4)
		netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
		netip.MustParsePrefix("2001:db8::/32"),   // documentation
		netip.MustParsePrefix("2002::/16"),       // 6to4 (embeds any IPv4)
		netip.MustParsePrefix("100::/64"),        // discard
	}
}
