package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

func TestRateLimit(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Env: "test", RateLimit: 5, City: config.City{Name: "Stadt Uster"}}
	srv := httptest.NewServer(newApp(t, cfg, pgtest.Store(t, pgtest.Options{})).Handler())
	t.Cleanup(srv.Close)
	b := &testBundle{srv: srv}
	for i := 0; i < 5; i++ {
		require.Equal(t, http.StatusOK, b.do(t, req{path: "/api/v1/config"}).status)
	}
	r := b.do(t, req{path: "/api/v1/config"})
	requireProblem(t, r, http.StatusTooManyRequests)
	require.NotEmpty(t, r.header.Get("Retry-After"))
	// Health checks of the load balancer are never limited.
	require.Equal(t, http.StatusOK, b.do(t, req{path: "/healthz"}).status)
}

// Credential endpoints have their own, lower limit per address; the rest
// of the API keeps working for that address.
func TestAuthRateLimit(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Env: "test", AuthRateLimit: 3, City: config.City{Name: "Stadt Uster"}}
	srv := httptest.NewServer(newApp(t, cfg, pgtest.Store(t, pgtest.Options{})).Handler())
	t.Cleanup(srv.Close)
	b := &testBundle{srv: srv}
	login := req{method: http.MethodPost, path: "/api/v1/session", body: `{"email":"a@example.ch","password":"x"}`}
	for i := 0; i < 3; i++ {
		require.NotEqual(t, http.StatusTooManyRequests, b.do(t, login).status)
	}
	for _, tc := range []struct {
		r    req
		want int
	}{
		{login, http.StatusTooManyRequests},
		{req{method: http.MethodPost, path: "/api/v1/accounts", body: `{}`}, http.StatusTooManyRequests},
		{req{method: http.MethodPost, path: "/api/v1/accounts/password-reset", body: `{}`}, http.StatusTooManyRequests},
		{req{method: http.MethodPost, path: "/api/v1/me/step-up", body: `{}`}, http.StatusTooManyRequests},
		{req{method: http.MethodPost, path: "/api/v1/session/second-factor", body: `{}`}, http.StatusTooManyRequests},
		{req{path: "/api/v1/config"}, http.StatusOK},
		{req{method: http.MethodDelete, path: "/api/v1/session"}, http.StatusNoContent},
	} {
		r := b.do(t, tc.r)
		require.Equal(t, tc.want, r.status, "%s %s: %s", tc.r.method, tc.r.path, r.body)
		if tc.want == http.StatusTooManyRequests {
			require.NotEmpty(t, r.header.Get("Retry-After"))
		}
	}
}

func TestHSTSOnlyOverTLS(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		trust bool
		proto string
		want  bool
	}{{false, "", false}, {false, "https", false}, {true, "http", false}, {true, "https", true}} {
		cfg := &config.Config{Env: "test", TrustProxy: c.trust, City: config.City{Name: "Stadt Uster"}}
		srv := httptest.NewServer(newApp(t, cfg, pgtest.Store(t, pgtest.Options{})).Handler())
		b := &testBundle{srv: srv}
		r := b.do(t, req{path: "/healthz", header: map[string]string{"X-Forwarded-Proto": c.proto}})
		srv.Close()
		require.Equal(t, c.want, r.header.Get("Strict-Transport-Security") != "", "%+v", c)
	}
}

func TestHeadIsGet(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Env: "test", City: config.City{Name: "Stadt Uster"}}
	srv := httptest.NewServer(newApp(t, cfg, pgtest.Store(t, pgtest.Options{})).Handler())
	t.Cleanup(srv.Close)
	b := &testBundle{srv: srv}
	r := b.do(t, req{method: http.MethodHead, path: "/api/v1/config"})
	require.Equal(t, http.StatusOK, r.status)
	require.Empty(t, r.body)
	require.Equal(t, http.StatusOK, b.do(t, req{method: http.MethodHead, path: "/healthz"}).status)
}
