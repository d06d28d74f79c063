package trp

import (
	"strings"

	"github.com/waybill/waybill/internal/route"
)

// TRP has no reason codes: a refusal is the free text of "rejected" (in a resolution) or
// "canceled" (in a confirmation). To carry our refusals across, we send "<code>: <text>"
// where code is one of the table below, and we read a leading code the same way (case and
// separators folded, synonyms other implementations use accepted). Text without a known code is
// a plain decline.
//
// What travels where (our neutral message → TRP; TRP → our neutral message):
//
//	| ours                               | TRP message                            | code sent            |
//	|------------------------------------|----------------------------------------|----------------------|
//	| inquiry                            | Transfer Inquiry                       | -                    |
//	| address confirmed (ACK)            | nothing: TRP has no address step; the  | -                    |
//	|                                    | approval implies it                    |                      |
//	| address rejected (REJECTED)        | resolution {"rejected"}               | address_not_controlled |
//	| decision accept                    | resolution {"approved": address, callback} | -                |
//	| decision decline                   | resolution {"rejected"}               | declined (or the reason's own code: unsupported_asset, ...) |
//	| decision not ready                 | nothing: the originator stays SENT and the answer comes later | - |
//	| tx hash                            | confirmation {"txid"}                 | -                    |
//	| cancel by the originator           | confirmation {"canceled"}; before the approval names a callback it waits for it | cancelled |
//	| cancel by the beneficiary          | resolution {"rejected"}               | cancelled            |
//	| post-transaction request           | refused: TRP has no beneficiary-initiated flow | -            |
//
// Reading a "rejected" resolution: address codes → address confirmation (REJECTED), cancelled →
// cancel (CANCELLED), anything else → decline (DECLINED).

// Reason codes sent in TRP refusals.
const (
	CodeAddressNotControlled = "address_not_controlled"
	CodeDeclined             = "declined"
	CodeCancelled            = "cancelled"
	CodeUnsupportedAsset     = "unsupported_asset"
)

// refusal is how a received refusal lands in our model.
type refusal int

const (
	refuseDecline refusal = iota
	refuseAddress
	refuseCancel
)

// codeEffect says what a code we read (folded: lower case, '-' and ' ' as '_') means. The
// synonyms cover TRISA's error names and the wording other implementations use.
func codeEffect(code string) (refusal, bool) {
	switch code {
	case CodeAddressNotControlled, "unknown_wallet_address", "unknown_address", "address_not_found",
		"cannot_confirm_control_of_address", "unknown_beneficiary":
		return refuseAddress, true
	case CodeCancelled, "canceled", "cancel_transaction":
		return refuseCancel, true
	case CodeDeclined, "rejected", CodeUnsupportedAsset, "compliance_check_fail", "high_risk", "no_compliance":
		return refuseDecline, true
	}
	return refuseDecline, false
}

// refusalText is what we send for a refusal with our reason: our reasons already start with a
// code ("address_not_controlled: ...", "declined: ..."); one that does not gets def.
func refusalText(reason, def string) string {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return def
	}
	if code, _, ok := cutCode(reason); ok {
		if _, known := codeEffect(code); known {
			return truncate(reason, maxText)
		}
	}
	return truncate(def+": "+reason, maxText)
}

// readRefusal turns a received "rejected" text into our message: its kind, and the reason
// recorded on the transfer.
func readRefusal(text string) (route.Message, refusal) {
	text = strings.TrimSpace(text)
	kind := refuseDecline
	if code, _, ok := cutCode(text); ok {
		if k, known := codeEffect(code); known {
			kind = k
		}
	} else if k, known := codeEffect(fold(text)); known {
		kind = k
	}
	reason := truncate(text, maxText)
	switch kind {
	case refuseAddress:
		return route.Message{Kind: route.KindAddressConfirmation, Confirmed: false, Reason: orText(reason, CodeAddressNotControlled)}, kind
	case refuseCancel:
		return route.Message{Kind: route.KindCancel, Reason: orText(reason, CodeCancelled)}, kind
	}
	return route.Message{Kind: route.KindDecision, Decision: route.DecisionDecline, Reason: orText(reason, CodeDeclined)}, kind
}

// cutCode splits "code: text" (or "code - text") and folds the code.
func cutCode(s string) (code, rest string, ok bool) {
	i := strings.IndexAny(s, ":")
	if i <= 0 || i > 48 {
		return "", s, false
	}
	return fold(s[:i]), strings.TrimSpace(s[i+1:]), true
}

func fold(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return '_'
		}
		return r
	}, s)
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}
