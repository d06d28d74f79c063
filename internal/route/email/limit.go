package email

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter bounds, per client IP, how often the sensitive pages (opening a link, trying or
// requesting a code) are used: a token bucket per address. It is a best effort of one process
// (replicas each keep their own); the per-link counters in the database are the real limits.
type limiter struct {
	every time.Duration
	burst int
	clock func() time.Time
	mu    sync.Mutex
	m     map[string]*rate.Limiter
}

// maxTracked bounds the addresses remembered; past it the table starts afresh.
const maxTracked = 10000

func newLimiter(every time.Duration, burst int, clock func() time.Time) *limiter {
	return &limiter{every: every, burst: burst, clock: clock, m: map[string]*rate.Limiter{}}
}

// allow reports whether the client of r may go on.
func (l *limiter) allow(r *http.Request) bool {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.m[ip]
	if lim == nil {
		if len(l.m) >= maxTracked {
			l.m = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.m[ip] = lim
	}
	return lim.AllowN(l.clock(), 1)
}
