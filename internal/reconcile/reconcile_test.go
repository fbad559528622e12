package reconcile_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/camt"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/reconcile"
	"github.com/schalter-ch/schalter/internal/store"
)

// unknownRef is a valid QR reference no bill has.
var unknownRef = func() string {
	r, err := qrbill.QRReference("90000000000000000000000042")
	if err != nil {
		panic(err)
	}
	return r
}()

// TestImportSortsEveryKindOfCredit imports one file with a credit of
// each kind and checks what became of each, the summary, the work list
// and the books.
func TestImportSortsEveryKindOfCredit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	// Each residence order of 3 copies costs CHF 40.
	paid, part, much, again, gone := b.submit(t, 3), b.submit(t, 3), b.submit(t, 3), b.submit(t, 3), b.submit(t, 3)
	_, err := b.cases.Withdraw(ctx, b.resident, "tamara@pay.example", gone.CaseNumber, "nicht mehr nötig")
	require.NoError(t, err)

	eur := credit("B-EUR", paid.Reference, 4000)
	eur.Currency = "EUR"
	back := credit("B-RVSL", "", 700)
	back.Reversal = true
	tests := []struct {
		name   string
		credit camt.Credit
		want   string
		bill   *store.Bill // the case booked for
		open   int64       // what is open on it after the whole file
	}{
		{"the open amount", credit("B-1", paid.Reference, 4000), reconcile.Matched, &paid, -4000},
		{"less than open", credit("B-2", part.Reference, 1500), reconcile.Partial, &part, 2500},
		{"more than open", credit("B-3", much.Reference, 5000), reconcile.Over, &much, -1000},
		{"a withdrawn case", credit("B-4", gone.Reference, 4000), reconcile.Over, &gone, 0},
		{"paid twice by the person", credit("B-5", paid.Reference, 4000), reconcile.Over, &paid, -4000},
		{"another case paid in full", credit("B-6", again.Reference, 4000), reconcile.Matched, &again, 0},
		{"an unknown reference", credit("B-7", unknownRef, 1234), reconcile.Unmatched, nil, 0},
		{"no reference", credit("B-8", "", 999), reconcile.Unmatched, nil, 0},
		{"a foreign currency", eur, reconcile.ForeignCurrency, nil, 0},
		{"a reversal", back, reconcile.Reversal, nil, 0},
	}
	var credits []camt.Credit
	for _, tc := range tests {
		credits = append(credits, tc.credit)
	}
	sum, err := b.svc.Import(ctx, "kasse@uster.ch", "zkb-2026-03-02.xml", file(t, "MSG-1", credits...))
	require.NoError(t, err)
	require.False(t, sum.Repeated)
	require.Equal(t, store.CreditCounts{Matched: 2, Partial: 1, Over: 3, Unmatched: 2, ForeignCurrency: 1, Reversal: 1}, sum.Import.Counts)
	require.EqualValues(t, 4000+1500+5000+4000+4000+4000+1234+999, sum.Import.BookedRappen)
	require.Equal(t, "zkb-2026-03-02.xml", sum.Import.Filename)
	require.Equal(t, "MSG-1", sum.Import.MessageID)

	rows := b.credits(t, sum.Import.ID)
	require.Len(t, rows, len(tests))
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			row := rows[i]
			require.Equal(t, tc.credit.BankRef, row.BankRef)
			require.Equal(t, tc.want, row.Status)
			require.Positive(t, row.Line, "the line in the file, for the work list")
			if tc.bill == nil {
				require.Nil(t, row.Case)
				require.Nil(t, row.Payment)
				return
			}
			require.Equal(t, tc.bill.Case, *row.Case)
			require.NotNil(t, row.Payment)
			require.Equal(t, tc.open, b.open(t, tc.bill.Case))
		})
	}
	require.Equal(t, cases.Received, b.caseStatus(t, paid.Case), "paid first and paid: handed to the office")
	require.Equal(t, cases.PaymentDue, b.caseStatus(t, part.Case), "half paid: still waiting")

	// The work list: everything but the matched credits, with the case
	// and what is open on it now.
	open, err := b.svc.Open(ctx, b.finance)
	require.NoError(t, err)
	var refs []string
	for _, c := range open {
		refs = append(refs, c.BankRef)
		if c.BankRef == "B-2" {
			require.Equal(t, part.CaseNumber, c.CaseNumber)
			require.EqualValues(t, 2500, *c.CaseOpen)
			require.Equal(t, "zkb-2026-03-02.xml", c.Filename)
		}
	}
	require.Equal(t, []string{"B-2", "B-3", "B-4", "B-5", "B-7", "B-8", "B-EUR", "B-RVSL"}, refs)

	// The books: balanced, the bank account has every CHF credit that was
	// not a reversal, the unallocated account those without a case.
	b.balanced(t)
	require.Equal(t, sum.Import.BookedRappen, b.balance(t, ledger.Bank(cityIBAN)))
	require.EqualValues(t, -(1234 + 999), b.balance(t, ledger.UnallocatedFor(cityIBAN)))
}

