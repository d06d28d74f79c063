package store

import (
	"context"
	"time"

	"github.com/waybill/waybill/internal/transfer"
)

// WebQueries are the queries of the dashboard: users, sessions, sign-in throttling, the review
// inbox and the figures behind its charts.
type WebQueries interface {
	// CreateUser adds a dashboard user; ErrConflict when the e-mail address is taken.
	CreateUser(ctx context.Context, u *User) error
	// UpdateUser writes every field of u but ID, Email and CreatedAt; ErrNotFound when the user
	// does not exist.
	UpdateUser(ctx context.Context, u *User) error
	// GetUser returns ErrNotFound when id is unknown.
	GetUser(ctx context.Context, id string) (*User, error)
	// GetUserByEmail looks a user up by its (lower-case) e-mail address; ErrNotFound when none.
	GetUserByEmail(ctx context.Context, email string) (*User, error)
	// ListUsers lists the users of one VASP, or with an empty vaspID every user of the node
	// (operators included), ordered by e-mail address; at most 1000.
	ListUsers(ctx context.Context, vaspID string) ([]User, error)

	// CreateSession records a new session.
	CreateSession(ctx context.Context, s *Session) error
	// GetSession returns the session whose token hashes to id; ErrNotFound when none (expiry is
	// the caller's to check).
	GetSession(ctx context.Context, id string) (*Session, error)
	// UpdateSession writes a session's VASP, last-seen and expiry times; ErrNotFound when none.
	UpdateSession(ctx context.Context, s *Session) error
	// DeleteSession removes one session; removing an absent one is not an error.
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions removes every session of a user except keepID (empty keeps none).
	DeleteUserSessions(ctx context.Context, userID, keepID string) error
	// DeleteExpiredSessions removes sessions that expired or have been idle since before
	// idleBefore, and returns how many it removed.
	DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) (int64, error)

	// RecordSignInFailure counts a failed sign-in for an e-mail address (known or not) at at:
	// the count restarts at one when the previous failure is older than since. It returns the
	// new count.
	RecordSignInFailure(ctx context.Context, email string, at, since time.Time) (int, error)
	// LockSignIn refuses sign-in for email until until and restarts its failure count.
	LockSignIn(ctx context.Context, email string, until time.Time) error
	// SignInLockedUntil returns until when sign-in is refused for email (zero when it is not).
	SignInLockedUntil(ctx context.Context, email string) (time.Time, error)
	// ClearSignInFailures forgets the failures and any lock of email.
	ClearSignInFailures(ctx context.Context, email string) error

	// ListInbox lists the transfers of one VASP that wait for a person, oldest first (identity
	// not loaded): NEW ones, received ones waiting for our address confirmation or decision
	// (SENT, ACK, NOT_READY on the side that answers), and WAITING_FOR_INFORMATION ones.
	ListInbox(ctx context.Context, f InboxFilter) ([]Transfer, error)
	// CountInbox counts the transfers ListInbox would list without filters, by status.
	CountInbox(ctx context.Context, vaspID string) (map[transfer.Status]int, error)
	// TransfersByDay counts a VASP's transfers created at or after since, by UTC day of creation
	// and current status.
	TransfersByDay(ctx context.Context, vaspID string, since time.Time) ([]DayCount, error)
	// DecisionsByDay counts a VASP's decisions made at or after since, by UTC day, as
	// DecisionQueries.CountDecisions defines them: made without a person (a policy or the
	// system) or by one (a user or an API key).
	DecisionsByDay(ctx context.Context, vaspID string, since time.Time) ([]DecisionDay, error)
}

// Dashboard roles, weakest first. An operator acts as an admin in every hosted VASP.
const (
	// RoleViewer reads everything of its VASP and changes nothing.
	RoleViewer = "viewer"
	// RoleOfficer also acts on transfers and keeps the directory and the address book.
	RoleOfficer = "officer"
	// RoleAdmin also manages policies, webhooks, settings, users and API keys of its VASP.
	RoleAdmin = "admin"
	// RoleOperator is an admin of every hosted VASP and edits the node's reference tables.
	RoleOperator = "operator"
)

// User is a person who signs in to the dashboard.
type User struct {
	ID string
	// VASPID is the VASP the user works for; empty for operators.
	VASPID string
	// Email is the sign-in name, lower case, unique on the node.
	Email string
	// Name is shown in the dashboard and written into the audit trail as the actor's name.
	Name string
	Role string
	// PasswordHash is the argon2id hash in PHC string form.
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastLoginAt  *time.Time
}

// Session is a signed-in browser. The cookie holds a random token; only its hash is stored.
type Session struct {
	// ID is the hex SHA-256 of the session token.
	ID     string
	UserID string
	// VASPID is the VASP the session works on (an operator switches it).
	VASPID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// InboxFilter narrows the review inbox of one VASP. Zero fields do not filter.
type InboxFilter struct {
	VASPID    string
	Direction transfer.Direction
	Statuses  []transfer.Status
	// Query matches ref, id, message id, tx hash or either address exactly (addresses also by
	// their lower-case form); CounterpartyIDs adds the transfers of those counterparties to the
	// matches (a search by counterparty name).
	Query           string
	CounterpartyIDs []string
	// After is the pagination cursor: the id of the last transfer of the previous page.
	After string
	Limit int
}

// DayCount is how many transfers created on one UTC day are now in one status.
type DayCount struct {
	Day    time.Time
	Status transfer.Status
	Count  int
}

// DecisionDay counts one UTC day's decisions, by who made them.
type DecisionDay struct {
	Day       time.Time
	Automated int
	Manual    int
}
