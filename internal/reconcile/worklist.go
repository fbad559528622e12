package reconcile

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/store"
)

// The work list and the imports are the finance office's: every method
// here checks, in its own transaction, that the staff member works there
// (payments.FinanceStaff); anyone else is Forbidden.

// Limits of the lists: the work list is worked down, so a thousand open
// items mean something is wrong upstream (a wrong reference on a whole
// series of bills) rather than that the office needs the thousand-and-first.
const (
	maxOpen    = 1000
	maxImports = 100
)

// financeTx runs fn in a transaction once staff is known to be of the
// finance office.
func financeTx[T any](ctx context.Context, s *Service, staff Staff, fn func(q *store.Queries) (T, error)) (T, error) {
	var out T
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		if err := s.pay.FinanceStaff(ctx, q, staff.ID); err != nil {
			return err
		}
		var err error
		out, err = fn(q)
		return err
	})
	return out, err
}

// Imports lists the latest imports, newest first.
func (s *Service) Imports(ctx context.Context, staff Staff) ([]Import, error) {
	return financeTx(ctx, s, staff, func(q *store.Queries) ([]Import, error) { return q.BankImports(ctx, maxImports) })
}

// Open is the work list: every credit neither matched nor resolved,
// oldest first, with its case's number and what is open on it now.
func (s *Service) Open(ctx context.Context, staff Staff) ([]Credit, error) {
	return financeTx(ctx, s, staff, func(q *store.Queries) ([]Credit, error) { return q.OpenBankCredits(ctx, maxOpen) })
}

// Assign books an unmatched credit for the case with number: from the
// unallocated account, where the import booked it, to the case's
// receivable, as the case's payment (with its timeline note, a pay-first
// case handed to its office, the receipt); the credit is resolved.
func (s *Service) Assign(ctx context.Context, staff Staff, id int64, number string) (Credit, error) {
	return financeTx(ctx, s, staff, func(q *store.Queries) (Credit, error) {
		cr, err := openItem(ctx, q, id)
		if err != nil {
			return Credit{}, err
		}
		if cr.Status != Unmatched {
			return Credit{}, apperr.New(apperr.Conflict, "only an unmatched credit can be assigned to a case; a %s credit is resolved with a note", cr.Status)
		}
		n, ok := cases.ValidNumber(number)
		if !ok {
			return Credit{}, caseNumberError("is not a case number (e.g. UST-2026-004711-3, with its check digit)")
		}
		bill, err := q.BillByCaseNumber(ctx, n)
		if apperr.CodeOf(err) == apperr.NotFound {
			return Credit{}, caseNumberError("no case with this number has a bill")
		}
		if err != nil {
			return Credit{}, err
		}
		rec, err := s.pay.RecordBankPayments(ctx, q, payments.BankCredit{Bill: bill, BankRef: cr.BankRef, Amount: cr.Amount, BookedOn: cr.BookingDate,
			IBAN: cr.IBAN, From: ledger.UnallocatedFor(cr.IBAN)})
		if err != nil {
			return Credit{}, err
		}
		p := rec[0].Payment
		if !rec[0].Fresh {
			return Credit{}, apperr.New(apperr.Conflict, "this credit is booked for a case already")
		}
		if err := q.ResolveBankCredit(ctx, id, staff.Email, "assigned to "+bill.CaseNumber, &bill.Case, &p.ID); err != nil {
			return Credit{}, err
		}
		if err := settle(ctx, q, []uuid.UUID{bill.Case}); err != nil {
			return Credit{}, err
		}
		return q.BankCredit(ctx, id)
	})
}

// Resolve marks an item of the work list handled, with what the office
// did (a foreign-currency credit sent back, an overpayment refunded, a
// duplicate checked). It books nothing: what was done with the money is
// booked where it was done.
func (s *Service) Resolve(ctx context.Context, staff Staff, id int64, note string) (Credit, error) {
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 500 {
		return Credit{}, apperr.InvalidFields("say what was done", apperr.FieldError{Path: "body.note", Message: "must be 1 to 500 characters"})
	}
	return financeTx(ctx, s, staff, func(q *store.Queries) (Credit, error) {
		if _, err := openItem(ctx, q, id); err != nil {
			return Credit{}, err
		}
		if err := q.ResolveBankCredit(ctx, id, staff.Email, note, nil, nil); err != nil {
			return Credit{}, err
		}
		return q.BankCredit(ctx, id)
	})
}

// openItem locks a credit of the work list; one resolved or matched
// before is a Conflict (another staff member was quicker).
func openItem(ctx context.Context, q *store.Queries, id int64) (Credit, error) {
	cr, err := q.LockBankCredit(ctx, id)
	switch {
	case err != nil:
		return Credit{}, err
	case cr.ResolvedAt != nil:
		return Credit{}, apperr.New(apperr.Conflict, "this credit was handled already, by %s: %s", cr.ResolvedBy, cr.Resolution)
	case cr.Status == Matched:
		return Credit{}, apperr.New(apperr.Conflict, "a matched credit is not on the work list")
	}
	return cr, nil
}

func caseNumberError(msg string) error {
	return apperr.InvalidFields("cannot assign the credit to this case", apperr.FieldError{Path: "body.case_number", Message: msg})
}
