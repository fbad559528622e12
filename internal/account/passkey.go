package account

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
)

// Passkeys (WebAuthn, github.com/go-webauthn/webauthn). Schalter asks for
// discoverable credentials (resident keys) with user verification, so a
// passkey alone logs a person in without a user name and counts as two
// factors: the device (possession) unlocked by PIN or biometrics. No
// attestation is requested: Schalter does not restrict authenticator
// models, and attestation would only reveal more about the device.
//
// A ceremony has two steps: Begin* returns options for the browser and a
// state that the caller keeps on the server (in the session) and hands to
// Finish* exactly once. The state expires after ceremonyFor.

// ceremonyFor is how long a begun ceremony can be finished.
const ceremonyFor = 5 * time.Minute

// Ceremony kinds: a state begun for one kind never finishes another.
const (
	CeremonyRegister = "register" // a logged-in person adds a passkey
	CeremonySignup   = "signup"   // a new account with an e-mail address and a passkey
	CeremonyLogin    = "login"    // a login without user name
)

// defaultPasskeyName names the first passkey of an account opened with a
// passkey when the person gave no name; it can be renamed later.
const defaultPasskeyName = "Passkey"

var (
	// errPasskeyLogin is the one answer to every failed passkey login, as
	// errLogin is for passwords: unknown, removed or another account's
	// passkey, a wrong or used challenge, an expired ceremony, a cloned
	// key, an unverified address.
	errPasskeyLogin = apperr.New(apperr.Unauthorized, "the passkey could not log you in; please start again or log in another way")
	// errPasskeyCeremony is the answer to a registration that cannot be
	// verified; the browser starts a new ceremony.
	errPasskeyCeremony = apperr.InvalidFields("the passkey could not be registered; please start again",
		apperr.FieldError{Path: "body.credential", Message: "not a valid answer to the current registration (it may have expired after 5 minutes or been used)"})
)

// NewRelyingParty configures WebAuthn for the site at publicURL: the RP ID
// is its host name and its origin the only one accepted, so a passkey made
// for the city's site works nowhere else. On localhost the development
// server (8080) and the PWA's Vite dev server (5173) are accepted too.
func NewRelyingParty(publicURL, displayName string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("passkeys: SCHALTER_PUBLIC_URL %q has no host", publicURL)
	}
	origins := []string{u.Scheme + "://" + u.Host}
	if u.Hostname() == "localhost" {
		for _, o := range []string{"http://localhost:8080", "http://localhost:5173"} {
			if !slices.Contains(origins, o) {
				origins = append(origins, o)
			}
		}
	}
	timeout := webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyFor, TimeoutUVD: ceremonyFor}
	return webauthn.New(&webauthn.Config{
		RPID:                  u.Hostname(),
		RPDisplayName:         displayName,
		RPOrigins:             origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.VerificationRequired,
		},
		Timeouts: webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
	})
}

// PasskeyCeremony is a begun ceremony: Options go to the browser as they
// are (WebAuthn's JSON form of the creation or request options); State
// stays on the server until the ceremony finishes.
type PasskeyCeremony struct {
	Options []byte
	State   string
}

// ceremony is what State holds.
type ceremony struct {
	Kind    string               `json:"kind"`
	Email   string               `json:"email,omitempty"` // signup: the address to open the account for
	Session webauthn.SessionData `json:"session"`
}

func newCeremony(kind, email string, options any, sd *webauthn.SessionData) (*PasskeyCeremony, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, err
	}
	state, err := json.Marshal(ceremony{Kind: kind, Email: email, Session: *sd})
	if err != nil {
		return nil, err
	}
	return &PasskeyCeremony{Options: opts, State: string(state)}, nil
}

// openCeremony reads a state of the given kind; false for a missing,
// foreign or broken one. Expiry is checked by the WebAuthn library.
func openCeremony(state, kind string) (*ceremony, bool) {
	var c ceremony
	if state == "" || json.Unmarshal([]byte(state), &c) != nil || c.Kind != kind {
		return nil, false
	}
	return &c, true
}

