package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/camt"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

// TestFinanceBankImports: the Stadtkasse uploads a camt.054 (once: the
// same file again books nothing), sees the import and the work list,
// assigns an unmatched credit to its case, which is paid then, and
// resolves a foreign-currency credit; residents and other offices' staff
// are refused, and a faulty file is a 422 naming the line.
func TestFinanceBankImports(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	tamara, paid, later := reconcileCases(t, b)
	staff := func(email, office string) map[string]string {
		h := loginAs(t, b, email, store.Role{Role: account.RoleStaff, Office: office})
		return map[string]string{"Cookie": twoFactorSession(t, b, h["Cookie"])}
	}
	kasse, clerk := staff("kasse@uster.ch", "stadtkasse"), staff("eva@uster.ch", "einwohnerdienste")

	eur := camt.Credit{BankRef: "K-3", Amount: 500, Currency: "EUR", BookingDate: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), DebtorName: "Jean Dupont"}
	body := camtFile(t, "MSG-API-1",
		camt.Credit{BankRef: "K-1", Amount: 2000, Currency: "CHF", BookingDate: eur.BookingDate, Reference: billReference(t, b, tamara, paid), ReferenceType: camt.QRR},
		camt.Credit{BankRef: "K-2", Amount: 2000, Currency: "CHF", BookingDate: eur.BookingDate, Unstructured: "Wohnsitzbestätigung " + later},
		eur)
	upload := func(h map[string]string, body []byte) resp {
		t.Helper()
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/finance/bank-imports?filename=zkb-2026-03-02.xml", body: string(body),
			header: with(h, "Content-Type", "application/xml")})
	}
	requireProblem(t, upload(nil, body), http.StatusUnauthorized)
	requireProblem(t, upload(tamara, body), http.StatusForbidden)
	requireProblem(t, upload(clerk, body), http.StatusForbidden)
	for _, path := range []string{"/api/v1/finance/bank-imports", "/api/v1/finance/credits"} {
		requireProblem(t, b.do(t, req{path: path}), http.StatusUnauthorized)
		requireProblem(t, b.do(t, req{path: path, header: tamara}), http.StatusForbidden)
		requireProblem(t, b.do(t, req{path: path, header: clerk}), http.StatusForbidden)
	}

	first := upload(kasse, body)
	require.Equal(t, http.StatusCreated, first.status, string(first.body))
	imp := first.json(t)
	require.Equal(t, false, imp["repeated"])
	require.Equal(t, "zkb-2026-03-02.xml", imp["filename"])
	require.Equal(t, "kasse@uster.ch", imp["imported_by"])
	require.Equal(t, map[string]any{"matched": 1.0, "partial": 0.0, "over": 0.0, "duplicate": 0.0, "unmatched": 1.0, "foreign_currency": 1.0, "reversal": 0.0}, imp["credits"])
	require.EqualValues(t, 4000, imp["booked_rappen"])
	again := upload(kasse, body)
	require.Equal(t, http.StatusOK, again.status, string(again.body))
	require.Equal(t, true, again.json(t)["repeated"], "the same file books nothing")
	require.Equal(t, imp["id"], again.json(t)["id"])

	bad := requireProblem(t, upload(kasse, bytes.Replace(body, []byte(">20.00<"), []byte(">20,00<"), 1)), http.StatusUnprocessableEntity)
	loc := bad["errors"].([]any)[0].(map[string]any)["location"].(string)
	require.Regexp(t, `^line [0-9]+: Ntfctn\[1\]/Ntry\[1\]/Amt$`, loc)
	requireProblem(t, upload(kasse, body[:len(body)/2]), http.StatusUnprocessableEntity)

	imports := b.do(t, req{path: "/api/v1/finance/bank-imports", header: kasse})
	require.Equal(t, http.StatusOK, imports.status, string(imports.body))
	require.Len(t, imports.json(t)["items"], 1, "refused files import nothing")
	work := b.do(t, req{path: "/api/v1/finance/credits", header: kasse})
	require.Equal(t, http.StatusOK, work.status, string(work.body))
	require.Equal(t, "private, no-store", work.header.Get("Cache-Control"))
	items := work.json(t)["items"].([]any)
	require.Len(t, items, 2)
	unmatched, foreign := items[0].(map[string]any), items[1].(map[string]any)
	require.Equal(t, "unmatched", unmatched["status"])
	require.Equal(t, "Wohnsitzbestätigung "+later, unmatched["unstructured"], "what the office goes by")
	require.Equal(t, "foreign_currency", foreign["status"])
	require.Positive(t, foreign["line"])
	id := func(item map[string]any) string { return strconv.Itoa(int(item["id"].(float64))) }

	assign := func(h map[string]string, credit, number string) resp {
		t.Helper()
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/finance/credits/" + credit + "/assign", header: h, body: mustJSON(t, map[string]string{"case_number": number})})
	}
	requireProblem(t, assign(clerk, id(unmatched), later), http.StatusForbidden)
	requireProblem(t, assign(kasse, id(unmatched), "UST-2026-nope"), http.StatusUnprocessableEntity, "body.case_number")
	requireProblem(t, assign(kasse, "999999", later), http.StatusNotFound)
	requireProblem(t, assign(kasse, id(foreign), later), http.StatusConflict)
	done := assign(kasse, id(unmatched), later)
	require.Equal(t, http.StatusOK, done.status, string(done.body))
	require.Equal(t, later, done.json(t)["case_number"])
	require.EqualValues(t, 0, done.json(t)["case_open_rappen"])
	require.Equal(t, "kasse@uster.ch", done.json(t)["resolved_by"])
	requireProblem(t, assign(kasse, id(unmatched), later), http.StatusConflict)
	bill := b.do(t, req{path: "/api/v1/me/cases/" + later + "/bill", header: tamara}).json(t)
	require.EqualValues(t, 0, bill["open_rappen"], "the assigned credit paid the case")
	require.Equal(t, "received", b.do(t, req{path: "/api/v1/me/cases/" + later, header: tamara}).json(t)["status"])

	resolve := func(h map[string]string, credit, note string) resp {
		t.Helper()
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/finance/credits/" + credit + "/resolve", header: h, body: mustJSON(t, map[string]string{"note": note})})
	}
	requireProblem(t, resolve(clerk, id(foreign), "zurück"), http.StatusForbidden)
	requireProblem(t, resolve(kasse, id(foreign), ""), http.StatusUnprocessableEntity, "body.note")
	ok := resolve(kasse, id(foreign), "An Jean Dupont zurücküberwiesen")
	require.Equal(t, http.StatusOK, ok.status, string(ok.body))
	require.Equal(t, "An Jean Dupont zurücküberwiesen", ok.json(t)["resolution"])
	requireProblem(t, resolve(kasse, id(foreign), "noch einmal"), http.StatusConflict)
	require.Empty(t, b.do(t, req{path: "/api/v1/finance/credits", header: kasse}).json(t)["items"], "the work list is done")
}

