package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/password"
	"github.com/schalter-ch/schalter/internal/store"
)

// resetFor is how long a password-reset link works.
const resetFor = time.Hour

// RequestPasswordReset asks for a reset link for an address. The request
// does the same for every address (one job, ByAddressWorker): the job
// mails the link when the address has a verified account and "no account
// with this address" otherwise, so neither the answer nor its timing tells
// a stranger which addresses have accounts.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	typed, normalized, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	if err := s.limit(ctx, "reset:"+normalized, "too many requests for this address"); err != nil {
		return err
	}
	return s.byAddress(ctx, s.Store.Queries, byAddressReset, typed)
}

// ResetPassword sets a new password with the token from the link, once.
func (s *Service) ResetPassword(ctx context.Context, token, pw string) error {
	if err := password.Check(pw, s.City, "schalter"); err != nil {
		return apperr.InvalidFields(err.Error(), apperr.FieldError{Path: "body.password", Message: err.Error()})
	}
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		id, err := q.SetPasswordWithToken(ctx, HashToken(token), hash)
		if err != nil {
			return err
		}
		// The link proved the address: a stranger's run of wrong
		// passwords no longer holds its owner up on a new device.
		acc, err := q.AccountByID(ctx, id)
		if err != nil {
			return err
		}
		if err := q.ClearAttempts(ctx, throttleKey(loginKey(acc.Email))); err != nil {
			return err
		}
		return s.notify(ctx, q, id, "password_changed")
	})
}

// DeleteAccount removes an account and everything no law requires the city
// to keep (docs/privacy.md lists what stays).
func (s *Service) DeleteAccount(ctx context.Context, id uuid.UUID) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		acc, err := q.AccountByID(ctx, id)
		if err != nil {
			return err
		}
		if err := q.DeleteAccount(ctx, id); err != nil {
			return err
		}
		// The confirmation goes to the address that no longer has an
		// account; the job holds it sealed, not the deleted rows.
		return s.mailNotice(ctx, q, acc.Email, "deleted", securityText(s.City, "deleted"))
	})
}

// Notify mails a security event to the account's address, in a
// transaction of its own: for events whose change the caller made in
// several steps (a login, replaced recovery codes). A change made in one
// transaction uses notify or withNotice instead, so the mail cannot go out
// for a change that rolled back. Notify never fails the action: the
// enqueue is logged if it fails.
func (s *Service) Notify(ctx context.Context, id uuid.UUID, event string) {
	err := s.Store.InTx(ctx, func(q *store.Queries) error { return s.notify(ctx, q, id, event) })
	if err != nil && s.Log != nil {
		s.Log.WarnContext(ctx, "security notification not queued", "event", event, "err", err)
	}
}

// withNotice makes change and enqueues the security notification of event
// for account id in one transaction: the resident hears of exactly the
// changes that happened.
func (s *Service) withNotice(ctx context.Context, id uuid.UUID, event string, change func(q *store.Queries) error) error {
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		if err := change(q); err != nil {
			return err
		}
		return s.notify(ctx, q, id, event)
	})
}

// notify enqueues the security notification of event for account id in
// q's transaction.
func (s *Service) notify(ctx context.Context, q *store.Queries, id uuid.UUID, event string) error {
	acc, err := q.AccountByID(ctx, id)
	if err != nil {
		return err
	}
	return s.mailNotice(ctx, q, acc.Email, event, securityText(s.City, event))
}

// mailNotice enqueues a security notification. Without a mailer it is
// skipped (and logged) rather than failing the change: a notification is
// not worth refusing a password change for, a verification link is (send).
func (s *Service) mailNotice(ctx context.Context, q *store.Queries, to, event string, t mailText) error {
	if s.Outbox == nil {
		if s.Log != nil {
			s.Log.WarnContext(ctx, "no mailer: security notification skipped", "event", event)
		}
		return nil
	}
	return s.send(ctx, q, "security:"+event, to, t)
}

// securityEvents are the sentences of the security notifications, by
// event. TestEverySecurityEventHasAText finds every event the code sends.
var securityEvents = map[string]string{
	"login":                   "Ihr Konto wurde soeben für eine Anmeldung verwendet.",
	"new_device":              "Ihr Konto wurde soeben auf einem Gerät verwendet, von dem aus Sie sich bisher nicht angemeldet haben.",
	"totp_added":              "Für Ihr Konto wurde soeben eine Authenticator-App als zweiter Faktor eingerichtet.",
	"passkey_added":           "Für Ihr Konto wurde soeben ein neuer Passkey registriert. Mit ihm kann man sich ohne Passwort anmelden.",
	"passkey_removed":         "Aus Ihrem Konto wurde soeben ein Passkey entfernt. Mit ihm ist keine Anmeldung mehr möglich.",
	"sms_added":               "Für Ihr Konto wurden soeben Codes per SMS als zweiter Faktor eingerichtet.",
	"sms_removed":             "Die Codes per SMS wurden soeben als zweiter Faktor Ihres Kontos ausgeschaltet.",
	"password_changed":        "Das Passwort Ihres Kontos wurde soeben geändert.",
	"deleted":                 "Ihr Konto wurde soeben gelöscht.",
	"email_change_requested":  "Für Ihr Konto wurde soeben eine neue E-Mail-Adresse angegeben. Sie gilt, sobald sie mit dem Link bestätigt ist, den wir an die neue Adresse geschickt haben.",
	"email_changed":           "Die E-Mail-Adresse Ihres Kontos wurde soeben geändert.",
	"recovery_codes_replaced": "Für Ihr Konto wurden soeben neue Wiederherstellungscodes erstellt; die bisherigen gelten nicht mehr.",
	"api_token_created":       "Für Ihr Konto wurde soeben ein API-Token für Skripte erstellt.",
	"roles_changed":           "Die Rollen Ihres Kontos (Mitarbeitende, Redaktion, Administration) wurden soeben von der Administration geändert.",
	"eid_linked":              "Ihr Konto wurde soeben mit einer staatlichen elektronischen Identität (eID) verbunden. Sie können sich nun auch damit anmelden.",
	"eid_unlinked":            "Die Verbindung Ihres Kontos mit einer staatlichen elektronischen Identität (eID) wurde soeben aufgehoben.",
	"login_throttled": "Für Ihr Konto wurde soeben mehrmals ein falsches Passwort eingegeben. Anmeldungen mit Passwort von neuen Geräten sind darum für 15 Minuten angehalten. " +
		"Auf Geräten, auf denen Sie sich schon einmal angemeldet haben, mit einem Passkey oder mit der eID melden Sie sich wie gewohnt an.",
}

func securityText(city, event string) mailText {
	what := securityEvents[event]
	return mailText{
		subject: "Sicherheitshinweis zu Ihrem Konto",
		body: fmt.Sprintf("Guten Tag\n\n%s\n\nWenn Sie das waren, ist alles in Ordnung. Wenn nicht, setzen Sie bitte sofort Ihr Passwort zurück "+
			"und wenden Sie sich an die Stadtverwaltung.\n\nStadt %s", strings.TrimSpace(what), city),
	}
}
