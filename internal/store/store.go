// Package store is the storage contract of waybill: the records it keeps, the queries the engine
// and the surfaces need, and the errors they return. It imports no database driver; the
// sqlstore package implements it over database/sql, and the sqlite and postgres packages open
// it with their drivers and migrations.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

var (
	// ErrNotFound is returned when the record asked for does not exist (or belongs to another
	// VASP).
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a write would break a uniqueness rule (a ref or message id
	// already used, an address already in the book, an inbound message already seen).
	ErrConflict = errors.New("conflict")
	// ErrStale is returned by a compare-and-set update when the record's version moved on.
	ErrStale = errors.New("stale version")
)

// Store is a database holding everything a node keeps.
type Store interface {
	// InTx runs fn in one read-write transaction, committed when fn returns nil and rolled back
	// otherwise. fn must do all its database work through the Tx it is given.
	InTx(ctx context.Context, fn func(Tx) error) error
	// Read returns queries over read-only connections; write methods fail on it.
	Read() Tx
	// Dialect names the database: "sqlite" or "postgres".
	Dialect() string
	// Ping checks the database answers.
	Ping(ctx context.Context) error
	// Close releases the connections.
	Close() error
}

// Transfer is a transfer as stored: the domain record without identity data, the sealed
// identity, and the hash of the create request (for ref idempotency).
type Transfer struct {
	transfer.Transfer
	// Identity is the sealed (keyring) JSON of the identity data; nil when none.
	Identity []byte
	// RequestHash is the SHA-256 of the canonical create request, for ref idempotency.
	RequestHash string
	// DestinationKey is the lookup form of DestinationAddress (deposit matching).
	DestinationKey string
}

// TransferFilter selects transfers of one VASP. Zero fields do not filter.
type TransferFilter struct {
	VASPID         string
	Statuses       []transfer.Status
	Direction      transfer.Direction
	Network        string
	Symbol         string
	CounterpartyID string
	CreatedAfter   time.Time
	CreatedBefore  time.Time
	// Query matches ref, tx hash, message id or either address exactly.
	Query string
	// After is the pagination cursor: the id of the last transfer of the previous page.
	After string
	// OldestFirst orders by creation ascending (the review inbox) instead of newest first.
	OldestFirst bool
	Limit       int
}

// DepositMatch asks for the transfer a deposit belongs to.
type DepositMatch struct {
	VASPID      string
	TxHash      string
	Network     string
	Symbol      string
	Destination string // address key
	Amount      decimal.Decimal
	Since       time.Time
}

// APIKey is a credential of one VASP (or, with an empty VASPID, of the node's administrator).
type APIKey struct {
	ID        string     `json:"id"`
	VASPID    string     `json:"vasp_id,omitempty"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix" doc:"The first characters of the key, to recognise it."`
	Hash      string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Job is a unit of background work: an outbound message, a webhook delivery, a timer. Jobs are
// inserted in the same transaction as the state change that causes them.
type Job struct {
	ID   int64
	Kind string
	// Key orders jobs: a job runs only after every earlier job with the same key has finished
	// (webhooks per endpoint and transfer, messages per transfer). Empty means unordered.
	Key         string
	Payload     json.RawMessage
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	CreatedAt   time.Time
	LastError   string
}

// Attribution says which counterparty owns an address, and how we know.
type Attribution struct {
	VASPID         string    `json:"-"`
	Network        string    `json:"network"`
	Address        string    `json:"address"`
	CounterpartyID string    `json:"counterparty_id"`
	Source         string    `json:"source" doc:"hosted_wallet, confirmed_transfer or attribution_list."`
	Confidence     string    `json:"confidence" enum:"confirmed,likely" doc:"confirmed: the owner said so; likely: inferred."`
	UpdatedAt      time.Time `json:"updated_at"`
}

// WebhookEndpoint is where a VASP's backend receives events.
type WebhookEndpoint struct {
	ID          string    `json:"id"`
	VASPID      string    `json:"vasp_id"`
	URL         string    `json:"url"`
	Description string    `json:"description,omitempty"`
	Events      []string  `json:"events" doc:"Event types delivered; empty means all."`
	Enabled     bool      `json:"enabled"`
	Secrets     []byte    `json:"-"` // sealed JSON list of secrets
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailing   = "failing"
	DeliveryDead      = "dead"
)

// Delivery is one event to one endpoint, with the outcome of its last attempt.
type Delivery struct {
	ID             string          `json:"id" doc:"The webhook-id header: stable across retries."`
	VASPID         string          `json:"vasp_id"`
	EndpointID     string          `json:"endpoint_id"`
	EventType      string          `json:"event_type"`
	TransferID     string          `json:"transfer_id,omitempty"`
	Payload        json.RawMessage `json:"payload"`
	State          string          `json:"state" enum:"pending,delivered,failing,dead"`
	Attempts       int             `json:"attempts"`
	LastStatusCode int             `json:"last_status_code,omitempty"`
	LastError      string          `json:"last_error,omitempty"`
	LastResponse   string          `json:"last_response,omitempty" doc:"The start of the last response body."`
	NextAttemptAt  *time.Time      `json:"next_attempt_at,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	DeliveredAt    *time.Time      `json:"delivered_at,omitempty"`
}

// DeliveryFilter selects deliveries of one VASP.
type DeliveryFilter struct {
	VASPID     string
	EndpointID string
	State      string
	TransferID string
	After      string
	Limit      int
}

// Message is one protocol message exchanged about a transfer, kept for the transfer's history.
type Message struct {
	ID         string    `json:"id"`
	VASPID     string    `json:"vasp_id"`
	TransferID string    `json:"transfer_id"`
	Direction  string    `json:"direction" enum:"in,out"`
	Route      string    `json:"route"`
	Kind       string    `json:"kind"`
	State      string    `json:"state" enum:"queued,sent,failed,received"`
	Detail     string    `json:"detail,omitempty"`
	Sealed     []byte    `json:"-"` // protocol payload as sent or received, sealed
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Asset is a row of the asset catalogue: what a (network, symbol) pair is and how many decimals
// its amounts carry.
type Asset struct {
	Network  string `json:"network"`
	Symbol   string `json:"symbol"`
	Name     string `json:"name,omitempty"`
	Decimals int32  `json:"decimals"`
	DTI      string `json:"dti,omitempty"`
	// SLIP44 is the SLIP-0044 coin type of the network's native coin, or -1.
	SLIP44 int32 `json:"slip44"`
}

// Tx is every query, inside one transaction (or, from Store.Read, outside one for reads).
// Each capability's queries are declared in a file of their own and embedded here.
type Tx interface {
	DecisionQueries
	PeerQueries
	WebQueries

	// VASPs.
	CreateVASP(ctx context.Context, v *vasp.VASP, wrappedKey []byte) error
	UpdateVASP(ctx context.Context, v *vasp.VASP) error
	// GetVASP returns ErrNotFound when id is unknown.
	GetVASP(ctx context.Context, id string) (*vasp.VASP, error)
	ListVASPs(ctx context.Context) ([]vasp.VASP, error)
	// DataKey returns the wrapped data key of a VASP, or ErrNotFound.
	DataKey(ctx context.Context, vaspID string) ([]byte, error)

	// API keys.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// GetAPIKeyByHash returns ErrNotFound for unknown or revoked keys.
	GetAPIKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	ListAPIKeys(ctx context.Context, vaspID string) ([]APIKey, error)
	// RevokeAPIKey returns ErrNotFound when the key is unknown or already revoked.
	RevokeAPIKey(ctx context.Context, id string, at time.Time) error

	// Transfers. CreateTransfer returns ErrConflict when the ref or message id is taken.
	CreateTransfer(ctx context.Context, t *Transfer) error
	// UpdateTransfer writes t when the stored version is prevVersion, else ErrStale.
	UpdateTransfer(ctx context.Context, t *Transfer, prevVersion int) error
	// GetTransfer returns ErrNotFound when id is unknown to vaspID.
	GetTransfer(ctx context.Context, vaspID, id string) (*Transfer, error)
	GetTransferByRef(ctx context.Context, vaspID, ref string) (*Transfer, error)
	GetTransferByMessageID(ctx context.Context, vaspID, messageID string) (*Transfer, error)
	// MatchDeposit finds the incoming transfer a deposit belongs to: by hash (any status), else
	// a not final one without a hash by asset, destination and amount created since m.Since
	// (oldest first). It also says how it matched ("tx_hash" or "amount"). ErrNotFound when none.
	MatchDeposit(ctx context.Context, m DepositMatch) (*Transfer, string, error)
	// FindIncomplete returns the oldest incoming INCOMPLETE or MISSING_BENEFICIARY_DATA transfer
	// of a deposit that matches: by hash when given, else by asset, destination and amount.
	// ErrNotFound when none.
	FindIncomplete(ctx context.Context, m DepositMatch) (*Transfer, error)
	// ListTransfers returns at most f.Limit transfers (identity not loaded).
	ListTransfers(ctx context.Context, f TransferFilter) ([]Transfer, error)
	// CountTransfers counts transfers by status for a VASP (statuses with no transfer omitted).
	CountTransfers(ctx context.Context, vaspID string, direction transfer.Direction) (map[transfer.Status]int, error)
	// ListAwaitingRoute lists WAITING_FOR_INFORMATION transfers of a counterparty.
	ListAwaitingRoute(ctx context.Context, vaspID, counterpartyID string, limit int) ([]Transfer, error)

	// Deposits. CreateDeposit returns ErrConflict when the ref is taken.
	CreateDeposit(ctx context.Context, d *transfer.Deposit, requestHash string) error
	GetDeposit(ctx context.Context, vaspID, id string) (*transfer.Deposit, error)
	// GetDepositByRef also returns the request hash stored with it.
	GetDepositByRef(ctx context.Context, vaspID, ref string) (*transfer.Deposit, string, error)
	ListDeposits(ctx context.Context, vaspID, after string, limit int) ([]transfer.Deposit, error)

	// Audit. AppendAudit assigns Seq, PrevHash and Hash and appends events, in order, to their
	// VASPs' chains.
	AppendAudit(ctx context.Context, events ...*audit.Event) error
	ListAudit(ctx context.Context, vaspID, transferID string, limit int) ([]audit.Event, error)
	// AuditRange returns a VASP's events with seq > afterSeq in order, at most limit.
	AuditRange(ctx context.Context, vaspID string, afterSeq int64, limit int) ([]audit.Event, error)
	// AuditHead returns the recorded head of a VASP's chain.
	AuditHead(ctx context.Context, vaspID string) (int64, string, error)

	// Jobs. Enqueue inserts jobs (ID and CreatedAt are set).
	Enqueue(ctx context.Context, jobs ...*Job) error
	// ClaimJobs leases up to limit runnable jobs of the given kinds until leaseUntil: jobs due by
	// now, not behind an earlier job with the same key, not leased by another worker.
	ClaimJobs(ctx context.Context, kinds []string, now, leaseUntil time.Time, limit int) ([]Job, error)
	// CompleteJobs deletes finished jobs.
	CompleteJobs(ctx context.Context, ids ...int64) error
	// RetryJob releases a job to run again at runAt, recording the error.
	RetryJob(ctx context.Context, id int64, runAt time.Time, lastError string) error
	// NextJobAt returns when the earliest job of the given kinds becomes due, or zero when none.
	NextJobAt(ctx context.Context, kinds []string) (time.Time, error)
	// CountJobs counts queued jobs by kind.
	CountJobs(ctx context.Context) (map[string]int, error)

	// Inbound messages: RecordInbound returns ErrConflict when (vasp, route, message id, kind)
	// was already recorded.
	RecordInbound(ctx context.Context, vaspID, route, messageID, kind string, at time.Time) error
	// Message history.
	CreateMessage(ctx context.Context, m *Message) error
	UpdateMessage(ctx context.Context, m *Message) error
	ListMessages(ctx context.Context, vaspID, transferID string) ([]Message, error)

	// Wallets. CreateWallet returns ErrConflict when the address is already in the book.
	CreateWallet(ctx context.Context, w *vasp.Wallet, addressKey string, sealedName []byte) error
	GetWallet(ctx context.Context, vaspID, id string) (*vasp.Wallet, []byte, error)
	// FindWallet looks an address up in one VASP's book; ErrNotFound when absent.
	FindWallet(ctx context.Context, vaspID, network, addressKey string) (*vasp.Wallet, []byte, error)
	// FindHostedWallet looks an address up in every hosted VASP's book.
	FindHostedWallet(ctx context.Context, network, addressKey string) (*vasp.Wallet, error)
	ListWallets(ctx context.Context, vaspID, after string, limit int) ([]vasp.Wallet, error)
	DeleteWallet(ctx context.Context, vaspID, id string) error

	// Counterparties.
	CreateCounterparty(ctx context.Context, c *counterparty.Counterparty) error
	UpdateCounterparty(ctx context.Context, c *counterparty.Counterparty) error
	GetCounterparty(ctx context.Context, vaspID, id string) (*counterparty.Counterparty, error)
	// FindHostedCounterparty returns vaspID's directory entry for the hosted VASP hostedID.
	FindHostedCounterparty(ctx context.Context, vaspID, hostedID string) (*counterparty.Counterparty, error)
	FindCounterpartyByLEI(ctx context.Context, vaspID, lei string) (*counterparty.Counterparty, error)
	ListCounterparties(ctx context.Context, vaspID, after string, limit int) ([]counterparty.Counterparty, error)
	DeleteCounterparty(ctx context.Context, vaspID, id string) error

	// Address attribution (routing knowledge).
	UpsertAttribution(ctx context.Context, a *Attribution, addressKey string) error
	FindAttribution(ctx context.Context, vaspID, network, addressKey string) (*Attribution, error)

	// Webhooks.
	CreateEndpoint(ctx context.Context, e *WebhookEndpoint) error
	UpdateEndpoint(ctx context.Context, e *WebhookEndpoint) error
	GetEndpoint(ctx context.Context, vaspID, id string) (*WebhookEndpoint, error)
	ListEndpoints(ctx context.Context, vaspID string) ([]WebhookEndpoint, error)
	DeleteEndpoint(ctx context.Context, vaspID, id string) error
	CreateDelivery(ctx context.Context, d *Delivery) error
	UpdateDelivery(ctx context.Context, d *Delivery) error
	GetDelivery(ctx context.Context, vaspID, id string) (*Delivery, error)
	ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)

	// Reference tables.
	UpsertJurisdiction(ctx context.Context, j *policy.Jurisdiction) error
	GetJurisdiction(ctx context.Context, code string) (*policy.Jurisdiction, error)
	ListJurisdictions(ctx context.Context) ([]policy.Jurisdiction, error)
	UpsertFXRate(ctx context.Context, r *policy.FXRate) error
	DeleteFXRate(ctx context.Context, base, quote string) error
	ListFXRates(ctx context.Context) ([]policy.FXRate, error)
	UpsertAsset(ctx context.Context, a *Asset) error
	GetAsset(ctx context.Context, network, symbol string) (*Asset, error)
	ListAssets(ctx context.Context) ([]Asset, error)
}
