package books_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/books"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/fees"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

const (
	cityIBAN  = "CH4431999123000889012"
	otherIBAN = "CH9300762011623852957"
	residence = "wohnsitzbestaetigung" // einwohnerdienste, two_factor
)

// chart is what the tests' finance system calls the accounts.
var chart = ledger.Chart{
	Numbers: map[string]string{"receivable": "1012.00", "revenue": "4210.00", "revenue:einwohnerdienste": "4210.10", "vat:standard": "2000.81",
		"clearing": "1009.00", "clearing:dev": "1009.99", "bank": "1002.00", "unallocated": "2001.00"},
	CostCentres: map[string]string{"einwohnerdienste": "1100", "betreibungsamt": "1200"},
}

type bundle struct {
	st     *store.Store
	pay    *payments.Service
	books  *books.Service
	ledger *ledger.Service
	// finance keeps the books (Stadtkasse); clerk is staff of another
	// office; resident has no role.
	finance, clerk, resident uuid.UUID
	cases                    *cases.Service
	drafts                   *drafts.Service
	sources                  int
}

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	f := forms.New(st, account.ProfileFields)
	b := &bundle{st: st, drafts: drafts.New(st, f), cases: cases.New(st, f, "UST"), ledger: ledger.New(chart)}
	b.pay, err = payments.New(st, payments.Config{Account: cityIBAN, PublicURL: "https://schalter.example", City: "Stadt Uster",
		Creditor: qrbill.Address{Name: "Stadt Uster", Street: "Oberlandstrasse", BuildingNumber: "78", PostalCode: "8610", Town: "Uster", Country: "CH"}},
		b.ledger, b.cases, documents.New(st, box, "https://schalter.example"))
	require.NoError(t, err)
	b.cases.OnCreated = b.pay.Bill
	b.books = books.New(b.pay)
	person := func(email string, roles ...store.Role) uuid.UUID {
		a, err := st.CreateAccount(ctx, email, email, "", nil, roles...)
		require.NoError(t, err)
		return a.ID
	}
	b.finance = person("kasse@uster.ch", store.Role{Role: account.RoleStaff, Office: "stadtkasse"})
	b.clerk = person("eva@uster.ch", store.Role{Role: account.RoleStaff, Office: "einwohnerdienste"})
	b.resident = person("tamara@books.example")
	return b
}

// post books an entry with a fresh source.
func (b *bundle) post(t *testing.T, kind string, day time.Time, memo string, postings ...ledger.Posting) int64 {
	t.Helper()
	b.sources++
	id, booked, err := b.ledger.Post(context.Background(), b.st.Queries, ledger.Entry{Kind: kind, ValueDate: day, Memo: memo,
		Source: fmt.Sprintf("test:%d", b.sources), Postings: postings})
	require.NoError(t, err)
	require.True(t, booked)
	return id
}

// transfer books amount from one account to another: debit to, credit
// from.
func (b *bundle) transfer(t *testing.T, kind string, day time.Time, to, from string, amount int64) int64 {
	t.Helper()
	return b.post(t, kind, day, kind+" "+strconv.FormatInt(amount, 10), ledger.Line(to, amount, nil), ledger.Line(from, -amount, nil))
}

