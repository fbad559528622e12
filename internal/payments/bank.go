package payments

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payprovider"
	"github.com/schalter-ch/schalter/internal/store"
)

// BankCredit is money the bank reported for a bill (a QR-bill payment).
type BankCredit struct {
	// Bill is the bill the credit's reference names.
	Bill Bill
	// BankRef is the bank's own reference of the transaction: a credit
	// is booked once however often it is reported.
	BankRef string
	Amount  int64
	// BookedOn is the bank's booking date: the entry's accounting date.
	BookedOn time.Time
	// IBAN is the account the money arrived on.
	IBAN string
	// From is the ledger account the money is booked from: the bank
	// account (ledger.Bank(IBAN)) when empty; ledger.UnallocatedFor(IBAN)
	// when the finance office assigns a credit that was booked as
	// unallocated before.
	From string
}

// Recorded is what became of a bank credit: its payment, and whether it
// was booked now (Fresh) or before (the earlier payment; nothing was
// written).
type Recorded struct {
	Payment Payment
	Fresh   bool
}

// RecordBankPayments books bank credits in q's transaction, each as a
// paid payment of method bank: the case's receivable against the bank
// account, the timeline note, a pay-first case handed to its office, the
// receipt. A credit whose bank reference was booked before, or repeats
// one of an earlier credit of the call, is not Fresh. However many
// credits there are, it takes the same ten statements or so: a bank file
// of 10,000 credits books in seconds, where a credit at a time took half
// a minute.
func (s *Service) RecordBankPayments(ctx context.Context, q *store.Queries, credits ...BankCredit) ([]Recorded, error) {
	refs := make([]string, len(credits))
	for i, c := range credits {
		if c.Amount <= 0 || c.BankRef == "" {
			return nil, apperr.InvalidFields("not a credit", apperr.FieldError{Path: "amount", Message: "must be positive, with the bank's reference"})
		}
		refs[i] = c.BankRef
	}
	before, err := q.LockPaymentsBySessions(ctx, Bank, refs)
	if err != nil {
		return nil, err
	}
	out := make([]Recorded, len(credits))
	var (
		add    []Payment
		from   []string
		at     []int           // add[k] is for credits[at[k]]
		repeat = map[int]int{} // credits[i] repeats the credit of add[k]
		first  = map[string]int{}
	)
	for i, c := range credits {
		if p, ok := before[c.BankRef]; ok {
			out[i] = Recorded{Payment: p}
			continue
		}
		if k, ok := first[c.BankRef]; ok {
			repeat[i] = k
			continue
		}
		paidAt := c.BookedOn
		if paidAt.IsZero() {
			paidAt = s.now()
		}
		money := c.From
		if money == "" {
			money = ledger.Bank(c.IBAN)
		}
		first[c.BankRef] = len(add)
		add = append(add, Payment{ID: uuid.New(), Case: c.Bill.Case, Account: c.Bill.Account, Method: Bank, Session: &c.BankRef,
			Status: payprovider.Paid, Amount: c.Amount, PaidAt: &paidAt, PaidWith: "qr-bill", StateAt: &paidAt})
		from, at = append(from, money), append(at, i)
	}
	if len(add) == 0 {
		return out, nil
	}
	numbers, err := s.references(ctx, q, paymentRef, len(add))
	if err != nil {
		return nil, err
	}
	for k := range add {
		add[k].Reference = numbers[k]
	}
	if add, err = q.AddBankPayments(ctx, add); err != nil {
		return nil, err
	}
	ps := make([]arrived, len(add))
	for k, p := range add {
		ps[k] = arrived{p, from[k]}
		out[at[k]] = Recorded{Payment: p, Fresh: true}
	}
	for i, k := range repeat {
		out[i] = Recorded{Payment: add[k]}
	}
	return out, s.booked(ctx, q, ps...)
}
