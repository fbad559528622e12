// Package books is the finance office's side of the ledger: the journal
// export for the city's finance system, the daily reconciliation of the
// money accounts (each provider's clearing account, the city's bank
// account) with the providers' and the bank's own statements, the chart
// of accounts (what the finance system calls each account), and provider
// payouts booked as settlements.
//
// The books are the Stadtkasse's: every operation checks, in its own
// transaction, that the caller is staff of the finance office
// (payments.Service.FinanceStaff) and is Forbidden for anyone else. The
// ledger itself stays append-only: this package only reads it, and books
// settlements through ledger.Post like every other entry.
package books

import (
	"context"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Zurich for the export's booking times, also in slim containers
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/store"
)

// Account is an account of the chart.
type Account = ledger.Account

// MaxDays is the longest range a report or an export covers: a year,
// leap day included. Longer ranges are split by the caller; one request
// never reads the whole journal.
const MaxDays = 366

// Service keeps the finance office's books.
type Service struct {
	pay    *payments.Service
	st     *store.Store
	ledger *ledger.Service
	// iban is the city's account, where provider payouts arrive.
	iban string
	zone *time.Location
}

// New returns the books over the payments' ledger.
func New(p *payments.Service) *Service {
	zone, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		panic(err) // the zone database is compiled in (time/tzdata)
	}
	return &Service{pay: p, st: p.Store(), ledger: p.Ledger(), iban: p.Config().Account, zone: zone}
}

// inBooks runs fn in one transaction once staff is known to keep the
// books: the check and what it guards see the same roles.
func (s *Service) inBooks(ctx context.Context, staff uuid.UUID, fn func(q *store.Queries) error) error {
	return s.st.InTx(ctx, func(q *store.Queries) error {
		if err := s.pay.FinanceStaff(ctx, q, staff); err != nil {
			return err
		}
		return fn(q)
	})
}

// Accounts lists the chart of accounts, by code.
func (s *Service) Accounts(ctx context.Context, staff uuid.UUID) ([]Account, error) {
	var out []Account
	err := s.inBooks(ctx, staff, func(q *store.Queries) (err error) {
		out, err = q.LedgerAccounts(ctx)
		return err
	})
	return out, err
}

// SetAccount sets what the city's finance system calls an account: its
// number and cost centre (either may be empty: not mapped). The change
// applies to every export from now on, earlier days included, since the
// export reads the chart as it is; the entries themselves never change.
func (s *Service) SetAccount(ctx context.Context, staff uuid.UUID, code, number, costCentre string) (Account, error) {
	var out Account
	err := s.inBooks(ctx, staff, func(q *store.Queries) error {
		number, costCentre = strings.TrimSpace(number), strings.TrimSpace(costCentre)
		if errs := fieldErrors(label("body.number", number), label("body.cost_centre", costCentre)); errs != nil {
			return apperr.InvalidFields("not a valid account number or cost centre", errs...)
		}
		var err error
		out, err = q.SetLedgerAccountNumber(ctx, code, number, costCentre)
		return err
	})
	return out, err
}

// maxLabel is the longest account number or cost centre (the column's
// check in ledger_account).
const maxLabel = 40

// label checks an account number or cost centre: at most maxLabel
// printable characters, not starting like a spreadsheet formula (the
// export is opened in Excel, which would run "=…" as one).
func label(path, v string) *apperr.FieldError {
	switch {
	case utf8.RuneCountInString(v) > maxLabel:
		return &apperr.FieldError{Path: path, Message: "at most 40 characters"}
	case !printable(v):
		return &apperr.FieldError{Path: path, Message: "printable characters only"}
	case formula(v):
		return &apperr.FieldError{Path: path, Message: "must not start with = + - or @"}
	}
	return nil
}

// printable tells text without control characters (tabs and line breaks
// included), which would break a line of the export or an import.
func printable(v string) bool {
	return strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
}

// fieldErrors collects the field errors that are not nil; nil when there
// are none.
func fieldErrors(errs ...*apperr.FieldError) []apperr.FieldError {
	var out []apperr.FieldError
	for _, e := range errs {
		if e != nil {
			out = append(out, *e)
		}
	}
	return out
}

// span checks a range of days for a report or an export (the field
// errors name the query parameters) and returns its first and last day
// as accounting dates. The dates are taken as written, in whatever
// location they carry: a date is a day of the books, not an instant.
func span(from, to time.Time) (time.Time, time.Time, error) {
	var errs []apperr.FieldError
	if from.IsZero() {
		errs = append(errs, apperr.FieldError{Path: "query.from", Message: "required"})
	}
	if to.IsZero() {
		errs = append(errs, apperr.FieldError{Path: "query.to", Message: "required"})
	}
	from, to = date(from), date(to)
	switch {
	case errs != nil:
	case to.Before(from):
		errs = append(errs, apperr.FieldError{Path: "query.to", Message: "must not be before from", Value: to.Format(time.DateOnly)})
	case days(from, to) > MaxDays:
		errs = append(errs, apperr.FieldError{Path: "query.to", Message: "at most 366 days from from", Value: to.Format(time.DateOnly)})
	}
	if errs != nil {
		return time.Time{}, time.Time{}, apperr.InvalidFields("not a valid range of days", errs...)
	}
	return from, to, nil
}

// date is t's calendar day at midnight UTC, as the ledger keeps dates.
func date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// days counts the days from from to to, both included.
func days(from, to time.Time) int {
	return int(to.Sub(from).Hours()/24) + 1
}
