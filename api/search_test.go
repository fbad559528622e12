package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSearchAPI(t *testing.T) {
	t.Parallel()
	b := setupSearch(t)

	t.Run("typos and dialect find the service, with highlights and facets", func(t *testing.T) {
		m := b.do(t, req{path: "/api/v1/search?q=" + url.QueryEscape("hund anmälde")}).json(t)
		require.Equal(t, "hund anmälde", m["query"])
		hits := m["hits"].([]any)
		require.NotEmpty(t, hits)
		first := hits[0].(map[string]any)
		require.Equal(t, "hund-anmelden", first["slug"])
		require.NotEmpty(t, first["office"].(map[string]any)["name"])
		require.NotEmpty(t, first["highlights"].(map[string]any)["title"])
		require.Equal(t, "embedded", m["engine"])
		facets := m["facets"].(map[string]any)
		for _, f := range []string{"category", "audience", "office", "channel"} {
			require.NotEmpty(t, facets[f], f)
		}
		cat := facets["category"].([]any)[0].(map[string]any)
		require.NotEmpty(t, cat["title"])
		require.Positive(t, cat["count"])
	})

	t.Run("filters", func(t *testing.T) {
		m := b.do(t, req{path: "/api/v1/search?category=abfall-umwelt&channel=online&limit=50"}).json(t)
		require.Positive(t, m["total"])
		for _, f := range m["facets"].(map[string]any)["channel"].([]any) {
			if f.(map[string]any)["value"] == "online" {
				require.Equal(t, m["total"], f.(map[string]any)["count"])
			}
		}
	})

	t.Run("empty query gives the most popular", func(t *testing.T) {
		m := b.do(t, req{path: "/api/v1/search?limit=3"}).json(t)
		require.Len(t, m["hits"], 3)
		require.GreaterOrEqual(t, m["total"], float64(150))
	})

	t.Run("language", func(t *testing.T) {
		m := b.do(t, req{path: "/api/v1/search?q=chien&lang=fr"}).json(t)
		first := m["hits"].([]any)[0].(map[string]any)
		require.Equal(t, "hund-anmelden", first["slug"])
		require.NotContains(t, first["title"], "Hund")
	})

	t.Run("control characters are removed", func(t *testing.T) {
		m := b.do(t, req{path: "/api/v1/search?q=" + url.QueryEscape("hund\x00\x1b anmelden")}).json(t)
		require.Equal(t, "hund anmelden", m["query"])
	})

	bad := []struct{ path, loc string }{
		{"/api/v1/search?q=" + strings.Repeat("a", 201), "query.q"},
		{"/api/v1/search?limit=51", "query.limit"},
		{"/api/v1/search?offset=-1", "query.offset"},
		{"/api/v1/search?channel=fax", "query.channel"},
		{"/api/v1/search/suggest?limit=9", "query.limit"},
		{"/api/v1/search/suggest?q=" + strings.Repeat("a", 201), "query.q"},
	}
	for _, c := range bad {
		t.Run("422 "+c.loc, func(t *testing.T) {
			requireProblem(t, b.do(t, req{path: c.path}), http.StatusUnprocessableEntity, c.loc)
		})
	}

	t.Run("suggest", func(t *testing.T) {
		m := b.do(t, req{path: "/api/v1/search/suggest?q=sperrg"}).json(t)
		s := m["suggestions"].([]any)
		require.NotEmpty(t, s)
		require.LessOrEqual(t, len(s), 8)
		require.Equal(t, "sperrgut-abfuhr-bestellen", s[0].(map[string]any)["slug"])
	})

	t.Run("synonyms", func(t *testing.T) {
		m := b.do(t, req{path: "/api/v1/search/synonyms"}).json(t)
		require.Greater(t, len(m["groups"].([]any)), 20)
	})

	t.Run("an admin change becomes searchable without a restart", func(t *testing.T) {
		doc := b.do(t, req{path: "/api/v1/admin/services/fundbuero", header: admin(nil)})
		p := b.do(t, req{method: http.MethodPatch, path: "/api/v1/admin/services/fundbuero", body: `{"title": {"de": "Fundbüro Capybara"}}`,
			header: admin(map[string]string{"If-Match": doc.header.Get("ETag"), "Content-Type": "application/merge-patch+json"})})
		require.Equal(t, http.StatusOK, p.status, string(p.body))
		require.Eventually(t, func() bool {
			m := b.do(t, req{path: "/api/v1/search?q=capybara"}).json(t)
			return m["total"] == float64(1)
		}, 10*time.Second, 20*time.Millisecond)
	})

	t.Run("engine down: 503 with Retry-After, and not ready", func(t *testing.T) {
		down := setupSearch(t)
		require.NoError(t, down.engine.Close())
		r := down.do(t, req{path: "/api/v1/search?q=hund"})
		requireProblem(t, r, http.StatusServiceUnavailable)
		require.NotEmpty(t, r.header.Get("Retry-After"))
		requireProblem(t, down.do(t, req{path: "/readyz"}), http.StatusServiceUnavailable)
	})
}

