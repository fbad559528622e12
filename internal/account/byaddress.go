package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
)

// Requests that name an address, not an account (a password reset, a run
// of wrong passwords), must not tell a stranger whether the address has an
// account: not by the answer, and not by how long the answer takes. So the
// request does the same for every address: it enqueues one ByAddressArgs
// job, and the job, away from the request, looks the address up and
// decides what to mail.

// Purposes of ByAddressArgs.
const (
	// byAddressReset mails a reset link, or "no account with this address".
	byAddressReset = "reset"
	// byAddressThrottled tells an account's owner that logins with a
	// password from new devices pause after many wrong passwords.
	byAddressThrottled = "login_throttled"
)

// addressContext binds a sealed address to these jobs.
var addressContext = []byte("account-by-address")

// ByAddressArgs is a request about an address, worked by ByAddressWorker.
// The address is sealed: the job table is read by operators.
type ByAddressArgs struct {
	Purpose string `json:"purpose"`
	Sealed  []byte `json:"sealed"`
}

// Kind names the job in River.
func (ByAddressArgs) Kind() string { return "account_by_address" }

// InsertOpts: the job only enqueues a mail job, which has its own retries.
func (ByAddressArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// byAddress enqueues the job for purpose and the address as typed, on q.
func (s *Service) byAddress(ctx context.Context, q *store.Queries, purpose, typed string) error {
	if s.Outbox == nil || s.Secrets == nil {
		return apperr.New(apperr.Unavailable, "e-mail is not configured (SCHALTER_SMTP_ADDR); mails cannot be sent right now")
	}
	return q.Enqueue(ctx, ByAddressArgs{Purpose: purpose, Sealed: s.Secrets.Seal([]byte(typed), addressContext)}, nil)
}

// ByAddressWorker works ByAddressArgs.
type ByAddressWorker struct {
	river.WorkerDefaults[ByAddressArgs]
	Service *Service
}

// errUnopenable: a job sealed with another key (the key was replaced)
// can never be worked.
var errUnopenable = errors.New("account: the address cannot be opened (sealed with another key)")

// Work looks the address up and enqueues the mail its purpose calls for.
func (w *ByAddressWorker) Work(ctx context.Context, job *river.Job[ByAddressArgs]) error {
	s := w.Service
	plain, err := s.Secrets.Open(job.Args.Sealed, addressContext)
	if err != nil {
		return river.JobCancel(errUnopenable)
	}
	typed, normalized, err := NormalizeEmail(string(plain))
	if err != nil {
		return river.JobCancel(err)
	}
	acc, err := s.Store.AccountByEmail(ctx, normalized)
	known := err == nil && acc.EmailVerifiedAt != nil
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return err
	}
	switch job.Args.Purpose {
	case byAddressReset:
		if !known {
			// The person who forgot which address they used learns it is
			// not this one.
			return s.send(ctx, s.Store.Queries, "reset_unknown", typed, s.text("reset_unknown", ""))
		}
		return s.mailResetLink(ctx, acc)
	case byAddressThrottled:
		if !known {
			return nil // nobody to tell; strangers are never mailed
		}
		return s.Store.InTx(ctx, func(q *store.Queries) error {
			return s.mailNotice(ctx, q, acc.Email, byAddressThrottled, securityText(s.City, byAddressThrottled))
		})
	default:
		return river.JobCancel(fmt.Errorf("account: unknown purpose %q", job.Args.Purpose))
	}
}

// mailResetLink creates a reset token for acc and enqueues its mail, in
// one transaction.
func (s *Service) mailResetLink(ctx context.Context, acc *store.Account) error {
	token, hash := NewToken()
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		if err := q.CreateEmailToken(ctx, hash, acc.ID, "reset", time.Now().Add(resetFor)); err != nil {
			return err
		}
		return s.send(ctx, q, "reset", acc.Email, mailText{
			subject: "Neues Passwort für Ihr Konto",
			body: fmt.Sprintf("Guten Tag\n\nMit diesem Link setzen Sie ein neues Passwort (gültig eine Stunde):\n\n%s/account/reset#%s\n\n"+
				"Wenn Sie das nicht angefordert haben, können Sie diese Nachricht ignorieren; Ihr Passwort bleibt dann, wie es ist.\n\nStadt %s",
				s.PublicURL, token, s.City),
		})
	})
}
