package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Bill is what a case costs and how it is collected.
type Bill struct {
	Case       uuid.UUID
	Office     string
	Collect    string
	Reference  string
	Currency   string
	DueOn      *time.Time
	CreatedAt  time.Time
	CaseNumber string // with BillByReference
	CaseStatus string
	Account    *uuid.UUID
}

// Fee is a line of a bill.
type Fee struct {
	ID          int64
	Case        uuid.UUID
	Type        string
	Label       map[string]string
	Quantity    int
	Unit        int64
	Amount      int64
	VAT         string
	VATAmount   int64
	ChargeEntry int64
	CancelEntry *int64
	CreatedAt   time.Time
	CreatedBy   string
}

// Payment is money for a case, through a provider or the bank.
type Payment struct {
	ID          uuid.UUID
	Reference   string
	Case        uuid.UUID
	Account     *uuid.UUID
	Method      string
	Session     *string
	Status      string
	Amount      int64
	Refunded    int64
	Charge      *string
	PaidWith    string
	RedirectURL *string
	ExpiresAt   *time.Time
	StateAt     *time.Time
	CreatedAt   time.Time
	PaidAt      *time.Time
	CaseNumber  string // in the account's list
	Service     string
}

// Refund is money given back for a payment.
type Refund struct {
	ID          uuid.UUID
	Payment     uuid.UUID
	Amount      int64
	Status      string
	ProviderRef *string
	Reason      string
	RequestedBy string
	Entry       *int64
	CreatedAt   time.Time
}

func billFrom(r dbq.CaseBill) Bill {
	return Bill{Case: r.CaseID, Office: r.OfficeSlug, Collect: r.Collect, Reference: r.Reference, Currency: r.Currency, DueOn: r.DueOn, CreatedAt: r.CreatedAt}
}

func feeFrom(r dbq.CaseFee) Fee {
	var label map[string]string
	_ = json.Unmarshal(r.Label, &label)
	return Fee{ID: r.ID, Case: r.CaseID, Type: r.FeeType, Label: label, Quantity: int(r.Quantity), Unit: r.UnitAmount, Amount: r.Amount, VAT: r.Vat,
		VATAmount: r.VatAmount, ChargeEntry: r.ChargeEntry, CancelEntry: r.CancelEntry, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy}
}

func paymentFrom(r dbq.Payment) Payment {
	return Payment{ID: r.ID, Reference: r.Reference, Case: r.CaseID, Account: r.AccountID, Method: r.Method, Session: r.Session, Status: r.Status,
		Amount: r.Amount, Refunded: r.Refunded, Charge: r.Charge, PaidWith: r.PaidWith, RedirectURL: r.RedirectUrl, ExpiresAt: r.ExpiresAt,
		StateAt: r.StateAt, CreatedAt: r.CreatedAt, PaidAt: r.PaidAt}
}

func refundFrom(r dbq.Refund) Refund {
	return Refund{ID: r.ID, Payment: r.PaymentID, Amount: r.Amount, Status: r.Status, ProviderRef: r.ProviderRef, Reason: r.Reason,
		RequestedBy: r.RequestedBy, Entry: r.EntryID, CreatedAt: r.CreatedAt}
}

var (
	errNoBill    = onErr{notFound: "this case has nothing to pay"}
	errNoPayment = onErr{notFound: "no such payment"}
)

// NextPaymentReference is the next number of the references' sequence.
func (q *Queries) NextPaymentReference(ctx context.Context) (int64, error) {
	n, err := q.gen.PaymentReferenceNext(ctx, q.db)
	return n, mapErr(err, onErr{})
}

// NextPaymentReferences returns the next n numbers of the references'
// sequence.
func (q *Queries) NextPaymentReferences(ctx context.Context, n int) ([]int64, error) {
	ns, err := q.gen.PaymentReferencesNext(ctx, q.db, int32(n))
	return ns, mapErr(err, onErr{})
}

// AddBill stores a case's bill.
func (q *Queries) AddBill(ctx context.Context, b Bill) (Bill, error) {
	r, err := q.gen.BillInsert(ctx, q.db, dbq.BillInsertParams{CaseID: b.Case, OfficeSlug: b.Office, Collect: b.Collect, Reference: b.Reference, DueOn: b.DueOn})
	return billFrom(r), mapErr(err, onErr{conflict: "the case has a bill already", missingRef: "no such case"})
}