// submit submits a residence certificate with copies copies: its charge
// is booked at submission (CHF 20 and CHF 10 per further copy).
func (b *bundle) submit(t *testing.T, copies int) store.Case {
	t.Helper()
	ctx := context.Background()
	f := forms.New(b.st, account.ProfileFields)
	v, err := f.Published(ctx, residence)
	require.NoError(t, err)
	if v.Definition.Fees == nil {
		def := v.Definition
		def.Fees = &fees.Spec{Collect: fees.Before, Items: []fees.Item{
			{Type: "certificate", Amount: 2000, Label: map[string]string{"de": "Wohnsitzbestätigung", "fr": "Attestation", "it": "Certificato", "en": "Certificate"}},
			{Type: "copy", Amount: 1000, Per: "copies", Beyond: 1, Label: map[string]string{"de": "Weitere Ausfertigung", "fr": "Exemplaire", "it": "Esemplare", "en": "Copy"}}}}
		next, err := f.Create(ctx, residence, def, "test")
		require.NoError(t, err)
		_, err = f.Publish(ctx, residence, next.Number)
		require.NoError(t, err)
	}
	data := fmt.Sprintf(`{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-03-04","street":"Bahnhofstrasse 1","postal_code":"8610",
		"locality":"Uster","for_whom":"self","delivery":"account","copies":%d}`, copies)
	d, err := b.drafts.Create(ctx, drafts.Account(b.resident), residence, json.RawMessage(data), "")
	require.NoError(t, err)
	c, err := b.cases.Submit(ctx, cases.Submission{Account: b.resident, Email: "tamara@books.example", Level: account.LevelTwoFactor, Draft: d.ID,
		Notify: []string{"email"}, Language: "de"})
	require.NoError(t, err)
	return c.Record
}

// journal exports [from, to] and parses it back: the header and the
// lines. It checks the format on the way: BOM, CRLF, semicolons.
func (b *bundle) journal(t *testing.T, from, to time.Time) [][]string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, b.books.Journal(context.Background(), b.finance, from, to, &buf))
	raw := buf.String()
	require.True(t, strings.HasPrefix(raw, "\ufeff"), "UTF-8 with a byte order mark, for Excel")
	require.True(t, strings.HasSuffix(raw, "\r\n"), "RFC 4180 line ends")
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	require.NoError(t, err)
	require.Equal(t, books.JournalHeader, rows[0])
	return rows[1:]
}

var amount = regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)

// rappen reads an amount cell: empty, or CHF with exactly two decimals.
func rappen(t *testing.T, cell string) int64 {
	t.Helper()
	if cell == "" {
		return 0
	}
	require.Regexp(t, amount, cell)
	n, err := strconv.ParseInt(strings.Replace(cell, ".", "", 1), 10, 64)
	require.NoError(t, err)
	return n
}

// col is a column's index in the export.
func col(name string) int {
	for i, c := range books.JournalHeader {
		if c == name {
			return i
		}
	}
	panic("no column " + name)
}

