package email

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/waybill/waybill/internal/route"
)

// BenchmarkInvite measures sending one invitation: the link written (SQLite), the e-mail
// rendered and delivered over SMTP to a server in process.
//
//	go test ./internal/route/email -run '^$' -bench Invite -count 5
func BenchmarkInvite(b *testing.B) {
	h := newHarness(b, nil)
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = fmt.Sprintf("b%d", i)
		h.store(ids[i])
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := h.send(ids[i], route.KindInquiry); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExchange measures a counterparty's whole visit over HTTP: the landing page,
// opening the link (with its code e-mailed), the code, the address step, the identity page and
// the acceptance, on SQLite with the engine stood in for.
//
//	go test ./internal/route/email -run '^$' -bench Exchange -count 5
func BenchmarkExchange(b *testing.B) {
	h := newHarness(b, func(c *Config) { c.OpenBurst = 1 << 30; c.OpenRate = time.Nanosecond })
	links := make([]string, b.N)
	for i := range links {
		id := fmt.Sprintf("x%d", i)
		msg := h.transfer(id, route.KindInquiry)
		links[i] = h.link(msg)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := h.visitor()
		page := v.open(links[i])
		msg := fmt.Sprintf("msg-x%d", i)
		v.post(page+"code", url.Values{"code": {h.code(msg, 1)}}).expect(http.StatusOK, "Confirm the destination address")
		v.post(page+"address", url.Values{"answer": {"confirm"}}).expect(http.StatusOK, "Review and answer")
		v.post(page+"decision", url.Values{"decision": {"accept"}}).expect(http.StatusOK, "Accepted")
	}
}
