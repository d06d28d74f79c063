package web_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/web"
)

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := web.HashPassword("a long enough secret", cheap, rand.Reader)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$"), h)
	require.True(t, web.VerifyPassword(h, "a long enough secret"))
	require.False(t, web.VerifyPassword(h, "a long enough secreT"))
	h2, err := web.HashPassword("a long enough secret", cheap, rand.Reader)
	require.NoError(t, err)
	require.NotEqual(t, h, h2, "every hash has its own salt")
	parts := strings.Split(h, "$")
	for name, bad := range map[string]string{
		"empty":          "",
		"bcrypt":         "$2a$10$abcdefghijklmnopqrstuv",
		"other version":  strings.Replace(h, "v=19", "v=16", 1),
		"huge memory":    strings.Replace(h, "m=64", "m=99999999", 1),
		"zero time":      strings.Replace(h, "t=1", "t=0", 1),
		"bad salt":       strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"),
		"short key":      strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"missing fields": "$argon2id$v=19$m=64,t=1,p=1",
	} {
		require.False(t, web.VerifyPassword(bad, "a long enough secret"), name)
	}
	require.Error(t, web.CheckPassword("short"))
	require.Error(t, web.CheckPassword(strings.Repeat("x", 300)))
	require.NoError(t, web.CheckPassword("twelve chars"))
}

