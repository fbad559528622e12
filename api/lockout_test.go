package api_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/mailtest"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

// TestLockoutIsNoDenialOfService: the outside probe locked a resident out
// with nine wrong passwords for her address. Wrong passwords still stop
// guessing (a fresh client gets 429 with Retry-After), but the owner gets
// in: on a browser she logged in with before, with a right password and
// her second factor, or after a password reset; she is told by mail, and
// an address without an account is never mailed.
func TestLockoutIsNoDenialOfService(t *testing.T) {
	t.Parallel()
	sink := mailtest.Start(t)
	st := pgtest.Store(t, pgtest.Options{})
	b := serverWith(t, st, false, func(c *config.Config) { c.SMTPAddr, c.SMTPFrom = sink.SMTPAddr, "Stadt Uster <noreply@uster.ch>" })
	svc := &account.Service{Store: st, City: "Uster"}
	for _, email := range []string{"anna@lock.example", "rita@lock.example"} {
		_, err := svc.CreateUser(context.Background(), email, smsPassword)
		require.NoError(t, err)
	}
	_, totpSecret := enableSMS(t, st, "bert@lock.example", "+41765550001", true)

	login := func(email, pw string, h map[string]string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/session", header: h, body: mustJSON(t, map[string]string{"email": email, "password": pw})})
	}
	guess := func(email string) {
		t.Helper()
		for i := range 10 {
			requireProblem(t, login(email, "geraten"+strings.Repeat("!", i), nil), http.StatusUnauthorized)
		}
		requireRetryAfter(t, login(email, "noch einmal geraten", nil), http.StatusTooManyRequests)
	}
	device := func(r resp) map[string]string {
		t.Helper()
		c := cookieOf(r, "schalter_device")
		require.NotEmpty(t, c, "a password login makes the browser a trusted device")
		require.Contains(t, c, "HttpOnly")
		require.Contains(t, c, "Secure")
		require.Contains(t, c, "Path=/api/v1/session")
		return map[string]string{"Cookie": strings.Split(c, ";")[0]}
	}

	// Anna's phone logged in last week; then a stranger guesses.
	first := login("anna@lock.example", smsPassword, nil)
	require.Equal(t, http.StatusOK, first.status, string(first.body))
	phone := device(first)
	rita := device(login("rita@lock.example", smsPassword, nil))
	guess("anna@lock.example")

	t.Run("a fresh client with the right password waits", func(t *testing.T) {
		requireRetryAfter(t, login("anna@lock.example", smsPassword, nil), http.StatusTooManyRequests)
	})
	t.Run("her own phone gets in, and counts its own wrong passwords", func(t *testing.T) {
		requireProblem(t, login("anna@lock.example", "vertippt", phone), http.StatusUnauthorized)
		require.Equal(t, http.StatusOK, login("anna@lock.example", smsPassword, phone).status)
	})
	t.Run("another account's device token or a forged one does not", func(t *testing.T) {
		requireRetryAfter(t, login("anna@lock.example", smsPassword, rita), http.StatusTooManyRequests)
		forged := map[string]string{"Cookie": "schalter_device=" + strings.Repeat("A", 43) + "." + strings.Repeat("B", 43)}
		requireRetryAfter(t, login("anna@lock.example", smsPassword, forged), http.StatusTooManyRequests)
	})
	t.Run("she is told once, and a stranger's address is never mailed", func(t *testing.T) {
		guess("niemand@lock.example")
		var notices int
		for _, m := range sink.Messages(t) {
			require.NotEqual(t, "niemand@lock.example", m.To)
			if m.To == "anna@lock.example" && strings.Contains(m.Text, "mehrmals ein falsches Passwort") {
				notices++
			}
		}
		require.Equal(t, 1, notices)
	})
	t.Run("a right password with the second factor to follow gets through", func(t *testing.T) {
		guess("bert@lock.example")
		pending := login("bert@lock.example", smsPassword, nil)
		requireProblem(t, pending, http.StatusUnauthorized, "body.code")
		requireRetryAfter(t, login("bert@lock.example", "falsch", nil), http.StatusTooManyRequests)
		done := b.do(t, req{method: http.MethodPost, path: "/api/v1/session/second-factor", header: sessionOf(pending, nil), body: codeBody(t, code(t, totpSecret, time.Now()))})
		require.Equal(t, http.StatusOK, done.status, string(done.body))
	})
	t.Run("a password reset ends the wait", func(t *testing.T) {
		before := len(sink.Messages(t))
		require.Equal(t, http.StatusAccepted, b.do(t, req{method: http.MethodPost, path: "/api/v1/accounts/password-reset", body: mustJSON(t, map[string]string{"email": "anna@lock.example"})}).status)
		msgs := sink.Messages(t)
		require.Len(t, msgs, before+1)
		token := regexp.MustCompile(`/account/reset#([A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[0].Text)
		require.Len(t, token, 2)
		require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodPost, path: "/api/v1/accounts/password-reset/confirm",
			body: mustJSON(t, map[string]string{"token": token[1], "password": "blaue Schiffe fahren leise"})}).status)
		require.Equal(t, http.StatusOK, login("anna@lock.example", "blaue Schiffe fahren leise", nil).status)
	})
}
