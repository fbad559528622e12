package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/mailtest"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

func TestEmailChange(t *testing.T) {
	t.Parallel()
	sink := mailtest.Start(t)
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	b := serverWith(t, st, false, func(c *config.Config) { c.SMTPAddr, c.SMTPFrom = sink.SMTPAddr, "schalter@uster.ch" })
	anna := loginAs(t, b, "anna@example.ch")
	loginAs(t, b, "bruno@example.ch")
	change := func(h map[string]string, email string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/me/email", header: h, body: mustJSON(t, map[string]string{"email": email})})
	}

	requireProblem(t, change(nil, "neu@example.ch"), http.StatusUnauthorized)
	requireProblem(t, change(anna, "kein-mail"), http.StatusUnprocessableEntity, "body.email")
	requireProblem(t, change(anna, "ANNA@example.ch"), http.StatusUnprocessableEntity, "body.email")

	// An address with an account: same answer, its owner gets a note.
	taken := change(anna, "bruno@example.ch")
	require.Equal(t, http.StatusAccepted, taken.status, string(taken.body))
	fresh := change(anna, "anna.neu@example.ch")
	require.Equal(t, http.StatusAccepted, fresh.status)
	require.Equal(t, taken.body, fresh.body)

	link := regexp.MustCompile(`/account/email#([A-Za-z0-9_-]+)`)
	token := ""
	for _, m := range sink.Messages(t) {
		if m.To == "anna.neu@example.ch" {
			token = link.FindStringSubmatch(m.Text)[1]
		}
	}
	require.NotEmpty(t, token)
	require.Equal(t, "anna@example.ch", b.do(t, req{path: "/api/v1/me", header: anna}).json(t)["email"], "unchanged until confirmed")

	confirm := func(tok string) resp {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/accounts/email-change/confirm", body: mustJSON(t, map[string]string{"token": tok})})
	}
	requireProblem(t, confirm("falsch-falsch-falsch-falsch"), http.StatusUnprocessableEntity, "body.token")
	require.Equal(t, http.StatusNoContent, confirm(token).status)
	requireProblem(t, confirm(token), http.StatusUnprocessableEntity, "body.token") // a link works once
	require.Equal(t, "anna.neu@example.ch", b.do(t, req{path: "/api/v1/me", header: anna}).json(t)["email"])

	// The old address is told, and logging in works with the new one only.
	told := map[string][]string{}
	for _, m := range sink.Messages(t) {
		told[m.To] = append(told[m.To], m.Text)
	}
	require.Contains(t, strings.Join(told["anna@example.ch"], "\n"), "E-Mail-Adresse Ihres Kontos wurde soeben geändert")
	require.Contains(t, strings.Join(told["anna@example.ch"], "\n"), "neue E-Mail-Adresse angegeben", "the old address hears of the request")
	require.Contains(t, strings.Join(told["bruno@example.ch"], "\n"), "bereits ein Konto", "the taken address gets the note")
	login := func(email string) int {
		return b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: mustJSON(t, map[string]string{"email": email, "password": "grüne Velos fahren leise"})}).status
	}
	require.Equal(t, http.StatusUnauthorized, login("anna@example.ch"))
	require.Equal(t, http.StatusOK, login("anna.neu@example.ch"))
}