// TestImportTwiceBooksNothingTwice: the same file again books nothing
// and answers the first import; a credit reported again in another file is
// a duplicate and books nothing either; a partial payment completed later
// leaves the work list by itself.
func TestImportTwiceBooksNothingTwice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	one, two := b.submit(t, 1), b.submit(t, 1) // CHF 20 each
	first := file(t, "MSG-1", credit("C-1", one.Reference, 2000), credit("C-2", two.Reference, 500), credit("C-3", unknownRef, 300))
	sum, err := b.svc.Import(ctx, "kasse@uster.ch", "a.xml", first)
	require.NoError(t, err)
	books := b.books(t)

	again, err := b.svc.Import(ctx, reconcile.FolderActor, "a-copy.xml", first)
	require.NoError(t, err)
	require.True(t, again.Repeated)
	require.Equal(t, sum.Import.ID, again.Import.ID, "the earlier import")
	require.Equal(t, sum.Import.Counts, again.Import.Counts)
	require.Equal(t, "a.xml", again.Import.Filename)
	require.Equal(t, books, b.books(t), "nothing booked, nothing recorded")

	// The bank sends the three credits again with a new one in another
	// file: only the new one is booked.
	second := file(t, "MSG-2", credit("C-1", one.Reference, 2000), credit("C-2", two.Reference, 500), credit("C-3", unknownRef, 300),
		credit("C-4", two.Reference, 1500))
	sum2, err := b.svc.Import(ctx, "kasse@uster.ch", "b.xml", second)
	require.NoError(t, err)
	require.False(t, sum2.Repeated)
	require.Equal(t, store.CreditCounts{Duplicate: 3, Matched: 1}, sum2.Import.Counts)
	require.EqualValues(t, 1500, sum2.Import.BookedRappen)
	require.Zero(t, b.open(t, one.Case))
	require.Zero(t, b.open(t, two.Case))
	b.balanced(t)
	require.EqualValues(t, 2000+500+300+1500, b.balance(t, ledger.Bank(cityIBAN)))

	open, err := b.svc.Open(ctx, b.finance)
	require.NoError(t, err)
	var items []string
	for _, c := range open {
		items = append(items, c.BankRef+" "+c.Status)
	}
	require.Equal(t, []string{"C-3 unmatched", "C-1 duplicate", "C-2 duplicate", "C-3 duplicate"}, items,
		"the partial payment C-2 is complete now; the duplicates are there to be checked")
	settled := b.credits(t, sum.Import.ID)[1]
	require.NotNil(t, settled.ResolvedAt)
	require.Equal(t, "import", settled.ResolvedBy)

	// The same bank reference twice in one file is the bank's fault: the
	// file is refused, naming the line.
	dup := file(t, "MSG-3", credit("C-9", two.Reference, 100), credit("C-9", two.Reference, 100))
	_, err = b.svc.Import(ctx, "kasse@uster.ch", "c.xml", dup)
	requireFileError(t, err, "AcctSvcrRef")
	books = b.books(t)
	_, err = b.svc.Import(ctx, "kasse@uster.ch", "c.xml", dup)
	require.Error(t, err)
	require.Equal(t, books, b.books(t))
}

