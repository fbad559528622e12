package payments

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/ledger"
	"github.com/schalter-ch/schalter/internal/payprovider"
	"github.com/schalter-ch/schalter/internal/store"
)

// CheckoutTTL is how long a hosted checkout runs.
const CheckoutTTL = time.Hour

// CheckoutRequest is a person paying their case with a provider.
type CheckoutRequest struct {
	Account     uuid.UUID
	Email       string
	Number      string
	Provider    string
	Language    string
	Description string // the service's title, in the person's language
}

// Checkout starts (or resumes) paying what is open on the account's case
// with a provider and returns the payment with the page to send the
// browser to. A checkout still running for the case is reused, so a
// double click or a retry never opens two.
func (s *Service) Checkout(ctx context.Context, in CheckoutRequest) (Payment, error) {
	prov, err := s.providerOf(in.Provider)
	if err != nil {
		return Payment{}, err
	}
	var p Payment
	var resumed bool
	err = s.st.InTx(ctx, func(q *store.Queries) error {
		c, err := cases.AccountCase(ctx, q, in.Account, in.Number)
		if err != nil {
			return err
		}
		if c, err = q.LockCase(ctx, c.ID); err != nil {
			return err
		}
		if slices.Contains(notPayable, c.Status) {
			return apperr.New(apperr.Conflict, "the case is %s: there is nothing to pay", c.Status)
		}
		open, err := q.CaseOpenAmount(ctx, c.ID)
		if err != nil {
			return err
		}
		if _, err := q.CaseBill(ctx, c.ID); err != nil {
			return err
		}
		if open <= 0 {
			return apperr.New(apperr.Conflict, "the case is paid")
		}
		if running, ok, err := q.OpenCheckout(ctx, c.ID, prov.Name()); err != nil || (ok && running.Amount == open) {
			p, resumed = running, ok
			return err
		}
		ref, err := s.reference(ctx, q, paymentRef)
		if err != nil {
			return err
		}
		p, err = q.AddPayment(ctx, store.Payment{ID: uuid.New(), Reference: ref, Case: c.ID, Account: &in.Account, Method: prov.Name(),
			Status: payprovider.Pending, Amount: open})
		p.CaseNumber = c.Number
		return err
	})
	if err != nil || resumed {
		return p, err
	}
	back := s.cfg.PublicURL + "/account/cases/" + url.PathEscape(p.CaseNumber) + "?payment=" + p.ID.String()
	sess, err := prov.StartCheckout(ctx, payprovider.Checkout{Payment: p.ID.String(), Reference: p.Reference, Amount: p.Amount, Currency: "CHF",
		Description: in.Description + " – " + p.CaseNumber, Language: in.Language, Email: in.Email,
		SuccessURL: back + "&outcome=done", CancelURL: back + "&outcome=cancelled", ExpiresAt: s.now().Add(CheckoutTTL), IdempotencyKey: p.ID.String()})
	if err != nil {
		// The payment stays pending without a session: nobody can pay it,
		// and the person simply tries again.
		return Payment{}, &apperr.Error{Code: apperr.Unavailable, Message: "the payment provider does not answer; please try again in a moment", Cause: err}
	}
	if err := s.st.StartedPayment(ctx, p.ID, sess.ID, sess.RedirectURL, sess.ExpiresAt); err != nil {
		return Payment{}, err
	}
	p.Session, p.RedirectURL, p.ExpiresAt = &sess.ID, &sess.RedirectURL, &sess.ExpiresAt
	return p, nil
}

// Webhook processes a provider's event: its signature checked by the
// provider, once per event id (a repetition is answered and ignored), in
// one transaction with everything it causes, committed when Webhook
// returns. An event about a session Schalter does not know is recorded
// and ignored (it may belong to another system on the same provider
// account).
//
// Events are applied in batches (webhooks.go): those that arrive while
// a batch commits share the next one, so that a rush of confirmations
// costs a few statements per batch instead of a dozen per event.
func (s *Service) Webhook(ctx context.Context, provider string, payload []byte, header http.Header) error {
	prov, ok := s.providers[provider]
	if !ok {
		return apperr.New(apperr.NotFound, "no such payment provider")
	}
	ev, err := prov.ParseWebhook(payload, header)
	if errors.Is(err, payprovider.ErrSignature) {
		return apperr.New(apperr.Unauthorized, "the webhook's signature does not verify")
	}
	if err != nil {
		return apperr.InvalidFields("the webhook cannot be read", apperr.FieldError{Path: "body", Message: err.Error()})
	}
	return s.webhooks.apply(ctx, webhookEvent{provider: provider, Event: ev})
}

// decide says what the provider's status st at time at makes of payment
// p, and whether anything changes. "paid" is final and always wins (the
// money is taken); otherwise a state older than the one applied is
// ignored, and a final state is not undone by "pending". A payment paid
// now takes the provider's amount, time, method and charge.
func (s *Service) decide(p Payment, st payprovider.Status, at time.Time) (Payment, bool) {
	switch {
	case p.Status == payprovider.Paid || st.State == p.Status:
		return p, false
	case st.State == payprovider.Pending:
		return p, false
	case st.State != payprovider.Paid && p.StateAt != nil && at.Before(*p.StateAt):
		return p, false
	}
	p.Status, p.StateAt = st.State, &at
	if st.State != payprovider.Paid {
		return p, true
	}
	if st.Amount > 0 {
		p.Amount = st.Amount
	}
	paidAt := st.PaidAt
	if paidAt.IsZero() {
		paidAt = s.now()
	}
	p.PaidAt, p.PaidWith = &paidAt, st.Method
	if st.Charge != "" {
		p.Charge = &st.Charge
	}
	return p, true
}

