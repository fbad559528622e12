package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/eid"
)

// Login with the state eID (OpenID Connect, internal/eid): the browser
// goes to the provider and comes back to the callback, which opens a
// session through completeLogin. The flow's secrets (state, nonce, PKCE
// verifier) wait in the session, for one callback within ten minutes.
// The callback answers the browser, not a script: whatever goes wrong, it
// redirects to the PWA's login page with a short error code (eidErrors).

const (
	keyEIDFlow      = "eid_flow"
	eidCallbackPath = "/api/v1/session/eid/callback"
	// eidErrorPage is the PWA page that explains an error code (?fehler=).
	eidErrorPage    = "/account/login"
	defaultReturnTo = "/account"
)

// eidErrors are the codes the PWA shows a text for, by cause.
var eidErrors = []struct {
	err  error
	code string
	log  slog.Level
}{
	{eid.ErrCancelled, "eid_abgebrochen", slog.LevelInfo},
	{eid.ErrExpired, "eid_abgelaufen", slog.LevelInfo},
	{eid.ErrInvalid, "eid_ungueltig", slog.LevelWarn},
	{eid.ErrProvider, "eid_fehler", slog.LevelWarn},
	{eid.ErrUnknownACR, "eid_stufe_unbekannt", slog.LevelWarn},
	{eid.ErrLevelTooLow, "eid_stufe_zu_tief", slog.LevelInfo},
	{account.ErrEIDOtherAccount, "eid_anderes_konto", slog.LevelWarn},
	{account.ErrEIDOtherIdentity, "eid_schon_verbunden", slog.LevelInfo},
	{account.ErrEIDEmailTaken, "eid_email_bekannt", slog.LevelInfo},
	{account.ErrEIDNoEmail, "eid_ohne_email", slog.LevelInfo},
}

// eidEnabled reports whether login with the state eID is configured.
func (s *Server) eidEnabled() bool { return s.eid != nil }

// eidFlow is what the session keeps between the start and the callback.
type eidFlow struct {
	eid.Flow
	ReturnTo string `json:"return_to"`
	// Account is the account logged in at the start: its identity is
	// linked to it (step-up), and the callback must find the same session.
	Account string `json:"account,omitempty"`
}

