package payments

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/devpay"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payprovider"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

type bundle struct {
	st        *store.Store
	svc       *Service
	dev       *devpay.Provider
	drafts    *drafts.Service
	cases     *cases.Service
	delivered int // OnSubmit calls: cases handed to their office
	page      *httptest.Server
}

const (
	residence     = "wohnsitzbestaetigung" // einwohnerdienste, two_factor, paid first: 20.00 + 10.00 per further copy
	residenceData = `{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-03-04","street":"Bahnhofstrasse 1","postal_code":"8610",
		"locality":"Uster","for_whom":"self","delivery":"account","copies":3}`
)

func setup(t testing.TB) *bundle {
	t.Helper()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	f := forms.New(st, account.ProfileFields)
	b := &bundle{st: st, drafts: drafts.New(st, f), cases: cases.New(st, f, "UST")}
	priceResidence(t, f)
	b.cases.OnSubmit = func(_ context.Context, _ *store.Queries, cs ...store.Case) error { b.delivered += len(cs); return nil }
	b.dev = devpay.New(st, "https://schalter.example", "whsec_test")
	b.svc, err = New(st, Config{Account: "CH4431999123000889012", PublicURL: "https://schalter.example", City: "Stadt Uster",
		Creditor: qrbill.Address{Name: "Stadt Uster", Street: "Oberlandstrasse", BuildingNumber: "78", PostalCode: "8610", Town: "Uster", Country: "CH"}},
		ledger.New(ledger.Chart{}), b.cases, documents.New(st, box, "https://schalter.example"), b.dev)
	require.NoError(t, err)
	b.cases.OnCreated = b.svc.Bill
	// The provider's webhooks reach the service through a real HTTP
	// hop, as in production; its pages are served the same way.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := b.svc.Webhook(r.Context(), devpay.Name, body, r.Header); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hook.Close)
	b.dev.WebhookURL = hook.URL
	b.page = httptest.NewServer(b.dev.Handler())
	t.Cleanup(b.page.Close)
	return b
}

// priceResidence publishes the residence certificate's form with its
// fees (testdata/residence-fees.json): paid first, CHF 20 and CHF 10 per
// further copy.
func priceResidence(t testing.TB, f *forms.Service) {
	t.Helper()
	ctx := context.Background()
	v, err := f.Published(ctx, residence)
	require.NoError(t, err)
	raw, err := os.ReadFile("testdata/residence-fees.json")
	require.NoError(t, err)
	def := v.Definition
	require.NoError(t, json.Unmarshal(raw, &def.Fees))
	next, err := f.Create(ctx, residence, def, "test")
	require.NoError(t, err)
	_, err = f.Publish(ctx, residence, next.Number)
	require.NoError(t, err)
}

// submit submits Tamara's order of n residence certificates.
func (b *bundle) submit(t testing.TB, who uuid.UUID, copies int) store.Case {
	t.Helper()
	ctx := context.Background()
	data := strings.Replace(residenceData, `"copies":3`, `"copies":`+string(rune('0'+copies)), 1)
	d, err := b.drafts.Create(ctx, drafts.Account(who), residence, json.RawMessage(data), "")
	require.NoError(t, err)
	c, err := b.cases.Submit(ctx, cases.Submission{Account: who, Email: "tamara@pay.example", Level: account.LevelTwoFactor, Draft: d.ID, Notify: []string{"email"}, Language: "de"})
	require.NoError(t, err)
	return c.Record
}

