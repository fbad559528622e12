package stripeprovider

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v85"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/payprovider"
	"github.com/schalter-ch/schalter/internal/payprovider/stripeprovider/stripemock"
)

func checkout() payprovider.Checkout {
	return payprovider.Checkout{
		Payment:        "01JQ3W6M2Z8K4T7R9X1B5C3D6F",
		Reference:      "RF18539007547034",
		Amount:         4500,
		Currency:       "CHF",
		Description:    "Wohnsitzbestätigung, Fall 2026-000123",
		Language:       "fr",
		Email:          "anna.muster@example.ch",
		SuccessURL:     "https://schalter.example.ch/fr/payer/01JQ3W6M2Z8K4T7R9X1B5C3D6F/merci",
		CancelURL:      "https://schalter.example.ch/fr/payer/01JQ3W6M2Z8K4T7R9X1B5C3D6F/annule",
		ExpiresAt:      time.Date(2026, 4, 1, 12, 30, 0, 0, time.UTC),
		IdempotencyKey: "checkout-01JQ3W6M2Z8K4T7R9X1B5C3D6F-1",
	}
}

func TestStartCheckout(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newProvider(t, mockURL(t), rec, "card", "twint")
	c := checkout()

	s, err := p.StartCheckout(context.Background(), c)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(s.ID, "cs_"), s.ID)
	require.True(t, strings.HasPrefix(s.RedirectURL, "https://checkout.stripe.com/"), s.RedirectURL)
	// stripe-mock answers with its fixture, into which it copies the
	// request's top-level fields: expires_at is what was asked for.
	require.Equal(t, c.ExpiresAt, s.ExpiresAt)

	reqs := rec.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, "/v1/checkout/sessions", r.Path)
	require.Equal(t, c.IdempotencyKey, r.Header.Get("Idempotency-Key"))
	require.Equal(t, "Bearer "+stripemock.Key, r.Header.Get("Authorization"))
	want := map[string]string{
		"mode":                                          "payment",
		"line_items[0][quantity]":                       "1",
		"line_items[0][price_data][currency]":           "chf",
		"line_items[0][price_data][unit_amount]":        "4500",
		"line_items[0][price_data][product_data][name]": c.Description,
		"client_reference_id":                           c.Reference,
		"metadata[payment]":                             c.Payment,
		"metadata[reference]":                           c.Reference,
		"payment_intent_data[metadata][payment]":        c.Payment,
		"payment_intent_data[metadata][reference]":      c.Reference,
		"locale":                  "fr",
		"customer_email":          c.Email,
		"success_url":             c.SuccessURL,
		"cancel_url":              c.CancelURL,
		"expires_at":              strconv.FormatInt(c.ExpiresAt.Unix(), 10),
		"payment_method_types[0]": "card",
		"payment_method_types[1]": "twint",
	}
	for k, v := range want {
		require.Equal(t, v, r.Form.Get(k), k)
	}
}

func TestStartCheckoutOptionalFields(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newProvider(t, mockURL(t), rec) // no methods configured: card
	c := checkout()
	c.Email, c.Language, c.ExpiresAt, c.IdempotencyKey, c.Currency = "", "rm", time.Time{}, "", ""

	s, err := p.StartCheckout(context.Background(), c)
	require.NoError(t, err)
	require.NotEmpty(t, s.ID)

	r := rec.requests()[0]
	require.Equal(t, "card", r.Form.Get("payment_method_types[0]"))
	require.False(t, r.Form.Has("payment_method_types[1]"))
	require.Equal(t, "auto", r.Form.Get("locale"), "Romansh is not a Checkout locale: the browser's language decides")
	require.Equal(t, "chf", r.Form.Get("line_items[0][price_data][currency]"))
	for _, k := range []string{"customer_email", "expires_at"} {
		require.False(t, r.Form.Has(k), k)
	}
	// stripe-go makes its own retries idempotent with a key of its own.
	require.NotEmpty(t, r.Header.Get("Idempotency-Key"))
}

