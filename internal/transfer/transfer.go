package transfer

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/ivms"
)

// Route names how messages about a transfer reach the counterparty.
type Route string

const (
	// RouteNone means no route reaches the counterparty (yet).
	RouteNone Route = ""
	// RouteInternal hands messages to another VASP hosted on this node.
	RouteInternal Route = "internal"
	// RouteTRP speaks the OpenVASP Travel Rule Protocol.
	RouteTRP Route = "trp"
	// RouteTRISA speaks the TRISA gRPC protocol.
	RouteTRISA Route = "trisa"
	// RouteEmail reaches the counterparty's compliance contact by e-mail ("sunrise").
	RouteEmail Route = "email"
)

// Asset identifies what moves: a network (chain) and a symbol on it, with an optional ISO 24165
// Digital Token Identifier.
type Asset struct {
	Network string `json:"network" doc:"Network (chain) name, lower case, e.g. bitcoin, ethereum, tron." example:"ethereum"`
	Symbol  string `json:"symbol" doc:"Asset symbol on that network, upper case." example:"USDC"`
	DTI     string `json:"dti,omitempty" doc:"ISO 24165 Digital Token Identifier, when known."`
}

// FiatValue is the transfer's value in a fiat currency, given by the caller or converted from
// the amount with the FX table.
type FiatValue struct {
	Currency string          `json:"currency" doc:"ISO 4217 currency code." example:"EUR"`
	Amount   decimal.Decimal `json:"amount" doc:"Value as a decimal string."`
	Source   string          `json:"source" enum:"given,converted" doc:"Whether the caller gave the value or waybill converted it."`
	Rate     string          `json:"rate,omitempty" doc:"The rate used, when converted (FX table row)."`
}

// VASPRef names a VASP taking part in a transfer.
type VASPRef struct {
	ID      string `json:"id,omitempty" doc:"Hosted VASP id or counterparty id on this node."`
	Name    string `json:"name,omitempty"`
	LEI     string `json:"lei,omitempty"`
	Country string `json:"country,omitempty"`
}

// Threshold records which rule decided whether the Travel Rule applies, and why.
type Threshold struct {
	Applies             bool            `json:"applies" doc:"Whether the Travel Rule exchange is required."`
	Jurisdiction        string          `json:"jurisdiction" doc:"The jurisdiction whose rule applied (the stricter of the two)."`
	Amount              decimal.Decimal `json:"amount" doc:"Threshold amount."`
	Currency            string          `json:"currency" doc:"Threshold currency."`
	Value               *FiatValue      `json:"value,omitempty" doc:"The transfer's value in the threshold currency, when known."`
	Reason              string          `json:"reason" doc:"Why the rule applied or not."`
	RequiredOriginator  []string        `json:"required_originator,omitempty" doc:"IVMS101 originator fields required."`
	RequiredBeneficiary []string        `json:"required_beneficiary,omitempty" doc:"IVMS101 beneficiary fields required."`
	Source              string          `json:"source,omitempty" doc:"Legal source of the rule."`
}

// ScreeningResult is the outcome of screening one address, in the shape of GTR's
// screeningResult.
type ScreeningResult struct {
	Address     string           `json:"address"`
	Role        string           `json:"role" enum:"origin,destination"`
	Status      string           `json:"screening_status" enum:"NONE,COMPLETED,ERROR,TIMEOUT"`
	RiskScore   *decimal.Decimal `json:"risk_score,omitempty" doc:"0 (none) to 10 (severe)."`
	RiskTags    []string         `json:"risk_tags,omitempty"`
	MatchedList string           `json:"matched_list,omitempty" doc:"List and version that matched."`
	Entity      string           `json:"entity,omitempty" doc:"Entity found for the address."`
	EntityID    string           `json:"entity_id,omitempty" doc:"The list's identifier of the entity found (an OFAC SDN uid), when it gives one."`
	Message     string           `json:"message,omitempty"`
}

// Decision records who or what decided the transfer's next step, and what it matched.
type Decision struct {
	Action  string   `json:"action" enum:"approve,review,reject,not_ready" doc:"What was decided."`
	Source  string   `json:"source" doc:"What decided: default (the VASP setting), policy, or a person."`
	Policy  string   `json:"policy,omitempty" doc:"The policy that won, when a policy decided."`
	Matched []string `json:"matched,omitempty" doc:"Every policy that matched."`
	Reason  string   `json:"reason,omitempty"`
	// Inputs is kept as the JSON the decider wrote: it is stored, shown and audited, never
	// read field by field, and decoding it into maps on every load was costly.
	Inputs    json.RawMessage `json:"inputs,omitempty" doc:"The inputs the decision saw (no personal data): the facts the policies read and each policy's evaluation."`
	DecidedAt time.Time       `json:"decided_at"`
}

// FieldVerdict is the name-match verdict for one field, as GTR reports PII verification.
type FieldVerdict struct {
	Field   string  `json:"field"`
	Verdict string  `json:"verdict" enum:"match,mismatch,missing"`
	Score   float64 `json:"score"`
}

// NameMatch is the result of comparing received names with the customer's KYC name.
type NameMatch struct {
	Verdict string         `json:"verdict" enum:"match,mismatch,missing"`
	Fields  []FieldVerdict `json:"fields"`
	// Score and Threshold are the overall score in [0, 1] and the threshold it was held to.
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	// Explanation says how the verdict was reached, without any part of either name.
	Explanation string `json:"explanation,omitempty" doc:"How the verdict was reached (passes used, tokens dropped); never contains a name."`
}

