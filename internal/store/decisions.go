package store

import (
	"context"
	"time"

	"github.com/waybill/waybill/internal/policy"
)

// ScreeningList is one imported version of a screening list. Its compiled form (a
// screening.WriteSnapshot) is kept in the database in chunks, so every replica loads the same
// lists; only the active version of each name is screened against.
type ScreeningList struct {
	ID      string `json:"id"`
	Name    string `json:"name" doc:"List name, e.g. ofac-sdn."`
	Version string `json:"version" doc:"Version id: the publication date, or a content hash prefix."`
	Format  string `json:"format" doc:"Source format: csv, ofac-sdn or ofac-sdn-advanced."`
	// Entries counts (address, entry) pairs; Entities distinct entities.
	Entries  int64  `json:"entries"`
	Entities int64  `json:"entities"`
	Hash     string `json:"hash,omitempty" doc:"sha256 of the imported source."`
	// Published is the source's publication date, when it states one.
	Published  *time.Time `json:"published,omitempty"`
	ImportedAt time.Time  `json:"imported_at"`
	// Bytes is the size of the stored snapshot.
	Bytes  int64 `json:"bytes"`
	Active bool  `json:"active" doc:"Whether this is the version screened against."`
}

// DecisionCount is how many decisions of one kind were made in a window: the status the
// transfer went to, and whether a person made it.
type DecisionCount struct {
	Direction string `json:"direction"`
	To        string `json:"to" doc:"The status the decision moved the transfer to."`
	Automated bool   `json:"automated" doc:"Made by a policy or the VASP's default, not a person."`
	Count     int    `json:"count"`
}

// DecisionQueries are the queries of the decisions capability: policies, decision settings,
// screening lists, decision statistics.
type DecisionQueries interface {
	// CreatePolicySet stores a new version of a VASP's policy set for a direction; ErrConflict
	// when that version exists (another writer saved first).
	CreatePolicySet(ctx context.Context, s *policy.Set) error
	// GetPolicySet returns one version of a set, the latest when version is 0; ErrNotFound when
	// the VASP never saved one.
	GetPolicySet(ctx context.Context, vaspID, direction string, version int) (*policy.Set, error)
	// PolicySetVersion returns the latest version of a set, 0 when none was saved.
	PolicySetVersion(ctx context.Context, vaspID, direction string) (int, error)

	// GetDecisionSettings returns a VASP's decision settings; ErrNotFound when never set.
	GetDecisionSettings(ctx context.Context, vaspID string) (*policy.DecisionSettings, error)
	// PutDecisionSettings replaces a VASP's decision settings.
	PutDecisionSettings(ctx context.Context, vaspID string, s *policy.DecisionSettings, at time.Time) error

	// CreateScreeningList records a list version (inactive) before its chunks are written;
	// ErrConflict when the id is taken.
	CreateScreeningList(ctx context.Context, l *ScreeningList) error
	// PutScreeningListChunk stores chunk seq (from 0) of a list version's snapshot.
	PutScreeningListChunk(ctx context.Context, listID string, seq int, data []byte) error
	// ActivateScreeningList makes a version the active one of its name, deactivates the others
	// and deletes every version of the name but the active and the one it replaced. ErrNotFound
	// when the id is unknown.
	ActivateScreeningList(ctx context.Context, id string, bytes int64) error
	// ListScreeningLists returns the list versions, newest first (only active ones when
	// activeOnly).
	ListScreeningLists(ctx context.Context, activeOnly bool) ([]ScreeningList, error)
	// ReadScreeningList calls fn with each chunk of a version's snapshot, in order.
	ReadScreeningList(ctx context.Context, id string, fn func(chunk []byte) error) error
	// DeleteScreeningList removes a version and its chunks; ErrNotFound when unknown.
	DeleteScreeningList(ctx context.Context, id string) error

	// CountDecisions counts a VASP's decisions made in [since, until) from its audit trail: the
	// moves that release or stop a withdrawal (NEW to SENT, WAITING_FOR_INFORMATION, SAVED or
	// CANCELLED, and creation straight to SAVED) and the answers to a received transfer
	// (to ACCEPTED, DECLINED, NOT_READY or REJECTED), by who made them (a policy or the system,
	// or a person: a user or an API key). Moves caused by the counterparty are not decisions.
	CountDecisions(ctx context.Context, vaspID string, since, until time.Time) ([]DecisionCount, error)
}
