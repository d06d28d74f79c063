// Package client is a Go client of waybill's JSON API: every /v1 operation (with a VASP's key)
// and every /admin/v1 operation (with the administrator's key), typed with waybill's own
// engine, store and transfer types. Non-2xx answers are *Error values carrying the RFC 9457
// problem document. A Client is safe for concurrent use and shares one keep-alive HTTP client;
// it keeps no other state and never retries on its own.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls one waybill node with one API key.
type Client struct {
	base string
	auth string
	hc   *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client use hc (for timeouts, transports, tests).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// NewHTTPClient returns an HTTP client tuned for many concurrent calls to one node: keep-alive
// with enough idle connections per host, and a timeout.
func NewHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment, MaxIdleConns: 512, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second,
		ForceAttemptHTTP2: false,
	}}
}

// New returns a client of the node at baseURL (e.g. http://localhost:8080) using apiKey.
func New(baseURL, apiKey string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), auth: "Bearer " + apiKey}
	for _, o := range opts {
		o(c)
	}
	if c.hc == nil {
		c.hc = NewHTTPClient(30 * time.Second)
	}
	return c
}

// WithKey returns a client of the same node and HTTP client with another API key.
func (c *Client) WithKey(apiKey string) *Client {
	return &Client{base: c.base, auth: "Bearer " + apiKey, hc: c.hc}
}

// BaseURL returns the node's base URL.
func (c *Client) BaseURL() string { return c.base }

// Problem is an RFC 9457 problem document as waybill writes it.
type Problem struct {
	Type      string         `json:"type,omitempty"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	Errors    []ProblemError `json:"errors,omitempty"`
}

// ProblemError names one problem with one part of a request.
type ProblemError struct {
	Location string `json:"location"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message"`
}

// Error is a non-2xx answer.
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Problem is the decoded problem document (Title and Status at least).
	Problem Problem
	// Body is the raw body, for tests and diagnostics.
	Body []byte
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "waybill: %d %s", e.StatusCode, e.Problem.Title)
	if e.Problem.Detail != "" {
		b.WriteString(": " + e.Problem.Detail)
	}
	for _, fe := range e.Problem.Errors {
		b.WriteString("; " + fe.Location + ": " + fe.Message)
	}
	return b.String()
}

// StatusOf returns the HTTP status of an *Error, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// Do sends a raw request (a path under the base URL) and returns the response; the caller
// closes the body. It is the escape hatch for malformed requests in tests.
func (c *Client) Do(ctx context.Context, method, path, contentType string, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", c.auth)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	return c.hc.Do(req)
}

// call sends in (JSON-encoded unless nil) and decodes a 2xx answer into out (unless nil). It
// returns the HTTP status.
func (c *Client) call(ctx context.Context, method, path string, in, out any) (int, error) {
	var body []byte
	ct := ""
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return 0, fmt.Errorf("encode request: %w", err)
		}
		ct = "application/json"
	}
	return c.send(ctx, method, path, ct, body, out)
}

func (c *Client) send(ctx context.Context, method, path, ct string, body []byte, out any) (int, error) {
	resp, err := c.Do(ctx, method, path, ct, body)
	if err != nil {
		return 0, err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		e := &Error{StatusCode: resp.StatusCode, Body: raw}
		if json.Unmarshal(raw, &e.Problem) != nil || e.Problem.Status == 0 {
			e.Problem.Status, e.Problem.Title = resp.StatusCode, http.StatusText(resp.StatusCode)
		}
		return resp.StatusCode, e
	}
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s %s answer: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// Page asks for one page of a list.
type Page struct {
	// Cursor is the next_cursor of the previous page; empty for the first.
	Cursor string
	// Limit is the page size (1 to 500; 0 means the server's default of 50).
	Limit int
}

func (p Page) query(q url.Values) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	if p.Limit > 0 {
		q.Set("limit", fmt.Sprint(p.Limit))
	}
	return q
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func esc(s string) string { return url.PathEscape(s) }
