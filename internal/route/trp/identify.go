package trp

import (
	"context"
	"crypto/x509"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/pki"
)

// Identification errors; the server answers both with 403 Forbidden.
var (
	// ErrUnknownPeer: no TRP route in the receiving VASP's directory matches the peer.
	ErrUnknownPeer = errors.New("the peer is not in this VASP's directory with a TRP route on its host")
	// ErrAmbiguousPeer: several entries match and the callback does not tell them apart.
	ErrAmbiguousPeer = errors.New("several directory entries match the peer; give each its own host")
)

// maxNames bounds how many certificate names are looked up.
const maxNames = 8

// identify finds who sent an inquiry, in the receiving VASP's directory. With mutual TLS the
// peer certificate's names must include the host of the counterparty's TRP route; when several
// entries share that host (two nodes on one machine, say), the callback's host and port choose.
// Without a certificate (insecure_http) only the callback's host and port identify the peer.
func (s *Service) identify(ctx context.Context, vaspID string, peer *x509.Certificate, callback string) (*counterparty.Counterparty, error) {
	cb, _ := url.Parse(callback)
	var names []string
	if peer != nil {
		// A wildcard name (*.beta.example) is looked up by its domain; VerifyHostname decides.
		for _, n := range pki.Names(peer) {
			names = append(names, strings.TrimPrefix(n, "*."))
		}
		if len(names) > maxNames {
			names = names[:maxNames]
		}
	} else if cb != nil {
		names = []string{canonicalHost(cb.Hostname())}
	}
	seen := map[string]bool{}
	type candidate struct {
		cp *counterparty.Counterparty
		u  *url.URL
	}
	var matches []candidate
	for _, name := range names {
		list, err := s.st.Read().FindTRPCounterparties(ctx, vaspID, name, 200)
		if err != nil {
			return nil, err
		}
		for i := range list {
			cp := &list[i]
			if seen[cp.ID] {
				continue
			}
			u, err := PeerURL(cp)
			if err != nil {
				continue
			}
			if !vouches(peer, names, u) {
				continue
			}
			seen[cp.ID] = true
			matches = append(matches, candidate{cp, u})
		}
	}
	if peer == nil && cb != nil {
		// Without a certificate, the callback is all there is: host and port must match.
		matches = slices.DeleteFunc(matches, func(c candidate) bool { return !sameHostPort(c.u, cb) })
	}
	switch len(matches) {
	case 0:
		return nil, ErrUnknownPeer
	case 1:
		return matches[0].cp, nil
	}
	if cb != nil {
		var byCallback []candidate
		for _, c := range matches {
			if sameHostPort(c.u, cb) {
				byCallback = append(byCallback, c)
			}
		}
		if len(byCallback) == 1 {
			return byCallback[0].cp, nil
		}
	}
	return nil, ErrAmbiguousPeer
}

// verifyPeer checks that the certificate of a callback's caller vouches for the host of the
// counterparty the transfer is with. Without mutual TLS there is nothing to check.
func verifyPeer(peer *x509.Certificate, cp *counterparty.Counterparty) error {
	if peer == nil {
		return nil
	}
	u, err := PeerURL(cp)
	if err != nil {
		return ErrUnknownPeer
	}
	if !vouches(peer, nil, u) {
		return ErrUnknownPeer
	}
	return nil
}

// vouches reports whether the peer's certificate is good for u's host (its SANs, wildcards
// included, or its common name), or, without a certificate, whether the host is among names.
func vouches(peer *x509.Certificate, names []string, u *url.URL) bool {
	host, _ := hostPort(u)
	if peer == nil {
		return slices.Contains(names, canonicalHost(host))
	}
	if peer.VerifyHostname(host) == nil {
		return true
	}
	return strings.EqualFold(peer.Subject.CommonName, host) || canonicalHost(peer.Subject.CommonName) == canonicalHost(host)
}
