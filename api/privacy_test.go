package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/store"
)

// loginAs creates an account with roles and returns its session header.
func loginAs(t *testing.T, b *testBundle, email string, roles ...store.Role) map[string]string {
	t.Helper()
	svc := &account.Service{Store: b.store, City: "Uster"}
	_, err := svc.CreateUser(context.Background(), email, "grüne Velos fahren leise", roles...)
	require.NoError(t, err)
	r := b.do(t, req{method: http.MethodPost, path: "/api/v1/session", body: mustJSON(t, map[string]string{"email": email, "password": "grüne Velos fahren leise"})})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	return map[string]string{"Cookie": strings.Split(cookieOf(r, "schalter_session"), ";")[0]}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	anna := loginAs(t, b, "anna@example.ch")

	empty := b.do(t, req{path: "/api/v1/me/profile", header: anna})
	require.Equal(t, http.StatusOK, empty.status, string(empty.body))
	require.Equal(t, "private, no-store", empty.header.Get("Cache-Control"))
	require.NotContains(t, empty.json(t), "given_name")

	ok := b.do(t, req{method: http.MethodPut, path: "/api/v1/me/profile", header: anna, body: mustJSON(t, map[string]any{
		"given_name": "  Anna ", "family_name": "Muster", "street": "Bahnhofstrasse 1", "postal_code": "8610", "locality": "Uster",
		"country": "ch", "phone": "079 123 45 67", "language": "de", "notify_channels": []string{"email", "sms"}})})
	require.Equal(t, http.StatusOK, ok.status, string(ok.body))
	p := ok.json(t)
	require.Equal(t, "Anna", p["given_name"])
	require.Equal(t, "CH", p["country"])
	require.Equal(t, "+41791234567", p["phone"])
	require.NotEmpty(t, p["updated_at"])

	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"postal code", map[string]any{"postal_code": "86100"}, "body.postal_code"},
		{"phone", map[string]any{"phone": "12"}, "body.phone"},
		{"short Swiss phone", map[string]any{"phone": "079 123 45"}, "body.phone"},
		{"country", map[string]any{"country": "C1"}, "body.country"},
		{"sms without phone", map[string]any{"notify_channels": []string{"sms"}}, "body.phone"},
		{"channel twice", map[string]any{"notify_channels": []string{"email", "email"}}, "body.notify_channels[1]"},
		{"unknown channel", map[string]any{"notify_channels": []string{"fax"}}, "body.notify_channels[0]"},
		{"language", map[string]any{"language": "rm"}, "body.language"},
		{"too long", map[string]any{"given_name": strings.Repeat("a", 101)}, "body.given_name"},
		{"unknown field", map[string]any{"ahv": "756.1234.5678.97"}, "body.ahv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/me/profile", header: anna, body: mustJSON(t, tc.body)}), http.StatusUnprocessableEntity, tc.field)
		})
	}
	// A foreign postal code is not checked against the Swiss format.
	require.Equal(t, http.StatusOK, b.do(t, req{method: http.MethodPut, path: "/api/v1/me/profile", header: anna,
		body: mustJSON(t, map[string]any{"postal_code": "D-79539", "country": "DE"})}).status)

	bruno := loginAs(t, b, "bruno@example.ch")
	require.NotContains(t, b.do(t, req{path: "/api/v1/me/profile", header: bruno}).json(t), "postal_code", "another resident sees nothing")
	requireProblem(t, b.do(t, req{path: "/api/v1/me/profile"}), http.StatusUnauthorized)
}