func TestFavourites(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	// The first write sets the guest cookie.
	r := b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/hund-anmelden"})
	require.Equal(t, http.StatusNoContent, r.status, string(r.body))
	set := r.header.Get("Set-Cookie")
	require.Contains(t, set, "schalter_guest=")
	require.Contains(t, set, "HttpOnly")
	require.Contains(t, set, "Secure")
	require.Contains(t, set, "SameSite=Lax")
	cookie := strings.Split(set, ";")[0]
	me := map[string]string{"Cookie": cookie}

	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/hund-anmelden", header: me}).status, "idempotent")
	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/heimatschein", header: me}).status)
	again := b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/heimatschein", header: me})
	require.Empty(t, again.header.Get("Set-Cookie"), "a known guest keeps the cookie")

	items := b.do(t, req{path: "/api/v1/favourites", header: me}).json(t)["items"].([]any)
	require.Len(t, items, 2)
	require.Equal(t, "heimatschein", items[0].(map[string]any)["slug"])
	require.NotEmpty(t, items[0].(map[string]any)["title"])

	// Another guest sees nothing of it.
	require.Empty(t, b.do(t, req{path: "/api/v1/favourites"}).json(t)["items"])
	require.Empty(t, b.do(t, req{path: "/api/v1/favourites", header: map[string]string{"Cookie": "schalter_guest=0123456789abcdef0123456789abcdef"}}).json(t)["items"])
	require.Empty(t, b.do(t, req{path: "/api/v1/favourites", header: map[string]string{"Cookie": "schalter_guest=not-an-id"}}).json(t)["items"])

	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/favourites/heimatschein", header: me}).status)
	require.Equal(t, http.StatusNoContent, b.do(t, req{method: http.MethodDelete, path: "/api/v1/favourites/heimatschein", header: me}).status, "idempotent")
	require.Len(t, b.do(t, req{path: "/api/v1/favourites", header: me}).json(t)["items"], 1)

	requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/gibt-es-nicht", header: me}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/Bad_Slug", header: me}), http.StatusUnprocessableEntity, "path.slug")

	// A cross-origin browser request is refused (CSRF).
	requireProblem(t, b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/heimatschein",
		header: map[string]string{"Cookie": cookie, "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}}), http.StatusForbidden)
	same := b.do(t, req{method: http.MethodPut, path: "/api/v1/favourites/heimatschein",
		header: map[string]string{"Cookie": cookie, "Sec-Fetch-Site": "same-origin"}})
	require.Equal(t, http.StatusNoContent, same.status)
}

// TestTwoServers: two servers (replicas) on one database, each with its own
// embedded index; a change made through one is found through the other
// within a second, in search and in the catalogue.
func TestTwoServers(t *testing.T) {
	t.Parallel()
	a := setupSearch(t)
	b := serverOn(t, a.store, true)
	doc := a.do(t, req{path: "/api/v1/admin/services/heimatschein", header: admin(nil)})
	p := a.do(t, req{method: http.MethodPatch, path: "/api/v1/admin/services/heimatschein", body: `{"title": {"de": "Heimatschein Pangolin"}}`,
		header: admin(map[string]string{"If-Match": doc.header.Get("ETag"), "Content-Type": "application/merge-patch+json"})})
	require.Equal(t, http.StatusOK, p.status, string(p.body))
	require.Eventually(t, func() bool {
		m := b.do(t, req{path: "/api/v1/search?q=pangolin"}).json(t)
		return m["total"] == float64(1)
	}, 10*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool {
		return b.do(t, req{path: "/api/v1/services/heimatschein"}).json(t)["title"] == "Heimatschein Pangolin"
	}, 10*time.Second, 20*time.Millisecond)
}