// TestJournalExport: a case's charge and payment, a payout and an entry
// with a formula-like memo come out one line per posting, with the
// chart's account numbers and cost centres and the case's number; debits
// and credits add up to the same total; a renumbered account shows its
// new number in the next export; a day outside the range stays out.
func TestJournalExport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	today := b.ledger.Today()
	c := b.submit(t, 3) // 20.00 + 2 × 10.00: receivable, certificate, copy
	_, booked, err := b.ledger.Post(ctx, b.st.Queries, ledger.Entry{Kind: ledger.Payment, Case: &c.ID, Memo: "Zahlung " + c.Number, Source: "payment:test",
		Postings: []ledger.Posting{ledger.Line(ledger.Clearing("dev"), 4000, nil), ledger.Line(ledger.Receivable("einwohnerdienste"), -4000, &c.ID)}})
	require.NoError(t, err)
	require.True(t, booked)
	s, err := b.books.Settle(ctx, b.finance, "dev", 4000, today, "po_1")
	require.NoError(t, err)
	require.True(t, s.Booked)
	b.post(t, ledger.Unallocated, today, "=HYPERLINK(\"https://evil.example\")", ledger.Line(ledger.Bank(cityIBAN), 155, nil), ledger.Line(ledger.UnallocatedFor(cityIBAN), -155, nil))
	b.transfer(t, ledger.Payment, today.AddDate(0, 0, -10), ledger.Bank(cityIBAN), ledger.Receivable("einwohnerdienste"), 999) // before the range

	rows := b.journal(t, today.AddDate(0, 0, -1), today)
	require.Len(t, rows, 3+2+2+2, "one line per posting of the range")
	numbers := map[string][2]string{
		"receivable:einwohnerdienste":          {"1012.00", "1100"},
		"revenue:einwohnerdienste:certificate": {"4210.10", "1100"},
		"revenue:einwohnerdienste:copy":        {"4210.10", "1100"},
		"clearing:dev":                         {"1009.99", ""},
		ledger.Bank(cityIBAN):                  {"1002.00", ""},
		ledger.UnallocatedFor(cityIBAN):        {"2001.00", ""},
	}
	zurich, err := time.LoadLocation("Europe/Zurich")
	require.NoError(t, err)
	var debit, credit int64
	perEntry := map[string]int64{}
	for _, row := range rows {
		require.Len(t, row, len(books.JournalHeader))
		acc := row[col("account")]
		require.Contains(t, numbers, acc)
		require.Equal(t, numbers[acc][0], row[col("account_number")], acc)
		require.Equal(t, numbers[acc][1], row[col("cost_centre")], acc)
		require.NotEmpty(t, row[col("account_name")])
		require.Equal(t, today.Format(time.DateOnly), row[col("value_date")])
		at, err := time.Parse(time.RFC3339, row[col("booked_at")])
		require.NoError(t, err)
		require.WithinDuration(t, time.Now(), at, time.Minute)
		_, want := at.In(zurich).Zone()
		_, got := at.Zone()
		require.Equal(t, want, got, "booked at in Europe/Zurich")
		d, c := rappen(t, row[col("debit")]), rappen(t, row[col("credit")])
		require.True(t, (d > 0) != (c > 0), "either debit or credit: %v", row)
		debit, credit = debit+d, credit+c
		perEntry[row[col("entry")]] += d - c
		switch row[col("kind")] {
		case ledger.Charge, ledger.Payment:
			require.NotEmpty(t, row[col("case_number")])
		case ledger.Settlement:
			require.Empty(t, row[col("case_number")])
			require.Equal(t, "settlement:dev:po_1", row[col("source")])
		case ledger.Unallocated:
			require.Equal(t, `'=HYPERLINK("https://evil.example")`, row[col("memo")], "a formula stays text in Excel")
		}
	}
	require.EqualValues(t, 4000+4000+4000+155, debit)
	require.Equal(t, debit, credit, "debits and credits add up to the same total")
	for entry, sum := range perEntry {
		require.Zero(t, sum, "entry %s balances", entry)
	}
	require.Equal(t, c.Number, rows[0][col("case_number")])

	// The finance office renumbers the provider's clearing account.
	a, err := b.books.SetAccount(ctx, b.finance, "clearing:dev", " 1009.50 ", "2000")
	require.NoError(t, err)
	require.Equal(t, "1009.50", a.Number)
	accounts, err := b.books.Accounts(ctx, b.finance)
	require.NoError(t, err)
	require.Len(t, accounts, len(numbers))
	for _, row := range b.journal(t, today, today) {
		if row[col("account")] == "clearing:dev" {
			require.Equal(t, "1009.50", row[col("account_number")])
			require.Equal(t, "2000", row[col("cost_centre")])
		}
	}
}

func TestSetAccountChecksItsFields(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.transfer(t, ledger.Payment, b.ledger.Today(), ledger.Clearing("dev"), ledger.Receivable("einwohnerdienste"), 100)
	for _, tc := range []struct {
		number, centre, field string
	}{
		{strings.Repeat("1", 41), "", "body.number"},
		{"1009", strings.Repeat("ü", 41), "body.cost_centre"},
		{"10\t09", "", "body.number"},
		{"1009", "=1+1", "body.cost_centre"},
		{"@SUM(A1)", "", "body.number"},
	} {
		_, err := b.books.SetAccount(ctx, b.finance, "clearing:dev", tc.number, tc.centre)
		requireFields(t, err, tc.field)
	}
	a, err := b.books.SetAccount(ctx, b.finance, "clearing:dev", strings.Repeat("ü", 40), "")
	require.NoError(t, err, "40 characters, not bytes")
	require.Empty(t, a.CostCentre, "empty: not mapped")
	_, err = b.books.SetAccount(ctx, b.finance, "clearing:nobody", "1", "")
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
}

