package email

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

//go:embed templates
var templateFS embed.FS

// The pages. A link (GET /sunrise/open?t=…) shows a landing page whose button (POST) opens it:
// a GET never consumes the link, so mail scanners that fetch links do not burn it. Opening
// binds the link to the browser with a cookie scoped to /sunrise/t/{id}/, where every later
// page lives; each of them re-reads the link and the transfer, so what a page offers always
// follows the transfer's status, whoever moved it.

const (
	cookieName  = "waybill_sunrise"
	maxFormSize = 64 << 10
)

var pageNames = []string{"landing", "message", "code", "address", "decision", "status"}

type pageSet struct {
	t   map[string]*template.Template
	css []byte
}

func parsePages() (*pageSet, error) {
	ps := &pageSet{t: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"field": func(p *page, name, label, typ, hint string) fieldView {
			return fieldView{Name: name, Label: label, Type: typ, Hint: hint, Value: p.Form[name], Error: p.FieldErr[name]}
		},
		"reasons": func(p *page, name string, opts []option) reasonsView {
			return reasonsView{Name: name, Options: opts, Selected: p.Form[name+"_reason"], Details: p.Form[name+"_details"],
				Error: p.FieldErr[name+"_reason"]}
		},
	}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		ps.t[name] = t
	}
	css, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		return nil, err
	}
	ps.css = css
	return ps, nil
}

// fieldView is one input of a form.
type fieldView struct{ Name, Label, Type, Hint, Value, Error string }

// reasonsView is a reason list with its details box.
type reasonsView struct {
	Name     string
	Options  []option
	Selected string
	Details  string
	Error    string
}

// page is what a page template sees.
type page struct {
	Title      string
	VASP       string
	Purpose    string
	Base       string
	CSRF       string
	Token      string
	Masked     string
	Until      string
	Paragraphs []string
	Continue   string
	Notice     string
	Errors     []formError
	FieldErr   map[string]string
	Form       map[string]string

	Tx      *txView
	Parties []partyView
	Status  string

	CodePending  bool
	AttemptsLeft int

	NotReady        bool
	Request         bool
	DeclineReasons  []option
	NotReadyReasons []option
	RejectReasons   []option
	NationalIDTypes []option
}

func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sunrise/open", s.landing)
	mux.HandleFunc("POST /sunrise/open", s.open)
	mux.HandleFunc("GET /sunrise/t/{id}/{$}", s.show)
	mux.HandleFunc("POST /sunrise/t/{id}/code", s.verify)
	mux.HandleFunc("POST /sunrise/t/{id}/resend", s.resend)
	mux.HandleFunc("POST /sunrise/t/{id}/address", s.address)
	mux.HandleFunc("POST /sunrise/t/{id}/decision", s.decide)
	mux.HandleFunc("GET /sunrise/style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(s.pages.css)
	})
	mux.HandleFunc("/sunrise/", func(w http.ResponseWriter, r *http.Request) {
		s.message(w, http.StatusNotFound, "Page not found", "There is nothing here. Open the link from your e-mail.")
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.message(w, http.StatusForbidden, "Request refused", "This form was sent from another site. Use the page itself.")
	}))
	return secure(cop.Handler(mux))
}

// secure sets the headers every page carries: nothing cached or referred (links carry tokens),
// no framing, no scripts, forms only to ourselves.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