// Wrong passwords lock an address after the limit, even the right password is refused while it
// is locked, and the lock ends with time or an admin.
func TestLockout(t *testing.T) {
	t.Parallel()
	d := nodetest.SQLite // the store is covered on both databases by storetest.RunWeb
	n := heldNode(t, d)
	addUser(t, n, n.Alpha.VASP.ID, "olga@alpha.example", "Olga Officer", store.RoleOfficer)
	addUser(t, n, n.Alpha.VASP.ID, "ada@alpha.example", "Ada Admin", store.RoleAdmin)
	s := newSession(t, n)
	try := func(email, pw string) response {
		return s.post("/ui/login", url.Values{"email": {email}, "password": {pw}})
	}
	for i := 1; i < 5; i++ {
		res := try("olga@alpha.example", "wrong password "+string(rune('a'+i)))
		require.Equal(t, http.StatusUnauthorized, res.status, "attempt %d", i)
		require.Contains(t, res.body, "Wrong e-mail address or password.")
	}
	res := try("OLGA@alpha.example ", "wrong again")
	require.Equal(t, http.StatusTooManyRequests, res.status, "the fifth failure locks (addresses are case-folded)")
	require.Contains(t, res.body, "locked for 15 minute(s)")
	res = try("olga@alpha.example", password)
	require.Equal(t, http.StatusTooManyRequests, res.status, "locked: even the right password is refused")
	require.Empty(t, s.c.Jar.Cookies(mustURL(t, n.URL+"/ui/")), "no session cookie")

	// An admin sees the lock and lifts it.
	as := signIn(t, n, "ada@alpha.example")
	users := as.get("/ui/users")
	require.Contains(t, users.body, "<strong>locked</strong>")
	u, err := n.Node.Store.Read().GetUserByEmail(context.Background(), "olga@alpha.example")
	require.NoError(t, err)
	_, page := as.follow("/ui/users/"+u.ID, url.Values{"op": {"unlock"}})
	require.Contains(t, page.body, "Sign-in unlocked.")
	require.Equal(t, http.StatusSeeOther, try("olga@alpha.example", password).status)

	// Unknown addresses lock too (nothing tells them apart), and a lock ends by itself.
	for i := 0; i < 5; i++ {
		try("nobody@alpha.example", "whatever it is")
	}
	require.Equal(t, http.StatusTooManyRequests, try("nobody@alpha.example", "whatever it is").status)
	for i := 0; i < 5; i++ {
		try("olga@alpha.example", "wrong password")
	}
	require.Equal(t, http.StatusTooManyRequests, try("olga@alpha.example", password).status)
	n.Clock.Advance(16 * time.Minute)
	require.Equal(t, http.StatusSeeOther, try("olga@alpha.example", password).status)
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

// Sessions end on sign-out, when idle, at their maximum age, when the user is disabled and
// when the password changes elsewhere; cookies are HttpOnly and SameSite.
func TestSessions(t *testing.T) {
	t.Parallel()
	d := nodetest.SQLite // the store is covered on both databases by storetest.RunWeb
	n := heldNode(t, d)
	addUser(t, n, n.Alpha.VASP.ID, "olga@alpha.example", "Olga Officer", store.RoleOfficer)
	admin := signInAs(t, n, n.Alpha.VASP.ID, "ada@alpha.example", store.RoleAdmin)

	s := newSession(t, n)
	res := s.post("/ui/login", url.Values{"email": {"olga@alpha.example"}, "password": {password}})
	require.Equal(t, http.StatusSeeOther, res.status)
	ck := res.header.Get("Set-Cookie")
	require.Contains(t, ck, "waybill_session=")
	require.Contains(t, ck, "HttpOnly")
	require.Contains(t, ck, "SameSite=Lax")
	require.Contains(t, ck, "Path=/ui/")
	require.NotContains(t, ck, "Secure", "plain HTTP without secure_cookies")
	require.Equal(t, http.StatusOK, s.get("/ui/inbox").status)

	// Sign-out ends the session on the server too.
	stolen := s.c.Jar.Cookies(mustURL(t, n.URL+"/ui/"))
	_, after := s.follow("/ui/logout", nil)
	require.Contains(t, after.body, `action="/ui/login"`)
	replay := newSession(t, n)
	replay.c.Jar.SetCookies(mustURL(t, n.URL+"/ui/"), stolen)
	require.Equal(t, http.StatusSeeOther, replay.get("/ui/inbox").status)

	// Idle for an hour: signed out. Polls do not keep a session alive.
	s = signIn(t, n, "olga@alpha.example")
	n.Clock.Advance(50 * time.Minute)
	require.Equal(t, http.StatusOK, s.get("/ui/nav/count?poll=1").status)
	n.Clock.Advance(11 * time.Minute)
	require.Equal(t, http.StatusSeeOther, s.get("/ui/inbox").status)

	// Used now and then, it lasts until its maximum age (12 hours).
	s = signIn(t, n, "olga@alpha.example")
	for i := 0; i < 23; i++ {
		n.Clock.Advance(30 * time.Minute)
		require.Equal(t, http.StatusOK, s.get("/ui/inbox").status, "after %d half hours", i+1)
	}
	n.Clock.Advance(31 * time.Minute)
	require.Equal(t, http.StatusSeeOther, s.get("/ui/inbox").status)

	// Disabling a user ends their sessions at once.
	admin = signIn(t, n, "ada@alpha.example")
	s = signIn(t, n, "olga@alpha.example")
	u, err := n.Node.Store.Read().GetUserByEmail(context.Background(), "olga@alpha.example")
	require.NoError(t, err)
	_, page := admin.follow("/ui/users/"+u.ID, url.Values{"op": {"disable"}})
	require.Contains(t, page.body, "User saved.")
	require.Equal(t, http.StatusSeeOther, s.get("/ui/inbox").status)
	res = newSession(t, n).post("/ui/login", url.Values{"email": {"olga@alpha.example"}, "password": {password}})
	require.Equal(t, http.StatusUnauthorized, res.status, "a disabled user cannot sign in")
	admin.follow("/ui/users/"+u.ID, url.Values{"op": {"enable"}})

	// Changing one's password keeps this session and ends the others.
	s1, s2 := signIn(t, n, "olga@alpha.example"), signIn(t, n, "olga@alpha.example")
	s1.get("/ui/account")
	_, page = s1.follow("/ui/account/password", url.Values{"current": {password}, "password": {"a new long password"}, "repeat": {"a new long password"}})
	require.Contains(t, page.body, "Password changed")
	require.Equal(t, http.StatusOK, s1.get("/ui/inbox").status)
	require.Equal(t, http.StatusSeeOther, s2.get("/ui/inbox").status)
	_, page = s1.follow("/ui/account/password", url.Values{"current": {"not it at all"}, "password": {"another long one"}, "repeat": {"another long one"}})
	require.Contains(t, page.body, "the current password is wrong")
}

// signInAs creates a user and signs in.
func signInAs(t *testing.T, n *nodetest.Node, vaspID, email, role string) *session {
	addUser(t, n, vaspID, email, strings.Split(email, "@")[0], role)
	return signIn(t, n, email)
}

// An operator works across VASPs with the switcher; a VASP's users cannot.
func TestOperatorSwitch(t *testing.T) {
	t.Parallel()
	d := nodetest.SQLite // the store is covered on both databases by storetest.RunWeb
	n := heldNode(t, d)
	tr := withdrawal(t, n, "wd-op-1")
	op := signInAs(t, n, "", "otto@node.example", store.RoleOperator)
	page := op.get("/ui/inbox")
	require.Contains(t, page.body, `id="vasp-switch"`)
	require.Contains(t, page.body, "Beta Exchange SAS")
	_, page = op.follow("/ui/vasp", url.Values{"vasp_id": {n.Alpha.VASP.ID}})
	require.Contains(t, page.body, "Now working on Alpha Exchange GmbH.")
	require.Contains(t, page.body, `data-id="`+tr.ID+`"`)
	_, page = op.follow("/ui/vasp", url.Values{"vasp_id": {n.Beta.VASP.ID}})
	require.NotContains(t, page.body, `data-id="`+tr.ID+`"`)
	require.Equal(t, http.StatusNotFound, op.get("/ui/transfers/"+tr.ID).status, "Alpha's transfer is not Beta's")
	require.Equal(t, http.StatusNotFound, op.post("/ui/vasp", url.Values{"vasp_id": {"nope"}}).status)

	officer := signInAs(t, n, n.Alpha.VASP.ID, "olga@alpha.example", store.RoleOfficer)
	require.NotContains(t, officer.get("/ui/inbox").body, `id="vasp-switch"`)
}
