package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/api"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

// routerRoutes reads the route table of the PWA's router (the TypeScript
// source), as paths in api.PWARoutes' notation: /services/{slug}. Every
// entry of the table must be in a form this function knows, so a route
// added in a new form fails the test instead of slipping past it.
func routerRoutes(t *testing.T) (routes []string, slug string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(pgtest.RepoRoot(), "pwa", "src", "lib", "router.ts"))
	require.NoError(t, err)
	src := string(raw)
	block := func(start, end string) string {
		t.Helper()
		i := strings.Index(src, start)
		require.GreaterOrEqual(t, i, 0, "router.ts has no %q", start)
		j := strings.Index(src[i:], end)
		require.GreaterOrEqual(t, j, 0, "router.ts: %q does not end with %q", start, end)
		return src[i+len(start) : i+j]
	}
	m := regexp.MustCompile(`(?m)^const SLUG = "\((.*)\)";$`).FindStringSubmatch(src)
	require.NotNil(t, m, "router.ts: SLUG")
	slug = m[1]
	// The other segments a route may capture, each a placeholder of api.PWASegments.
	placeholders := map[string]string{"SLUG": "{slug}", "CASE_NUMBER": "{number}", "DOCUMENT_ID": "{id}"}
	for _, c := range regexp.MustCompile(`(?m)^const ([A-Z_]+) = "\((.*)\)";$`).FindAllStringSubmatch(src, -1) {
		name, known := placeholders[c[1]]
		require.True(t, known, "router.ts captures segments with %s; name its placeholder here", c[1])
		re, ok := api.PWASegments[name]
		require.True(t, ok, "router.ts captures %s; api/static.go pwaSegments has no %s", c[1], name)
		require.Equal(t, "^"+c[2]+"$", re.String(), "api/static.go pwaSegments[%s] must be router.ts's %s", name, c[1])
	}

	quoted := func(body string, re *regexp.Regexp) []string {
		var out []string
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		require.NotEmpty(t, out)
		return out
	}
	lists := map[string][]string{
		// overview: "/account",  "check-inbox": "/account/check-inbox",
		"ACCOUNT_PATHS": quoted(block("export const ACCOUNT_PATHS = {", "} as const;"), regexp.MustCompile(`(?m)^\s*"?[\w-]+"?: "(/[^"]*)",$`)),
		// "/konto": "overview",
		"ACCOUNT_ALIASES": quoted(block("export const ACCOUNT_ALIASES: Readonly<Record<string, AccountPage>> = {", "};"), regexp.MustCompile(`(?m)^\s*"(/[^"]*)": "[\w-]+",$`)),
	}

	literal := regexp.MustCompile(`^\[/\^(.*?)\$/, `)                        // [/^\/offices\/?$/, () => …
	constructed := regexp.MustCompile("^\\[new RegExp\\(`\\^(.*?)\\$`\\), ") // [new RegExp(`^/offices/${SLUG}/?$`), (m) => …
	spread := regexp.MustCompile(`^\.\.\.Object\.entries\((\w+)\)\.map\(`)   // ...Object.entries(ACCOUNT_PATHS).map(
	clean := regexp.MustCompile(`^(/[a-z-]+)*/?$|^/$`)
	for _, line := range strings.Split(block("const table: [RegExp, (m: RegExpExecArray) => Route][] = [", "\n];"), "\n") {
		line = strings.TrimSpace(line)
		var path string
		switch {
		case literal.MatchString(line):
			path = strings.ReplaceAll(literal.FindStringSubmatch(line)[1], `\/`, "/")
		case constructed.MatchString(line):
			path = constructed.FindStringSubmatch(line)[1]
		case spread.MatchString(line):
			name := spread.FindStringSubmatch(line)[1]
			require.Contains(t, lists, name, "router.ts spreads an unknown list into its table: %s", line)
			routes = append(routes, lists[name]...)
			continue
		case line == "" || !strings.HasPrefix(line, "[") && !strings.HasPrefix(line, "..."):
			continue // the rest of a spread entry
		default:
			t.Fatalf("router.ts: a route table entry this test cannot read; teach it the new form: %s", line)
		}
		if path != "/" {
			path = strings.TrimSuffix(path, "/?") // the trailing slash the router allows
		}
		check := path
		for c, name := range placeholders {
			path = strings.ReplaceAll(path, "${"+c+"}", name)
			check = strings.ReplaceAll(check, "${"+c+"}", "x")
		}
		require.Regexp(t, clean, check, "router.ts: route %q is more than fixed segments and captured segments", line)
		routes = append(routes, path)
	}
	return routes, slug
}

