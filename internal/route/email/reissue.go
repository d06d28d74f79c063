package email

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/jobs"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// JobReissue sends the replacement of a link (see Reissue).
const JobReissue = "email.reissue"

// ReissuedLink says where a replacement link is going.
type ReissuedLink struct {
	TransferID string    `json:"transfer_id"`
	SentTo     string    `json:"sent_to" doc:"The compliance contact the link is e-mailed to, partly masked."`
	ExpiresAt  time.Time `json:"expires_at" doc:"The new link's hard limit; access also ends link_lifetime after it is first opened."`
}

// Reissue replaces the link of a transfer waiting on an e-mail counterparty, for a contact
// whose link was locked by wrong codes, expired, or opened in the wrong browser. The old link
// stops working at once; the exchange starts again from the code (an address already
// confirmed stays confirmed), with a new hard limit, and the new link is e-mailed by a job
// queued in the same transaction. It returns store.ErrNotFound for a transfer unknown to
// vaspID, and an *engine.ConflictError when the transfer is not ours on the e-mail route, is
// final, or has no link yet.
func (s *Service) Reissue(ctx context.Context, actor audit.Actor, vaspID, transferID string) (*ReissuedLink, error) {
	dead, err := newSecret(s.cfg.Rand)
	if err != nil {
		return nil, err
	}
	var out *ReissuedLink
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		t, err := tx.GetTransfer(ctx, vaspID, transferID)
		if err != nil {
			return err
		}
		switch {
		case t.Route != transfer.RouteEmail || !t.WeInitiated():
			return &engine.ConflictError{Msg: "the transfer is not waiting on an e-mail counterparty"}
		case t.Status.Final():
			return &engine.ConflictError{Msg: fmt.Sprintf("the transfer is %s: no link is needed", t.Status)}
		}
		l, err := tx.GetEmailLinkByTransfer(ctx, vaspID, transferID)
		if errors.Is(err, store.ErrNotFound) {
			return &engine.ConflictError{Msg: "the invitation of this transfer is still queued: no link was sent yet"}
		}
		if err != nil {
			return err
		}
		now := s.now()
		prev := l.Version
		// The old token is replaced by one never sent: the old link dies now, the job sends a
		// new one.
		l.TokenHash, l.TokenUsedAt, l.SessionHash, l.OpenedAt, l.AccessUntil, l.VerifiedAt = hashSecret(dead), nil, "", nil, nil, nil
		l.CodeHash, l.CodeExpiresAt, l.CodeSentAt, l.CodesSent, l.FailedCodes, l.LockedAt = "", nil, nil, 0, 0, nil
		l.ExpiresAt, l.UpdatedAt, l.Version = now.Add(s.cfg.HardLimit), now, prev+1
		if err := tx.UpdateEmailLink(ctx, l, prev); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, l, actor, "email.link_reissued", "the link was replaced; a new one is e-mailed"); err != nil {
			return err
		}
		j, err := jobs.NewJob(JobReissue, "msg:"+transferID, reissuePayload{VASPID: vaspID, TransferID: transferID}, now, 40)
		if err != nil {
			return err
		}
		out = &ReissuedLink{TransferID: transferID, SentTo: mask(l.Email), ExpiresAt: l.ExpiresAt}
		return tx.Enqueue(ctx, j)
	})
	if err != nil {
		return nil, err
	}
	if s.cfg.Notify != nil {
		s.cfg.Notify()
	}
	return out, nil
}

type reissuePayload struct {
	VASPID     string `json:"vasp_id"`
	TransferID string `json:"transfer_id"`
}

// Kinds returns the route's job kinds.
func (s *Service) Kinds() []jobs.Kind {
	return []jobs.Kind{{Name: JobReissue, Run: s.reissueJob, Backoff: jobs.Exponential(2*time.Second, 2, time.Hour), Lease: 2 * time.Minute}}
}

// reissueJob e-mails the replacement link, unless the transfer ended meanwhile.
func (s *Service) reissueJob(ctx context.Context, job *store.Job) (jobs.Finish, error) {
	p, err := jobs.Payload[reissuePayload](job)
	if err != nil {
		return nil, err
	}
	rd := s.st.Read()
	t, err := rd.GetTransfer(ctx, p.VASPID, p.TransferID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &jobs.Permanent{Err: err}
	}
	if err != nil {
		return nil, err
	}
	if t.Status.Final() {
		return nil, nil
	}
	l, err := rd.GetEmailLinkByTransfer(ctx, p.VASPID, p.TransferID)
	if err != nil {
		return nil, err
	}
	cp, err := rd.GetCounterparty(ctx, p.VASPID, l.CounterpartyID)
	if err != nil {
		return nil, err
	}
	kind := route.KindInquiry
	if l.Purpose == store.EmailPurposeRequest {
		kind = route.KindRequest
	}
	out := &route.Outbound{VASPID: p.VASPID, TransferID: p.TransferID, Counterparty: cp,
		Message: route.Message{Kind: kind, TransferMessageID: t.MessageID}}
	if err := s.invite(ctx, out, l.Purpose); err != nil {
		var perm *route.Permanent
		if errors.As(err, &perm) {
			return nil, &jobs.Permanent{Err: err}
		}
		return nil, err
	}
	return nil, nil
}
