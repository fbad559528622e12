package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
)

func code(t *testing.T, secret string, at time.Time) string {
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	require.NoError(t, err)
	return c
}

func TestTwoFactor(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	svc := &account.Service{Store: b.store, City: "Uster"}
	_, err := svc.CreateUser(context.Background(), "zora@example.ch", "grüne Velos fahren leise")
	require.NoError(t, err)
	pw := mustJSON(t, map[string]string{"email": "zora@example.ch", "password": "grüne Velos fahren leise"})
	session := func(r resp) map[string]string {
		return map[string]string{"Cookie": strings.Split(cookieOf(r, "schalter_session"), ";")[0]}
	}
	login := b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: pw})
	require.Equal(t, http.StatusOK, login.status)
	me := session(login)

	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/totp"}), http.StatusUnauthorized)
	setupR := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/totp", header: me})
	require.Equal(t, http.StatusOK, setupR.status, string(setupR.body))
	s := setupR.json(t)
	secret := s["secret"].(string)
	require.Contains(t, s["otpauth_url"], "otpauth://totp/")
	require.NotEmpty(t, s["qr_png"])

	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/totp/confirm", header: me,
		body: mustJSON(t, map[string]string{"code": "000000"})}), http.StatusUnauthorized)
	conf := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/totp/confirm", header: me,
		body: mustJSON(t, map[string]string{"code": code(t, secret, time.Now().Add(-30*time.Second))})})
	require.Equal(t, http.StatusOK, conf.status, string(conf.body))
	recovery := conf.json(t)["recovery_codes"].([]any)
	require.Len(t, recovery, 10)
	me2 := session(conf)
	require.Equal(t, "two_factor", b.do(t, req{path: "/api/v1/me", header: me2}).json(t)["auth"].(map[string]any)["level"])
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/totp", header: me2}), http.StatusConflict)

	// Now a password alone is not enough.
	first := b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: pw})
	requireProblem(t, first, http.StatusUnauthorized, "body.code")
	pending := session(first)
	requireProblem(t, b.do(t, req{path: "/api/v1/me", header: pending}), http.StatusUnauthorized)
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/session/second-factor",
		body: mustJSON(t, map[string]string{"code": "123456"})}), http.StatusUnauthorized)
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/session/second-factor", header: pending,
		body: mustJSON(t, map[string]string{"code": "000000"})}), http.StatusUnauthorized)
	now := code(t, secret, time.Now())
	ok := b.do(t, req{method: http.MethodPost, path: "/api/v1/session/second-factor", header: pending, body: mustJSON(t, map[string]string{"code": now})})
	require.Equal(t, http.StatusOK, ok.status, string(ok.body))
	auth := ok.json(t)["auth"].(map[string]any)
	require.Equal(t, "two_factor", auth["level"])
	require.Equal(t, []any{"pwd", "otp"}, auth["methods"])
	require.NotEqual(t, pending["Cookie"], session(ok)["Cookie"], "a new session id after the second step")

	// The same code again is a replay.
	again := session(b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: pw}))
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/session/second-factor", header: again,
		body: mustJSON(t, map[string]string{"code": now})}), http.StatusUnauthorized)

	// A recovery code works once.
	rc := recovery[0].(string)
	r := b.do(t, req{method: http.MethodPost, path: "/api/v1/session/second-factor", header: again, body: mustJSON(t, map[string]string{"code": rc})})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	third := session(b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: pw}))
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/session/second-factor", header: third,
		body: mustJSON(t, map[string]string{"code": rc})}), http.StatusUnauthorized)
}
