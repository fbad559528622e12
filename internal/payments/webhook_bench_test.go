package payments

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/devpay"
)

// BenchmarkWebhook is one payment confirmation by a signed webhook: the
// transaction of the hot path of a payment rush (see make bench for the
// same over HTTP at 500/s).
func BenchmarkWebhook(b *testing.B) {
	bn := setup(b)
	ctx := context.Background()
	acc, err := bn.st.CreateAccount(ctx, "bench@pay.example", "bench@pay.example", "", nil)
	require.NoError(b, err)
	sessions := make([]string, b.N)
	for i := range b.N {
		c := bn.submit(b, acc.ID, 1)
		p, err := bn.svc.Checkout(ctx, CheckoutRequest{Account: acc.ID, Number: c.Number, Provider: devpay.Name})
		require.NoError(b, err)
		sessions[i] = *p.Session
	}
	b.ResetTimer()
	for i := range b.N {
		now := time.Now()
		body := fmt.Appendf(nil, `{"id":"e%d","type":"checkout.paid","created":%d,"session":%q,"state":"paid","amount":2000,"charge":"c%d"}`, i, now.Unix(), sessions[i], i)
		h := http.Header{}
		h.Set("Stripe-Signature", devpay.Signed("whsec_test", body, now))
		if err := bn.svc.Webhook(ctx, devpay.Name, body, h); err != nil {
			b.Fatal(err)
		}
	}
}
