package payments

import (
	"context"
	"errors"
	"strconv"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/fees"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payprovider"
	"github.com/schalter-ch/schalter/internal/store"
)

// Refund states.
const (
	RefundPending   = "pending"
	RefundSucceeded = "succeeded"
	RefundFailed    = "failed"
)

// RefundRequest is staff giving money back on a case of their office.
type RefundRequest struct {
	Staff  uuid.UUID
	Email  string
	Number string
	// Amount to give back; 0 is everything still refundable.
	Amount int64
	Reason string
	// CancelFees also takes the case's fees back (a rejected case owes
	// nothing), booked as a correction of their charge.
	CancelFees bool
}

// RefundCase gives money back on a case, across its payments newest
// first, never more than is still refundable (the payments' refunded
// amounts are reserved in this transaction, so parallel refunds cannot
// exceed it together). Each refund is sent to its provider by a job;
// payments by bank are refunded by the finance office's own transfer and
// booked at once.
func (s *Service) RefundCase(ctx context.Context, in RefundRequest) ([]Refund, error) {
	if in.Amount < 0 {
		return nil, apperr.InvalidFields("a negative refund", apperr.FieldError{Path: "body.amount_rappen", Message: "must be 0 (everything) or more"})
	}
	var out []Refund
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		c, err := cases.StaffCase(ctx, q, in.Staff, in.Number)
		if err != nil {
			return err
		}
		if c, err = q.LockCase(ctx, c.ID); err != nil {
			return err
		}
		ps, err := q.CasePayments(ctx, c.ID)
		if err != nil {
			return err
		}
		var refundable int64
		for _, p := range ps {
			if p.Status == payprovider.Paid {
				refundable += p.Amount - p.Refunded
			}
		}
		want := in.Amount
		if want == 0 {
			want = refundable
		}
		if want > refundable {
			return apperr.InvalidFields("more than was paid", apperr.FieldError{Path: "body.amount_rappen",
				Message: "at most " + Chf(refundable) + " can still be refunded"})
		}
		if in.CancelFees {
			if err := s.cancelFees(ctx, q, c, in.Reason); err != nil {
				return err
			}
		}
		if want == 0 && !in.CancelFees {
			return apperr.New(apperr.Conflict, "nothing was paid on this case that could be refunded")
		}
		for i := len(ps) - 1; i >= 0 && want > 0; i-- {
			p := ps[i]
			left := p.Amount - p.Refunded
			if p.Status != payprovider.Paid || left <= 0 {
				continue
			}
			amount := min(left, want)
			want -= amount
			r, err := s.refundPayment(ctx, q, c, p, amount, in)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// refundPayment reserves amount of p and refunds it.
func (s *Service) refundPayment(ctx context.Context, q *store.Queries, c store.Case, p Payment, amount int64, in RefundRequest) (Refund, error) {
	if err := q.AddRefunded(ctx, p.ID, amount); err != nil {
		return Refund{}, err
	}
	r, err := q.AddRefund(ctx, store.Refund{ID: uuid.New(), Payment: p.ID, Amount: amount, Reason: in.Reason, RequestedBy: in.Email})
	if err != nil {
		return Refund{}, err
	}
	if err := cases.Note(ctx, q, c.ID, "payments", "Rückerstattung veranlasst: "+Chf(amount)); err != nil {
		return Refund{}, err
	}
	if p.Method == Bank {
		ref := "manual"
		r.ProviderRef = &ref
		return r, s.refunded(ctx, q, c, p, r, ledger.Bank(s.cfg.Account))
	}
	return r, q.Enqueue(ctx, RefundArgs{Refund: r.ID}, nil)
}

// refunded books a succeeded refund: the money leaves the account it came
// in on, and the case's receivable grows by it again.
func (s *Service) refunded(ctx context.Context, q *store.Queries, c store.Case, p Payment, r Refund, money string) error {
	entry, _, err := s.ledger.Post(ctx, q, ledger.Entry{Kind: ledger.Refund, Case: &c.ID, Memo: "Rückerstattung " + c.Number + " " + p.Reference,
		Source:   "refund:" + r.ID.String(),
		Postings: []ledger.Posting{ledger.Line(ledger.Receivable(c.Office), r.Amount, &c.ID), ledger.Line(money, -r.Amount, nil)}})
	if err != nil {
		return err
	}
	r.Status, r.Entry = RefundSucceeded, &entry
	return q.SetRefundState(ctx, r)
}

// cancelFees takes back every fee of the case not taken back yet: one
// correction entry per charge, reversing it.
func (s *Service) cancelFees(ctx context.Context, q *store.Queries, c store.Case, reason string) error {
	fs, err := q.CaseFees(ctx, c.ID)
	if err != nil {
		return err
	}
	byCharge := map[int64][]Fee{}
	var order []int64
	for _, f := range fs {
		if f.CancelEntry != nil {
			continue
		}
		if byCharge[f.ChargeEntry] == nil {
			order = append(order, f.ChargeEntry)
		}
		byCharge[f.ChargeEntry] = append(byCharge[f.ChargeEntry], f)
	}
	for _, charge := range order {
		fs := byCharge[charge]
		lines := make([]fees.Line, 0, len(fs))
		for _, f := range fs {
			lines = append(lines, fees.Line{Type: f.Type, Amount: f.Amount, VAT: f.VAT, VATAmount: f.VATAmount})
		}
		corrects := charge
		entry, _, err := s.ledger.Post(ctx, q, ledger.Entry{Kind: ledger.Correction, Case: &c.ID, Corrects: &corrects,
			Memo: "Gebühren storniert " + c.Number + ": " + reason, Source: "cancel:" + c.ID.String() + ":" + strconv.FormatInt(charge, 10),
			Postings: chargePostings(c, lines, -1)})
		if err != nil {
			return err
		}
		for _, f := range fs {
			if err := q.CancelFee(ctx, f.ID, entry); err != nil {
				return err
			}
		}
	}
	return nil
}

// RefundArgs sends a refund to its provider.
type RefundArgs struct {
	Refund uuid.UUID `json:"refund"`
}

// Kind names the job in River.
func (RefundArgs) Kind() string { return "payments_refund" }

// RefundWorker sends refunds.
type RefundWorker struct {
	river.WorkerDefaults[RefundArgs]
	Service *Service
}

// Work implements river.Worker: the provider is asked with the refund's
// id as idempotency key, so a retry after a lost answer never refunds
// twice. A refusal releases the reserved amount; a provider that does not
// answer is asked again by River's retries.
func (w *RefundWorker) Work(ctx context.Context, job *river.Job[RefundArgs]) error {
	s := w.Service
	return s.st.InTx(ctx, func(q *store.Queries) error {
		r, err := q.LockRefund(ctx, job.Args.Refund)
		if err != nil || r.Status != RefundPending {
			return err
		}
		p, err := q.LockPayment(ctx, r.Payment)
		if err != nil {
			return err
		}
		prov, ok := s.providers[p.Method]
		if !ok || p.Charge == nil {
			return errors.New("payments: refund " + r.ID.String() + ": no provider or charge for payment " + p.ID.String())
		}
		res, err := prov.Refund(ctx, payprovider.Refund{Charge: *p.Charge, Amount: r.Amount, IdempotencyKey: r.ID.String(), Reason: r.Reason})
		if err != nil {
			return err
		}
		r.ProviderRef = &res.ID
		c, err := q.LockCase(ctx, p.Case)
		if err != nil {
			return err
		}
		if res.State == "failed" {
			r.Status = RefundFailed
			if err := q.AddRefunded(ctx, p.ID, -r.Amount); err != nil {
				return err
			}
			if err := cases.Note(ctx, q, c.ID, "payments", "Rückerstattung fehlgeschlagen: "+Chf(r.Amount)); err != nil {
				return err
			}
			return q.SetRefundState(ctx, r)
		}
		// pending at the provider is as good as done for the books: the
		// provider owes the money back to the person now.
		return s.refunded(ctx, q, c, p, r, ledger.Clearing(p.Method))
	})
}
