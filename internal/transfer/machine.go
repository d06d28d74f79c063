package transfer

import (
	"fmt"
	"sort"
)

// Event is something that happens to a transfer. Whether it is legal depends only on the status
// the transfer is in; the table below is the only place that says so.
type Event string

const (
	// EventCreate creates an outgoing transfer with complete data (-> NEW).
	EventCreate Event = "create"
	// EventCreatePartial creates an outgoing transfer without beneficiary data
	// (-> MISSING_BENEFICIARY_DATA).
	EventCreatePartial Event = "create_partial"
	// EventSave keeps a transfer that needs no exchange and is never transmitted (-> SAVED): at
	// creation, or from NEW when a person approves one that policies held for review.
	EventSave Event = "save"
	// EventReceive creates the record of a message received from a counterparty (-> SENT).
	EventReceive Event = "receive"
	// EventNotify creates an incoming record from a deposit that matched nothing (-> INCOMPLETE).
	EventNotify Event = "notify"
	// EventComplete records that an update completed the identity data (-> NEW).
	EventComplete Event = "complete"
	// EventPartial records that an update added originator data only
	// (INCOMPLETE -> MISSING_BENEFICIARY_DATA).
	EventPartial Event = "partial"
	// EventApprove sends an approved transfer over a route (-> SENT).
	EventApprove Event = "approve"
	// EventAwaitRoute parks an approved transfer that no route reaches
	// (-> WAITING_FOR_INFORMATION).
	EventAwaitRoute Event = "await_route"
	// EventRouteFound sends a parked transfer once a route reaches its counterparty (-> SENT).
	EventRouteFound Event = "route_found"
	// EventRequest sends a post-transaction request to the originating VASP (INCOMPLETE -> SENT).
	EventRequest Event = "request"
	// EventConfirm records that the beneficiary VASP controls the address (-> ACK).
	EventConfirm Event = "confirm"
	// EventReject records that the beneficiary VASP does not control the address (-> REJECTED).
	EventReject Event = "reject"
	// EventAccept records the beneficiary VASP's acceptance (-> ACCEPTED).
	EventAccept Event = "accept"
	// EventDecline records the beneficiary VASP's refusal (-> DECLINED).
	EventDecline Event = "decline"
	// EventNotReady records that the counterparty cannot answer yet (-> NOT_READY).
	EventNotReady Event = "not_ready"
	// EventTxHash records the chain transaction hash after acceptance (-> COMPLETED).
	EventTxHash Event = "tx_hash"
	// EventCancel cancels a transfer that is not final (-> CANCELLED).
	EventCancel Event = "cancel"
	// EventExpire cancels a transfer whose wait on a counterparty ran out (-> CANCELLED).
	EventExpire Event = "expire"
)

// Events lists every event.
var Events = []Event{
	EventCreate, EventCreatePartial, EventSave, EventReceive, EventNotify, EventComplete,
	EventPartial, EventApprove, EventAwaitRoute, EventRouteFound, EventRequest, EventConfirm,
	EventReject, EventAccept, EventDecline, EventNotReady, EventTxHash, EventCancel, EventExpire,
}

// StatusNone is the pseudo-status of a transfer that does not exist yet; creation events start
// from it.
const StatusNone Status = ""

type edge struct {
	from  Status
	event Event
}

