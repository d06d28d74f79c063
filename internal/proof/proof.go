// Package proof verifies that a customer controls an unhosted (self-hosted) wallet address, for
// the Travel Rule's unhosted-wallet checks (EU TFR art. 14(5) and 16(2): proof of ownership
// above EUR 1 000). It checks four kinds of proof: an EIP-191 signed message (EVM chains), a
// BIP-137 signed message and a BIP-322 "simple" signature (Bitcoin), and a self-declaration.
//
// It is pure: no I/O, no clock, no chain access, no storage. It must not decide what a transfer
// needs (that is policy) and must not hold keys or sign anything. Its errors and reasons never
// contain personal data: not the declarant's name, not the message text, not the signature.
package proof

import (
	"errors"
	"strings"
	"time"

	"github.com/waybill/waybill/internal/address"
)

// Type is the kind of ownership proof.
type Type string

// The proof types Verify understands.
const (
	// TypeEIP191 is an Ethereum personal_sign signature (EIP-191 version 0x45) over Message by
	// the key of an EVM address; Signature is r||s||v in hex.
	TypeEIP191 Type = "eip191"
	// TypeBIP137 is a Bitcoin "Signed Message" compact signature (BIP-137, the format of
	// Bitcoin Core's signmessage and of most wallets); Signature is base64 of 65 bytes.
	TypeBIP137 Type = "bip137"
	// TypeBIP322 is a BIP-322 "simple" signature for a P2WPKH or P2TR address: Signature is
	// base64 of the serialized witness stack.
	TypeBIP322 Type = "bip322"
	// TypeDeclaration is the customer's signed statement that the address is theirs. It is
	// checked for completeness only and proves nothing cryptographically: the weakest kind.
	TypeDeclaration Type = "declaration"
)

// Strength says how much a verified proof shows.
type Strength string

// The strengths of proofs, strongest first.
const (
	// StrengthCryptographic means the holder of the address's key signed the message.
	StrengthCryptographic Strength = "cryptographic"
	// StrengthDeclared means the customer said so; nothing was checked against the chain.
	StrengthDeclared Strength = "declared"
)

// Declaration is the customer's statement for TypeDeclaration: who declares, when, and whether
// they accepted the statement in Proof.Message.
type Declaration struct {
	Name     string    `json:"name"`
	Date     time.Time `json:"date"`
	Accepted bool      `json:"accepted"`
}

// Proof is one ownership proof as submitted by the backend or the customer.
type Proof struct {
	Type    Type   `json:"type"`
	Network string `json:"network"`
	Address string `json:"address"`
	// Message is the signed text (or, for a declaration, the statement accepted). It must
	// mention Address unless the scheme binds the address itself (BIP-322 does).
	Message string `json:"message"`
	// Signature is hex (eip191) or base64 (bip137, bip322); empty for a declaration.
	Signature   string       `json:"signature,omitempty"`
	Declaration *Declaration `json:"declaration,omitempty"`
}

// Result is the outcome of a well-formed proof.
type Result struct {
	Verified bool `json:"verified"`
	Type     Type `json:"type"`
	// Method names the scheme and address kind that was checked, e.g. "bip322/p2tr".
	Method string `json:"method"`
	// Strength is set when Verified.
	Strength Strength `json:"strength,omitempty"`
	// Reason explains the outcome in one sentence, for the audit trail and the reviewer.
	Reason string `json:"reason"`
}

// ErrMalformed is matched (errors.Is) by every *FieldError.
var ErrMalformed = errors.New("malformed proof")

// FieldError reports a proof that cannot be checked because a field is missing or malformed.
// Reason never contains the field's value.
type FieldError struct {
	Field  string
	Reason string
}

// Error returns e.g. "proof: signature: must be 65 bytes".
func (e *FieldError) Error() string { return "proof: " + e.Field + ": " + e.Reason }

// Unwrap returns ErrMalformed.
func (e *FieldError) Unwrap() error { return ErrMalformed }

func malformed(field, reason string) *FieldError {
	return &FieldError{Field: field, Reason: reason}
}

// Limits on input sizes, so that a hostile proof costs little to refuse.
const (
	maxMessage   = 16 << 10
	maxSignature = 4 << 10
)

// Verify checks p. It returns an error (a *FieldError) only when p cannot be checked: unknown
// type, unsupported network for the type, invalid address, missing or undecodable fields. A
// well-formed proof that fails (another key signed, the message was changed, the message does
// not name the address, the declaration was not accepted) gives Verified false and a Reason.
func Verify(p Proof) (Result, error) {
	switch p.Type {
	case TypeEIP191, TypeBIP137, TypeBIP322, TypeDeclaration:
	case "":
		return Result{}, malformed("type", "is missing")
	default:
		return Result{}, malformed("type", "must be one of eip191, bip137, bip322, declaration")
	}
	if err := checkCommon(p); err != nil {
		return Result{}, err
	}
	switch p.Type {
	case TypeEIP191:
		return verifyEIP191(p)
	case TypeBIP137:
		return verifyBIP137(p)
	case TypeBIP322:
		return verifyBIP322(p)
	}
	return verifyDeclaration(p)
}

// checkCommon checks what every type needs: a network the type supports, a valid address, and
// inputs of bounded size.
func checkCommon(p Proof) *FieldError {
	if p.Network == "" {
		return malformed("network", "is missing")
	}
	if !address.IsSupported(p.Network) {
		return malformed("network", "is not a supported network")
	}
	switch p.Type {
	case TypeEIP191:
		if !address.IsEVM(p.Network) {
			return malformed("network", "eip191 proofs are for EVM networks")
		}
	case TypeBIP137, TypeBIP322:
		if p.Network != address.Bitcoin {
			return malformed("network", string(p.Type)+" proofs are for bitcoin")
		}
	}
	if err := address.Validate(p.Network, p.Address); err != nil {
		var ae *address.Error
		if errors.As(err, &ae) {
			return malformed("address", ae.Reason)
		}
		return malformed("address", "is not valid")
	}
	if len(p.Message) > maxMessage {
		return malformed("message", "is too long")
	}
	if len(p.Signature) > maxSignature {
		return malformed("signature", "is too long")
	}
	if p.Type != TypeDeclaration && strings.TrimSpace(p.Signature) == "" {
		return malformed("signature", "is missing")
	}
	return nil
}

// mentionsAddress reports whether the message names the address: case-insensitively where case
// carries no meaning (EVM hex, bech32), exactly for base58.
func mentionsAddress(network, addr, msg string) bool {
	key := address.Key(network, addr)
	if key == strings.ToLower(key) || address.IsEVM(network) {
		return strings.Contains(strings.ToLower(msg), strings.ToLower(key))
	}
	return strings.Contains(msg, key)
}

const reasonNoMention = "the message does not mention the address, so the signature could have been made for another purpose"

// Reasons shared by the signature schemes.
const (
	reasonOtherKey = "the signature was made by a key that does not control the address"
	reasonBadSig   = "the signature is not valid for this message"
)