// CaseBill returns a case's bill.
func (q *Queries) CaseBill(ctx context.Context, c uuid.UUID) (Bill, error) {
	r, err := q.gen.BillOfCase(ctx, q.db, c)
	return billFrom(r), mapErr(err, errNoBill)
}

// BillByReference finds the bill a payment reference belongs to.
func (q *Queries) BillByReference(ctx context.Context, ref string) (Bill, error) {
	r, err := q.gen.BillByReference(ctx, q.db, ref)
	return billOfCase(r.CaseBill, r.CaseNumber, r.CaseStatus, r.AccountID), mapErr(err, onErr{notFound: "no bill has this reference"})
}

// billOfCase is a bill with what a payment to it needs of its case.
func billOfCase(r dbq.CaseBill, number, status string, account *uuid.UUID) Bill {
	b := billFrom(r)
	b.CaseNumber, b.CaseStatus, b.Account = number, status, account
	return b
}

// AddFee stores a fee line booked by entry ChargeEntry.
func (q *Queries) AddFee(ctx context.Context, f Fee) (Fee, error) {
	label, _ := json.Marshal(f.Label)
	r, err := q.gen.FeeInsert(ctx, q.db, dbq.FeeInsertParams{CaseID: f.Case, FeeType: f.Type, Label: label, Quantity: int32(f.Quantity), UnitAmount: f.Unit,
		Amount: f.Amount, Vat: f.VAT, VatAmount: f.VATAmount, ChargeEntry: f.ChargeEntry, CreatedBy: f.CreatedBy})
	return feeFrom(r), mapErr(err, onErr{missingRef: "no such bill or entry"})
}

// CaseFees lists a case's fee lines, cancelled ones too.
func (q *Queries) CaseFees(ctx context.Context, c uuid.UUID) ([]Fee, error) {
	rows, err := q.gen.FeesOfCase(ctx, q.db, c)
	return convert(rows, feeFrom), mapErr(err, onErr{})
}

// CancelFee marks a fee line as taken back by entry.
func (q *Queries) CancelFee(ctx context.Context, id, entry int64) error {
	return mapErr(q.gen.FeeCancel(ctx, q.db, dbq.FeeCancelParams{ID: id, CancelEntry: &entry}), onErr{})
}

// AddPayment stores a payment.
func (q *Queries) AddPayment(ctx context.Context, p Payment) (Payment, error) {
	r, err := q.gen.PaymentInsert(ctx, q.db, dbq.PaymentInsertParams{ID: p.ID, Reference: p.Reference, CaseID: p.Case, AccountID: p.Account, Method: p.Method,
		Session: p.Session, Status: p.Status, Amount: p.Amount, RedirectUrl: p.RedirectURL, ExpiresAt: p.ExpiresAt, PaidAt: p.PaidAt, PaidWith: p.PaidWith,
		Charge: p.Charge, StateAt: p.StateAt})
	return paymentFrom(r), mapErr(err, onErr{conflict: "this payment exists already", missingRef: "no such bill"})
}

// StartedPayment records the provider's session of a payment.
func (q *Queries) StartedPayment(ctx context.Context, id uuid.UUID, session, redirect string, expires time.Time) error {
	return mapErr(q.gen.PaymentStarted(ctx, q.db, dbq.PaymentStartedParams{ID: id, Session: &session, RedirectUrl: &redirect, ExpiresAt: &expires}), onErr{})
}

// AddBankPayments stores paid payments the bank reported (their Session
// the bank's reference, PaidAt its booking), in one statement; they come
// back in the order given.
func (q *Queries) AddBankPayments(ctx context.Context, ps []Payment) ([]Payment, error) {
	var p dbq.BankPaymentsInsertParams
	for _, x := range ps {
		p.Ids, p.Refs, p.CaseIds, p.AccountIds = append(p.Ids, x.ID), append(p.Refs, x.Reference), append(p.CaseIds, x.Case), append(p.AccountIds, deref(x.Account))
		p.Sessions, p.Amounts, p.PaidAts = append(p.Sessions, deref(x.Session)), append(p.Amounts, x.Amount), append(p.PaidAts, deref(x.PaidAt))
	}
	rows, err := q.gen.BankPaymentsInsert(ctx, q.db, p)
	if err != nil {
		return nil, mapErr(err, onErr{conflict: "this payment exists already", missingRef: "no such bill"})
	}
	byID := make(map[uuid.UUID]Payment, len(rows))
	for _, r := range rows {
		byID[r.ID] = paymentFrom(r)
	}
	out := make([]Payment, len(ps))
	for i, x := range ps {
		out[i] = byID[x.ID]
	}
	return out, nil
}

