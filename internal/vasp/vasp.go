// Package vasp describes the VASPs hosted on a node (the tenants), their settings and their
// address books. It performs no I/O.
package vasp

import (
	"fmt"
	"time"
)

// Action values for what happens to a transfer at a decision point when no policy decides.
const (
	// ActionReview holds the transfer for a person.
	ActionReview = "review"
	// ActionApprove lets the transfer go on without a person (approve outgoing, accept incoming).
	ActionApprove = "approve"
)

// Settings are a VASP's operating choices.
type Settings struct {
	// OutgoingAction is what happens to a NEW outgoing transfer: review or approve.
	OutgoingAction string `json:"outgoing_action" enum:"review,approve" doc:"What happens to NEW withdrawals when no policy decides: hold for review, or approve."`
	// IncomingAction is what happens to an incoming transfer once the address is confirmed:
	// review or approve (accept).
	IncomingAction string `json:"incoming_action" enum:"review,approve" doc:"What happens to received transfers after address confirmation when no policy decides: hold for review, or accept."`
	// ExpirySeconds is how long a transfer may wait on a counterparty before it is cancelled.
	ExpirySeconds int64 `json:"expiry_seconds" minimum:"60" doc:"How long a transfer may wait on a counterparty before it is cancelled as expired."`
	// DepositMatchSeconds is how far back a deposit notification looks for a transfer with the
	// same asset, destination and amount.
	DepositMatchSeconds int64 `json:"deposit_match_seconds" minimum:"60" doc:"How far back a deposit notification looks for a transfer with the same asset, destination and amount."`
}

// DefaultSettings are the settings of a new VASP: a person reviews, transfers wait three days,
// deposits match within seven days.
func DefaultSettings() Settings {
	return Settings{
		OutgoingAction:      ActionReview,
		IncomingAction:      ActionReview,
		ExpirySeconds:       int64((72 * time.Hour).Seconds()),
		DepositMatchSeconds: int64((7 * 24 * time.Hour).Seconds()),
	}
}

// Validate reports the first problem with s, naming the field.
func (s Settings) Validate() error {
	for name, v := range map[string]string{"outgoing_action": s.OutgoingAction, "incoming_action": s.IncomingAction} {
		if v != ActionReview && v != ActionApprove {
			return fmt.Errorf("%s must be review or approve", name)
		}
	}
	if s.ExpirySeconds < 60 {
		return fmt.Errorf("expiry_seconds must be at least 60")
	}
	if s.DepositMatchSeconds < 60 {
		return fmt.Errorf("deposit_match_seconds must be at least 60")
	}
	return nil
}

// Expiry returns ExpirySeconds as a duration.
func (s Settings) Expiry() time.Duration { return time.Duration(s.ExpirySeconds) * time.Second }

// DepositMatchWindow returns DepositMatchSeconds as a duration.
func (s Settings) DepositMatchWindow() time.Duration {
	return time.Duration(s.DepositMatchSeconds) * time.Second
}

// VASP is a tenant of the node: a VASP whose transfers this node handles.
type VASP struct {
	ID           string    `json:"id"`
	Name         string    `json:"name" doc:"Legal name."`
	LEI          string    `json:"lei,omitempty"`
	Country      string    `json:"country" doc:"ISO 3166-1 alpha-2 country of registration."`
	Jurisdiction string    `json:"jurisdiction" doc:"Code of the jurisdiction table row whose Travel Rule applies to this VASP."`
	Website      string    `json:"website,omitempty"`
	Settings     Settings  `json:"settings"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Wallet is an address the VASP controls for a customer: an entry of its address book.
type Wallet struct {
	ID           string    `json:"id"`
	VASPID       string    `json:"vasp_id"`
	Network      string    `json:"network"`
	Address      string    `json:"address"`
	Memo         string    `json:"memo,omitempty" doc:"Memo or destination tag that identifies the customer, when the network uses one."`
	CustomerRef  string    `json:"customer_ref,omitempty" doc:"The backend's customer reference."`
	CustomerName string    `json:"customer_name,omitempty" doc:"The customer's KYC name, for name matching (encrypted at rest)."`
	CreatedAt    time.Time `json:"created_at"`
}
