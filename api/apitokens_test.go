package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/store"
)

// TestAPITokens: editors create personal tokens (two factors), scripts use
// them on the catalogue admin API in the editor's name, revoking one stops
// it at once, and residents get none.
func TestAPITokens(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	resident := loginAs(t, b, "anna@example.ch")
	pwOnly := loginAs(t, b, "edith@uster.ch", store.Role{Role: account.RoleEditor})
	editor := map[string]string{"Cookie": twoFactorSession(t, b, pwOnly["Cookie"])}
	create := func(h map[string]string, body map[string]any) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/me/api-tokens", header: h, body: mustJSON(t, body)})
	}

	requireProblem(t, create(nil, map[string]any{"name": "x"}), http.StatusUnauthorized)
	p := requireProblem(t, create(loginAs(t, b, "ed2@uster.ch", store.Role{Role: account.RoleEditor}), map[string]any{"name": "x"}), http.StatusForbidden)
	require.Equal(t, "two_factor", p["required_level"], "a password alone does not mint tokens")
	residentTwo := map[string]string{"Cookie": twoFactorSession(t, b, resident["Cookie"])}
	p = requireProblem(t, create(residentTwo, map[string]any{"name": "x"}), http.StatusForbidden)
	require.Nil(t, p["required_level"], "residents have no use for a token")
	for _, tc := range []struct {
		body map[string]any
		loc  string
	}{
		{map[string]any{"name": ""}, "body.name"},
		{map[string]any{"name": "x", "expires_in_days": 400}, "body.expires_in_days"},
		{map[string]any{"name": "x", "expires_in_days": 0}, "body.expires_in_days"},
	} {
		requireProblem(t, create(editor, tc.body), http.StatusUnprocessableEntity, tc.loc)
	}

	made := create(editor, map[string]any{"name": "Katalog-Import", "expires_in_days": 30})
	require.Equal(t, http.StatusCreated, made.status, string(made.body))
	token := made.json(t)["token"].(string)
	id := made.json(t)["id"].(string)
	require.Regexp(t, `^sch_[A-Za-z0-9_-]{43}$`, token)
	bearer := map[string]string{"Authorization": "Bearer " + token}

	export := b.do(t, req{path: "/api/v1/admin/export?format=csv", header: bearer})
	require.Equal(t, http.StatusOK, export.status, string(export.body))
	list := b.do(t, req{path: "/api/v1/me/api-tokens", header: editor}).json(t)["items"].([]any)
	require.Len(t, list, 1)
	require.NotContains(t, list[0], "token", "never shown again")
	require.NotEmpty(t, list[0].(map[string]any)["last_used_at"])

	// Another account cannot revoke it; its owner can, and it stops at once.
	requireProblem(t, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/api-tokens/" + id, header: residentTwo}), http.StatusNotFound)
	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/api-tokens/" + id, header: editor}).status)
	requireProblem(t, b.do(t, req{path: "/api/v1/admin/export?format=csv", header: bearer}), http.StatusUnauthorized)
	for _, bad := range []string{"sch_unknown", "test-admin-token-0123456789abcdefghij", ""} {
		requireProblem(t, b.do(t, req{path: "/api/v1/admin/export?format=csv", header: map[string]string{"Authorization": "Bearer " + bad}}), http.StatusUnauthorized)
	}

	// A token outlives nothing: the editor role taken away, it opens nothing.
	again := create(editor, map[string]any{"name": "zweiter"})
	require.Equal(t, http.StatusCreated, again.status)
	second := map[string]string{"Authorization": "Bearer " + again.json(t)["token"].(string)}
	acc, err := b.store.AccountByEmail(context.Background(), "edith@uster.ch")
	require.NoError(t, err)
	require.NoError(t, b.store.SetRoles(context.Background(), acc.ID, nil))
	requireProblem(t, b.do(t, req{path: "/api/v1/admin/export?format=csv", header: second}), http.StatusForbidden)
}
