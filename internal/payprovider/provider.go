// Package payprovider is the contract between Schalter's payments and
// the services that take a card or app payment for it: the development
// provider that make run uses (internal/devpay) and Stripe Checkout
// (internal/payprovider/stripeprovider). Payment by Swiss QR-bill is no
// provider: the bank's camt.054 notification confirms it.
//
// A provider never decides that a payment is paid on the word of the
// browser. Schalter learns the outcome from a webhook whose signature the
// provider's ParseWebhook checked, or by asking the provider (Lookup: the
// backstop for lost webhooks); both return the same Status.
package payprovider

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// States of a checkout at the provider.
const (
	Pending   = "pending"   // created, the person has not finished
	Paid      = "paid"      // the money is taken
	Failed    = "failed"    // declined (card refused, app aborted with an error)
	Cancelled = "cancelled" // the person gave up
	Expired   = "expired"   // the session ran out before payment
)

// Checkout asks a provider for a hosted payment page.
type Checkout struct {
	// Payment is Schalter's payment id; Reference the payment's unique
	// reference (the one on receipts and in the ledger). Providers keep
	// both (Stripe: client_reference_id and metadata) so that an event
	// can always be matched.
	Payment   string
	Reference string
	// Amount in Rappen; Currency is "CHF".
	Amount   int64
	Currency string
	// Description is the line the person sees (the service's title and
	// the case number, in their language).
	Description string
	Language    string // de, fr, it, en
	Email       string // prefills the provider's receipt e-mail; may be empty
	// SuccessURL and CancelURL are where the provider sends the browser
	// back; reaching them proves nothing.
	SuccessURL string
	CancelURL  string
	// ExpiresAt ends the session (Stripe: between 30 minutes and 24 hours).
	ExpiresAt time.Time
	// IdempotencyKey makes a retried creation return the same session.
	IdempotencyKey string
}

// Session is a created checkout: the provider's id for it and the page
// to send the browser to.
type Session struct {
	ID          string
	RedirectURL string
	ExpiresAt   time.Time
}

// Status is what a provider says about a checkout.
type Status struct {
	Session string // the provider's session id
	State   string // one of the states above
	Amount  int64  // the amount the provider took, in Rappen (0 unless paid)
	// Charge is the provider's id of the money movement that a refund
	// names (Stripe: the PaymentIntent).
	Charge string
	// Method says how the person paid (card, twint), for the receipt.
	Method string
	PaidAt time.Time
}

// Event is a verified webhook.
type Event struct {
	ID   string // unique per provider: the idempotency key of processing
	Type string // the provider's event type, for the log
	// Status is set when the event is about a checkout (Session != "");
	// other events (a refund settled, anything unknown) have no status
	// and are recorded and otherwise ignored.
	Status Status
	// Created is the provider's time of the event: events arrive in any
	// order, and a later state never gives way to an earlier one.
	Created time.Time
}

// Refund asks the provider to give money back.
type Refund struct {
	Charge string // Status.Charge of the payment
	Amount int64  // Rappen, at most what is still refundable
	// IdempotencyKey is Schalter's refund id: a retry never refunds twice.
	IdempotencyKey string
	Reason         string
}

// RefundResult is the provider's answer; State is "succeeded",
// "pending" or "failed".
type RefundResult struct {
	ID    string
	State string
}

// Provider is a payment service Schalter sends people to.
type Provider interface {
	// Name is the provider's key in the database and in URLs ("dev",
	// "stripe").
	Name() string
	StartCheckout(ctx context.Context, c Checkout) (Session, error)
	// Lookup asks for a session's state: the backstop for webhooks that
	// never came.
	Lookup(ctx context.Context, session string) (Status, error)
	// ParseWebhook checks the request's signature and decodes the event;
	// ErrSignature when the signature is missing, wrong or too old.
	ParseWebhook(payload []byte, header http.Header) (Event, error)
	Refund(ctx context.Context, r Refund) (RefundResult, error)
}

// ErrSignature is a webhook that is not from the provider.
var ErrSignature = errors.New("payprovider: bad webhook signature")

// ErrUnknownSession is a Lookup of a session the provider does not know.
var ErrUnknownSession = errors.New("payprovider: unknown session")
