package api

import (
	"context"
	"time"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/store"
)

type createWebhookInput struct {
	Body engine.EndpointInput
}

type newEndpointOutput struct {
	Body *engine.NewEndpoint
}

func (s *server) createWebhook(ctx context.Context, in *createWebhookInput) (*newEndpointOutput, error) {
	p := who(ctx)
	ep, err := s.eng.CreateEndpoint(ctx, p.actor(), p.VASPID, in.Body, s.rand)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &newEndpointOutput{Body: ep}, nil
}

// EndpointList is every webhook endpoint of a VASP.
type EndpointList struct {
	Items []store.WebhookEndpoint `json:"items"`
}

type endpointListOutput struct {
	Body *EndpointList
}

func (s *server) listWebhooks(ctx context.Context, _ *struct{}) (*endpointListOutput, error) {
	p := who(ctx)
	list, err := s.st.Read().ListEndpoints(ctx, p.VASPID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	if list == nil {
		list = []store.WebhookEndpoint{}
	}
	return &endpointListOutput{Body: &EndpointList{Items: list}}, nil
}

type endpointOutput struct {
	Body *store.WebhookEndpoint
}

func (s *server) getWebhook(ctx context.Context, in *idInput) (*endpointOutput, error) {
	p := who(ctx)
	ep, err := s.st.Read().GetEndpoint(ctx, p.VASPID, in.ID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &endpointOutput{Body: ep}, nil
}

// EndpointPatch changes an endpoint; absent fields stay as they are.
type EndpointPatch struct {
	URL         *string   `json:"url,omitempty" minLength:"1" maxLength:"2000" doc:"Absolute http(s) URL of your receiver."`
	Description *string   `json:"description,omitempty" maxLength:"500"`
	Events      *[]string `json:"events,omitempty" doc:"Event types to deliver (transfer.*, deposit.unmatched, ...); empty means all."`
	Enabled     *bool     `json:"enabled,omitempty" doc:"Whether events are delivered."`
}

type updateWebhookInput struct {
	ID   string `path:"id" maxLength:"64" doc:"Endpoint id."`
	Body EndpointPatch
}

func (s *server) updateWebhook(ctx context.Context, in *updateWebhookInput) (*endpointOutput, error) {
	p := who(ctx)
	ep, err := s.st.Read().GetEndpoint(ctx, p.VASPID, in.ID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	ei := engine.EndpointInput{URL: ep.URL, Description: ep.Description, Events: ep.Events, Enabled: in.Body.Enabled}
	if in.Body.URL != nil {
		ei.URL = *in.Body.URL
	}
	if in.Body.Description != nil {
		ei.Description = *in.Body.Description
	}
	if in.Body.Events != nil {
		ei.Events = *in.Body.Events
	}
	out, err := s.eng.UpdateEndpoint(ctx, p.actor(), p.VASPID, in.ID, ei)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &endpointOutput{Body: out}, nil
}

func (s *server) deleteWebhook(ctx context.Context, in *idInput) (*struct{}, error) {
	p := who(ctx)
	if err := s.eng.DeleteEndpoint(ctx, p.actor(), p.VASPID, in.ID); err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return nil, nil
}

type rotateInput struct {
	ID           string `path:"id" maxLength:"64" doc:"Endpoint id."`
	GraceSeconds int64  `query:"grace_seconds" minimum:"0" maximum:"2592000" default:"86400" doc:"How long the old secrets keep signing, in seconds (default 24 hours, at most 30 days)."`
}

func (s *server) rotateSecret(ctx context.Context, in *rotateInput) (*newEndpointOutput, error) {
	p := who(ctx)
	ep, err := s.eng.RotateSecret(ctx, p.actor(), p.VASPID, in.ID, time.Duration(in.GraceSeconds)*time.Second, s.rand)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &newEndpointOutput{Body: ep}, nil
}

type deliveriesInput struct {
	ID         string `path:"id" maxLength:"64" doc:"Endpoint id."`
	State      string `query:"state" enum:"pending,delivered,failing,dead" doc:"Only deliveries in this state."`
	TransferID string `query:"transfer_id" maxLength:"64" doc:"Only deliveries about this transfer."`
	Cursor     string `query:"cursor" maxLength:"64" doc:"next_cursor of the previous page."`
	Limit      int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Page size."`
}

// DeliveryPage is one page of an endpoint's deliveries.
type DeliveryPage struct {
	Items      []store.Delivery `json:"items"`
	NextCursor string           `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page."`
}

type deliveryPageOutput struct {
	Body *DeliveryPage
}

func (s *server) listDeliveries(ctx context.Context, in *deliveriesInput) (*deliveryPageOutput, error) {
	p := who(ctx)
	rd := s.st.Read()
	if _, err := rd.GetEndpoint(ctx, p.VASPID, in.ID); err != nil {
		return nil, s.problemFor(ctx, err)
	}
	limit := clampLimit(in.Limit)
	list, err := rd.ListDeliveries(ctx, store.DeliveryFilter{VASPID: p.VASPID, EndpointID: in.ID, State: in.State,
		TransferID: in.TransferID, After: in.Cursor, Limit: limit})
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	page := &DeliveryPage{Items: list}
	if page.Items == nil {
		page.Items = []store.Delivery{}
	}
	if len(list) == limit {
		page.NextCursor = list[len(list)-1].ID
	}
	return &deliveryPageOutput{Body: page}, nil
}

type redeliverInput struct {
	ID         string `path:"id" maxLength:"64" doc:"Endpoint id."`
	DeliveryID string `path:"delivery_id" maxLength:"64" doc:"Delivery id (the webhook-id header)."`
}

type deliveryOutput struct {
	Body *store.Delivery
}

func (s *server) redeliver(ctx context.Context, in *redeliverInput) (*deliveryOutput, error) {
	p := who(ctx)
	d, err := s.st.Read().GetDelivery(ctx, p.VASPID, in.DeliveryID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	if d.EndpointID != in.ID {
		return nil, s.problemFor(ctx, store.ErrNotFound)
	}
	d, err = s.eng.Redeliver(ctx, p.actor(), p.VASPID, in.DeliveryID)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &deliveryOutput{Body: d}, nil
}
