// Package reconcile books the bank's notifications of incoming payments
// (ISO 20022 camt.054, read by internal/camt): each credit is matched by
// its reference to the bill of a case and compared with what is open on
// the case, then booked as a payment; credits without a known reference
// are booked to the unallocated account, so that the bank account's
// balance in the ledger is complete, and wait on the finance office's
// work list together with partial, over- and duplicate payments, foreign
// currencies and reversals.
//
// A file is imported whole or not at all, in one transaction: a fault
// anywhere in it books nothing. A file imported again (the same bytes)
// books nothing and answers the first import; a credit reported again in
// another file (its bank reference was recorded before) is recorded as a
// duplicate and books nothing either. Files come by upload or from a
// watched folder (watch.go). docs/reconciliation.md describes the rules.
package reconcile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/camt"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/store"
)

// What became of a credit.
const (
	Matched         = "matched"          // the open amount of its bill, booked
	Partial         = "partial"          // less than the open amount, booked
	Over            = "over"             // more than open (or the case is closed), booked; the rest is to be refunded
	Duplicate       = "duplicate"        // reported before; nothing booked
	Unmatched       = "unmatched"        // no known reference; booked to the unallocated account
	ForeignCurrency = "foreign_currency" // not in CHF; nothing booked
	Reversal        = "reversal"         // the bank reversed an earlier debit; nothing booked
)

// FolderActor is who imported the files of the watched folder.
const FolderActor = "watched folder"

// byImport is who resolves the partial payments a later credit completed.
const byImport = "import"

type (
	// Import is an imported file; Credit one of its credits.
	Import = store.BankImport
	Credit = store.BankCredit
)

// Summary is what an import did.
type Summary struct {
	Import Import
	// Repeated is true when the same file was imported before: nothing
	// was booked, and Import is that earlier import.
	Repeated bool
}

// Staff is the finance office's staff member acting.
type Staff struct {
	ID    uuid.UUID
	Email string
}

// Config configures the reconciliation.
type Config struct {
	// Dir is the watched folder (SCHALTER_CAMT_DIR); empty: none.
	Dir string
	// Log receives the files of the folder that failed.
	Log *slog.Logger
}

// Service imports bank notifications and keeps the work list.
type Service struct {
	pay *payments.Service
	st  *store.Store
	cfg Config
}

// New returns the reconciliation, booking through the payments (their
// ledger, their store and the city's account).
func New(p *payments.Service, cfg Config) *Service {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{pay: p, st: p.Store(), cfg: cfg}
}

// Import books a camt.054 file for actor (a staff member's e-mail, or
// FolderActor). Errors of the file are camt's precise *apperr.Error
// (Invalid, with lines), or Invalid naming the account or credit that
// cannot be booked; nothing is booked then.
func (s *Service) Import(ctx context.Context, actor, filename string, body []byte) (Summary, error) {
	return s.importFile(ctx, nil, actor, filename, body)
}

// Upload is Import by a staff member, who must be of the finance office.
func (s *Service) Upload(ctx context.Context, staff Staff, filename string, body []byte) (Summary, error) {
	return s.importFile(ctx, &staff, staff.Email, filename, body)
}

func (s *Service) importFile(ctx context.Context, staff *Staff, actor, filename string, body []byte) (Summary, error) {
	var out Summary
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		if staff != nil {
			if err := s.pay.FinanceStaff(ctx, q, staff.ID); err != nil {
				return err
			}
		}
		// Parsed inside the transaction, after the check: someone who may
		// not import learns nothing about the file.
		n, err := camt.Parse(bytes.NewReader(body))
		if err != nil {
			return err
		}
		if err := s.checkFile(n); err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		imp, fresh, err := q.AddBankImport(ctx, Import{SHA256: sum[:], Filename: cleanName(filename), MessageID: n.MessageID,
			MessageCreated: n.Created, ImportedBy: actor})
		if err != nil {
			return err
		}
		if !fresh {
			out = Summary{Import: imp, Repeated: true}
			return nil
		}
		r := &run{s: s, q: q}
		out.Import, err = r.book(ctx, imp, n)
		return err
	})
	return out, err
}

// checkFile refuses a file that is not for the city's account, or has a
// credit of nothing (which no payment or ledger posting can carry) or a
// bank reference longer than the schema allows (which could not be
// recorded): camt.Parse accepts all three, and none is the finance
// office's to fix entry by entry.
func (s *Service) checkFile(n *camt.Notification) error {
	city := normalIBAN(s.pay.Config().Account)
	var fields []apperr.FieldError
	for i, a := range n.Accounts {
		if normalIBAN(a.IBAN) != city {
			fields = append(fields, apperr.FieldError{Path: fmt.Sprintf("Ntfctn[%d]/Acct/Id/IBAN", i+1), Value: a.IBAN,
				Message: "is not the city's account " + city + ": this file is for another account"})
		}
		for _, c := range a.Credits {
			if c.Amount == 0 {
				fields = append(fields, apperr.FieldError{Path: "Amt", Line: c.Line, Value: "0.00", Message: "a credit of nothing cannot be booked"})
			}
			if utf8.RuneCountInString(c.BankRef) > maxBankRef {
				fields = append(fields, apperr.FieldError{Path: "AcctSvcrRef", Line: c.Line, Value: c.BankRef, Message: "the bank's reference is longer than the schema's 35 characters"})
			}
		}
	}
	if len(fields) > 0 {
		return apperr.InvalidFields("the camt.054 file cannot be booked; nothing was imported", fields...)
	}
	return nil
}

