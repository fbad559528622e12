package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
)

// Passkeys (WebAuthn): adding, naming and removing them in Mein Konto,
// logging in with one without a user name, and opening an account with an
// e-mail address and a passkey. The WebAuthn work is in internal/account
// (passkey.go); here the ceremony state is kept in the session between
// its two steps: one state per kind, taken out (and so used once) by the
// step that finishes it, whatever its outcome.

// keyCeremony prefixes the session key of a begun ceremony's state.
const keyCeremony = "passkey_ceremony:"

func (s *Server) keepCeremony(ctx context.Context, kind string, c *account.PasskeyCeremony) {
	s.sessions.Put(ctx, keyCeremony+kind, c.State)
}

func (s *Server) takeCeremony(ctx context.Context, kind string) string {
	return s.sessions.PopString(ctx, keyCeremony+kind)
}

// PasskeyDescriptor names a credential in WebAuthn options.
type PasskeyDescriptor struct {
	Type       string   `json:"type" enum:"public-key"`
	ID         string   `json:"id" doc:"The credential id, base64url." example:"Qm9va2luZy1QYXNza2V5LTAx"`
	Transports []string `json:"transports,omitempty" doc:"Hints how to reach the authenticator." example:"[\"internal\",\"hybrid\"]"`
}

// PasskeyRP is the relying party: the city's site.
type PasskeyRP struct {
	ID   string `json:"id" doc:"The host name of SCHALTER_PUBLIC_URL." example:"schalter.uster.ch"`
	Name string `json:"name" example:"Stadt Uster"`
}

// PasskeyUser is the account as the authenticator stores it.
type PasskeyUser struct {
	ID          string `json:"id" doc:"A random user handle (base64url): neither the account id nor the address." example:"c2NoYWx0ZXItdXNlci1oYW5kbGUtMDAwMDAwMDAwMDA"`
	Name        string `json:"name" example:"anna.muster@example.ch"`
	DisplayName string `json:"displayName" example:"anna.muster@example.ch"`
}

// PasskeyCredentialParam is an accepted signature algorithm (COSE).
type PasskeyCredentialParam struct {
	Type string `json:"type" enum:"public-key"`
	Alg  int    `json:"alg" doc:"COSE algorithm: -7 ES256, -257 RS256, -8 EdDSA, …" example:"-7"`
}

// PasskeySelection is what the authenticator must do.
type PasskeySelection struct {
	ResidentKey        string `json:"residentKey" enum:"required" doc:"A discoverable credential: it logs in without a user name."`
	RequireResidentKey bool   `json:"requireResidentKey"`
	UserVerification   string `json:"userVerification" enum:"required" doc:"PIN or biometrics on the device, so the passkey counts as two factors."`
}

// PasskeyCreationOptions is WebAuthn's PublicKeyCredentialCreationOptionsJSON:
// give it to PublicKeyCredential.parseCreationOptionsFromJSON and then to
// navigator.credentials.create({publicKey}).
type PasskeyCreationOptions struct {
	RP                     PasskeyRP                `json:"rp"`
	User                   PasskeyUser              `json:"user"`
	Challenge              string                   `json:"challenge" doc:"Random, base64url; valid once, for 5 minutes."`
	PubKeyCredParams       []PasskeyCredentialParam `json:"pubKeyCredParams"`
	Timeout                int                      `json:"timeout" doc:"Milliseconds the ceremony may take." example:"300000"`
	ExcludeCredentials     []PasskeyDescriptor      `json:"excludeCredentials" doc:"The account's passkeys, so an authenticator does not register twice."`
	AuthenticatorSelection PasskeySelection         `json:"authenticatorSelection"`
	Attestation            string                   `json:"attestation" enum:"none" doc:"Schalter asks for no attestation."`
}

