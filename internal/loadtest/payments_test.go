package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/sync/errgroup"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/camt"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/devpay"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/reconcile"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

const (
	confirmRate, confirmSeconds = 500, 10
	camtCredits                 = 10000
	residenceData               = `{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-03-04","street":"Bahnhofstrasse 1","postal_code":"8610",
		"locality":"Uster","for_whom":"self","delivery":"account","copies":1}`
)

// benchPayments is the payments service in the test process, on the
// server's database, with what submits cases to it.
type benchPayments struct {
	svc    *payments.Service
	drafts *drafts.Service
	cases  *cases.Service
}

func newBenchPayments(t *testing.T, st *store.Store) *benchPayments {
	box, err := secretbox.New(benchSecretKey)
	require.NoError(t, err)
	f := forms.New(st, account.ProfileFields)
	b := &benchPayments{drafts: drafts.New(st, f), cases: cases.New(st, f, "UST")}
	dev := devpay.New(st, "http://localhost", devpay.Secret(box))
	b.svc, err = payments.New(st, payments.Config{Account: benchIBAN, City: "Stadt Uster",
		Creditor: qrbill.Address{Name: "Stadt Uster", Street: "Oberlandstrasse", BuildingNumber: "78", PostalCode: "8610", Town: "Uster", Country: "CH"}},
		ledger.New(ledger.Chart{}), b.cases, documents.New(st, box, "http://localhost"), dev)
	require.NoError(t, err)
	b.cases.OnCreated = b.svc.Bill
	return b
}

// benchIBAN is the city's QR-IBAN in the payments section.
const benchIBAN = "CH4431999123000889012"

// submit submits n paid-first cases (the residence certificate), eight
// at a time, and gives each to then (with its number), which returns
// what the caller keeps of it.
func (b *benchPayments) submit(t *testing.T, st *store.Store, n int, then func(owner *store.Account, c *cases.Case) (string, error)) []string {
	ctx := context.Background()
	out := make([]string, n)
	var g errgroup.Group
	g.SetLimit(8)
	for i := range n {
		g.Go(func() error {
			owner, err := st.AccountByEmail(ctx, fmt.Sprintf("bench%d@example.ch", i%benchAccounts))
			if err != nil {
				return err
			}
			dr, err := b.drafts.Create(ctx, drafts.Account(owner.ID), "wohnsitzbestaetigung", json.RawMessage(residenceData), "")
			if err != nil {
				return err
			}
			c, err := b.cases.Submit(ctx, cases.Submission{Account: owner.ID, Email: owner.Email, Level: account.LevelTwoFactor, Draft: dr.ID, Language: "de"})
			if err != nil {
				return err
			}
			out[i], err = then(owner, c)
			return err
		})
	}
	require.NoError(t, g.Wait())
	return out
}

// pendingCheckouts submits n paid-first cases and starts a checkout with
// the development provider for each: what the server then confirms.
func (b *benchPayments) pendingCheckouts(t *testing.T, st *store.Store, n int) []string {
	return b.submit(t, st, n, func(owner *store.Account, c *cases.Case) (string, error) {
		p, err := b.svc.Checkout(context.Background(), payments.CheckoutRequest{Account: owner.ID, Number: c.Number, Provider: devpay.Name, Language: "de", Description: "Wohnsitzbestätigung"})
		if err != nil {
			return "", err
		}
		return *p.Session, nil
	})
}

// bills submits n paid-first cases and returns their bills' references,
// which a bank file then pays.
func (b *benchPayments) bills(t *testing.T, st *store.Store, n int) []string {
	return b.submit(t, st, n, func(owner *store.Account, c *cases.Case) (string, error) {
		a, err := b.svc.OfCase(context.Background(), owner.ID, c.Number)
		if err != nil {
			return "", err
		}
		return a.Bill.Reference, nil
	})
}

// camtImports imports, runs times, a camt.054 of len(refs) credits that
// each pay one of the bills (the first in full; later files pay the
// same bills again, over, which books as much) and returns each
// import's duration.
func (b *benchPayments) camtImports(t *testing.T, refs []string, runs int) []time.Duration {
	rec := reconcile.New(b.svc, reconcile.Config{})
	day := time.Now().UTC().Truncate(24 * time.Hour)
	var out []time.Duration
	for r := range runs {
		credits := make([]camt.Credit, len(refs))
		for i, ref := range refs {
			credits[i] = camt.Credit{BankRef: fmt.Sprintf("BENCH%d-%06d", r, i), Amount: 2000, Currency: "CHF", BookingDate: day,
				Reference: ref, ReferenceType: camt.QRR, DebtorName: "Tamara Keller", DebtorIBAN: "CH9300762011623852957"}
		}
		var body bytes.Buffer
		id := fmt.Sprintf("MSG-LOAD-%d-%d", time.Now().Unix(), r)
		require.NoError(t, camt.Write(&body, camt.Notification{MessageID: id, Created: day.Add(18 * time.Hour),
			Accounts: []camt.Account{{NotificationID: id + "-1", IBAN: benchIBAN, Currency: "CHF", Credits: credits}}}))
		start := time.Now()
		sum, err := rec.Import(context.Background(), reconcile.FolderActor, "bench.xml", body.Bytes())
		out = append(out, time.Since(start))
		require.NoError(t, err)
		require.Equal(t, len(refs), sum.Import.Counts.Matched+sum.Import.Counts.Over, "every credit booked")
		t.Logf("camt.054 import %d of %d credits: %s", r+1, len(refs), out[r])
	}
	return out
}

