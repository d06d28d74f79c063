package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/vasp"
)

// PasswordParams are the argon2id costs of a password hash (RFC 9106). Each hash records its
// own, so raising them affects new hashes only.
type PasswordParams struct {
	MemoryKiB  uint32
	Iterations uint32
	Threads    uint8
}

// DefaultPasswordParams are OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
func DefaultPasswordParams() PasswordParams {
	return PasswordParams{MemoryKiB: 19 * 1024, Iterations: 2, Threads: 1}
}

// Password length bounds.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// CheckPassword says what is wrong with a new password, or nil.
func CheckPassword(pw string) error {
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLength:
		return fmt.Errorf("a password needs at least %d characters", MinPasswordLength)
	case len(pw) > MaxPasswordLength:
		return fmt.Errorf("a password has at most %d bytes", MaxPasswordLength)
	}
	return nil
}

// HashPassword returns the argon2id hash of password in PHC string form
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
func HashPassword(password string, p PasswordParams, rand io.Reader) (string, error) {
	if p.MemoryKiB < 8 || p.Iterations < 1 || p.Threads < 1 {
		return "", errors.New("argon2id parameters out of range")
	}
	salt := make([]byte, 16)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.MemoryKiB, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Iterations, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches hash. A malformed hash, or one whose costs are
// beyond sane bounds, never matches.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false
	}
	var m, t, p uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || n != 3 {
		return false
	}
	if m < 8 || m > 4<<20 || t < 1 || t > 100 || p < 1 || p > 64 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, uint8(p), uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Cookie names.
const (
	sessionCookie = "waybill_session"
	flashCookie   = "waybill_flash"
)

func sessionID(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

// csrfToken is the token forms carry: derived from the session token, which only the browser
// holding the cookie knows.
func csrfToken(token string) string {
	s := sha256.Sum256([]byte("waybill-csrf/" + token))
	return hex.EncodeToString(s[:16])
}

func (c *call) validCSRF() bool {
	got := c.r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = c.r.PostFormValue("csrf")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(c.csrf)) == 1
}

func (h *Handler) secure(r *http.Request) bool { return r.TLS != nil || h.cfg.SecureCookies }

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: Prefix, MaxAge: maxAge, HttpOnly: true,
		Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
}

// authenticate returns the request's signed-in call, or nil when there is no valid session.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (*call, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return nil, nil
	}
	ctx := r.Context()
	now := h.now()
	id := sessionID(ck.Value)
	sess, err := h.st.Read().GetSession(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= h.cfg.SessionIdle {
		return nil, h.st.InTx(ctx, func(tx store.Tx) error { return tx.DeleteSession(ctx, id) })
	}
	u, err := h.st.Read().GetUser(ctx, sess.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, nil
	}
	c := &call{h: h, w: w, r: r, user: u, sess: sess, csrf: csrfToken(ck.Value)}
	vaspID := u.VASPID
	if u.Role == store.RoleOperator {
		vaspID = sess.VASPID
	}
	if vaspID != "" {
		v, err := h.st.Read().GetVASP(ctx, vaspID)
		switch {
		case err == nil:
			c.vasp = v
		case !errors.Is(err, store.ErrNotFound) || u.Role != store.RoleOperator:
			return nil, err
		}
	}
	if c.vasp == nil && u.Role == store.RoleOperator {
		vs, err := h.st.Read().ListVASPs(ctx)
		if err != nil {
			return nil, err
		}
		if len(vs) > 0 {
			c.vasp = &vs[0]
		}
	}
	// Polls (the inbox refreshing itself) do not keep a session alive; people do.
	if r.URL.Query().Get("poll") == "" && now.Sub(sess.LastSeenAt) >= time.Minute {
		sess.LastSeenAt = now
		if err := h.st.InTx(ctx, func(tx store.Tx) error { return tx.UpdateSession(ctx, sess) }); err != nil &&
			!errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return c, nil
}

// loginView is the data of the sign-in page.
type loginView struct {
	Email  string
	Next   string
	Error  string
	Locked bool
}

// safeNext keeps a post-sign-in redirect on the dashboard.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return Prefix
	}
	return next
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	if c, err := h.authenticate(w, r); err == nil && c != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	h.write(w, r, http.StatusOK, "login", "bare", loginView{Next: safeNext(r.URL.Query().Get("next"))})
}

