package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	vw "github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

// requireRetryAfter checks that r tells the client, in whole seconds, when
// to come back: every 429 and 503 must, or clients retry at once.
func requireRetryAfter(t *testing.T, r resp, status int) int {
	t.Helper()
	requireProblem(t, r, status)
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After %q on %d: %s", r.header.Get("Retry-After"), status, r.body)
	require.Positive(t, secs, "Retry-After on %d", status)
	return secs
}

// TestEvery429HasRetryAfter triggers every limit that answers 429 and
// checks each answer says when to retry.
func TestEvery429HasRetryAfter(t *testing.T) {
	t.Parallel()
	noDB := func(t *testing.T, cfg *config.Config) *testBundle {
		cfg.Env, cfg.City = "test", config.City{Name: "Stadt Uster"}
		srv := httptest.NewServer(newApp(t, cfg, pgtest.Store(t, pgtest.Options{})).Handler())
		t.Cleanup(srv.Close)
		return &testBundle{srv: srv}
	}
	for _, tc := range []struct {
		name string
		// hit runs into the limit and returns the first refused answer.
		hit func(t *testing.T) resp
		// max is the longest wait that makes sense for the limit.
		max int
	}{
		{"API requests per address (SCHALTER_RATE_LIMIT)", func(t *testing.T) resp {
			b := noDB(t, &config.Config{RateLimit: 2})
			for range 2 {
				require.Equal(t, http.StatusOK, b.do(t, req{path: "/api/v1/config"}).status)
			}
			return b.do(t, req{path: "/api/v1/config"})
		}, 60},
		{"credential requests per address (SCHALTER_AUTH_RATE_LIMIT)", func(t *testing.T) resp {
			b := noDB(t, &config.Config{AuthRateLimit: 1})
			login := req{method: http.MethodPost, path: "/api/v1/session", body: `{"email":"a@example.ch","password":"x"}`}
			require.NotEqual(t, http.StatusTooManyRequests, b.do(t, login).status)
			return b.do(t, login)
		}, 60},
		{"password logins per account", func(t *testing.T) resp {
			b := setup(t, false)
			_, err := (&account.Service{Store: b.store, City: "Uster"}).CreateUser(context.Background(), "ziel@example.ch", smsPassword)
			require.NoError(t, err)
			for range 10 {
				requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: `{"email":"ziel@example.ch","password":"geraten"}`}), http.StatusUnauthorized)
			}
			return b.login(t, "ziel@example.ch")
		}, 15 * 60},
		{"passkey logins per account", func(t *testing.T) resp {
			b := &passkeyBundle{testBundle: setup(t, false)}
			_, err := (&account.Service{Store: b.store, City: "Uster"}).CreateUser(context.Background(), "zora@example.ch", smsPassword)
			require.NoError(t, err)
			auth := vw.NewAuthenticator()
			cred, r := b.addPasskey(t, b.passwordLogin(t, "zora@example.ch"), &auth, "Schlüssel")
			require.Equal(t, http.StatusCreated, r.status, string(r.body))
			// Assertions signed with another key, for the registered
			// credential: ten fail, the eleventh is refused.
			forged := newCredential(t)
			forged.ID = cred.ID
			for range 10 {
				requireProblem(t, b.login(t, nil, auth, forged), http.StatusUnauthorized)
			}
			cred.Counter++
			return b.login(t, nil, auth, cred)
		}, 15 * 60},
		{"SMS codes per account", func(t *testing.T) resp {
			b, _ := smsServer(t, nil)
			enableSMS(t, b.store, "lina@example.ch", "+41765551234", false)
			pending := sessionOf(b.login(t, "lina@example.ch"), nil)
			send := req{method: http.MethodPost, path: "/api/v1/session/second-factor/sms", header: pending}
			require.Equal(t, http.StatusAccepted, b.do(t, send).status)
			return b.do(t, send)
		}, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			secs := requireRetryAfter(t, tc.hit(t), http.StatusTooManyRequests)
			require.LessOrEqual(t, secs, tc.max)
		})
	}
}
