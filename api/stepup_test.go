package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
)

func TestStepUp(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	svc := &account.Service{Store: b.store, City: "Uster"}
	_, err := svc.CreateUser(context.Background(), "stufe@example.ch", "grüne Velos fahren leise")
	require.NoError(t, err)
	session := func(r resp) map[string]string {
		return map[string]string{"Cookie": strings.Split(cookieOf(r, "schalter_session"), ";")[0]}
	}
	login := b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: mustJSON(t, map[string]string{"email": "stufe@example.ch", "password": "grüne Velos fahren leise"})})
	require.Equal(t, http.StatusOK, login.status)
	pwd := session(login)
	access := func(slug string, h map[string]string) resp {
		return b.do(t, req{path: "/api/v1/me/services/" + slug + "/access", header: h})
	}

	for _, tc := range []struct {
		name, slug     string
		header         map[string]string
		status         int
		required, have string
	}{
		{"anonymous", "adressauskunft", nil, http.StatusUnauthorized, "", ""},
		{"no level needed", "abfuhrkalender", pwd, http.StatusOK, "", ""},
		{"account level", "adressauskunft", pwd, http.StatusOK, "", ""},
		{"two factors needed", "aufenthaltsbewilligung-verlaengern", pwd, http.StatusForbidden, "two_factor", "account"},
		{"eID needed", "heimatschein", pwd, http.StatusForbidden, "eid", "account"},
		{"unknown service", "gibt-es-nicht", pwd, http.StatusNotFound, "", ""},
		{"bad slug", "Nicht_Gueltig", pwd, http.StatusUnprocessableEntity, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := access(tc.slug, tc.header)
			require.Equal(t, tc.status, r.status, string(r.body))
			if tc.required != "" {
				p := r.json(t)
				require.Equal(t, tc.required, p["required_level"])
				require.Equal(t, tc.have, p["current_level"])
				require.Contains(t, p["detail"], tc.required)
				if tc.required != "eid" { // no eID provider in this test: nothing reaches eid
					require.NotEmpty(t, p["methods"])
				}
			}
		})
	}

	// Step up with the authenticator app: the session gets a new token
	// and the level two_factor, and the service opens.
	setupR := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/totp", header: pwd})
	require.Equal(t, http.StatusOK, setupR.status)
	secret := setupR.json(t)["secret"].(string)
	conf := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/totp/confirm", header: pwd,
		body: mustJSON(t, map[string]string{"code": code(t, secret, time.Now().Add(-30*time.Second))})})
	require.Equal(t, http.StatusOK, conf.status, string(conf.body))
	two := session(conf)
	require.NotEqual(t, pwd["Cookie"], two["Cookie"], "a new session id at step-up")
	requireProblem(t, access("adressauskunft", pwd), http.StatusUnauthorized) // the old token is gone
	ok := access("aufenthaltsbewilligung-verlaengern", two)
	require.Equal(t, http.StatusOK, ok.status, string(ok.body))
	require.Equal(t, "two_factor", ok.json(t)["level"])
	require.Equal(t, "eid", access("heimatschein", two).json(t)["required_level"])

	// A fresh password login of this account needs the second step; the
	// step-up endpoint raises a password-only session of another kind.
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/step-up", body: mustJSON(t, map[string]string{"code": "123456"})}), http.StatusUnauthorized)
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/me/step-up", header: two, body: mustJSON(t, map[string]string{"code": "000000"})}), http.StatusUnauthorized)
	up := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/step-up", header: two, body: mustJSON(t, map[string]string{"code": code(t, secret, time.Now())})})
	require.Equal(t, http.StatusOK, up.status, string(up.body))
	require.Equal(t, []any{"pwd", "otp"}, up.json(t)["auth"].(map[string]any)["methods"], "methods are not repeated")
	require.Equal(t, map[string]any{"totp": true, "sms": "", "password": true, "passkeys": float64(0)}, up.json(t)["factors"],
		"the PWA offers at a step-up only what the account has")
}