// PasskeyRequestOptions is WebAuthn's PublicKeyCredentialRequestOptionsJSON:
// give it to PublicKeyCredential.parseRequestOptionsFromJSON and then to
// navigator.credentials.get({publicKey}).
type PasskeyRequestOptions struct {
	Challenge        string              `json:"challenge" doc:"Random, base64url; valid once, for 5 minutes."`
	Timeout          int                 `json:"timeout" doc:"Milliseconds the ceremony may take." example:"300000"`
	RPID             string              `json:"rpId" example:"schalter.uster.ch"`
	AllowCredentials []PasskeyDescriptor `json:"allowCredentials" doc:"Always empty: the browser offers the passkeys it holds for the site (discoverable credentials)."`
	UserVerification string              `json:"userVerification" enum:"required"`
}

// options decodes the WebAuthn library's JSON form of the options into the
// documented type; lists are never null.
func options[T PasskeyCreationOptions | PasskeyRequestOptions](c *account.PasskeyCeremony) (*T, error) {
	var out T
	if err := json.Unmarshal(c.Options, &out); err != nil {
		return nil, err
	}
	switch o := any(&out).(type) {
	case *PasskeyCreationOptions:
		if o.ExcludeCredentials == nil {
			o.ExcludeCredentials = []PasskeyDescriptor{}
		}
	case *PasskeyRequestOptions:
		if o.AllowCredentials == nil {
			o.AllowCredentials = []PasskeyDescriptor{}
		}
	}
	return &out, nil
}

// PasskeyOut is one passkey in Mein Konto.
type PasskeyOut struct {
	ID             uuid.UUID  `json:"id" example:"6f1c2a9e-4b7d-4e0a-9c3b-2d5e8f1a7b64"`
	Name           string     `json:"name" example:"iPhone"`
	CreatedAt      time.Time  `json:"created_at"`
	LastUsedAt     *time.Time `json:"last_used_at,omitempty" doc:"The last login with it; absent when never used."`
	BackupEligible bool       `json:"backup_eligible" doc:"The passkey may be synced to other devices (e.g. by a password manager)."`
	Synced         bool       `json:"synced" doc:"The passkey is backed up or synced (as of its last use)."`
	Transports     []string   `json:"transports" doc:"How the browser reaches the authenticator: internal, hybrid, usb, nfc, ble." example:"[\"internal\",\"hybrid\"]"`
}

func passkeyOut(p *account.Passkey) PasskeyOut {
	out := PasskeyOut{ID: p.ID, Name: p.Name, CreatedAt: p.CreatedAt.UTC(), BackupEligible: p.BackupEligible(), Synced: p.BackedUp(), Transports: p.Transports}
	if p.LastUsedAt != nil {
		at := p.LastUsedAt.UTC()
		out.LastUsedAt = &at
	}
	if out.Transports == nil {
		out.Transports = []string{}
	}
	return out
}

// PasskeyInput addresses one of the account's passkeys.
type PasskeyInput struct {
	ID uuid.UUID `path:"id" format:"uuid" example:"6f1c2a9e-4b7d-4e0a-9c3b-2d5e8f1a7b64"`
}

// PasskeyNameBody names a passkey.
type PasskeyNameBody struct {
	Name string `json:"name" minLength:"1" maxLength:"60" doc:"1 to 60 characters (trimmed), so the person recognises the device." example:"iPhone"`
}

// PasskeyRegistrationInput finishes adding a passkey.
type PasskeyRegistrationInput struct {
	Body struct {
		Credential map[string]any `json:"credential" doc:"The browser's answer: the JSON of the PublicKeyCredential from navigator.credentials.create (credential.toJSON()), unchanged."`
		PasskeyNameBody
	}
}

// PasskeyLoginInput finishes a login with a passkey.
type PasskeyLoginInput struct {
	DeviceParams
	GuestInput
	Body struct {
		Credential map[string]any `json:"credential" doc:"The browser's answer: the JSON of the PublicKeyCredential from navigator.credentials.get (credential.toJSON()), unchanged."`
	}
}

// PasskeySignupOptionsInput starts opening an account with a passkey.
type PasskeySignupOptionsInput struct {
	Body struct {
		Email string `json:"email" maxLength:"254" example:"anna.muster@example.ch"`
	}
}

