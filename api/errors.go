package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// statusOf is the one place where domain error codes become HTTP statuses.
var statusOf = map[apperr.Code]int{
	apperr.Invalid:            http.StatusUnprocessableEntity,
	apperr.NotFound:           http.StatusNotFound,
	apperr.Conflict:           http.StatusConflict,
	apperr.PreconditionFailed: http.StatusPreconditionFailed,
	apperr.Unauthorized:       http.StatusUnauthorized,
	apperr.Forbidden:          http.StatusForbidden,
	apperr.TooManyRequests:    http.StatusTooManyRequests,
	apperr.Unavailable:        http.StatusServiceUnavailable,
	apperr.Internal:           http.StatusInternalServerError,
}

// problem turns any error from the domain into an RFC 9457 problem. Errors
// without a code are bugs or outages: their text stays in the log, with
// the request id, and the client gets a generic message and the id to
// quote when calling the city's helpdesk.
func (s *Server) problem(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		// The client went away; nobody reads the answer.
		return huma.NewError(499, "request cancelled")
	}
	var se huma.StatusError
	if errors.As(err, &se) {
		var he huma.HeadersError
		if d, ok := defaultRetryAfter[se.GetStatus()]; ok && (!errors.As(err, &he) || he.GetHeaders().Get("Retry-After") == "") {
			return huma.ErrorWithHeaders(se, http.Header{"Retry-After": {retryAfterSeconds(d)}})
		}
		return se
	}
	e, ok := apperr.As(err)
	if !ok || e.Code == apperr.Internal {
		rid := RequestID(ctx)
		s.log.ErrorContext(ctx, "internal error", "request_id", rid, "err", err)
		return huma.NewError(http.StatusInternalServerError,
			fmt.Sprintf("Something went wrong on our side. Please try again later; if it persists, quote request id %s.", rid))
	}
	details := make([]error, 0, len(e.Fields))
	for _, f := range e.Fields {
		loc := f.Path
		if f.Line > 0 {
			if loc == "" {
				loc = fmt.Sprintf("line %d", f.Line)
			} else {
				loc = fmt.Sprintf("line %d: %s", f.Line, loc)
			}
		}
		details = append(details, &huma.ErrorDetail{Location: loc, Message: f.Message, Value: f.Value})
	}
	status := statusOf[e.Code]
	out := huma.NewError(status, e.Message, details...)
	retry := e.RetryAfter
	if retry <= 0 {
		retry = defaultRetryAfter[status]
	}
	if retry > 0 {
		return huma.ErrorWithHeaders(out, http.Header{"Retry-After": {retryAfterSeconds(retry)}})
	}
	return out
}

// defaultRetryAfter is the Retry-After of a 429 or 503 whose cause does not
// say when a retry can succeed: every such answer carries one, so clients
// back off instead of hammering (or giving up). A minute is the window of
// the per-address limits; five seconds lets a database failover finish.
var defaultRetryAfter = map[int]time.Duration{
	http.StatusTooManyRequests:    time.Minute,
	http.StatusServiceUnavailable: 5 * time.Second,
}

// retryAfterSeconds is d as Retry-After wants it: whole seconds, rounded
// up, at least one.
func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

// ensureRetryAfter gives a 429 or 503 about to be written the default
// Retry-After unless its writer set one: the backstop for answers written
// outside problem() (the router, scs, huma's own errors).
func ensureRetryAfter(h http.Header, status int) {
	if d, ok := defaultRetryAfter[status]; ok && h.Get("Retry-After") == "" {
		h.Set("Retry-After", retryAfterSeconds(d))
	}
}

// installErrorModel makes every error huma writes itself (validation,
// unknown content types, bodies too large) an RFC 9457 problem with a type
// URI, and keeps the text of unexpected errors out of responses: huma puts
// err.Error() of a plain error into the body by default. huma's hook is a
// package variable, so it is set once per process; each request's errors
// go to the log of the server that handles it (loggerKey).
var installErrorModel = sync.OnceFunc(func() {
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		if status >= 500 {
			rid := ""
			if ctx != nil {
				rid = RequestID(ctx.Context())
				log, ok := ctx.Context().Value(loggerKey{}).(*slog.Logger)
				if !ok {
					log = slog.Default()
				}
				for _, e := range errs {
					log.Error("internal error", "request_id", rid, "err", e)
				}
			}
			if msg == "" || status == http.StatusInternalServerError {
				msg = fmt.Sprintf("Something went wrong on our side. Please try again later; if it persists, quote request id %s.", rid)
			}
			errs = nil
		}
		return huma.NewError(status, msg, errs...)
	}
})

// loggerKey carries the server's logger in a request's context.
type loggerKey struct{}
