package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// Problem is an RFC 9457 problem document, the body of every error response.
type Problem struct {
	Type      string         `json:"type,omitempty" doc:"A URI naming the kind of problem; about:blank when the status says it all."`
	Title     string         `json:"title" doc:"The HTTP status text."`
	Status    int            `json:"status" doc:"The HTTP status code."`
	Detail    string         `json:"detail,omitempty" doc:"What went wrong, in words. Never contains a submitted value."`
	RequestID string         `json:"request_id,omitempty" doc:"The request id (also in the X-Request-ID header); quote it when asking for help."`
	Errors    []ProblemError `json:"errors,omitempty" doc:"The fields at fault, on 400 and 422."`
}

// ProblemError names one problem with one part of a request.
type ProblemError struct {
	Location string `json:"location" doc:"Where the problem is: body.<JSON path>, query.<name>, path.<name> or header.<name>." example:"body.originator.originatorPersons[0].naturalPerson.name"`
	Code     string `json:"code,omitempty" doc:"A stable code for the kind of problem (required, invalid_address, unknown_asset, C1, ...)."`
	Message  string `json:"message" doc:"What is wrong, without the submitted value."`
}

// Error implements error.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Detail)
	for _, e := range p.Errors {
		b.WriteString("; ")
		b.WriteString(e.Location)
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// GetStatus implements huma.StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType implements huma.ContentTypeFilter: problems are application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" || ct == "" {
		return "application/problem+json"
	}
	return ct
}

func newProblem(ctx context.Context, status int, detail string, errs ...ProblemError) *Problem {
	return &Problem{Title: http.StatusText(status), Status: status, Detail: detail, RequestID: RequestID(ctx), Errors: errs}
}

// hideValues is installed once as huma's error constructor: huma's own errors (malformed JSON,
// schema violations, bad parameters) become Problems whose messages never echo what the client
// sent, since it may be personal data.
var hideValues sync.Once

func installErrorConstructor() {
	hideValues.Do(func() {
		huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
			return sanitize(context.Background(), status, msg, errs)
		}
		huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
			ctx := context.Background()
			if hctx != nil {
				ctx = hctx.Context()
			}
			return sanitize(ctx, status, msg, errs)
		}
	})
}

// sanitize turns huma's error details into ProblemErrors without values.
func sanitize(ctx context.Context, status int, msg string, errs []error) *Problem {
	p := newProblem(ctx, status, msg)
	switch status {
	case http.StatusBadRequest:
		if msg == "" || strings.Contains(msg, "invalid character") || strings.HasPrefix(msg, "json:") {
			p.Detail = "the request body is not well-formed JSON"
		}
	case http.StatusUnprocessableEntity:
		if msg == "validation failed" {
			p.Detail = "the request does not match the schema"
		}
	case http.StatusInternalServerError:
		p.Detail = internalDetail(ctx)
		return p
	}
	for _, err := range errs {
		if err == nil {
			continue
		}
		var d *huma.ErrorDetail
		if !errors.As(err, &d) {
			// Errors huma did not locate come from decoding; their text can quote input.
			p.Errors = append(p.Errors, ProblemError{Location: "body", Message: "the value cannot be decoded"})
			continue
		}
		pe := ProblemError{Location: d.Location, Message: d.Message}
		if pe.Location == "" {
			pe.Location = "body"
		}
		if pe.Location == "body" && (status == http.StatusBadRequest || strings.Contains(pe.Message, "invalid character") ||
			strings.HasPrefix(pe.Message, "json:") || strings.Contains(pe.Message, "unexpected end")) {
			switch {
			case status == http.StatusUnsupportedMediaType:
				pe.Message = "unsupported content type"
			case status == http.StatusBadRequest:
				pe.Message = "the request body is not well-formed JSON"
				p.Detail = "the request body is not well-formed JSON"
			default:
				pe.Message = "a value has the wrong type"
			}
		}
		if leaks(pe.Message, d.Value) {
			pe.Message = "invalid value"
		}
		p.Errors = append(p.Errors, pe)
	}
	if status == http.StatusUnsupportedMediaType {
		p.Detail = "unsupported content type: send application/json"
		p.Errors = nil
	}
	return p
}