func TestStartCheckoutRejects(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newProvider(t, "http://127.0.0.1:9", rec) // never reached
	for name, change := range map[string]func(*payprovider.Checkout){
		"no amount":       func(c *payprovider.Checkout) { c.Amount = 0 },
		"negative amount": func(c *payprovider.Checkout) { c.Amount = -100 },
		"euro":            func(c *payprovider.Checkout) { c.Currency = "EUR" },
		"no reference":    func(c *payprovider.Checkout) { c.Reference = "" },
		"no description":  func(c *payprovider.Checkout) { c.Description = "" },
		"no success URL":  func(c *payprovider.Checkout) { c.SuccessURL = "" },
	} {
		c := checkout()
		change(&c)
		_, err := p.StartCheckout(context.Background(), c)
		require.Error(t, err, name)
		require.False(t, IsTemporary(err), name)
	}
	require.Empty(t, rec.requests())
}

func TestLocale(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"de": "de", "fr": "fr", "it": "it", "en": "en", "de-CH": "de", "FR": "fr", "rm": "auto", "": "auto"} {
		require.Equal(t, want, locale(in), in)
	}
}

func TestLookupAgainstStripeMock(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newProvider(t, mockURL(t), rec)

	st, err := p.Lookup(context.Background(), "cs_test_schalter1")
	require.NoError(t, err)
	// stripe-mock's session is open and unpaid.
	require.Equal(t, payprovider.Status{Session: "cs_test_schalter1", State: payprovider.Pending}, st)

	r := rec.requests()[0]
	require.Equal(t, http.MethodGet, r.Method)
	require.Equal(t, "/v1/checkout/sessions/cs_test_schalter1", r.Path)
	require.Equal(t, "payment_intent.latest_charge", r.Form.Get("expand[0]"))
}

