package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/devpay"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/payprovider/stripeprovider"
	"github.com/schalter-ch/schalter/internal/payprovider/stripeprovider/stripemock"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

// sameOrigin is what a browser sends with the PWA's requests and the
// provider page's form on the same server; the cross-origin protection
// lets those through and refuses cross-site ones.
const sameOrigin = "same-origin"

// residenceCase publishes the residence certificate's form with the fees
// the payments tests use (internal/payments/testdata/residence-fees.json:
// paid first, CHF 20 for one copy) and submits Tamara's order of one copy.
// It returns her two-factor session and the case number.
func residenceCase(t *testing.T, b *testBundle) (map[string]string, string) {
	t.Helper()
	ctx := context.Background()
	const service = "wohnsitzbestaetigung"
	f := forms.New(b.store, account.ProfileFields)
	v, err := f.Published(ctx, service)
	require.NoError(t, err)
	raw, err := os.ReadFile("../internal/payments/testdata/residence-fees.json")
	require.NoError(t, err)
	def := v.Definition
	require.NoError(t, json.Unmarshal(raw, &def.Fees))
	next, err := f.Create(ctx, service, def, "test")
	require.NoError(t, err)
	_, err = f.Publish(ctx, service, next.Number)
	require.NoError(t, err)

	tamara := map[string]string{"Cookie": twoFactorSession(t, b, loginAs(t, b, "tamara@example.ch")["Cookie"]), "Sec-Fetch-Site": sameOrigin}
	draft := b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", header: tamara, body: `{"service":"` + service + `","data":{"given_name":"Tamara",
		"family_name":"Keller","birth_date":"1990-03-04","street":"Bahnhofstrasse 1","postal_code":"8610","locality":"Uster","for_whom":"self",
		"delivery":"account","copies":1}}`})
	require.Equal(t, http.StatusCreated, draft.status, string(draft.body))
	sub := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases", header: tamara, body: `{"draft":"` + draft.json(t)["id"].(string) + `"}`})
	require.Equal(t, http.StatusCreated, sub.status, string(sub.body))
	require.Equal(t, "payment_due", sub.json(t)["status"], "paid first")
	return tamara, sub.json(t)["number"].(string)
}

// bill is the case's bill as its owner reads it.
func bill(t *testing.T, b *testBundle, session map[string]string, number string) map[string]any {
	t.Helper()
	r := b.do(t, req{path: "/api/v1/me/cases/" + number + "/bill", header: session})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	return r.json(t)
}

// checkout starts paying the case with provider and returns the payment
// and the provider's page.
func checkout(t *testing.T, b *testBundle, session map[string]string, number, provider string) (map[string]any, string) {
	t.Helper()
	r := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases/" + number + "/checkout", header: session, body: `{"provider":"` + provider + `"}`})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	out := r.json(t)
	return out["payment"].(map[string]any), out["redirect_url"].(string)
}

// webhook posts a provider's event with a Stripe-Signature header.
func webhook(t *testing.T, b *testBundle, provider string, body []byte, signature string) resp {
	t.Helper()
	return b.do(t, req{method: http.MethodPost, path: "/api/v1/payments/webhooks/" + provider, body: string(body),
		header: map[string]string{"Stripe-Signature": signature}})
}

// TestPaymentWebhookRoutes: only a configured provider has a webhook, and
// only its signature gets an event in.
func TestPaymentWebhookRoutes(t *testing.T) {
	t.Parallel()
	b := serverWith(t, pgtest.Store(t, pgtest.Options{}), false, func(c *config.Config) { c.Payments.Dev = true })
	body := []byte(`{"id":"dev_evt_forged","type":"checkout.paid","created":1775040312,"session":"dps_forged","state":"paid","amount":2000}`)
	requireProblem(t, webhook(t, b, devpay.Name, body, devpay.Signed("whsec_guessed", body, time.Now())), http.StatusUnauthorized)
	requireProblem(t, webhook(t, b, devpay.Name, body, ""), http.StatusUnauthorized)
	requireProblem(t, webhook(t, b, "paypal", body, devpay.Signed("whsec_guessed", body, time.Now())), http.StatusNotFound)
	// Stripe is not configured on this server: it has no webhook either.
	requireProblem(t, webhook(t, b, "stripe", body, devpay.Signed("whsec_guessed", body, time.Now())), http.StatusNotFound)
}

// TestPaymentWithDevProvider: Tamara pays her case on the development
// provider's page, through the API as the PWA does; Bruno sees nothing
// of it.
func TestPaymentWithDevProvider(t *testing.T) {
	t.Parallel()
	b := startServer(t, pgtest.Store(t, pgtest.Options{Seed: true}), false, func(c *config.Config, url string) {
		// The provider sends the browser back to, and its webhooks to,
		// this server.
		c.Payments.Dev, c.PublicURL = true, url
	})
	tamara, number := residenceCase(t, b)
	before := bill(t, b, tamara, number)
	require.EqualValues(t, 2000, before["open_rappen"])
	require.Equal(t, []any{devpay.Name}, before["providers"])
	bruno := with(loginAs(t, b, "bruno@example.ch"), "Sec-Fetch-Site", sameOrigin)
	requireProblem(t, b.do(t, req{path: "/api/v1/me/cases/" + number + "/bill", header: bruno}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases/" + number + "/checkout", header: bruno, body: `{"provider":"dev"}`}),
		http.StatusNotFound)
	// Another site cannot start a checkout with Tamara's cookie.
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases/" + number + "/checkout", header: map[string]string{"Cookie": tamara["Cookie"], "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		body: `{"provider":"dev"}`}), http.StatusForbidden)

	payment, redirect := checkout(t, b, tamara, number, devpay.Name)
	require.Equal(t, "pending", payment["status"])
	require.EqualValues(t, 2000, payment["amount_rappen"])
	page, err := url.Parse(redirect)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(page.Path, "/devpay/dps_"), redirect)

	shown := b.do(t, req{path: page.Path})
	require.Equal(t, http.StatusOK, shown.status, string(shown.body))
	require.True(t, strings.HasPrefix(shown.header.Get("Content-Type"), "text/html"))
	for _, choice := range []string{"paid", "failed", "cancelled"} {
		require.Contains(t, string(shown.body), `value="`+choice+`"`)
	}

	chosen := b.do(t, req{method: http.MethodPost, path: page.Path, body: "choice=paid",
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": sameOrigin}})
	require.Equal(t, http.StatusSeeOther, chosen.status, string(chosen.body))
	// Back to the case page on this server, which shows the payment once
	// the webhook says so.
	back, err := url.Parse(chosen.header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, b.srv.URL, back.Scheme+"://"+back.Host)
	require.True(t, strings.HasSuffix(back.Path, "/cases/"+number), back.Path)
	require.Equal(t, url.Values{"payment": {payment["id"].(string)}, "outcome": {"done"}}, back.Query())

	// The webhook (a job) has reached the server once the page's answer
	// is read (startServer waits for the jobs a request enqueued).
	after := bill(t, b, tamara, number)
	require.EqualValues(t, 0, after["open_rappen"])
	require.Equal(t, "paid", after["payments"].([]any)[0].(map[string]any)["status"])
	c := b.do(t, req{path: "/api/v1/me/cases/" + number, header: tamara})
	require.Equal(t, "received", c.json(t)["status"], "paid: handed to the office")
}

// TestStripeThroughTheAPI: Stripe configured as an operator does it
// (key, webhook secret, API URL: here stripe-mock's), from the checkout
// to Stripe's signed webhook at /api/v1/payments/webhooks/stripe.
func TestStripeThroughTheAPI(t *testing.T) {
	t.Parallel()
	const secret = "whsec_schalter_api_test"
	mock := stripemock.Start(t)
	b := serverWith(t, pgtest.Store(t, pgtest.Options{Seed: true}), false, func(c *config.Config) {
		c.Payments.Stripe = config.Stripe{SecretKey: stripemock.Key, WebhookSecret: secret, APIURL: mock, Methods: []string{"card", "twint"}}
	})
	tamara, number := residenceCase(t, b)
	require.Contains(t, bill(t, b, tamara, number)["providers"], "stripe")

	payment, redirect := checkout(t, b, tamara, number, "stripe")
	require.Equal(t, "stripe", payment["method"])
	require.True(t, strings.HasPrefix(redirect, "https://"), "Stripe's hosted page: %s", redirect)
	got, err := b.store.Payment(context.Background(), uuid.MustParse(payment["id"].(string)))
	require.NoError(t, err)
	session := *got.Session

	// Stripe's recorded event, about this session and its amount (stripe-mock
	// sends no webhooks; the payload is the one stripeprovider tests with).
	recorded, err := os.ReadFile("../internal/payprovider/stripeprovider/testdata/checkout.session.completed.json")
	require.NoError(t, err)
	other := recorded // a session Schalter does not know
	paid := []byte(strings.NewReplacer("cs_test_a1Kd8ZqW3xYt5vBn7MpLr2Hs4Jf6Gc9Ue0Xw1Qy3Rz5Tb7Vd9Ng", session, `"amount_total": 4500`, `"amount_total": 2000`,
		"evt_1R7kQ8B7WZ01zgkWc0mPl3t3", "evt_schalter_api_paid").Replace(string(recorded)))
	sign := func(body []byte, secret string) string { return stripeprovider.SignTestEvent(secret, body, time.Now()) }

	requireProblem(t, webhook(t, b, "stripe", paid, sign(paid, "whsec_guessed")), http.StatusUnauthorized)
	requireProblem(t, webhook(t, b, "stripe", paid, sign(paid, secret)[:20]), http.StatusUnauthorized) // cut short
	require.Equal(t, http.StatusNoContent, webhook(t, b, "stripe", other, sign(other, secret)).status, "recorded and ignored")
	require.EqualValues(t, 2000, bill(t, b, tamara, number)["open_rappen"])
	r := webhook(t, b, "stripe", paid, sign(paid, secret))
	require.Equal(t, http.StatusNoContent, r.status, string(r.body))
	after := bill(t, b, tamara, number)
	require.EqualValues(t, 0, after["open_rappen"])
	require.Equal(t, "card", after["payments"].([]any)[0].(map[string]any)["paid_with"])
	require.Equal(t, "received", b.do(t, req{path: "/api/v1/me/cases/" + number, header: tamara}).json(t)["status"])
}
