package reconcile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/camt"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/reconcile"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

const (
	// cityIBAN is the city's QR-IBAN: bills carry QR references.
	cityIBAN = "CH4431999123000889012"
	// residence costs CHF 20 and CHF 10 per further copy, paid first
	// (../payments/testdata/residence-fees.json).
	residence     = "wohnsitzbestaetigung"
	residenceData = `{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-03-04","street":"Bahnhofstrasse 1","postal_code":"8610",
		"locality":"Uster","for_whom":"self","delivery":"account","copies":%d}`
)

// bookingDay is the bank's booking date of the test files.
var bookingDay = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

type bundle struct {
	st     *store.Store
	forms  *forms.Service
	drafts *drafts.Service
	cases  *cases.Service
	pay    *payments.Service
	svc    *reconcile.Service
	dir    string // the watched folder
	// finance is staff of the Stadtkasse; resident pays the cases.
	finance  reconcile.Staff
	resident uuid.UUID
}

func setup(t testing.TB) *bundle {
	t.Helper()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	b := &bundle{st: st, forms: forms.New(st, account.ProfileFields), dir: t.TempDir()}
	b.drafts, b.cases = drafts.New(st, b.forms), cases.New(st, b.forms, "UST")
	priceResidence(t, b.forms)
	b.pay, err = payments.New(st, payments.Config{Account: cityIBAN, PublicURL: "https://schalter.example", City: "Stadt Uster",
		Creditor: qrbill.Address{Name: "Stadt Uster", Street: "Oberlandstrasse", BuildingNumber: "78", PostalCode: "8610", Town: "Uster", Country: "CH"}},
		ledger.New(ledger.Chart{}), b.cases, documents.New(st, box, "https://schalter.example"))
	require.NoError(t, err)
	b.cases.OnCreated = b.pay.Bill
	b.svc = reconcile.New(b.pay, reconcile.Config{Dir: b.dir})
	b.finance = b.staff(t, "kasse@uster.ch", "stadtkasse")
	acc, err := st.CreateAccount(ctx, "tamara@pay.example", "tamara@pay.example", "", nil)
	require.NoError(t, err)
	b.resident = acc.ID
	return b
}

// staff is a staff member of office.
func (b *bundle) staff(t testing.TB, email, office string) reconcile.Staff {
	t.Helper()
	acc, err := b.st.CreateAccount(context.Background(), email, email, "", nil, store.Role{Role: account.RoleStaff, Office: office})
	require.NoError(t, err)
	return reconcile.Staff{ID: acc.ID, Email: email}
}

// priceResidence publishes the residence certificate's form with the
// payments tests' fees.
func priceResidence(t testing.TB, f *forms.Service) {
	t.Helper()
	ctx := context.Background()
	v, err := f.Published(ctx, residence)
	require.NoError(t, err)
	raw, err := os.ReadFile("../payments/testdata/residence-fees.json")
	require.NoError(t, err)
	def := v.Definition
	def.Fees = nil
	require.NoError(t, json.Unmarshal(raw, &def.Fees))
	next, err := f.Create(ctx, residence, def, "test")
	require.NoError(t, err)
	_, err = f.Publish(ctx, residence, next.Number)
	require.NoError(t, err)
}

// submit submits Tamara's order of copies residence certificates
// (CHF 20 + 10 per further copy) and returns its bill.
func (b *bundle) submit(t testing.TB, copies int) payments.Bill {
	t.Helper()
	ctx := context.Background()
	d, err := b.drafts.Create(ctx, drafts.Account(b.resident), residence, json.RawMessage(fmt.Sprintf(residenceData, copies)), "")
	require.NoError(t, err)
	c, err := b.cases.Submit(ctx, cases.Submission{Account: b.resident, Email: "tamara@pay.example", Level: account.LevelTwoFactor, Draft: d.ID,
		Notify: []string{"email"}, Language: "de"})
	require.NoError(t, err)
	require.Equal(t, cases.PaymentDue, c.Status)
	bill, err := b.st.BillByReference(ctx, b.bill(t, c.ID).Reference)
	require.NoError(t, err)
	return bill
}

func (b *bundle) bill(t testing.TB, c uuid.UUID) payments.Bill {
	t.Helper()
	bill, err := b.st.CaseBill(context.Background(), c)
	require.NoError(t, err)
	return bill
}

// credit is a CHF credit of the bank with the reference's type as the
// bank would state it.
func credit(bankRef, ref string, amount int64) camt.Credit {
	c := camt.Credit{BankRef: bankRef, Amount: amount, Currency: "CHF", BookingDate: bookingDay, Reference: ref,
		DebtorName: "Tamara Keller", DebtorIBAN: "CH9300762011623852957"}
	switch {
	case qrbill.ValidQRReference(ref):
		c.ReferenceType = camt.QRR
	case strings.HasPrefix(ref, "RF"):
		c.ReferenceType = camt.SCOR
	}
	return c
}

// file is a camt.054 of the city's account with the credits.
func file(t testing.TB, msgID string, credits ...camt.Credit) []byte {
	t.Helper()
	return fileFor(t, cityIBAN, msgID, credits...)
}

func fileFor(t testing.TB, iban, msgID string, credits ...camt.Credit) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, camt.Write(&buf, camt.Notification{MessageID: msgID, Created: bookingDay.Add(18 * time.Hour),
		Accounts: []camt.Account{{NotificationID: msgID + "-1", IBAN: iban, Currency: "CHF", Credits: credits}}}))
	return buf.Bytes()
}

// open is what is still owed on a case.
func (b *bundle) open(t testing.TB, c uuid.UUID) int64 {
	t.Helper()
	n, err := b.st.CaseOpenAmount(context.Background(), c)
	require.NoError(t, err)
	return n
}

// balance is a ledger account's balance (debit positive).
func (b *bundle) balance(t testing.TB, code string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, b.st.Pool().QueryRow(context.Background(), `SELECT coalesce(sum(amount), 0)::bigint FROM posting WHERE account = $1`, code).Scan(&n))
	return n
}

// count counts a table's rows (nothing booked means none were added).
func (b *bundle) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	require.NoError(t, b.st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n))
	return n
}

// books is what an import may change: if none of it moved, nothing was
// booked.
func (b *bundle) books(t testing.TB) [5]int {
	t.Helper()
	return [5]int{b.count(t, "journal_entry"), b.count(t, "posting"), b.count(t, "payment"), b.count(t, "bank_import"), b.count(t, "bank_credit")}
}

// balanced checks that every entry balances.
func (b *bundle) balanced(t testing.TB) {
	t.Helper()
	bad, err := b.st.UnbalancedEntries(context.Background())
	require.NoError(t, err)
	require.Empty(t, bad, "every journal entry balances")
}

// credits are an import's credits in file order.
func (b *bundle) credits(t testing.TB, imp int64) []reconcile.Credit {
	t.Helper()
	list, err := b.st.BankCreditsOfImport(context.Background(), imp)
	require.NoError(t, err)
	return list
}

func (b *bundle) caseStatus(t testing.TB, c uuid.UUID) string {
	t.Helper()
	got, err := b.st.CaseByID(context.Background(), c)
	require.NoError(t, err)
	return got.Status
}
