package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/waybill/waybill/internal/api"
	"github.com/waybill/waybill/internal/pki"
	"github.com/waybill/waybill/internal/route/trp"
	"github.com/waybill/waybill/internal/transfer"
)

// trpBefore enables the TRP route when configured.
func (n *Node) trpBefore(ctx context.Context, w *wiring) error {
	if n.Config.TRP.Enabled {
		w.enabled[transfer.RouteTRP] = true
	}
	return nil
}

// trpAfter registers the TRP adapter and its job kind, and either mounts the TRP server on the
// main listener (insecure_http) or starts its own mutual TLS listener with the node.
func (n *Node) trpAfter(ctx context.Context, w *wiring) error {
	c := n.Config.TRP
	if !c.Enabled {
		return nil
	}
	var clientTLS, serverTLS *tls.Config
	var cert *x509.Certificate
	if c.TLS.Configured() {
		kp, err := pki.LoadKeyPair(c.TLS.CertFile, c.TLS.KeyFile)
		if err != nil {
			return fmt.Errorf("trp: %w", err)
		}
		pool, err := pki.LoadPool(c.TLS.CAFile)
		if err != nil {
			return fmt.Errorf("trp: %w", err)
		}
		clientTLS, serverTLS, cert = pki.ClientConfig(kp, pool), pki.ServerConfig(kp, pool), kp.Leaf
	}
	if c.InsecureHTTP {
		n.Log.Warn("trp: insecure_http is on: TRP is served in plain HTTP and peers are not authenticated (development only)")
		clientTLS = nil
	}
	base := c.BaseURL
	if c.InsecureHTTP && base == "" {
		base = n.Config.HTTP.BaseURL
	}
	svc, err := trp.New(trp.Config{Store: n.Store, Receiver: n.Engine, BaseURL: base, TLS: clientTLS, Certificate: cert,
		Timeout: c.Timeout, MaxBodyBytes: n.Config.HTTP.MaxBodyBytes, Clock: n.Clock, Logger: n.Log,
		Notify: func() { n.Runner.Notify() }, Vendor: "waybill/" + Version})
	if err != nil {
		return err
	}
	w.adapters[transfer.RouteTRP] = svc
	w.kinds = append(w.kinds, svc.Kinds()...)
	if c.InsecureHTTP {
		svc.Mount(n.Mux, false)
		return nil
	}
	w.servers = append(w.servers, func(ctx context.Context) error { return n.serveTRP(ctx, svc, serverTLS) })
	return nil
}

// trpService returns the TRP service the wiring holds, nil when TRP is off.
func trpService(w *wiring) *trp.Service {
	svc, _ := w.adapters[transfer.RouteTRP].(*trp.Service)
	return svc
}

// travelAddresses gives the API the travel addresses of hosted VASPs and wallets (nil when
// TRP is off).
func travelAddresses(w *wiring) func(vaspID, walletID string) string {
	if svc := trpService(w); svc != nil {
		return svc.TravelAddress
	}
	return nil
}

// serveTRP runs the TRP mutual TLS listener until ctx ends. Without a configured base URL,
// travel addresses and callbacks use the address it bound.
func (n *Node) serveTRP(ctx context.Context, svc *trp.Service, conf *tls.Config) error {
	ln, err := net.Listen("tcp", n.Config.TRP.Addr)
	if err != nil {
		return fmt.Errorf("trp: listen: %w", err)
	}
	if n.Config.TRP.BaseURL == "" {
		svc.SetBaseURL("https://" + publicAddr(ln.Addr()))
	}
	n.Log.Info("trp: listening", "addr", ln.Addr().String(), "base_url", svc.BaseURL())
	mux := http.NewServeMux()
	svc.Mount(mux, true)
	srv := &http.Server{Handler: api.Middleware(mux, n.Log, n.Metrics), TLSConfig: conf, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(n.Log.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), n.Config.HTTP.ShutdownTimeout)
			defer cancel()
			_ = srv.Shutdown(sctx)
		case <-done:
		}
	}()
	err = srv.ServeTLS(ln, "", "")
	close(done)
	svc.CloseIdleConnections()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// publicAddr turns a bound address into host:port for URLs: a wildcard host becomes
// localhost (set trp.base_url for anything but development).
func publicAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// peerCommands are the commands of the routes to other nodes: the counterparty directory,
// development certificates, and TRP travel addresses.
func (e *env) peerCommands() []*cobra.Command {
	return []*cobra.Command{e.counterpartyCmd(), e.certsCmd(), e.trpCmd()}
}
