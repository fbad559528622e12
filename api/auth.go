package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
)

type actorKey struct{}

// actor names who makes a change, for the revision history.
func actor(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok {
		return a
	}
	return "unknown"
}

func needsAdmin(op *huma.Operation) bool {
	for _, req := range op.Security {
		if _, ok := req[adminScheme]; ok {
			return true
		}
	}
	return false
}

// adminAuth guards every operation that declares the adminToken security
// scheme: a session of an editor or administrator passes, or a personal
// API token of one (Authorization: Bearer sch_…, for scripts). Either way
// the change names the person. Tokens are looked up by their SHA-256 and
// never logged.
func (s *Server) adminAuth(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if a := accessOf(ctx.Operation()); a == AccessAdmin || a == AccessStaff {
			check := s.requireAdmin
			if a == AccessStaff {
				check = s.requireStaff
			}
			if err := check(ctx.Context()); err != nil {
				writeErr(ctx, err)
				return
			}
			next(ctx)
			return
		}
		if !needsAdmin(ctx.Operation()) {
			// Operations on one's own account: refuse before reading input,
			// so an anonymous caller learns nothing from validation errors.
			if accessOf(ctx.Operation()) == AccessAccount {
				if _, ok := s.sessionAccount(ctx.Context()); !ok {
					_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "not logged in")
					return
				}
			}
			next(ctx)
			return
		}
		who, err := s.editor(ctx.Context(), ctx.Header("Authorization"))
		if err != nil {
			if apperr.CodeOf(err) == apperr.Unauthorized {
				ctx.SetHeader("WWW-Authenticate", `Bearer realm="schalter-admin"`)
			}
			writeErr(ctx, s.problem(ctx.Context(), err))
			return
		}
		next(huma.WithValue(ctx, actorKey{}, who))
	}
}

// editor names the editor or administrator behind a request: its session,
// or a personal API token (Authorization: Bearer sch_…). A caller who is
// known but not an editor is Forbidden, an unknown one Unauthorized, and a
// database that cannot answer is Unavailable (503), never a 401 that
// would send a script's operator looking for a bad token.
func (s *Server) editor(ctx context.Context, authorization string) (string, error) {
	if id, ok := s.sessionAccount(ctx); ok {
		editor, err := s.accounts.IsEditor(ctx, id)
		if err != nil {
			return "", err
		}
		if !editor {
			return "", apperr.New(apperr.Forbidden, "editors and administrators only")
		}
		return "account:" + id.String(), nil
	}
	token, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok {
		return "", apperr.New(apperr.Unauthorized, "an editor's session or personal API token is required")
	}
	id, err := s.accounts.APITokenAccount(ctx, strings.TrimSpace(token))
	if err != nil {
		if apperr.CodeOf(err) == apperr.Unavailable {
			return "", err
		}
		return "", apperr.New(apperr.Unauthorized, "an editor's session or personal API token is required")
	}
	editor, err := s.accounts.IsEditor(ctx, id)
	if err != nil {
		return "", err
	}
	if !editor {
		return "", apperr.New(apperr.Forbidden, "this token's account is no longer an editor")
	}
	return "account:" + id.String(), nil
}

// requireAdmin lets an administrator's session through, at level
// two_factor: a stolen password alone must not hand out roles.
func (s *Server) requireAdmin(ctx context.Context) error {
	return s.requireRole(ctx, s.accounts.IsAdmin, "administrators only")
}

// requireStaff lets a session of an office's staff through, at level
// two_factor: staff read residents' submissions.
func (s *Server) requireStaff(ctx context.Context) error {
	return s.requireRole(ctx, s.accounts.IsStaff, "staff of an office only")
}

func (s *Server) requireRole(ctx context.Context, has func(context.Context, uuid.UUID) (bool, error), refusal string) error {
	id, ok := s.sessionAccount(ctx)
	if !ok {
		return huma.Error401Unauthorized("not logged in")
	}
	ok, err := has(ctx, id)
	if err != nil {
		return s.problem(ctx, err)
	}
	if !ok {
		return huma.Error403Forbidden(refusal)
	}
	return s.requireLevel(ctx, account.LevelTwoFactor, 0)
}

// writeErr writes an error from a middleware the way handlers return them.
func writeErr(ctx huma.Context, err error) {
	var se huma.StatusError
	if !errors.As(err, &se) {
		se = huma.Error500InternalServerError("")
	}
	var he huma.HeadersError
	if errors.As(err, &he) {
		for k, vs := range he.GetHeaders() { // Retry-After, WWW-Authenticate
			for _, v := range vs {
				ctx.AppendHeader(k, v)
			}
		}
	}
	ctx.SetHeader("Content-Type", "application/problem+json")
	ctx.SetStatus(se.GetStatus())
	b, _ := json.Marshal(se)
	_, _ = ctx.BodyWriter().Write(b)
}
