// Package transfer is the domain core of waybill: the Travel Rule transfer as one VASP holds it,
// its statuses, the events that move it, and the one transition table that says which moves are
// legal. It performs no I/O and knows nothing of storage, HTTP or protocols; the engine package
// applies these rules inside database transactions.
package transfer

import "fmt"

// Status is where a transfer stands in its lifecycle. The values are the Notabene v1 set plus
// COMPLETED, upper case on the wire.
type Status string

const (
	// StatusNew is a transfer created by the originating VASP. It enters on create with complete
	// data, or when missing data is supplied; it leaves on approve (SENT or
	// WAITING_FOR_INFORMATION) or cancel.
	StatusNew Status = "NEW"
	// StatusMissingBeneficiaryData is a transfer created with skip_beneficiary_data_validation, or
	// an INCOMPLETE record given originator data only. It leaves when an update completes the data
	// (NEW) or on cancel.
	StatusMissingBeneficiaryData Status = "MISSING_BENEFICIARY_DATA"
	// StatusIncomplete is an incoming transfer created from a deposit notification that matched
	// no Travel Rule message. It leaves when the request is sent to the originating VASP (SENT or
	// WAITING_FOR_INFORMATION), when an update supplies data, or on cancel.
	StatusIncomplete Status = "INCOMPLETE"
	// StatusSaved is a transfer kept and never transmitted: below the threshold, to an unhosted
	// wallet, or between two customers of the same VASP. It is entered at creation, or from NEW
	// when a person approves such a transfer that policies held for review. Final.
	StatusSaved Status = "SAVED"
	// StatusWaitingForInformation is an approved transfer that no route reaches. It leaves when a
	// route is added (SENT), on cancel, or on expiry.
	StatusWaitingForInformation Status = "WAITING_FOR_INFORMATION"
	// StatusSent is a transfer delivered to the counterparty; on the receiving side, a transfer
	// received and waiting for our address confirmation. It leaves on confirm (ACK), reject,
	// accept (protocols without an address step), decline, not-ready, cancel or expiry.
	StatusSent Status = "SENT"
	// StatusNotReady is a transfer whose counterparty is not ready to respond. It leaves on
	// confirm, reject, accept, decline, cancel or expiry.
	StatusNotReady Status = "NOT_READY"
	// StatusACK is a transfer whose beneficiary VASP confirmed it controls the destination
	// address; identity data may now be shown to it. It leaves on accept, decline, not-ready,
	// cancel or expiry.
	StatusACK Status = "ACK"
	// StatusRejected is a transfer whose beneficiary VASP does not control the destination
	// address. Final.
	StatusRejected Status = "REJECTED"
	// StatusAccepted is a transfer the beneficiary VASP accepted: the originating VASP may
	// broadcast. It leaves when the chain hash is known (COMPLETED) or on cancel ("End Travel
	// Rule").
	StatusAccepted Status = "ACCEPTED"
	// StatusDeclined is a transfer the beneficiary VASP declined. Final.
	StatusDeclined Status = "DECLINED"
	// StatusCancelled is a transfer cancelled by the originator, by a rule, by expiry, or ended
	// after acceptance. Final.
	StatusCancelled Status = "CANCELLED"
	// StatusCompleted is an accepted transfer whose chain transaction hash is known to both
	// sides. Final.
	StatusCompleted Status = "COMPLETED"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{
	StatusNew, StatusMissingBeneficiaryData, StatusIncomplete, StatusSaved,
	StatusWaitingForInformation, StatusSent, StatusNotReady, StatusACK, StatusRejected,
	StatusAccepted, StatusDeclined, StatusCancelled, StatusCompleted,
}

// Final reports whether no event can move a transfer out of s.
func (s Status) Final() bool {
	switch s {
	case StatusSaved, StatusRejected, StatusDeclined, StatusCancelled, StatusCompleted:
		return true
	}
	return false
}

// Valid reports whether s is one of the thirteen statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// ParseStatus returns the status named s, or an error naming the accepted values.
func ParseStatus(s string) (Status, error) {
	if st := Status(s); st.Valid() {
		return st, nil
	}
	return "", fmt.Errorf("unknown status %q", s)
}

// Direction says which side of the movement this record is.
type Direction string

const (
	// Outgoing is a withdrawal: we are the originating VASP.
	Outgoing Direction = "outgoing"
	// Incoming is a deposit: we are the beneficiary VASP.
	Incoming Direction = "incoming"
)

// Valid reports whether d is outgoing or incoming.
func (d Direction) Valid() bool { return d == Outgoing || d == Incoming }