// requireFields checks an Invalid error naming exactly these fields.
func requireFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	e, ok := apperr.As(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, apperr.Invalid, e.Code, "%v", err)
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Path)
	}
	require.ElementsMatch(t, fields, got, "%v", err)
}

// TestDailyReconciliation: per money account and day, the opening
// balance, each kind's postings, debits and credits, and the closing
// balance, with totals; quiet days are listed; accounts appear from
// their first booking.
func TestDailyReconciliation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	d0 := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	dev, stripe, bank := ledger.Clearing("dev"), ledger.Clearing("stripe"), ledger.Bank(cityIBAN)
	receivable := ledger.Receivable("einwohnerdienste")
	b.transfer(t, ledger.Payment, d0.AddDate(0, 0, -5), dev, receivable, 1000) // the opening
	b.transfer(t, ledger.Payment, d0, dev, receivable, 2500)
	b.transfer(t, ledger.Payment, d0, dev, receivable, 500)
	b.transfer(t, ledger.Payment, d0, bank, receivable, 700) // a QR-bill
	b.transfer(t, ledger.Unallocated, d0, bank, ledger.UnallocatedFor(cityIBAN), 300)
	b.transfer(t, ledger.Refund, d0.AddDate(0, 0, 1), receivable, dev, 400)
	_, err := b.books.Settle(ctx, b.finance, "dev", 3600, d0.AddDate(0, 0, 1), "po_march")
	require.NoError(t, err)
	b.transfer(t, ledger.Payment, d0.AddDate(0, 0, 3), stripe, receivable, 900)
	b.transfer(t, ledger.Payment, d0.AddDate(0, 0, 4), stripe, receivable, 111) // after the range

	r, err := b.books.DailyRange(ctx, b.finance, d0, d0.AddDate(0, 0, 3))
	require.NoError(t, err)
	checkReport(t, b, r)
	require.Len(t, r.Days, 4, "every day, quiet ones too")

	day := r.Days[0]
	require.Equal(t, []string{bank, dev}, codes(day.Accounts), "stripe has not booked yet")
	devDay := day.Accounts[1]
	require.Equal(t, "dev", devDay.Holder)
	require.Equal(t, "clearing", devDay.Type)
	require.Equal(t, "1009.99", devDay.Number)
	require.EqualValues(t, 1000, devDay.Opening)
	require.Equal(t, books.Movement{Kind: ledger.Payment, Postings: 2, Debit: 3000}, devDay.Movements[0])
	require.EqualValues(t, 4000, devDay.Closing)
	bankDay := day.Accounts[0]
	require.Equal(t, strings.ToUpper(cityIBAN), bankDay.Holder)
	require.Equal(t, []books.Movement{{Kind: ledger.Payment, Postings: 1, Debit: 700}, {Kind: ledger.Refund}, {Kind: ledger.Settlement},
		{Kind: ledger.Unallocated, Postings: 1, Debit: 300}}, bankDay.Movements)
	require.Equal(t, books.Sums{Opening: 1000, Debit: 4000, Closing: 5000, Movements: []books.Movement{{Kind: ledger.Payment, Postings: 3, Debit: 3700},
		{Kind: ledger.Refund}, {Kind: ledger.Settlement}, {Kind: ledger.Unallocated, Postings: 1, Debit: 300}}}, day.Totals)

	day = r.Days[1]
	require.EqualValues(t, 4000, day.Accounts[1].Opening)
	require.Equal(t, []books.Movement{{Kind: ledger.Payment}, {Kind: ledger.Refund, Postings: 1, Credit: 400}, {Kind: ledger.Settlement, Postings: 1, Credit: 3600},
		{Kind: ledger.Unallocated}}, day.Accounts[1].Movements)
	require.Zero(t, day.Accounts[1].Closing, "paid out")
	require.EqualValues(t, 1000+3600, day.Accounts[0].Closing)
	for i, a := range r.Days[2].Accounts {
		require.Equal(t, r.Days[1].Accounts[i].Closing, a.Opening, "a quiet day: %s", a.Code)
		require.Equal(t, a.Opening, a.Closing, a.Code)
		require.Zero(t, a.Debit+a.Credit, a.Code)
	}

	require.Equal(t, []string{bank, dev, stripe}, codes(r.Days[3].Accounts))
	require.EqualValues(t, 900, r.Days[3].Accounts[2].Closing)
	require.Equal(t, []string{bank, dev, stripe}, codes(r.Whole.Accounts))
	require.EqualValues(t, 1000, r.Whole.Totals.Opening)
	require.EqualValues(t, 4600+900, r.Whole.Totals.Closing)

	one, err := b.books.Daily(ctx, b.finance, d0.AddDate(0, 0, 1))
	require.NoError(t, err)
	require.Equal(t, r.Days[1], one)
}

