package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
)

// Sessions live in PostgreSQL (scs with its pgx store): the cookie carries
// a random token only, so any replica serves any session and ending one
// takes effect everywhere at once. A new token is issued at every login
// (no session fixation).

const (
	tagAccount    = "Account"
	sessionScheme = "session"
	sessionCookie = "schalter_session"
	// Session keys.
	keyAccount  = "account"
	keyMethods  = "auth_methods"
	keyAuthTime = "auth_time"
	keyPending  = "pending_account" // password checked, second factor due
	keyLastSeen = "last_seen"       // Unix seconds, updated at most once a minute
)

// recentLogin is how fresh an authentication must be for irreversible
// actions such as deleting the account.
const recentLogin = 15 * time.Minute

var sessionSecurity = []map[string][]string{{sessionScheme: {}}}

func newSessions(st scs.Store, lifetime time.Duration, log *slog.Logger) *scs.SessionManager {
	sm := scs.New()
	sm.Store = st
	sm.Lifetime = lifetime // absolute: log in again after half a day
	// No sm.IdleTimeout: scs would then rewrite the session row on every
	// request to move its expiry. idleTimeout below does the same with one
	// write a minute at most.
	sm.Cookie.Name = sessionCookie
	sm.Cookie.HttpOnly = true
	sm.Cookie.Secure = true // browsers accept Secure cookies on http://localhost too
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		log.Error("session store", "request_id", RequestID(r.Context()), "err", err)
		writeProblem(w, r, http.StatusServiceUnavailable, "sessions are unavailable right now; please retry shortly")
	}
	return sm
}

// sessionlessReads are public reads that never look at a session: the
// cookie a logged-in resident's browser sends along costs them no session
// lookup. TestAuthorizationMatrix would fail if an operation that needs
// the session were listed here.
var sessionlessReads = []string{"/api/v1/services", "/api/v1/catalogue", "/api/v1/categories", "/api/v1/audiences",
	"/api/v1/offices", "/api/v1/search", "/api/v1/config", "/api/v1/openapi"}

type sessionLoadedKey struct{}

// withSessions loads the session (one SELECT when a cookie is present)
// for every request that may need it.
func (s *Server) withSessions(next http.Handler) http.Handler {
	loaded := s.sessions.LoadAndSave(s.idleTimeout(next))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPIPath(r.URL.Path) && !isJobsUIPath(r.URL.Path) || (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
			slices.ContainsFunc(sessionlessReads, func(p string) bool { return strings.HasPrefix(r.URL.Path, p) }) {
			next.ServeHTTP(w, r)
			return
		}
		loaded.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionLoadedKey{}, true)))
	})
}

