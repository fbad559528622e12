// Package payments takes the money for cases: a bill with a unique
// reference and its fee lines when a case is submitted (booked as a
// charge in the ledger), card and app payments through a provider's
// hosted checkout, payments by QR-bill that the bank reports, receipts,
// and refunds.
//
// What Schalter believes about a payment comes from the provider, never
// from the browser: a webhook whose signature the provider checked, or
// the provider's answer when Schalter asks (the backstop for webhooks
// that never came). Webhooks are processed once per event id and in any
// order: a later state never gives way to an earlier one, and "paid" is
// final. Every money fact is a balanced ledger entry with a unique
// source, so that a repetition books nothing. A case the service wants
// paid first waits in payment_due and reaches its office when paid.
package payments

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/fees"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payprovider"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/store"
)

type (
	// Bill is what a case costs; Fee a line of it.
	Bill = store.Bill
	Fee  = store.Fee
	// Payment is money for a case; Refund money given back.
	Payment = store.Payment
	Refund  = store.Refund
)

// Bank is the method of payments the bank reports (QR-bill).
const Bank = "bank"

// Config is the city as creditor.
type Config struct {
	// Account is the IBAN QR-bills name: a QR-IBAN takes QR references,
	// an ordinary IBAN RF creditor references.
	Account  string
	Creditor qrbill.Address
	// PublicURL is the PWA's origin, where providers send the browser
	// back.
	PublicURL string
	// City heads receipts ("Stadt Uster").
	City string
	// FinanceOffice is the office whose staff keep the books: bank
	// imports, the work list of unmatched credits, reports and the
	// journal export (the Stadtkasse; "stadtkasse" when empty).
	FinanceOffice string
}

// Service runs the payments use cases.
type Service struct {
	st        *store.Store
	cfg       Config
	ledger    *ledger.Service
	cases     *cases.Service
	docs      *documents.Service
	providers map[string]payprovider.Provider
	webhooks  webhookBatcher
	// now is the clock (tests move it).
	now func() time.Time
}

// New returns the payments service with the providers people may pay
// with (by their Name).
func New(st *store.Store, cfg Config, l *ledger.Service, c *cases.Service, d *documents.Service, providers ...payprovider.Provider) (*Service, error) {
	if !qrbill.ValidIBAN(cfg.Account) {
		return nil, fmt.Errorf("payments: %q is not a Swiss or Liechtenstein IBAN (SCHALTER_PAYMENT_IBAN)", cfg.Account)
	}
	s := &Service{st: st, cfg: cfg, ledger: l, cases: c, docs: d, providers: map[string]payprovider.Provider{}, now: time.Now}
	for _, p := range providers {
		s.providers[p.Name()] = p
	}
	s.webhooks.s = s
	return s, nil
}

