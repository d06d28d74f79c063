package config

import (
	"fmt"
	"time"
)

// Web configures the dashboard for compliance officers (served under /ui/).
type Web struct {
	// Enabled mounts the dashboard.
	Enabled bool `koanf:"enabled"`
	// SessionIdle ends a session nobody used for this long; SessionMax ends any session this
	// long after sign-in.
	SessionIdle time.Duration `koanf:"session_idle"`
	SessionMax  time.Duration `koanf:"session_max"`
	// MaxFailures wrong passwords within Lockout lock the account for Lockout.
	MaxFailures int           `koanf:"max_failures"`
	Lockout     time.Duration `koanf:"lockout"`
	// SecureCookies marks cookies Secure even when the request did not arrive over TLS (behind a
	// TLS-terminating proxy). Requests over TLS always get Secure cookies.
	SecureCookies bool `koanf:"secure_cookies"`
	// PasswordMemoryKiB and PasswordIterations are the argon2id cost of new password hashes.
	PasswordMemoryKiB  int `koanf:"password_memory_kib"`
	PasswordIterations int `koanf:"password_iterations"`
	// Refresh is how often the inbox and the navigation counts refresh themselves.
	Refresh time.Duration `koanf:"refresh"`
}

// defaultWeb is the dashboard's part of Default: on, sessions of at most 12 hours ending after
// an idle hour, five failures lock an account for 15 minutes, argon2id at OWASP's minimum
// (19 MiB, 2 passes), the inbox refreshing every 10 seconds.
func defaultWeb() Web {
	return Web{Enabled: true, SessionIdle: time.Hour, SessionMax: 12 * time.Hour, MaxFailures: 5,
		Lockout: 15 * time.Minute, PasswordMemoryKiB: 19 * 1024, PasswordIterations: 2, Refresh: 10 * time.Second}
}

func (w Web) validate() []string {
	var p []string
	if w.SessionIdle < time.Minute || w.SessionMax < w.SessionIdle {
		p = append(p, "web.session_idle must be at least 1m and web.session_max at least web.session_idle")
	}
	if w.MaxFailures < 1 || w.MaxFailures > 100 {
		p = append(p, "web.max_failures must be between 1 and 100")
	}
	if w.Lockout < time.Second {
		p = append(p, "web.lockout must be at least 1s")
	}
	if w.PasswordMemoryKiB < 8 || w.PasswordMemoryKiB > 4<<20 {
		p = append(p, fmt.Sprintf("web.password_memory_kib must be between 8 and %d", 4<<20))
	}
	if w.PasswordIterations < 1 || w.PasswordIterations > 100 {
		p = append(p, "web.password_iterations must be between 1 and 100")
	}
	if w.Refresh < time.Second {
		p = append(p, "web.refresh must be at least 1s")
	}
	return p
}