// idleTimeout ends sessions unused for SCHALTER_SESSION_IDLE (a
// forgotten session on a shared computer). The last use is stored
// with a minute's granularity, so an authenticated read costs one session
// SELECT and, at most once a minute, one write — not a write per request.
func (s *Server) idleTimeout(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if s.sessions.Exists(ctx, keyAccount) || s.sessions.Exists(ctx, keyPending) {
			now := time.Now().Unix()
			last := s.sessions.GetInt64(ctx, keyLastSeen)
			switch {
			case last > 0 && now-last > int64(s.cfg.SessionIdle.Seconds()):
				if err := s.sessions.Destroy(ctx); err != nil {
					s.sessions.ErrorFunc(w, r, err)
					return
				}
			case now-last >= min(60, int64(s.cfg.SessionIdle.Seconds())/2):
				s.sessions.Put(ctx, keyLastSeen, now)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// DeviceParams tell which browser a session starts in, for the list of
// devices.
type DeviceParams struct {
	UserAgent string `header:"User-Agent" maxLength:"1000" doc:"Shown in the list of sessions, so the person recognises the device."`
}

// trustedDeviceCookie keeps the device token of a browser that logged in
// with its password (account.TrustDevice): its login attempts count apart
// from a stranger's, so a stranger's wrong passwords never lock the owner
// out on their own devices. A year, and only sent to the session paths.
const (
	trustedDeviceCookie = "schalter_device"
	trustedDeviceAge    = 365 * 24 * time.Hour
)

// TrustedDeviceInput carries the device token.
type TrustedDeviceInput struct {
	TrustedDevice string `cookie:"schalter_device" maxLength:"200" doc:"The token the server set at an earlier password login on this browser; its attempts are counted apart from other browsers'."`
}

// LoggedIn is a finished password login: the session, and the device
// token for the next login from this browser.
type LoggedIn struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      Me
}

// loggedIn answers a password login of account id with me, and makes the
// browser a trusted device of that account.
func (s *Server) loggedIn(id uuid.UUID, me *Me) *LoggedIn {
	out := &LoggedIn{Body: *me}
	if token := s.accounts.TrustDevice(id); token != "" {
		out.SetCookie = http.Cookie{Name: trustedDeviceCookie, Value: token, Path: "/api/v1/session", MaxAge: int(trustedDeviceAge.Seconds()),
			HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode}
	}
	return out
}

// LoginInput is a password login.
type LoginInput struct {
	DeviceParams
	GuestInput
	TrustedDeviceInput
	Body struct {
		Email    string `json:"email" maxLength:"254" doc:"The account's e-mail address." example:"anna.muster@example.ch"`
		Password string `json:"password" minLength:"1" maxLength:"1024" example:"grüne Velos fahren leise"`
	}
}

// RoleOut is a role of an account.
type RoleOut struct {
	Role   string `json:"role" enum:"staff,editor,admin"`
	Office string `json:"office,omitempty" doc:"For staff: the office." example:"einwohnerdienste"`
}

// AuthOut says how the session was authenticated.
type AuthOut struct {
	Methods         []string  `json:"methods" doc:"How the person proved who they are: pwd (password), otp (authenticator app), sms, passkey, eid." example:"[\"pwd\"]"`
	Level           string    `json:"level" enum:"account,two_factor,eid" doc:"The assurance level: account (one factor), two_factor, eid (state eID)."`
	AuthenticatedAt time.Time `json:"authenticated_at"`
}

// FactorsOut says which second factors an account has switched on.
type FactorsOut struct {
	TOTP     bool   `json:"totp" doc:"An authenticator app is set up."`
	SMS      string `json:"sms" doc:"The number SMS codes go to, masked; empty when SMS codes are off." example:"+41 79 *** ** 67"`
	Password bool   `json:"password" doc:"The account has a password (accounts opened with a passkey or the eID may have none)."`
	Passkeys int    `json:"passkeys" doc:"How many passkeys the account has." example:"1"`
}

// Me is the logged-in person.
type Me struct {
	ID      uuid.UUID  `json:"id"`
	Email   string     `json:"email" example:"anna.muster@example.ch"`
	Roles   []RoleOut  `json:"roles"`
	Auth    AuthOut    `json:"auth"`
	Factors FactorsOut `json:"factors"`
}

// sessionAccount returns the account id of the request's session.
func (s *Server) sessionAccount(ctx context.Context) (uuid.UUID, bool) {
	if ctx.Value(sessionLoadedKey{}) == nil {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(s.sessions.GetString(ctx, keyAccount))
	return id, err == nil
}

func (s *Server) me(ctx context.Context) (*Me, error) {
	id, ok := s.sessionAccount(ctx)
	if !ok {
		return nil, apperr.New(apperr.Unauthorized, "not logged in")
	}
	acc, err := s.accounts.Account(ctx, id)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			// The account was deleted under a live session.
			_ = s.sessions.Destroy(ctx)
			return nil, apperr.New(apperr.Unauthorized, "not logged in")
		}
		return nil, err
	}
	roles, err := s.accounts.Roles(ctx, id)
	if err != nil {
		return nil, err
	}
	factors, err := s.accounts.SecondFactors(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &Me{ID: acc.ID, Email: acc.Email, Roles: make([]RoleOut, 0, len(roles)), Factors: FactorsOut{TOTP: factors.TOTP, SMS: maskPhone(factors.SMS), Password: factors.Password, Passkeys: factors.Passkeys},
		Auth: AuthOut{Methods: []string{}, Level: s.sessionLevel(ctx).String(), AuthenticatedAt: time.Unix(s.sessions.GetInt64(ctx, keyAuthTime), 0).UTC()}}
	for _, r := range roles {
		out.Roles = append(out.Roles, RoleOut{Role: r.Role, Office: r.Office})
	}
	if m := s.sessions.GetString(ctx, keyMethods); m != "" {
		out.Auth.Methods = strings.Split(m, ",")
	}
	return out, nil
}

func (s *Server) registerSession(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: "/api/v1/session", Tags: []string{tagAccount},
		Summary: "Log in with a password",
		Description: "Starts a session (HttpOnly, Secure, SameSite=Lax cookie with a new token). A wrong password and an " +
			"unknown address get the same answer after the same work. Wrong passwords are limited per address and per client; " +
			"a browser that logged in to the account with its password before (schalter_device cookie) has a limit of its own, " +
			"so wrong passwords from elsewhere never lock the owner out there, and the owner is mailed when the address reaches its limit. " +
			"For an account with a second factor the answer is 401 with an error at body.code whose value lists the factors " +
			"(otp, sms): the login continues at POST /api/v1/session/second-factor.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusInternalServerError},
	}, func(ctx context.Context, in *LoginInput) (*LoggedIn, error) {
		acc, err := s.accounts.Login(ctx, in.Body.Email, in.Body.Password, in.TrustedDevice)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		factors, err := s.accounts.SecondFactors(ctx, acc.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if factors.TOTP || factors.SMS != "" {
			// Not logged in yet: the session only remembers whose
			// password was right, for the second step.
			s.sessions.Remove(ctx, keyAccount)
			s.sessions.Put(ctx, keyPending, acc.ID.String())
			return nil, secondFactorRequired(factors)
		}
		me, err := s.completeLogin(ctx, signIn{Account: acc.ID, Methods: []string{account.MethodPassword}, Level: account.LevelAccount, UserAgent: in.UserAgent, Guest: in.GuestInput})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return s.loggedIn(acc.ID, me), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "logout", Method: http.MethodDelete, Path: "/api/v1/session", Tags: []string{tagAccount},
		Summary: "Log out", Description: "Ends the caller's session, if any, on every server at once. Idempotent: without a session it does nothing.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusForbidden, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		if s.sessions != nil {
			if err := s.sessions.Destroy(ctx); err != nil {
				return nil, s.problem(ctx, err)
			}
		}
		return nil, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "getMe", Method: http.MethodGet, Path: "/api/v1/me", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Who am I", Description: "The logged-in account, its roles and how the session was authenticated.",
		Errors: []int{http.StatusUnauthorized, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Me], error) {
		me, err := s.me(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[Me]{CacheControl: "private, no-store", Body: *me}, nil
	})
}

// RegisterInput starts an account: only an e-mail address and a password.
type RegisterInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" example:"anna.muster@example.ch"`
		Password string `json:"password" minLength:"1" maxLength:"1024" doc:"At least 12 characters; any characters; not a common password." example:"grüne Velos fahren leise"`
	}
}