// login signs a person in. Every failure for an e-mail address (known or not) counts; after
// MaxFailures within Lockout the address is locked for Lockout, and while it is locked no
// password is even checked.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	v := loginView{Email: email, Next: safeNext(r.PostFormValue("next"))}
	refuse := func(status int, msg string) {
		v.Error = msg
		h.write(w, r, status, "login", "bare", v)
	}
	if email == "" || len(email) > 254 || password == "" || len(password) > MaxPasswordLength {
		refuse(http.StatusUnauthorized, "Wrong e-mail address or password.")
		return
	}
	now := h.now()
	until, err := h.st.Read().SignInLockedUntil(ctx, email)
	if err != nil {
		h.log.Error("web sign-in", "request_id", requestID(w), "err", err)
		h.renderError(w, r, http.StatusInternalServerError, "")
		return
	}
	if now.Before(until) {
		v.Locked = true
		refuse(http.StatusTooManyRequests, lockedMessage(until.Sub(now)))
		return
	}
	u, err := h.st.Read().GetUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.log.Error("web sign-in", "request_id", requestID(w), "err", err)
		h.renderError(w, r, http.StatusInternalServerError, "")
		return
	}
	hash := h.dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok := VerifyPassword(hash, password) && u != nil && !u.Disabled
	if !ok {
		var locked bool
		err := h.st.InTx(ctx, func(tx store.Tx) error {
			n, err := tx.RecordSignInFailure(ctx, email, now, now.Add(-h.cfg.Lockout))
			if err != nil || n < h.cfg.MaxFailures {
				return err
			}
			locked = true
			return tx.LockSignIn(ctx, email, now.Add(h.cfg.Lockout))
		})
		if err != nil {
			h.log.Error("web sign-in", "request_id", requestID(w), "err", err)
			h.renderError(w, r, http.StatusInternalServerError, "")
			return
		}
		if locked {
			h.log.Warn("web sign-in locked", "request_id", requestID(w), "failures", h.cfg.MaxFailures)
			v.Locked = true
			refuse(http.StatusTooManyRequests, lockedMessage(h.cfg.Lockout))
			return
		}
		refuse(http.StatusUnauthorized, "Wrong e-mail address or password.")
		return
	}
	token, err := h.newToken()
	if err != nil {
		h.renderError(w, r, http.StatusInternalServerError, "")
		return
	}
	sess := &store.Session{ID: sessionID(token), UserID: u.ID, VASPID: u.VASPID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(h.cfg.SessionMax)}
	err = h.st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.ClearSignInFailures(ctx, email); err != nil {
			return err
		}
		if _, err := tx.DeleteExpiredSessions(ctx, now, now.Add(-h.cfg.SessionIdle)); err != nil {
			return err
		}
		u.LastLoginAt = &now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return tx.CreateSession(ctx, sess)
	})
	if err != nil {
		h.log.Error("web sign-in", "request_id", requestID(w), "err", err)
		h.renderError(w, r, http.StatusInternalServerError, "")
		return
	}
	h.log.Info("web sign-in", "request_id", requestID(w), "user_id", u.ID)
	h.setCookie(w, r, sessionCookie, token, int(h.cfg.SessionMax.Seconds()))
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func lockedMessage(d time.Duration) string {
	mins := int((d + time.Minute - 1) / time.Minute)
	return fmt.Sprintf("Too many failed sign-ins: this account is locked for %d minute(s). An administrator can unlock it.", max(mins, 1))
}

func (h *Handler) newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(h.rand, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (h *Handler) logout(c *call) error {
	if err := h.st.InTx(c.ctx(), func(tx store.Tx) error { return tx.DeleteSession(c.ctx(), c.sess.ID) }); err != nil {
		return err
	}
	h.setCookie(c.w, c.r, sessionCookie, "", -1)
	http.Redirect(c.w, c.r, Prefix+"login", http.StatusSeeOther)
	return nil
}

// switchVASP changes the VASP an operator works on.
func (h *Handler) switchVASP(c *call) error {
	id := c.r.PostFormValue("vasp_id")
	v, err := h.st.Read().GetVASP(c.ctx(), id)
	if err != nil {
		return err
	}
	c.sess.VASPID = v.ID
	if err := h.st.InTx(c.ctx(), func(tx store.Tx) error { return tx.UpdateSession(c.ctx(), c.sess) }); err != nil {
		return err
	}
	return c.done(nil, Prefix+"inbox", "Now working on "+v.Name+".")
}

// flash is a one-time message for the next page.
type flash struct {
	Kind string // ok or error
	Msg  string
}

func (c *call) setFlash(kind, msg string) {
	if len(msg) > 600 {
		msg = msg[:600] + "…"
	}
	c.h.setCookie(c.w, c.r, flashCookie, url.QueryEscape(kind+":"+msg), 60)
}

func (c *call) takeFlash() *flash {
	ck, err := c.r.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	c.h.setCookie(c.w, c.r, flashCookie, "", -1)
	raw, err := url.QueryUnescape(ck.Value)
	if err != nil {
		return nil
	}
	kind, msg, ok := strings.Cut(raw, ":")
	if !ok || (kind != "ok" && kind != "error") {
		return nil
	}
	return &flash{Kind: kind, Msg: msg}
}

// vasps lists the VASPs an operator can switch between (nil for everyone else).
func (c *call) vasps() []vasp.VASP {
	if c.user.Role != store.RoleOperator {
		return nil
	}
	vs, err := c.h.st.Read().ListVASPs(c.ctx())
	if err != nil {
		return nil
	}
	return vs
}
