package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/account"
)

// EmailChangeInput names the new address.
type EmailChangeInput struct {
	Body struct {
		Email string `json:"email" maxLength:"254" example:"anna.muster@example.org"`
	}
}

func (s *Server) registerEmailChange(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "changeMyEmail", Method: http.MethodPost, Path: "/api/v1/me/email", Tags: []string{tagAccount}, Security: sessionSecurity,
		Summary: "Change my e-mail address",
		Description: "Mails a confirmation link (24 h) to the new address and tells the old one; the account keeps its address until " +
			"the link is used. Needs a login in the last 15 minutes. The answer is 202 whether or not the new address has an account.",
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *EmailChangeInput) (*struct{ Body Accepted }, error) {
		id, _ := s.sessionAccount(ctx)
		if err := s.requireLevel(ctx, account.LevelAccount, recentLogin); err != nil {
			return nil, err
		}
		if err := s.accounts.RequestEmailChange(ctx, id, in.Body.Email); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body Accepted }{Accepted{Status: "check_inbox"}}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "confirmEmailChange", Method: http.MethodPost, Path: "/api/v1/accounts/email-change/confirm", Tags: []string{tagAccount},
		Summary:       "Confirm a new e-mail address",
		Description:   "Uses the token from the link sent to the new address, once, within 24 hours; both addresses are told.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *VerifyInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.accounts.ConfirmEmailChange(ctx, in.Body.Token))
	})
}
