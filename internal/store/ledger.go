package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// LedgerAccount is an account of the ledger.
type LedgerAccount struct {
	Code       string
	Kind       string
	Name       string
	Office     *string
	Number     string
	CostCentre string
}

// JournalEntry is a balanced booking; Postings add up to zero.
type JournalEntry struct {
	ID        int64
	ValueDate time.Time
	Kind      string
	Case      *uuid.UUID
	Corrects  *int64
	Memo      string
	Source    string
	Postings  []Posting
}

// Posting is one line of an entry: debit positive, credit negative. Case
// is set on receivable postings.
type Posting struct {
	Account string
	Amount  int64
	Case    *uuid.UUID
}

// EnsureLedgerAccount creates an account unless it exists; existed says
// that a committed account of that code was there already (an insert of
// another transaction is waited for), so callers may remember it.
func (q *Queries) EnsureLedgerAccount(ctx context.Context, a LedgerAccount) (existed bool, err error) {
	n, err := q.gen.LedgerAccountEnsure(ctx, q.db, dbq.LedgerAccountEnsureParams{Code: a.Code, Kind: a.Kind, Name: a.Name,
		OfficeSlug: a.Office, Number: a.Number, CostCentre: a.CostCentre})
	return err == nil && n == 0, mapErr(err, onErr{missingRef: "no such office"})
}

// SetLedgerAccountNumber sets what the finance system calls an account.
func (q *Queries) SetLedgerAccountNumber(ctx context.Context, code, number, costCentre string) (LedgerAccount, error) {
	r, err := q.gen.LedgerAccountSet(ctx, q.db, dbq.LedgerAccountSetParams{Code: code, Number: number, CostCentre: costCentre})
	return ledgerAccountFrom(r), mapErr(err, onErr{notFound: "no such account"})
}

// LedgerAccounts lists the chart of accounts.
func (q *Queries) LedgerAccounts(ctx context.Context) ([]LedgerAccount, error) {
	rows, err := q.gen.LedgerAccounts(ctx, q.db)
	return convert(rows, ledgerAccountFrom), mapErr(err, onErr{})
}

func ledgerAccountFrom(r dbq.LedgerAccount) LedgerAccount {
	return LedgerAccount{Code: r.Code, Kind: r.Kind, Name: r.Name, Office: r.OfficeSlug, Number: r.Number, CostCentre: r.CostCentre}
}

// AddJournalEntries books entries with their postings in one statement;
// ids has the new entry's id at each entry's position, or 0 where an
// entry of the same source exists (nothing is written for it). Sources
// must be distinct. A posting to an account that does not exist is an
// error: accounts are ensured first. The database checks at commit that
// every entry balances.
func (q *Queries) AddJournalEntries(ctx context.Context, entries []JournalEntry) (ids []int64, err error) {
	var p dbq.JournalEntriesInsertParams
	for i, e := range entries {
		ord := int32(i)
		p.Ords, p.ValueDates, p.Kinds = append(p.Ords, ord), append(p.ValueDates, e.ValueDate), append(p.Kinds, e.Kind)
		p.CaseIds, p.Corrects = append(p.CaseIds, deref(e.Case)), append(p.Corrects, deref(e.Corrects))
		p.Memos, p.Sources = append(p.Memos, e.Memo), append(p.Sources, e.Source)
		for _, l := range e.Postings {
			p.PostingOrds, p.Accounts, p.Amounts = append(p.PostingOrds, ord), append(p.Accounts, l.Account), append(p.Amounts, l.Amount)
			p.PostingCases = append(p.PostingCases, deref(l.Case))
		}
	}
	rows, err := q.gen.JournalEntriesInsert(ctx, q.db, p)
	if err != nil {
		return nil, mapErr(err, onErr{missingRef: "no such case, entry or account"})
	}
	ids = make([]int64, len(entries))
	for _, r := range rows {
		ids[r.Ord] = r.ID
	}
	return ids, nil
}