func (s *Service) render(w http.ResponseWriter, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := s.pages.t[name].Execute(&buf, p); err != nil {
		s.log.Error("email: page template", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Service) message(w http.ResponseWriter, status int, title string, paragraphs ...string) {
	s.render(w, status, "message", &page{Title: title, Paragraphs: paragraphs})
}

func (s *Service) failed(w http.ResponseWriter, r *http.Request, what string, err error) {
	id := w.Header().Get("X-Request-ID")
	s.log.Error("email: page", "what", what, "request_id", id, "err", err)
	ref := ""
	if id != "" {
		ref = "If it persists, tell the sender this reference: " + id + "."
	}
	s.message(w, http.StatusInternalServerError, "Something went wrong", "The page could not be completed. Try again in a minute.", ref)
}

func (s *Service) redirect(w http.ResponseWriter, r *http.Request, l *store.EmailLink) {
	http.Redirect(w, r, linkBase(l.ID), http.StatusSeeOther)
}

func linkBase(id string) string { return "/sunrise/t/" + url.PathEscape(id) + "/" }

// Messages of the pages that end a visit.
func (s *Service) invalidLink(w http.ResponseWriter) {
	s.message(w, http.StatusNotFound, "This link is not valid",
		"Check that you opened the whole link from the e-mail. Links are replaced when an e-mail is sent again: use the latest one.")
}

func (s *Service) usedLink(w http.ResponseWriter, l *store.EmailLink) {
	s.render(w, http.StatusGone, "message", &page{Title: "This link was already used",
		Paragraphs: []string{"A link opens once, in one browser. If you opened it in this browser, continue where you left off.",
			"If you did not open it, someone else may have: tell the sender."},
		Continue: linkBase(l.ID)})
}

func (s *Service) expiredLink(w http.ResponseWriter) {
	s.message(w, http.StatusGone, "This link has expired",
		"Access ends some time after the link is first opened, and at the latest a few days after it was sent. Ask the sender for a new one if you still need to answer.")
}

func (s *Service) lockedLink(w http.ResponseWriter) {
	s.message(w, http.StatusForbidden, "This link is locked",
		"Too many wrong codes were entered. For your protection the link no longer opens. Ask the sender for a new one.")
}

func (s *Service) closed(w http.ResponseWriter, t *store.Transfer) {
	title := "This request is closed"
	if t.Status == transfer.StatusCancelled {
		title = "This request was cancelled"
	}
	s.message(w, http.StatusGone, title, "The sender no longer needs an answer. Nothing else is required from you.")
}

func (s *Service) ended(l *store.EmailLink) bool {
	now := s.now()
	return !now.Before(l.ExpiresAt) || (l.AccessUntil != nil && !now.Before(*l.AccessUntil))
}

// byToken finds the link a token opens, answering the visitor when it cannot be used. ok is
// false when a page was written.
func (s *Service) byToken(w http.ResponseWriter, r *http.Request, token string) (*store.EmailLink, *store.Transfer, bool) {
	if !wellFormed(token) {
		s.invalidLink(w)
		return nil, nil, false
	}
	l, err := s.st.Read().GetEmailLinkByToken(r.Context(), hashSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		s.invalidLink(w)
		return nil, nil, false
	}
	if err != nil {
		s.failed(w, r, "link by token", err)
		return nil, nil, false
	}
	t, err := s.st.Read().GetTransfer(r.Context(), l.VASPID, l.TransferID)
	if err != nil {
		s.failed(w, r, "transfer of link", err)
		return nil, nil, false
	}
	switch {
	case l.TokenUsedAt != nil:
		s.usedLink(w, l)
	case s.ended(l):
		s.expiredLink(w)
	case t.Status.Final():
		s.closed(w, t)
	default:
		return l, t, true
	}
	return nil, nil, false
}

// landing shows what the link is about and a button that opens it.
func (s *Service) landing(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	l, _, ok := s.byToken(w, r, token)
	if !ok {
		return
	}
	name, err := s.vaspName(r.Context(), l.VASPID)
	if err != nil {
		s.failed(w, r, "vasp", err)
		return
	}
	s.render(w, http.StatusOK, "landing", &page{Title: "Travel Rule request from " + name, VASP: name, Purpose: l.Purpose,
		Token: token, Masked: mask(l.Email), Until: human(s.cfg.LinkLifetime)})
}

// open consumes the link: it binds it to this browser and sends the first code.
func (s *Service) open(w http.ResponseWriter, r *http.Request) {
	if !s.limiter.allow(r) {
		s.message(w, http.StatusTooManyRequests, "Too many attempts", "Wait a minute, then try again.")
		return
	}
	if !parseForm(w, r) {
		s.message(w, http.StatusBadRequest, "The form could not be read", "Open the link from your e-mail again.")
		return
	}
	token := r.PostForm.Get("t")
	l, _, ok := s.byToken(w, r, token)
	if !ok {
		return
	}
	session, err := newSecret(s.cfg.Rand)
	if err != nil {
		s.failed(w, r, "session", err)
		return
	}
	errUsed := errors.New("used")
	now := s.now()
	l, err = s.change(r.Context(), l.ID, func(tx store.Tx, l *store.EmailLink) error {
		if l.TokenUsedAt != nil || l.TokenHash != hashSecret(token) {
			return errUsed
		}
		until := now.Add(s.cfg.LinkLifetime)
		if until.After(l.ExpiresAt) {
			until = l.ExpiresAt
		}
		l.TokenUsedAt, l.OpenedAt, l.AccessUntil, l.SessionHash = &now, &now, &until, hashSecret(session)
		return s.audit(r.Context(), tx, l, peer(l), "email.link_opened", "the link was opened; its single use is spent")
	})
	switch {
	case errors.Is(err, errUsed):
		s.usedLink(w, l)
		return
	case err != nil:
		s.failed(w, r, "open link", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: session, Path: linkBase(l.ID), Expires: *l.AccessUntil,
		MaxAge: int(l.AccessUntil.Sub(now) / time.Second), HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	if _, err := s.issueCode(r.Context(), l); err != nil {
		s.log.Warn("email: first code not sent", "link_id", l.ID, "err", err)
	}
	s.redirect(w, r, l)
}

func peer(l *store.EmailLink) audit.Actor {
	return audit.Actor{Type: audit.ActorPeer, ID: l.CounterpartyID, Name: "compliance contact via e-mail"}
}

// errUnchanged ends a link change that has nothing to write.
var errUnchanged = errors.New("unchanged")

// change applies fn to the current link in one transaction and writes it (compare-and-set on
// its version, retried when another request won). fn may append audit events with tx. When fn
// returns errUnchanged nothing is written and change returns the link as read, with no error.
func (s *Service) change(ctx context.Context, id string, fn func(tx store.Tx, l *store.EmailLink) error) (*store.EmailLink, error) {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var out *store.EmailLink
		err = s.st.InTx(ctx, func(tx store.Tx) error {
			l, err := tx.GetEmailLink(ctx, id)
			if err != nil {
				return err
			}
			out = l
			prev := l.Version
			if err := fn(tx, l); err != nil {
				return err
			}
			l.Version, l.UpdatedAt = prev+1, s.now()
			return tx.UpdateEmailLink(ctx, l, prev)
		})
		switch {
		case errors.Is(err, store.ErrStale):
			continue
		case errors.Is(err, errUnchanged):
			return out, nil
		}
		return out, err
	}
	return nil, err
}

// session loads the link of a /sunrise/t/{id}/ page and checks this browser opened it. ok is
// false when a page was written.
func (s *Service) session(w http.ResponseWriter, r *http.Request) (*store.EmailLink, string, bool) {
	id := r.PathValue("id")
	c, err := r.Cookie(cookieName)
	if len(id) > 64 || err != nil || !wellFormed(c.Value) {
		s.noAccess(w)
		return nil, "", false
	}
	l, err := s.st.Read().GetEmailLink(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.noAccess(w)
		return nil, "", false
	}
	if err != nil {
		s.failed(w, r, "link", err)
		return nil, "", false
	}
	if !sameHash(c.Value, l.SessionHash) {
		s.noAccess(w)
		return nil, "", false
	}
	switch {
	case s.ended(l):
		s.expiredLink(w)
	case l.LockedAt != nil:
		s.lockedLink(w)
	default:
		return l, c.Value, true
	}
	return nil, "", false
}

func (s *Service) noAccess(w http.ResponseWriter) {
	s.message(w, http.StatusForbidden, "This page opens only in the browser that opened the link",
		"Open the link from your e-mail in this browser. A link opens once: if it was already used elsewhere, continue there.")
}

// post checks a form of a /sunrise/t/{id}/ page: size, session and CSRF token.
func (s *Service) post(w http.ResponseWriter, r *http.Request) (*store.EmailLink, string, bool) {
	if !parseForm(w, r) {
		s.message(w, http.StatusBadRequest, "The form could not be read", "Go back to the page and try again.")
		return nil, "", false
	}
	l, session, ok := s.session(w, r)
	if !ok {
		return nil, "", false
	}
	if !validCSRF(session, l.ID, r.PostForm.Get("csrf")) {
		s.message(w, http.StatusForbidden, "Request refused", "The form was not sent from this page. Reload the page and try again.")
		return nil, "", false
	}
	return l, session, true
}

func parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
	return r.ParseForm() == nil
}

func (s *Service) vaspName(ctx context.Context, id string) (string, error) {
	v, err := s.st.Read().GetVASP(ctx, id)
	if err != nil {
		return "", err
	}
	return v.Name, nil
}

// pageFor fills what every /sunrise/t/{id}/ page needs.
func (s *Service) pageFor(ctx context.Context, l *store.EmailLink, session string) (*page, error) {
	name, err := s.vaspName(ctx, l.VASPID)
	if err != nil {
		return nil, err
	}
	p := &page{VASP: name, Purpose: l.Purpose, Base: linkBase(l.ID), CSRF: csrfToken(session, l.ID), Masked: mask(l.Email),
		Request: l.Purpose == store.EmailPurposeRequest}
	if l.AccessUntil != nil {
		p.Until = l.AccessUntil.Format("2 January 2006 15:04 MST")
	}
	return p, nil
}

// confirmed reports whether the visitor confirmed the address (or the transaction): it said so
// on this link, or the transfer's status says so.
func confirmed(l *store.EmailLink, st transfer.Status) bool {
	return l.ConfirmedAt != nil || st == transfer.StatusACK || st == transfer.StatusAccepted || st == transfer.StatusCompleted
}

// show renders the step the exchange is at.
func (s *Service) show(w http.ResponseWriter, r *http.Request) {
	l, session, ok := s.session(w, r)
	if !ok {
		return
	}
	s.step(w, r, l, session, http.StatusOK, nil)
}

// step renders the current step; p, when given, carries a form to show again with its errors.
func (s *Service) step(w http.ResponseWriter, r *http.Request, l *store.EmailLink, session string, status int, again *page) {
	ctx := r.Context()
	p, err := s.pageFor(ctx, l, session)
	if err != nil {
		s.failed(w, r, "page", err)
		return
	}
	if again != nil {
		p.Errors, p.FieldErr, p.Form, p.Notice = again.Errors, again.FieldErr, again.Form, again.Notice
	}
	if l.VerifiedAt == nil {
		p.Title = "Enter the code we sent you"
		p.CodePending = l.CodeHash != "" && l.CodeExpiresAt != nil && s.now().Before(*l.CodeExpiresAt)
		p.AttemptsLeft = s.cfg.CodeAttempts - l.FailedCodes
		s.render(w, status, "code", p)
		return
	}
	st, err := s.st.Read().GetTransfer(ctx, l.VASPID, l.TransferID)
	if err != nil {
		s.failed(w, r, "transfer", err)
		return
	}
	conf := confirmed(l, st.Status)
	switch {
	case st.Status == transfer.StatusSent || (st.Status == transfer.StatusNotReady && !conf):
		t := st.Transfer
		tx := txOf(&t)
		if !p.Request {
			tx.Origin, tx.FiatValue = "", "" // not needed to recognise an address
		}
		p.Tx, p.NotReady = &tx, st.Status == transfer.StatusNotReady
		p.Title = "Confirm the destination address"
		p.RejectReasons = rejectReasons
		if p.Request {
			p.Title, p.RejectReasons = "Confirm the transaction", requestRejectReasons
		}
		s.render(w, status, "address", p)
		return
	case st.Status == transfer.StatusACK || st.Status == transfer.StatusNotReady:
		if err := s.withIdentity(ctx, l, p); err != nil {
			s.failed(w, r, "identity", err)
			return
		}
		p.Title, p.NotReady = "Review and answer", st.Status == transfer.StatusNotReady
		p.DeclineReasons, p.NotReadyReasons, p.NationalIDTypes = declineReasons, notReadyReasons, nationalIDOptions
		if p.Request {
			p.DeclineReasons = requestDeclineReasons
			if p.Form == nil {
				p.Form = map[string]string{"person_type": "natural", "account_number": st.OriginAddress}
			}
		}
		s.render(w, status, "decision", p)
		return
	}
	p.Status = string(st.Status)
	switch st.Status {
	case transfer.StatusAccepted, transfer.StatusCompleted:
		if err := s.withIdentity(ctx, l, p); err != nil {
			s.failed(w, r, "identity", err)
			return
		}
		p.Title = "Accepted"
		if st.Status == transfer.StatusCompleted {
			p.Title = "Completed"
		}
	case transfer.StatusDeclined:
		p.Title = "Declined"
	case transfer.StatusRejected:
		p.Title = "Not your address"
		if p.Request {
			p.Title = "Not your customer's transaction"
		}
	case transfer.StatusCancelled:
		p.Title = "Cancelled"
	default:
		p.Title = "Closed"
	}
	t := st.Transfer
	tx := txOf(&t)
	p.Tx = &tx
	s.render(w, status, "status", p)
}

// withIdentity adds the identity data to a page, recording the first time it is shown.
func (s *Service) withIdentity(ctx context.Context, l *store.EmailLink, p *page) error {
	t, err := s.eng.Get(ctx, l.VASPID, l.TransferID)
	if err != nil {
		return err
	}
	tx := txOf(t)
	p.Tx, p.Parties = &tx, partiesOf(t)
	if l.IdentityShownAt != nil {
		return nil
	}
	now := s.now()
	_, err = s.change(ctx, l.ID, func(tx store.Tx, l *store.EmailLink) error {
		if l.IdentityShownAt != nil {
			return errUnchanged
		}
		l.IdentityShownAt = &now
		return s.audit(ctx, tx, l, peer(l), "email.identity_shown", "identity data was shown after the address was confirmed")
	})
	return err
}

// issueCode sends a new one-time code for l, within the link's limits. problem, when not empty,
// says why no code was sent.
func (s *Service) issueCode(ctx context.Context, l *store.EmailLink) (problem string, err error) {
	code, err := newCode(s.cfg.Rand)
	if err != nil {
		return "", err
	}
	now := s.now()
	hash := hashCode(l.ID, code)
	l, err = s.change(ctx, l.ID, func(tx store.Tx, l *store.EmailLink) error {
		switch {
		case l.VerifiedAt != nil || l.LockedAt != nil:
			problem = "No code is needed now."
		case l.CodesSent >= s.cfg.MaxCodes:
			problem = "No more codes can be sent for this link. Ask the sender for a new link."
		case l.CodeSentAt != nil && now.Before(l.CodeSentAt.Add(s.cfg.ResendAfter)):
			wait := l.CodeSentAt.Add(s.cfg.ResendAfter).Sub(now).Round(time.Second)
			problem = "A code was sent moments ago. Wait " + strconv.Itoa(int(wait/time.Second)) + " seconds before asking for another."
		}
		if problem != "" {
			return errUnchanged
		}
		exp := now.Add(s.cfg.CodeLifetime)
		l.CodeHash, l.CodeExpiresAt, l.CodeSentAt, l.CodesSent = hash, &exp, &now, l.CodesSent+1
		return s.audit(ctx, tx, l, audit.Actor{Type: audit.ActorSystem, ID: "email", Name: "e-mail route"}, "email.code_sent",
			"a one-time code was e-mailed to the link's address")
	})
	if err != nil || problem != "" {
		return problem, err
	}
	name, err := s.vaspName(ctx, l.VASPID)
	if err != nil {
		return "", err
	}
	text, err := renderMail("code", mailData{VASP: name, Reference: l.MessageID, Code: code, Minutes: human(s.cfg.CodeLifetime)})
	if err != nil {
		return "", err
	}
	sendErr := s.mailer.Send(ctx, &Mail{To: l.Email, FromName: name, Subject: "Your one-time code for " + name + "'s Travel Rule request", Text: text})
	if sendErr == nil {
		return "", nil
	}
	// Take the code back so the visitor can ask again at once.
	if _, err := s.change(ctx, l.ID, func(_ store.Tx, l *store.EmailLink) error {
		if l.CodeHash != hash {
			return errUnchanged
		}
		l.CodeHash, l.CodeExpiresAt, l.CodeSentAt, l.CodesSent = "", nil, nil, l.CodesSent-1
		return nil
	}); err != nil {
		s.log.Warn("email: unsent code not taken back", "link_id", l.ID, "err", err)
	}
	return "The code could not be sent. Try again in a minute.", sendErr
}

// verify checks a one-time code.
func (s *Service) verify(w http.ResponseWriter, r *http.Request) {
	l, session, ok := s.post(w, r)
	if !ok {
		return
	}
	if !s.limiter.allow(r) {
		s.message(w, http.StatusTooManyRequests, "Too many attempts", "Wait a minute, then try again.")
		return
	}
	code := normalizeCode(r.PostForm.Get("code"))
	now := s.now()
	var problem string
	locked := false
	l, err := s.change(r.Context(), l.ID, func(tx store.Tx, l *store.EmailLink) error {
		switch {
		case l.VerifiedAt != nil || l.LockedAt != nil:
			return errUnchanged
		case l.CodeHash == "" || l.CodeExpiresAt == nil || !now.Before(*l.CodeExpiresAt):
			problem = "This code has expired. Ask for a new one."
			return errUnchanged
		case code != "" && sameCodeHash(l.ID, code, l.CodeHash):
			l.VerifiedAt, l.CodeHash, l.CodeExpiresAt = &now, "", nil
			return s.audit(r.Context(), tx, l, peer(l), "email.code_verified", "the visitor proved it reads the mailbox the link was sent to")
		}
		l.FailedCodes++
		if l.FailedCodes >= s.cfg.CodeAttempts {
			l.LockedAt, l.CodeHash, l.CodeExpiresAt, locked = &now, "", nil, true
			return s.audit(r.Context(), tx, l, peer(l), "email.link_locked", "too many wrong one-time codes: the link is locked")
		}
		problem = "That code is not right. " + strconv.Itoa(s.cfg.CodeAttempts-l.FailedCodes) + " attempts left."
		return s.audit(r.Context(), tx, l, peer(l), "email.code_failed", "a wrong one-time code was entered")
	})
	switch {
	case err != nil:
		s.failed(w, r, "verify code", err)
	case locked || l.LockedAt != nil:
		s.lockedLink(w)
	case problem != "":
		s.step(w, r, l, session, http.StatusUnprocessableEntity, &page{Errors: []formError{{Field: "code", Message: problem}},
			FieldErr: map[string]string{"code": problem}})
	default:
		s.redirect(w, r, l)
	}
}

func sameCodeHash(linkID, code, stored string) bool {
	return hmacEqual(hashCode(linkID, code), stored)
}

// resend sends another code.
func (s *Service) resend(w http.ResponseWriter, r *http.Request) {
	l, session, ok := s.post(w, r)
	if !ok {
		return
	}
	if !s.limiter.allow(r) {
		s.message(w, http.StatusTooManyRequests, "Too many attempts", "Wait a minute, then try again.")
		return
	}
	if l.VerifiedAt != nil {
		s.redirect(w, r, l)
		return
	}
	problem, err := s.issueCode(r.Context(), l)
	if err != nil {
		s.log.Warn("email: code not sent", "link_id", l.ID, "err", err)
	}
	l, err = s.st.Read().GetEmailLink(r.Context(), l.ID)
	if err != nil {
		s.failed(w, r, "link", err)
		return
	}
	if problem != "" {
		s.step(w, r, l, session, http.StatusTooManyRequests, &page{Errors: []formError{{Message: problem}}})
		return
	}
	s.step(w, r, l, session, http.StatusOK, &page{Notice: "A new code is on its way to " + mask(l.Email) + "."})
}

// address records the answer to the address step.
func (s *Service) address(w http.ResponseWriter, r *http.Request) {
	l, session, ok := s.post(w, r)
	if !ok {
		return
	}
	st, err := s.st.Read().GetTransfer(r.Context(), l.VASPID, l.TransferID)
	if err != nil {
		s.failed(w, r, "transfer", err)
		return
	}
	if l.VerifiedAt == nil || confirmed(l, st.Status) || (st.Status != transfer.StatusSent && st.Status != transfer.StatusNotReady) {
		s.redirect(w, r, l)
		return
	}
	var m route.Message
	switch r.PostForm.Get("answer") {
	case "confirm":
		m = route.Message{Kind: route.KindAddressConfirmation, Confirmed: true}
	case "reject":
		opts := rejectReasons
		if l.Purpose == store.EmailPurposeRequest {
			opts = requestRejectReasons
		}
		reason, ok := reasonFrom(opts, "address_not_controlled", r.PostForm.Get("details"))
		if !ok {
			reason = "address_not_controlled"
		}
		m = route.Message{Kind: route.KindAddressConfirmation, Reason: reason}
	default:
		s.step(w, r, l, session, http.StatusUnprocessableEntity, &page{Errors: []formError{{Message: "Choose an answer."}}})
		return
	}
	var record func(context.Context, store.Tx) error
	if m.Confirmed {
		// The link remembers the confirmation in the transaction that moves the transfer.
		now := s.now()
		record = func(ctx context.Context, tx store.Tx) error {
			cur, err := tx.GetEmailLink(ctx, l.ID)
			if err != nil || cur.ConfirmedAt != nil {
				return err
			}
			prev := cur.Version
			cur.ConfirmedAt, cur.UpdatedAt, cur.Version = &now, now, prev+1
			return tx.UpdateEmailLink(ctx, cur, prev)
		}
	}
	if err := s.receive(r.Context(), l, m, record); err != nil {
		s.answerFailed(w, r, l, session, err)
		return
	}
	s.redirect(w, r, l)
}

// decide records accept, decline or not ready.
func (s *Service) decide(w http.ResponseWriter, r *http.Request) {
	l, session, ok := s.post(w, r)
	if !ok {
		return
	}
	st, err := s.st.Read().GetTransfer(r.Context(), l.VASPID, l.TransferID)
	if err != nil {
		s.failed(w, r, "transfer", err)
		return
	}
	if l.VerifiedAt == nil || !confirmed(l, st.Status) || (st.Status != transfer.StatusACK && st.Status != transfer.StatusNotReady) {
		s.redirect(w, r, l)
		return
	}
	request := l.Purpose == store.EmailPurposeRequest
	again := func(field, msg string) {
		s.step(w, r, l, session, http.StatusUnprocessableEntity, &page{Errors: []formError{{Field: field, Message: msg}},
			FieldErr: map[string]string{field: msg}, Form: formValues(r.PostForm)})
	}
	var m route.Message
	switch r.PostForm.Get("decision") {
	case "accept":
		m = route.Message{Kind: route.KindDecision, Decision: route.DecisionAccept}
		if request {
			o, fe := parseOriginatorForm(r.PostForm).originator(s.now())
			if len(fe) > 0 {
				s.formErrors(w, r, l, session, fe)
				return
			}
			m.Originator = o
		}
	case "decline":
		opts := declineReasons
		if request {
			opts = requestDeclineReasons
		}
		reason, ok := reasonFrom(opts, r.PostForm.Get("decline_reason"), r.PostForm.Get("decline_details"))
		if !ok {
			again("decline_reason", "Choose a reason, and describe it when you choose another reason.")
			return
		}
		m = route.Message{Kind: route.KindDecision, Decision: route.DecisionDecline, Reason: reason}
	case "not_ready":
		if st.Status == transfer.StatusNotReady {
			again("not_ready_reason", "You already said you are not ready. Accept or decline when you are.")
			return
		}
		reason, ok := reasonFrom(notReadyReasons, r.PostForm.Get("not_ready_reason"), r.PostForm.Get("not_ready_details"))
		if !ok {
			again("not_ready_reason", "Choose a reason, and describe it when you choose another reason.")
			return
		}
		m = route.Message{Kind: route.KindDecision, Decision: route.DecisionNotReady, Reason: reason}
	default:
		again("decision", "Choose an answer.")
		return
	}
	if err := s.receive(r.Context(), l, m, nil); err != nil {
		s.answerFailed(w, r, l, session, err)
		return
	}
	s.redirect(w, r, l)
}

func (s *Service) formErrors(w http.ResponseWriter, r *http.Request, l *store.EmailLink, session string, fe []formError) {
	fields := map[string]string{}
	for _, e := range fe {
		if e.Field != "" {
			if _, ok := fields[e.Field]; !ok {
				fields[e.Field] = e.Message
			}
		}
	}
	s.step(w, r, l, session, http.StatusUnprocessableEntity, &page{Errors: fe, FieldErr: fields, Form: formValues(r.PostForm)})
}

// receive hands an answer to the engine as an inbound message of the e-mail route. Its id is
// the link and the answer, so a form sent twice counts once. record, when set, runs in the
// engine's transaction.
func (s *Service) receive(ctx context.Context, l *store.EmailLink, m route.Message, record func(context.Context, store.Tx) error) error {
	m.TransferMessageID, m.SentAt = l.MessageID, s.now()
	m.ID = l.ID + "." + m.DedupKind()
	return s.eng.Receive(ctx, &route.Inbound{VASPID: l.VASPID, Route: transfer.RouteEmail, CounterpartyID: l.CounterpartyID,
		Message: m, Record: record})
}

// answerFailed shows why the engine refused an answer: data errors go back to the form; a
// transfer that moved on meanwhile shows its new step.
func (s *Service) answerFailed(w http.ResponseWriter, r *http.Request, l *store.EmailLink, session string, err error) {
	var ve *engine.ValidationError
	switch {
	case errors.As(err, &ve):
		var fe []formError
		for _, f := range ve.Fields {
			fe = append(fe, formError{Field: fieldOf(f.Path), Message: f.Message})
		}
		s.formErrors(w, r, l, session, fe)
	case engine.Refused(err):
		s.step(w, r, l, session, http.StatusConflict, &page{Notice: "The transfer changed while you were answering; here is where it stands now."})
	default:
		s.failed(w, r, "answer", err)
	}
}

// formValues keeps what was typed, to show the form again (the visitor's own input).
func formValues(v url.Values) map[string]string {
	out := map[string]string{}
	for k := range v {
		if k != "csrf" {
			out[k] = clean(v.Get(k), maxField)
		}
	}
	return out
}

// mask shows enough of an address to recognise it.
func mask(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "your address"
	}
	r := []rune(local)
	return string(r[:1]) + "…@" + domain
}

// linkData is the audit data of link events.
func linkData(l *store.EmailLink) []byte {
	b, _ := json.Marshal(map[string]string{"link_id": l.ID, "route": "email"})
	return b
}
