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

// RecordBankPayment books a bank credit for bill b in q's transaction,
// as a paid payment of method bank: the case's receivable against the
// bank account, the timeline note, a pay-first case handed to its office,
// the receipt. fresh is false when the credit was booked before (nothing
// is written then); the returned payment is the earlier one.
func (s *Service) RecordBankPayment(ctx context.Context, q *store.Queries, b Bill, c BankCredit) (p Payment, fresh bool, err error) {
	if c.Amount <= 0 || c.BankRef == "" {
		return Payment{}, false, apperr.InvalidFields("not a credit", apperr.FieldError{Path: "amount", Message: "must be positive, with the bank's reference"})
	}
	if p, err = q.LockPaymentBySession(ctx, Bank, c.BankRef); err == nil {
		return p, false, nil
	} else if apperr.CodeOf(err) != apperr.NotFound {
		return Payment{}, false, err
	}
	ref, err := s.reference(ctx, q, paymentRef)
	if err != nil {
		return Payment{}, false, err
	}
	paidAt := c.BookedOn
	if paidAt.IsZero() {
		paidAt = s.now()
	}
	p, err = q.AddPayment(ctx, store.Payment{ID: uuid.New(), Reference: ref, Case: b.Case, Account: b.Account, Method: Bank, Session: &c.BankRef,
		Status: payprovider.Paid, Amount: c.Amount, PaidAt: &paidAt, PaidWith: "qr-bill", StateAt: &paidAt})
	if err != nil {
		return Payment{}, false, err
	}
	from := c.From
	if from == "" {
		from = ledger.Bank(c.IBAN)
	}
	return p, true, s.booked(ctx, q, p, from)
}
