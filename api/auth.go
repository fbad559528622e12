package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/store"
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
// scheme: a session of an editor or administrator passes, or the bearer
// token of SCHALTER_ADMIN_TOKEN (for scripts, until API keys exist). Tokens are compared as SHA-256 digests in constant time, so
// neither the content nor the length of the configured token leaks through
// timing, and the token itself is never logged. With no token configured
// the admin API is closed.
func (s *Server) adminAuth(api huma.API) func(huma.Context, func(huma.Context)) {
	want := sha256.Sum256([]byte(s.cfg.AdminToken))
	return func(ctx huma.Context, next func(huma.Context)) {
		if accessOf(ctx.Operation()) == AccessAdmin {
			if err := s.requireAdmin(ctx.Context()); err != nil {
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
		if who, ok := s.editorSession(ctx.Context()); ok {
			next(huma.WithValue(ctx, actorKey{}, who))
			return
		}
		token, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if s.cfg.AdminToken == "" || !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="schalter-admin"`)
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "a valid admin bearer token is required")
			return
		}
		next(huma.WithValue(ctx, actorKey{}, "admin-token"))
	}
}

// requireAdmin lets an administrator's session through, at level
// two_factor: a stolen password alone must not hand out roles.
func (s *Server) requireAdmin(ctx context.Context) error {
	id, ok := s.sessionAccount(ctx)
	if !ok {
		return huma.Error401Unauthorized("not logged in")
	}
	roles, err := s.store.Roles(ctx, id)
	if err != nil {
		return s.problem(ctx, err)
	}
	if !slices.ContainsFunc(roles, func(r store.Role) bool { return r.Role == account.RoleAdmin }) {
		return huma.Error403Forbidden("administrators only")
	}
	return s.requireLevel(ctx, account.LevelTwoFactor, 0)
}

// writeErr writes an error from a middleware the way handlers return them.
func writeErr(ctx huma.Context, err error) {
	var se huma.StatusError
	if !errors.As(err, &se) {
		se = huma.Error500InternalServerError("")
	}
	ctx.SetHeader("Content-Type", "application/problem+json")
	ctx.SetStatus(se.GetStatus())
	b, _ := json.Marshal(se)
	_, _ = ctx.BodyWriter().Write(b)
}
