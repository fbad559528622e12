package stripeprovider

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/schalter-ch/schalter/internal/payprovider"
)

// signed returns the header of a request Stripe signed at the given time.
func signed(secret string, payload []byte, at time.Time) http.Header {
	h := http.Header{}
	h.Set(SignatureHeader, SignTestEvent(secret, payload, at))
	return h
}

// webhookProvider needs no API: ParseWebhook makes no requests.
func webhookProvider(t *testing.T) *Provider {
	return newProvider(t, "http://127.0.0.1:9", nil, "card", "twint")
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	p := webhookProvider(t)
	const (
		cardSession  = "cs_test_a1Kd8ZqW3xYt5vBn7MpLr2Hs4Jf6Gc9Ue0Xw1Qy3Rz5Tb7Vd9Ng"
		asyncSession = "cs_test_b2Le9ArX4yZu6wCo8NqMs3It5Kg7Hd0Vf1Yx2Rz4Sa6Uc8We0Oh"
	)
	for _, tc := range []struct {
		fixture string
		want    payprovider.Event
	}{
		{"checkout.session.completed.json", payprovider.Event{
			ID: "evt_1R7kQ8B7WZ01zgkWc0mPl3t3", Type: "checkout.session.completed", Created: time.Unix(1775040312, 0).UTC(),
			Status: payprovider.Status{
				Session: cardSession, State: payprovider.Paid, Amount: 4500, Charge: "pi_3R7kQ2B7WZ01zgkW1a2b3c4d",
				Method: "card", // the session offered card only
				PaidAt: time.Unix(1775040312, 0).UTC(),
			},
		}},
		{"checkout.session.completed-unpaid.json", payprovider.Event{
			ID: "evt_1R7kS1B7WZ01zgkWsUbm1tt3", Type: "checkout.session.completed", Created: time.Unix(1775040401, 0).UTC(),
			Status: payprovider.Status{Session: asyncSession, State: payprovider.Pending},
		}},
		{"checkout.session.async_payment_succeeded.json", payprovider.Event{
			ID: "evt_1R8aT4B7WZ01zgkWa5yncOk1", Type: "checkout.session.async_payment_succeeded", Created: time.Unix(1775126800, 0).UTC(),
			Status: payprovider.Status{
				Session: asyncSession, State: payprovider.Paid, Amount: 4500, Charge: "pi_3R7kR9B7WZ01zgkW5e6f7g8h",
				Method: "", // card or TWINT: the event does not say; Lookup does
				PaidAt: time.Unix(1775126800, 0).UTC(),
			},
		}},
		{"checkout.session.async_payment_failed.json", payprovider.Event{
			ID: "evt_1R8aU6B7WZ01zgkWa5yncFa1", Type: "checkout.session.async_payment_failed", Created: time.Unix(1775126900, 0).UTC(),
			Status: payprovider.Status{Session: asyncSession, State: payprovider.Failed},
		}},
		{"checkout.session.expired.json", payprovider.Event{
			ID: "evt_1R7nV2B7WZ01zgkWexp1red0", Type: "checkout.session.expired", Created: time.Unix(1775043601, 0).UTC(),
			Status: payprovider.Status{Session: "cs_test_c3Mf0BsY5zAv7xDp9OrNt4Ju6Lh8Ie1Wg2Zy3Sa5Tb7Vd9Xf1Pi", State: payprovider.Expired},
		}},
		{"charge.refunded.json", payprovider.Event{
			// Not about a checkout: recorded, no status.
			ID: "evt_3R9bW1B7WZ01zgkW0refund1", Type: "charge.refunded", Created: time.Unix(1775200000, 0).UTC(),
		}},
	} {
		payload := readFixture(t, tc.fixture)
		ev, err := p.ParseWebhook(payload, signed(testWebhookSecret, payload, time.Now()))
		require.NoError(t, err, tc.fixture)
		require.Equal(t, tc.want, ev, tc.fixture)
	}
}

func TestParseWebhookStripeSigned(t *testing.T) {
	t.Parallel()
	// Signed with stripe-go's own test helper, and with two signatures, as
	// Stripe sends them while an endpoint's secret is being rolled.
	payload := readFixture(t, "checkout.session.expired.json")
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: testWebhookSecret, Timestamp: time.Now().Add(-4 * time.Minute)})
	old := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: "whsec_the_old_one", Timestamp: sp.Timestamp})
	h := http.Header{}
	h.Set("Stripe-Signature", fmt.Sprintf("t=%d,v1=%x,v1=%x", sp.Timestamp.Unix(), old.Signature, sp.Signature))

	ev, err := webhookProvider(t).ParseWebhook(payload, h)
	require.NoError(t, err)
	require.Equal(t, payprovider.Expired, ev.Status.State)
}

func TestParseWebhookRejects(t *testing.T) {
	t.Parallel()
	p := webhookProvider(t)
	payload := readFixture(t, "checkout.session.completed.json")
	now := time.Now()
	tampered := bytes.Replace(payload, []byte(`"amount_total": 4500`), []byte(`"amount_total": 1`), 1)
	require.NotEqual(t, payload, tampered)

	for name, tc := range map[string]struct {
		payload []byte
		header  http.Header
	}{
		"no header":          {payload, http.Header{}},
		"another secret":     {payload, signed("whsec_someone_else", payload, now)},
		"six minutes old":    {payload, signed(testWebhookSecret, payload, now.Add(-6*time.Minute))},
		"changed after sign": {tampered, signed(testWebhookSecret, payload, now)},
		"garbled header":     {payload, http.Header{SignatureHeader: {"t=yesterday,v1=abc"}}},
		"no v1 signature":    {payload, http.Header{SignatureHeader: {"t=1775040312,v0=abc"}}},
	} {
		_, err := p.ParseWebhook(tc.payload, tc.header)
		require.ErrorIs(t, err, payprovider.ErrSignature, name)
	}
}

func TestParseWebhookUnreadable(t *testing.T) {
	t.Parallel()
	p := webhookProvider(t)
	for name, payload := range map[string]string{
		"not JSON":               `event=checkout.session.completed`,
		"a thin v2 notification": `{"id":"evt_test_65R","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered"}`,
		"no event id":            `{"object":"event","type":"charge.refunded","created":1775200000,"data":{"object":{}}}`,
		"checkout without session id": `{"id":"evt_1","object":"event","type":"checkout.session.completed","created":1775200000,
			"data":{"object":{"object":"checkout.session","status":"complete","payment_status":"paid"}}}`,
	} {
		_, err := p.ParseWebhook([]byte(payload), signed(testWebhookSecret, []byte(payload), time.Now()))
		require.Error(t, err, name)
		// Signed by Stripe: not a forgery, so not ErrSignature (the handler
		// answers it differently, and Stripe's retries show it).
		require.False(t, errors.Is(err, payprovider.ErrSignature), name)
	}
}
