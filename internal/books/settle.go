package books

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payments"
	"github.com/schalter-ch/schalter/internal/store"
)

// Settled is a provider's payout in the books.
type Settled struct {
	Entry     int64
	BookedAt  time.Time
	ValueDate time.Time
	Provider  string
	Reference string
	Amount    int64
	// Source is the entry's unique source, settlement:<provider>:<reference>.
	Source string
	// Booked is false when the reference was booked before: this call
	// booked nothing and the entry is the earlier one.
	Booked bool
}

// maxReference is the longest payout reference: the source
// (settlement:<provider>:<reference>) must fit its 300 characters.
const maxReference = 200

var providerName = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// Settle books a provider's payout that arrived on the city's bank
// account on day: the bank against the provider's clearing account
// (kind settlement), once per provider and reference (the payout's id at
// the provider, or the bank's reference of the credit). Booking the same
// reference again books nothing and says so (Booked false); the same
// reference with another amount or day is a Conflict, since it is either
// a typing error or a second payout that needs its own reference.
//
// The provider must have a clearing account, that is, Schalter booked
// money taken by it before. The amount is not checked against the
// clearing account's balance: a payout can reach the bank before the
// last payments it contains are booked, and the daily report shows the
// difference either way.
func (s *Service) Settle(ctx context.Context, staff uuid.UUID, provider string, amount int64, day time.Time, reference string) (Settled, error) {
	reference = strings.TrimSpace(reference)
	out := Settled{Provider: provider, Reference: reference, Amount: amount, Source: "settlement:" + provider + ":" + reference}
	err := s.inBooks(ctx, staff, func(q *store.Queries) error {
		if err := s.checkSettlement(ctx, q, provider, amount, day, reference); err != nil {
			return err
		}
		want := ledger.Entry{Kind: ledger.Settlement, ValueDate: date(day), Memo: "Auszahlung " + provider + " " + reference, Source: out.Source,
			Postings: []ledger.Posting{ledger.Line(ledger.Bank(s.iban), amount, nil), ledger.Line(ledger.Clearing(provider), -amount, nil)}}
		_, booked, err := s.ledger.Post(ctx, q, want)
		if err != nil {
			return err
		}
		// Read back either way: a parallel booking of the same reference
		// may have won, and its entry is the one to compare and answer.
		got, err := q.JournalEntryBySource(ctx, out.Source)
		if err != nil {
			return err
		}
		if !booked && (got.Kind != want.Kind || !got.ValueDate.Equal(want.ValueDate) || !slices.Equal(got.Postings, want.Postings)) {
			return apperr.New(apperr.Conflict, "payout %s of %s was booked before, with %s on %s; a second payout needs its own reference",
				reference, provider, payments.Chf(settledAmount(got.Postings)), got.ValueDate.Format(time.DateOnly))
		}
		out.Entry, out.BookedAt, out.ValueDate, out.Booked = got.ID, got.BookedAt, got.ValueDate, booked
		return nil
	})
	return out, err
}

// checkSettlement checks a payout's fields; the provider must have a
// clearing account.
func (s *Service) checkSettlement(ctx context.Context, q *store.Queries, provider string, amount int64, day time.Time, reference string) error {
	var errs []apperr.FieldError
	if amount <= 0 {
		errs = append(errs, apperr.FieldError{Path: "body.amount_rappen", Message: "must be positive", Value: amount})
	}
	switch {
	case day.IsZero():
		errs = append(errs, apperr.FieldError{Path: "body.value_date", Message: "required"})
	case date(day).After(s.ledger.Today()):
		errs = append(errs, apperr.FieldError{Path: "body.value_date", Message: "a payout cannot have arrived in the future", Value: date(day).Format(time.DateOnly)})
	}
	switch {
	case reference == "" || utf8.RuneCountInString(reference) > maxReference:
		errs = append(errs, apperr.FieldError{Path: "body.reference", Message: fmt.Sprintf("1 to %d characters: the provider's payout id or the bank's reference", maxReference)})
	case !printable(reference):
		errs = append(errs, apperr.FieldError{Path: "body.reference", Message: "printable characters only"})
	}
	providers, err := clearingProviders(ctx, q)
	if err != nil {
		return err
	}
	if !providerName.MatchString(provider) || !slices.Contains(providers, provider) {
		errs = append(errs, apperr.FieldError{Path: "body.provider", Message: fmt.Sprintf("must be a provider with a clearing account: %v", providers), Value: provider})
	}
	if errs != nil {
		return apperr.InvalidFields("not a payout that can be booked", errs...)
	}
	return nil
}

// clearingProviders names the providers with a clearing account, sorted.
func clearingProviders(ctx context.Context, q *store.Queries) ([]string, error) {
	accounts, err := q.LedgerAccounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range accounts {
		if p, ok := strings.CutPrefix(a.Code, ledger.Clearing("")); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// settledAmount is what a settlement entry put on the bank.
func settledAmount(postings []store.Posting) int64 {
	for _, p := range postings {
		if p.Amount > 0 {
			return p.Amount
		}
	}
	return 0
}
