// Package stripeprovider puts Stripe Checkout behind payprovider.Provider:
// a hosted payment page per payment (card, TWINT where the account has it),
// the session's state on request, signed webhooks and refunds.
//
// Stripe knows a payment by three names that Schalter chose: the
// session's client_reference_id (the payment's reference) and the
// metadata "payment" and "reference" on both the session and its
// PaymentIntent, so that the dashboard, a refund or a dispute can always
// be traced back to Schalter's payment.
//
// Errors never contain the secret key (stripe-mock, for one, repeats the
// Authorization header in its answer to a key it does not accept), and
// every failure that a later retry can cure is an apperr Unavailable
// (IsTemporary).
package stripeprovider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/schalter-ch/schalter/internal/payprovider"
)

// Config is the Stripe account Schalter uses.
type Config struct {
	// SecretKey is a secret (sk_) or, better, restricted (rk_) key with
	// write access to Checkout Sessions and Refunds.
	SecretKey string
	// WebhookSecret is the signing secret (whsec_) of the webhook endpoint.
	WebhookSecret string
	// APIURL replaces https://api.stripe.com, for stripe-mock
	// ("http://127.0.0.1:12111"). Empty means Stripe.
	APIURL string
	// PaymentMethods are the Checkout payment_method_types, e.g. ["card"]
	// or ["card", "twint"]; empty means ["card"]. TWINT works only where
	// the Stripe account has it enabled, and only in CHF.
	PaymentMethods []string
	// HTTPClient is the client for all API calls; it should have a timeout.
	// Nil means a client with a 20-second timeout.
	HTTPClient *http.Client
}

// Provider is Stripe Checkout. It is safe for concurrent use.
type Provider struct {
	client  *stripe.Client
	secrets []string // what errors must never show (see redact)
	webhook string
	methods []string
}

var _ payprovider.Provider = (*Provider)(nil)

// defaultTimeout bounds one API call when Config.HTTPClient is nil:
// StartCheckout runs while a person waits for the payment page.
const defaultTimeout = 20 * time.Second

// New checks c and returns the provider.
func New(c Config) (*Provider, error) {
	if !strings.HasPrefix(c.SecretKey, "sk_") && !strings.HasPrefix(c.SecretKey, "rk_") {
		// Say which kind of value is wrong, never the value itself.
		return nil, errors.New("stripeprovider: the secret key must be a Stripe secret (sk_…) or restricted (rk_…) key")
	}
	if c.WebhookSecret == "" {
		return nil, errors.New("stripeprovider: the webhook signing secret (whsec_…) is missing")
	}
	cfg := &stripe.BackendConfig{
		HTTPClient: c.HTTPClient,
		// Every failure reaches the caller as an error, which it logs once
		// with the request id; stripe-go's own logger would print the same
		// failure again, unstructured, to stderr.
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: defaultTimeout}
	}
	if c.APIURL != "" {
		if err := checkAPIURL(c.APIURL); err != nil {
			return nil, err
		}
		cfg.URL = stripe.String(c.APIURL)
	}
	methods := c.PaymentMethods
	if len(methods) == 0 {
		methods = []string{string(stripe.PaymentMethodTypeCard)}
	}
	p := &Provider{
		// Only the API backend is used (no Connect, file uploads or meter
		// events), so the client gets no others.
		client:  stripe.NewClient(c.SecretKey, stripe.WithBackends(&stripe.Backends{API: stripe.GetBackendWithConfig(stripe.APIBackend, cfg)})),
		secrets: []string{c.SecretKey, c.WebhookSecret},
		webhook: c.WebhookSecret,
		methods: append([]string(nil), methods...),
	}
	return p, nil
}

// checkAPIURL allows https anywhere and plain http only to the loopback
// interface: every request carries the secret key.
func checkAPIURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Hostname() == "" {
		return fmt.Errorf("stripeprovider: the API URL %q is not an absolute URL", raw)
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" {
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("stripeprovider: the API URL %q must use https (plain http only to a loopback address, for stripe-mock)", raw)
}

// Name is the provider's key in the database and in webhook URLs.
func (p *Provider) Name() string { return "stripe" }

// Metadata keys on the session and its PaymentIntent.
const (
	metaPayment   = "payment"
	metaReference = "reference"
	metaRefund    = "refund"
	metaReason    = "reason"
)