// Accepted is the answer to a registration: the same for every address.
type Accepted struct {
	Status string `json:"status" enum:"check_inbox"`
}

// VerifyInput confirms an address.
type VerifyInput struct {
	Body struct {
		Token string `json:"token" minLength:"20" maxLength:"200" doc:"The token from the link in the e-mail."`
	}
}

func (s *Server) registerAccounts(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "register", Method: http.MethodPost, Path: "/api/v1/accounts", Tags: []string{tagAccount},
		Summary: "Open an account",
		Description: "Asks only for an e-mail address and a password. The answer is always 202: a new address gets a " +
			"verification link by e-mail, a known one a note that someone tried to register with it.",
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *RegisterInput) (*struct{ Body Accepted }, error) {
		if err := s.accounts.Register(ctx, in.Body.Email, in.Body.Password); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body Accepted }{Accepted{Status: "check_inbox"}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "verifyEmail", Method: http.MethodPost, Path: "/api/v1/accounts/verify", Tags: []string{tagAccount},
		Summary: "Confirm an e-mail address", Description: "Uses the token from the verification link, once, within 24 hours.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *VerifyInput) (*struct{}, error) {
		if err := s.accounts.VerifyEmail(ctx, in.Body.Token); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

// CodeInput carries a one-time code.
type CodeInput struct {
	DeviceParams
	GuestInput
	Body struct {
		Code string `json:"code" minLength:"6" maxLength:"20" doc:"Six digits from the authenticator app or the SMS, or a recovery code (with dashes)." example:"123456"`
	}
}

// TOTPSetupOut is what the authenticator app needs.
type TOTPSetupOut struct {
	Secret     string `json:"secret" doc:"The seed in base32, to type in." example:"JBSWY3DPEHPK3PXP"`
	OTPAuthURL string `json:"otpauth_url" doc:"The otpauth:// URI the QR code holds."`
	QRPNG      []byte `json:"qr_png" doc:"The QR code as a PNG (base64 in JSON)."`
}

// RecoveryCodes are shown once, after confirming the authenticator app.
type RecoveryCodes struct {
	RecoveryCodes []string `json:"recovery_codes" doc:"Ten single-use codes for a lost phone; shown only now."`
}

func (s *Server) registerTwoFactor(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "beginTOTP", Method: http.MethodPost, Path: "/api/v1/me/totp", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary:     "Set up an authenticator app",
		Description: "Creates a TOTP seed (stored encrypted) and returns it as text, otpauth URI and QR code. It takes effect once confirmed with a first code.",
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[TOTPSetupOut], error) {
		me, err := s.me(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		setup, err := s.accounts.BeginTOTP(ctx, me.ID, me.Email)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[TOTPSetupOut]{CacheControl: "no-store", Body: TOTPSetupOut{Secret: setup.Secret, OTPAuthURL: setup.URL, QRPNG: setup.QRPNG}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "confirmTOTP", Method: http.MethodPost, Path: "/api/v1/me/totp/confirm", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary:     "Confirm the authenticator app",
		Description: "Checks a first code, switches the second factor on and returns ten recovery codes (shown once). The session counts as two-factor from now on.",
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *CodeInput) (*Uncached[RecoveryCodes], error) {
		me, err := s.me(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		codes, err := s.accounts.ConfirmTOTP(ctx, me.ID, in.Body.Code)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		// Proving the app works is a second factor: the session steps up.
		if _, err := s.stepUp(ctx, me.ID, account.MethodTOTP, in.UserAgent); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[RecoveryCodes]{CacheControl: "no-store", Body: RecoveryCodes{RecoveryCodes: codes}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "loginSecondFactor", Method: http.MethodPost, Path: "/api/v1/session/second-factor", Tags: []string{tagAccount},
		Summary:     "Log in: the second factor",
		Description: "After a correct password for an account with a second factor: a code from the authenticator app, one sent by SMS (POST /api/v1/session/second-factor/sms) or a recovery code completes the login. Codes work once; attempts are limited.",
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusInternalServerError},
	}, func(ctx context.Context, in *CodeInput) (*LoggedIn, error) {
		id, err := uuid.Parse(s.sessions.GetString(ctx, keyPending))
		if err != nil {
			return nil, s.problem(ctx, apperr.New(apperr.Unauthorized, "log in with your password first"))
		}
		method, err := s.accounts.CheckSecondFactor(ctx, id, in.Body.Code)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		methods := []string{account.MethodPassword, method}
		me, err := s.completeLogin(ctx, signIn{Account: id, Methods: methods, Level: account.LevelFor(methods), UserAgent: in.UserAgent, Guest: in.GuestInput})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return s.loggedIn(id, me), nil
	})
}

// ResetRequestInput asks for a password-reset link.
type ResetRequestInput struct {
	Body struct {
		Email string `json:"email" maxLength:"254" example:"anna.muster@example.ch"`
	}
}

// ResetInput sets a new password with the link's token.
type ResetInput struct {
	Body struct {
		Token    string `json:"token" minLength:"20" maxLength:"200"`
		Password string `json:"password" minLength:"1" maxLength:"1024" example:"grüne Velos fahren leise"`
	}
}

func (s *Server) registerAccountData(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "requestPasswordReset", Method: http.MethodPost, Path: "/api/v1/accounts/password-reset", Tags: []string{tagAccount},
		Summary: "Forgot password", Description: "Mails a reset link (valid one hour) if the address has an account. The answer is always 202.",
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *ResetRequestInput) (*struct{ Body Accepted }, error) {
		if err := s.accounts.RequestPasswordReset(ctx, in.Body.Email); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body Accepted }{Accepted{Status: "check_inbox"}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "resetPassword", Method: http.MethodPost, Path: "/api/v1/accounts/password-reset/confirm", Tags: []string{tagAccount},
		Summary: "Set a new password", Description: "With the token from the reset link, once. The account's address is told by e-mail.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *ResetInput) (*struct{}, error) {
		if err := s.accounts.ResetPassword(ctx, in.Body.Token, in.Body.Password); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "deleteMyAccount", Method: http.MethodDelete, Path: "/api/v1/me", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Delete my account", Description: "Deletes the account and everything no law requires the city to keep (docs/privacy.md), and ends the session. Needs a login in the last 15 minutes (otherwise a step-up problem with max_age).",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		id, _ := s.sessionAccount(ctx)
		// Irreversible: only right after proving it is really the person.
		if err := s.requireLevel(ctx, account.LevelAccount, recentLogin); err != nil {
			return nil, err
		}
		if err := s.accounts.DeleteAccount(ctx, id); err != nil {
			return nil, s.problem(ctx, err)
		}
		if err := s.sessions.Destroy(ctx); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

// deviceID names a session without revealing its token.
func deviceID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:16])
}