// TestUnmatchedCreditAssigned: a credit with an unknown reference is
// booked to the unallocated account; the office assigns it to the case,
// which is paid then, and the books balance.
func TestUnmatchedCreditAssigned(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	bill := b.submit(t, 2) // CHF 30
	lone := b.submit(t, 1)
	sum, err := b.svc.Import(ctx, "kasse@uster.ch", "x.xml", file(t, "MSG-1", credit("U-1", unknownRef, 3000), credit("U-2", "", 100)))
	require.NoError(t, err)
	require.Equal(t, 2, sum.Import.Counts.Unmatched)
	require.EqualValues(t, 3100, b.balance(t, ledger.Bank(cityIBAN)))
	require.EqualValues(t, -3100, b.balance(t, ledger.UnallocatedFor(cityIBAN)))
	rows := b.credits(t, sum.Import.ID)

	for _, tc := range []struct {
		name, number, path string
	}{
		{"not a number", "UST-nope", "body.case_number"},
		{"a wrong check digit", bill.CaseNumber[:len(bill.CaseNumber)-1] + wrongDigit(bill.CaseNumber), "body.case_number"},
		{"no such case", "UST-1999-000001-" + checkDigit("1999000001"), "body.case_number"},
	} {
		_, err := b.svc.Assign(ctx, b.finance, rows[0].ID, tc.number)
		requireFields(t, err, tc.path)
	}
	got, err := b.svc.Assign(ctx, b.finance, rows[0].ID, strings.ToLower(bill.CaseNumber))
	require.NoError(t, err)
	require.Equal(t, bill.CaseNumber, got.CaseNumber)
	require.Equal(t, "kasse@uster.ch", got.ResolvedBy)
	require.NotNil(t, got.Payment)
	require.Zero(t, *got.CaseOpen)
	require.Equal(t, cases.Received, b.caseStatus(t, bill.Case), "paid: handed to the office")
	b.balanced(t)
	require.EqualValues(t, 3100, b.balance(t, ledger.Bank(cityIBAN)), "the bank account is unchanged")
	require.EqualValues(t, -100, b.balance(t, ledger.UnallocatedFor(cityIBAN)), "only U-2 is left unallocated")
	require.EqualValues(t, 2000, b.balance(t, ledger.Receivable("einwohnerdienste")), "only the other case is owed")

	_, err = b.svc.Assign(ctx, b.finance, rows[0].ID, bill.CaseNumber)
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "assigned once")
	_, err = b.svc.Assign(ctx, b.finance, 999999, bill.CaseNumber)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))

	open, err := b.svc.Open(ctx, b.finance)
	require.NoError(t, err)
	require.Len(t, open, 1)
	require.Equal(t, "U-2", open[0].BankRef)
	require.Nil(t, open[0].CaseOpen)
	require.EqualValues(t, 2000, b.open(t, lone.Case))
}

// TestResolve: the office marks items handled with a note; the note is
// required, an item is handled once, a matched credit is not an item.
func TestResolve(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	bill := b.submit(t, 1)
	eur := credit("R-1", bill.Reference, 2000)
	eur.Currency = "EUR"
	sum, err := b.svc.Import(ctx, "kasse@uster.ch", "r.xml", file(t, "MSG-1", eur, credit("R-2", bill.Reference, 2000)))
	require.NoError(t, err)
	rows := b.credits(t, sum.Import.ID)
	require.Equal(t, reconcile.ForeignCurrency, rows[0].Status)
	require.Equal(t, reconcile.Matched, rows[1].Status)

	for _, note := range []string{"", "   ", strings.Repeat("x", 501)} {
		_, err := b.svc.Resolve(ctx, b.finance, rows[0].ID, note)
		requireFields(t, err, "body.note")
	}
	got, err := b.svc.Resolve(ctx, b.finance, rows[0].ID, " An die Absenderin zurücküberwiesen ")
	require.NoError(t, err)
	require.Equal(t, "An die Absenderin zurücküberwiesen", got.Resolution)
	require.Equal(t, "kasse@uster.ch", got.ResolvedBy)
	_, err = b.svc.Resolve(ctx, b.finance, rows[0].ID, "noch einmal")
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err))
	_, err = b.svc.Resolve(ctx, b.finance, rows[1].ID, "passt")
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "a matched credit is not on the work list")
	_, err = b.svc.Assign(ctx, b.finance, rows[1].ID, bill.CaseNumber)
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err))
	open, err := b.svc.Open(ctx, b.finance)
	require.NoError(t, err)
	require.Empty(t, open)
}

