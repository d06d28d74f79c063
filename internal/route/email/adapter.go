package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"text/template"
	"time"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
)

// Send implements route.Adapter: an inquiry or a post-transaction request becomes an e-mail
// with a single-use link; the chain hash and a cancel become notifications. Other messages have
// no e-mail form (the counterparty answers on the pages, never by e-mail) and are refused for
// good. Sending again, after a failure, replaces the link's token as long as it was not opened
// (the previous e-mail, if it arrived, then holds a dead link); once opened, the link stays and
// nothing is sent again.
func (s *Service) Send(ctx context.Context, out *route.Outbound) error {
	if out.Counterparty == nil {
		return &route.Permanent{Err: errors.New("email: no counterparty")}
	}
	switch out.Message.Kind {
	case route.KindInquiry:
		return s.invite(ctx, out, store.EmailPurposeInquiry)
	case route.KindRequest:
		return s.invite(ctx, out, store.EmailPurposeRequest)
	case route.KindTxHash, route.KindCancel:
		return s.notify(ctx, out)
	}
	return &route.Permanent{Err: fmt.Errorf("email: the e-mail route carries no %s messages", out.Message.Kind)}
}

// contact returns the counterparty's compliance address, checked.
func contact(out *route.Outbound) (string, error) {
	a, err := mail.ParseAddress(out.Counterparty.Routes.Email)
	if err != nil || out.Counterparty.Routes.Email == "" {
		return "", &route.Permanent{Err: fmt.Errorf("email: counterparty %s has no valid compliance e-mail address", out.Counterparty.ID)}
	}
	return a.Address, nil
}

// errOpened ends an invite whose link was already opened: the e-mail did its work.
var errOpened = errors.New("link already opened")

func (s *Service) invite(ctx context.Context, out *route.Outbound, purpose string) error {
	addr, err := contact(out)
	if err != nil {
		return err
	}
	v, err := s.st.Read().GetVASP(ctx, out.VASPID)
	if err != nil {
		return fmt.Errorf("email: vasp %s: %w", out.VASPID, err)
	}
	token, err := newSecret(s.cfg.Rand)
	if err != nil {
		return err
	}
	now := s.now()
	var link *store.EmailLink
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		l, err := tx.GetEmailLinkByTransfer(ctx, out.VASPID, out.TransferID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			link = &store.EmailLink{ID: s.cfg.NewID(), VASPID: out.VASPID, TransferID: out.TransferID,
				MessageID: out.Message.TransferMessageID, CounterpartyID: out.Counterparty.ID, Purpose: purpose, Email: addr,
				TokenHash: hashSecret(token), ExpiresAt: now.Add(s.cfg.HardLimit), CreatedAt: now, UpdatedAt: now}
			return tx.CreateEmailLink(ctx, link)
		case err != nil:
			return err
		case l.TokenUsedAt != nil:
			return errOpened
		}
		prev := l.Version
		l.TokenHash, l.Email, l.CounterpartyID = hashSecret(token), addr, out.Counterparty.ID
		l.ExpiresAt, l.UpdatedAt, l.Version = now.Add(s.cfg.HardLimit), now, prev+1
		link = l
		return tx.UpdateEmailLink(ctx, l, prev)
	})
	if errors.Is(err, errOpened) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("email: link of transfer %s: %w", out.TransferID, err)
	}
	subject := "Travel Rule request from " + v.Name + ": please confirm a transfer to you"
	if purpose == store.EmailPurposeRequest {
		subject = "Travel Rule request from " + v.Name + ": please identify the sender of a deposit"
	}
	text, err := renderMail("invite", mailData{VASP: v.Name, Website: v.Website, Counterparty: out.Counterparty.Name,
		Reference: out.Message.TransferMessageID, Link: s.base + "/sunrise/open?t=" + token, Purpose: purpose,
		Lifetime: human(s.cfg.LinkLifetime), Until: link.ExpiresAt.Format("2 January 2006 15:04 MST")})
	if err != nil {
		return err
	}
	if err := s.mailer.Send(ctx, &Mail{To: addr, FromName: v.Name, Subject: subject, Text: text}); err != nil {
		return err
	}
	s.record(ctx, link, audit.Actor{Type: audit.ActorSystem, ID: "email", Name: "e-mail route"}, "email.link_sent",
		"a single-use link was e-mailed to the counterparty's compliance contact")
	return nil
}

func (s *Service) notify(ctx context.Context, out *route.Outbound) error {
	v, err := s.st.Read().GetVASP(ctx, out.VASPID)
	if err != nil {
		return fmt.Errorf("email: vasp %s: %w", out.VASPID, err)
	}
	addr := ""
	switch l, err := s.st.Read().GetEmailLinkByTransfer(ctx, out.VASPID, out.TransferID); {
	case err == nil:
		addr = l.Email
	case errors.Is(err, store.ErrNotFound):
		if addr, err = contact(out); err != nil {
			return err
		}
	default:
		return fmt.Errorf("email: link of transfer %s: %w", out.TransferID, err)
	}
	m := out.Message
	d := mailData{VASP: v.Name, Counterparty: out.Counterparty.Name, Reference: m.TransferMessageID, TxHash: m.TxHash,
		Expired: strings.HasPrefix(m.Reason, "expired")}
	name, subject := "txhash", "Travel Rule transfer "+m.TransferMessageID+" completed"
	if m.Kind == route.KindCancel {
		name, subject = "cancel", "Travel Rule transfer "+m.TransferMessageID+" cancelled"
	}
	text, err := renderMail(name, d)
	if err != nil {
		return err
	}
	return s.mailer.Send(ctx, &Mail{To: addr, FromName: v.Name, Subject: subject, Text: text})
}

// mailData is what the e-mail templates see: never identity data.
type mailData struct {
	VASP, Website, Counterparty, Reference, Link, Purpose, Lifetime, Until string
	Code, Minutes, TxHash                                                  string
	Expired                                                                bool
}

var mailTemplates = template.Must(template.ParseFS(templateFS, "templates/mail_*.txt"))

func renderMail(name string, d mailData) (string, error) {
	var b bytes.Buffer
	if err := mailTemplates.ExecuteTemplate(&b, "mail_"+name+".txt", d); err != nil {
		return "", fmt.Errorf("email: template %s: %w", name, err)
	}
	return b.String(), nil
}

// human renders a duration as people say it ("72 hours", "10 minutes").
func human(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		if h := int(d / time.Hour); h != 1 {
			return fmt.Sprintf("%d hours", h)
		}
		return "1 hour"
	case d%time.Minute == 0:
		if m := int(d / time.Minute); m != 1 {
			return fmt.Sprintf("%d minutes", m)
		}
		return "1 minute"
	}
	return d.String()
}

// record appends a link event to the VASP's audit trail, on the transfer. A failure is logged:
// the event it records has already happened.
func (s *Service) record(ctx context.Context, l *store.EmailLink, actor audit.Actor, typ, reason string) {
	err := s.st.InTx(ctx, func(tx store.Tx) error { return s.audit(ctx, tx, l, actor, typ, reason) })
	if err != nil {
		s.log.Warn("email: audit event not recorded", "type", typ, "link_id", l.ID, "transfer_id", l.TransferID, "err", err)
	}
}

func (s *Service) audit(ctx context.Context, tx store.Tx, l *store.EmailLink, actor audit.Actor, typ, reason string) error {
	return tx.AppendAudit(ctx, &audit.Event{ID: s.cfg.NewID(), VASPID: l.VASPID, TransferID: l.TransferID, Type: typ,
		Actor: actor, Reason: reason, Data: linkData(l), CreatedAt: s.now()})
}