// StartCheckout creates a Checkout Session in payment mode with one line
// item, the amount in Rappen.
func (p *Provider) StartCheckout(ctx context.Context, c payprovider.Checkout) (payprovider.Session, error) {
	switch {
	case c.Amount <= 0:
		return payprovider.Session{}, fmt.Errorf("stripeprovider: checkout %s: the amount must be positive, not %d", c.Payment, c.Amount)
	case c.Currency != "" && !strings.EqualFold(c.Currency, "CHF"):
		// TWINT takes CHF only, and Schalter's fees are in CHF.
		return payprovider.Session{}, fmt.Errorf("stripeprovider: checkout %s: currency %s, want CHF", c.Payment, c.Currency)
	case c.Payment == "" || c.Reference == "" || c.Description == "" || c.SuccessURL == "" || c.CancelURL == "":
		return payprovider.Session{}, fmt.Errorf("stripeprovider: checkout %q: payment, reference, description, success and cancel URL are required", c.Payment)
	}
	meta := map[string]string{metaPayment: c.Payment, metaReference: c.Reference}
	params := &stripe.CheckoutSessionCreateParams{
		Mode: stripe.String(string(stripe.CheckoutSessionModePayment)),
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{
			Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripe.String(string(stripe.CurrencyCHF)),
				UnitAmount:  stripe.Int64(c.Amount),
				ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String(c.Description)},
			},
		}},
		ClientReferenceID:  stripe.String(c.Reference),
		Metadata:           meta,
		PaymentIntentData:  &stripe.CheckoutSessionCreatePaymentIntentDataParams{Metadata: meta},
		Locale:             stripe.String(locale(c.Language)),
		SuccessURL:         stripe.String(c.SuccessURL),
		CancelURL:          stripe.String(c.CancelURL),
		PaymentMethodTypes: stripe.StringSlice(p.methods),
	}
	if c.Email != "" {
		params.CustomerEmail = stripe.String(c.Email)
	}
	if !c.ExpiresAt.IsZero() {
		params.ExpiresAt = stripe.Int64(c.ExpiresAt.Unix())
	}
	if c.IdempotencyKey != "" {
		// Without a key stripe-go still makes its own retries safe; with
		// Schalter's, a retry of the whole StartCheckout is safe too.
		params.SetIdempotencyKey(c.IdempotencyKey)
	}
	s, err := p.client.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return payprovider.Session{}, p.fail("create checkout session for payment "+c.Payment, err)
	}
	expires := c.ExpiresAt
	if s.ExpiresAt != 0 {
		expires = time.Unix(s.ExpiresAt, 0).UTC()
	}
	return payprovider.Session{ID: s.ID, RedirectURL: s.URL, ExpiresAt: expires}, nil
}

// locale maps Schalter's languages to Checkout's locales; anything else
// lets Checkout follow the browser.
func locale(lang string) string {
	lang, _, _ = strings.Cut(strings.ToLower(lang), "-") // de-CH → de
	switch lang {
	case "de", "fr", "it", "en":
		return lang
	}
	return "auto"
}

// Lookup retrieves the session with its PaymentIntent and latest charge
// (for how and when it was paid, and whether an asynchronous payment
// failed). A session Stripe does not know is payprovider.ErrUnknownSession.
func (p *Provider) Lookup(ctx context.Context, session string) (payprovider.Status, error) {
	if session == "" {
		return payprovider.Status{}, fmt.Errorf("stripeprovider: empty session id: %w", payprovider.ErrUnknownSession)
	}
	params := &stripe.CheckoutSessionRetrieveParams{}
	params.AddExpand("payment_intent.latest_charge")
	s, err := p.client.V1CheckoutSessions.Retrieve(ctx, session, params)
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.Code == stripe.ErrorCodeResourceMissing {
			return payprovider.Status{}, fmt.Errorf("stripeprovider: session %s: %w", session, payprovider.ErrUnknownSession)
		}
		return payprovider.Status{}, p.fail("retrieve checkout session "+session, err)
	}
	state, err := sessionState(s)
	if err != nil {
		return payprovider.Status{}, err
	}
	return status(s, state, paidAt(s)), nil
}

// Refund reasons Stripe accepts. Schalter's Refund.Reason is free text
// (the office's words); Stripe takes one of its three codes only. A
// Reason that is one of them is passed on; anything else is sent as
// requested_by_customer (a fee given back after a withdrawn or rejected
// order is, for Stripe, a refund the merchant grants) and the text itself
// goes to the refund's metadata "reason", where the dashboard shows it.
var stripeReasons = map[string]bool{
	string(stripe.RefundReasonDuplicate):           true,
	string(stripe.RefundReasonFraudulent):          true,
	string(stripe.RefundReasonRequestedByCustomer): true,
}

// maxMetadataValue is Stripe's limit for a metadata value, in characters.
const maxMetadataValue = 500

// Refund refunds part or all of a paid PaymentIntent (Status.Charge).
func (p *Provider) Refund(ctx context.Context, r payprovider.Refund) (payprovider.RefundResult, error) {
	if r.Charge == "" || r.Amount <= 0 {
		return payprovider.RefundResult{}, fmt.Errorf("stripeprovider: refund %s: a charge and a positive amount are required", r.IdempotencyKey)
	}
	reason := string(stripe.RefundReasonRequestedByCustomer)
	meta := map[string]string{}
	if r.IdempotencyKey != "" {
		meta[metaRefund] = r.IdempotencyKey
	}
	if stripeReasons[r.Reason] {
		reason = r.Reason
	} else if r.Reason != "" {
		meta[metaReason] = truncate(r.Reason, maxMetadataValue)
	}
	params := &stripe.RefundCreateParams{
		PaymentIntent: stripe.String(r.Charge),
		Amount:        stripe.Int64(r.Amount),
		Reason:        stripe.String(reason),
		Metadata:      meta,
	}
	if r.IdempotencyKey != "" {
		params.SetIdempotencyKey(r.IdempotencyKey)
	}
	ref, err := p.client.V1Refunds.Create(ctx, params)
	if err != nil {
		return payprovider.RefundResult{}, p.fail("refund "+r.Charge, err)
	}
	return payprovider.RefundResult{ID: ref.ID, State: refundState(ref.Status)}, nil
}

// refundState maps Stripe's refund statuses to the contract's three.
// requires_action (the person must give bank details, rare for cards and
// TWINT) is still under way; canceled never moved money.
func refundState(s stripe.RefundStatus) string {
	switch s {
	case stripe.RefundStatusSucceeded:
		return "succeeded"
	case stripe.RefundStatusFailed, stripe.RefundStatusCanceled:
		return "failed"
	default:
		return "pending"
	}
}

// truncate cuts s to at most n characters (not bytes: Stripe counts
// characters, and a cut must not split an umlaut).
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