// LockPaymentsBySessions locks the payments of method's sessions, by
// session.
func (q *Queries) LockPaymentsBySessions(ctx context.Context, method string, sessions []string) (map[string]Payment, error) {
	rows, err := q.gen.PaymentsLockBySessions(ctx, q.db, dbq.PaymentsLockBySessionsParams{Method: method, Sessions: sessions})
	out := make(map[string]Payment, len(rows))
	for _, r := range rows {
		out[*r.Session] = paymentFrom(r)
	}
	return out, mapErr(err, onErr{})
}

// LockPayment locks a payment.
func (q *Queries) LockPayment(ctx context.Context, id uuid.UUID) (Payment, error) {
	r, err := q.gen.PaymentLock(ctx, q.db, id)
	return paymentFrom(r), mapErr(err, errNoPayment)
}

// Payment returns a payment.
func (q *Queries) Payment(ctx context.Context, id uuid.UUID) (Payment, error) {
	r, err := q.gen.PaymentGet(ctx, q.db, id)
	return paymentFrom(r), mapErr(err, errNoPayment)
}

// OpenCheckout is the case's running checkout with method, if any.
func (q *Queries) OpenCheckout(ctx context.Context, c uuid.UUID, method string) (Payment, bool, error) {
	r, err := q.gen.PaymentOpenOfCase(ctx, q.db, dbq.PaymentOpenOfCaseParams{CaseID: c, Method: method})
	if noRows(err) {
		return Payment{}, false, nil
	}
	return paymentFrom(r), err == nil, mapErr(err, onErr{})
}

// CasePayments lists a case's payments, oldest first.
func (q *Queries) CasePayments(ctx context.Context, c uuid.UUID) ([]Payment, error) {
	rows, err := q.gen.PaymentsOfCase(ctx, q.db, c)
	return convert(rows, paymentFrom), mapErr(err, onErr{})
}

// AccountPayments lists an account's finished payments, newest first.
func (q *Queries) AccountPayments(ctx context.Context, account uuid.UUID, limit int) ([]Payment, error) {
	rows, err := q.gen.PaymentsOfAccount(ctx, q.db, dbq.PaymentsOfAccountParams{AccountID: &account, Max: int32(limit)})
	return convert(rows, func(r dbq.PaymentsOfAccountRow) Payment {
		p := paymentFrom(r.Payment)
		p.CaseNumber, p.Service = r.CaseNumber, r.ServiceSlug
		return p
	}), mapErr(err, onErr{})
}

// PaymentsToConfirm lists checkouts with methods that are still pending
// and were created before a time.
func (q *Queries) PaymentsToConfirm(ctx context.Context, methods []string, before time.Time, limit int) ([]Payment, error) {
	rows, err := q.gen.PaymentsToConfirm(ctx, q.db, dbq.PaymentsToConfirmParams{Methods: methods, Before: before, Max: int32(limit)})
	return convert(rows, paymentFrom), mapErr(err, onErr{})
}

// AddRefunded moves a payment's refunded amount by delta; the database
// refuses more than the payment.
func (q *Queries) AddRefunded(ctx context.Context, id uuid.UUID, delta int64) error {
	return mapErr(q.gen.PaymentRefunded(ctx, q.db, dbq.PaymentRefundedParams{ID: id, Delta: delta}), onErr{})
}

// WebhooksSeen records events of a provider (ids with their types) once
// each and returns those that are new.
func (q *Queries) WebhooksSeen(ctx context.Context, provider string, ids, types []string) (map[string]bool, error) {
	rows, err := q.gen.WebhooksSeen(ctx, q.db, dbq.WebhooksSeenParams{Provider: provider, EventIds: ids, Types: types})
	fresh := make(map[string]bool, len(rows))
	for _, id := range rows {
		fresh[id] = true
	}
	return fresh, mapErr(err, onErr{})
}

// SetPaymentStates records the states of payments (distinct) as their
// providers told them, in one statement.
func (q *Queries) SetPaymentStates(ctx context.Context, ps []Payment) error {
	var a dbq.PaymentsSetStateParams
	for _, p := range ps {
		a.Ids, a.Statuses, a.Amounts, a.Charges = append(a.Ids, p.ID), append(a.Statuses, p.Status), append(a.Amounts, p.Amount), append(a.Charges, deref(p.Charge))
		a.PaidWiths, a.PaidAts, a.StateAts = append(a.PaidWiths, p.PaidWith), append(a.PaidAts, deref(p.PaidAt)), append(a.StateAts, deref(p.StateAt))
	}
	return mapErr(q.gen.PaymentsSetState(ctx, q.db, a), onErr{})
}