// eventObject is the session in an event fixture, as the API would return it.
func eventObject(t *testing.T, name string) []byte {
	t.Helper()
	var ev struct {
		Data struct {
			Object json.RawMessage `json:"object"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(readFixture(t, name), &ev))
	return ev.Data.Object
}

func TestLookupStates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		body []byte
		want payprovider.Status
	}{
		{"paid with TWINT", readFixture(t, "session-paid-twint.json"), payprovider.Status{
			Session: "cs_test_b2Le9ArX4yZu6wCo8NqMs3It5Kg7Hd0Vf1Yx2Rz4Sa6Uc8We0Oh", State: payprovider.Paid, Amount: 4500,
			Charge: "pi_3R7kR9B7WZ01zgkW5e6f7g8h", Method: "twint", PaidAt: time.Unix(1775040395, 0).UTC(),
		}},
		{"payment failed after completion", readFixture(t, "session-payment-failed.json"), payprovider.Status{
			Session: "cs_test_b2Le9ArX4yZu6wCo8NqMs3It5Kg7Hd0Vf1Yx2Rz4Sa6Uc8We0Oh", State: payprovider.Failed,
		}},
		{"complete, payment under way", eventObject(t, "checkout.session.completed-unpaid.json"), payprovider.Status{
			Session: "cs_test_b2Le9ArX4yZu6wCo8NqMs3It5Kg7Hd0Vf1Yx2Rz4Sa6Uc8We0Oh", State: payprovider.Pending,
		}},
		{"expired", eventObject(t, "checkout.session.expired.json"), payprovider.Status{
			Session: "cs_test_c3Mf0BsY5zAv7xDp9OrNt4Ju6Lh8Ie1Wg2Zy3Sa5Tb7Vd9Xf1Pi", State: payprovider.Expired,
		}},
	} {
		url, _ := fakeStripe(t, http.StatusOK, tc.body)
		st, err := newProvider(t, url, nil).Lookup(context.Background(), tc.want.Session)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, st, tc.name)
	}
}

func TestLookupUnknownStatus(t *testing.T) {
	t.Parallel()
	url, _ := fakeStripe(t, http.StatusOK, []byte(`{"id":"cs_test_x","object":"checkout.session","status":"archived"}`))
	_, err := newProvider(t, url, nil).Lookup(context.Background(), "cs_test_x")
	require.ErrorContains(t, err, `unknown status "archived"`)
}

func TestLookupUnknownSession(t *testing.T) {
	t.Parallel()
	url, _ := fakeStripe(t, http.StatusNotFound, []byte(`{"error":{"code":"resource_missing","doc_url":"https://stripe.com/docs/error-codes/resource-missing",
		"message":"No such checkout.session: 'cs_test_nope'","param":"session","type":"invalid_request_error"}}`))
	p := newProvider(t, url, nil)
	_, err := p.Lookup(context.Background(), "cs_test_nope")
	require.ErrorIs(t, err, payprovider.ErrUnknownSession)
	require.False(t, IsTemporary(err))

	_, err = p.Lookup(context.Background(), "")
	require.ErrorIs(t, err, payprovider.ErrUnknownSession)
}

func TestRefund(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newProvider(t, mockURL(t), rec)

	res, err := p.Refund(context.Background(), payprovider.Refund{
		Charge: "pi_3R7kQ2B7WZ01zgkW1a2b3c4d", Amount: 1500, IdempotencyKey: "refund-01JQ4A0B2C4D6E8F0G2H4J6K8M", Reason: "Gesuch zurückgezogen",
	})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(res.ID, "re_"), res.ID)
	require.Equal(t, "succeeded", res.State) // stripe-mock's refund has succeeded

	res, err = p.Refund(context.Background(), payprovider.Refund{Charge: "pi_3R7kQ2B7WZ01zgkW1a2b3c4d", Amount: 4500, IdempotencyKey: "refund-2", Reason: "duplicate"})
	require.NoError(t, err)
	require.NotEmpty(t, res.ID)

	reqs := rec.requests()
	require.Len(t, reqs, 2)
	r := reqs[0]
	require.Equal(t, "/v1/refunds", r.Path)
	require.Equal(t, "refund-01JQ4A0B2C4D6E8F0G2H4J6K8M", r.Header.Get("Idempotency-Key"))
	require.Equal(t, "pi_3R7kQ2B7WZ01zgkW1a2b3c4d", r.Form.Get("payment_intent"))
	require.Equal(t, "1500", r.Form.Get("amount"))
	require.Equal(t, "requested_by_customer", r.Form.Get("reason"), "free text is no Stripe reason")
	require.Equal(t, "Gesuch zurückgezogen", r.Form.Get("metadata[reason]"))
	require.Equal(t, "refund-01JQ4A0B2C4D6E8F0G2H4J6K8M", r.Form.Get("metadata[refund]"))

	r = reqs[1]
	require.Equal(t, "duplicate", r.Form.Get("reason"), "one of Stripe's reasons is passed on")
	require.False(t, r.Form.Has("metadata[reason]"))
}

func TestRefundRejects(t *testing.T) {
	t.Parallel()
	p := newProvider(t, "http://127.0.0.1:9", nil) // never reached
	for _, r := range []payprovider.Refund{{Amount: 100}, {Charge: "pi_1"}, {Charge: "pi_1", Amount: -5}} {
		_, err := p.Refund(context.Background(), r)
		require.Error(t, err)
	}
}

func TestRefundState(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"succeeded": "succeeded", "pending": "pending", "requires_action": "pending", "failed": "failed", "canceled": "failed", "new_in_2030": "pending",
	} {
		require.Equal(t, want, refundState(stripe.RefundStatus(in)), in)
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Gesuch", truncate("Gesuch", 500))
	require.Equal(t, "Gesü", truncate("Gesüch", 4))
	require.Len(t, []rune(truncate(strings.Repeat("ä", 600), maxMetadataValue)), maxMetadataValue)
}

func TestTemporaryFailures(t *testing.T) {
	t.Parallel()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + closed.Addr().String()
	require.NoError(t, closed.Close())

	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"500", http.StatusInternalServerError, `{"error":{"type":"api_error","message":"An unknown error occurred"}}`},
		{"503 from a proxy, not JSON", http.StatusServiceUnavailable, `<html>upstream unavailable</html>`},
		{"429", http.StatusTooManyRequests, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}`},
		{"409 key in flight", http.StatusConflict, `{"error":{"type":"idempotency_error","message":"There is currently another in-progress request using this Idempotent Key"}}`},
		{"connection refused", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := refused
			if tc.status != 0 {
				url, _ = fakeStripe(t, tc.status, []byte(tc.body))
			}
			_, err := newProvider(t, url, nil).StartCheckout(context.Background(), checkout())
			require.Error(t, err)
			require.True(t, IsTemporary(err), "%v", err)
			require.Equal(t, apperr.Unavailable, apperr.CodeOf(err))
		})
	}
}

