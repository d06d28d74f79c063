// Package route is the protocol-neutral message model between the engine and the wire, and the
// contract every route adapter (internal, TRP, TRISA, e-mail) implements. Adapters map these
// messages to their wire format and back; they never import each other and never change a
// transfer themselves: inbound messages go to the engine through a Receiver.
package route

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// Kind is what a message says.
type Kind string

const (
	// KindInquiry carries identity and transaction from the originating VASP (pre-transaction).
	KindInquiry Kind = "inquiry"
	// KindAddressConfirmation says whether the receiving VASP controls the address (or, for a
	// post-transaction request, whether the transaction is its customer's).
	KindAddressConfirmation Kind = "address_confirmation"
	// KindDecision is the receiving VASP's answer: accept (optionally with a deposit address or
	// the originator's identity), decline or not ready.
	KindDecision Kind = "decision"
	// KindTxHash forwards the chain transaction hash after acceptance.
	KindTxHash Kind = "tx_hash"
	// KindCancel ends the exchange.
	KindCancel Kind = "cancel"
	// KindRequest is a post-transaction request from the beneficiary VASP to the originating VASP
	// for a deposit that arrived without Travel Rule data.
	KindRequest Kind = "request"
)

// Decision values of a KindDecision message.
const (
	DecisionAccept   = "accept"
	DecisionDecline  = "decline"
	DecisionNotReady = "not_ready"
)

// Transaction is the chain side of an inquiry or request.
type Transaction struct {
	Asset              transfer.Asset      `json:"asset"`
	Amount             decimal.Decimal     `json:"amount"`
	FiatValue          *transfer.FiatValue `json:"fiat_value,omitempty"`
	OriginAddress      string              `json:"origin_address,omitempty"`
	DestinationAddress string              `json:"destination_address"`
	Memo               string              `json:"memo,omitempty"`
	TxHash             string              `json:"tx_hash,omitempty"`
}

// Message is one protocol-neutral message about one transfer.
type Message struct {
	// ID is unique per message; inbound deduplication uses it with Kind (adapters of protocols
	// without per-message ids derive one, e.g. TRP's request-identifier).
	ID string `json:"id"`
	// TransferMessageID is the transfer's shared message id (TRP request-identifier, TRISA
	// envelope id).
	TransferMessageID string `json:"message_id"`
	Kind              Kind   `json:"kind"`

	// Confirmed answers an address confirmation.
	Confirmed bool `json:"confirmed,omitempty"`
	// Decision answers a decision message: accept, decline or not_ready.
	Decision string `json:"decision,omitempty"`
	// Reason explains a refusal, a not-ready or a cancel.
	Reason string `json:"reason,omitempty"`
	// DepositAddress is the address the beneficiary VASP wants the funds at, when it says so.
	DepositAddress string `json:"deposit_address,omitempty"`
	// TxHash is the chain hash of a KindTxHash message.
	TxHash string `json:"tx_hash,omitempty"`

	// Transaction and identity travel with inquiries and requests; Originator also with the
	// acceptance of a request (post-transaction).
	Transaction     *Transaction      `json:"transaction,omitempty"`
	Originator      *ivms.Originator  `json:"originator,omitempty"`
	Beneficiary     *ivms.Beneficiary `json:"beneficiary,omitempty"`
	OriginatingVASP *transfer.VASPRef `json:"originating_vasp,omitempty"`
	BeneficiaryVASP *transfer.VASPRef `json:"beneficiary_vasp,omitempty"`

	SentAt time.Time `json:"sent_at"`
}

// Validate checks the message carries what its kind needs, naming the missing part.
func (m *Message) Validate() error {
	if m.TransferMessageID == "" {
		return errors.New("message id is required")
	}
	switch m.Kind {
	case KindInquiry, KindRequest:
		if m.Transaction == nil {
			return fmt.Errorf("%s: transaction is required", m.Kind)
		}
		if m.Kind == KindRequest && m.Transaction.TxHash == "" {
			return errors.New("request: transaction tx_hash is required")
		}
	case KindAddressConfirmation, KindCancel:
	case KindDecision:
		switch m.Decision {
		case DecisionAccept, DecisionDecline, DecisionNotReady:
		default:
			return fmt.Errorf("decision: %q is not accept, decline or not_ready", m.Decision)
		}
	case KindTxHash:
		if m.TxHash == "" {
			return errors.New("tx_hash: hash is required")
		}
	default:
		return fmt.Errorf("unknown message kind %q", m.Kind)
	}
	return nil
}

// DedupKind is the kind used for inbound deduplication: decisions and confirmations include
// their answer, so a NOT_READY followed by an acceptance is not mistaken for a retry.
func (m *Message) DedupKind() string {
	switch m.Kind {
	case KindDecision:
		return string(m.Kind) + "." + m.Decision
	case KindAddressConfirmation:
		if m.Confirmed {
			return string(m.Kind) + ".ack"
		}
		return string(m.Kind) + ".reject"
	}
	return string(m.Kind)
}

// Outbound is a message to send, with what the adapter needs to reach the counterparty.
type Outbound struct {
	// VASPID is the hosted VASP sending.
	VASPID       string
	TransferID   string
	Counterparty *counterparty.Counterparty
	Message      Message
}

// Inbound is a message received for a hosted VASP.
type Inbound struct {
	// VASPID is the hosted VASP receiving.
	VASPID string
	Route  transfer.Route
	// CounterpartyID is the sender's entry in the receiver's directory, when the adapter
	// resolved it; FromHostedVASP names the sender when it is hosted on this node.
	CounterpartyID string
	FromHostedVASP string
	Message        Message
	// Record, when set, runs in the transaction that accepts the message (not for a duplicate),
	// so an adapter's protocol state (a callback URL, say) commits with the message or not at
	// all. It may run more than once if the transaction is retried.
	Record func(ctx context.Context, tx store.Tx) error
}

// Adapter sends messages over one route.
type Adapter interface {
	// Send delivers one message. A *Permanent error means retrying cannot help; any other error
	// is retried with back-off.
	Send(ctx context.Context, out *Outbound) error
}

// Receiver is the engine's entry point for inbound messages. Receive is idempotent: a message
// already received (same route, id and kind) changes nothing and returns nil.
type Receiver interface {
	Receive(ctx context.Context, in *Inbound) error
}

// Permanent marks a send error that retrying cannot fix (the peer refused the message).
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return "permanent: " + p.Err.Error() }

// Unwrap returns the cause.
func (p *Permanent) Unwrap() error { return p.Err }