// table is the whole state machine: (status, event) -> status. Nothing else defines a move.
var table = map[edge]Status{
	{StatusNone, EventCreate}:        StatusNew,
	{StatusNone, EventCreatePartial}: StatusMissingBeneficiaryData,
	{StatusNone, EventSave}:          StatusSaved,
	{StatusNone, EventReceive}:       StatusSent,
	{StatusNone, EventNotify}:        StatusIncomplete,

	{StatusMissingBeneficiaryData, EventComplete}: StatusNew,
	{StatusIncomplete, EventComplete}:             StatusNew,
	{StatusIncomplete, EventPartial}:              StatusMissingBeneficiaryData,

	{StatusNew, EventApprove}:                      StatusSent,
	{StatusNew, EventSave}:                         StatusSaved,
	{StatusNew, EventAwaitRoute}:                   StatusWaitingForInformation,
	{StatusIncomplete, EventRequest}:               StatusSent,
	{StatusIncomplete, EventAwaitRoute}:            StatusWaitingForInformation,
	{StatusWaitingForInformation, EventRouteFound}: StatusSent,

	{StatusSent, EventConfirm}:     StatusACK,
	{StatusNotReady, EventConfirm}: StatusACK,
	{StatusSent, EventReject}:      StatusRejected,
	{StatusNotReady, EventReject}:  StatusRejected,
	{StatusSent, EventNotReady}:    StatusNotReady,
	{StatusACK, EventNotReady}:     StatusNotReady,
	{StatusSent, EventAccept}:      StatusAccepted,
	{StatusACK, EventAccept}:       StatusAccepted,
	{StatusNotReady, EventAccept}:  StatusAccepted,
	{StatusSent, EventDecline}:     StatusDeclined,
	{StatusACK, EventDecline}:      StatusDeclined,
	{StatusNotReady, EventDecline}: StatusDeclined,

	{StatusAccepted, EventTxHash}: StatusCompleted,

	{StatusNew, EventCancel}:                    StatusCancelled,
	{StatusMissingBeneficiaryData, EventCancel}: StatusCancelled,
	{StatusIncomplete, EventCancel}:             StatusCancelled,
	{StatusWaitingForInformation, EventCancel}:  StatusCancelled,
	{StatusSent, EventCancel}:                   StatusCancelled,
	{StatusNotReady, EventCancel}:               StatusCancelled,
	{StatusACK, EventCancel}:                    StatusCancelled,
	{StatusAccepted, EventCancel}:               StatusCancelled,
	{StatusWaitingForInformation, EventExpire}:  StatusCancelled,
	{StatusSent, EventExpire}:                   StatusCancelled,
	{StatusNotReady, EventExpire}:               StatusCancelled,
	{StatusACK, EventExpire}:                    StatusCancelled,
}

// TransitionError is returned for an event that is not legal in the transfer's status. The API
// maps it to 409 Conflict.
type TransitionError struct {
	From  Status
	Event Event
}

func (e *TransitionError) Error() string {
	from := string(e.From)
	if e.From == StatusNone {
		from = "(none)"
	}
	return fmt.Sprintf("cannot %s a transfer in status %s", e.Event, from)
}

// Next returns the status that event ev moves a transfer in status from to, or a
// *TransitionError when the move is not legal.
func Next(from Status, ev Event) (Status, error) {
	if to, ok := table[edge{from, ev}]; ok {
		return to, nil
	}
	return "", &TransitionError{From: from, Event: ev}
}

// Allowed lists the events legal in status s, in the order of Events.
func Allowed(s Status) []Event {
	var out []Event
	for _, ev := range Events {
		if _, ok := table[edge{s, ev}]; ok {
			out = append(out, ev)
		}
	}
	return out
}

// Waiting reports whether a transfer in s waits on a counterparty, so a deadline applies.
func Waiting(s Status) bool {
	_, ok := table[edge{s, EventExpire}]
	return ok
}

// Transition is one row of the table.
type Transition struct {
	From  Status
	Event Event
	To    Status
}

// Table returns every legal transition, sorted by source status order then event order.
func Table() []Transition {
	order := map[Status]int{StatusNone: -1}
	for i, s := range Statuses {
		order[s] = i
	}
	evOrder := map[Event]int{}
	for i, e := range Events {
		evOrder[e] = i
	}
	out := make([]Transition, 0, len(table))
	for k, to := range table {
		out = append(out, Transition{From: k.from, Event: k.event, To: to})
	}
	sort.Slice(out, func(i, j int) bool {
		if order[out[i].From] != order[out[j].From] {
			return order[out[i].From] < order[out[j].From]
		}
		return evOrder[out[i].Event] < evOrder[out[j].Event]
	})
	return out
}