func TestConsentPrefillAndTransparency(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	anna := loginAs(t, b, "anna@example.ch")
	bruno := loginAs(t, b, "bruno@example.ch")
	require.Equal(t, http.StatusOK, b.do(t, req{method: http.MethodPut, path: "/api/v1/me/profile", header: anna,
		body: mustJSON(t, map[string]any{"given_name": "Anna", "family_name": "Muster", "phone": "+41 79 123 45 67"})}).status)
	const svc = "/api/v1/me/services/adressauskunft/prefill"
	log := func(h map[string]string) []any {
		return b.do(t, req{path: "/api/v1/me/transparency", header: h}).json(t)["items"].([]any)
	}

	// Without consent nothing is read and nothing logged.
	none := b.do(t, req{path: svc, header: anna}).json(t)
	require.Empty(t, none["values"])
	require.Nil(t, none["consent"])
	require.Empty(t, log(anna))

	for _, tc := range []struct {
		name, path string
		fields     []any
		status     int
		loc        string
	}{
		{"unknown field", "/api/v1/me/consents/adressauskunft", []any{"given_name", "ahv_number"}, 422, "body.fields[1]"},
		{"field twice", "/api/v1/me/consents/adressauskunft", []any{"email", "email"}, 422, "body.fields[1]"},
		{"no fields", "/api/v1/me/consents/adressauskunft", []any{}, 422, "body.fields"},
		{"unknown service", "/api/v1/me/consents/gibt-es-nicht", []any{"email"}, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.do(t, req{method: http.MethodPut, path: tc.path, header: anna, body: mustJSON(t, map[string]any{"fields": tc.fields})})
			if tc.loc == "" {
				requireProblem(t, r, tc.status)
			} else {
				requireProblem(t, r, tc.status, tc.loc)
			}
		})
	}

	grant := b.do(t, req{method: http.MethodPut, path: "/api/v1/me/consents/adressauskunft", header: anna,
		body: mustJSON(t, map[string]any{"fields": []string{"given_name", "email", "street"}})})
	require.Equal(t, http.StatusOK, grant.status, string(grant.body))
	require.Equal(t, true, grant.json(t)["active"])
	got := b.do(t, req{path: svc, header: anna}).json(t)
	require.Equal(t, map[string]any{"given_name": "Anna", "email": "anna@example.ch"}, got["values"], "only consented fields that have a value")

	entries := log(anna)
	require.Len(t, entries, 1)
	e := entries[0].(map[string]any)
	require.Equal(t, "form", e["actor_kind"])
	require.Equal(t, "disclose", e["action"])
	require.Equal(t, []any{"Vorname", "E-Mail-Adresse", "Strasse und Nummer"}, e["data"])
	require.Contains(t, e["purpose"], "vorausfüllen")
	require.Contains(t, e["legal_basis"], "Einwilligung")
	require.Equal(t, true, e["sealed"])

	// Bruno sees neither Anna's data nor her log, and cannot revoke her consent.
	bv := b.do(t, req{path: svc, header: bruno}).json(t)
	require.Empty(t, bv["values"])
	require.Empty(t, log(bruno))
	requireProblem(t, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/consents/adressauskunft", header: bruno}), http.StatusNotFound)

	// Paging.
	for i := 0; i < 3; i++ {
		require.Equal(t, http.StatusOK, b.do(t, req{path: svc, header: anna}).status)
	}
	page := b.do(t, req{path: "/api/v1/me/transparency?limit=3", header: anna}).json(t)
	require.Len(t, page["items"], 3)
	next := int64(page["next_before"].(float64))
	rest := b.do(t, req{path: "/api/v1/me/transparency?limit=3&before=" + strconv.FormatInt(next, 10), header: anna}).json(t)
	require.Len(t, rest["items"], 1)
	require.Nil(t, rest["next_before"])
	requireProblem(t, b.do(t, req{path: "/api/v1/me/transparency?limit=500", header: anna}), http.StatusUnprocessableEntity, "query.limit")

	// Withdrawn: the form starts empty again; the consent stays listed.
	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/consents/adressauskunft", header: anna}).status)
	require.Empty(t, b.do(t, req{path: svc, header: anna}).json(t)["values"])
	requireProblem(t, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me/consents/adressauskunft", header: anna}), http.StatusNotFound)
	cs := b.do(t, req{path: "/api/v1/me/consents", header: anna}).json(t)["items"].([]any)
	require.Len(t, cs, 1)
	require.Equal(t, false, cs[0].(map[string]any)["active"])
}

func TestRoleAdministration(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	anna := loginAs(t, b, "anna@example.ch")
	staff := loginAs(t, b, "eva@uster.ch", store.Role{Role: account.RoleStaff, Office: "einwohnerdienste"})
	pwOnly := loginAs(t, b, "adrian@uster.ch", store.Role{Role: account.RoleAdmin})
	admin := map[string]string{"Cookie": twoFactorSession(t, b, pwOnly["Cookie"])}
	find := "/api/v1/admin/accounts?email=anna@example.ch"

	requireProblem(t, b.do(t, req{path: find}), http.StatusUnauthorized)
	requireProblem(t, b.do(t, req{path: find, header: anna}), http.StatusForbidden)
	requireProblem(t, b.do(t, req{path: find, header: staff}), http.StatusForbidden)
	require.Empty(t, b.do(t, req{path: "/api/v1/me/transparency", header: anna}).json(t)["items"], "refused look-ups are not logged")

	found := b.do(t, req{path: find, header: admin})
	require.Equal(t, http.StatusOK, found.status, string(found.body))
	annaID := found.json(t)["id"].(string)
	requireProblem(t, b.do(t, req{path: "/api/v1/admin/accounts?email=niemand@example.ch", header: admin}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{path: "/api/v1/admin/accounts?email=kein-mail", header: admin}), http.StatusUnprocessableEntity, "query.email")

	// The look-up is in Anna's log, with the administrator's name.
	items := b.do(t, req{path: "/api/v1/me/transparency", header: anna}).json(t)["items"].([]any)
	require.Len(t, items, 1)
	e := items[0].(map[string]any)
	require.Equal(t, "staff", e["actor_kind"])
	require.Equal(t, "adrian@uster.ch", e["actor"])
	require.Equal(t, "read", e["action"])

	roles := "/api/v1/admin/accounts/" + annaID + "/roles"
	for _, tc := range []struct {
		name  string
		roles []map[string]string
		loc   string
	}{
		{"staff without office", []map[string]string{{"role": "staff"}}, "body.roles[0].office"},
		{"editor with office", []map[string]string{{"role": "editor"}, {"role": "editor", "office": "steueramt"}}, "body.roles[1].office"},
		{"unknown office", []map[string]string{{"role": "staff", "office": "gibt-es-nicht"}}, "body.roles[0].office"},
		{"unknown role", []map[string]string{{"role": "king"}}, "body.roles[0].role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireProblem(t, b.do(t, req{method: http.MethodPut, path: roles, header: admin, body: mustJSON(t, map[string]any{"roles": tc.roles})}), http.StatusUnprocessableEntity, tc.loc)
		})
	}
	set := b.do(t, req{method: http.MethodPut, path: roles, header: admin, body: mustJSON(t, map[string]any{"roles": []map[string]string{
		{"role": "staff", "office": "einwohnerdienste"}, {"role": "staff", "office": "steueramt"}}})})
	require.Equal(t, http.StatusOK, set.status, string(set.body))
	require.Len(t, set.json(t)["roles"], 2)
	me := b.do(t, req{path: "/api/v1/me", header: anna}).json(t)
	require.Len(t, me["roles"], 2, "the new roles apply to the running session")

	// The last administrator cannot demote themself.
	self := b.do(t, req{path: "/api/v1/admin/accounts?email=adrian@uster.ch", header: admin}).json(t)["id"].(string)
	requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/admin/accounts/" + self + "/roles", header: admin,
		body: mustJSON(t, map[string]any{"roles": []any{}})}), http.StatusConflict)
	requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/admin/accounts/0b7d2f0e-5c1a-4f7e-9d3b-2a1c4e5f6a7b/roles", header: admin,
		body: mustJSON(t, map[string]any{"roles": []any{}})}), http.StatusNotFound)

	// The session that stepped up replaced the password-only one; another
	// administrator with a password-only session must step up first.
	requireProblem(t, b.do(t, req{path: "/api/v1/admin/transparency/verify", header: pwOnly}), http.StatusUnauthorized)
	ada := loginAs(t, b, "ada@uster.ch", store.Role{Role: account.RoleAdmin})
	p := requireProblem(t, b.do(t, req{path: "/api/v1/admin/transparency/verify", header: ada}), http.StatusForbidden)
	require.Equal(t, "two_factor", p["required_level"])
	require.Equal(t, "account", p["current_level"])
	v := b.do(t, req{path: "/api/v1/admin/transparency/verify", header: admin})
	require.Equal(t, http.StatusOK, v.status, string(v.body))
	require.Equal(t, true, v.json(t)["ok"])
	require.EqualValues(t, 3, v.json(t)["entries"])
}

