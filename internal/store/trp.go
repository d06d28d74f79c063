package store

import (
	"context"
	"time"

	"github.com/waybill/waybill/internal/counterparty"
)

// TRP roles: which side of a TRP exchange a hosted VASP is on.
const (
	// TRPRoleOriginator sent the inquiry (our withdrawal).
	TRPRoleOriginator = "originator"
	// TRPRoleBeneficiary received it (a deposit to us).
	TRPRoleBeneficiary = "beneficiary"
)

// TRPTransfer is the OpenVASP TRP state of one transfer as one hosted VASP holds it: which peer
// it talks to and where its next message goes. TRP callbacks are per transfer and learned in
// band, so they are kept here rather than in the counterparty directory.
type TRPTransfer struct {
	VASPID string
	// MessageID is the TRP request-identifier, the transfer's shared message id.
	MessageID      string
	Role           string
	CounterpartyID string
	// PeerCallback is where our next message goes: the inquiry's callback (we are the
	// beneficiary, for the resolution) or the approval's callback (we are the originator, for
	// the confirmation). Empty until the peer named it.
	PeerCallback string
	// APIVersion is the api-version the peer last sent.
	APIVersion string
	// PendingCancel is the reason of a cancel that could not travel yet (TRP has no message for
	// it before the approval names a callback); it is sent when the approval arrives.
	PendingCancel string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TRPQueries are the queries of the TRP route.
type TRPQueries interface {
	// CreateTRPTransfer records the TRP state of a transfer; ErrConflict when the VASP already
	// holds one for the message id.
	CreateTRPTransfer(ctx context.Context, t *TRPTransfer) error
	// GetTRPTransfer returns ErrNotFound when the VASP holds no TRP state for the message id.
	GetTRPTransfer(ctx context.Context, vaspID, messageID string) (*TRPTransfer, error)
	// UpdateTRPTransfer writes the callback, version, pending cancel and updated time;
	// ErrNotFound when absent.
	UpdateTRPTransfer(ctx context.Context, t *TRPTransfer) error
	// FindTRPCounterparties returns, in id order and at most limit, the VASP's counterparties
	// with a TRP route whose stored routes mention host (case-insensitively) or carry a travel
	// address: the candidates the caller then matches exactly (a travel address hides its host).
	FindTRPCounterparties(ctx context.Context, vaspID, host string, limit int) ([]counterparty.Counterparty, error)
}
