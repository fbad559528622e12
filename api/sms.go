package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
)

// One-time codes by SMS as a second factor: set up a number (a code to it
// confirms it), then use codes sent to it at login and step-up through the
// same code endpoints as the authenticator app. Without a gateway in
// production (SCHALTER_SMS_URL) every SMS operation answers 503.

// PhoneInput sets up a number for SMS codes.
type PhoneInput struct {
	Body struct {
		Phone string `json:"phone" minLength:"1" maxLength:"32" doc:"A mobile number; Swiss when it has no country code (079 123 45 67, +41 79 123 45 67, 0041791234567)." example:"079 123 45 67"`
	}
}

// SMSSentOut says where a code went.
type SMSSentOut struct {
	SentTo    string    `json:"sent_to" doc:"The number, masked." example:"+41 79 *** ** 67"`
	ExpiresAt time.Time `json:"expires_at" doc:"The code works until then (five minutes), once."`
}

// SMSExport is the number for SMS codes in the data export.
type SMSExport struct {
	Phone       string     `json:"phone" doc:"E.164." example:"+41791234567"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty" doc:"When a code sent to it came back; absent while it is being confirmed."`
}

// smsEnabled reports whether this server can send SMS codes.
func (s *Server) smsEnabled() bool { return s.accounts != nil && s.accounts.SMS != nil }

func maskPhone(e164 string) string {
	if e164 == "" {
		return ""
	}
	return account.MaskPhone(e164)
}

func smsSent(sent *account.SMSSent) *Uncached[SMSSentOut] {
	return &Uncached[SMSSentOut]{CacheControl: "no-store", Body: SMSSentOut{SentTo: sent.To, ExpiresAt: sent.ExpiresAt.UTC()}}
}

// secondFactorRequired is the answer to a correct password of an account
// with a second factor: the error at body.code lists the factors (otp,
// sms), so the PWA offers the ones the person has, and lets them choose
// when there are both.
func secondFactorRequired(f account.Factors) error {
	methods, how := []string{}, []string{}
	if f.TOTP {
		methods = append(methods, account.MethodTOTP)
		how = append(how, "the code from your authenticator app (or a recovery code)")
	}
	if f.SMS != "" {
		methods = append(methods, account.MethodSMS)
		how = append(how, "a code sent by SMS (POST /api/v1/session/second-factor/sms sends it)")
	}
	return huma.Error401Unauthorized("second factor required: send "+strings.Join(how, ", or ")+", to POST /api/v1/session/second-factor",
		&huma.ErrorDetail{Location: "body.code", Message: "second factor required", Value: methods})
}

var smsErrors = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity,
	http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable}

func (s *Server) registerSMS(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "beginSMS", Method: http.MethodPost, Path: "/api/v1/me/sms", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Set up SMS codes",
		Description: "Sends a six-digit code to the number (valid five minutes); POST /api/v1/me/sms/confirm with it switches SMS codes on as a second factor. " +
			"At most one SMS a minute and five an hour per account (429 with Retry-After). 409 when SMS codes are on already, 503 when this server sends no SMS.",
		DefaultStatus: http.StatusAccepted,
		Errors:        smsErrors,
	}, func(ctx context.Context, in *PhoneInput) (*Uncached[SMSSentOut], error) {
		id, _ := s.sessionAccount(ctx)
		sent, err := s.accounts.BeginSMS(ctx, id, in.Body.Phone)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return smsSent(sent), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "confirmSMS", Method: http.MethodPost, Path: "/api/v1/me/sms/confirm", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Confirm SMS codes",
		Description: "Checks the code sent by POST /api/v1/me/sms and switches SMS codes on; the account's address is told by e-mail. " +
			"Proving the phone is a second factor: the session gets a new token and, after a password, the level two_factor. A code stops working after five wrong entries.",
		Errors: smsErrors,
	}, func(ctx context.Context, in *CodeInput) (*Uncached[Me], error) {
		id, _ := s.sessionAccount(ctx)
		if err := s.accounts.ConfirmSMS(ctx, id, in.Body.Code); err != nil {
			return nil, s.problem(ctx, err)
		}
		me, err := s.stepUp(ctx, id, account.MethodSMS, in.UserAgent)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[Me]{CacheControl: "private, no-store", Body: *me}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "removeSMS", Method: http.MethodDelete, Path: "/api/v1/me/sms", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Switch SMS codes off",
		Description: "Removes the number and any code sent to it; the account's address is told by e-mail. Needs a session with two factors " +
			"from the last 15 minutes (otherwise a step-up problem), so a password alone cannot weaken the account; a number not confirmed yet " +
			"can be dropped without. 404 when there is no number.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		id, _ := s.sessionAccount(ctx)
		n, err := s.accounts.SMSNumber(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		// A number still being confirmed protects nothing yet: dropping it
		// needs no second factor (the person may have none to give).
		if n.ConfirmedAt != nil {
			if err := s.requireLevel(ctx, account.LevelTwoFactor, recentLogin); err != nil {
				return nil, err
			}
		}
		if err := s.accounts.RemoveSMS(ctx, id); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "sendLoginSMS", Method: http.MethodPost, Path: "/api/v1/session/second-factor/sms", Tags: []string{tagAccount},
		Summary: "Log in: send a code by SMS",
		Description: "After a correct password for an account with SMS codes: sends a code to its number, for POST /api/v1/session/second-factor. " +
			"401 without a password step first; at most one SMS a minute and five an hour per account (429 with Retry-After).",
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[SMSSentOut], error) {
		id, err := uuid.Parse(s.sessions.GetString(ctx, keyPending))
		if err != nil {
			return nil, s.problem(ctx, apperr.New(apperr.Unauthorized, "log in with your password first"))
		}
		sent, err := s.accounts.SendSMSCode(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return smsSent(sent), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "sendStepUpSMS", Method: http.MethodPost, Path: "/api/v1/me/step-up/sms", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Step up: send a code by SMS",
		Description: "Sends a code to the account's number for POST /api/v1/me/step-up. 404 when SMS codes are off; " +
			"at most one SMS a minute and five an hour per account (429 with Retry-After).",
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[SMSSentOut], error) {
		id, _ := s.sessionAccount(ctx)
		sent, err := s.accounts.SendSMSCode(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return smsSent(sent), nil
	})
}