// CaseOpenAmount is what is still owed on a case (negative: paid too much).
func (q *Queries) CaseOpenAmount(ctx context.Context, id uuid.UUID) (int64, error) {
	n, err := q.gen.CaseOpenAmount(ctx, q.db, &id)
	return n, mapErr(err, onErr{})
}

// JournalOfCase returns a case's entries with their postings, in order.
func (q *Queries) JournalOfCase(ctx context.Context, id uuid.UUID) ([]JournalEntry, error) {
	rows, err := q.gen.JournalOfCase(ctx, q.db, &id)
	var out []JournalEntry
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.ID {
			out = append(out, JournalEntry{ID: r.ID, ValueDate: r.ValueDate, Kind: r.Kind, Case: &id, Corrects: r.Corrects, Memo: r.Memo, Source: r.Source})
		}
		last := &out[len(out)-1]
		last.Postings = append(last.Postings, Posting{Account: r.Account, Amount: r.Amount})
	}
	return out, mapErr(err, onErr{})
}

// ExportLine is a posting as the journal export writes it.
type ExportLine struct {
	Entry         int64
	BookedAt      time.Time
	ValueDate     time.Time
	Kind          string
	Memo          string
	Source        string
	CaseNumber    string
	Posting       int64
	Account       string
	AccountName   string
	AccountNumber string
	CostCentre    string
	Amount        int64
}

// JournalExport lists the postings of entries with a value date in
// [from, to].
func (q *Queries) JournalExport(ctx context.Context, from, to time.Time) ([]ExportLine, error) {
	rows, err := q.gen.JournalExport(ctx, q.db, dbq.JournalExportParams{FromDate: from, ToDate: to})
	return convert(rows, func(r dbq.JournalExportRow) ExportLine {
		return ExportLine{Entry: r.ID, BookedAt: r.BookedAt, ValueDate: r.ValueDate, Kind: r.Kind, Memo: r.Memo, Source: r.Source, CaseNumber: r.CaseNumber,
			Posting: r.PostingID, Account: r.Account, AccountName: r.AccountName, AccountNumber: r.AccountNumber, CostCentre: r.CostCentre, Amount: r.Amount}
	}), mapErr(err, onErr{})
}

// DailyMovement is a money account's movements of one kind on one day.
type DailyMovement struct {
	Day      time.Time
	Account  string
	Kind     string
	Postings int64
	Debit    int64
	Credit   int64
}

// LedgerDaily sums the movements of the provider clearing and bank
// accounts per day in [from, to], and their balances before from.
func (q *Queries) LedgerDaily(ctx context.Context, from, to time.Time) ([]DailyMovement, map[string]int64, error) {
	rows, err := q.gen.LedgerDaily(ctx, q.db, dbq.LedgerDailyParams{FromDate: from, ToDate: to})
	if err != nil {
		return nil, nil, mapErr(err, onErr{})
	}
	opening, err := q.gen.LedgerBalanceBefore(ctx, q.db, from)
	if err != nil {
		return nil, nil, mapErr(err, onErr{})
	}
	open := map[string]int64{}
	for _, r := range opening {
		open[r.Account] = r.Balance
	}
	return convert(rows, func(r dbq.LedgerDailyRow) DailyMovement {
		return DailyMovement{Day: r.ValueDate, Account: r.Account, Kind: r.Kind, Postings: r.Postings, Debit: r.Debit, Credit: r.Credit}
	}), open, nil
}

// UnbalancedEntries lists entries whose postings do not add up to zero
// (there must be none).
func (q *Queries) UnbalancedEntries(ctx context.Context) (map[int64]int64, error) {
	rows, err := q.gen.LedgerUnbalanced(ctx, q.db)
	out := map[int64]int64{}
	for _, r := range rows {
		out[r.EntryID] = r.Total
	}
	return out, mapErr(err, onErr{})
}
