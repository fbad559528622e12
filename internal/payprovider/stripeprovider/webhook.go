package stripeprovider

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/schalter-ch/schalter/internal/payprovider"
)

// SignatureHeader is the header that carries a webhook's signature.
const SignatureHeader = "Stripe-Signature"

// ParseWebhook verifies the Stripe-Signature header (HMAC-SHA256 with the
// endpoint's secret, timestamp at most webhook.DefaultTolerance, 5
// minutes, old: a replayed request fails) and decodes the event.
//
// The checkout events set Event.Status: checkout.session.completed (paid
// when payment_status is paid, else pending: an asynchronous method was
// submitted), checkout.session.async_payment_succeeded (paid),
// checkout.session.async_payment_failed (failed) and
// checkout.session.expired (expired). Every other event type returns an
// Event without Status, which the caller records and ignores.
func (p *Provider) ParseWebhook(payload []byte, header http.Header) (payprovider.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, header.Get(SignatureHeader), p.webhook, webhook.ConstructEventOptions{
		// The endpoint's API version is set in the Stripe dashboard and
		// may differ from stripe-go's; the few fields read here
		// (id, status, payment_status, amount_total, payment_intent,
		// payment_method_types) are the same in every version since 2020.
		IgnoreAPIVersionMismatch: true,
	})
	if err != nil {
		if isSignatureError(err) {
			return payprovider.Event{}, fmt.Errorf("%w: %v", payprovider.ErrSignature, err)
		}
		// Signed by Stripe and still not an event (a thin v2 event sent
		// to this endpoint, or JSON that stripe-go cannot read).
		return payprovider.Event{}, fmt.Errorf("stripeprovider: webhook: %v", err)
	}
	if ev.ID == "" {
		return payprovider.Event{}, errors.New("stripeprovider: webhook: event without an id")
	}
	out := payprovider.Event{ID: ev.ID, Type: string(ev.Type), Created: time.Unix(ev.Created, 0).UTC()}
	if !strings.HasPrefix(string(ev.Type), "checkout.session.") {
		return out, nil
	}
	var s stripe.CheckoutSession
	if ev.Data == nil || json.Unmarshal(ev.Data.Raw, &s) != nil || s.ID == "" {
		return payprovider.Event{}, fmt.Errorf("stripeprovider: webhook %s (%s): no readable session in it", ev.ID, ev.Type)
	}
	state := eventState(ev.Type, &s)
	if state == "" {
		return out, nil // a checkout.session event that says nothing about the outcome
	}
	// The event's time is when Stripe recorded the payment; the session
	// in it carries no charge to take the time from.
	out.Status = status(&s, state, out.Created)
	return out, nil
}

// isSignatureError tells a request that is not from Stripe (or is a
// replay) from one that is but cannot be read.
func isSignatureError(err error) bool {
	return errors.Is(err, webhook.ErrNotSigned) || errors.Is(err, webhook.ErrInvalidHeader) ||
		errors.Is(err, webhook.ErrNoValidSignature) || errors.Is(err, webhook.ErrTooOld)
}

// SignTestEvent returns a Stripe-Signature header value for payload as
// Stripe would sign it at the given time, for tests that post webhooks
// (this package's and the payment handlers').
func SignTestEvent(secret string, payload []byte, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}
