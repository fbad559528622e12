package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
)

// SMS codes: six digits, valid five minutes, single use, five wrong
// entries per code, and at most one message a minute and five an hour per
// account (the limits protect the person's phone and the city's bill as
// much as the code).
const (
	SMSCodeFor     = 5 * time.Minute
	SMSMaxAttempts = 5
	SMSResendAfter = time.Minute
	SMSPerHour     = 5
)

// SMSSent says where a code went and until when it works.
type SMSSent struct {
	To        string // masked
	ExpiresAt time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// smsReady tells whether SMS codes can be used on this server.
func (s *Service) smsReady() error {
	if s.SMS == nil {
		return apperr.New(apperr.Unavailable, "SMS codes are not available on this server")
	}
	return s.secrets()
}

// BeginSMS sends a code to a new number; the number becomes the account's
// second factor once ConfirmSMS gets the code back. An account whose SMS
// codes are on already gets Conflict (switch them off first).
func (s *Service) BeginSMS(ctx context.Context, id uuid.UUID, phone string) (*SMSSent, error) {
	if err := s.smsReady(); err != nil {
		return nil, err
	}
	e164, err := NormalizeMobile(phone)
	if err != nil {
		return nil, err
	}
	return s.sendSMSCode(ctx, id, store.SMSSetup, e164)
}

// SendSMSCode sends a code to the account's confirmed number, for a login
// or a step-up; NotFound when it has none.
func (s *Service) SendSMSCode(ctx context.Context, id uuid.UUID) (*SMSSent, error) {
	if err := s.smsReady(); err != nil {
		return nil, err
	}
	return s.sendSMSCode(ctx, id, store.SMSVerify, "")
}

func (s *Service) sendSMSCode(ctx context.Context, id uuid.UUID, purpose, phone string) (*SMSSent, error) {
	code, err := newSMSCode()
	if err != nil {
		return nil, err
	}
	now := s.now()
	to, err := s.Store.IssueSMSCode(ctx, store.SMSCode{
		Account: id, Purpose: purpose, Phone: phone, Hash: s.smsHash(id, purpose, code),
		Now: now, Expires: now.Add(SMSCodeFor), Window: time.Hour, Allow: smsAllowed(now),
	})
	if err != nil {
		return nil, err
	}
	// The code is stored before it is sent, so a failed message still
	// counts against the limits: a gateway that is down is not retried in
	// a tight loop at the city's expense.
	text := fmt.Sprintf("Ihr Code für Schalter %s: %s. Gültig %d Minuten. Niemandem weitergeben.", s.City, code, int(SMSCodeFor.Minutes()))
	if err := s.SMS.Send(ctx, to, text); err != nil {
		if s.Log != nil {
			s.Log.ErrorContext(ctx, "SMS not sent", "err", err) // the error holds neither the code nor the token
		}
		return nil, apperr.New(apperr.Unavailable, "the SMS could not be sent; please try again in a minute")
	}
	return &SMSSent{To: MaskPhone(to), ExpiresAt: now.Add(SMSCodeFor)}, nil
}

// smsAllowed applies the resend limits to the account's recent sends
// (oldest first): one a minute, SMSPerHour an hour. The answer names the
// limit that keeps the person waiting longer.
func smsAllowed(now time.Time) func(sent []time.Time) error {
	return func(sent []time.Time) error {
		var minute, hour time.Duration
		if n := len(sent); n > 0 {
			minute = sent[n-1].Add(SMSResendAfter).Sub(now)
		}
		if n := len(sent); n >= SMSPerHour {
			hour = sent[n-SMSPerHour].Add(time.Hour).Sub(now)
		}
		switch {
		case hour > 0 && hour >= minute:
			return apperr.TooMany(hour, "%d codes were sent in the last hour; a new one can be sent in %d minutes", SMSPerHour, int((hour+time.Minute-1)/time.Minute))
		case minute > 0:
			return apperr.TooMany(minute, "a code was sent a moment ago; a new one can be sent in %d seconds", int((minute+time.Second-1)/time.Second))
		}
		return nil
	}
}

// ConfirmSMS checks the code sent by BeginSMS and switches SMS codes on.
func (s *Service) ConfirmSMS(ctx context.Context, id uuid.UUID, code string) error {
	if err := s.smsReady(); err != nil {
		return err
	}
	if err := s.limit(ctx, "2fa:"+id.String(), "too many attempts"); err != nil {
		return err
	}
	code = smsDigits(code)
	// A wrong code commits too: it counts against SMSMaxAttempts.
	var ok bool
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if _, ok, err = q.ConfirmSMS(ctx, store.SMSAttempt{Account: id, Hash: s.smsHash(id, store.SMSSetup, code), Now: s.now(), MaxAttempts: SMSMaxAttempts}); err != nil || !ok {
			return err
		}
		return s.notify(ctx, q, id, "sms_added")
	})
	if err != nil {
		return err
	}
	if !ok {
		return errSecondFactor
	}
	return nil
}

// RemoveSMS switches SMS codes off, or drops a number being confirmed;
// NotFound when there is no number.
func (s *Service) RemoveSMS(ctx context.Context, id uuid.UUID) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		wasOn, err := q.DeleteSMS(ctx, id)
		if err != nil || !wasOn {
			return err
		}
		return s.notify(ctx, q, id, "sms_removed")
	})
}

// SecondFactors reads which second factors an account has switched on.
func (s *Service) SecondFactors(ctx context.Context, id uuid.UUID) (store.Factors, error) {
	return s.Store.SecondFactors(ctx, id)
}

// checkSMS spends a login or step-up code sent to the confirmed number.
func (s *Service) checkSMS(ctx context.Context, id uuid.UUID, code string) (bool, error) {
	if s.Secrets == nil {
		return false, nil
	}
	code = smsDigits(code)
	return s.Store.UseSMSCode(ctx, store.SMSAttempt{Account: id, Purpose: store.SMSVerify, Hash: s.smsHash(id, store.SMSVerify, code), Now: s.now(), MaxAttempts: SMSMaxAttempts})
}

// smsHash is what is stored of a code: keyed, and bound to the account and
// the purpose, so a code proves nothing for another account or use.
func (s *Service) smsHash(id uuid.UUID, purpose, code string) []byte {
	return s.Secrets.MAC(id[:], []byte(purpose), []byte(code))
}

// smsDigits drops the spaces people type into codes ("482 913").
func smsDigits(code string) string {
	return strings.Join(strings.Fields(code), "")
}

func newSMSCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}
