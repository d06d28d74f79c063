// Package webhook tells a VASP's backend what happened, by signed HTTP POSTs following the
// Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature; HMAC-SHA256;
// several signatures while a secret rotates). Deliveries are stored and sent by jobs: at least
// once, in order per endpoint and transfer, with exponential back-off for days and a dead-letter
// state. Payloads carry identifiers, statuses and reasons, never identity data.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Event types.
const (
	TransferCreated                     = "transfer.created"
	TransferReceived                    = "transfer.received"
	TransferStatusChanged               = "transfer.status_changed"
	TransferReviewRequired              = "transfer.review_required"
	TransferAddressConfirmationRequired = "transfer.address_confirmation_required"
	TransferTxHashRequired              = "transfer.tx_hash_required"
	DepositUnmatched                    = "deposit.unmatched"
)

// EventTypes lists every event type.
var EventTypes = []string{
	TransferCreated, TransferReceived, TransferStatusChanged, TransferReviewRequired,
	TransferAddressConfirmationRequired, TransferTxHashRequired, DepositUnmatched,
}

// ValidEventType reports whether t is a known event type.
func ValidEventType(t string) bool {
	for _, e := range EventTypes {
		if e == t {
			return true
		}
	}
	return false
}

// Data is the body of an event: identifiers, statuses and reasons only.
type Data struct {
	VASPID     string `json:"vasp_id"`
	TransferID string `json:"transfer_id,omitempty"`
	Ref        string `json:"ref,omitempty"`
	MessageID  string `json:"message_id,omitempty"`
	Direction  string `json:"direction,omitempty"`
	Status     string `json:"status,omitempty"`
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Route      string `json:"route,omitempty"`
	Version    int    `json:"version,omitempty"`
	DepositID  string `json:"deposit_id,omitempty"`
	TxHash     string `json:"tx_hash,omitempty"`
}

// Event is one webhook message.
type Event struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      Data      `json:"data"`
}

// Secret is one signing secret of an endpoint. A rotated-out secret keeps signing until
// ExpiresAt, so receivers can switch without losing messages.
type Secret struct {
	Key       string     `json:"key"` // "whsec_" + base64
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// NewSecret makes a secret of 32 random bytes in the Standard Webhooks form.
func NewSecret(rand io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", err
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

func secretBytes(s string) ([]byte, error) {
	raw := strings.TrimPrefix(s, "whsec_")
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, errors.New("webhook secret is not whsec_ base64")
	}
	return b, nil
}

// Sign returns the webhook-signature header value for a message: one "v1,<base64>" per secret
// still active at now, separated by spaces.
func Sign(secrets []Secret, msgID string, ts time.Time, body []byte, now time.Time) (string, error) {
	var sigs []string
	for _, s := range secrets {
		if s.ExpiresAt != nil && !now.Before(*s.ExpiresAt) {
			continue
		}
		key, err := secretBytes(s.Key)
		if err != nil {
			return "", err
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(msgID + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	if len(sigs) == 0 {
		return "", errors.New("endpoint has no active secret")
	}
	return strings.Join(sigs, " "), nil
}

// Verify checks a received message against one secret, as a receiver does: the timestamp must
// be within tolerance of now and one of the signatures must match. It exists for tests, the
// bench and the demo receiver.
func Verify(secret, msgID, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New("bad webhook-timestamp")
	}
	ts := time.Unix(sec, 0)
	if now.Sub(ts) > tolerance || ts.Sub(now) > tolerance {
		return errors.New("webhook-timestamp outside tolerance")
	}
	want, err := Sign([]Secret{{Key: secret}}, msgID, ts, body, now)
	if err != nil {
		return err
	}
	for _, sig := range strings.Fields(signature) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no matching signature")
}

// Payload renders an event as the JSON body sent.
func Payload(e Event) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode webhook event: %w", err)
	}
	return b, nil
}

// Subscribed reports whether an endpoint with the given filter receives an event type.
func Subscribed(filter []string, eventType string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		if f == eventType || f == "*" || (strings.HasSuffix(f, ".*") && strings.HasPrefix(eventType, strings.TrimSuffix(f, "*"))) {
			return true
		}
	}
	return false
}
