package transfer

import (
	"time"

	"github.com/shopspring/decimal"
)

// Deposit is a deposit notification from the backend: a chain transaction that reached one of
// our addresses. It either matched a transfer already received for it, or created an INCOMPLETE
// one.
type Deposit struct {
	ID                 string          `json:"id"`
	VASPID             string          `json:"vasp_id"`
	Ref                string          `json:"ref,omitempty"`
	TxHash             string          `json:"tx_hash"`
	Asset              Asset           `json:"asset"`
	Amount             decimal.Decimal `json:"amount"`
	DestinationAddress string          `json:"destination_address"`
	OriginAddress      string          `json:"origin_address,omitempty"`
	Memo               string          `json:"memo,omitempty"`
	CounterpartyID     string          `json:"counterparty_id,omitempty" doc:"The originating VASP, when the backend knows it."`
	TransferID         string          `json:"transfer_id" doc:"The transfer the deposit matched or created."`
	Match              string          `json:"match" enum:"tx_hash,amount,none" doc:"How the deposit matched a transfer: by hash, by asset + destination + amount, or not at all (a new INCOMPLETE transfer)."`
	CreatedAt          time.Time       `json:"created_at"`
}
