package reconcile_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/camt"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/reconcile"
	"github.com/schalter-ch/schalter/internal/store"
)

// BenchmarkImport10000 imports a camt.054 with 10,000 credits, each paying
// a real bill in full: parsing, matching, 10,000 payments with their
// ledger entries, timeline steps, cases handed to their office and
// receipt jobs, in one transaction. The target is under 10 s.
//
// The database has a history, as a city's has: an earlier file of 2,000
// credits was imported, and the planner has statistics. Later rounds pay
// the same bills again (over), which books as much.
//
//	go test ./internal/reconcile -run '^$' -bench Import10000 -benchtime 1x
func BenchmarkImport10000(b *testing.B) {
	const n, history = 10000, 2000
	bb := setup(b)
	refs := bb.billed(b, history+n)
	ctx := context.Background()
	imports := 0
	importAll := func(refs []string) (reconcile.Summary, error) {
		imports++
		credits := make([]camt.Credit, len(refs))
		for i, ref := range refs {
			credits[i] = credit(fmt.Sprintf("ZKB20260302T%d-%06d", imports, i), ref, 2000)
		}
		body := file(b, fmt.Sprintf("MSG-BENCH-%d", imports), credits...)
		b.StartTimer()
		defer b.StopTimer()
		return bb.svc.Import(ctx, reconcile.FolderActor, "bench.xml", body)
	}
	b.StopTimer()
	_, err := importAll(refs[:history])
	require.NoError(b, err)
	bb.analyze(b)
	b.ResetTimer()
	b.StopTimer()
	for range b.N {
		sum, err := importAll(refs[history:])
		require.NoError(b, err)
		require.Equal(b, n, sum.Import.Counts.Matched+sum.Import.Counts.Over)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "credits/s")
}

// analyze gives the planner the statistics of the tables as they are.
func (b *bundle) analyze(tb testing.TB) {
	tb.Helper()
	_, err := b.st.Pool().Exec(context.Background(), "ANALYZE")
	require.NoError(tb, err)
}

// billed creates n paid-first residence orders of one copy (CHF 20) with
// their bills and returns the bills' references. It does in one
// transaction what Submit does after its checks: the case and
// payments.Bill; through drafts and Submit, 10,000 orders would take
// minutes to set up.
func (b *bundle) billed(tb testing.TB, n int) []string {
	tb.Helper()
	ctx := context.Background()
	v, err := b.forms.Published(ctx, residence)
	require.NoError(tb, err)
	form, err := b.forms.Form(ctx, residence, v.Number)
	require.NoError(tb, err)
	svc, err := b.st.OrderableService(ctx, residence)
	require.NoError(tb, err)
	data := json.RawMessage(fmt.Sprintf(residenceData, 1))
	lines := form.Fees.Lines(data, time.Now())
	refs := make([]string, 0, n)
	require.NoError(tb, b.st.InTx(ctx, func(q *store.Queries) error {
		for range n {
			seq, err := q.NextCaseNumber(ctx, bookingDay.Year())
			if err != nil {
				return err
			}
			c, _, err := q.CreateCase(ctx, store.Case{Number: cases.Number("UST", bookingDay.Year(), seq), Account: &b.resident, Service: residence,
				FormVersion: v.Number, Office: svc.Office, Data: data, Language: "de", Delivery: "account", Notify: []string{"email"},
				Status: cases.PaymentDue}, "resident", "tamara@pay.example")
			if err != nil {
				return err
			}
			if err := b.pay.Bill(ctx, q, c, form.Fees, lines); err != nil {
				return err
			}
			bill, err := q.CaseBill(ctx, c.ID)
			if err != nil {
				return err
			}
			refs = append(refs, bill.Reference)
		}
		return nil
	}))
	b.analyze(tb)
	return refs
}