// choose plays the person on the provider's page.
func (b *bundle) choose(t *testing.T, p Payment, choice string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(b.page.URL+"/devpay/"+*p.Session, url.Values{"choice": {choice}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
}

// deliverWebhooks works the provider's pending webhook jobs.
func (b *bundle) deliverWebhooks(t *testing.T, p Payment, event string) {
	t.Helper()
	_, err := pgtest.Work(t, b.st, &devpay.Worker{Provider: b.dev}, devpay.WebhookArgs{Session: *p.Session, Event: event})
	require.NoError(t, err)
}

// event sends the development provider's webhook of event id: the
// checkout of session in state at time at, signed with secret.
func (b *bundle) event(secret, id, state string, at time.Time, session string) error {
	body, _ := json.Marshal(map[string]any{"id": id, "type": "checkout." + state, "created": at.Unix(), "session": session, "state": state,
		"amount": 2000, "charge": "dch_" + id, "paid_at": at.Unix()})
	h := http.Header{}
	h.Set("Stripe-Signature", devpay.Signed(secret, body, time.Now()))
	return b.svc.Webhook(context.Background(), devpay.Name, body, h)
}

func (b *bundle) checkBooks(t *testing.T, c uuid.UUID) *Account {
	t.Helper()
	bad, err := b.st.UnbalancedEntries(context.Background())
	require.NoError(t, err)
	require.Empty(t, bad, "every journal entry balances")
	a, err := accountOf(context.Background(), b.st.Queries, c)
	require.NoError(t, err)
	require.Equal(t, a.Charged-a.Paid+a.Refunded, a.Open, "open = fees − payments + refunds")
	return a
}

func TestPayFirstWithDevProvider(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	acc, err := b.st.CreateAccount(ctx, "tamara@pay.example", "tamara@pay.example", "", nil)
	require.NoError(t, err)
	c := b.submit(t, acc.ID, 3)
	require.Equal(t, cases.PaymentDue, c.Status, "paid first: the office does not see it yet")
	require.Zero(t, b.delivered)
	a := b.checkBooks(t, c.ID)
	require.EqualValues(t, 2000+2*1000, a.Charged)
	require.True(t, qrbill.ValidQRReference(a.Bill.Reference), a.Bill.Reference)

	p, err := b.svc.Checkout(ctx, CheckoutRequest{Account: acc.ID, Number: c.Number, Provider: devpay.Name, Language: "de", Description: "Wohnsitzbestätigung"})
	require.NoError(t, err)
	require.Contains(t, *p.RedirectURL, "/devpay/dps_")
	again, err := b.svc.Checkout(ctx, CheckoutRequest{Account: acc.ID, Number: c.Number, Provider: devpay.Name, Language: "de"})
	require.NoError(t, err)
	require.Equal(t, p.ID, again.ID, "a running checkout is reused")

	// Another person cannot pay, see or start anything on the case.
	other, err := b.st.CreateAccount(ctx, "other@pay.example", "other@pay.example", "", nil)
	require.NoError(t, err)
	_, err = b.svc.Checkout(ctx, CheckoutRequest{Account: other.ID, Number: c.Number, Provider: devpay.Name})
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
	_, err = b.svc.OfCase(ctx, other.ID, c.Number)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))

	b.choose(t, p, "paid")
	b.deliverWebhooks(t, p, "dev_evt_1")
	b.deliverWebhooks(t, p, "dev_evt_1") // delivered twice
	b.deliverWebhooks(t, p, "dev_evt_2") // the same outcome as another event
	a = b.checkBooks(t, c.ID)
	require.Zero(t, a.Open)
	require.EqualValues(t, 4000, a.Paid)
	got, err := b.cases.Get(ctx, acc.ID, c.Number)
	require.NoError(t, err)
	require.Equal(t, cases.Received, got.Status, "paid: handed to the office")
	require.Equal(t, 1, b.delivered, "delivered once")
	journal, err := b.st.JournalOfCase(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, journal, 2, "one charge, one payment: repetitions book nothing")

	// The receipt, once, in the person's documents.
	for range 2 {
		_, err = pgtest.Work(t, b.st, &ReceiptWorker{Service: b.svc}, ReceiptArgs{Payment: p.ID})
		require.NoError(t, err)
	}
	docs, err := b.st.AccountDocuments(ctx, acc.ID)
	require.NoError(t, err)
	require.Len(t, docs, 1)
	require.Equal(t, ReceiptKind, docs[0].Kind)
	require.Equal(t, p.ID, docs[0].ID)
	mine, err := b.svc.Mine(ctx, acc.ID)
	require.NoError(t, err)
	require.Len(t, mine, 1)
	require.Equal(t, payprovider.Paid, mine[0].Status)

	_, err = b.svc.Checkout(ctx, CheckoutRequest{Account: acc.ID, Number: c.Number, Provider: devpay.Name})
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "nothing open")
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	acc, err := b.st.CreateAccount(ctx, "hooks@pay.example", "hooks@pay.example", "", nil)
	require.NoError(t, err)
	c := b.submit(t, acc.ID, 1)
	p, err := b.svc.Checkout(ctx, CheckoutRequest{Account: acc.ID, Number: c.Number, Provider: devpay.Name})
	require.NoError(t, err)

	send := b.event
	now := time.Now()
	require.Equal(t, apperr.Unauthorized, apperr.CodeOf(send("whsec_wrong", "e0", "paid", now, *p.Session)), "a forged webhook")
	require.NoError(t, send("whsec_test", "e1", "paid", now, "dps_unknownsession0000000000"), "an unknown session is recorded and ignored")
	// Out of order: the failure is newer than nothing, the payment newer
	// still, and a late "expired" from before changes nothing.
	require.NoError(t, send("whsec_test", "e2", "failed", now.Add(-time.Minute), *p.Session))
	require.NoError(t, send("whsec_test", "e3", "paid", now, *p.Session))
	require.NoError(t, send("whsec_test", "e4", "expired", now.Add(-2*time.Minute), *p.Session))
	require.NoError(t, send("whsec_test", "e5", "cancelled", now.Add(time.Minute), *p.Session), "paid is final")
	got, err := b.st.Payment(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, payprovider.Paid, got.Status)
	a := b.checkBooks(t, c.ID)
	require.Zero(t, a.Open)
}

