package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/mailtest"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

// TestJobsUIForAdministratorsOnly: River UI at /admin/jobs answers an
// administrator at level two_factor, and nobody else: not a visitor, not a
// resident, not an editor (with session or token), not an administrator
// with a password only.
func TestJobsUIForAdministratorsOnly(t *testing.T) {
	t.Parallel()
	sink := mailtest.Start(t)
	b := serverWith(t, pgtest.Store(t, pgtest.Options{}), false, func(c *config.Config) {
		c.SMTPAddr, c.SMTPFrom = sink.SMTPAddr, "Stadt Uster <noreply@uster.ch>"
	})
	resident := loginAs(t, b, "rita@example.ch")
	editor := loginAs(t, b, "erika@uster.ch", store.Role{Role: account.RoleEditor})
	admin := map[string]string{"Cookie": twoFactorSession(t, b, loginAs(t, b, "armin@uster.ch", store.Role{Role: account.RoleAdmin})["Cookie"])}
	// Stepping up renews the session's cookie: the password-only
	// administrator is another one.
	adminPW := loginAs(t, b, "alma@uster.ch", store.Role{Role: account.RoleAdmin})

	for _, c := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"visitor", nil, http.StatusUnauthorized},
		{"resident", resident, http.StatusForbidden},
		{"editor", editor, http.StatusForbidden},
		{"editor's API token", map[string]string{"Authorization": "Bearer " + adminToken}, http.StatusUnauthorized},
		{"administrator with a password only", adminPW, http.StatusForbidden},
	} {
		for _, p := range []string{"/admin/jobs", "/admin/jobs/", "/admin/jobs/api/jobs?state=available", "/admin/jobs/jobs/1"} {
			r := b.do(t, req{path: p, header: c.header})
			require.Equal(t, c.status, r.status, "%s: %s %s", c.name, p, r.body)
			require.Equal(t, "application/problem+json", r.header.Get("Content-Type"), "%s: %s", c.name, p)
		}
		r := b.do(t, req{method: http.MethodPost, path: "/admin/jobs/api/jobs/retry", header: c.header, body: `{"ids":["1"]}`})
		require.Equal(t, c.status, r.status, "%s: retry", c.name)
	}

	// A browser without a session is sent to the login page, and back.
	r := b.do(t, req{path: "/admin/jobs/", header: map[string]string{"Sec-Fetch-Mode": "navigate"}})
	require.Equal(t, http.StatusSeeOther, r.status)
	require.Equal(t, "/account/login?next=%2Fadmin%2Fjobs%2F", r.header.Get("Location"))

	page := b.do(t, req{path: "/admin/jobs/", header: admin})
	require.Equal(t, http.StatusOK, page.status, string(page.body))
	require.True(t, strings.HasPrefix(page.header.Get("Content-Type"), "text/html"))
	require.Contains(t, string(page.body), "<title>River</title>")
	require.Equal(t, "no-store", page.header.Get("Cache-Control"))
	// Setting up the authenticator mailed the administrator: the job is in
	// River UI's API, its sealed arguments without the address.
	list := b.do(t, req{path: "/admin/jobs/api/jobs?state=completed&limit=20", header: admin})
	require.Equal(t, http.StatusOK, list.status, string(list.body))
	require.Contains(t, string(list.body), `"kind":"mail"`)
	require.Contains(t, string(list.body), `security:totp_added`)
	require.NotContains(t, string(list.body), "armin@uster.ch")
	delivered := false
	for _, m := range sink.Messages(t) {
		delivered = delivered || m.To == "armin@uster.ch" && strings.Contains(m.Text, "Authenticator-App")
	}
	require.True(t, delivered, "and the worker delivered it")
}
