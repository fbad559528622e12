package books

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/store"
)

// Movement is what entries of one kind moved on an account: how many
// postings, and their debits and credits in Rappen (both positive).
type Movement struct {
	Kind     string
	Postings int64
	Debit    int64
	Credit   int64
}

// reported are the kinds every account and total lists, even when
// nothing moved: the columns the finance office compares with the
// providers' and the bank's statements. Other kinds (a correction) are
// listed after them when they moved, in this order.
var reported = []string{ledger.Payment, ledger.Refund, ledger.Settlement, ledger.Unallocated}

var kindOrder = append(slices.Clone(reported), ledger.Correction, ledger.Allocation, ledger.Charge)

// Sums are an account's (or all accounts') balances and movements over a
// period: Closing = Opening + Debit − Credit, always.
type Sums struct {
	Opening   int64
	Movements []Movement
	Debit     int64
	Credit    int64
	Closing   int64
}

func newSums(opening int64) Sums {
	s := Sums{Opening: opening, Closing: opening}
	for _, k := range reported {
		s.Movements = append(s.Movements, Movement{Kind: k})
	}
	return s
}

// add counts m into its kind's movement and the balances.
func (s *Sums) add(m Movement) {
	i := slices.IndexFunc(s.Movements, func(have Movement) bool { return have.Kind == m.Kind })
	if i < 0 {
		s.Movements = append(s.Movements, Movement{Kind: m.Kind})
		slices.SortStableFunc(s.Movements, func(a, b Movement) int { return rank(a.Kind) - rank(b.Kind) })
		i = slices.IndexFunc(s.Movements, func(have Movement) bool { return have.Kind == m.Kind })
	}
	s.Movements[i].Postings += m.Postings
	s.Movements[i].Debit += m.Debit
	s.Movements[i].Credit += m.Credit
	s.Debit += m.Debit
	s.Credit += m.Credit
	s.Closing += m.Debit - m.Credit
}

// merge adds another account's sums (for the totals).
func (s *Sums) merge(o Sums) {
	s.Opening += o.Opening
	s.Closing += o.Opening
	for _, m := range o.Movements {
		s.add(m)
	}
}

// rank orders kinds as kindOrder does; a kind unknown here goes last.
func rank(kind string) int {
	if i := slices.Index(kindOrder, kind); i >= 0 {
		return i
	}
	return len(kindOrder)
}

// MoneyAccount is a money account's sums over a period: a provider's
// clearing account (money the provider took and has not paid out yet) or
// the city's bank account.
type MoneyAccount struct {
	Code string
	// Type is "clearing" or "bank"; Holder the provider or the IBAN.
	Type   string
	Holder string
	Name   string
	Number string
	Sums
}

// Period is the money accounts over one day or a range of days, with
// their totals.
type Period struct {
	From     time.Time
	To       time.Time
	Accounts []MoneyAccount
	Totals   Sums
}

// Report is the reconciliation of a range of days: each day, and the
// range as a whole (opening at its first day, closing at its last).
type Report struct {
	Days  []Period
	Whole Period
}

// Daily is the reconciliation of one day.
func (s *Service) Daily(ctx context.Context, staff uuid.UUID, day time.Time) (Period, error) {
	r, err := s.DailyRange(ctx, staff, day, day)
	if err != nil {
		return Period{}, err
	}
	return r.Days[0], nil
}

// DailyRange is the reconciliation of the days from from to to (at most
// MaxDays), computed from the ledger as it is now: a bank credit booked
// today with yesterday's booking date changes yesterday, as it does on
// the bank's statement. An account is listed from the first day it has a
// balance or moves; every day of the range is listed, quiet ones too,
// since the statements list them.
func (s *Service) DailyRange(ctx context.Context, staff uuid.UUID, from, to time.Time) (Report, error) {
	var (
		moves   []store.DailyMovement
		opening map[string]int64
		chart   []Account
	)
	err := s.inBooks(ctx, staff, func(q *store.Queries) (err error) {
		if from, to, err = span(from, to); err != nil {
			return err
		}
		if moves, opening, err = q.LedgerDaily(ctx, from, to); err != nil {
			return err
		}
		chart, err = q.LedgerAccounts(ctx)
		return err
	})
	if err != nil {
		return Report{}, err
	}
	return reconcile(from, to, moves, opening, chart), nil
}

// reconcile builds the report from the movements per day, account and
// kind (ordered by day) and the balances before from.
func reconcile(from, to time.Time, moves []store.DailyMovement, opening map[string]int64, chart []Account) Report {
	codes := make([]string, 0, len(opening))
	for code := range opening {
		codes = append(codes, code)
	}
	for _, m := range moves {
		codes = append(codes, m.Account)
	}
	slices.Sort(codes)
	codes = slices.Compact(codes)

	balance, whole := map[string]int64{}, map[string]*MoneyAccount{}
	for _, code := range codes {
		balance[code] = opening[code]
		whole[code] = moneyAccount(code, chart, opening[code])
	}
	seen := map[string]bool{}
	for code := range opening {
		seen[code] = true
	}
	r := Report{Whole: Period{From: from, To: to, Totals: newSums(0)}}
	next := 0
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		today := map[string]*MoneyAccount{}
		for ; next < len(moves) && !moves[next].Day.After(d); next++ {
			m := moves[next]
			a := today[m.Account]
			if a == nil {
				a = moneyAccount(m.Account, chart, balance[m.Account])
				today[m.Account] = a
			}
			mv := Movement{Kind: m.Kind, Postings: m.Postings, Debit: m.Debit, Credit: m.Credit}
			a.add(mv)
			whole[m.Account].add(mv)
			seen[m.Account] = true
		}
		p := Period{From: d, To: d, Totals: newSums(0)}
		for _, code := range codes {
			if !seen[code] {
				continue
			}
			a := today[code]
			if a == nil {
				a = moneyAccount(code, chart, balance[code])
			}
			balance[code] = a.Closing
			p.Accounts = append(p.Accounts, *a)
			p.Totals.merge(a.Sums)
		}
		r.Days = append(r.Days, p)
	}
	for _, code := range codes {
		r.Whole.Accounts = append(r.Whole.Accounts, *whole[code])
		r.Whole.Totals.merge(whole[code].Sums)
	}
	return r
}

// moneyAccount starts an account's sums at its opening balance, named as
// the chart names it.
func moneyAccount(code string, chart []Account, opening int64) *MoneyAccount {
	typ, holder, _ := strings.Cut(code, ":")
	if typ == "bank" {
		holder = strings.ToUpper(holder)
	}
	a := &MoneyAccount{Code: code, Type: typ, Holder: holder, Name: code, Sums: newSums(opening)}
	if i := slices.IndexFunc(chart, func(c Account) bool { return c.Code == code }); i >= 0 {
		a.Name, a.Number = chart[i].Name, chart[i].Number
	}
	return a
}