// localPath reports whether p is a path on this site that no browser reads
// as another origin: "/account", not "//evil.example", "/\evil.example"
// (browsers treat a backslash as a slash), "https://…" or control
// characters.
func localPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, `\`) {
		return false
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
}

// EIDStartInput starts a login with the state eID.
type EIDStartInput struct {
	ReturnTo string `query:"return_to" maxLength:"512" doc:"Where the PWA continues afterwards: a path on this site (default /account). Other sites are refused." example:"/account"`
	Level    string `query:"level" enum:"account,two_factor,eid" default:"account" doc:"The assurance level the login must reach: the provider is asked for the weakest acr value that gives it, and a weaker answer is refused."`
}

// Resolve refuses return_to values that would leave the site.
func (in *EIDStartInput) Resolve(huma.Context) []error {
	if in.ReturnTo == "" {
		in.ReturnTo = defaultReturnTo
	}
	if !localPath(in.ReturnTo) {
		return []error{&huma.ErrorDetail{Location: "query.return_to", Message: "must be a path on this site, such as /account", Value: in.ReturnTo}}
	}
	return nil
}

// EIDCallbackInput is the provider's answer (RFC 6749 4.1.2, RFC 9207).
type EIDCallbackInput struct {
	DeviceParams
	GuestInput
	Code             string `query:"code" maxLength:"4096" doc:"The authorization code."`
	State            string `query:"state" maxLength:"512" doc:"The state Schalter sent."`
	Iss              string `query:"iss" maxLength:"1000" doc:"The provider's issuer (RFC 9207), when it sends it."`
	Error            string `query:"error" maxLength:"200" doc:"The provider's error, e.g. access_denied when the person cancelled."`
	ErrorDescription string `query:"error_description" maxLength:"2000"`
}

// Redirect sends the browser elsewhere.
type Redirect struct {
	Location     string `header:"Location"`
	CacheControl string `header:"Cache-Control"`
}

func redirect(to string) *Redirect { return &Redirect{Location: to, CacheControl: "no-store"} }

// EIDOut is an eID identity linked to the account.
type EIDOut struct {
	ID         uuid.UUID `json:"id"`
	Issuer     string    `json:"issuer" doc:"The identity provider." example:"https://identity.agov.admin.ch"`
	ACR        string    `json:"acr" doc:"The assurance (acr) of the last login with this identity." example:"urn:qoa.eiam.admin.ch:names:tc:ac:classes:30"`
	Level      string    `json:"level" enum:"none,account,two_factor,eid" doc:"The level that acr gives today (none: no longer accepted)."`
	LinkedAt   time.Time `json:"linked_at"`
	LastUsedAt time.Time `json:"last_used_at"`
}

// EIDExport is a linked eID identity as stored, for the data export.
type EIDExport struct {
	Issuer     string    `json:"issuer"`
	Subject    string    `json:"subject" doc:"The provider's identifier of the person for Schalter (sub)."`
	ACR        string    `json:"acr" doc:"The assurance of the last login with it."`
	LinkedAt   time.Time `json:"linked_at"`
	LastUsedAt time.Time `json:"last_used_at"`
}

// EIDInput addresses one linked identity.
type EIDInput struct {
	ID string `path:"id" format:"uuid" example:"0b6f9a4e-2f4d-4c1e-9a57-3c8d1e2f4a6b"`
}

func (s *Server) registerEID(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "startEIDLogin", Method: http.MethodGet, Path: "/api/v1/session/eid", Tags: []string{tagAccount},
		Summary: "Log in with the state eID",
		Description: "A browser navigation, not a fetch: redirects (302) to the eID provider with an authorization request " +
			"(code flow, PKCE S256, state, nonce, acr_values for the level). Without a session the login opens the identity's " +
			"account or a new one; with a session the identity is linked to that account and the session steps up. " +
			"The provider sends the browser back to the callback. return_to must be a path on this site (422 otherwise).",
		DefaultStatus: http.StatusFound,
		Errors:        []int{http.StatusUnprocessableEntity, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *EIDStartInput) (*Redirect, error) {
		if s.eid == nil {
			return nil, s.problem(ctx, apperr.New(apperr.Unavailable, "login with the state eID is not configured"))
		}
		need, _ := account.ParseLevel(in.Level)
		current, loggedIn := s.sessionAccount(ctx)
		// The e-mail address is only asked for when the login may open an account.
		flow, to, err := s.eid.Begin(ctx, need, !loggedIn)
		if apperr.CodeOf(err) == apperr.Invalid {
			return nil, s.problem(ctx, err)
		}
		if err != nil {
			return redirect(s.eidFailed(ctx, err, in.ReturnTo)), nil
		}
		f := eidFlow{Flow: *flow, ReturnTo: in.ReturnTo}
		if loggedIn {
			f.Account = current.String()
		}
		raw, err := json.Marshal(f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.sessions.Put(ctx, keyEIDFlow, string(raw))
		return redirect(to), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "finishEIDLogin", Method: http.MethodGet, Path: eidCallbackPath, Tags: []string{tagAccount},
		Summary: "eID provider callback",
		Description: "Where the eID provider sends the browser back. Checks state (once, within 10 minutes), exchanges the code " +
			"with the PKCE verifier, verifies the ID token (signature, issuer, audience, nonce) and its acr, links or opens the " +
			"account, renews the session token and redirects (302) to return_to. Failures redirect to /account/login?fehler=CODE " +
			"(&return_to=…): eid_abgebrochen (cancelled), eid_abgelaufen, eid_ungueltig (state, nonce or token), eid_fehler " +
			"(provider), eid_stufe_unbekannt (acr not configured), eid_stufe_zu_tief (acr below the level asked for), " +
			"eid_anderes_konto (identity linked to another account), eid_schon_verbunden (the account has another identity of " +
			"this provider), eid_email_bekannt (the address has an account: log in and link from the account page), " +
			"eid_ohne_email (the provider gave no address).",
		DefaultStatus: http.StatusFound,
		Errors:        []int{http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *EIDCallbackInput) (*Redirect, error) {
		return redirect(s.finishEID(ctx, in)), nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "listMyEIDs", Method: http.MethodGet, Path: "/api/v1/me/eid", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary:     "My linked eID identities",
		Description: "The state eID identities that log into this account: provider, the acr of the last login, when linked and last used. Nothing else from the provider is stored.",
		Errors:      []int{http.StatusUnauthorized, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Items[EIDOut]], error) {
		id, _ := s.sessionAccount(ctx)
		linked, err := s.accounts.EIDs(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := Items[EIDOut]{Items: make([]EIDOut, 0, len(linked))}
		for _, l := range linked {
			level := account.LevelNone
			if s.eid != nil && l.Issuer == s.eid.Issuer() {
				level, _ = s.eid.LevelOf(l.ACR)
			}
			out.Items = append(out.Items, EIDOut{ID: l.ID, Issuer: l.Issuer, ACR: l.ACR, Level: level.String(), LinkedAt: l.LinkedAt.UTC(), LastUsedAt: l.LastUsedAt.UTC()})
		}
		return &Uncached[Items[EIDOut]]{CacheControl: "private, no-store", Body: out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "unlinkMyEID", Method: http.MethodDelete, Path: "/api/v1/me/eid/{id}", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Unlink an eID identity",
		Description: "The identity no longer logs into this account; the account's address is told by e-mail. Needs a login in the " +
			"last 15 minutes (otherwise a step-up problem with max_age). The only way into an account without a password or " +
			"passkey cannot be unlinked (409): set a password or add a passkey first.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *EIDInput) (*struct{}, error) {
		id, _ := s.sessionAccount(ctx)
		if err := s.requireLevel(ctx, account.LevelAccount, recentLogin); err != nil {
			return nil, err
		}
		eidID, err := uuid.Parse(in.ID)
		if err != nil {
			return nil, s.problem(ctx, apperr.InvalidFields("not an id", apperr.FieldError{Path: "path.id", Message: "must be a UUID", Value: in.ID}))
		}
		if err := s.accounts.UnlinkEID(ctx, id, eidID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

// finishEID handles the provider's answer and returns where the browser
// goes next.
func (s *Server) finishEID(ctx context.Context, in *EIDCallbackInput) string {
	if s.eid == nil {
		return s.eidFailed(ctx, fmt.Errorf("%w: eID login is not configured", eid.ErrProvider), "")
	}
	// Single use: the flow leaves the session whatever happens next.
	var f eidFlow
	var flow *eid.Flow
	if raw := s.sessions.PopString(ctx, keyEIDFlow); raw != "" && json.Unmarshal([]byte(raw), &f) == nil {
		flow = &f.Flow
	}
	q := url.Values{"code": {in.Code}, "state": {in.State}, "iss": {in.Iss}, "error": {in.Error}, "error_description": {in.ErrorDescription}}
	id, err := s.eid.Finish(ctx, flow, q)
	if err != nil {
		return s.eidFailed(ctx, err, f.ReturnTo)
	}
	current := uuid.Nil
	if f.Account != "" {
		sid, ok := s.sessionAccount(ctx)
		if !ok || sid.String() != f.Account {
			return s.eidFailed(ctx, fmt.Errorf("%w: the session changed accounts during the login", eid.ErrInvalid), f.ReturnTo)
		}
		current = sid
	}
	acc, err := s.accounts.SignInWithEID(ctx, account.EIDLogin{Issuer: id.Issuer, Subject: id.Subject, ACR: id.ACR, Email: id.Email}, current)
	if err != nil {
		return s.eidFailed(ctx, err, f.ReturnTo)
	}
	if _, err := s.completeLogin(ctx, signIn{Account: acc, Methods: []string{account.MethodEID}, Level: id.Level, UserAgent: in.UserAgent, Guest: in.GuestInput}); err != nil {
		return s.eidFailed(ctx, err, f.ReturnTo)
	}
	return s.cfg.PublicURL + f.ReturnTo
}

// eidFailed logs why an eID login failed and returns the PWA page that
// explains it. Causes without a code are outages or bugs: eid_fehler.
func (s *Server) eidFailed(ctx context.Context, err error, returnTo string) string {
	code, level := "eid_fehler", slog.LevelError
	for _, e := range eidErrors {
		if errors.Is(err, e.err) {
			code, level = e.code, e.log
			break
		}
	}
	s.log.Log(ctx, level, "eID login failed", "request_id", RequestID(ctx), "code", code, "err", err)
	to := s.cfg.PublicURL + eidErrorPage + "?fehler=" + code
	if returnTo != "" {
		to += "&return_to=" + url.QueryEscape(returnTo)
	}
	return to
}