// paymentsReport measures the payments issue's path against the running
// server: signed provider webhooks that each confirm a payment, with its
// ledger entry, the case handed to its office and the receipt enqueued,
// committed before the answer; and camt.054 files of 10,000 credits. It
// returns its section of docs/benchmarks.md.
func paymentsReport(t *testing.T, base string, st *store.Store) string {
	ctx := context.Background()
	box, err := secretbox.New(benchSecretKey)
	require.NoError(t, err)
	secret := devpay.Secret(box)
	per := confirmRate * confirmSeconds
	setup := time.Now()
	section := setup
	bp := newBenchPayments(t, st)
	sessions := bp.pendingCheckouts(t, st, runs*per+200)
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
		var profiled chan error
		if dir := os.Getenv("SCHALTER_BENCH_PROFILE"); dir != "" && r == runs-1 {
			profiled = make(chan error, 1)
			go func() { profiled <- serverProfile(filepath.Join(dir, "webhooks.cpu"), confirmSeconds-2) }()
		}
		m := attackWith(base, []string{"/"}, confirmRate, confirmSeconds, confirm)
		if profiled != nil {
			require.NoError(t, <-profiled)
		}
		results = append(results, m)
		t.Logf("run %d payment confirmations at %d/s p50 %8s p99 %8s %8.0f req/s success %.4f (ceiling %0.f req/s)", r+1, confirmRate, m.p50, m.p99, m.throughput, m.success, c.throughput)
	}
	// Every confirmation booked exactly once, every journal balanced.
	var paid, entries int
	require.NoError(t, st.Pool().QueryRow(ctx, "SELECT count(*) FROM payment WHERE status = 'paid' AND method = 'dev'").Scan(&paid))
	require.NoError(t, st.Pool().QueryRow(ctx, "SELECT count(*) FROM journal_entry WHERE kind = 'payment'").Scan(&entries))
	bad, err := st.UnbalancedEntries(ctx)
	require.NoError(t, err)

	setup = time.Now()
	refs := bp.bills(t, st, camtCredits)
	t.Logf("payments: %d bills in %s", len(refs), time.Since(setup))
	imports := bp.camtImports(t, refs, runs)
	// The receipts render behind the payments, one at a time; those still
	// queued are dropped, so that they do not load the next section (the
	// database is the benchmark's own).
	var rendered int
	require.NoError(t, st.Pool().QueryRow(ctx, "SELECT count(*) FROM document WHERE kind = $1", payments.ReceiptKind).Scan(&rendered))
	spent := time.Since(section)
	tag, err := st.Pool().Exec(ctx, "DELETE FROM river_job WHERE kind = $1 AND state IN ('available', 'scheduled', 'retryable')", payments.ReceiptArgs{}.Kind())
	require.NoError(t, err)

	m := medianSample(results)
	var b strings.Builder
	b.WriteString("\n## Payments (issue 13)\n\nSame session, same machine. Each request is a provider's webhook (signed like Stripe's, verified by the server) that confirms one pending checkout of a paid-first residence certificate: the event recorded once by id, the payment set paid, a balanced ledger entry (receivable against the provider's clearing account), the case handed to its office with a timeline step, and the receipt job enqueued, committed before the webhook is answered. Events that arrive while a transaction commits share the next (docs/payments.md, Webhooks in a rush).\n\n")
	b.WriteString("| Scenario | p50 | p99 | Throughput (req/s) | Success |\n|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| POST /api/v1/payments/webhooks/dev (payment confirmed, ledger posted) at %d/s | %s | %s | %.0f | %.2f%% |\n", confirmRate, round(m.p50), round(m.p99), m.throughput, 100*m.success)
	fmt.Fprintf(&b, "\n| Target | Measured | Met |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| 500 payment confirmations per second with ledger postings, p99 < 50 ms | %s (%.2f%% succeeded) | %s |\n", round(m.p99), 100*m.success, yes(m.p99 < 50*time.Millisecond && m.success > 0.999))
	ceiling := medianSample(ceilings).throughput
	fmt.Fprintf(&b, "| confirmations' throughput vs the /healthz ceiling in this section | %.0f / %.0f req/s = %.1f%% | |\n", m.throughput, ceiling, 100*m.throughput/ceiling)
	took := slices.Clone(imports)
	slices.Sort(took)
	fmt.Fprintf(&b, "| a camt.054 file of %d entries reconciled in under 10 s (each pays a bill: payment, ledger entry, timeline, case to its office, receipt job; one transaction) | %s (median of %s) | %s |\n",
		camtCredits, seconds(took[len(took)/2]), secondsAll(imports), yes(took[len(took)/2] < 10*time.Second))
	fmt.Fprintf(&b, "| receipts (signed PDFs) rendered by the one documents worker during the section, alongside the load | %d in %.0f s (%.0f/s); %d still queued at its end, dropped before the next section | |\n",
		rendered, spent.Seconds(), float64(rendered)/spent.Seconds(), tag.RowsAffected())
	fmt.Fprintf(&b, "| payments booked once each, journal balanced | %d paid, %d payment entries, %d unbalanced entries (of %d confirmations sent) | %s |\n", paid, entries, len(bad), runs*per, yes(paid == runs*per && entries == paid && len(bad) == 0))
	return b.String()
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func secondsAll(ds []time.Duration) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = seconds(d)
	}
	return strings.Join(out, ", ")
}

// monitorAddr is the server's metrics listener, which serves its
// profiler (SCHALTER_PPROF) too.
var monitorAddr string

// serverProfile writes a CPU profile of the server over the next seconds
// to path (SCHALTER_BENCH_PROFILE names the folder): where the time of a
// scenario goes, for `go tool pprof bin/schalter path`.
func serverProfile(path string, seconds int) error {
	res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", monitorAddr, seconds))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("profile: %s", res.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