// PasskeySignupInput finishes opening an account with a passkey.
type PasskeySignupInput struct {
	Body struct {
		Credential map[string]any `json:"credential" doc:"The browser's answer: the JSON of the PublicKeyCredential from navigator.credentials.create (credential.toJSON()), unchanged."`
		Name       string         `json:"name,omitempty" maxLength:"60" doc:"A name for the passkey; \"Passkey\" when left out." example:"iPhone"`
	}
}

func (s *Server) registerPasskeys(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "beginPasskeyRegistration", Method: http.MethodPost, Path: "/api/v1/me/passkeys/options", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Add a passkey: options",
		Description: "Starts adding a passkey: returns the WebAuthn creation options for navigator.credentials.create (a discoverable " +
			"credential with user verification, no attestation; the account's passkeys excluded). The ceremony must be finished within " +
			"5 minutes in the same session, once. Adding a way to log in needs a login in the last 15 minutes (otherwise a step-up problem with max_age).",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[PasskeyCreationOptions], error) {
		if err := s.requireLevel(ctx, account.LevelAccount, recentLogin); err != nil {
			return nil, err
		}
		id, _ := s.sessionAccount(ctx)
		c, err := s.accounts.BeginPasskeyRegistration(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out, err := options[PasskeyCreationOptions](c)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.keepCeremony(ctx, account.CeremonyRegister, c)
		return &Uncached[PasskeyCreationOptions]{CacheControl: "no-store", Body: *out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "finishPasskeyRegistration", Method: http.MethodPost, Path: "/api/v1/me/passkeys", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Add a passkey",
		Description: "Verifies the browser's answer to the options from POST /api/v1/me/passkeys/options and stores the passkey under " +
			"the given name. The account's address is told by e-mail. A failed, expired or used ceremony is a 422 naming body.credential; start again.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *PasskeyRegistrationInput) (*struct{ Body PasskeyOut }, error) {
		// A bad name keeps the ceremony: the person fixes the name and
		// sends the same answer again, without a second touch.
		if _, err := account.PasskeyName(in.Body.Name); err != nil {
			return nil, s.problem(ctx, err)
		}
		id, _ := s.sessionAccount(ctx)
		cred, err := json.Marshal(in.Body.Credential)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		p, err := s.accounts.FinishPasskeyRegistration(ctx, id, s.takeCeremony(ctx, account.CeremonyRegister), cred, in.Body.Name)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body PasskeyOut }{passkeyOut(p)}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "listMyPasskeys", Method: http.MethodGet, Path: "/api/v1/me/passkeys", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "My passkeys", Description: "The account's passkeys, oldest first: name, when added and last used, whether synced, transports. Keys are never shown.",
		Errors: []int{http.StatusUnauthorized, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Items[PasskeyOut]], error) {
		id, _ := s.sessionAccount(ctx)
		keys, err := s.accounts.ListPasskeys(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := Items[PasskeyOut]{Items: make([]PasskeyOut, 0, len(keys))}
		for i := range keys {
			out.Items = append(out.Items, passkeyOut(&keys[i]))
		}
		return &Uncached[Items[PasskeyOut]]{CacheControl: "private, no-store", Body: out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "renameMyPasskey", Method: http.MethodPatch, Path: "/api/v1/me/passkeys/{id}", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Rename a passkey", Description: "Gives one of the account's passkeys a new name (1 to 60 characters). Another account's passkey is not found.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *struct {
		PasskeyInput
		Body PasskeyNameBody
	}) (*struct{}, error) {
		id, _ := s.sessionAccount(ctx)
		if err := s.accounts.RenamePasskey(ctx, id, in.ID, in.Body.Name); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "deleteMyPasskey", Method: http.MethodDelete, Path: "/api/v1/me/passkeys/{id}", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Remove a passkey", Description: "Removes one of the account's passkeys; it cannot log in any more. The account's address is told by e-mail. Another account's passkey is not found.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *PasskeyInput) (*struct{}, error) {
		id, _ := s.sessionAccount(ctx)
		if err := s.accounts.DeletePasskey(ctx, id, in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "beginPasskeyLogin", Method: http.MethodPost, Path: "/api/v1/session/passkey/options", Tags: []string{tagAccount},
		Summary: "Log in with a passkey: options",
		Description: "Starts a login without user name: returns the WebAuthn request options for navigator.credentials.get, with an " +
			"empty allowCredentials (the browser offers the passkeys it holds for the site). Finish within 5 minutes in the same session, once.",
		Errors: []int{http.StatusForbidden, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[PasskeyRequestOptions], error) {
		c, err := s.accounts.BeginPasskeyLogin(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out, err := options[PasskeyRequestOptions](c)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.keepCeremony(ctx, account.CeremonyLogin, c)
		return &Uncached[PasskeyRequestOptions]{CacheControl: "no-store", Body: *out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "loginWithPasskey", Method: http.MethodPost, Path: "/api/v1/session/passkey", Tags: []string{tagAccount},
		Summary: "Log in with a passkey",
		Description: "Verifies the browser's answer to the options from POST /api/v1/session/passkey/options and starts a session " +
			"(new token) at level two_factor with the method passkey: the passkey is something the person has, unlocked by PIN or " +
			"biometrics. When the session already belongs to the same account, this is a step-up; another account's passkey in a logged-in session is refused (409). Every failure (unknown or removed " +
			"passkey, wrong or used challenge, expired ceremony, address not verified yet) gets the same 401; failures count against " +
			"the account's login attempts.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *PasskeyLoginInput) (*struct{ Body Me }, error) {
		cred, err := json.Marshal(in.Body.Credential)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		acc, err := s.accounts.FinishPasskeyLogin(ctx, s.takeCeremony(ctx, account.CeremonyLogin), cred)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		// In a logged-in session this is a step-up: someone else's passkey
		// must not quietly swap the account under the person (as the eID
		// refuses an identity of another account).
		if current, ok := s.sessionAccount(ctx); ok && current != acc.ID {
			return nil, s.problem(ctx, apperr.New(apperr.Conflict, "this passkey belongs to another account; log out first to switch accounts"))
		}
		me, err := s.completeLogin(ctx, signIn{Account: acc.ID, Methods: []string{account.MethodPasskey}, Level: account.LevelTwoFactor, UserAgent: in.UserAgent, Guest: in.GuestInput})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body Me }{*me}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "beginPasskeySignup", Method: http.MethodPost, Path: "/api/v1/accounts/passkey/options", Tags: []string{tagAccount},
		Summary: "Open an account with a passkey: options",
		Description: "The other way to open an account: only an e-mail address and a passkey. Returns the WebAuthn creation options " +
			"for navigator.credentials.create; the answer has the same shape for every address. Finish within 5 minutes in the same session, once.",
		Errors: []int{http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *PasskeySignupOptionsInput) (*Uncached[PasskeyCreationOptions], error) {
		c, err := s.accounts.BeginPasskeySignup(ctx, in.Body.Email)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out, err := options[PasskeyCreationOptions](c)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.keepCeremony(ctx, account.CeremonySignup, c)
		return &Uncached[PasskeyCreationOptions]{CacheControl: "no-store", Body: *out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "finishPasskeySignup", Method: http.MethodPost, Path: "/api/v1/accounts/passkey", Tags: []string{tagAccount},
		Summary: "Open an account with a passkey",
		Description: "Verifies the browser's answer to the options from POST /api/v1/accounts/passkey/options. The answer is always " +
			"202, as for POST /api/v1/accounts: a new address gets an account without password holding the passkey and a verification " +
			"link by e-mail (the passkey logs in once the address is confirmed); for a known one nothing is stored and its owner gets a " +
			"note that someone tried to register. A failed, expired or used ceremony is a 422 naming body.credential.",
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *PasskeySignupInput) (*struct{ Body Accepted }, error) {
		cred, err := json.Marshal(in.Body.Credential)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if err := s.accounts.FinishPasskeySignup(ctx, s.takeCeremony(ctx, account.CeremonySignup), cred, in.Body.Name); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body Accepted }{Accepted{Status: "check_inbox"}}, nil
	})
}
