package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/waybill/waybill/internal/store"
)

// E-mail (sunrise) links: one row per transfer, secrets as hashes.

const emailLinkCols = `id, vasp_id, transfer_id, message_id, counterparty_id, purpose, email, token_hash, token_used_at,
	session_hash, code_hash, code_expires_at, code_sent_at, codes_sent, failed_codes, locked_at, opened_at, verified_at,
	confirmed_at, identity_shown_at, access_until, expires_at, created_at, updated_at, version`

func (s *queries) CreateEmailLink(ctx context.Context, l *store.EmailLink) error {
	l.Version = 1
	_, err := s.exec(ctx, "create email link", `INSERT INTO email_links (`+emailLinkCols+`) VALUES (`+placeholders(1, 25)+`)`,
		l.ID, l.VASPID, l.TransferID, l.MessageID, l.CounterpartyID, l.Purpose, l.Email, l.TokenHash, nullMicros(l.TokenUsedAt),
		l.SessionHash, l.CodeHash, nullMicros(l.CodeExpiresAt), nullMicros(l.CodeSentAt), l.CodesSent, l.FailedCodes,
		nullMicros(l.LockedAt), nullMicros(l.OpenedAt), nullMicros(l.VerifiedAt), nullMicros(l.ConfirmedAt),
		nullMicros(l.IdentityShownAt), nullMicros(l.AccessUntil), micros(l.ExpiresAt), micros(l.CreatedAt), micros(l.UpdatedAt), l.Version)
	return err
}

func (s *queries) UpdateEmailLink(ctx context.Context, l *store.EmailLink, prevVersion int) error {
	n, err := s.exec(ctx, "update email link "+l.ID, `UPDATE email_links SET counterparty_id = $3, email = $4, token_hash = $5,
		token_used_at = $6, session_hash = $7, code_hash = $8, code_expires_at = $9, code_sent_at = $10, codes_sent = $11,
		failed_codes = $12, locked_at = $13, opened_at = $14, verified_at = $15, confirmed_at = $16, identity_shown_at = $17,
		access_until = $18, expires_at = $19, updated_at = $20, version = $21
		WHERE id = $1 AND version = $2`,
		l.ID, prevVersion, l.CounterpartyID, l.Email, l.TokenHash, nullMicros(l.TokenUsedAt), l.SessionHash, l.CodeHash,
		nullMicros(l.CodeExpiresAt), nullMicros(l.CodeSentAt), l.CodesSent, l.FailedCodes, nullMicros(l.LockedAt),
		nullMicros(l.OpenedAt), nullMicros(l.VerifiedAt), nullMicros(l.ConfirmedAt), nullMicros(l.IdentityShownAt),
		nullMicros(l.AccessUntil), micros(l.ExpiresAt), micros(l.UpdatedAt), l.Version)
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	if _, err := s.GetEmailLink(ctx, l.ID); err != nil {
		return err
	}
	return fmt.Errorf("update email link %s: %w", l.ID, store.ErrStale)
}

func scanEmailLink(row interface{ Scan(...any) error }) (*store.EmailLink, error) {
	var (
		l                                                 store.EmailLink
		used, codeExp, codeSent, locked, opened, verified sql.NullInt64
		confirmed, shown, access                          sql.NullInt64
		expires, created, updated                         int64
	)
	if err := row.Scan(&l.ID, &l.VASPID, &l.TransferID, &l.MessageID, &l.CounterpartyID, &l.Purpose, &l.Email, &l.TokenHash, &used,
		&l.SessionHash, &l.CodeHash, &codeExp, &codeSent, &l.CodesSent, &l.FailedCodes, &locked, &opened, &verified,
		&confirmed, &shown, &access, &expires, &created, &updated, &l.Version); err != nil {
		return nil, err
	}
	l.TokenUsedAt, l.CodeExpiresAt, l.CodeSentAt = fromNullMicros(used), fromNullMicros(codeExp), fromNullMicros(codeSent)
	l.LockedAt, l.OpenedAt, l.VerifiedAt = fromNullMicros(locked), fromNullMicros(opened), fromNullMicros(verified)
	l.ConfirmedAt, l.IdentityShownAt, l.AccessUntil = fromNullMicros(confirmed), fromNullMicros(shown), fromNullMicros(access)
	l.ExpiresAt, l.CreatedAt, l.UpdatedAt = fromMicros(expires), fromMicros(created), fromMicros(updated)
	return &l, nil
}

func (s *queries) getEmailLink(ctx context.Context, what, where string, args ...any) (*store.EmailLink, error) {
	l, err := scanEmailLink(s.q.QueryRowContext(ctx, `SELECT `+emailLinkCols+` FROM email_links WHERE `+where, args...))
	if err != nil {
		return nil, s.wrap(err, what)
	}
	return l, nil
}

func (s *queries) GetEmailLink(ctx context.Context, id string) (*store.EmailLink, error) {
	return s.getEmailLink(ctx, "get email link "+id, `id = $1`, id)
}

func (s *queries) GetEmailLinkByToken(ctx context.Context, tokenHash string) (*store.EmailLink, error) {
	return s.getEmailLink(ctx, "get email link by token", `token_hash = $1`, tokenHash)
}

func (s *queries) GetEmailLinkByTransfer(ctx context.Context, vaspID, transferID string) (*store.EmailLink, error) {
	return s.getEmailLink(ctx, "get email link of transfer "+transferID, `vasp_id = $1 AND transfer_id = $2`, vaspID, transferID)
}

func (s *queries) DeleteEmailLinks(ctx context.Context, before time.Time) (int, error) {
	n, err := s.exec(ctx, "delete email links", `DELETE FROM email_links WHERE expires_at < $1`, micros(before))
	return int(n), err
}
