package trisa

import (
	"strings"
	"unicode"

	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"

	"github.com/waybill/waybill/internal/route"
)

// The table between our reasons and TRISA's error codes (trisa.api.v1beta1.Error.Code,
// protocols.md B.6). Our reasons start with a word ("high_risk: ...", "declined: expired: ...");
// the word picks the code, TRISA's own code names included, within the band that keeps the
// meaning: a decline is a rejection (50-99), an address refusal UNKNOWN_WALLET_ADDRESS or
// CANNOT_CONFIRM_CONTROL_OF_ADDRESS, a cancel CANCELED or COMPLIANCE_PERIOD_EXCEEDED. Inbound,
// the code picks the neutral message and the reason's word; service (0-49) and
// authentication (100-149) codes are about the exchange itself, not the transfer.

// reasonWord returns the leading word of a reason, after the "declined: " style prefixes the
// engine adds, in lower snake case.
func reasonWord(reason string) string {
	r := strings.ToLower(strings.TrimSpace(reason))
	for {
		trimmed := false
		for _, p := range []string{"declined:", "rejected:", "cancelled:", "canceled:"} {
			if strings.HasPrefix(r, p) {
				r, trimmed = strings.TrimSpace(r[len(p):]), true
			}
		}
		if !trimmed {
			break
		}
	}
	end := strings.IndexFunc(r, func(c rune) bool { return c == ':' || unicode.IsSpace(c) })
	if end >= 0 {
		r = r[:end]
	}
	return strings.ReplaceAll(r, "-", "_")
}

// wordCode returns the TRISA code a reason word names, or UNHANDLED.
func wordCode(word string) api.Error_Code {
	switch word {
	case "address_not_controlled", "address_not_ours", "unknown_address":
		return api.UnkownWalletAddress
	case "name_mismatch", "unknown_beneficiary":
		return api.BeneficiaryNameUnmatched
	case "unsupported_asset":
		return api.UnsupportedCurrency
	case "sanctions", "sanctioned", "sanctions_screening", "blocked", "compliance":
		return api.ComplianceCheckFail
	case "screening", "risk", "high_risk_address":
		return api.HighRisk
	case "expired", "expiry", "deadline":
		return api.CompliancePeriodExceeded
	case "cancelled", "cancel", "end_travel_rule":
		return api.Canceled
	}
	if c, ok := api.Error_Code_value[strings.ToUpper(word)]; ok {
		return api.Error_Code(c)
	}
	return api.Unhandled
}

// codeFor returns the code that carries an outbound refusal of the given kind.
func codeFor(m *route.Message) api.Error_Code {
	c := wordCode(reasonWord(m.Reason))
	switch m.Kind {
	case route.KindAddressConfirmation:
		if c == api.Error_CANNOT_CONFIRM_CONTROL_OF_ADDRESS {
			return c
		}
		return api.UnkownWalletAddress
	case route.KindCancel:
		if c == api.CompliancePeriodExceeded {
			return c
		}
		return api.Canceled
	}
	if c >= 50 && c <= 99 && c != api.UnkownWalletAddress && c != api.Error_CANNOT_CONFIRM_CONTROL_OF_ADDRESS &&
		c != api.Error_UNSUPPORTED_ADDRESS_CONFIRMATION {
		return c
	}
	return api.Rejected
}

// refusal is the error an outbound refusal (address reject, decline, cancel) travels as.
func refusal(m *route.Message) *api.Error {
	msg := cleanText(m.Reason)
	if msg == "" {
		msg = strings.ToLower(strings.ReplaceAll(api.Error_Code_name[int32(codeFor(m))], "_", " "))
	}
	return &api.Error{Code: codeFor(m), Message: msg}
}

// Bands of TRISA error codes.
const (
	bandService   = "service"
	bandRejection = "rejection"
	bandAuth      = "auth"
	bandRepair    = "repair"
)

func band(c api.Error_Code) string {
	switch {
	case c < 50:
		return bandService
	case c < 100:
		return bandRejection
	case c < 150:
		return bandAuth
	}
	return bandRepair
}

// fromError returns the neutral message an error envelope means for a transfer, or nil when
// it is about the exchange itself (service and authentication codes). started says the error
// answers our first envelope (the peer holds no record): a repair request then ends the
// exchange as a decline, since the transfer cannot be resent; later it means not ready.
func fromError(e *api.Error, started bool) *route.Message {
	word := codeWord(e.Code)
	reason := func(w string) string {
		msg := cleanText(e.Message)
		if msg == "" {
			return w
		}
		if lead := reasonWord(msg); lead != "" && strings.Contains(msg, lead+":") {
			return msg
		}
		return w + ": " + msg
	}
	switch {
	case e.Code == api.UnkownWalletAddress || e.Code == api.Error_CANNOT_CONFIRM_CONTROL_OF_ADDRESS:
		return &route.Message{Kind: route.KindAddressConfirmation, Confirmed: false, Reason: reason("address_not_controlled")}
	case e.Code == api.CompliancePeriodExceeded:
		return &route.Message{Kind: route.KindCancel, Reason: reason("expired")}
	case e.Code == api.Canceled:
		return &route.Message{Kind: route.KindCancel, Reason: reason("cancelled")}
	case band(e.Code) == bandRejection:
		return &route.Message{Kind: route.KindDecision, Decision: route.DecisionDecline, Reason: reason(word)}
	case band(e.Code) == bandRepair:
		if started {
			return &route.Message{Kind: route.KindDecision, Decision: route.DecisionDecline, Reason: reason("repair_requested")}
		}
		return &route.Message{Kind: route.KindDecision, Decision: route.DecisionNotReady, Reason: reason("repair_requested")}
	}
	return nil
}

// codeWord is the reason word of a TRISA code: its name in lower case, with the proto's typos
// ("UNKOWN_") mended.
func codeWord(c api.Error_Code) string {
	name := api.Error_Code_name[int32(c)]
	if name == "" {
		return "rejected"
	}
	return strings.ReplaceAll(strings.ToLower(name), "unkown_", "unknown_")
}

// maxReason bounds the text we keep from a peer's message.
const maxReason = 300

// cleanText makes a peer's (or our) free text safe to store and show: printable characters
// only, spaces collapsed, at most maxReason characters.
func cleanText(s string) string {
	var b strings.Builder
	n, space := 0, false
	for _, r := range s {
		if n >= maxReason {
			break
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if !unicode.IsPrint(r) {
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