// changed records the new states of locked payments (distinct) and books
// those paid now: their amounts off the cases' receivables onto the
// providers' clearing accounts, the cases that waited for them to their
// offices, the receipts.
func (s *Service) changed(ctx context.Context, q *store.Queries, ps ...Payment) error {
	if len(ps) == 0 {
		return nil
	}
	if err := q.SetPaymentStates(ctx, ps); err != nil {
		return err
	}
	var paid []arrived
	for _, p := range ps {
		if p.Status == payprovider.Paid {
			paid = append(paid, arrived{p, ledger.Clearing(p.Method)})
		}
	}
	if len(paid) == 0 {
		return nil
	}
	return s.booked(ctx, q, paid...)
}

// apply records what the provider said about locked payment p at time
// at, and what follows from it (decide).
func (s *Service) apply(ctx context.Context, q *store.Queries, p Payment, st payprovider.Status, at time.Time) error {
	if p, ok := s.decide(p, st, at); ok {
		return s.changed(ctx, q, p)
	}
	return nil
}

// arrived is a paid payment and the ledger account of the money it
// brought (a provider's clearing, the bank).
type arrived struct {
	Payment
	money string
}

// booked books paid payments against their cases' receivables from the
// money accounts they arrived on, notes them on the cases' timelines,
// hands the cases that waited for them to their offices, and enqueues
// their receipts: one payment of a webhook, or a bank file's thousands,
// in the same five statements. A payment booked before books nothing.
func (s *Service) booked(ctx context.Context, q *store.Queries, ps ...arrived) error {
	ids := make([]uuid.UUID, 0, len(ps))
	seen := make(map[uuid.UUID]bool, len(ps)) // a bank file's 10,000: no search of ids per payment
	for _, p := range ps {
		if !seen[p.Case] {
			seen[p.Case] = true
			ids = append(ids, p.Case)
		}
	}
	locked, err := q.LockCases(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[uuid.UUID]cases.Record, len(locked))
	for _, c := range locked {
		byID[c.ID] = c
	}
	entries := make([]ledger.Entry, len(ps))
	for i, p := range ps {
		c := byID[p.Case]
		entries[i] = ledger.Entry{Kind: ledger.Payment, Case: &c.ID, ValueDate: s.ledger.Day(*p.PaidAt),
			Memo: "Zahlung " + c.Number + " " + p.Reference, Source: "payment:" + p.ID.String(),
			Postings: []ledger.Posting{ledger.Line(p.money, p.Amount, nil), ledger.Line(ledger.Receivable(c.Office), -p.Amount, &c.ID)}}
	}
	entryIDs, err := s.ledger.PostMany(ctx, q, entries)
	if err != nil {
		return err
	}
	open, err := q.CasesOpenAmounts(ctx, ids)
	if err != nil {
		return err
	}
	var (
		steps    []cases.PaymentStep
		receipts []river.JobArgs
	)
	for i, p := range ps {
		if entryIDs[i] == 0 {
			continue
		}
		steps = append(steps, cases.PaymentStep{Case: byID[p.Case], Message: "Zahlung erhalten: " + Chf(p.Amount), Settled: open[p.Case] <= 0})
		receipts = append(receipts, ReceiptArgs{Payment: p.ID})
	}
	if err := s.cases.PaymentSteps(ctx, q, steps); err != nil {
		return err
	}
	return q.EnqueueMany(ctx, receipts)
}

// ConfirmEvery is how often the backstop asks providers about checkouts
// without an outcome; ConfirmAfter how old a checkout must be to be asked
// about (the webhook usually comes within seconds).
const (
	ConfirmEvery = 2 * time.Minute
	ConfirmAfter = 2 * time.Minute
)

// ConfirmArgs is the periodic backstop job (a jobs.Chore of Confirm).
type ConfirmArgs struct{}

// Kind names the job in River.
func (ConfirmArgs) Kind() string { return "payments_confirm" }

// Confirm asks the providers about checkouts still pending after
// ConfirmAfter and applies their answers, as if the webhook had come:
// the backstop for lost webhooks. A checkout past its end that the
// provider still calls pending is expired; one the provider does not
// know failed. It says how many payments changed.
func (s *Service) Confirm(ctx context.Context) (int64, error) {
	pending, err := s.st.PaymentsToConfirm(ctx, s.Providers(), s.now().Add(-ConfirmAfter), 200)
	if err != nil {
		return 0, err
	}
	var changed int64
	for _, p := range pending {
		st, err := s.providers[p.Method].Lookup(ctx, *p.Session)
		switch {
		case errors.Is(err, payprovider.ErrUnknownSession):
			st = payprovider.Status{Session: *p.Session, State: payprovider.Failed}
		case err != nil:
			return changed, err // the provider is down: the next run asks again
		case st.State == payprovider.Pending && p.ExpiresAt != nil && s.now().After(p.ExpiresAt.Add(5*time.Minute)):
			st.State = payprovider.Expired
		}
		if st.State == payprovider.Pending {
			continue
		}
		err = s.st.InTx(ctx, func(q *store.Queries) error {
			locked, err := q.LockPayment(ctx, p.ID)
			if err != nil {
				return err
			}
			return s.apply(ctx, q, locked, st, s.now())
		})
		if err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}