// reconcileCases publishes the residence certificate's form paid first
// (the payments tests' fees) and submits two orders of one copy (CHF 20)
// as Tamara; it returns her two-factor session and the case numbers.
func reconcileCases(t *testing.T, b *testBundle) (map[string]string, string, string) {
	t.Helper()
	ctx := context.Background()
	const service = "wohnsitzbestaetigung"
	f := forms.New(b.store, account.ProfileFields)
	v, err := f.Published(ctx, service)
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(pgtest.RepoRoot(), "internal", "payments", "testdata", "residence-fees.json"))
	require.NoError(t, err)
	def := v.Definition
	def.Fees = nil
	require.NoError(t, json.Unmarshal(raw, &def.Fees))
	next, err := f.Create(ctx, service, def, "test")
	require.NoError(t, err)
	_, err = f.Publish(ctx, service, next.Number)
	require.NoError(t, err)

	tamara := map[string]string{"Cookie": twoFactorSession(t, b, loginAs(t, b, "tamara@example.ch")["Cookie"])}
	var numbers []string
	for range 2 {
		draft := b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", header: tamara, body: `{"service":"` + service + `","data":{"given_name":"Tamara",
			"family_name":"Keller","birth_date":"1990-03-04","street":"Bahnhofstrasse 1","postal_code":"8610","locality":"Uster","for_whom":"self",
			"delivery":"account","copies":1}}`})
		require.Equal(t, http.StatusCreated, draft.status, string(draft.body))
		sub := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/cases", header: tamara, body: `{"draft":"` + draft.json(t)["id"].(string) + `"}`})
		require.Equal(t, http.StatusCreated, sub.status, string(sub.body))
		require.Equal(t, "payment_due", sub.json(t)["status"])
		numbers = append(numbers, sub.json(t)["number"].(string))
	}
	return tamara, numbers[0], numbers[1]
}

// billReference is the payment reference of a case's bill.
func billReference(t *testing.T, b *testBundle, session map[string]string, number string) string {
	t.Helper()
	r := b.do(t, req{path: "/api/v1/me/cases/" + number + "/bill", header: session})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	return r.json(t)["reference"].(string)
}

// camtFile is a camt.054 of the test servers' account with the credits.
func camtFile(t *testing.T, msgID string, credits ...camt.Credit) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, camt.Write(&buf, camt.Notification{MessageID: msgID, Created: time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC),
		Accounts: []camt.Account{{NotificationID: msgID + "-1", IBAN: config.DemoIBAN, Currency: "CHF", Credits: credits}}}))
	return buf.Bytes()
}
