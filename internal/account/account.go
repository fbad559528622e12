// Package account is Mein Konto: accounts, their roles and how people
// prove who they are. This first part holds account creation with the
// password policy and roles; logins, passkeys, second factors, eID and the
// privacy cockpit build on it (issue "Mein Konto").
package account

import (
	"context"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/password"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/sms"
	"github.com/schalter-ch/schalter/internal/store"
)

// Roles beyond resident.
const (
	RoleStaff  = "staff"
	RoleEditor = "editor"
	RoleAdmin  = "admin"
)

// NormalizeEmail checks an address and returns it as typed and in the
// form used for uniqueness and login (trimmed, lower case).
func NormalizeEmail(email string) (typed, normalized string, err error) {
	typed = strings.TrimSpace(email)
	addr, perr := netmail.ParseAddress(typed)
	if perr != nil || addr.Address != typed || len(typed) > 254 || !strings.Contains(typed[strings.LastIndex(typed, "@")+1:], ".") {
		return "", "", apperr.InvalidFields("not a valid e-mail address", apperr.FieldError{Path: "body.email", Message: "must be an e-mail address such as anna@example.ch"})
	}
	return typed, strings.ToLower(typed), nil
}

// Service creates and manages accounts.
type Service struct {
	Store *store.Store
	// City is a word a password must not contain (e.g. "Uster").
	City string
	// Throttle limits login attempts per address; nil uses 10 per 15 minutes.
	Throttle *Throttle
	// Outbox turns mails into jobs on the durable queue (mail.Worker
	// delivers them); nil means no mailer is configured, and what needs a
	// mail answers 503. PublicURL is where the PWA runs (links in mails
	// point there).
	Outbox    *mail.Outbox
	PublicURL string
	// Secrets encrypts TOTP seeds and keys the hashes of SMS codes; nil
	// disables second factors.
	Secrets *secretbox.Box
	// Passkeys is the WebAuthn relying party (NewRelyingParty); nil
	// disables passkeys.
	Passkeys *webauthn.WebAuthn
	// SMS sends one-time codes; nil switches SMS codes off (production
	// without SCHALTER_SMS_URL).
	SMS sms.Sender
	// Now is the clock of SMS code expiry and resend limits; time.Now when
	// nil (tests move it instead of sleeping).
	Now func() time.Time
	// Log receives failures of best-effort work (security notifications).
	Log *slog.Logger
}

// CreateUser creates an account with a verified address and optional
// roles: the path for the first administrator (`schalter admin
// create-user`) and for staff accounts set up by administrators.
func (s *Service) CreateUser(ctx context.Context, email, pw string, roles ...store.Role) (*store.Account, error) {
	typed, normalized, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	local := normalized[:strings.Index(normalized, "@")]
	if err := password.Check(pw, local, s.City, "schalter"); err != nil {
		return nil, apperr.InvalidFields(err.Error(), apperr.FieldError{Path: "body.password", Message: err.Error()})
	}
	for _, r := range roles {
		switch {
		case r.Role == RoleStaff && r.Office == "":
			return nil, apperr.InvalidFields("staff belong to an office", apperr.FieldError{Path: "office", Message: "required for staff"})
		case r.Role != RoleStaff && r.Role != RoleEditor && r.Role != RoleAdmin:
			return nil, apperr.InvalidFields("unknown role", apperr.FieldError{Path: "role", Message: fmt.Sprintf("%q is not staff, editor or admin", r.Role)})
		}
	}
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	return s.Store.CreateAccount(ctx, typed, normalized, hash, &now, roles...)
}

// SetRoles replaces an account's roles (administrators, through the API)
// and tells the person by e-mail.
func (s *Service) SetRoles(ctx context.Context, id uuid.UUID, roles []store.Role) error {
	for i, r := range roles {
		if r.Role == RoleStaff && r.Office == "" {
			return apperr.InvalidFields("staff belong to an office", apperr.FieldError{Path: fmt.Sprintf("body.roles[%d].office", i), Message: "required for staff"})
		}
		if r.Role != RoleStaff && r.Office != "" {
			return apperr.InvalidFields("only staff belong to an office", apperr.FieldError{Path: fmt.Sprintf("body.roles[%d].office", i), Message: "only for staff"})
		}
	}
	return s.withNotice(ctx, id, "roles_changed", func(q *store.Queries) error { return q.SetRoles(ctx, id, roles) })
}
