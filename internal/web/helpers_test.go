package web_test

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
	"github.com/waybill/waybill/internal/web"
)

// Identity data of the test transfers: no page but the transfer's own may show it to a user of
// another VASP, and no URL or error message may carry it.
const (
	originatorFamily = "Schmidt-Krügerová"
	originatorGiven  = "Annelise"
	beneficiaryName  = "Dupontel"
	passportNumber   = "L01X00T47"
)

const originatorJSON = `{
  "originatorPersons": [{"naturalPerson": {
    "name": {"nameIdentifier": [{"primaryIdentifier": "` + originatorFamily + `", "secondaryIdentifier": "` + originatorGiven + `", "nameIdentifierType": "LEGL"}]},
    "geographicAddress": [{"addressType": "HOME", "streetName": "Friedrichstraße", "buildingNumber": "12", "postCode": "10117", "townName": "Berlin", "country": "DE"}],
    "nationalIdentification": {"nationalIdentifier": "` + passportNumber + `", "nationalIdentifierType": "CCPT", "countryOfIssue": "DE"},
    "dateAndPlaceOfBirth": {"dateOfBirth": "1985-04-12", "placeOfBirth": "Hamburg"},
    "countryOfResidence": "DE"
  }}],
  "accountNumber": ["0x52908400098527886E0F7030069857D2E4169EE7"]
}`

const beneficiaryJSON = `{
  "beneficiaryPersons": [{"naturalPerson": {
    "name": {"nameIdentifier": [{"primaryIdentifier": "` + beneficiaryName + `", "secondaryIdentifier": "Bruno", "nameIdentifierType": "LEGL"}]}
  }}],
  "accountNumber": ["0xde709f2102306220921060314715629080e2fb77"]
}`

const (
	alphaETH = "0x52908400098527886E0F7030069857D2E4169EE7"
	betaETH  = "0xde709f2102306220921060314715629080e2fb77"
)

// cheap are argon2id costs for test users: the hash records them, so signing in stays fast.
var cheap = web.PasswordParams{MemoryKiB: 64, Iterations: 1, Threads: 1}

const password = "correct horse battery"

// heldNode starts a node whose VASPs hold every transfer for review (both directions).
func heldNode(t testing.TB, d nodetest.Driver) *nodetest.Node {
	s := vasp.DefaultSettings()
	s.OutgoingAction, s.IncomingAction = vasp.ActionReview, vasp.ActionReview
	return nodetest.StartOn(t, d, nodetest.Options{Settings: &s})
}

// addUser creates a dashboard user of vaspID (empty for an operator) with the test password.
func addUser(t testing.TB, n *nodetest.Node, vaspID, email, name, role string) *store.User {
	t.Helper()
	hash, err := web.HashPassword(password, cheap, rand.Reader)
	require.NoError(t, err)
	u, err := n.Node.Engine.CreateUser(context.Background(), audit.Actor{Type: audit.ActorSystem, ID: "test"},
		engine.NewUser{VASPID: vaspID, Email: email, Name: name, Role: role, PasswordHash: hash})
	require.NoError(t, err)
	return u
}

// withdrawal creates an Alpha withdrawal to Beta's address; the node's settings decide its fate.
func withdrawal(t testing.TB, n *nodetest.Node, ref string) *transfer.Transfer {
	t.Helper()
	o, err := ivms.DecodeOriginator([]byte(originatorJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	b, err := ivms.DecodeBeneficiary([]byte(beneficiaryJSON), ivms.DecodeOptions{})
	require.NoError(t, err)
	tr, _, err := n.Node.Engine.Create(context.Background(), audit.Actor{Type: audit.ActorAPIKey, ID: "test", Name: "test backend"},
		n.Alpha.VASP.ID, engine.CreateInput{Ref: ref, Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"},
			Amount: decimal.RequireFromString("1.5"), OriginAddress: alphaETH, DestinationAddress: betaETH, Originator: o, Beneficiary: b})
	require.NoError(t, err)
	return tr
}

// session is a signed-in browser without JavaScript: a cookie jar, forms posted as forms.
type session struct {
	t    testing.TB
	base string
	c    *http.Client
	csrf string
}

func newSession(t testing.TB, n *nodetest.Node) *session {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &session{t: t, base: n.URL, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn signs in and returns the session, failing the test when sign-in fails.
func signIn(t testing.TB, n *nodetest.Node, email string) *session {
	t.Helper()
	s := newSession(t, n)
	res := s.post("/ui/login", url.Values{"email": {email}, "password": {password}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	res = s.get("/ui/inbox")
	require.Equal(t, http.StatusOK, res.status, res.body)
	return s
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func (s *session) do(req *http.Request) response {
	s.t.Helper()
	resp, err := s.c.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	r := response{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"), header: resp.Header}
	if m := csrfRe.FindStringSubmatch(r.body); m != nil {
		s.csrf = m[1]
	}
	return r
}

func (s *session) get(path string) response {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	require.NoError(s.t, err)
	return s.do(req)
}

// post sends a form with the session's CSRF token (unless the form sets its own).
func (s *session) post(path string, form url.Values) response {
	s.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && s.csrf != "" {
		form.Set("csrf", s.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(form.Encode()))
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(req)
}

// follow posts a form and loads the page it redirects to, returning both.
func (s *session) follow(path string, form url.Values) (response, response) {
	s.t.Helper()
	first := s.post(path, form)
	require.Equal(s.t, http.StatusSeeOther, first.status, first.body)
	return first, s.get(strings.TrimPrefix(first.location, s.base))
}
