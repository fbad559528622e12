package api_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/db"
	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/books"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/store"
)

// TestFinanceBooks: the finance office's operations answer 401 without a
// session, 403 to residents and to staff of other offices, and to the
// Stadtkasse's staff the journal as a CSV attachment, the daily
// reconciliation, the chart (renumbered by PUT) and payouts booked once.
func TestFinanceBooks(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	ctx := context.Background()
	chart, err := ledger.LoadChart(db.SeedFS(), "finance.yaml")
	require.NoError(t, err)
	l := ledger.New(chart)
	bank := ledger.Bank(config.DemoIBAN)
	for i, p := range []ledger.Entry{
		{Kind: ledger.Payment, Memo: "Zahlung", Source: "test:1", Postings: []ledger.Posting{ledger.Line(ledger.Clearing("dev"), 4000, nil), ledger.Line(ledger.Receivable("einwohnerdienste"), -4000, nil)}},
		{Kind: ledger.Payment, Memo: "Zahlung QR", Source: "test:2", Postings: []ledger.Posting{ledger.Line(bank, 2500, nil), ledger.Line(ledger.Receivable("betreibungsamt"), -2500, nil)}},
	} {
		_, booked, err := l.Post(ctx, b.store.Queries, p)
		require.NoError(t, err, i)
		require.True(t, booked)
	}
	staff := func(email, office string) map[string]string {
		h := loginAs(t, b, email, store.Role{Role: account.RoleStaff, Office: office})
		return map[string]string{"Cookie": twoFactorSession(t, b, h["Cookie"])}
	}
	kasse, clerk := staff("kasse@uster.ch", "stadtkasse"), staff("eva@uster.ch", "einwohnerdienste")
	resident := loginAs(t, b, "tamara@example.ch")

	today := time.Now().In(zurich(t)).Format(time.DateOnly)
	journal := "/api/v1/finance/journal.csv?from=" + today + "&to=" + today
	daily := "/api/v1/finance/daily?from=" + today + "&to=" + today
	settle := func(h map[string]string, key string, amount int) resp {
		t.Helper()
		h = withKey(h, key)
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/finance/settlements", header: h,
			body: mustJSON(t, map[string]any{"provider": "dev", "amount_rappen": amount, "value_date": today, "reference": "po_api_1"})})
	}
	for _, path := range []string{journal, daily, "/api/v1/finance/accounts"} {
		requireProblem(t, b.do(t, req{path: path}), http.StatusUnauthorized)
		requireProblem(t, b.do(t, req{path: path, header: resident}), http.StatusForbidden)
		requireProblem(t, b.do(t, req{path: path, header: clerk}), http.StatusForbidden)
	}
	requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/finance/accounts/clearing:dev", header: clerk, body: `{"number":"1","cost_centre":""}`}), http.StatusForbidden)
	requireProblem(t, settle(clerk, "k-clerk", 100), http.StatusForbidden)

	got := b.do(t, req{path: journal, header: kasse})
	require.Equal(t, http.StatusOK, got.status, string(got.body))
	require.Equal(t, "text/csv; charset=utf-8", got.header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="schalter-journal-`+today+"-"+today+`.csv"`, got.header.Get("Content-Disposition"))
	require.Equal(t, "private, no-store", got.header.Get("Cache-Control"))
	rows := parseJournal(t, got.body)
	require.Len(t, rows, 4, "one line per posting")
	require.Equal(t, []string{"clearing:dev", "1009.99", "", "40.00", ""}, pick(rows[0], "account", "account_number", "cost_centre", "debit", "credit"))
	require.Equal(t, []string{"receivable:einwohnerdienste", "1012.00", "1100", "", "40.00"}, pick(rows[1], "account", "account_number", "cost_centre", "debit", "credit"))

	report := b.do(t, req{path: daily, header: kasse})
	require.Equal(t, http.StatusOK, report.status, string(report.body))
	days := report.json(t)["days"].([]any)
	require.Len(t, days, 1)
	accounts := days[0].(map[string]any)["accounts"].([]any)
	require.Len(t, accounts, 2)
	first := accounts[0].(map[string]any)
	require.Equal(t, bank, first["code"])
	require.Equal(t, "bank", first["type"])
	require.EqualValues(t, 2500, first["closing_rappen"])
	require.EqualValues(t, 6500, days[0].(map[string]any)["totals"].(map[string]any)["closing_rappen"])

	for _, bad := range []struct{ query, field string }{
		{"from=2026-13-01&to=2026-01-02", "query.from"},
		{"from=2026-01-02&to=2026-01-01", "query.to"},
		{"from=2024-01-01&to=2025-01-01", "query.to"},
		{"to=2026-01-01", "query.from"},
	} {
		requireProblem(t, b.do(t, req{path: "/api/v1/finance/daily?" + bad.query, header: kasse}), http.StatusUnprocessableEntity, bad.field)
		requireProblem(t, b.do(t, req{path: "/api/v1/finance/journal.csv?" + bad.query, header: kasse}), http.StatusUnprocessableEntity, bad.field)
	}

	list := b.do(t, req{path: "/api/v1/finance/accounts", header: kasse})
	require.Equal(t, http.StatusOK, list.status, string(list.body))
	require.Len(t, list.json(t)["items"], 4)
	put := b.do(t, req{method: http.MethodPut, path: "/api/v1/finance/accounts/clearing:dev", header: kasse, body: `{"number":"1009.50","cost_centre":"2000"}`})
	require.Equal(t, http.StatusOK, put.status, string(put.body))
	require.Equal(t, "1009.50", put.json(t)["number"])
	require.Equal(t, []string{"1009.50", "2000"}, pick(parseJournal(t, b.do(t, req{path: journal, header: kasse}).body)[0], "account_number", "cost_centre"))
	requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/finance/accounts/clearing:nobody", header: kasse, body: `{"number":"1","cost_centre":""}`}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/finance/accounts/clearing:dev", header: kasse, body: `{"number":"=1+1","cost_centre":""}`}),
		http.StatusUnprocessableEntity, "body.number")

	first1 := settle(kasse, "k-1", 3000)
	require.Equal(t, http.StatusCreated, first1.status, string(first1.body))
	s := first1.json(t)
	require.Equal(t, true, s["booked"])
	require.Equal(t, "settlement:dev:po_api_1", s["source"])
	replay := settle(kasse, "k-1", 3000)
	require.Equal(t, http.StatusCreated, replay.status)
	require.Equal(t, "true", replay.header.Get("Idempotent-Replayed"))
	again := settle(kasse, "k-2", 3000)
	require.Equal(t, http.StatusOK, again.status, string(again.body))
	require.Equal(t, false, again.json(t)["booked"], "the reference was booked before")
	require.Equal(t, s["entry"], again.json(t)["entry"])
	requireProblem(t, settle(kasse, "k-3", 2999), http.StatusConflict)
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/finance/settlements", header: kasse,
		body: mustJSON(t, map[string]any{"provider": "stripe", "amount_rappen": 1, "value_date": today, "reference": "po_2"})}), http.StatusUnprocessableEntity, "body.provider")
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/finance/settlements", header: kasse,
		body: mustJSON(t, map[string]any{"provider": "dev", "amount_rappen": 0, "value_date": "gestern", "reference": "po_2"})}), http.StatusUnprocessableEntity,
		"body.amount_rappen", "body.value_date")
	rows = parseJournal(t, b.do(t, req{path: journal, header: kasse}).body)
	require.Len(t, rows, 6, "the payout once")
}

func zurich(t *testing.T) *time.Location {
	t.Helper()
	z, err := time.LoadLocation("Europe/Zurich")
	require.NoError(t, err)
	return z
}

// withKey is h with an Idempotency-Key.
func withKey(h map[string]string, key string) map[string]string {
	out := map[string]string{"Idempotency-Key": key}
	for k, v := range h {
		out[k] = v
	}
	return out
}

// parseJournal reads the export: a BOM, a header, semicolons.
func parseJournal(t *testing.T, body []byte) [][]string {
	t.Helper()
	text, ok := strings.CutPrefix(string(body), "\ufeff")
	require.True(t, ok, "a byte order mark")
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = ';'
	rows, err := r.ReadAll()
	require.NoError(t, err)
	require.Equal(t, books.JournalHeader, rows[0])
	return rows[1:]
}

// pick is a journal line's cells of these columns.
func pick(row []string, columns ...string) []string {
	out := make([]string, 0, len(columns))
	for _, c := range columns {
		for i, h := range books.JournalHeader {
			if h == c {
				out = append(out, row[i])
			}
		}
	}
	return out
}