func TestPermanentFailures(t *testing.T) {
	t.Parallel()
	url, _ := fakeStripe(t, http.StatusBadRequest, []byte(`{"error":{"type":"invalid_request_error","code":"amount_too_small",
		"message":"The Checkout Session's total amount due must add up to at least CHF 0.50","param":"line_items[0][price_data][unit_amount]"}}`))
	_, err := newProvider(t, url, nil).StartCheckout(context.Background(), checkout())
	require.Error(t, err)
	require.False(t, IsTemporary(err))
	require.ErrorContains(t, err, "amount_too_small")
	require.ErrorContains(t, err, "req_schalter_test", "the request id is for Stripe's support")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = newProvider(t, mockURL(t), nil).Lookup(ctx, "cs_test_1")
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, IsTemporary(err))
}

func TestErrorsNeverShowTheKey(t *testing.T) {
	t.Parallel()
	// stripe-mock takes test keys only and repeats a rejected
	// Authorization header in its error message.
	const key = "sk_live_51Schalter0NeverInLogs9xYz"
	p, err := New(Config{SecretKey: key, WebhookSecret: testWebhookSecret, APIURL: mockURL(t)})
	require.NoError(t, err)

	_, err = p.StartCheckout(context.Background(), checkout())
	require.Error(t, err)
	for e := err; e != nil; e = errors.Unwrap(e) {
		require.NotContains(t, e.Error(), key)
	}
	require.ErrorContains(t, err, "[redacted]", "stripe-mock's message is kept, without the key")
}

func TestNew(t *testing.T) {
	t.Parallel()
	ok := Config{SecretKey: "rk_test_abc", WebhookSecret: testWebhookSecret}
	for _, u := range []string{"", "https://api.stripe.com", "http://127.0.0.1:12111", "http://localhost:12111", "http://[::1]:12111"} {
		c := ok
		c.APIURL = u
		_, err := New(c)
		require.NoError(t, err, u)
	}
	for name, c := range map[string]Config{
		"no key":               {WebhookSecret: testWebhookSecret},
		"publishable key":      {SecretKey: "pk_test_abc", WebhookSecret: testWebhookSecret},
		"no webhook secret":    {SecretKey: "sk_test_abc"},
		"plain http elsewhere": {SecretKey: "sk_test_abc", WebhookSecret: testWebhookSecret, APIURL: "http://stripe-mock.internal:12111"},
		"not a URL":            {SecretKey: "sk_test_abc", WebhookSecret: testWebhookSecret, APIURL: "127.0.0.1:12111"},
	} {
		_, err := New(c)
		require.Error(t, err, name)
		if c.SecretKey != "" {
			require.NotContains(t, err.Error(), c.SecretKey, name)
		}
	}
}
