package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/sync/errgroup"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/devpay"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

const (
	confirmRate, confirmSeconds = 500, 10
	residenceData               = `{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-03-04","street":"Bahnhofstrasse 1","postal_code":"8610",
		"locality":"Uster","for_whom":"self","delivery":"account","copies":1}`
)

// pendingCheckouts submits n paid-first cases (the residence certificate)
// and starts a checkout with the development provider for each, in the
// test process, on the server's database: what the server then confirms.
func pendingCheckouts(t *testing.T, st *store.Store, n int) []string {
	ctx := context.Background()
	box, err := secretbox.New(benchSecretKey)
	require.NoError(t, err)
	f := forms.New(st, account.ProfileFields)
	d := drafts.New(st, f)
	cs := cases.New(st, f, "UST")
	dev := devpay.New(st, "http://localhost", devpay.Secret(box))
	svc, err := payments.New(st, payments.Config{Account: "CH4431999123000889012", City: "Stadt Uster",
		Creditor: qrbill.Address{Name: "Stadt Uster", Street: "Oberlandstrasse", BuildingNumber: "78", PostalCode: "8610", Town: "Uster", Country: "CH"}},
		ledger.New(ledger.Chart{}), cs, documents.New(st, box, "http://localhost"), dev)
	require.NoError(t, err)
	cs.OnCreated = svc.Bill
	sessions := make([]string, n)
	var g errgroup.Group
	g.SetLimit(8)
	for i := range n {
		g.Go(func() error {
			owner, err := st.AccountByEmail(ctx, fmt.Sprintf("bench%d@example.ch", i%benchAccounts))
			if err != nil {
				return err
			}
			dr, err := d.Create(ctx, drafts.Account(owner.ID), "wohnsitzbestaetigung", json.RawMessage(residenceData), "")
			if err != nil {
				return err
			}
			c, err := cs.Submit(ctx, cases.Submission{Account: owner.ID, Email: owner.Email, Level: account.LevelTwoFactor, Draft: dr.ID, Language: "de"})
			if err != nil {
				return err
			}
			p, err := svc.Checkout(ctx, payments.CheckoutRequest{Account: owner.ID, Number: c.Number, Provider: devpay.Name, Language: "de", Description: "Wohnsitzbestätigung"})
			if err != nil {
				return err
			}
			sessions[i] = *p.Session
			return nil
		})
	}
	require.NoError(t, g.Wait())
	return sessions
}

// paymentsReport measures the payments issue's path against the running
// server: signed provider webhooks that each confirm a payment, with its
// ledger entry, the case handed to its office and the receipt enqueued,
// all in one transaction per webhook. It returns its section of
// docs/benchmarks.md.
func paymentsReport(t *testing.T, base string, st *store.Store) string {
	ctx := context.Background()
	box, err := secretbox.New(benchSecretKey)
	require.NoError(t, err)
	secret := devpay.Secret(box)
	per := confirmRate * confirmSeconds
	setup := time.Now()
	sessions := pendingCheckouts(t, st, runs*per+200)
	t.Logf("payments: %d pending checkouts in %s", len(sessions), time.Since(setup))

	var next atomic.Int64
	confirm := func(_ int, tgt *vegeta.Target) {
		i := next.Add(1) - 1
		now := time.Now()
		body := fmt.Appendf(nil, `{"id":"bench_evt_%d","type":"checkout.paid","created":%d,"session":%q,"state":"paid","amount":2000,"charge":"dch_bench%d","paid_at":%d}`,
			i, now.Unix(), sessions[i], i, now.Unix())
		tgt.Method = http.MethodPost
		tgt.URL = base + "/api/v1/payments/webhooks/dev"
		tgt.Header.Set("Content-Type", "application/json")
		tgt.Header.Set("Stripe-Signature", devpay.Signed(secret, body, now))
		tgt.Body = body
	}
	var results, ceilings []sample
	for r := range runs {
		c := attack(base, []string{"/healthz"}, 0, 5)
		ceilings = append(ceilings, c)
		m := attackWith(base, []string{"/"}, confirmRate, confirmSeconds, confirm)
		results = append(results, m)
		t.Logf("run %d payment confirmations at %d/s p50 %8s p99 %8s %8.0f req/s success %.4f (ceiling %0.f req/s)", r+1, confirmRate, m.p50, m.p99, m.throughput, m.success, c.throughput)
	}
	// Every confirmation booked exactly once, every journal balanced.
	var paid, entries int
	require.NoError(t, st.Pool().QueryRow(ctx, "SELECT count(*) FROM payment WHERE status = 'paid' AND method = 'dev'").Scan(&paid))
	require.NoError(t, st.Pool().QueryRow(ctx, "SELECT count(*) FROM journal_entry WHERE kind = 'payment'").Scan(&entries))
	bad, err := st.UnbalancedEntries(ctx)
	require.NoError(t, err)

	m := medianSample(results)
	var b strings.Builder
	b.WriteString("\n## Payments (issue 13)\n\nSame session, same machine. Each request is a provider's webhook (signed like Stripe's, verified by the server) that confirms one pending checkout of a paid-first residence certificate: the event recorded once by id, the payment set paid, a balanced ledger entry (receivable against the provider's clearing account), the case handed to its office with a timeline step, and the receipt job enqueued — one transaction per webhook.\n\n")
	b.WriteString("| Scenario | p50 | p99 | Throughput (req/s) | Success |\n|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| POST /api/v1/payments/webhooks/dev (payment confirmed, ledger posted) at %d/s | %s | %s | %.0f | %.2f%% |\n", confirmRate, round(m.p50), round(m.p99), m.throughput, 100*m.success)
	fmt.Fprintf(&b, "\n| Target | Measured | Met |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| 500 payment confirmations per second with ledger postings, p99 < 50 ms | %s (%.2f%% succeeded) | %s |\n", round(m.p99), 100*m.success, yes(m.p99 < 50*time.Millisecond && m.success > 0.999))
	ceiling := medianSample(ceilings).throughput
	fmt.Fprintf(&b, "| confirmations' throughput vs the /healthz ceiling in this section | %.0f / %.0f req/s = %.1f%% | |\n", m.throughput, ceiling, 100*m.throughput/ceiling)
	fmt.Fprintf(&b, "| payments booked once each, journal balanced | %d paid, %d payment entries, %d unbalanced entries (of %d confirmations sent) | %s |\n", paid, entries, len(bad), runs*per, yes(paid == runs*per && entries == paid && len(bad) == 0))
	return b.String()
}
