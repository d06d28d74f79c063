// Package audit defines the audit trail: one append-only, hash-chained sequence of events per
// VASP, and the rule that verifies it. It performs no I/O.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Actor types: who caused an event.
const (
	ActorAPIKey = "api_key"
	ActorUser   = "user"
	ActorPeer   = "peer"
	ActorPolicy = "policy"
	ActorSystem = "system"
)

// Actor is who or what caused an event.
type Actor struct {
	Type string `json:"type" enum:"api_key,user,peer,policy,system"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// String renders the actor for logs ("api_key:ak_123").
func (a Actor) String() string { return a.Type + ":" + a.ID }

// Event is one entry of a VASP's audit trail.
type Event struct {
	ID         string          `json:"id"`
	VASPID     string          `json:"vasp_id"`
	Seq        int64           `json:"seq" doc:"Position in the VASP's chain, from 1."`
	TransferID string          `json:"transfer_id,omitempty"`
	Type       string          `json:"type" doc:"What happened, e.g. transfer.status_changed."`
	From       string          `json:"from,omitempty"`
	To         string          `json:"to,omitempty"`
	Actor      Actor           `json:"actor"`
	Reason     string          `json:"reason,omitempty"`
	Data       json.RawMessage `json:"data,omitempty" doc:"Details without personal data (decision, route, message kind)."`
	CreatedAt  time.Time       `json:"created_at"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// ComputeHash returns the chain hash of e after prev: SHA-256 over the previous hash and every
// field of the event, each length-prefixed so no two events encode alike.
func (e *Event) ComputeHash(prev string) string {
	h := sha256.New()
	var buf [8]byte
	write := func(s string) {
		binary.BigEndian.PutUint64(buf[:], uint64(len(s)))
		h.Write(buf[:])
		h.Write([]byte(s))
	}
	write(prev)
	write(e.ID)
	write(e.VASPID)
	binary.BigEndian.PutUint64(buf[:], uint64(e.Seq))
	h.Write(buf[:])
	write(e.TransferID)
	write(e.Type)
	write(e.From)
	write(e.To)
	write(e.Actor.Type)
	write(e.Actor.ID)
	write(e.Actor.Name)
	write(e.Reason)
	write(string(e.Data))
	binary.BigEndian.PutUint64(buf[:], uint64(e.CreatedAt.UnixMicro()))
	h.Write(buf[:])
	return hex.EncodeToString(h.Sum(nil))
}

// Break describes where a chain fails verification.
type Break struct {
	VASPID string
	Seq    int64
	Reason string
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit chain of vasp %s breaks at seq %d: %s", b.VASPID, b.Seq, b.Reason)
}

// Verifier checks a VASP's chain incrementally, events in seq order.
type Verifier struct {
	VASPID string
	seq    int64
	hash   string
}

// Next checks the next event and returns a *Break when it does not follow.
func (v *Verifier) Next(e *Event) error {
	switch {
	case e.VASPID != v.VASPID:
		return &Break{v.VASPID, e.Seq, "event belongs to another vasp"}
	case e.Seq != v.seq+1:
		return &Break{v.VASPID, v.seq + 1, fmt.Sprintf("missing event (next stored is seq %d)", e.Seq)}
	case e.PrevHash != v.hash:
		return &Break{v.VASPID, e.Seq, "prev_hash does not match the previous event"}
	case e.ComputeHash(v.hash) != e.Hash:
		return &Break{v.VASPID, e.Seq, "event content does not match its hash (edited)"}
	}
	v.seq, v.hash = e.Seq, e.Hash
	return nil
}

// Head returns the last verified seq and hash.
func (v *Verifier) Head() (int64, string) { return v.seq, v.hash }

// Finish checks that the chain ends where the recorded head says.
func (v *Verifier) Finish(headSeq int64, headHash string) error {
	if headSeq != v.seq || headHash != v.hash {
		return &Break{v.VASPID, v.seq + 1, fmt.Sprintf("chain ends at seq %d but the head records seq %d (events deleted or head edited)", v.seq, headSeq)}
	}
	return nil
}
