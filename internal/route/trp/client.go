package trp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/waybill/waybill/internal/route"
)

// TRP headers (TRP 3.x §"Headers").
const (
	HeaderAPIVersion        = "api-version"
	HeaderRequestIdentifier = "request-identifier"
	HeaderAPIExtensions     = "api-extensions"
)

// APIVersion is the TRP version we send and answer with.
const APIVersion = "3.1.0"

// maxResponse bounds a peer's answer.
const maxResponse = 1 << 20

// StatusError is a peer's HTTP answer outside 2xx. Its text is the status only: a peer's error
// body may repeat what we sent, which can be personal data.
type StatusError struct {
	Code int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("the peer answered %d %s", e.Code, http.StatusText(e.Code))
}

// retryable reports whether a later attempt may succeed: timeouts, throttling, server errors.
func (e *StatusError) retryable() bool {
	return e.Code == http.StatusRequestTimeout || e.Code == http.StatusTooEarly || e.Code == http.StatusTooManyRequests ||
		e.Code >= 500
}

// client posts TRP messages. It keeps two transports: one that refuses internal addresses and
// one, for counterparties configured with allow_private, that does not; a connection made for
// one counterparty is never reused for another with a stricter rule.
type client struct {
	guarded, open *http.Client
	userAgent     string
}

func newClient(tlsConf *tls.Config, timeout time.Duration, r Resolver, userAgent string) *client {
	mk := func(allow bool) *http.Client {
		d := newGuardedDialer(allow, r)
		var tc *tls.Config
		if tlsConf != nil {
			tc = tlsConf.Clone()
		}
		return &http.Client{
			Timeout: timeout,
			Transport: &http.Transport{DialContext: d.DialContext, TLSClientConfig: tc, ForceAttemptHTTP2: true,
				MaxIdleConns: 256, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second},
			// TRP endpoints answer in place; a redirect is not followed (it could point anywhere).
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &client{guarded: mk(false), open: mk(true), userAgent: userAgent}
}

// closeIdle drops kept-alive connections (tests restart peers on the same port).
func (c *client) closeIdle() {
	c.guarded.CloseIdleConnections()
	c.open.CloseIdleConnections()
}

// reply is a peer's 2xx answer.
type reply struct {
	Status int
	Body   []byte
	JSON   bool
}

// post sends one TRP message. A transport failure or a retryable status is returned as is
// (the job retries it); any other refusal is a *route.Permanent.
func (c *client) post(ctx context.Context, allowPrivate bool, target, apiVersion, requestID string, body []byte) (*reply, error) {
	if apiVersion == "" {
		apiVersion = APIVersion
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, &route.Permanent{Err: fmt.Errorf("trp: bad peer URL: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(HeaderAPIVersion, apiVersion)
	req.Header.Set(HeaderRequestIdentifier, requestID)
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	hc := c.guarded
	if allowPrivate {
		hc = c.open
	}
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, ErrPrivateAddress) {
			return nil, &route.Permanent{Err: err}
		}
		return nil, fmt.Errorf("trp: post: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("trp: read answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &StatusError{Code: resp.StatusCode}
		if se.retryable() {
			return nil, se
		}
		return nil, &route.Permanent{Err: se}
	}
	if len(data) > maxResponse {
		return nil, &route.Permanent{Err: errors.New("trp: the peer's answer is too large")}
	}
	r := &reply{Status: resp.StatusCode, Body: data}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
		r.JSON = mt == "application/json" || strings.HasSuffix(mt, "+json")
	} else {
		r.JSON = len(bytes.TrimSpace(data)) > 0 && bytes.TrimSpace(data)[0] == '{'
	}
	return r, nil
}