// TestPWARoutesMatchRouter keeps the server's list of page paths (which
// get the app shell) in step with the PWA's router.
func TestPWARoutesMatchRouter(t *testing.T) {
	t.Parallel()
	routes, slug := routerRoutes(t)
	require.ElementsMatch(t, routes, api.PWARoutes, "api/static.go pwaRoutes must list exactly the routes of pwa/src/lib/router.ts")
	require.Equal(t, "^"+slug+"$", api.PWASlug.String(), "api/static.go pwaSlug must be router.ts's SLUG")
}

// TestPWAShellOnlyForAppRoutes: deep links into the PWA get the app shell;
// every other path that is not a file of the PWA is a 404 problem, never
// index.html with 200 (a scanner probing /.env would take that for a hit).
func TestPWAShellOnlyForAppRoutes(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	for _, route := range api.PWARoutes {
		path := strings.NewReplacer("{slug}", "hund-anmelden", "{number}", "UST-2026-000001-0", "{id}", "0b9e3a5c-1d2f-4e6a-8b7c-9d0e1f2a3b4c").Replace(route)
		paths := []string{path, path + "?next=%2Faccount"}
		if path != "/" {
			paths = append(paths, path+"/")
		}
		for _, p := range paths {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				r := b.do(t, req{method: method, path: p})
				require.Equal(t, http.StatusOK, r.status, "%s %s: %s", method, p, r.body)
				require.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "text/html"), "%s %s: %s", method, p, r.header.Get("Content-Type"))
			}
		}
	}
	for _, p := range []string{
		"/.git/config", "/.env", "/foo.php", "/wp-login.php", "/admin/.htpasswd", "/wp-admin/", "/admin",
		"/metrics", "/server-status", "/gibt-es-nicht", "/services", "/services/Bad_Slug", "/services/hund-anmelden/extra",
		"/account/gibt-es-nicht", "/konto/x", "/categories/-x", "/account/cases/ust-2026-000001-0", "/verify/nicht-eine-id", "/services/hund-anmelden/order/x", "/index.php", "/assets/missing-123.js", "/api/v1/nope",
	} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			r := b.do(t, req{method: method, path: p})
			require.Equal(t, http.StatusNotFound, r.status, "%s %s: %s", method, p, r.body)
			require.Equal(t, "application/problem+json", r.header.Get("Content-Type"), "%s %s", method, p)
			if method == http.MethodGet {
				requireProblem(t, r, http.StatusNotFound)
			}
		}
	}
	// A browser visiting a page that does not exist gets the shell, so the
	// PWA shows its not-found page, but still with status 404; an unknown
	// API path stays a problem even for a browser.
	for _, hdr := range []map[string]string{{"Sec-Fetch-Mode": "navigate"}, {"Accept": "text/html,application/xhtml+xml"}} {
		for _, p := range []string{"/gibt-es-nicht", "/account/gibt-es-nicht", "/.env"} {
			r := b.do(t, req{path: p, header: hdr})
			require.Equal(t, http.StatusNotFound, r.status, "%s %v", p, hdr)
			require.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "text/html"), "%s %v: %s", p, hdr, r.header.Get("Content-Type"))
		}
		r := b.do(t, req{path: "/api/v1/nope", header: hdr})
		require.Equal(t, http.StatusNotFound, r.status)
		require.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
	}
	r := b.do(t, req{path: "/gibt-es-nicht", header: map[string]string{"Sec-Fetch-Mode": "cors", "Accept": "text/html"}})
	require.Equal(t, "application/problem+json", r.header.Get("Content-Type"), "a script's fetch is not a navigation")
	// The PWA's own files are still served.
	for _, p := range []string{"/index.html", "/assets/app-abc123.js", "/manifest.webmanifest", "/widget/schalter-search.js"} {
		require.Equal(t, http.StatusOK, b.do(t, req{path: p}).status, p)
	}
}
