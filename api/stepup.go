package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
)

// Assurance levels: every session records how and when the person proved
// who they are (methods and level). A service or an action that needs more
// answers with a StepUpProblem; the PWA reads required_level, walks the
// person through one of the listed methods and retries.

const keyLevel = "auth_level"

// StepUpProblem is the RFC 9457 problem for "prove more": status 403 when
// the session is below the required level (or too old), 401 without a
// session.
type StepUpProblem struct {
	huma.ErrorModel
	RequiredLevel string   `json:"required_level,omitempty" enum:"account,two_factor,eid" doc:"The level the service or action needs."`
	CurrentLevel  string   `json:"current_level,omitempty" enum:"none,account,two_factor,eid" doc:"The level of the caller's session."`
	MaxAge        int      `json:"max_age,omitempty" doc:"Seconds: the action needs an authentication at most this old."`
	Methods       []string `json:"methods,omitempty" doc:"Ways to reach the level: passkey, otp, sms, eid, pwd."`
}

// signIn is what every way of logging in hands to completeLogin.
type signIn struct {
	Account   uuid.UUID
	Methods   []string
	Level     account.Level
	UserAgent string
	Guest     GuestInput
}

// completeLogin turns a proven identity into a session. The token is
// always renewed (no fixation, also at step-up). When the session already
// belongs to the same account this is a step-up (account.StepUp says what
// the session then proves); otherwise it is a new login.
func (s *Server) completeLogin(ctx context.Context, in signIn) (*Me, error) {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return nil, err
	}
	methods, level := in.Methods, in.Level
	current, ok := s.sessionAccount(ctx)
	stepUp := ok && current == in.Account
	if stepUp {
		methods, level = account.StepUp(strings.Split(s.sessions.GetString(ctx, keyMethods), ","), s.sessionLevel(ctx), methods, level)
	}
	s.sessions.Remove(ctx, keyPending)
	s.sessions.Put(ctx, keyAccount, in.Account.String())
	s.sessions.Put(ctx, keyMethods, strings.Join(methods, ","))
	s.sessions.Put(ctx, keyLevel, level.String())
	// Unix seconds: the session codec (gob) stores plain values only.
	s.sessions.Put(ctx, keyAuthTime, time.Now().Unix())
	s.sessions.Put(ctx, keyLastSeen, time.Now().Unix())
	if err := s.recordDevice(ctx, in.Account, in.UserAgent); err != nil {
		return nil, err
	}
	if !stepUp {
		s.adoptGuest(ctx, in.Guest, in.Account)
		s.accounts.NotifyLogin(ctx, in.Account, in.UserAgent)
	}
	return s.me(ctx)
}

// stepUp adds a second factor the person just proved to their session.
func (s *Server) stepUp(ctx context.Context, id uuid.UUID, method, userAgent string) (*Me, error) {
	methods := []string{method}
	return s.completeLogin(ctx, signIn{Account: id, Methods: methods, Level: account.LevelFor(methods), UserAgent: userAgent})
}

// sessionLevel is the assurance level of the request's session.
func (s *Server) sessionLevel(ctx context.Context) account.Level {
	if _, ok := s.sessionAccount(ctx); !ok {
		return account.LevelNone
	}
	l, _ := account.ParseLevel(s.sessions.GetString(ctx, keyLevel))
	return l
}

// requireLevel answers with a StepUpProblem unless the session has at
// least level need and, with maxAge > 0, authenticated within maxAge.
func (s *Server) requireLevel(ctx context.Context, need account.Level, maxAge time.Duration) error {
	have := s.sessionLevel(ctx)
	fresh := maxAge <= 0 || time.Since(time.Unix(s.sessions.GetInt64(ctx, keyAuthTime), 0)) <= maxAge
	if have >= need && fresh {
		return nil
	}
	p := &StepUpProblem{RequiredLevel: need.String(), CurrentLevel: have.String(), Methods: s.methodsFor(need)}
	p.Status = http.StatusForbidden
	p.Title = http.StatusText(http.StatusForbidden)
	if have == account.LevelNone {
		p.Status, p.Title = http.StatusUnauthorized, http.StatusText(http.StatusUnauthorized)
	}
	switch {
	case have < need:
		p.Detail = fmt.Sprintf("this needs the assurance level %s; your session has %s", need, have)
	default:
		p.MaxAge = int(maxAge.Seconds())
		p.Detail = fmt.Sprintf("this needs a login in the last %d minutes; please confirm it is you", int(maxAge.Minutes()))
	}
	return p
}

