package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// BankImport is an imported bank notification file (camt.054) and what
// became of its credits.
type BankImport struct {
	ID             int64
	SHA256         []byte
	Filename       string
	MessageID      string
	MessageCreated time.Time
	ImportedAt     time.Time
	ImportedBy     string
	Counts         CreditCounts
	Skipped        SkippedEntries
	// BookedRappen is the CHF the import booked to the bank account.
	BookedRappen int64
}

// CreditCounts counts an import's credits by status.
type CreditCounts struct {
	Matched, Partial, Over, Duplicate, Unmatched, ForeignCurrency, Reversal int
}

// SkippedEntries counts the entries of a file that yield no credit.
type SkippedEntries struct {
	Debits, ReversedCredits, NotBooked int
}

// BankCredit is one credit of an import and what became of it.
type BankCredit struct {
	ID            int64
	Import        int64
	BankRef       string
	IBAN          string
	Amount        int64
	Currency      string
	BookingDate   time.Time
	Reference     string
	ReferenceType string
	Unstructured  string
	DebtorName    string
	DebtorIBAN    string
	Line          int
	Status        string
	Case          *uuid.UUID
	Payment       *uuid.UUID
	ResolvedAt    *time.Time
	ResolvedBy    string
	Resolution    string
	// Read with the work list: the import's file name, the case's number
	// and what is open on the case now (nil without a case).
	Filename   string
	CaseNumber string
	CaseOpen   *int64
}

func bankImportFrom(r dbq.BankImport) BankImport {
	return BankImport{ID: r.ID, SHA256: r.Sha256, Filename: r.Filename, MessageID: r.MessageID, MessageCreated: r.MessageCreated,
		ImportedAt: r.ImportedAt, ImportedBy: r.ImportedBy,
		Counts: CreditCounts{Matched: int(r.Matched), Partial: int(r.Partial), Over: int(r.Overpaid), Duplicate: int(r.Duplicate),
			Unmatched: int(r.Unmatched), ForeignCurrency: int(r.ForeignCurrency), Reversal: int(r.Reversal)},
		Skipped:      SkippedEntries{Debits: int(r.SkippedDebits), ReversedCredits: int(r.SkippedReversedCredits), NotBooked: int(r.SkippedNotBooked)},
		BookedRappen: r.BookedRappen}
}

func bankCreditFrom(r dbq.BankCreditItem) BankCredit {
	c := BankCredit{ID: r.ID, Import: r.ImportID, BankRef: r.BankRef, IBAN: r.Iban, Amount: r.Amount, Currency: r.Currency, BookingDate: r.BookingDate,
		Reference: r.Reference, ReferenceType: r.ReferenceType, Unstructured: r.Unstructured, DebtorName: r.DebtorName, DebtorIBAN: r.DebtorIban,
		Line: int(r.Line), Status: r.Status, Case: r.CaseID, Payment: r.PaymentID, ResolvedAt: r.ResolvedAt, Filename: r.Filename, CaseNumber: r.CaseNumber}
	if r.ResolvedBy != nil {
		c.ResolvedBy = *r.ResolvedBy
	}
	if r.Resolution != nil {
		c.Resolution = *r.Resolution
	}
	if r.CaseID != nil {
		c.CaseOpen = &r.CaseOpen
	}
	return c
}

var errNoBankCredit = onErr{notFound: "no such bank credit"}

// AddBankImport records the start of an import. When a file with the
// same SHA-256 was imported before, fresh is false and the earlier import
// is returned (a concurrent import of the same file waits for the first).
func (q *Queries) AddBankImport(ctx context.Context, i BankImport) (BankImport, bool, error) {
	r, err := q.gen.BankImportInsert(ctx, q.db, dbq.BankImportInsertParams{Sha256: i.SHA256, Filename: i.Filename, MessageID: i.MessageID,
		MessageCreated: i.MessageCreated, ImportedBy: i.ImportedBy})
	if noRows(err) {
		r, err = q.gen.BankImportBySHA(ctx, q.db, i.SHA256)
		return bankImportFrom(r), false, mapErr(err, onErr{})
	}
	return bankImportFrom(r), err == nil, mapErr(err, onErr{})
}

// FinishBankImport records what became of an import's credits.
func (q *Queries) FinishBankImport(ctx context.Context, id int64, c CreditCounts, s SkippedEntries, booked int64) (BankImport, error) {
	r, err := q.gen.BankImportFinish(ctx, q.db, dbq.BankImportFinishParams{ID: id, Matched: int32(c.Matched), Partial: int32(c.Partial),
		Overpaid: int32(c.Over), Duplicate: int32(c.Duplicate), Unmatched: int32(c.Unmatched), ForeignCurrency: int32(c.ForeignCurrency),
		Reversal: int32(c.Reversal), SkippedDebits: int32(s.Debits), SkippedReversedCredits: int32(s.ReversedCredits),
		SkippedNotBooked: int32(s.NotBooked), BookedRappen: booked})
	return bankImportFrom(r), mapErr(err, onErr{notFound: "no such import"})
}

// BankImports lists the latest imports, newest first.
func (q *Queries) BankImports(ctx context.Context, limit int) ([]BankImport, error) {
	rows, err := q.gen.BankImports(ctx, q.db, int32(limit))
	return convert(rows, bankImportFrom), mapErr(err, onErr{})
}

