package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

func TestProblemFor(t *testing.T) {
	t.Parallel()
	s := newServer(Config{})
	ctx := context.WithValue(context.Background(), requestIDKey, "req-123456")
	for _, tc := range []struct {
		name     string
		err      error
		status   int
		location string
	}{
		{"validation", fmt.Errorf("create: %w", &engine.ValidationError{Fields: []engine.FieldError{{Path: "originator.originatorPersons[0]", Code: "C1", Message: "m"}}}), 422, "body.originator.originatorPersons[0]"},
		{"conflict", &engine.ConflictError{Msg: "ref was already used with a different request"}, 409, ""},
		{"transition", fmt.Errorf("act: %w", &transfer.TransitionError{From: transfer.StatusSaved, Event: transfer.EventApprove}), 409, ""},
		{"not found", fmt.Errorf("get: %w", store.ErrNotFound), 404, ""},
		{"store conflict", store.ErrConflict, 409, ""},
		{"cancelled", context.Canceled, 503, ""},
		{"anything else", errors.New("disk on fire at /var/lib/secret"), 500, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p *Problem
			require.True(t, errors.As(s.problemFor(ctx, tc.err), &p))
			require.Equal(t, tc.status, p.Status)
			require.Equal(t, http.StatusText(tc.status), p.Title)
			require.Equal(t, "req-123456", p.RequestID)
			if tc.location != "" {
				require.Equal(t, tc.location, p.Errors[0].Location)
				require.Equal(t, "C1", p.Errors[0].Code)
			}
			if tc.status == 500 {
				require.Equal(t, "internal error (request req-123456)", p.Detail, "no internal detail leaks")
			}
		})
	}
	require.Nil(t, s.problemFor(ctx, nil))
}

// TestHumaErrorsHideValues: huma's own errors never repeat what the client sent.
func TestHumaErrorsHideValues(t *testing.T) {
	installErrorConstructor()
	secret := "Schmidt-Krügerová"
	for _, tc := range []struct {
		name   string
		status int
		msg    string
		errs   []error
		detail string
	}{
		{"malformed body", 400, "invalid character 'S' looking for beginning of value", []error{&huma.ErrorDetail{Location: "body", Message: "invalid character 'S'", Value: `{"x": ` + secret}}, "the request body is not well-formed JSON"},
		{"value in message", 422, "validation failed", []error{&huma.ErrorDetail{Location: "query.created_after", Message: `parsing time "` + secret + `"`, Value: secret}}, "the request does not match the schema"},
		{"schema message", 422, "validation failed", []error{&huma.ErrorDetail{Location: "body.amount", Message: "expected string", Value: 1.5}}, "the request does not match the schema"},
		{"plain error", 422, "validation failed", []error{errors.New("json: cannot unmarshal " + secret)}, "the request does not match the schema"},
		{"media type", 415, "unsupported", []error{&huma.ErrorDetail{Location: "body", Message: "unknown content type: text/" + secret, Value: secret}}, "unsupported content type: send application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := huma.NewError(tc.status, tc.msg, tc.errs...)
			p, ok := err.(*Problem)
			require.True(t, ok)
			require.Equal(t, tc.status, p.GetStatus())
			require.Equal(t, tc.detail, p.Detail)
			require.NotContains(t, p.Error(), secret)
			require.Equal(t, "application/problem+json", p.ContentType("application/json"))
		})
	}
}

func TestIVMSProblemPaths(t *testing.T) {
	t.Parallel()
	_, err := ivms.DecodeOriginator([]byte(`{"originatorPersons":[{"naturalPerson":{"name":{"nameIdentifier":[{"primaryIdentifier":"X","nameIdentifierType":"NOPE"}]}}}]}`), ivms.DecodeOptions{DisallowUnknownFields: true})
	require.Error(t, err)
	var p *Problem
	require.True(t, errors.As(ivmsProblem(context.Background(), "originator", err), &p))
	require.Equal(t, 422, p.Status)
	require.Equal(t, "body.originator.originatorPersons[0].naturalPerson.name.nameIdentifier[0].nameIdentifierType", p.Errors[0].Location)
	require.NotContains(t, p.Error(), "NOPE")
}
