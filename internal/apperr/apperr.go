// Package apperr holds the error codes that domain code returns. Codes are
// defined once here; the HTTP layer maps them to status codes in one place
// (api/errors.go), and only there. Anything without a code is internal: it
// is logged with the request id and the client sees a generic message.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for the edge.
type Code string

const (
	Invalid            Code = "invalid"             // the input breaks a rule (422)
	NotFound           Code = "not_found"           // no such thing, or not visible to the caller (404)
	Conflict           Code = "conflict"            // the thing exists already or the state forbids the change (409)
	PreconditionFailed Code = "precondition_failed" // If-Match did not match (412)
	Unauthorized       Code = "unauthorized"        // no or bad credentials (401)
	Forbidden          Code = "forbidden"           // credentials fine, not allowed (403)
	TooManyRequests    Code = "too_many_requests"   // slow down (429)
	Unavailable        Code = "unavailable"         // a dependency is down; retry later (503)
	Internal           Code = "internal"            // a bug or an unexpected failure (500)
)

// FieldError names one bad field. Path uses the JSON path of the request,
// e.g. "body.fees[0].amount_rappen"; Line is set for imports (1-based).
type FieldError struct {
	Path    string
	Message string
	Line    int
	Value   any
}

// Error is a domain error with a code, a message safe to show to clients,
// and optionally the fields that were wrong.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// RetryAfter tells a TooManyRequests caller when a retry can succeed
	// (the Retry-After header); zero when that is not known.
	RetryAfter time.Duration
	// Cause is the underlying failure, for the log only (never shown to
	// clients), e.g. the connection error behind an Unavailable.
	Cause error
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s (%d field errors, first: %s: %s)", e.Code, e.Message, len(e.Fields), e.Fields[0].Path, e.Fields[0].Message)
}

// New returns an error with a code and a client-safe message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// TooMany returns a TooManyRequests error that says when to retry.
func TooMany(retryAfter time.Duration, format string, args ...any) *Error {
	return &Error{Code: TooManyRequests, Message: fmt.Sprintf(format, args...), RetryAfter: retryAfter}
}

// Invalidf returns an Invalid error naming the fields.
func InvalidFields(msg string, fields ...FieldError) *Error {
	return &Error{Code: Invalid, Message: msg, Fields: fields}
}

// CodeOf returns the code of err, or Internal when err has none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
