// Package ledger is Schalter's double-entry bookkeeping: accounts per
// office and fee type, a clearing account per payment provider, an
// account per bank account, and a journal that is only ever appended to.
//
// Every entry's postings add up to zero: Post refuses an entry that does
// not, and the database checks it again at commit (a deferred constraint
// trigger), so no code path can book half an entry. Entries never change;
// a correction is a new entry that names the one it corrects. Each entry
// has a source (the webhook event, the bank's transaction reference), and
// a source books once: repeating a webhook or importing a bank file again
// books nothing twice.
//
// The accounts, debit positive:
//
//	receivable:<office>         asset     what people owe the office, per case
//	revenue:<office>:<fee type> revenue   the office's fee income by type
//	vat:<standard|reduced>      liability VAT contained in fees subject to it
//	clearing:<provider>         asset     money taken by a provider, not yet paid out
//	bank:<iban>                 asset     the city's bank account
//	unallocated:<iban>          liability bank credits no case could be found for
package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store"
)

// Entry kinds.
const (
	Charge      = "charge"      // a fee becomes due: receivable against revenue
	Payment     = "payment"     // money taken: clearing or bank against receivable
	Settlement  = "settlement"  // a provider pays out: bank against clearing
	Refund      = "refund"      // money given back: receivable against clearing or bank
	Correction  = "correction"  // a reversal of (part of) an earlier entry
	Unallocated = "unallocated" // a bank credit without a case: bank against unallocated
	Allocation  = "allocation"  // an unallocated credit assigned to a case
)

type (
	// Entry is a booking; Posting one of its lines.
	Entry   = store.JournalEntry
	Posting = store.Posting
	// Account is an account of the chart.
	Account = store.LedgerAccount
)

// Account codes.
func Receivable(office string) string       { return "receivable:" + office }
func Revenue(office, feeType string) string { return "revenue:" + office + ":" + feeType }
func VAT(code string) string                { return "vat:" + code }
func Clearing(provider string) string       { return "clearing:" + provider }
func Bank(iban string) string               { return "bank:" + strings.ToLower(iban) }
func UnallocatedFor(iban string) string     { return "unallocated:" + strings.ToLower(iban) }

// Service books entries.
type Service struct {
	chart Chart
	zone  *time.Location
	// known are the accounts seen committed (see Post).
	known sync.Map
}

// New returns the ledger with the chart that numbers its accounts.
func New(chart Chart) *Service {
	zone, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		zone = time.UTC
	}
	return &Service{chart: chart, zone: zone}
}

// Today is the accounting date of now.
func (s *Service) Today() time.Time { return s.Day(time.Now()) }

// Day is the accounting date (Europe/Zurich) of an instant.
func (s *Service) Day(t time.Time) time.Time {
	y, m, d := t.In(s.zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Post books e in q's transaction, creating the accounts it names on
// first use; booked is false when e's source was booked before (nothing
// is written then). An entry that does not balance is a bug of the
// caller, never the person's: an internal error.
func (s *Service) Post(ctx context.Context, q *store.Queries, e Entry) (id int64, booked bool, err error) {
	ids, err := s.PostMany(ctx, q, []Entry{e})
	if err != nil {
		return 0, false, err
	}
	return ids[0], ids[0] != 0, nil
}

// PostMany books entries as Post does each, in one statement however
// many there are (a bank file's thousands of payments): ids has each
// entry's new id, or 0 where its source was booked before, or repeats
// the source of an earlier entry of the call (that one is booked).
func (s *Service) PostMany(ctx context.Context, q *store.Queries, entries []Entry) (ids []int64, err error) {
	var (
		fresh  = make([]Entry, 0, len(entries))
		at     = make([]int, 0, len(entries)) // fresh[k] is entries[at[k]]
		seen   = make(map[string]bool, len(entries))
		unseen []string
	)
	for i, e := range entries {
		if err := balanced(e); err != nil {
			return nil, err
		}
		if seen[e.Source] {
			continue
		}
		seen[e.Source] = true
		if e.ValueDate.IsZero() {
			e.ValueDate = s.Today()
		}
		fresh, at = append(fresh, e), append(at, i)
		for _, p := range e.Postings {
			if _, ok := s.known.Load(p.Account); !ok && !slices.Contains(unseen, p.Account) {
				unseen = append(unseen, p.Account)
			}
		}
	}
	for _, code := range unseen {
		existed, err := q.EnsureLedgerAccount(ctx, s.chart.account(code))
		if err != nil {
			return nil, err
		}
		if existed {
			// Committed, and accounts are never deleted: no need to
			// ask again. One created here is asked about next time,
			// since this transaction may still roll back.
			s.known.Store(code, true)
		}
	}
	booked, err := q.AddJournalEntries(ctx, fresh)
	if err != nil {
		return nil, err
	}
	ids = make([]int64, len(entries))
	for k, id := range booked {
		ids[at[k]] = id
	}
	return ids, nil
}

// balanced refuses an entry whose postings do not add up to zero, have a
// posting of zero, or are fewer than two.
func balanced(e Entry) error {
	var sum int64
	for _, p := range e.Postings {
		if p.Amount == 0 {
			return fmt.Errorf("ledger: %s: a posting of zero to %s", e.Source, p.Account)
		}
		sum += p.Amount
	}
	if sum != 0 || len(e.Postings) < 2 {
		return fmt.Errorf("ledger: %s does not balance (%d postings, sum %d)", e.Source, len(e.Postings), sum)
	}
	return nil
}

// Line is a helper for postings: amount to account (for the case, on
// receivable accounts).
func Line(account string, amount int64, c *uuid.UUID) Posting {
	return Posting{Account: account, Amount: amount, Case: c}
}