// OwnershipProof records the check of a proof that our customer controls an unhosted wallet
// (EIP-191, BIP-137 or BIP-322 signed message, or a declaration). The proof itself is kept with
// the identity data, encrypted; this record holds no personal data.
type OwnershipProof struct {
	Type     string `json:"type" enum:"eip191,bip137,bip322,declaration"`
	Address  string `json:"address" doc:"The address the proof is about."`
	Verified bool   `json:"verified"`
	// Method names the scheme and address kind checked, e.g. bip322/p2tr.
	Method   string `json:"method,omitempty"`
	Strength string `json:"strength,omitempty" enum:"cryptographic,declared" doc:"cryptographic: the key's holder signed; declared: the customer said so."`
	Reason   string `json:"reason,omitempty"`
	// Required says a jurisdiction's unhosted-wallet rule asked for the proof.
	Required   bool      `json:"required" doc:"Whether a jurisdiction's unhosted-wallet rule required a proof for this transfer."`
	Rule       string    `json:"rule,omitempty" doc:"The rule that required it, e.g. EU: proof above EUR 1,000."`
	VerifiedAt time.Time `json:"verified_at"`
}

// Transfer is one Travel Rule message about one on-chain transfer, as one VASP holds it. The
// counterparty's record of the same movement shares MessageID.
type Transfer struct {
	ID                 string            `json:"id"`
	VASPID             string            `json:"vasp_id"`
	Ref                string            `json:"ref,omitempty" doc:"The caller's reference, unique per VASP; the idempotency key of create."`
	MessageID          string            `json:"message_id" doc:"Shared by both VASPs' records of this movement."`
	Direction          Direction         `json:"direction" enum:"outgoing,incoming"`
	Status             Status            `json:"status"`
	StatusReason       string            `json:"status_reason,omitempty"`
	Route              Route             `json:"route,omitempty" enum:"internal,trp,trisa,email"`
	PostTransaction    bool              `json:"post_transaction" doc:"The chain transaction came first (a deposit or a transfer created with its hash)."`
	Initiator          string            `json:"initiator" enum:"originator,beneficiary" doc:"Which VASP started the Travel Rule exchange: the originator (pre-transaction) or the beneficiary (a post-transaction request)."`
	Asset              Asset             `json:"asset"`
	Amount             decimal.Decimal   `json:"amount" doc:"Decimal string in whole units of the asset."`
	FiatValue          *FiatValue        `json:"fiat_value,omitempty"`
	OriginAddress      string            `json:"origin_address,omitempty"`
	DestinationAddress string            `json:"destination_address"`
	Memo               string            `json:"memo,omitempty" doc:"Memo or destination tag."`
	TxHash             string            `json:"tx_hash,omitempty"`
	Unhosted           bool              `json:"unhosted" doc:"The counterparty wallet is self-custodied."`
	Kind               string            `json:"kind,omitempty" enum:"TRAVELRULE,BELOW_THRESHOLD,NON_CUSTODIAL,INTERNAL" doc:"For withdrawals: whether the transfer needs a Travel Rule exchange (TRAVELRULE) or is kept without one, and why."`
	OwnershipProof     *OwnershipProof   `json:"ownership_proof,omitempty" doc:"The check of the proof that the customer controls the unhosted wallet."`
	AddressConfirmed   bool              `json:"address_confirmed" doc:"The beneficiary VASP confirmed it controls the destination address (the transfer reached ACK)."`
	IdentityWithheld   bool              `json:"identity_withheld,omitempty" doc:"Set on a received transfer whose address you have not confirmed: its identity data is shown once you do (confirm, or accept)."`
	Originator         *ivms.Originator  `json:"originator,omitempty" doc:"IVMS101 originator."`
	Beneficiary        *ivms.Beneficiary `json:"beneficiary,omitempty" doc:"IVMS101 beneficiary."`
	CustomerName       string            `json:"customer_name,omitempty" doc:"Our customer's KYC name, given by the backend, for name matching."`
	OriginatingVASP    *VASPRef          `json:"originating_vasp,omitempty"`
	BeneficiaryVASP    *VASPRef          `json:"beneficiary_vasp,omitempty"`
	CounterpartyID     string            `json:"counterparty_id,omitempty"`
	Threshold          *Threshold        `json:"threshold,omitempty"`
	Screening          []ScreeningResult `json:"screening,omitempty"`
	Decision           *Decision         `json:"decision,omitempty"`
	NameMatch          *NameMatch        `json:"name_match,omitempty"`
	CreatedAt          time.Time         `json:"created_at"`
	UpdatedAt          time.Time         `json:"updated_at"`
	ExpiresAt          *time.Time        `json:"expires_at,omitempty"`
	Version            int               `json:"version" doc:"Increases with every change; the compare-and-set token."`
}

// CounterpartyVASP returns the reference to the other VASP: the beneficiary VASP of an outgoing
// transfer, the originating VASP of an incoming one.
func (t *Transfer) CounterpartyVASP() *VASPRef {
	if t.Direction == Outgoing {
		return t.BeneficiaryVASP
	}
	return t.OriginatingVASP
}

// Initiators.
const (
	InitiatorOriginator  = "originator"
	InitiatorBeneficiary = "beneficiary"
)

// WeInitiated reports whether this record's VASP started the exchange, so the next move after
// sending belongs to the counterparty.
func (t *Transfer) WeInitiated() bool {
	if t.Initiator == InitiatorBeneficiary {
		return t.Direction == Incoming
	}
	return t.Direction == Outgoing
}

// OurAddress is the address on our side: the origin of a withdrawal, the destination of a
// deposit.
func (t *Transfer) OurAddress() string {
	if t.Direction == Outgoing {
		return t.OriginAddress
	}
	return t.DestinationAddress
}