func codes(as []books.MoneyAccount) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.Code)
	}
	return out
}

// checkReport holds a report to its identities: for each day and account
// closing = opening + debits − credits, the movements add up to the
// debits and credits, the closing equals the sum of the account's
// postings up to that day (from the journal export, another query), one
// day's closing is the next day's opening, the totals are the accounts'
// sums, and the whole range opens with its first day and closes with
// its last.
func checkReport(t *testing.T, b *bundle, r books.Report) {
	t.Helper()
	ctx := context.Background()
	lines, err := b.st.JournalExport(ctx, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), r.Whole.To)
	require.NoError(t, err)
	balance := func(code string, upTo time.Time) int64 {
		var sum int64
		for _, l := range lines {
			if l.Account == code && !l.ValueDate.After(upTo) {
				sum += l.Amount
			}
		}
		return sum
	}
	sums := func(name string, s books.Sums) {
		require.Equal(t, s.Opening+s.Debit-s.Credit, s.Closing, name)
		var debit, credit int64
		for _, m := range s.Movements {
			debit, credit = debit+m.Debit, credit+m.Credit
		}
		require.Equal(t, s.Debit, debit, name)
		require.Equal(t, s.Credit, credit, name)
	}
	prev := map[string]int64{}
	for _, d := range r.Days {
		require.Equal(t, d.From, d.To)
		var total books.Sums
		for _, a := range d.Accounts {
			name := a.Code + " " + d.From.Format(time.DateOnly)
			sums(name, a.Sums)
			require.Equal(t, balance(a.Code, d.From), a.Closing, "%s: the closing is the sum of the postings", name)
			opening, ok := prev[a.Code]
			if !ok {
				opening = balance(a.Code, d.From.AddDate(0, 0, -1))
			}
			require.Equal(t, opening, a.Opening, "%s opens where the day before closed", name)
			prev[a.Code] = a.Closing
			total.Opening, total.Debit, total.Credit, total.Closing = total.Opening+a.Opening, total.Debit+a.Debit, total.Credit+a.Credit, total.Closing+a.Closing
		}
		sums("totals "+d.From.Format(time.DateOnly), d.Totals)
		require.Equal(t, [4]int64{total.Opening, total.Debit, total.Credit, total.Closing},
			[4]int64{d.Totals.Opening, d.Totals.Debit, d.Totals.Credit, d.Totals.Closing}, "the totals are the accounts' sums")
	}
	for _, a := range r.Whole.Accounts {
		sums(a.Code+" whole", a.Sums)
		require.Equal(t, balance(a.Code, r.Whole.From.AddDate(0, 0, -1)), a.Opening, a.Code)
		require.Equal(t, balance(a.Code, r.Whole.To), a.Closing, a.Code)
	}
	sums("whole totals", r.Whole.Totals)
	last := r.Days[len(r.Days)-1]
	require.Equal(t, last.Totals.Closing, r.Whole.Totals.Closing)
}