// leaks reports whether msg quotes the submitted value v.
func leaks(msg string, v any) bool {
	if v == nil {
		return false
	}
	s := fmt.Sprint(v)
	if len(s) < 2 {
		return false
	}
	return strings.Contains(msg, s)
}

func internalDetail(ctx context.Context) string {
	if id := RequestID(ctx); id != "" {
		return "internal error (request " + id + ")"
	}
	return "internal error"
}

// problemFor is the one table from error kinds to HTTP status. Engine validation errors name
// body fields; conflicts and illegal transitions are 409; unknown or foreign ids are 404;
// anything else is a 500 whose detail goes to the log only.
func (s *server) problemFor(ctx context.Context, err error) error {
	var (
		p   *Problem
		ve  *engine.ValidationError
		ce  *engine.ConflictError
		te  *transfer.TransitionError
		de  *ivms.DecodeError
		hse huma.StatusError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &p):
		if p.RequestID == "" {
			p.RequestID = RequestID(ctx)
		}
		return p
	case errors.As(err, &ve):
		out := make([]ProblemError, 0, len(ve.Fields))
		for _, f := range ve.Fields {
			out = append(out, ProblemError{Location: bodyPath(f.Path), Code: f.Code, Message: f.Message})
		}
		return newProblem(ctx, http.StatusUnprocessableEntity, "the request is invalid", out...)
	case errors.As(err, &de):
		return newProblem(ctx, http.StatusUnprocessableEntity, "the request is invalid",
			ProblemError{Location: "body", Code: de.Code, Message: de.Message})
	case errors.As(err, &te):
		return newProblem(ctx, http.StatusConflict, te.Error())
	case errors.As(err, &ce):
		return newProblem(ctx, http.StatusConflict, ce.Msg)
	case errors.Is(err, store.ErrNotFound):
		return newProblem(ctx, http.StatusNotFound, "not found")
	case errors.Is(err, store.ErrConflict):
		return newProblem(ctx, http.StatusConflict, "conflicts with an existing record")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return newProblem(ctx, http.StatusServiceUnavailable, "the request was cancelled or timed out")
	case errors.As(err, &hse):
		return err
	}
	s.log.LogAttrs(ctx, slog.LevelError, "api error", slog.String("request_id", RequestID(ctx)), slog.String("err", err.Error()))
	return newProblem(ctx, http.StatusInternalServerError, internalDetail(ctx))
}

// bodyPath turns an engine field path ("originator.originatorPersons[0]") into a location.
func bodyPath(p string) string {
	if p == "" {
		return "body"
	}
	if strings.HasPrefix(p, "body.") || strings.HasPrefix(p, "query.") || strings.HasPrefix(p, "path.") {
		return p
	}
	return "body." + p
}

// ivmsProblem turns a decoding error of an IVMS101 object at field into a 422.
func ivmsProblem(ctx context.Context, field string, err error) error {
	var de *ivms.DecodeError
	if errors.As(err, &de) {
		loc := "body." + field
		if de.Path != "" {
			if strings.HasPrefix(de.Path, "[") {
				loc += de.Path
			} else {
				loc += "." + de.Path
			}
		}
		return newProblem(ctx, http.StatusUnprocessableEntity, "the request is invalid",
			ProblemError{Location: loc, Code: de.Code, Message: de.Message})
	}
	return newProblem(ctx, http.StatusUnprocessableEntity, "the request is invalid",
		ProblemError{Location: "body." + field, Code: "invalid", Message: "not a valid IVMS101 object"})
}

// writeProblem writes an RFC 9457 problem document outside huma (health, auth).
func writeProblem(w http.ResponseWriter, r *http.Request, status int, detail string, errs []ProblemError) {
	p := newProblem(r.Context(), status, detail, errs...)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	b, _ := jsonMarshal(p)
	_, _ = w.Write(b)
}
