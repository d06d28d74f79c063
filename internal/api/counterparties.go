package api

import (
	"context"
	"errors"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
)

type counterpartyInput struct {
	Body engine.CounterpartyInput
}

type counterpartyOutput struct {
	Body *counterparty.Counterparty
}

func (s *server) createCounterparty(ctx context.Context, in *counterpartyInput) (*counterpartyOutput, error) {
	p := who(ctx)
	c, err := s.eng.CreateCounterparty(ctx, p.actor(), p.VASPID, in.Body)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &counterpartyOutput{Body: c}, nil
}

// CounterpartyPage is one page of the directory.
type CounterpartyPage struct {
	Items      []counterparty.Counterparty `json:"items"`
	NextCursor string                      `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page."`
}

type counterpartyPageOutput struct {
	Body *CounterpartyPage
}

func (s *server) listCounterparties(ctx context.Context, in *pageInput) (*counterpartyPageOutput, error) {
	p := who(ctx)
	limit := clampLimit(in.Limit)
	list, err := s.st.Read().ListCounterparties(ctx, p.VASPID, in.Cursor, limit)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	page := &CounterpartyPage{Items: list}
	if page.Items == nil {
		page.Items = []counterparty.Counterparty{}
	}
	if len(list) == limit {
		page.NextCursor = list[len(list)-1].ID
	}
	return &counterpartyPageOutput{Body: page}, nil
}

func (s *server) getCounterparty(ctx context.Context, in *idInput) (*counterpartyOutput, error) {
	p := who(ctx)
	c, err := s.st.Read().GetCounterparty(ctx, p.VASPID, in.ID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &counterpartyOutput{Body: c}, nil
}

type replaceCounterpartyInput struct {
	ID   string `path:"id" maxLength:"64" doc:"Counterparty id."`
	Body engine.CounterpartyInput
}

func (s *server) replaceCounterparty(ctx context.Context, in *replaceCounterpartyInput) (*counterpartyOutput, error) {
	p := who(ctx)
	c, err := s.eng.UpdateCounterparty(ctx, p.actor(), p.VASPID, in.ID, in.Body)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &counterpartyOutput{Body: c}, nil
}

func (s *server) deleteCounterparty(ctx context.Context, in *idInput) (*struct{}, error) {
	p := who(ctx)
	if err := s.eng.DeleteCounterparty(ctx, p.actor(), p.VASPID, in.ID); err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return nil, nil
}

type routingInput struct {
	Network string `query:"network" required:"true" minLength:"1" maxLength:"64" doc:"Network (chain) name, e.g. ethereum."`
	Address string `query:"address" required:"true" minLength:"1" maxLength:"256" doc:"The address."`
}

type routingOutput struct {
	Body *engine.RouteResult
}

func (s *server) routing(ctx context.Context, in *routingInput) (*routingOutput, error) {
	p := who(ctx)
	r, err := s.eng.Routing(ctx, p.VASPID, in.Network, in.Address)
	if err != nil {
		return nil, s.problemFor(ctx, inQuery(err))
	}
	return &routingOutput{Body: r}, nil
}

// inQuery relocates an engine validation error about parameters to the query string.
func inQuery(err error) error {
	var ve *engine.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			ve.Fields[i].Path = "query." + ve.Fields[i].Path
		}
	}
	return err
}
