package payments

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/payprovider"
	"github.com/schalter-ch/schalter/internal/payprovider/stripeprovider"
	"github.com/schalter-ch/schalter/internal/payprovider/stripeprovider/stripemock"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

// stripeSecret is the webhook signing secret the Stripe provider of these
// tests is configured with: what Stripe signs its events with.
const stripeSecret = "whsec_schalter_payments_test"

// withStripe adds Stripe Checkout, against a stripe-mock of the test's
// own, to the bundle's service (setup wires the development provider
// only). stripe-mock keeps no state: a creation answers its fixture
// session (under a fresh id in v0.203.0), and a lookup finds any id open
// and unpaid. Each test makes one Stripe checkout on its own database, so
// nothing depends on how stripe-mock names sessions.
func withStripe(t *testing.T, b *bundle) {
	t.Helper()
	p, err := stripeprovider.New(stripeprovider.Config{SecretKey: stripemock.Key, WebhookSecret: stripeSecret, APIURL: stripemock.Start(t),
		HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	require.NoError(t, err)
	require.Equal(t, "stripe", p.Name(), "the webhook route is /api/v1/payments/webhooks/stripe")
	b.svc.providers[p.Name()] = p
}

// stripeEvent is an event as Stripe posts it: the provider's recorded
// checkout.session.completed (a card payment of a session that offered
// card only) with the event's id, type and time, and the session's fields
// in session put over the recorded ones.
func stripeEvent(t *testing.T, id, typ string, at time.Time, session map[string]any) []byte {
	t.Helper()
	raw, err := os.ReadFile("../payprovider/stripeprovider/testdata/checkout.session.completed.json")
	require.NoError(t, err)
	var ev map[string]any
	require.NoError(t, json.Unmarshal(raw, &ev))
	ev["id"], ev["type"], ev["created"] = id, typ, at.Unix()
	maps.Copy(ev["data"].(map[string]any)["object"].(map[string]any), session)
	out, err := json.Marshal(ev)
	require.NoError(t, err)
	return out
}

// postStripe delivers a webhook signed with secret now, as the webhook
// route hands it to the service.
func (b *bundle) postStripe(payload []byte, secret string) error {
	h := http.Header{}
	h.Set(stripeprovider.SignatureHeader, stripeprovider.SignTestEvent(secret, payload, time.Now()))
	return b.svc.Webhook(context.Background(), "stripe", payload, h)
}

// stripeCheckout submits an order of copies residence certificates
// (paid first) and starts paying it by Stripe.
func (b *bundle) stripeCheckout(t *testing.T, email string, copies int) (store.Case, Payment) {
	t.Helper()
	ctx := context.Background()
	acc, err := b.st.CreateAccount(ctx, email, email, "", nil)
	require.NoError(t, err)
	c := b.submit(t, acc.ID, copies)
	require.Equal(t, cases.PaymentDue, c.Status)
	p, err := b.svc.Checkout(ctx, CheckoutRequest{Account: acc.ID, Email: email, Number: c.Number, Provider: "stripe", Language: "de",
		Description: "Wohnsitzbestätigung"})
	require.NoError(t, err)
	require.Equal(t, "stripe", p.Method)
	require.Equal(t, payprovider.Pending, p.Status)
	require.True(t, strings.HasPrefix(*p.Session, "cs_"), *p.Session)
	require.NotEmpty(t, *p.RedirectURL, "the page to send the browser to")
	return c, p
}

// TestStripeCheckoutWebhooksAndRefund: a fee paid by Stripe Checkout,
// learnt from Stripe's signed webhook only, booked once however often and
// in whatever order the events come, then partly refunded through Stripe.
func TestStripeCheckoutWebhooksAndRefund(t *testing.T) {
	t.Parallel()
	b := setup(t)
	withStripe(t, b)
	ctx := context.Background()
	c, p := b.stripeCheckout(t, "stripe@pay.example", 3)
	require.EqualValues(t, 2000+2*1000, p.Amount)
	state := func() string {
		t.Helper()
		got, err := b.st.Payment(ctx, p.ID)
		require.NoError(t, err)
		return got.Status
	}

	now := time.Now()
	paid := stripeEvent(t, "evt_schalter_paid", "checkout.session.completed", now, map[string]any{"id": *p.Session, "amount_total": p.Amount})
	require.Equal(t, apperr.Unauthorized, apperr.CodeOf(b.postStripe(paid, "whsec_someone_else")), "not signed by Stripe")
	unknown := stripeEvent(t, "evt_schalter_other", "checkout.session.completed", now, map[string]any{"id": "cs_test_another_system", "amount_total": p.Amount})
	require.NoError(t, b.postStripe(unknown, stripeSecret), "another system's session on the same account: recorded and ignored")
	require.Equal(t, payprovider.Pending, state())
	require.Zero(t, b.delivered)

	require.NoError(t, b.postStripe(paid, stripeSecret))
	require.NoError(t, b.postStripe(paid, stripeSecret), "Stripe delivers at least once")
	// Out of order: the session's expiry arrives after the payment, even
	// stamped later than it; paid is final.
	expired := stripeEvent(t, "evt_schalter_expired", "checkout.session.expired", now.Add(time.Minute),
		map[string]any{"id": *p.Session, "status": "expired", "payment_status": "unpaid", "payment_intent": nil})
	require.NoError(t, b.postStripe(expired, stripeSecret))

	got, err := b.st.Payment(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, payprovider.Paid, got.Status)
	require.Equal(t, "card", got.PaidWith, "the session offered card only")
	require.Equal(t, "pi_3R7kQ2B7WZ01zgkW1a2b3c4d", *got.Charge, "the PaymentIntent, which a refund names")
	a := b.checkBooks(t, c.ID)
	require.Zero(t, a.Open)
	require.EqualValues(t, 4000, a.Paid)
	journal, err := b.st.JournalOfCase(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, journal, 2, "one charge, one payment: the repeated event booked nothing")
	require.Equal(t, 1, b.delivered, "handed to the office once")
	require.Equal(t, cases.Received, b.caseStatus(t, c))

	// One copy too many: the office gives CHF 10 back through Stripe.
	staff, err := b.st.CreateAccount(ctx, "kasse@pay.example", "kasse@pay.example", "", nil, store.Role{Role: account.RoleStaff, Office: "einwohnerdienste"})
	require.NoError(t, err)
	rs, err := b.svc.RefundCase(ctx, RefundRequest{Staff: staff.ID, Email: "kasse@pay.example", Number: c.Number, Amount: 1000, Reason: "Eine Ausfertigung zu viel bestellt"})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	_, err = pgtest.Work(t, b.st, &RefundWorker{Service: b.svc}, RefundArgs{Refund: rs[0].ID})
	require.NoError(t, err)
	a = b.checkBooks(t, c.ID)
	require.Len(t, a.Refunds, 1)
	require.Equal(t, RefundSucceeded, a.Refunds[0].Status, "stripe-mock's refund has succeeded")
	require.True(t, strings.HasPrefix(*a.Refunds[0].ProviderRef, "re_"), *a.Refunds[0].ProviderRef)
	require.EqualValues(t, 1000, a.Refunded)
	require.EqualValues(t, 1000, a.Open, "owed again: what was given back")
	require.EqualValues(t, 3000, a.Refundable)
}

// TestStripeLostWebhookBackstop: without a webhook, the backstop asks
// Stripe. stripe-mock is stateless: its session is always open and
// unpaid, as Stripe's is before the person pays, so the payment stays
// pending (that a paid or failed session is read right is tested in
// stripeprovider against recorded Stripe answers); once the checkout's
// time is up it expires.
func TestStripeLostWebhookBackstop(t *testing.T) {
	t.Parallel()
	b := setup(t)
	withStripe(t, b)
	ctx := context.Background()
	c, p := b.stripeCheckout(t, "lost-stripe@pay.example", 1)

	b.svc.now = func() time.Time { return time.Now().Add(ConfirmAfter + time.Minute) }
	n, err := b.svc.Confirm(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "Stripe says open: nothing changes")
	got, err := b.st.Payment(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, payprovider.Pending, got.Status)
	require.Equal(t, cases.PaymentDue, b.caseStatus(t, c), "still waiting for the money")

	b.svc.now = func() time.Time { return time.Now().Add(CheckoutTTL + 10*time.Minute) }
	n, err = b.svc.Confirm(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	got, err = b.st.Payment(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, payprovider.Expired, got.Status, "past its end: expired, though stripe-mock never expires anything")
	a := b.checkBooks(t, c.ID)
	require.EqualValues(t, 2000, a.Open, "nothing was paid")
}

// caseStatus is the case's status now.
func (b *bundle) caseStatus(t *testing.T, c store.Case) string {
	t.Helper()
	got, err := b.cases.Get(context.Background(), *c.Account, c.Number)
	require.NoError(t, err)
	return got.Status
}
