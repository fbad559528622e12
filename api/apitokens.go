package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
)

// Personal API tokens: bearer tokens for the scripts of editors and
// administrators (catalogue import and export), bound to the person and
// their roles. They replace the single shared admin token.

// APITokenOut is a token as listed (never the token itself).
type APITokenOut struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name" example:"Katalog-Import"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// APITokenCreated carries the token, shown only in this answer.
type APITokenCreated struct {
	APITokenOut
	Token string `json:"token" doc:"The bearer token (Authorization: Bearer …), shown only now." example:"sch_3q2-…"`
}

// APITokenInput names a new token.
type APITokenInput struct {
	Body struct {
		Name          string `json:"name" maxLength:"60" example:"Katalog-Import"`
		ExpiresInDays int    `json:"expires_in_days,omitempty" minimum:"1" maximum:"365" default:"90" doc:"Days until it stops working (90 when left out)."`
	}
}

// APITokenIDInput addresses one token.
type APITokenIDInput struct {
	ID uuid.UUID `path:"id" example:"6f1c2a9e-4b7d-4e0a-9c3b-2d5e8f1a7b64"`
}

func apiTokenOut(t account.APIToken) APITokenOut {
	return APITokenOut{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt.UTC(), ExpiresAt: t.ExpiresAt.UTC(), LastUsedAt: utcPtr(t.LastUsedAt)}
}

func (s *Server) registerAPITokens(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "listMyAPITokens", Method: http.MethodGet, Path: "/api/v1/me/api-tokens", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "My API tokens", Description: "The account's personal API tokens for scripts, newest first; the tokens themselves are never shown again.",
		Errors: []int{http.StatusUnauthorized, http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[Items[APITokenOut]], error) {
		id, _ := s.sessionAccount(ctx)
		ts, err := s.accounts.APITokens(ctx, id)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := Items[APITokenOut]{Items: make([]APITokenOut, 0, len(ts))}
		for _, t := range ts {
			out.Items = append(out.Items, apiTokenOut(t))
		}
		return &Uncached[Items[APITokenOut]]{CacheControl: "private, no-store", Body: out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "createMyAPIToken", Method: http.MethodPost, Path: "/api/v1/me/api-tokens", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Create an API token",
		Description: "A bearer token for scripts of editors and administrators (catalogue import and export), acting with the account's roles; " +
			"every change it makes names the account. Needs a two-factor session from the last 15 minutes; residents get 403. " +
			"The token is shown only in this answer; the account's address is told by e-mail.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *APITokenInput) (*Uncached[APITokenCreated], error) {
		id, _ := s.sessionAccount(ctx)
		if err := s.requireLevel(ctx, account.LevelTwoFactor, recentLogin); err != nil {
			return nil, err
		}
		token, t, err := s.accounts.CreateAPIToken(ctx, id, in.Body.Name, in.Body.ExpiresInDays)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[APITokenCreated]{CacheControl: "no-store", Body: APITokenCreated{APITokenOut: apiTokenOut(t), Token: token}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "deleteMyAPIToken", Method: http.MethodDelete, Path: "/api/v1/me/api-tokens/{id}", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Revoke an API token", Description: "The token stops working at once. Another account's token is not found.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *APITokenIDInput) (*struct{}, error) {
		id, _ := s.sessionAccount(ctx)
		return nil, s.problem(ctx, s.accounts.DeleteAPIToken(ctx, id, in.ID))
	})
}