// RecordedBankRefs says which of refs earlier imports recorded.
func (q *Queries) RecordedBankRefs(ctx context.Context, refs []string) (map[string]bool, error) {
	rows, err := q.gen.BankRefsRecorded(ctx, q.db, refs)
	seen := make(map[string]bool, len(rows))
	for _, r := range rows {
		seen[r] = true
	}
	return seen, mapErr(err, onErr{})
}

// AddBankCredits stores an import's credits, in one statement.
func (q *Queries) AddBankCredits(ctx context.Context, importID int64, credits []BankCredit) error {
	p := dbq.BankCreditsInsertParams{ImportID: importID}
	for _, c := range credits {
		p.BankRefs, p.Ibans, p.Amounts, p.Currencies = append(p.BankRefs, c.BankRef), append(p.Ibans, c.IBAN), append(p.Amounts, c.Amount), append(p.Currencies, c.Currency)
		p.BookingDates, p.Refs, p.RefTypes = append(p.BookingDates, c.BookingDate), append(p.Refs, c.Reference), append(p.RefTypes, c.ReferenceType)
		p.Unstructured, p.DebtorNames, p.DebtorIbans = append(p.Unstructured, c.Unstructured), append(p.DebtorNames, c.DebtorName), append(p.DebtorIbans, c.DebtorIBAN)
		p.Lines, p.Statuses = append(p.Lines, int32(c.Line)), append(p.Statuses, c.Status)
		p.Cases, p.Payments = append(p.Cases, deref(c.Case)), append(p.Payments, deref(c.Payment))
	}
	return mapErr(q.gen.BankCreditsInsert(ctx, q.db, p), onErr{conflict: "a credit of this file was imported by another import at the same time; import the file again"})
}

// LockBankCredit locks a credit for the office's handling, and reads it
// as the work list shows it.
func (q *Queries) LockBankCredit(ctx context.Context, id int64) (BankCredit, error) {
	if _, err := q.gen.BankCreditLock(ctx, q.db, id); err != nil {
		return BankCredit{}, mapErr(err, errNoBankCredit)
	}
	return q.BankCredit(ctx, id)
}

// BankCredit reads a credit as the work list shows it.
func (q *Queries) BankCredit(ctx context.Context, id int64) (BankCredit, error) {
	r, err := q.gen.BankCreditItem(ctx, q.db, id)
	return bankCreditFrom(r), mapErr(err, errNoBankCredit)
}

// ResolveBankCredit marks a credit handled by the office, with the case
// and payment it was booked for when it was assigned.
func (q *Queries) ResolveBankCredit(ctx context.Context, id int64, by, note string, c, payment *uuid.UUID) error {
	return mapErr(q.gen.BankCreditResolve(ctx, q.db, dbq.BankCreditResolveParams{ID: id, ResolvedBy: &by, Resolution: &note, CaseID: c, PaymentID: payment}), onErr{})
}

// SettlePartialCredits resolves the open partial credits of those cases
// that owe nothing any more.
func (q *Queries) SettlePartialCredits(ctx context.Context, cases []uuid.UUID, by, note string) error {
	return mapErr(q.gen.BankCreditsSettlePartial(ctx, q.db, dbq.BankCreditsSettlePartialParams{Cases: cases, ResolvedBy: &by, Resolution: &note}), onErr{})
}

// OpenBankCredits lists the work list: credits neither matched nor
// resolved, oldest first.
func (q *Queries) OpenBankCredits(ctx context.Context, limit int) ([]BankCredit, error) {
	rows, err := q.gen.BankCreditsOpen(ctx, q.db, int32(limit))
	return convert(rows, bankCreditFrom), mapErr(err, onErr{})
}

// BankCreditsOfImport lists an import's credits in file order.
func (q *Queries) BankCreditsOfImport(ctx context.Context, id int64) ([]BankCredit, error) {
	rows, err := q.gen.BankCreditsOfImport(ctx, q.db, id)
	return convert(rows, bankCreditFrom), mapErr(err, onErr{})
}

// BillByCaseNumber finds the bill of the case with this number.
func (q *Queries) BillByCaseNumber(ctx context.Context, number string) (Bill, error) {
	ref, err := q.gen.BillReferenceByCaseNumber(ctx, q.db, number)
	if err != nil {
		return Bill{}, mapErr(err, onErr{notFound: "no case with this number has a bill"})
	}
	return q.BillByReference(ctx, ref)
}

// BillsByReferences finds the bills of many payment references at once,
// with their cases' numbers, statuses and accounts; references no bill
// has are missing from the map.
func (q *Queries) BillsByReferences(ctx context.Context, refs []string) (map[string]Bill, error) {
	rows, err := q.gen.BillsByReferences(ctx, q.db, refs)
	out := make(map[string]Bill, len(rows))
	for _, r := range rows {
		out[r.CaseBill.Reference] = billOfCase(r.CaseBill, r.CaseNumber, r.CaseStatus, r.AccountID)
	}
	return out, mapErr(err, onErr{})
}

// LockCasesForBooking locks cases (in id order) for payments to them and
// returns their statuses.
func (q *Queries) LockCasesForBooking(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	rows, err := q.gen.CasesLockForBooking(ctx, q.db, ids)
	out := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Status
	}
	return out, mapErr(err, onErr{})
}

// CasesOpenAmounts is what is open on each of the cases (nothing for a
// case without postings).
func (q *Queries) CasesOpenAmounts(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]int64, error) {
	rows, err := q.gen.CasesOpenAmounts(ctx, q.db, ids)
	out := make(map[uuid.UUID]int64, len(rows))
	for _, r := range rows {
		out[r.CaseID] = r.Open
	}
	return out, mapErr(err, onErr{})
}