func TestLostWebhookBackstop(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	acc, err := b.st.CreateAccount(ctx, "lost@pay.example", "lost@pay.example", "", nil)
	require.NoError(t, err)
	c := b.submit(t, acc.ID, 2)
	p, err := b.svc.Checkout(ctx, CheckoutRequest{Account: acc.ID, Number: c.Number, Provider: devpay.Name})
	require.NoError(t, err)
	b.choose(t, p, "paid-lost")
	n, err := b.svc.Confirm(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "too young to ask about")
	b.svc.now = func() time.Time { return time.Now().Add(ConfirmAfter + time.Minute) }
	n, err = b.svc.Confirm(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	got, err := b.cases.Get(ctx, acc.ID, c.Number)
	require.NoError(t, err)
	require.Equal(t, cases.Received, got.Status, "the backstop confirmed the payment")
	b.checkBooks(t, c.ID)

	// A checkout nobody finished expires once its time is up.
	c2 := b.submit(t, acc.ID, 1)
	p2, err := b.svc.Checkout(ctx, CheckoutRequest{Account: acc.ID, Number: c2.Number, Provider: devpay.Name})
	require.NoError(t, err)
	b.svc.now = func() time.Time { return time.Now().Add(CheckoutTTL + 10*time.Minute) }
	_, err = b.svc.Confirm(ctx)
	require.NoError(t, err)
	got2, err := b.st.Payment(ctx, p2.ID)
	require.NoError(t, err)
	require.Equal(t, payprovider.Expired, got2.Status)
}

// TestRefundsKeepTheBooks: random partial refunds after a payment, then
// the rest with the fees cancelled (a rejected case), keep every entry
// balanced and the open amount equal to fees − payments + refunds, and
// never refund more than was paid.
func TestRefundsKeepTheBooks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	acc, err := b.st.CreateAccount(ctx, "refund@pay.example", "refund@pay.example", "", nil)
	require.NoError(t, err)
	staff, err := b.st.CreateAccount(ctx, "staff@pay.example", "staff@pay.example", "", nil, store.Role{Role: account.RoleStaff, Office: "einwohnerdienste"})
	require.NoError(t, err)
	police, err := b.st.CreateAccount(ctx, "police@pay.example", "police@pay.example", "", nil, store.Role{Role: account.RoleStaff, Office: "sicherheit"})
	require.NoError(t, err)
	c := b.submit(t, acc.ID, 5)
	p, err := b.svc.Checkout(ctx, CheckoutRequest{Account: acc.ID, Number: c.Number, Provider: devpay.Name})
	require.NoError(t, err)
	b.choose(t, p, "paid")
	b.deliverWebhooks(t, p, "dev_evt_r")

	_, err = b.svc.RefundCase(ctx, RefundRequest{Staff: police.ID, Email: "police@pay.example", Number: c.Number, Amount: 100, Reason: "x"})
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "another office gets nothing")

	rng := rand.New(rand.NewPCG(1, 2))
	left := int64(6000)
	for range 4 {
		amount := 1 + rng.Int64N(1000)
		rs, err := b.svc.RefundCase(ctx, RefundRequest{Staff: staff.ID, Email: "staff@pay.example", Number: c.Number, Amount: amount, Reason: "Teilrückerstattung"})
		require.NoError(t, err)
		for _, r := range rs {
			_, err := pgtest.Work(t, b.st, &RefundWorker{Service: b.svc}, RefundArgs{Refund: r.ID})
			require.NoError(t, err)
		}
		left -= amount
		a := b.checkBooks(t, c.ID)
		require.Equal(t, left, a.Refundable)
	}
	_, err = b.svc.RefundCase(ctx, RefundRequest{Staff: staff.ID, Email: "staff@pay.example", Number: c.Number, Amount: left + 1, Reason: "zu viel"})
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err), "never more than was paid")

	rs, err := b.svc.RefundCase(ctx, RefundRequest{Staff: staff.ID, Email: "staff@pay.example", Number: c.Number, Reason: "Gesuch abgelehnt", CancelFees: true})
	require.NoError(t, err)
	for _, r := range rs {
		_, err := pgtest.Work(t, b.st, &RefundWorker{Service: b.svc}, RefundArgs{Refund: r.ID})
		require.NoError(t, err)
	}
	a := b.checkBooks(t, c.ID)
	require.Zero(t, a.Open, "a rejected, refunded case owes nothing and is owed nothing")
	require.Zero(t, a.Refundable)
	require.Zero(t, a.Charged)
}

func TestJournalIsAppendOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	l := ledger.New(ledger.Chart{})
	_, booked, err := l.Post(ctx, b.st.Queries, ledger.Entry{Kind: ledger.Settlement, Memo: "Auszahlung", Source: "test:1",
		Postings: []ledger.Posting{ledger.Line(ledger.Bank("CH4431999123000889012"), 500, nil), ledger.Line(ledger.Clearing("dev"), -500, nil)}})
	require.NoError(t, err)
	require.True(t, booked)
	_, booked, err = l.Post(ctx, b.st.Queries, ledger.Entry{Kind: ledger.Settlement, Memo: "Auszahlung", Source: "test:1",
		Postings: []ledger.Posting{ledger.Line(ledger.Bank("CH4431999123000889012"), 500, nil), ledger.Line(ledger.Clearing("dev"), -500, nil)}})
	require.NoError(t, err)
	require.False(t, booked, "a source books once")
	_, _, err = l.Post(ctx, b.st.Queries, ledger.Entry{Kind: ledger.Settlement, Memo: "schief", Source: "test:2",
		Postings: []ledger.Posting{ledger.Line(ledger.Bank("CH4431999123000889012"), 500, nil), ledger.Line(ledger.Clearing("dev"), -499, nil)}})
	require.Error(t, err, "an unbalanced entry is refused before the database")
	for _, stmt := range []string{"UPDATE posting SET amount = amount + 1", "DELETE FROM journal_entry", "TRUNCATE posting CASCADE"} {
		_, err := b.st.Pool().Exec(ctx, stmt)
		require.ErrorContains(t, err, "append-only", stmt)
	}
	// The database itself refuses an unbalanced entry at commit.
	tx, err := b.st.Pool().Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO journal_entry (id, value_date, kind, memo, source) VALUES (999999, current_date, 'settlement', 'x', 'test:raw')`)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO posting (entry_id, account, amount) VALUES (999999, 'bank:ch4431999123000889012', 7)`)
	require.NoError(t, err)
	require.ErrorContains(t, tx.Commit(ctx), "does not balance")
}