func TestExportDocument(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	anna := loginAs(t, b, "anna@example.ch")
	require.Equal(t, http.StatusOK, b.do(t, req{method: http.MethodPut, path: "/api/v1/me/profile", header: anna,
		body: mustJSON(t, map[string]any{"given_name": "Anna <script>alert(1)</script>", "locality": "Uster"})}).status)
	require.Equal(t, http.StatusOK, b.do(t, req{method: http.MethodPut, path: "/api/v1/me/consents/adressauskunft", header: anna,
		body: mustJSON(t, map[string]any{"fields": []string{"locality"}})}).status)
	require.Equal(t, http.StatusOK, b.do(t, req{path: "/api/v1/me/services/adressauskunft/prefill", header: anna}).status)

	require.Equal(t, http.StatusCreated, b.do(t, req{method: http.MethodPost, path: "/api/v1/drafts", header: anna,
		body: `{"service":"hund-anmelden","data":{"dog_name":"Bello"}}`}).status)
	j := b.do(t, req{path: "/api/v1/me/export", header: anna})
	require.Equal(t, http.StatusOK, j.status, string(j.body))
	require.Contains(t, j.header.Get("Content-Disposition"), "schalter-meine-daten.json")
	x := j.json(t)
	require.Equal(t, "Uster", x["profile"].(map[string]any)["locality"])
	require.Len(t, x["consents"], 1)
	require.Len(t, x["transparency"], 1)
	require.Len(t, x["sessions"], 1)
	require.Len(t, x["drafts"], 1)
	require.Equal(t, "Bello", x["drafts"].([]any)[0].(map[string]any)["data"].(map[string]any)["dog_name"], "with what was entered")

	h := b.do(t, req{path: "/api/v1/me/export?format=html", header: anna})
	require.Equal(t, http.StatusOK, h.status, string(h.body))
	require.Equal(t, "text/html; charset=utf-8", h.header.Get("Content-Type"))
	require.Equal(t, "no-store", h.header.Get("Cache-Control"))
	doc := string(h.body)
	for _, want := range []string{`lang="de-CH"`, "Meine Daten bei", "<h2>Profil</h2>", "<dt>Vorname</dt>", "Anna &lt;script&gt;",
		"Wer hat Ihre Daten gesehen", "Rechtsgrundlage", "Angefangene Anträge", "Bello", "anna@example.ch", "Ja"} {
		require.Contains(t, doc, want)
	}
	require.NotContains(t, doc, "<script>")
	requireProblem(t, b.do(t, req{path: "/api/v1/me/export?format=pdf", header: anna}), http.StatusUnprocessableEntity, "query.format")
	requireProblem(t, b.do(t, req{path: "/api/v1/me/export?format=html"}), http.StatusUnauthorized)

	// Deleting the account removes profile and consents; the transparency
	// log stays for its legal retention (docs/privacy.md).
	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/me", header: anna}).status)
	var profiles, consents, logged int
	require.NoError(t, b.store.Pool().QueryRow(context.Background(),
		"SELECT (SELECT count(*) FROM profile), (SELECT count(*) FROM prefill_consent), (SELECT count(*) FROM transparency_log)").Scan(&profiles, &consents, &logged))
	require.Equal(t, []int{0, 0, 1}, []int{profiles, consents, logged})
}