// passkeyUser is an account as WebAuthn sees it.
type passkeyUser struct {
	handle   []byte
	name     string // the e-mail address: what the authenticator shows to pick a passkey
	passkeys []store.Passkey
}

func (u *passkeyUser) WebAuthnID() []byte          { return u.handle }
func (u *passkeyUser) WebAuthnName() string        { return u.name }
func (u *passkeyUser) WebAuthnDisplayName() string { return u.name }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, 0, len(u.passkeys))
	for _, p := range u.passkeys {
		transports := make([]protocol.AuthenticatorTransport, 0, len(p.Transports))
		for _, t := range p.Transports {
			transports = append(transports, protocol.AuthenticatorTransport(t))
		}
		out = append(out, webauthn.Credential{
			ID: p.CredentialID, PublicKey: p.PublicKey, AttestationFormat: p.AttestationFormat, Transport: transports,
			Flags:         webauthn.NewCredentialFlags(protocol.AuthenticatorFlags(p.Flags)),
			Authenticator: webauthn.Authenticator{AAGUID: p.AAGUID[:], SignCount: p.SignCount},
		})
	}
	return out
}

// newUserHandle is a random WebAuthn user handle: authenticators keep it,
// so it must not be the account id or the address.
func newUserHandle() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

func (s *Service) passkeysOn() error {
	if s.Passkeys == nil {
		return apperr.New(apperr.Unavailable, "passkeys are not available (SCHALTER_PUBLIC_URL must name a host, not an IP address)")
	}
	return nil
}

// passkeyUser loads an account's user handle (created on first use) and
// passkeys.
func (s *Service) passkeyUser(ctx context.Context, acc *store.Account) (*passkeyUser, error) {
	handle, err := s.Store.UserHandle(ctx, acc.ID, newUserHandle())
	if err != nil {
		return nil, err
	}
	keys, err := s.Store.Passkeys(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	return &passkeyUser{handle: handle, name: acc.Email, passkeys: keys}, nil
}

// PasskeyName checks and trims a passkey's name.
func PasskeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	if n < 1 || n > 60 || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", apperr.InvalidFields("a passkey needs a name", apperr.FieldError{Path: "body.name", Message: "1 to 60 characters, e.g. \"iPhone\" or \"Laptop Büro\""})
	}
	return name, nil
}

// passkeyFrom turns a verified new credential into what is stored.
func passkeyFrom(cred *webauthn.Credential, name string) *store.Passkey {
	aaguid, err := uuid.FromBytes(cred.Authenticator.AAGUID)
	if err != nil {
		aaguid = uuid.Nil // the authenticator did not say
	}
	transports := make([]string, 0, len(cred.Transport))
	for _, t := range cred.Transport {
		transports = append(transports, string(t))
	}
	format := cred.AttestationFormat
	if format == "" {
		format = string(protocol.AttestationFormatNone)
	}
	return &store.Passkey{CredentialID: cred.ID, PublicKey: cred.PublicKey, AttestationFormat: format, SignCount: cred.Authenticator.SignCount,
		AAGUID: aaguid, Flags: uint8(cred.Flags.ProtocolValue()), Transports: transports, Name: name}
}

// ceremonyFailed logs why the WebAuthn library refused an answer (the
// client only learns that it failed).
func (s *Service) ceremonyFailed(ctx context.Context, kind string, err error) {
	if s.Log != nil {
		s.Log.InfoContext(ctx, "passkey ceremony failed", "kind", kind, "err", err)
	}
}

// BeginPasskeyRegistration starts adding a passkey to an account. The
// account's passkeys are excluded, so an authenticator does not register
// twice.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, id uuid.UUID) (*PasskeyCeremony, error) {
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	acc, err := s.Store.AccountByID(ctx, id)
	if err != nil {
		return nil, err
	}
	user, err := s.passkeyUser(ctx, acc)
	if err != nil {
		return nil, err
	}
	creation, sd, err := s.Passkeys.BeginRegistration(user, webauthn.WithExclusions(webauthn.Credentials(user.WebAuthnCredentials()).CredentialDescriptors()))
	if err != nil {
		return nil, err
	}
	return newCeremony(CeremonyRegister, "", creation.Response, sd)
}