// methodsFor lists the ways the caller can reach level need, strongest
// last, so the PWA can offer them in order.
func (s *Server) methodsFor(need account.Level) []string {
	out := []string{}
	switch need {
	case account.LevelNone, account.LevelAccount:
		out = []string{account.MethodPassword, account.MethodPasskey}
	case account.LevelTwoFactor:
		out = []string{account.MethodTOTP}
		if s.smsEnabled() {
			out = append(out, account.MethodSMS)
		}
		out = append(out, account.MethodPasskey)
	}
	if s.eidEnabled() && s.eid.Reaches(need) {
		out = append(out, account.MethodEID)
	}
	return out
}

// ServiceAccessInput names a service.
type ServiceAccessInput struct {
	Slug string `path:"slug" maxLength:"100" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" example:"adressauskunft"`
}

// ServiceAccess says the session may use a service online.
type ServiceAccess struct {
	Service       string `json:"service" example:"umzug-melden"`
	RequiredLevel string `json:"required_level" enum:"none,account,two_factor,eid"`
	Level         string `json:"level" enum:"account,two_factor,eid" doc:"The session's level."`
}

func (s *Server) registerStepUp(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "checkServiceAccess", Method: http.MethodGet, Path: "/api/v1/me/services/{slug}/access", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "May I start this service",
		Description: "Checks the session against the service's assurance level before a form opens. Below it the answer is a " +
			"step-up problem (403) naming required_level, current_level and the methods that reach it.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *ServiceAccessInput) (*Uncached[ServiceAccess], error) {
		snap, err := s.cache.Current(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		svc, err := snap.Service(in.Slug)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		need, _ := account.ParseLevel(svc.Assurance)
		if err := s.requireLevel(ctx, need, 0); err != nil {
			return nil, err
		}
		return &Uncached[ServiceAccess]{CacheControl: "private, no-store",
			Body: ServiceAccess{Service: svc.Slug, RequiredLevel: svc.Assurance, Level: s.sessionLevel(ctx).String()}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "stepUpSecondFactor", Method: http.MethodPost, Path: "/api/v1/me/step-up", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary:     "Step up with a code",
		Description: "Raises a logged-in session with a code from the authenticator app, one sent by SMS (POST /api/v1/me/step-up/sms) or a recovery code: the session gets a new token and the level two_factor. Codes work once; attempts are limited.",
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusInternalServerError},
	}, func(ctx context.Context, in *CodeInput) (*Uncached[Me], error) {
		id, _ := s.sessionAccount(ctx)
		method, err := s.accounts.CheckSecondFactor(ctx, id, in.Body.Code)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		me, err := s.stepUp(ctx, id, method, in.UserAgent)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[Me]{CacheControl: "private, no-store", Body: *me}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "newRecoveryCodes", Method: http.MethodPost, Path: "/api/v1/me/recovery-codes", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "New recovery codes",
		Description: "Replaces the recovery codes with ten new ones, shown only in this answer: for a lost phone, whichever second factor " +
			"the account uses (authenticator app or SMS). Needs a two-factor session from the last 15 minutes; the old codes stop working.",
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[RecoveryCodes], error) {
		id, _ := s.sessionAccount(ctx)
		if err := s.requireLevel(ctx, account.LevelTwoFactor, recentLogin); err != nil {
			return nil, err
		}
		codes, err := s.accounts.NewRecoveryCodes(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.accounts.Notify(ctx, id, "recovery_codes_replaced")
		return &Uncached[RecoveryCodes]{CacheControl: "no-store", Body: RecoveryCodes{RecoveryCodes: codes}}, nil
	})
}