func (s *Server) recordDevice(ctx context.Context, account uuid.UUID, userAgent string) error {
	token := s.sessions.Token(ctx)
	return s.accounts.AddDevice(ctx, token, deviceID(token), account, userAgent, s.sessions.GetString(ctx, keyMethods))
}

// DeviceOut is one live session.
type DeviceOut struct {
	ID        string    `json:"id" example:"3f2a9c0d1e4b5a6c7d8e9f0011223344"`
	Device    string    `json:"device" doc:"The browser's own description (User-Agent)."`
	Methods   []string  `json:"methods" example:"[\"pwd\",\"otp\"]"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Current   bool      `json:"current" doc:"The session of this request."`
}

// DeviceInput addresses one session.
type DeviceInput struct {
	ID string `path:"id" pattern:"^[0-9a-f]{32}$" example:"3f2a9c0d1e4b5a6c7d8e9f0011223344"`
}

func (s *Server) registerDevices(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "listMySessions", Method: http.MethodGet, Path: "/api/v1/me/sessions", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "My sessions and devices", Description: "Every live session of the account, newest first, with the browser it runs in.",
		Errors: []int{http.StatusUnauthorized, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Items[DeviceOut]], error) {
		id, _ := s.sessionAccount(ctx)
		devices, err := s.accounts.Devices(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		current := deviceID(s.sessions.Token(ctx))
		out := Items[DeviceOut]{Items: make([]DeviceOut, 0, len(devices))}
		for _, d := range devices {
			out.Items = append(out.Items, DeviceOut{ID: d.ID, Device: d.UserAgent, Methods: strings.Split(d.Methods, ","),
				CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.Expiry.UTC(), Current: d.ID == current})
		}
		return &Uncached[Items[DeviceOut]]{CacheControl: "private, no-store", Body: out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "endMySession", Method: http.MethodDelete, Path: "/api/v1/me/sessions/{id}", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "End a session", Description: "Logs one of the account's sessions out, at once and on every server. Another account's session is not found.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *DeviceInput) (*struct{}, error) {
		id, _ := s.sessionAccount(ctx)
		if err := s.accounts.EndDevice(ctx, id, in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