// FinishPasskeyRegistration verifies the browser's answer (the
// credential's JSON) to a registration begun for this account, stores the
// passkey under name and tells the account's address.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, id uuid.UUID, state string, credential []byte, name string) (*store.Passkey, error) {
	name, err := PasskeyName(name)
	if err != nil {
		return nil, err
	}
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	c, ok := openCeremony(state, CeremonyRegister)
	if !ok {
		return nil, errPasskeyCeremony
	}
	acc, err := s.Store.AccountByID(ctx, id)
	if err != nil {
		return nil, err
	}
	user, err := s.passkeyUser(ctx, acc)
	if err != nil {
		return nil, err
	}
	cred, err := s.createCredential(ctx, user, c, credential)
	if err != nil {
		return nil, err
	}
	p := passkeyFrom(cred, name)
	if err := s.withNotice(ctx, id, "passkey_added", func(q *store.Queries) error { return q.AddPasskey(ctx, id, p) }); err != nil {
		return nil, err
	}
	return p, nil
}

// createCredential verifies an attestation against a registration state;
// the state's user handle must be the user's (a ceremony begun for another
// account fails here).
func (s *Service) createCredential(ctx context.Context, user *passkeyUser, c *ceremony, credential []byte) (*webauthn.Credential, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credential)
	if err == nil {
		var cred *webauthn.Credential
		if cred, err = s.Passkeys.CreateCredential(user, c.Session, parsed); err == nil {
			return cred, nil
		}
	}
	s.ceremonyFailed(ctx, c.Kind, err)
	return nil, errPasskeyCeremony
}

// BeginPasskeySignup starts opening an account with an e-mail address and
// a passkey. Nothing is looked up: a known address gets options of the
// same shape with a throwaway user handle, so the answer says nothing
// about which addresses have accounts.
func (s *Service) BeginPasskeySignup(ctx context.Context, email string) (*PasskeyCeremony, error) {
	typed, _, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	if s.Outbox == nil {
		// Without mail the address could never be verified.
		return nil, apperr.New(apperr.Unavailable, "e-mail is not configured (SCHALTER_SMTP_ADDR); accounts cannot be opened right now")
	}
	creation, sd, err := s.Passkeys.BeginRegistration(&passkeyUser{handle: newUserHandle(), name: typed})
	if err != nil {
		return nil, err
	}
	return newCeremony(CeremonySignup, typed, creation.Response, sd)
}

// FinishPasskeySignup verifies the browser's answer and opens an
// unverified account without password holding the passkey (named name, or
// "Passkey"). Then it mails exactly as a password registration does: a new
// address gets its verification link; for a known one nothing is stored
// and its owner is told that someone tried to register.
func (s *Service) FinishPasskeySignup(ctx context.Context, state string, credential []byte, name string) error {
	if strings.TrimSpace(name) == "" {
		name = defaultPasskeyName
	}
	name, err := PasskeyName(name)
	if err != nil {
		return err
	}
	if err := s.passkeysOn(); err != nil {
		return err
	}
	c, ok := openCeremony(state, CeremonySignup)
	if !ok {
		return errPasskeyCeremony
	}
	typed, normalized, err := NormalizeEmail(c.Email)
	if err != nil {
		return err
	}
	// The same per-address limit as Register: the mails cannot flood an
	// inbox by alternating the two ways of registering.
	if err := s.limit(ctx, "register:"+normalized, "too many requests for this address"); err != nil {
		return err
	}
	user := &passkeyUser{handle: c.Session.UserID, name: typed}
	cred, err := s.createCredential(ctx, user, c, credential)
	if err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		acc, err := q.CreatePasskeyAccount(ctx, typed, normalized, user.handle, passkeyFrom(cred, name))
		return s.welcome(ctx, q, typed, acc, err)
	})
}