// maxBankRef is the longest bank reference recorded: AcctSvcrRef's 35
// characters, "#" and the entry's position (db/migrations/00031).
const maxBankRef = 60

func normalIBAN(s string) string { return strings.ToUpper(strings.ReplaceAll(s, " ", "")) }

// cleanName keeps the base name of an uploaded file for display, without
// control characters, at most 255 characters.
func cleanName(name string) string {
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, filepath.Base(strings.ReplaceAll(name, `\`, "/"))))
	if r := []rune(name); len(r) > 255 {
		name = string(r[:255])
	}
	if name == "" || name == "." || name == "/" {
		return "camt054.xml"
	}
	return name
}

// run is one import's booking, in one transaction.
type run struct {
	s *Service
	q *store.Queries
	// What matching needs, read for the whole file at once (prepare):
	// the bank references earlier imports recorded, the bills the
	// references name, and the statuses and open amounts of their cases.
	recorded map[string]bool
	bills    map[string]store.Bill
	status   map[uuid.UUID]string
	open     map[uuid.UUID]int64
	// paidBefore are the bank's payments booked before, by bank
	// reference (by an office's assignment, say, never by an import).
	paidBefore map[string]payments.Payment
	counts     store.CreditCounts
	booked     int64
	// paidCases are the cases that got money, whose earlier partial
	// payments may be complete now.
	paidCases []uuid.UUID
	// What the credits book, collected as they are matched and booked
	// together (flush): payments for bills, entries to the unallocated
	// account; payRows and unallocatedRows are their credits' positions
	// in the import's rows.
	pay             []payments.BankCredit
	payRows         []int
	unallocatedAll  []ledger.Entry
	unallocatedRows []int
}

// book books every credit of n for import imp and records them.
func (r *run) book(ctx context.Context, imp Import, n *camt.Notification) (Import, error) {
	if err := r.prepare(ctx, n); err != nil {
		return Import{}, err
	}
	var rows []Credit
	var skipped store.SkippedEntries
	for _, a := range n.Accounts {
		skipped.Debits += a.Skipped.Debits
		skipped.ReversedCredits += a.Skipped.ReversedCredits
		skipped.NotBooked += a.Skipped.NotBooked
		for _, c := range a.Credits {
			rows = append(rows, r.credit(normalIBAN(a.IBAN), c, len(rows)))
		}
	}
	if err := r.flush(ctx, rows); err != nil {
		return Import{}, err
	}
	for _, row := range rows {
		r.tally(row.Status)
	}
	if err := r.q.AddBankCredits(ctx, imp.ID, rows); err != nil {
		return Import{}, err
	}
	if err := settle(ctx, r.q, r.paidCases); err != nil {
		return Import{}, err
	}
	return r.q.FinishBankImport(ctx, imp.ID, r.counts, skipped, r.booked)
}

// flush books what the credits' matching collected, all at once: a
// file's thousands of payments take as many statements as one.
func (r *run) flush(ctx context.Context, rows []Credit) error {
	if len(r.pay) > 0 {
		recorded, err := r.s.pay.RecordBankPayments(ctx, r.q, r.pay...)
		if err != nil {
			return err
		}
		for k, rec := range recorded {
			row := &rows[r.payRows[k]]
			row.Case, row.Payment = &rec.Payment.Case, &rec.Payment.ID
			if !rec.Fresh {
				// Booked by a concurrent import since prepare read the
				// bank's payments: this one books nothing.
				row.Status = Duplicate
				r.booked -= row.Amount
			}
		}
	}
	if len(r.unallocatedAll) > 0 {
		ids, err := r.s.pay.Ledger().PostMany(ctx, r.q, r.unallocatedAll)
		if err != nil {
			return err
		}
		for k, id := range ids {
			if id == 0 {
				row := &rows[r.unallocatedRows[k]]
				row.Status = Duplicate
				r.booked -= row.Amount
			}
		}
	}
	return nil
}

// prepare reads in five statements what matching needs for the whole
// file, where reading it per credit took three round trips more for each
// (a sixth of a large file's time, BenchmarkImport10000). The cases to be paid are locked first,
// so that nothing else books to them (a card payment's webhook waits)
// until the import commits: their open amounts, read once, stay exact as
// the import subtracts each payment it books (match).
func (r *run) prepare(ctx context.Context, n *camt.Notification) error {
	var bankRefs, refs []string
	for _, a := range n.Accounts {
		for _, c := range a.Credits {
			bankRefs = append(bankRefs, c.BankRef)
		}
	}
	var err error
	if r.recorded, err = r.q.RecordedBankRefs(ctx, bankRefs); err != nil {
		return err
	}
	if r.paidBefore, err = r.q.LockPaymentsBySessions(ctx, payments.Bank, bankRefs); err != nil {
		return err
	}
	for _, a := range n.Accounts {
		for _, c := range a.Credits {
			if bookable(c) && !r.recorded[c.BankRef] && c.Reference != "" {
				refs = append(refs, c.Reference)
			}
		}
	}
	if r.bills, err = r.q.BillsByReferences(ctx, refs); err != nil {
		return err
	}
	ids := make([]uuid.UUID, 0, len(r.bills))
	for _, b := range r.bills {
		ids = append(ids, b.Case)
	}
	if r.status, err = r.q.LockCasesForBooking(ctx, ids); err != nil {
		return err
	}
	r.open, err = r.q.CasesOpenAmounts(ctx, ids)
	return err
}

// bookable says whether a credit is booked at all: in CHF, the ledger's
// currency, and not a reversal.
func bookable(c camt.Credit) bool { return c.Currency == "CHF" && !c.Reversal }

// settle resolves the open partial payments of those cases that are paid
// in full now: the office has nothing left to do about them.
func settle(ctx context.Context, q *store.Queries, paid []uuid.UUID) error {
	if len(paid) == 0 {
		return nil
	}
	return q.SettlePartialCredits(ctx, paid, byImport, "paid in full by a later payment")
}

func (r *run) tally(status string) {
	c := &r.counts
	switch status {
	case Matched:
		c.Matched++
	case Partial:
		c.Partial++
	case Over:
		c.Over++
	case Duplicate:
		c.Duplicate++
	case Unmatched:
		c.Unmatched++
	case ForeignCurrency:
		c.ForeignCurrency++
	case Reversal:
		c.Reversal++
	}
}

// credit decides what becomes of one credit, the import's row-th, and
// collects what it books.
func (r *run) credit(iban string, c camt.Credit, row int) Credit {
	cr := Credit{BankRef: c.BankRef, IBAN: iban, Amount: c.Amount, Currency: c.Currency, BookingDate: r.s.pay.Ledger().Day(c.BookingDate),
		Reference: c.Reference, ReferenceType: c.ReferenceType, Unstructured: c.Unstructured, DebtorName: c.DebtorName,
		DebtorIBAN: c.DebtorIBAN, Line: c.Line}
	switch {
	case r.recorded[c.BankRef]:
		cr.Status = Duplicate
	case c.Currency != "CHF":
		// The ledger is in CHF, and what the money is worth in CHF is
		// the bank's conversion, not in the file: the office decides.
		cr.Status = ForeignCurrency
	case c.Reversal:
		// An outgoing payment came back: which one, and what to book
		// against it, only the office knows.
		cr.Status = Reversal
	default:
		r.match(&cr, row)
	}
	return cr
}

// match decides about a CHF credit for the bill its reference names, or
// for the unallocated account when there is none.
func (r *run) match(cr *Credit, row int) {
	bill, ok := r.bills[cr.Reference]
	if !ok {
		r.unallocated(cr, row)
		return
	}
	if p, ok := r.paidBefore[cr.BankRef]; ok {
		// Booked as a payment before, by something other than an import.
		cr.Status, cr.Case, cr.Payment = Duplicate, &p.Case, &p.ID
		return
	}
	// Compared with what is open before this credit is booked.
	open, status := r.open[bill.Case], r.status[bill.Case]
	switch {
	case status == cases.Rejected || status == cases.Withdrawn || cr.Amount > open:
		// A closed case owes nothing whatever its receivable says: all
		// of it goes back, from the work list.
		cr.Status = Over
	case cr.Amount < open:
		cr.Status = Partial
	default:
		cr.Status = Matched
	}
	r.pay = append(r.pay, payments.BankCredit{Bill: bill, BankRef: cr.BankRef, Amount: cr.Amount, BookedOn: cr.BookingDate, IBAN: cr.IBAN})
	r.payRows = append(r.payRows, row)
	r.open[bill.Case] -= cr.Amount
	r.booked += cr.Amount
	r.paidCases = append(r.paidCases, bill.Case)
}

// unallocated books a credit without a case against the unallocated
// account, so the bank account's balance is complete; the office assigns
// it later (Assign).
func (r *run) unallocated(cr *Credit, row int) {
	cr.Status = Unmatched
	r.unallocatedAll = append(r.unallocatedAll, ledger.Entry{Kind: ledger.Unallocated, ValueDate: cr.BookingDate,
		Memo: "Zahlungseingang ohne Zuordnung " + cr.BankRef, Source: unallocatedSource(cr.BankRef),
		Postings: []ledger.Posting{ledger.Line(ledger.Bank(cr.IBAN), cr.Amount, nil), ledger.Line(ledger.UnallocatedFor(cr.IBAN), -cr.Amount, nil)}})
	r.unallocatedRows = append(r.unallocatedRows, row)
	r.booked += cr.Amount
}

// unallocatedSource is the ledger source of an unallocated credit: the
// bank's reference, so that it is booked once.
func unallocatedSource(bankRef string) string { return "camt:" + bankRef }