// TestSettlement: a payout books the bank against the provider's
// clearing account once per reference; the same reference again books
// nothing and says so, with other figures it is a conflict; the fields
// are checked, the provider must have a clearing account.
func TestSettlement(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	yesterday := b.ledger.Today().AddDate(0, 0, -1)
	_, err := b.books.Settle(ctx, b.finance, "dev", 100, yesterday, "po_0")
	requireFields(t, err, "body.provider")

	b.transfer(t, ledger.Payment, yesterday, ledger.Clearing("dev"), ledger.Receivable("einwohnerdienste"), 5000)
	s, err := b.books.Settle(ctx, b.finance, "dev", 4800, yesterday, " po_123 ")
	require.NoError(t, err)
	require.True(t, s.Booked)
	require.Positive(t, s.Entry)
	require.Equal(t, "settlement:dev:po_123", s.Source)
	require.Equal(t, yesterday, s.ValueDate)
	again, err := b.books.Settle(ctx, b.finance, "dev", 4800, yesterday, "po_123")
	require.NoError(t, err)
	require.False(t, again.Booked, "booked before: nothing booked now")
	require.Equal(t, s.Entry, again.Entry)
	require.Equal(t, s.BookedAt, again.BookedAt)
	_, err = b.books.Settle(ctx, b.finance, "dev", 4700, yesterday, "po_123")
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "another amount under the same reference")
	_, err = b.books.Settle(ctx, b.finance, "dev", 4800, yesterday.AddDate(0, 0, -1), "po_123")
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "another day under the same reference")

	_, err = b.books.Settle(ctx, b.finance, "stripe", 0, b.ledger.Today().AddDate(0, 0, 2), "")
	requireFields(t, err, "body.provider", "body.amount_rappen", "body.value_date", "body.reference")
	_, err = b.books.Settle(ctx, b.finance, "dev", -5, time.Time{}, "po\n9")
	requireFields(t, err, "body.amount_rappen", "body.value_date", "body.reference")
	_, err = b.books.Settle(ctx, b.finance, "dev", 1, yesterday, strings.Repeat("x", 201))
	requireFields(t, err, "body.reference")

	bad, err := b.st.UnbalancedEntries(ctx)
	require.NoError(t, err)
	require.Empty(t, bad)
	day, err := b.books.Daily(ctx, b.finance, yesterday)
	require.NoError(t, err)
	require.Equal(t, []string{ledger.Bank(cityIBAN), ledger.Clearing("dev")}, codes(day.Accounts))
	require.Equal(t, books.Movement{Kind: ledger.Settlement, Postings: 1, Debit: 4800}, day.Accounts[0].Movements[2])
	require.Equal(t, books.Movement{Kind: ledger.Settlement, Postings: 1, Credit: 4800}, day.Accounts[1].Movements[2])
	require.EqualValues(t, 200, day.Accounts[1].Closing, "what the provider still holds")
	require.EqualValues(t, 4800, day.Accounts[0].Closing)
}