// AddRefund stores a pending refund.
func (q *Queries) AddRefund(ctx context.Context, r Refund) (Refund, error) {
	row, err := q.gen.RefundInsert(ctx, q.db, dbq.RefundInsertParams{ID: r.ID, PaymentID: r.Payment, Amount: r.Amount, Reason: r.Reason, RequestedBy: r.RequestedBy})
	return refundFrom(row), mapErr(err, onErr{missingRef: "no such payment"})
}

// LockRefund locks a refund.
func (q *Queries) LockRefund(ctx context.Context, id uuid.UUID) (Refund, error) {
	r, err := q.gen.RefundLock(ctx, q.db, id)
	return refundFrom(r), mapErr(err, onErr{notFound: "no such refund"})
}

// SetRefundState records a refund's outcome.
func (q *Queries) SetRefundState(ctx context.Context, r Refund) error {
	return mapErr(q.gen.RefundSetState(ctx, q.db, dbq.RefundSetStateParams{ID: r.ID, Status: r.Status, ProviderRef: r.ProviderRef, EntryID: r.Entry}), onErr{})
}

// CaseRefunds lists a case's refunds, oldest first.
func (q *Queries) CaseRefunds(ctx context.Context, c uuid.UUID) ([]Refund, error) {
	rows, err := q.gen.RefundsOfCase(ctx, q.db, c)
	return convert(rows, refundFrom), mapErr(err, onErr{})
}

// DevSession is the development provider's checkout, as a provider
// keeps it on its side.
type DevSession struct {
	ID          string
	Payment     string
	Reference   string
	Amount      int64
	Description string
	Language    string
	SuccessURL  string
	CancelURL   string
	State       string
	Charge      *string
	Refunded    int64
	CreatedAt   time.Time
	ExpiresAt   time.Time
	DecidedAt   *time.Time
}

func devSessionFrom(r dbq.DevpaySession) DevSession {
	return DevSession{ID: r.ID, Payment: r.Payment, Reference: r.Reference, Amount: r.Amount, Description: r.Description, Language: r.Language,
		SuccessURL: r.SuccessUrl, CancelURL: r.CancelUrl, State: r.State, Charge: r.Charge, Refunded: r.Refunded, CreatedAt: r.CreatedAt,
		ExpiresAt: r.ExpiresAt, DecidedAt: r.DecidedAt}
}

var errNoDevSession = onErr{notFound: "no such checkout"}

// AddDevSession stores a development checkout.
func (q *Queries) AddDevSession(ctx context.Context, d DevSession) error {
	return mapErr(q.gen.DevSessionInsert(ctx, q.db, dbq.DevSessionInsertParams{ID: d.ID, Payment: d.Payment, Reference: d.Reference, Amount: d.Amount,
		Description: d.Description, Language: d.Language, SuccessUrl: d.SuccessURL, CancelUrl: d.CancelURL, ExpiresAt: d.ExpiresAt}), onErr{conflict: "this checkout exists"})
}

// DevSession returns a development checkout.
func (q *Queries) DevSession(ctx context.Context, id string) (DevSession, error) {
	r, err := q.gen.DevSessionGet(ctx, q.db, id)
	return devSessionFrom(r), mapErr(err, errNoDevSession)
}

// DecideDevSession records the choice made on a pending, unexpired
// development checkout; NotFound when it was decided or ran out before.
func (q *Queries) DecideDevSession(ctx context.Context, id, state string, charge *string) (DevSession, error) {
	r, err := q.gen.DevSessionDecide(ctx, q.db, dbq.DevSessionDecideParams{ID: id, State: state, Charge: charge})
	return devSessionFrom(r), mapErr(err, onErr{notFound: "this checkout was decided already or has expired"})
}

// RefundDevSession gives back part of a paid development checkout;
// NotFound when it is not paid or the amount exceeds what is left.
func (q *Queries) RefundDevSession(ctx context.Context, charge string, amount int64) (DevSession, error) {
	r, err := q.gen.DevSessionRefund(ctx, q.db, dbq.DevSessionRefundParams{Charge: &charge, Amount: amount})
	return devSessionFrom(r), mapErr(err, onErr{notFound: "nothing left to refund on this charge"})
}
