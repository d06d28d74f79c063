package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/waybill/waybill/internal/api"
	"github.com/waybill/waybill/internal/route/email"
	"github.com/waybill/waybill/internal/transfer"
)

// emailBefore enables the e-mail (sunrise) route when SMTP is configured.
func (n *Node) emailBefore(ctx context.Context, w *wiring) error {
	if n.Config.Email.Enabled() {
		w.enabled[transfer.RouteEmail] = true
	}
	return nil
}

// emailRetention is how long links are kept after their hard limit (their audit events stay).
const emailRetention = 30 * 24 * time.Hour

// emailAfter mounts the sunrise pages and registers the e-mail adapter.
func (n *Node) emailAfter(ctx context.Context, w *wiring) error {
	c := n.Config.Email
	if !c.Enabled() {
		return nil
	}
	var roots *x509.CertPool
	if c.CAFile != "" {
		var err error
		if roots, err = email.LoadCAFile(c.CAFile); err != nil {
			return err
		}
	}
	mailer, err := email.NewSMTP(email.SMTPConfig{Host: c.Host, Port: c.Port, TLS: c.TLS, RootCAs: roots, Username: c.Username,
		Password: c.Password, From: c.From, Timeout: c.Timeout, Clock: n.Clock})
	if err != nil {
		return err
	}
	svc, err := email.New(email.Config{Engine: n.Engine, Store: n.Store, Mailer: mailer, BaseURL: c.PublicURL(n.Config.HTTP),
		LinkLifetime: c.LinkLifetime, HardLimit: c.LinkHardLimit, CodeLifetime: c.CodeLifetime, CodeAttempts: c.CodeAttempts,
		Clock: n.Clock, Rand: n.Rand, NewID: n.NewID, Logger: n.Log, Notify: func() { n.Runner.Notify() }})
	if err != nil {
		return fmt.Errorf("email route: %w", err)
	}
	w.adapters[transfer.RouteEmail] = svc
	w.kinds = append(w.kinds, svc.Kinds()...)
	n.Mux.Handle("/sunrise/", svc.Handler())
	w.servers = append(w.servers, func(ctx context.Context) error {
		// Links past their hard limit are purged once a day (and once at start).
		t := time.NewTicker(24 * time.Hour)
		defer t.Stop()
		for {
			if k, err := svc.Purge(ctx, emailRetention); err != nil {
				n.Log.Warn("email: purge links", "err", err)
			} else if k > 0 {
				n.Log.Info("email: purged expired links", "count", k)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	})
	return nil
}

// emailLinks is the e-mail route's link service for the API, or nil when the route is off.
func emailLinks(w *wiring) api.EmailLinks {
	if svc, ok := w.adapters[transfer.RouteEmail].(*email.Service); ok {
		return svc
	}
	return nil
}