// BeginPasskeyLogin starts a login without user name: the options name no
// credentials, and the browser offers the passkeys it has for the site.
func (s *Service) BeginPasskeyLogin(context.Context) (*PasskeyCeremony, error) {
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	assertion, sd, err := s.Passkeys.BeginDiscoverableLogin()
	if err != nil {
		return nil, err
	}
	return newCeremony(CeremonyLogin, "", assertion.Response, sd)
}

// FinishPasskeyLogin verifies the browser's answer to a login begun in
// state and returns the account whose passkey signed it. Failures count
// against the account's login attempts like wrong passwords; successes do
// not. The signature counter must grow (unless the authenticator does not
// count): a counter that goes back means a cloned key, and the login is
// refused.
func (s *Service) FinishPasskeyLogin(ctx context.Context, state string, credential []byte) (*store.Account, error) {
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(credential)
	if err != nil {
		return nil, apperr.InvalidFields("not a passkey answer", apperr.FieldError{Path: "body.credential", Message: "must be the JSON of the browser's PublicKeyCredential (toJSON())"})
	}
	c, ok := openCeremony(state, CeremonyLogin)
	if !ok {
		return nil, errPasskeyLogin
	}
	acc, err := s.Store.AccountByUserHandle(ctx, parsed.Response.UserHandle)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, errPasskeyLogin
	}
	if err != nil {
		return nil, err
	}
	// A limit of its own: a passkey cannot be guessed, so wrong
	// passwords (loginKey) never lock its owner out of this way in, and
	// failed assertions (a broken or cloned authenticator) are counted
	// here.
	key := "passkey:" + acc.ID.String()
	if over, err := s.exhausted(ctx, key); err != nil {
		return nil, err
	} else if over {
		return nil, apperr.New(apperr.TooManyRequests, "too many login attempts for this account; please wait a few minutes")
	}
	user, err := s.passkeyUser(ctx, acc)
	if err != nil {
		return nil, err
	}
	_, cred, err := s.Passkeys.ValidatePasskeyLogin(func(_, _ []byte) (webauthn.User, error) { return user, nil }, c.Session, parsed)
	fail := func(reason error) (*store.Account, error) {
		// Counted, not checked: the limit was checked above.
		_ = s.limit(ctx, key, "too many login attempts for this account")
		s.ceremonyFailed(ctx, c.Kind, reason)
		return nil, errPasskeyLogin
	}
	switch {
	case err != nil:
		return fail(err)
	case cred.Authenticator.CloneWarning:
		if s.Log != nil {
			s.Log.WarnContext(ctx, "passkey signature counter went back: the key may be cloned; login refused", "account", acc.ID)
		}
		return fail(fmt.Errorf("signature counter %d is not above the stored one", cred.Authenticator.SignCount))
	case acc.EmailVerifiedAt == nil:
		return fail(fmt.Errorf("address not verified yet"))
	}
	i := slices.IndexFunc(user.passkeys, func(p store.Passkey) bool { return string(p.CredentialID) == string(cred.ID) })
	used, err := s.Store.UsePasskey(ctx, acc.ID, user.passkeys[i].ID, cred.Authenticator.SignCount, uint8(cred.Flags.ProtocolValue()))
	if err != nil {
		return nil, err
	}
	if !used {
		// Another login with the same counter value won the race.
		return fail(fmt.Errorf("signature counter %d used concurrently", cred.Authenticator.SignCount))
	}
	return acc, nil
}

// RenamePasskey names one of the account's passkeys.
func (s *Service) RenamePasskey(ctx context.Context, account, id uuid.UUID, name string) error {
	name, err := PasskeyName(name)
	if err != nil {
		return err
	}
	return s.Store.RenamePasskey(ctx, account, id, name)
}

// DeletePasskey removes one of the account's passkeys and tells the
// account's address.
func (s *Service) DeletePasskey(ctx context.Context, account, id uuid.UUID) error {
	return s.withNotice(ctx, account, "passkey_removed", func(q *store.Queries) error { return q.DeletePasskey(ctx, account, id) })
}