// TestBadFilesBookNothing: a file that cannot be booked as a whole is
// refused with a precise error, and nothing of it is booked, however many
// good credits it has.
func TestBadFilesBookNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	bill := b.submit(t, 1)
	good := file(t, "MSG-1", credit("G-1", bill.Reference, 1000), credit("G-2", unknownRef, 1000), credit("G-3", bill.Reference, 1000))
	// The second credit's amount gets a third decimal place.
	i := bytes.Index(good, []byte("<Ntry>")) + 1
	i += bytes.Index(good[i:], []byte("<Ntry>"))
	badAmount := append([]byte{}, good[:i]...)
	badAmount = append(badAmount, bytes.Replace(good[i:], []byte(">10.00<"), []byte(">10.005<"), 1)...)
	zero := credit("G-4", bill.Reference, 0)

	tests := []struct {
		name string
		body []byte
		path string // of the first field error
		line bool   // whether it names a line
	}{
		{"not well-formed", good[:len(good)/2], "", true},
		{"not XML at all", []byte("Datum;Betrag\n2026-03-02;10.00\n"), "", true},
		{"one bad amount among good credits", badAmount, "Ntfctn[1]/Ntry[2]/Amt", true},
		{"another account", fileFor(t, "CH9300762011623852957", "MSG-2", credit("G-5", bill.Reference, 1000)), "Ntfctn[1]/Acct/Id/IBAN", false},
		{"a credit of nothing", file(t, "MSG-3", credit("G-6", bill.Reference, 1000), zero), "Amt", true},
		{"empty", nil, "", false},
	}
	books := b.books(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.svc.Import(ctx, "kasse@uster.ch", "bad.xml", tc.body)
			e := requireFields(t, err, tc.path)
			if tc.line {
				require.NotEmpty(t, e.Fields, e.Error())
				require.Positive(t, e.Fields[0].Line, "the line of the fault")
			}
			require.Equal(t, books, b.books(t), "nothing booked")
		})
	}
	require.EqualValues(t, 2000, b.open(t, bill.Case))
	require.Equal(t, cases.PaymentDue, b.caseStatus(t, bill.Case))

	_, err := b.svc.Import(ctx, "kasse@uster.ch", "bad.xml", badAmount)
	e := requireFields(t, err, "Ntfctn[1]/Ntry[2]/Amt")
	require.Equal(t, lineOf(badAmount, ">10.005<"), e.Fields[0].Line, "the line of the bad amount")
	require.Equal(t, "10.005", e.Fields[0].Value)
}