// Providers names the configured providers, sorted.
func (s *Service) Providers() []string {
	out := make([]string, 0, len(s.providers))
	for name := range s.providers {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Reference kinds: the first digit of a reference says what it refers to.
const (
	billRef    = "1"
	paymentRef = "2"
)

// reference is a new unique payment reference: a QR reference where the
// city's account is a QR-IBAN, an RF creditor reference otherwise; both
// carry the kind and the next number of one sequence.
func (s *Service) reference(ctx context.Context, q *store.Queries, kind string) (string, error) {
	n, err := q.NextPaymentReference(ctx)
	if err != nil {
		return "", err
	}
	return s.referenceOf(kind, n)
}

// references are n new references of kind, in one statement.
func (s *Service) references(ctx context.Context, q *store.Queries, kind string, n int) ([]string, error) {
	numbers, err := q.NextPaymentReferences(ctx, n)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(numbers))
	for i, number := range numbers {
		if out[i], err = s.referenceOf(kind, number); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) referenceOf(kind string, n int64) (string, error) {
	if qrbill.IsQRIBAN(s.cfg.Account) {
		return qrbill.QRReference(fmt.Sprintf("%s%025d", kind, n))
	}
	return qrbill.CreditorReference(fmt.Sprintf("%s%011d", kind, n))
}

// Bill is cases.Service.OnCreated: the new case's bill with its lines,
// and their charge in the ledger, in the submission's transaction.
func (s *Service) Bill(ctx context.Context, q *store.Queries, c store.Case, spec *fees.Spec, lines []fees.Line) error {
	ref, err := s.reference(ctx, q, billRef)
	if err != nil {
		return err
	}
	b := store.Bill{Case: c.ID, Office: c.Office, Collect: spec.Collect, Reference: ref}
	if spec.Collect == fees.Invoice {
		due := s.ledger.Day(s.now()).AddDate(0, 0, spec.Term())
		b.DueOn = &due
	}
	if _, err := q.AddBill(ctx, b); err != nil {
		return err
	}
	source := "charge:" + c.ID.String() + ":submission"
	// The case has no number yet (cases.Service.OnCreated): the memo
	// says when, the journal's case column which case.
	if _, err := s.charge(ctx, q, c, lines, source, submittedBy); err != nil {
		return err
	}
	if spec.Collect == fees.Invoice && fees.Total(lines) > 0 {
		return s.enqueueInvoice(ctx, q, c.ID, source)
	}
	return nil
}

// charge books lines as due on case c: the receivable against each fee
// type's revenue (and VAT where it applies), and stores the lines;
// booked is false when the source was booked before (nothing is written).
func (s *Service) charge(ctx context.Context, q *store.Queries, c store.Case, lines []fees.Line, source, by string) (booked bool, err error) {
	if len(lines) == 0 {
		return false, nil
	}
	entry, booked, err := s.ledger.Post(ctx, q, ledger.Entry{Kind: ledger.Charge, Case: &c.ID, Memo: chargeMemo(c), Source: source,
		Postings: chargePostings(c, lines, 1)})
	if err != nil || !booked {
		return false, err
	}
	for _, l := range lines {
		if _, err := q.AddFee(ctx, store.Fee{Case: c.ID, Type: l.Type, Label: l.Label, Quantity: l.Quantity, Unit: l.Unit, Amount: l.Amount,
			VAT: l.VAT, VATAmount: l.VATAmount, ChargeEntry: entry, CreatedBy: by}); err != nil {
			return false, err
		}
	}
	return true, nil
}

// chargeMemo is a charge's journal memo: with the case's number, or
// "bei Einreichung" for the charge booked before the case is numbered.
func chargeMemo(c store.Case) string {
	if c.Number == "" {
		return "Gebühren bei Einreichung"
	}
	return "Gebühren " + c.Number
}

// chargePostings are the postings of charging lines on case c (sign 1)
// or of taking them back (sign -1): the receivable against each fee
// type's revenue net of VAT, and the VAT.
func chargePostings(c store.Case, lines []fees.Line, sign int64) []ledger.Posting {
	postings := []ledger.Posting{ledger.Line(ledger.Receivable(c.Office), sign*fees.Total(lines), &c.ID)}
	for _, l := range lines {
		postings = append(postings, ledger.Line(ledger.Revenue(c.Office, l.Type), -sign*(l.Amount-l.VATAmount), nil))
		if l.VATAmount > 0 {
			postings = append(postings, ledger.Line(ledger.VAT(l.VAT), -sign*l.VATAmount, nil))
		}
	}
	return postings
}

// Account is what a case's bill says to the person or the office.
type Account struct {
	Bill     Bill
	Fees     []Fee
	Payments []Payment
	Refunds  []Refund
	// Charged is the sum of the fees not cancelled; Open what is still
	// owed (negative: paid too much); Refundable what can still be given
	// back.
	Charged    int64
	Paid       int64
	Refunded   int64
	Open       int64
	Refundable int64
}

// accountOf reads a case's bill and what happened to it.
func accountOf(ctx context.Context, q *store.Queries, c uuid.UUID) (*Account, error) {
	b, err := q.CaseBill(ctx, c)
	if err != nil {
		return nil, err
	}
	a := &Account{Bill: b}
	if a.Fees, err = q.CaseFees(ctx, c); err != nil {
		return nil, err
	}
	if a.Payments, err = q.CasePayments(ctx, c); err != nil {
		return nil, err
	}
	if a.Refunds, err = q.CaseRefunds(ctx, c); err != nil {
		return nil, err
	}
	if a.Open, err = q.CaseOpenAmount(ctx, c); err != nil {
		return nil, err
	}
	for _, f := range a.Fees {
		if f.CancelEntry == nil {
			a.Charged += f.Amount
		}
	}
	for _, p := range a.Payments {
		if p.Status == payprovider.Paid {
			a.Paid += p.Amount
			a.Refundable += p.Amount - p.Refunded
		}
	}
	for _, r := range a.Refunds {
		if r.Status == "succeeded" {
			a.Refunded += r.Amount
		}
	}
	return a, nil
}

// OfCase is the bill of the account's case (NotFound for anyone else's,
// and for a case without a bill).
func (s *Service) OfCase(ctx context.Context, account uuid.UUID, number string) (*Account, error) {
	c, err := cases.AccountCase(ctx, s.st.Queries, account, number)
	if err != nil {
		return nil, err
	}
	return accountOf(ctx, s.st.Queries, c.ID)
}

// OfficeAccount is the bill of a case of the staff member's offices.
func (s *Service) OfficeAccount(ctx context.Context, staff uuid.UUID, number string) (*Account, error) {
	var out *Account
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		c, err := cases.StaffCase(ctx, q, staff, number)
		if err != nil {
			return err
		}
		out, err = accountOf(ctx, q, c.ID)
		return err
	})
	return out, err
}

