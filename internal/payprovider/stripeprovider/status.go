package stripeprovider

import (
	"fmt"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/schalter-ch/schalter/internal/payprovider"
)

// sessionState reads a retrieved session (PaymentIntent expanded):
//
//   - open: the page is still usable, even after a declined card (the
//     person can try again there) → pending. Stripe has no "cancelled":
//     a person who leaves through the cancel URL leaves the session open
//     until it expires.
//   - expired → expired.
//   - complete and paid → paid.
//   - complete and unpaid: an asynchronous method has not settled yet →
//     pending; or it failed, which leaves the PaymentIntent without a
//     usable payment method (or cancelled) → failed. A complete session
//     cannot be paid again, so a failure there is final.
func sessionState(s *stripe.CheckoutSession) (string, error) {
	switch s.Status {
	case stripe.CheckoutSessionStatusOpen:
		return payprovider.Pending, nil
	case stripe.CheckoutSessionStatusExpired:
		return payprovider.Expired, nil
	case stripe.CheckoutSessionStatusComplete:
		if s.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid {
			return payprovider.Paid, nil
		}
		if pi := s.PaymentIntent; pi != nil &&
			(pi.Status == stripe.PaymentIntentStatusCanceled ||
				pi.Status == stripe.PaymentIntentStatusRequiresPaymentMethod && pi.LastPaymentError != nil) {
			return payprovider.Failed, nil
		}
		return payprovider.Pending, nil
	}
	// A status Stripe added after this code was written: an error, rather
	// than a guess that could close a payment that is not finished.
	return "", fmt.Errorf("stripeprovider: session %s has the unknown status %q", s.ID, s.Status)
}

// eventState is the state a checkout event reports; "" for events that
// are not about a checkout's outcome.
func eventState(t stripe.EventType, s *stripe.CheckoutSession) string {
	switch t {
	case stripe.EventTypeCheckoutSessionCompleted:
		// Completed with an asynchronous method means "submitted": the
		// money follows with async_payment_succeeded or _failed.
		if s.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid {
			return payprovider.Paid
		}
		return payprovider.Pending
	case stripe.EventTypeCheckoutSessionAsyncPaymentSucceeded:
		return payprovider.Paid
	case stripe.EventTypeCheckoutSessionAsyncPaymentFailed:
		return payprovider.Failed
	case stripe.EventTypeCheckoutSessionExpired:
		return payprovider.Expired
	}
	return ""
}

// status builds the contract's Status; the money fields only for a paid
// session, as the contract has them.
func status(s *stripe.CheckoutSession, state string, paid time.Time) payprovider.Status {
	st := payprovider.Status{Session: s.ID, State: state}
	if state != payprovider.Paid {
		return st
	}
	st.Amount = s.AmountTotal
	st.Method = method(s)
	st.PaidAt = paid
	if s.PaymentIntent != nil {
		st.Charge = s.PaymentIntent.ID
	}
	return st
}

// method is how the person paid: the charge says so when the session was
// retrieved with it; in a webhook (the PaymentIntent is an id only) it is
// known only when the session offered a single method, and is empty
// otherwise (a Lookup of the session fills it in).
func method(s *stripe.CheckoutSession) string {
	if pi := s.PaymentIntent; pi != nil && pi.LatestCharge != nil && pi.LatestCharge.PaymentMethodDetails != nil {
		return string(pi.LatestCharge.PaymentMethodDetails.Type)
	}
	if len(s.PaymentMethodTypes) == 1 {
		return s.PaymentMethodTypes[0]
	}
	return ""
}

// paidAt is when a retrieved session was paid: its charge's time. A
// session has no completion time of its own, so without a charge (which a
// paid session always has, unless Stripe changes what it returns) it is
// the time Schalter learned of the payment.
func paidAt(s *stripe.CheckoutSession) time.Time {
	if pi := s.PaymentIntent; pi != nil && pi.LatestCharge != nil && pi.LatestCharge.Created != 0 {
		return time.Unix(pi.LatestCharge.Created, 0).UTC()
	}
	return time.Now().UTC()
}
