package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/devidp"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

// principal is a kind of caller with the headers that make it one.
type principal struct {
	name   string
	header map[string]string
	// roles this caller has: "account" (logged in), "editor", "admin",
	// "staff" (of some office).
	account, editor, admin, staff bool
}

// TestAuthorizationMatrix walks every operation of the committed OpenAPI
// spec and calls it as an anonymous visitor, two residents, staff of two
// offices, an editor and an administrator. Each must get exactly what the
// operation's declared x-schalter-access allows: refused visitors get 401,
// refused logged-in callers 403, allowed ones anything else.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	// With the eID configured (the development provider on the same
	// server), so its redirects answer everybody as in production.
	b := startServer(t, pgtest.Store(t, pgtest.Options{Seed: true}), false, func(c *config.Config, url string) {
		c.PublicURL = url
		c.EID = config.EID{Issuer: url + "/dev-idp", ClientID: config.DevIdPClientID, Levels: []config.ACRLevel{{ACR: devidp.ACRs[2], Level: "eid"}}, Dev: true}
	})
	ctx := context.Background()
	svc := &account.Service{Store: b.store, City: "Uster"}
	people := []struct {
		name, email string
		roles       []store.Role
	}{
		{"resident A", "anna@example.ch", nil},
		{"resident B", "bruno@example.ch", nil},
		{"staff Einwohnerdienste", "eva@uster.ch", []store.Role{{Role: account.RoleStaff, Office: "einwohnerdienste"}}},
		{"staff Steueramt", "stefan@uster.ch", []store.Role{{Role: account.RoleStaff, Office: "steueramt"}}},
		{"editor", "edith@uster.ch", []store.Role{{Role: account.RoleEditor}}},
		{"admin", "adrian@uster.ch", []store.Role{{Role: account.RoleAdmin}}},
	}
	principals := []principal{{name: "anonymous", header: map[string]string{}}}
	for _, p := range people {
		_, err := svc.CreateUser(ctx, p.email, "grüne Velos fahren leise", p.roles...)
		require.NoError(t, err)
		r := b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: mustJSON(t, map[string]string{"email": p.email, "password": "grüne Velos fahren leise"})})
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		cookie := strings.Split(cookieOf(r, "schalter_session"), ";")[0]
		editor := len(p.roles) > 0 && (p.roles[0].Role == account.RoleEditor || p.roles[0].Role == account.RoleAdmin)
		admin := len(p.roles) > 0 && p.roles[0].Role == account.RoleAdmin
		staff := len(p.roles) > 0 && p.roles[0].Role == account.RoleStaff
		if admin {
			// Role management needs two factors: the administrator sets up
			// the authenticator app, which steps the session up.
			cookie = twoFactorSession(t, b, cookie)
		}
		principals = append(principals, principal{name: p.name, header: map[string]string{"Cookie": cookie}, account: true, editor: editor, admin: admin, staff: staff})
	}

	raw, err := os.ReadFile(filepath.Join(pgtest.RepoRoot(), "openapi", "openapi.yaml"))
	require.NoError(t, err)
	var spec struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Access      string `json:"x-schalter-access"`
		} `json:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &spec))
	paths := make([]string, 0, len(spec.Paths))
	for p := range spec.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	// Public steps of a login in progress: they act on the account whose
	// password the caller's session has just checked. No caller here has
	// such a session (a logged-in one does not count), so every one must be
	// refused, without anything sent to anyone.
	midLogin := map[string]bool{"sendLoginSMS": true}
	ops := 0
	for _, path := range paths {
		for method, op := range spec.Paths[path] {
			method = strings.ToUpper(method)
			if method == http.MethodDelete && (path == "/api/v1/session" || path == "/api/v1/me") {
				// Logging out or deleting the account would end the sessions the
				// other calls use; TestSessions and TestAccountLifecycle cover them.
				continue
			}
			ops++
			url := strings.NewReplacer("{slug}", "adressauskunft", "{id}", "00000000000000000000000000000000", "{number}", "UST-2026-000001-0").Replace(path)
			for _, p := range principals {
				allowed := map[string]bool{"public": true, "guest": true, "account": p.account, "editor": p.editor, "admin": p.admin, "staff": p.staff}[op.Access]
				t.Run(op.OperationID+"/"+p.name, func(t *testing.T) {
					body := ""
					if method == http.MethodPost || method == http.MethodPatch || method == http.MethodPut {
						body = "{}"
					}
					h := map[string]string{}
					for k, v := range p.header {
						h[k] = v
					}
					if method == http.MethodPatch {
						h["Content-Type"] = "application/merge-patch+json"
					}
					r := b.do(t, req{method: method, path: url, body: body, header: h})
					if path == "/api/v1/session/eid" {
						// The login starts for everybody (a session links the identity).
						require.Equal(t, http.StatusFound, r.status, string(r.body))
					}
					// A step-up problem (403 naming required_level) lets the
					// caller in once they prove more: the role is allowed, the
					// level is another dimension (TestStepUp and friends).
					stepUp := r.status == http.StatusForbidden && strings.Contains(string(r.body), `"required_level"`)
					denied := r.status == http.StatusUnauthorized || r.status == http.StatusForbidden && !stepUp
					if midLogin[op.OperationID] {
						require.Equal(t, http.StatusUnauthorized, r.status, "%s %s as %s without a password step: %s", method, path, p.name, r.body)
						return
					}
					if allowed {
						require.False(t, denied, "%s %s as %s: %d %s", method, path, p.name, r.status, r.body)
					} else {
						// Exactly: a visitor is not logged in (401), a known
						// caller without the role is forbidden (403), so a
						// client knows whether to log in or give up.
						want := http.StatusUnauthorized
						if p.account {
							want = http.StatusForbidden
						}
						require.Equal(t, want, r.status, "%s %s as %s must be refused: %s", method, path, p.name, r.body)
					}
				})
			}
		}
	}
	require.Greater(t, ops, 25)
}

// twoFactorSession sets up an authenticator app on the session's account
// and returns the stepped-up session cookie.
func twoFactorSession(t *testing.T, b *testBundle, cookie string) string {
	t.Helper()
	h := map[string]string{"Cookie": cookie}
	r := b.do(t, req{method: http.MethodPost, path: "/api/v1/me/totp", header: h})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	secret := r.json(t)["secret"].(string)
	r = b.do(t, req{method: http.MethodPost, path: "/api/v1/me/totp/confirm", header: h,
		body: mustJSON(t, map[string]string{"code": code(t, secret, time.Now())})})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	return strings.Split(cookieOf(r, "schalter_session"), ";")[0]
}