// TestOnlyTheFinanceOfficeKeepsTheBooks: staff of another office, a
// resident and an unknown account are Forbidden everywhere, and nothing
// is written or booked for them.
func TestOnlyTheFinanceOfficeKeepsTheBooks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	today := b.ledger.Today()
	b.transfer(t, ledger.Payment, today, ledger.Clearing("dev"), ledger.Receivable("einwohnerdienste"), 100)
	for name, who := range map[string]uuid.UUID{"another office's staff": b.clerk, "a resident": b.resident, "nobody": uuid.New()} {
		var buf bytes.Buffer
		calls := map[string]error{
			"journal": b.books.Journal(ctx, who, today, today, &buf),
		}
		_, calls["daily"] = b.books.Daily(ctx, who, today)
		_, calls["range"] = b.books.DailyRange(ctx, who, today, today)
		_, calls["accounts"] = b.books.Accounts(ctx, who)
		_, calls["set account"] = b.books.SetAccount(ctx, who, "clearing:dev", "1", "1")
		_, calls["settle"] = b.books.Settle(ctx, who, "dev", 100, today, "po_x")
		// Forbidden before the input is looked at.
		_, calls["bad range"] = b.books.DailyRange(ctx, who, today, today.AddDate(0, 0, -1))
		for call, err := range calls {
			require.Equal(t, apperr.Forbidden, apperr.CodeOf(err), "%s: %s", name, call)
		}
		require.Zero(t, buf.Len(), "%s: nothing of the journal", name)
	}
	accounts, err := b.books.Accounts(ctx, b.finance)
	require.NoError(t, err)
	for _, a := range accounts {
		require.NotEqual(t, "1", a.Number, "nothing renumbered")
	}
	_, err = b.st.JournalEntryBySource(ctx, "settlement:dev:po_x")
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "nothing booked")
}

func TestRanges(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		from, to time.Time
		fields   []string
	}{
		{"backwards", d, d.AddDate(0, 0, -1), []string{"query.to"}},
		{"367 days", d, d.AddDate(0, 0, 366), []string{"query.to"}},
		{"no from", time.Time{}, d, []string{"query.from"}},
		{"nothing", time.Time{}, time.Time{}, []string{"query.from", "query.to"}},
	} {
		var buf bytes.Buffer
		requireFields(t, b.books.Journal(ctx, b.finance, tc.from, tc.to, &buf), tc.fields...)
		require.Zero(t, buf.Len(), tc.name)
		_, err := b.books.DailyRange(ctx, b.finance, tc.from, tc.to)
		requireFields(t, err, tc.fields...)
	}
	// 2024 is a leap year: 366 days is the longest range.
	r, err := b.books.DailyRange(ctx, b.finance, d, d.AddDate(0, 0, 365))
	require.NoError(t, err)
	require.Len(t, r.Days, books.MaxDays)
	require.Empty(t, b.journal(t, d, d.AddDate(0, 0, 365)))
	// A time of day in another zone is the day as written.
	late := time.Date(2024, 1, 1, 23, 30, 0, 0, time.FixedZone("CET", 3600))
	one, err := b.books.Daily(ctx, b.finance, late)
	require.NoError(t, err)
	require.Equal(t, d, one.From)
}

