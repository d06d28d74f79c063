package store

import (
	"context"

	"github.com/waybill/waybill/internal/counterparty"
)

// TRISAQueries are the queries of the TRISA route.
type TRISAQueries interface {
	// ListTRISACounterparties returns directory entries of every hosted VASP that have a TRISA
	// route whose stored routes mention one of the given strings (case-insensitive): the way an
	// inbound peer certificate's names find the entries it may stand for. With no strings it
	// returns every entry with a TRISA route. Callers match the exact fields themselves; at most
	// 10,000 entries are returned, ordered by VASP and id.
	ListTRISACounterparties(ctx context.Context, mentions []string) ([]counterparty.Counterparty, error)
}
