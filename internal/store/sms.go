package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Purposes of SMS codes: a code proves only what it was sent for.
const (
	SMSSetup  = "setup"  // confirms a new number
	SMSVerify = "verify" // proves the confirmed number at login and step-up
)

// SMSNumber is an account's phone number for SMS codes.
type SMSNumber struct {
	Phone       string // E.164
	ConfirmedAt *time.Time
}

// SMS returns an account's number, confirmed or not; NotFound when none.
func (q *Queries) SMS(ctx context.Context, id uuid.UUID) (*SMSNumber, error) {
	r, err := q.gen.SMSGet(ctx, q.db, id)
	if err != nil {
		return nil, notFound(err, "no phone number is set up for SMS codes")
	}
	return &SMSNumber{Phone: r.Phone, ConfirmedAt: r.ConfirmedAt}, nil
}

// Factors are the second factors an account has switched on.
type Factors struct {
	TOTP     bool
	SMS      string // the confirmed number, E.164; empty when SMS codes are off
	Password bool
	Passkeys int
}

// SecondFactors reads which second factors an account has switched on.
func (q *Queries) SecondFactors(ctx context.Context, id uuid.UUID) (Factors, error) {
	r, err := q.gen.SecondFactors(ctx, q.db, id)
	return Factors{TOTP: r.Totp, SMS: r.SmsPhone, Password: r.Password, Passkeys: int(r.Passkeys)}, err
}

// SMSCode is a new code to store and the limits it is issued under.
type SMSCode struct {
	Account uuid.UUID
	Purpose string
	Phone   string // SMSSetup: the number to confirm
	Hash    []byte
	Now     time.Time
	Expires time.Time
	// Window is how far back sends count for Allow; older codes and
	// numbers never confirmed are pruned, anyone'q.
	Window time.Duration
	// Allow decides from the account's sends within Window (oldest first)
	// whether another one may go; its error is returned as it is.
	Allow func(sent []time.Time) error
}

// IssueSMSCode stores a new code in one transaction that holds the
// account's SMS row, so that concurrent requests cannot both pass the
// resend limit. For SMSSetup it records Phone as the number to confirm
// (Conflict when a confirmed one exists); for SMSVerify it reads the
// confirmed number (NotFound without one). Earlier codes stop working. It
// returns the number to send the code to.
func (q *Queries) IssueSMSCode(ctx context.Context, c SMSCode) (string, error) {
	phone := c.Phone
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		switch c.Purpose {
		case SMSSetup:
			n, err := q.gen.SMSBegin(ctx, tx, dbq.SMSBeginParams{AccountID: c.Account, Phone: c.Phone, Now: c.Now})
			if err != nil {
				return err
			}
			if n == 0 {
				return apperr.New(apperr.Conflict, "SMS codes are set up already; switch them off first to use another number")
			}
		default:
			var err error
			if phone, err = q.gen.SMSConfirmedForUpdate(ctx, tx, c.Account); err != nil {
				return notFound(err, "no phone number is set up for SMS codes")
			}
		}
		sent, err := q.gen.SMSCodesSentSince(ctx, tx, dbq.SMSCodesSentSinceParams{AccountID: c.Account, Since: c.Now.Add(-c.Window)})
		if err != nil {
			return err
		}
		if err := c.Allow(sent); err != nil {
			return err
		}
		if err := q.gen.SMSCodesVoid(ctx, tx, dbq.SMSCodesVoidParams{AccountID: c.Account, Now: c.Now}); err != nil {
			return err
		}
		if err := q.gen.SMSCodeAdd(ctx, tx, dbq.SMSCodeAddParams{AccountID: c.Account, Purpose: c.Purpose, Hash: c.Hash, Now: c.Now, ExpiresAt: c.Expires}); err != nil {
			return err
		}
		if err := q.gen.SMSCodesPrune(ctx, tx, c.Now.Add(-c.Window)); err != nil {
			return err
		}
		return q.gen.SMSUnconfirmedPrune(ctx, tx, c.Now.Add(-c.Window))
	})
	return phone, err
}

// SMSAttempt is an entered code, hashed.
type SMSAttempt struct {
	Account     uuid.UUID
	Purpose     string
	Hash        []byte
	Now         time.Time
	MaxAttempts int
}

// UseSMSCode spends the account's live code when the hash matches and
// reports whether it did; otherwise the wrong entry counts against the
// code, which stops working after MaxAttempts of them.
func (q *Queries) UseSMSCode(ctx context.Context, a SMSAttempt) (bool, error) {
	ok := false
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		ok, err = q.useSMSCode(ctx, tx, a)
		return err
	})
	return ok, err
}

func (q *Queries) useSMSCode(ctx context.Context, tx pgx.Tx, a SMSAttempt) (bool, error) {
	n, err := q.gen.SMSCodeUse(ctx, tx, dbq.SMSCodeUseParams{AccountID: a.Account, Purpose: a.Purpose, Hash: a.Hash, Now: a.Now, MaxAttempts: int32(a.MaxAttempts)})
	if err != nil || n == 1 {
		return n == 1, err
	}
	return false, q.gen.SMSCodeMiss(ctx, tx, dbq.SMSCodeMissParams{AccountID: a.Account, Purpose: a.Purpose, Now: a.Now, MaxAttempts: int32(a.MaxAttempts)})
}

// ConfirmSMS spends a setup code and switches SMS codes on, in one
// transaction, returning the number; ok is false for a wrong code (the
// miss counts as in UseSMSCode).
func (q *Queries) ConfirmSMS(ctx context.Context, a SMSAttempt) (phone string, ok bool, err error) {
	a.Purpose = SMSSetup
	err = q.inTx(ctx, func(tx pgx.Tx) error {
		if ok, err = q.useSMSCode(ctx, tx, a); err != nil || !ok {
			return err
		}
		phone, err = q.gen.SMSConfirm(ctx, tx, dbq.SMSConfirmParams{AccountID: a.Account, Now: a.Now})
		if noRows(err) {
			// Switched on or removed by another request meanwhile.
			ok = false
			return nil
		}
		return err
	})
	return phone, ok, err
}

// DeleteSMS removes the account's number and any live code, and reports
// whether SMS codes were on (rather than the number being confirmed).
// NotFound when the account has no number.
func (q *Queries) DeleteSMS(ctx context.Context, id uuid.UUID) (wasOn bool, err error) {
	err = q.inTx(ctx, func(tx pgx.Tx) error {
		if err := q.gen.SMSCodesDrop(ctx, tx, id); err != nil {
			return err
		}
		wasOn, err = q.gen.SMSDelete(ctx, tx, id)
		return notFound(err, "no phone number is set up for SMS codes")
	})
	return wasOn, err
}
