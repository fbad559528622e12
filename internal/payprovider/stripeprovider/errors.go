package stripeprovider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/stripe/stripe-go/v85"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// IsTemporary is true for failures that a later retry of the same call
// can cure: Stripe unreachable or too slow, its 5xx answers, 429 (rate
// limit, lock timeout) and 409 (the same idempotency key still in
// flight). Such errors are apperr Unavailable, so the API answers 503.
func IsTemporary(err error) bool {
	return apperr.CodeOf(err) == apperr.Unavailable
}

// fail turns an error of stripe-go into the error the caller sees. The
// result does not wrap stripe-go's error: that carries the raw response,
// and a server may repeat the key in it (stripe-mock does, for a key it
// rejects). It keeps what a log needs (status, Stripe's type, code and
// message, the request id for Stripe's support) with the secrets blanked.
// Context errors stay in the chain, so errors.Is(err, context.Canceled)
// holds.
func (p *Provider) fail(op string, err error) error {
	var cause error
	temporary := false
	var se *stripe.Error
	switch {
	case errors.As(err, &se):
		cause = fmt.Errorf("stripeprovider: %s: %s", op, p.describe(se))
		temporary = se.HTTPStatusCode >= http.StatusInternalServerError ||
			se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode == http.StatusConflict
	case errors.Is(err, context.Canceled):
		// The caller gave up (the person closed the page): not Stripe's
		// fault, and nothing to retry for.
		return fmt.Errorf("stripeprovider: %s: %w", op, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		cause, temporary = fmt.Errorf("stripeprovider: %s: %w", op, context.DeadlineExceeded), true
	default:
		// Anything else comes from below the API (connection refused,
		// DNS, TLS, the client's timeout) after stripe-go's own retries.
		cause, temporary = fmt.Errorf("stripeprovider: %s: %s", op, p.redact(err.Error())), true
	}
	if temporary {
		return &apperr.Error{Code: apperr.Unavailable, Message: "the payment service cannot be reached right now; please try again in a few minutes", Cause: cause}
	}
	return cause
}

// describe is a Stripe error in one line: "Stripe answered 400
// invalid_request_error (amount_too_small): The Checkout Session's total …
// [request req_…]".
func (p *Provider) describe(se *stripe.Error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Stripe answered %d %s", se.HTTPStatusCode, se.Type)
	if se.Code != "" {
		fmt.Fprintf(&b, " (%s)", se.Code)
	}
	if se.Msg != "" {
		b.WriteString(": " + p.redact(se.Msg))
	}
	if se.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", se.RequestID)
	}
	return b.String()
}

// redact blanks the secret key and the webhook secret in s.
func (p *Provider) redact(s string) string {
	for _, secret := range p.secrets {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}