// TestOnlyTheFinanceOffice: the imports and the work list are the
// finance office's; other staff and residents are refused.
func TestOnlyTheFinanceOffice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	bill := b.submit(t, 1)
	body := file(t, "MSG-1", credit("F-1", unknownRef, 2000))
	clerk := b.staff(t, "eva@uster.ch", "einwohnerdienste")
	resident := reconcile.Staff{ID: b.resident, Email: "tamara@pay.example"}
	books := b.books(t)
	for name, who := range map[string]reconcile.Staff{"another office's staff": clerk, "a resident": resident} {
		t.Run(name, func(t *testing.T) {
			_, err := b.svc.Upload(ctx, who, "f.xml", body)
			require.Equal(t, apperr.Forbidden, apperr.CodeOf(err))
			_, err = b.svc.Upload(ctx, who, "f.xml", []byte("not even XML"))
			require.Equal(t, apperr.Forbidden, apperr.CodeOf(err), "refused before the file is read")
			_, err = b.svc.Open(ctx, who)
			require.Equal(t, apperr.Forbidden, apperr.CodeOf(err))
			_, err = b.svc.Imports(ctx, who)
			require.Equal(t, apperr.Forbidden, apperr.CodeOf(err))
		})
	}
	require.Equal(t, books, b.books(t))

	sum, err := b.svc.Upload(ctx, b.finance, "f.xml", body)
	require.NoError(t, err)
	require.Equal(t, "kasse@uster.ch", sum.Import.ImportedBy)
	id := b.credits(t, sum.Import.ID)[0].ID
	_, err = b.svc.Assign(ctx, clerk, id, bill.CaseNumber)
	require.Equal(t, apperr.Forbidden, apperr.CodeOf(err))
	_, err = b.svc.Resolve(ctx, clerk, id, "erledigt")
	require.Equal(t, apperr.Forbidden, apperr.CodeOf(err))
	list, err := b.svc.Imports(ctx, b.finance)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, 1, list[0].Counts.Unmatched)
}

// requireFields checks that err is Invalid and, when path is not empty,
// that its first field error is at path.
func requireFields(t *testing.T, err error, path string) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	require.True(t, ok, "an apperr.Error, got %v", err)
	require.Equal(t, apperr.Invalid, e.Code, e.Error())
	if path != "" {
		require.NotEmpty(t, e.Fields, e.Error())
		require.Equal(t, path, e.Fields[0].Path, e.Error())
	}
	return e
}

// requireFileError checks that err is a fault of the file naming the
// element at a line.
func requireFileError(t *testing.T, err error, element string) {
	t.Helper()
	e := requireFields(t, err, "")
	require.NotEmpty(t, e.Fields, e.Error())
	require.Contains(t, e.Fields[0].Path+" "+e.Fields[0].Message, element, e.Error())
	require.Positive(t, e.Fields[0].Line)
}

// lineOf is the 1-based line of the first occurrence of s in body.
func lineOf(body []byte, s string) int {
	return bytes.Count(body[:bytes.Index(body, []byte(s))], []byte("\n")) + 1
}

func checkDigit(digits string) string { return string(rune('0' + cases.CheckDigit(digits))) }

// wrongDigit is a check digit that is not the number's.
func wrongDigit(number string) string {
	if strings.HasSuffix(number, "0") {
		return "1"
	}
	return "0"
}

// TestTheAppRoleKeepsTheRecords: the role the server runs as may record
// imports and resolve credits, never delete them (db/app-role.sql).
func TestTheAppRoleKeepsTheRecords(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	pool := b.st.Pool()
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	role := "app_" + hex.EncodeToString(suffix[:])
	_, err := pool.Exec(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD 'app-secret-pw'")
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP OWNED BY "+role)
		_, _ = pool.Exec(context.Background(), "DROP ROLE "+role)
	})
	require.NoError(t, b.st.GrantAppRole(ctx, role))
	cfg := pool.Config().ConnConfig
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s:app-secret-pw@%s:%d/%s?sslmode=disable", role, cfg.Host, cfg.Port, cfg.Database))
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, sql := range []string{"UPDATE bank_credit SET resolution = 'x' WHERE false", "UPDATE bank_import SET matched = 0 WHERE false"} {
		_, err := conn.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}
	for _, sql := range []string{"DELETE FROM bank_credit", "DELETE FROM bank_import", "TRUNCATE bank_credit", "TRUNCATE bank_import CASCADE"} {
		_, err := conn.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		require.ErrorAs(t, err, &pgErr, sql)
		require.Equal(t, "42501", pgErr.Code, sql)
	}
}
