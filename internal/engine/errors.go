package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// ErrNotFound is returned when a transfer, deposit or other record does not exist for the VASP
// asking (another VASP's records do not exist for it either).
var ErrNotFound = store.ErrNotFound

// FieldError names one problem with one field of a request, by JSON path. Messages never carry
// the offending value.
type FieldError struct {
	Path    string `json:"path"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ValidationError is returned when a request is malformed or incomplete; nothing was changed.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Path+": "+f.Message)
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// ConflictError is returned when a request conflicts with what exists (a ref used with another
// body, a blocked counterparty, an address already in the book).
type ConflictError struct {
	Msg string
}

func (e *ConflictError) Error() string { return e.Msg }

func conflictf(format string, args ...any) error {
	return &ConflictError{Msg: fmt.Sprintf(format, args...)}
}

func invalid(path, code, msg string) error {
	return &ValidationError{Fields: []FieldError{{Path: path, Code: code, Message: msg}}}
}

// IsValidation reports whether err is a *ValidationError.
func IsValidation(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}

// Refused reports whether err means the receiver will never take the message as it is (a bad
// message, a transition its record does not allow, an unknown transfer or sender), so sending
// it again is pointless.
func Refused(err error) bool {
	var (
		v  *ValidationError
		c  *ConflictError
		u  *UnknownTransferError
		te *transfer.TransitionError
	)
	return errors.As(err, &v) || errors.As(err, &c) || errors.As(err, &u) || errors.As(err, &te) || errors.Is(err, store.ErrNotFound)
}