// Mine lists the account's payments, newest first (checkouts that never
// finished are left out).
func (s *Service) Mine(ctx context.Context, account uuid.UUID) ([]Payment, error) {
	return s.st.AccountPayments(ctx, account, 500)
}

// FinanceStaff checks, in q's transaction, that staff works in the
// finance office: only they see the city's books. Anyone else is
// Forbidden (the books are no secret of one case, but they are personal
// data of everyone who paid).
func (s *Service) FinanceStaff(ctx context.Context, q *store.Queries, staff uuid.UUID) error {
	offices, err := q.StaffOffices(ctx, staff)
	if err != nil {
		return err
	}
	office := s.cfg.FinanceOffice
	if office == "" {
		office = "stadtkasse"
	}
	if !slices.Contains(offices, office) {
		return apperr.New(apperr.Forbidden, "only the finance office (%s) keeps the books", office)
	}
	return nil
}

// Ledger is the ledger the payments book to.
func (s *Service) Ledger() *ledger.Service { return s.ledger }

// Store is the payments' database, for the packages that book with them
// (reconciliation) in one transaction.
func (s *Service) Store() *store.Store { return s.st }

// Config is the city as creditor.
func (s *Service) Config() Config { return s.cfg }

// Chf formats Rappen as the receipts and timelines print them
// ("CHF 17.00"), without floats.
func Chf(rappen int64) string {
	sign := ""
	if rappen < 0 {
		sign, rappen = "-", -rappen
	}
	return fmt.Sprintf("CHF %s%d.%02d", sign, rappen/100, rappen%100)
}

// notPayable refuses payments for a case in these statuses.
var notPayable = []string{cases.Rejected, cases.Withdrawn}

// providerOf returns the provider named, or a field error.
func (s *Service) providerOf(name string) (payprovider.Provider, error) {
	p, ok := s.providers[name]
	if !ok {
		return nil, apperr.InvalidFields("unknown payment provider", apperr.FieldError{Path: "body.provider", Message: fmt.Sprintf("must be one of %v", s.Providers())})
	}
	return p, nil
}
