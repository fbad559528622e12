package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/store"
)

// TestDatabaseDownIs503: with the database unreachable every request that
// needs it is a 503 problem with Retry-After: a login is not "wrong
// password", an API token is not "unknown" (401), a session is not "logged
// out", and a registration is not lost in silence.
func TestDatabaseDownIs503(t *testing.T) {
	t.Parallel()
	// Port 1 on loopback refuses at once, like a database that is down.
	down, err := store.Open(context.Background(), "postgres://schalter@127.0.0.1:1/schalter?connect_timeout=2")
	require.NoError(t, err)
	t.Cleanup(down.Close)
	b := serverWith(t, down, false, nil)
	cookie := map[string]string{"Cookie": "schalter_session=c29tZS1zZXNzaW9uLXRva2Vu"}
	for _, c := range []struct {
		name string
		req  req
	}{
		{"login", req{method: http.MethodPost, path: "/api/v1/session", body: `{"email":"anna@example.ch","password":"grüne Velos fahren leise"}`}},
		{"registration", req{method: http.MethodPost, path: "/api/v1/accounts", body: `{"email":"neu@example.ch","password":"grüne Velos fahren leise"}`}},
		{"password reset", req{method: http.MethodPost, path: "/api/v1/accounts/password-reset", body: `{"email":"anna@example.ch"}`}},
		{"an editor's API token", req{path: "/api/v1/admin/services/hund-anmelden", header: admin(nil)}},
		{"a session's own data", req{path: "/api/v1/me", header: cookie}},
		{"the catalogue", req{path: "/api/v1/services/hund-anmelden"}},
		{"readiness", req{path: "/readyz"}},
	} {
		r := b.do(t, c.req)
		require.Equal(t, http.StatusServiceUnavailable, r.status, "%s: %s", c.name, r.body)
		require.NotEmpty(t, r.header.Get("Retry-After"), c.name)
		require.Equal(t, "application/problem+json", r.header.Get("Content-Type"), c.name)
	}
	r := b.do(t, req{path: "/healthz"})
	require.Equal(t, http.StatusOK, r.status, "liveness does not depend on the database")
}
