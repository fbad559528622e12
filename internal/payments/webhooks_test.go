package payments

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/devpay"
	"github.com/schalter-ch/schalter/internal/payprovider"
)

// TestWebhookRush: many events at once, for many payments, each sent
// several times over and out of order (an older failure, the payment,
// the same event again, the provider's second delivery of the payment
// under a new id), as a provider's retries in a rush deliver them. They
// share transactions, and still every payment is paid and booked once,
// every case handed to its office once, every journal balanced.
func TestWebhookRush(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	acc, err := b.st.CreateAccount(ctx, "rush@pay.example", "rush@pay.example", "", nil)
	require.NoError(t, err)
	const n = 40
	var ps []Payment
	for range n {
		c := b.submit(t, acc.ID, 1)
		p, err := b.svc.Checkout(ctx, CheckoutRequest{Account: acc.ID, Number: c.Number, Provider: devpay.Name})
		require.NoError(t, err)
		ps = append(ps, p)
	}
	now := time.Now()
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i, p := range ps {
		for _, ev := range []struct {
			id, state string
			at        time.Time
		}{
			{fmt.Sprintf("f%d", i), "failed", now.Add(-time.Minute)},
			{fmt.Sprintf("p%d", i), "paid", now},
			{fmt.Sprintf("p%d", i), "paid", now},
			{fmt.Sprintf("q%d", i), "paid", now.Add(time.Second)},
		} {
			wg.Go(func() {
				<-start
				errs <- b.event("whsec_test", ev.id, ev.state, ev.at, *p.Session)
			})
		}
	}
	before := b.svc.webhooks.commits.Load()
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	commits := b.svc.webhooks.commits.Load() - before
	require.Less(t, commits, int64(4*n), "events that arrive together share transactions")
	t.Logf("%d events in %d transactions", 4*n, commits)
	for _, p := range ps {
		got, err := b.st.Payment(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, payprovider.Paid, got.Status)
		a := b.checkBooks(t, p.Case)
		require.Zero(t, a.Open)
		require.Equal(t, int64(2000), a.Paid, "paid once")
		events, err := b.st.CaseEvents(ctx, p.Case)
		require.NoError(t, err)
		var notes int
		for _, e := range events {
			if e.Message == "Zahlung erhalten: CHF 20.00" {
				notes++
			}
		}
		require.Equal(t, 1, notes, "one timeline step per payment")
	}
	require.Equal(t, n, b.delivered, "every case handed to its office once")
}
