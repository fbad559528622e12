package api_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/api"
	"github.com/schalter-ch/schalter/internal/config"
)

func TestRateLimit(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Env: "test", RateLimit: 5, City: config.City{Name: "Stadt Uster"}}
	srv := httptest.NewServer(api.New(cfg, nil, slog.New(slog.DiscardHandler), nil).Handler())
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

func TestHSTSOnlyOverTLS(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		trust bool
		proto string
		want  bool
	}{{false, "", false}, {false, "https", false}, {true, "http", false}, {true, "https", true}} {
		cfg := &config.Config{Env: "test", TrustProxy: c.trust, City: config.City{Name: "Stadt Uster"}}
		srv := httptest.NewServer(api.New(cfg, nil, slog.New(slog.DiscardHandler), nil).Handler())
		b := &testBundle{srv: srv}
		r := b.do(t, req{path: "/healthz", header: map[string]string{"X-Forwarded-Proto": c.proto}})
		srv.Close()
		require.Equal(t, c.want, r.header.Get("Strict-Transport-Security") != "", "%+v", c)
	}
}

func TestHeadIsGet(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Env: "test", City: config.City{Name: "Stadt Uster"}}
	srv := httptest.NewServer(api.New(cfg, nil, slog.New(slog.DiscardHandler), nil).Handler())
	t.Cleanup(srv.Close)
	b := &testBundle{srv: srv}
	r := b.do(t, req{method: http.MethodHead, path: "/api/v1/config"})
	require.Equal(t, http.StatusOK, r.status)
	require.Empty(t, r.body)
	require.Equal(t, http.StatusOK, b.do(t, req{method: http.MethodHead, path: "/healthz"}).status)
}