// TestRandomLedgersStayBalanced: random sequences of charges (some with
// VAT), payments by provider and by bank, refunds, corrections of
// charges, settlements, unallocated credits and their allocation, booked
// with ledger.Post over two weeks in random order, always leave every
// entry balanced, and the daily report consistent with the postings and
// with a model of the balances; the export has one line per posting and
// balances too.
func TestRandomLedgersStayBalanced(t *testing.T) {
	t.Parallel()
	for seed := range uint64(6) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(seed, 2026))
			start := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)
			offices := []string{"einwohnerdienste", "betreibungsamt"}
			money := []string{ledger.Clearing("dev"), ledger.Clearing("stripe"), ledger.Bank(cityIBAN), ledger.Bank(otherIBAN)}
			model := map[string]int64{} // money account → balance at the end
			postings := 0               // within the range
			type charge struct {
				id       int64
				office   string
				net, vat int64
			}
			var charges []charge
			book := func(kind string, day time.Time, ps ...ledger.Posting) int64 {
				id := b.post(t, kind, day, kind, ps...)
				for _, p := range ps {
					if strings.HasPrefix(p.Account, "clearing:") || strings.HasPrefix(p.Account, "bank:") {
						model[p.Account] += p.Amount
					}
				}
				postings += len(ps)
				return id
			}
			for range 40 + rng.IntN(40) {
				day := start.AddDate(0, 0, rng.IntN(14))
				office := offices[rng.IntN(len(offices))]
				n := 1 + rng.Int64N(50_000)
				switch k := rng.IntN(7); k {
				case 0: // a charge, a third of them with VAT
					vat := int64(0)
					ps := []ledger.Posting{ledger.Line(ledger.Receivable(office), n, nil)}
					if rng.IntN(3) == 0 && n > 100 {
						vat = n * 81 / 1081
						ps = append(ps, ledger.Line(ledger.VAT("standard"), -vat, nil))
					}
					ps = append(ps, ledger.Line(ledger.Revenue(office, "certificate"), -(n-vat), nil))
					charges = append(charges, charge{book(ledger.Charge, day, ps...), office, n - vat, vat})
				case 1: // a payment
					book(ledger.Payment, day, ledger.Line(money[rng.IntN(len(money))], n, nil), ledger.Line(ledger.Receivable(office), -n, nil))
				case 2: // a refund
					book(ledger.Refund, day, ledger.Line(ledger.Receivable(office), n, nil), ledger.Line(money[rng.IntN(len(money))], -n, nil))
				case 3: // a correction: a charge taken back
					if len(charges) == 0 {
						continue
					}
					c := charges[rng.IntN(len(charges))]
					ps := []ledger.Posting{ledger.Line(ledger.Revenue(c.office, "certificate"), c.net, nil)}
					if c.vat > 0 {
						ps = append(ps, ledger.Line(ledger.VAT("standard"), c.vat, nil))
					}
					ps = append(ps, ledger.Line(ledger.Receivable(c.office), -(c.net+c.vat), nil))
					b.sources++
					_, booked, err := b.ledger.Post(ctx, b.st.Queries, ledger.Entry{Kind: ledger.Correction, ValueDate: day, Corrects: &c.id, Memo: "Storno",
						Source: fmt.Sprintf("test:%d", b.sources), Postings: ps})
					require.NoError(t, err)
					require.True(t, booked)
					postings += len(ps)
				case 4: // a payout, through the service where the provider has an account
					provider := []string{"dev", "stripe"}[rng.IntN(2)]
					if model[ledger.Clearing(provider)] == 0 {
						book(ledger.Settlement, day, ledger.Line(ledger.Bank(cityIBAN), n, nil), ledger.Line(ledger.Clearing(provider), -n, nil))
						continue
					}
					s, err := b.books.Settle(ctx, b.finance, provider, n, day, fmt.Sprintf("po_%d", rng.Uint64()))
					require.NoError(t, err)
					require.True(t, s.Booked)
					model[ledger.Bank(cityIBAN)] += n
					model[ledger.Clearing(provider)] -= n
					postings += 2
				case 5: // a bank credit without a case
					iban := []string{cityIBAN, otherIBAN}[rng.IntN(2)]
					book(ledger.Unallocated, day, ledger.Line(ledger.Bank(iban), n, nil), ledger.Line(ledger.UnallocatedFor(iban), -n, nil))
				case 6: // an allocation: no money account moves
					book(ledger.Allocation, day, ledger.Line(ledger.UnallocatedFor(cityIBAN), n, nil), ledger.Line(ledger.Receivable(office), -n, nil))
				}
			}
			bad, err := b.st.UnbalancedEntries(ctx)
			require.NoError(t, err)
			require.Empty(t, bad, "every entry balances")

			r, err := b.books.DailyRange(ctx, b.finance, start, start.AddDate(0, 0, 13))
			require.NoError(t, err)
			checkReport(t, b, r)
			for _, a := range r.Whole.Accounts {
				require.Equal(t, model[a.Code], a.Closing, a.Code)
				require.Zero(t, a.Opening, "nothing before the range")
			}
			require.Len(t, r.Days, 14)

			rows := b.journal(t, start, start.AddDate(0, 0, 13))
			require.Len(t, rows, postings, "one line per posting")
			var debit, credit int64
			for _, row := range rows {
				debit, credit = debit+rappen(t, row[col("debit")]), credit+rappen(t, row[col("credit")])
			}
			require.Equal(t, debit, credit)
		})
	}
}
