package store

import (
	"context"
	"time"
)

// Purposes of an e-mail link.
const (
	// EmailPurposeInquiry asks the beneficiary VASP to confirm the address and accept or decline
	// a withdrawal (pre-transaction).
	EmailPurposeInquiry = "inquiry"
	// EmailPurposeRequest asks the originating VASP to identify its customer for a deposit that
	// arrived without Travel Rule data (post-transaction).
	EmailPurposeRequest = "request"
)

// EmailLink is one e-mail ("sunrise") exchange with a counterparty's compliance contact about
// one transfer: the single-use link sent to it, the browser session that opened it, and the
// one-time code that proves the visitor reads the mailbox. Secrets are stored as SHA-256 hashes
// only; the address is the counterparty's compliance contact, kept so codes go where the link
// went.
type EmailLink struct {
	ID             string
	VASPID         string
	TransferID     string
	MessageID      string
	CounterpartyID string
	Purpose        string
	Email          string

	// TokenHash is the hash of the link's token; TokenUsedAt is set when the link was opened
	// (the token then answers "already used").
	TokenHash   string
	TokenUsedAt *time.Time
	// SessionHash is the hash of the cookie of the browser that opened the link.
	SessionHash string

	// CodeHash is the hash of the pending one-time code (empty when none is pending).
	CodeHash      string
	CodeExpiresAt *time.Time
	CodeSentAt    *time.Time
	CodesSent     int
	FailedCodes   int
	LockedAt      *time.Time

	OpenedAt   *time.Time
	VerifiedAt *time.Time
	// ConfirmedAt is when the visitor confirmed the address (or, for a request, the
	// transaction); IdentityShownAt when identity data was first shown to it.
	ConfirmedAt     *time.Time
	IdentityShownAt *time.Time
	// AccessUntil ends the session (the link lifetime after first opening, within ExpiresAt).
	AccessUntil *time.Time
	// ExpiresAt is the hard limit, from creation.
	ExpiresAt time.Time

	CreatedAt time.Time
	UpdatedAt time.Time
	// Version is the compare-and-set token of UpdateEmailLink.
	Version int
}

// EmailQueries are the queries of the e-mail (sunrise) route.
type EmailQueries interface {
	// CreateEmailLink inserts l with Version 1. It returns ErrConflict when the transfer already
	// has a link or the token hash is taken.
	CreateEmailLink(ctx context.Context, l *EmailLink) error
	// UpdateEmailLink writes l when the stored version is prevVersion (l.Version is the new
	// one), else ErrStale; ErrNotFound when the link does not exist; ErrConflict when the new
	// token hash is taken.
	UpdateEmailLink(ctx context.Context, l *EmailLink, prevVersion int) error
	// GetEmailLink returns ErrNotFound when id is unknown.
	GetEmailLink(ctx context.Context, id string) (*EmailLink, error)
	// GetEmailLinkByToken finds the link whose token hashes to tokenHash, used or not;
	// ErrNotFound when none.
	GetEmailLinkByToken(ctx context.Context, tokenHash string) (*EmailLink, error)
	// GetEmailLinkByTransfer returns a transfer's link, or ErrNotFound.
	GetEmailLinkByTransfer(ctx context.Context, vaspID, transferID string) (*EmailLink, error)
	// DeleteEmailLinks removes links whose hard limit passed before t and returns how many.
	DeleteEmailLinks(ctx context.Context, before time.Time) (int, error)
}
