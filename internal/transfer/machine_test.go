package transfer

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// expected is the design's transition list, written out independently of the table so that a
// change to either is caught.
var expected = map[Status]map[Event]Status{
	StatusNone: {EventCreate: StatusNew, EventCreatePartial: StatusMissingBeneficiaryData, EventSave: StatusSaved,
		EventReceive: StatusSent, EventNotify: StatusIncomplete},
	StatusNew: {EventApprove: StatusSent, EventSave: StatusSaved, EventAwaitRoute: StatusWaitingForInformation,
		EventCancel: StatusCancelled},
	StatusMissingBeneficiaryData: {EventComplete: StatusNew, EventCancel: StatusCancelled},
	StatusIncomplete: {EventComplete: StatusNew, EventPartial: StatusMissingBeneficiaryData, EventRequest: StatusSent,
		EventAwaitRoute: StatusWaitingForInformation, EventCancel: StatusCancelled},
	StatusWaitingForInformation: {EventRouteFound: StatusSent, EventCancel: StatusCancelled, EventExpire: StatusCancelled},
	StatusSent: {EventConfirm: StatusACK, EventReject: StatusRejected, EventNotReady: StatusNotReady, EventAccept: StatusAccepted,
		EventDecline: StatusDeclined, EventCancel: StatusCancelled, EventExpire: StatusCancelled},
	StatusNotReady: {EventConfirm: StatusACK, EventReject: StatusRejected, EventAccept: StatusAccepted, EventDecline: StatusDeclined,
		EventCancel: StatusCancelled, EventExpire: StatusCancelled},
	StatusACK: {EventAccept: StatusAccepted, EventDecline: StatusDeclined, EventNotReady: StatusNotReady,
		EventCancel: StatusCancelled, EventExpire: StatusCancelled},
	StatusAccepted:  {EventTxHash: StatusCompleted, EventCancel: StatusCancelled},
	StatusSaved:     {},
	StatusRejected:  {},
	StatusDeclined:  {},
	StatusCancelled: {},
	StatusCompleted: {},
}

// TestEveryPair walks every (status, event) pair, including the pseudo-status of a transfer
// not yet created: legal pairs go where the design says, every other pair is a typed error.
func TestEveryPair(t *testing.T) {
	t.Parallel()
	all := append([]Status{StatusNone}, Statuses...)
	require.Len(t, Statuses, 13)
	for _, s := range all {
		for _, ev := range Events {
			to, err := Next(s, ev)
			want, legal := expected[s][ev]
			if legal {
				require.NoError(t, err, "%s --%s-->", s, ev)
				require.Equal(t, want, to, "%s --%s-->", s, ev)
				continue
			}
			var te *TransitionError
			require.True(t, errors.As(err, &te), "%s --%s--> must be refused", s, ev)
			require.Equal(t, s, te.From)
			require.Equal(t, ev, te.Event)
			require.NotEmpty(t, te.Error())
		}
	}
	n := 0
	for _, m := range expected {
		n += len(m)
	}
	require.Len(t, Table(), n)
}

func TestFinalStatusesHaveNoExit(t *testing.T) {
	t.Parallel()
	for _, s := range Statuses {
		require.Equal(t, s.Final(), len(Allowed(s)) == 0, s)
	}
}

func TestEveryStatusReachable(t *testing.T) {
	t.Parallel()
	reached := map[Status]bool{}
	for _, tr := range Table() {
		reached[tr.To] = true
	}
	for _, s := range Statuses {
		require.True(t, reached[s], "%s is reachable", s)
	}
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	s, err := ParseStatus("ACK")
	require.NoError(t, err)
	require.Equal(t, StatusACK, s)
	_, err = ParseStatus("ack")
	require.Error(t, err)
	require.True(t, Waiting(StatusSent))
	require.False(t, Waiting(StatusAccepted))
}

// TestGoldenDiagram keeps docs/state-diagram.md equal to the table (go test -update rewrites it).
func TestGoldenDiagram(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "docs", "state-diagram.md")
	got := "# Transfer state diagram\n\nGenerated from `internal/transfer/machine.go` by `go test ./internal/transfer -update`;\n" +
		"a test fails when the table and this file differ.\n\n```mermaid\n" + Mermaid() + "```\n"
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), got, "run go test ./internal/transfer -update")
}
