package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/api"
	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cli"
	"github.com/schalter-ch/schalter/internal/config"
	"github.com/schalter-ch/schalter/internal/jobs"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/searchsync"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/search"
	"github.com/schalter-ch/schalter/search/embedded"
)

const (
	// adminToken is the personal API token of an editor that every test
	// server's database gets (seedEditorToken).
	adminToken = "sch_test-editor-token-0123456789abcdefghij"
	// secretKey is the test servers' SCHALTER_SECRET_KEY.
	secretKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
)

type testBundle struct {
	srv    *httptest.Server
	store  *store.Store
	logs   *bytes.Buffer
	engine *embedded.Engine
	app    *api.Server
}

func setup(t *testing.T, seed bool) *testBundle {
	t.Helper()
	return newBundle(t, seed, false)
}

// setupSearch is setup with a seeded database and a search index following it.
func setupSearch(t *testing.T) *testBundle {
	t.Helper()
	return newBundle(t, true, true)
}

func newBundle(t *testing.T, seed, withSearch bool) *testBundle {
	t.Helper()
	return serverOn(t, pgtest.Store(t, pgtest.Options{Seed: seed}), withSearch)
}

// serverOn starts a server on an existing database, as a further replica.
func serverOn(t *testing.T, st *store.Store, withSearch bool) *testBundle {
	t.Helper()
	return serverWith(t, st, withSearch, nil)
}

// serverWith is serverOn with changes to the configuration.
func serverWith(t *testing.T, st *store.Store, withSearch bool, configure func(*config.Config)) *testBundle {
	t.Helper()
	return startServer(t, st, withSearch, func(c *config.Config, _ string) {
		if configure != nil {
			configure(c)
		}
	})
}

// startServer is serverWith whose configuration may use the server's own
// URL (known before the server starts).
func startServer(t *testing.T, st *store.Store, withSearch bool, configure func(c *config.Config, url string)) *testBundle {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil))
	cfg := &config.Config{Env: "test", CORSOrigins: []string{"https://www.uster.ch"},
		City:      config.City{Name: "Stadt Uster", ShortName: "Uster", PrimaryColor: "#00508c", AccentColor: "#b3122e"},
		PublicURL: "https://schalter.example", SecretKey: secretKey}
	configure(cfg, "http://"+srv.Listener.Addr().String())
	// The development payment provider, as make run has it; production
	// refuses it.
	cfg.Payments.Dev = cfg.Env != "production"
	pwa := fstest.MapFS{
		"index.html":                {Data: []byte("<!doctype html><title>Schalter</title>")},
		"assets/app-abc123.js":      {Data: []byte("console.log(1)")},
		"manifest.webmanifest":      {Data: []byte(`{"name":"x","icons":[]}`)},
		"widget/schalter-search.js": {Data: []byte("export {}")},
	}
	deps, err := cli.Wire(cfg, st, log)
	require.NoError(t, err)
	if deps.DevPayProvider != nil {
		// The development provider's webhooks reach this server.
		deps.DevPayProvider.WebhookURL = "http://" + srv.Listener.Addr().String() + "/api/v1/payments/webhooks/dev"
	}
	if st != nil {
		// Best effort: a test may hand over a closed store on purpose.
		_ = seedEditorToken(st)
	}
	var engine *embedded.Engine
	if withSearch {
		engine, err = embedded.Open("")
		require.NoError(t, err)
		t.Cleanup(func() { engine.Close() })
		settings, err := search.DefaultSettings()
		require.NoError(t, err)
		syncer := &searchsync.Syncer{Store: st, Engine: engine, Log: log, Settings: settings, Poll: 50 * time.Millisecond}
		require.NoError(t, syncer.Start(context.Background()))
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		go syncer.Run(ctx)
		deps.Search, deps.SearchSettings = engine, settings
	}
	var idle *jobs.Queue
	if st != nil && st.Ping(context.Background()) == nil {
		// The job queue as `schalter serve` runs it (mails are jobs),
		// polling often so tests do not wait for a notification.
		q, err := cli.StartJobs(context.Background(), cfg, st, deps, log, jobs.Options{FetchPoll: 20 * time.Millisecond})
		require.NoError(t, err)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = q.Stop(ctx)
		})
		deps.Jobs = q
		idle = q
	}
	app := api.New(cfg, deps, log, pwa)
	runCtx, stopRun := context.WithCancel(context.Background())
	t.Cleanup(stopRun)
	go app.Run(runCtx)
	srv.Config.Handler = app.Handler()
	if idle != nil {
		// Each response waits for the jobs its request enqueued, so a test
		// finds the mail in the sink once it has the answer.
		h := srv.Config.Handler
		srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r)
			if strings.HasPrefix(r.URL.Path, "/api/v1/payments/webhooks/") {
				return // sent by a job that waits for this answer
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := idle.WaitIdle(ctx); err != nil {
				t.Errorf("%s %s: %v", r.Method, r.URL.Path, err)
			}
		})
	}
	srv.Start()
	return &testBundle{srv: srv, store: st, logs: logs, engine: engine, app: app}
}

// newApp is a server wired as `schalter serve` wires it (cli.Wire), on
// st, without search or job queue: for tests of the edge's middleware.
func newApp(t *testing.T, cfg *config.Config, st *store.Store) *api.Server {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	deps, err := cli.Wire(cfg, st, log)
	require.NoError(t, err)
	return api.New(cfg, deps, log, nil)
}

// seedEditorToken gives the database an editor whose personal API token
// is adminToken (idempotent: servers may share a database).
func seedEditorToken(st *store.Store) error {
	ctx := context.Background()
	if _, err := (&account.Service{Store: st}).APITokenAccount(ctx, adminToken); err == nil {
		return nil
	}
	now := time.Now()
	const email = "token-editor@uster.ch"
	acc, err := st.CreateAccount(ctx, email, email, "", &now, store.Role{Role: account.RoleEditor})
	if apperr.CodeOf(err) == apperr.Conflict {
		acc, err = st.AccountByEmail(ctx, email)
	}
	if err != nil {
		return err
	}
	_, err = st.CreateAPIToken(ctx, acc.ID, "tests", account.HashToken(adminToken), now.Add(time.Hour))
	return err
}

// noRedirects shows a test the redirect itself (the eID login answers
// with them), instead of following it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type req struct {
	method, path string
	body         string
	header       map[string]string
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

func (b *testBundle) do(t *testing.T, r req) resp {
	t.Helper()
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(method, b.srv.URL+r.path, body)
	require.NoError(t, err)
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	res, err := noRedirects.Do(hr)
	require.NoError(t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return resp{status: res.StatusCode, header: res.Header, body: data}
}

func admin(h map[string]string) map[string]string {
	out := map[string]string{"Authorization": "Bearer " + adminToken}
	for k, v := range h {
		out[k] = v
	}
	return out
}

// requireProblem checks an RFC 9457 response and, when locations are
// given, that the errors name exactly those fields.
func requireProblem(t *testing.T, r resp, status int, locations ...string) map[string]any {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	require.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json"), "content type %q", r.header.Get("Content-Type"))
	p := r.json(t)
	require.EqualValues(t, status, p["status"])
	require.NotEmpty(t, p["title"])
	if len(locations) > 0 {
		var got []string
		errs, _ := p["errors"].([]any)
		for _, e := range errs {
			got = append(got, e.(map[string]any)["location"].(string))
		}
		for _, l := range locations {
			require.Contains(t, got, l, "problem: %s", r.body)
		}
	}
	return p
}

func TestPublicCatalogue(t *testing.T) {
	t.Parallel()
	b := setup(t, true)

	t.Run("list", func(t *testing.T) {
		r := b.do(t, req{path: "/api/v1/services?limit=100"})
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		m := r.json(t)
		require.GreaterOrEqual(t, m["total"], float64(150))
		items := m["items"].([]any)
		require.Len(t, items, 100)
		prev := 101.0
		for _, it := range items {
			s := it.(map[string]any)
			require.NotEmpty(t, s["slug"])
			require.NotEmpty(t, s["title"])
			require.LessOrEqual(t, s["popularity"], prev, "ordered by popularity")
			prev = s["popularity"].(float64)
		}
		require.NotEmpty(t, m["next_cursor"])
	})

	filters := []struct {
		query, field, want string
	}{
		{"category=abfall-umwelt", "categories", "abfall-umwelt"},
		{"category=umziehen", "life_situations", "umziehen"},
		{"audience=businesses", "audiences", "businesses"},
		{"channel=post", "channels", "post"},
		{"office=einwohnerdienste", "office", "einwohnerdienste"},
	}
	for _, f := range filters {
		t.Run("filter "+f.query, func(t *testing.T) {
			m := b.do(t, req{path: "/api/v1/services?limit=100&" + f.query}).json(t)
			items := m["items"].([]any)
			require.NotEmpty(t, items)
			require.EqualValues(t, len(items), m["total"])
			for _, it := range items {
				s := it.(map[string]any)
				if f.field == "office" {
					require.Equal(t, f.want, s["office"].(map[string]any)["slug"])
					continue
				}
				require.Contains(t, s[f.field], f.want, "%s", s["slug"])
			}
		})
	}

	t.Run("combined filters narrow", func(t *testing.T) {
		all := b.do(t, req{path: "/api/v1/services?category=wohnen-umzug"}).json(t)["total"].(float64)
		both := b.do(t, req{path: "/api/v1/services?category=wohnen-umzug&channel=online"}).json(t)["total"].(float64)
		require.Less(t, both, all)
		require.Positive(t, both)
	})

	t.Run("cursor pagination walks everything once", func(t *testing.T) {
		seen := map[string]bool{}
		path := "/api/v1/services?limit=7"
		total := 0.0
		for pages := 0; pages < 100; pages++ {
			m := b.do(t, req{path: path}).json(t)
			total = m["total"].(float64)
			for _, it := range m["items"].([]any) {
				slug := it.(map[string]any)["slug"].(string)
				require.False(t, seen[slug], "duplicate %s", slug)
				seen[slug] = true
			}
			next, _ := m["next_cursor"].(string)
			if next == "" {
				break
			}
			path = "/api/v1/services?limit=7&cursor=" + url.QueryEscape(next)
		}
		require.EqualValues(t, total, len(seen))
	})

	t.Run("unknown category is an empty list", func(t *testing.T) {
		m := b.do(t, req{path: "/api/v1/services?category=gibt-es-nicht"}).json(t)
		require.EqualValues(t, 0, m["total"])
		require.Empty(t, m["items"])
	})

	invalid := []struct {
		path, location string
	}{
		{"/api/v1/services?limit=0", "query.limit"},
		{"/api/v1/services?limit=101", "query.limit"},
		{"/api/v1/services?limit=abc", "query.limit"},
		{"/api/v1/services?channel=fax", "query.channel"},
		{"/api/v1/services?category=Not%20A%20Slug", "query.category"},
		{"/api/v1/services?cursor=%25%25%25", "query.cursor"},
		{"/api/v1/services?cursor=" + "bm90LWEtY3Vyc29y", "query.cursor"},
		{"/api/v1/services?lang=xx", "query.lang"},
		{"/api/v1/services/Bad_Slug", "path.slug"},
		{"/api/v1/categories?kind=colour", "query.kind"},
	}
	for _, c := range invalid {
		t.Run("422 "+c.path, func(t *testing.T) {
			requireProblem(t, b.do(t, req{path: c.path}), http.StatusUnprocessableEntity, c.location)
		})
	}

	t.Run("service detail", func(t *testing.T) {
		r := b.do(t, req{path: "/api/v1/services/hund-anmelden"})
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, "de-CH", r.header.Get("Content-Language"))
		s := r.json(t)
		require.Equal(t, "hund-anmelden", s["slug"])
		for _, f := range []string{"title", "summary", "description", "description_html", "mode", "assurance", "last_reviewed"} {
			require.NotEmpty(t, s[f], f)
		}
		for _, f := range []string{"fees", "processing_times", "requirements", "contacts", "categories", "audiences"} {
			require.NotEmpty(t, s[f], f)
		}
		office := s["office"].(map[string]any)
		require.NotEmpty(t, office["opening_hours"])
		require.NotEmpty(t, office["phone"])
		privacy := s["privacy"].(map[string]any)
		for _, f := range []string{"data", "purpose", "retention", "recipients"} {
			require.NotEmpty(t, privacy[f], f)
		}
		require.NotContains(t, string(r.body), "ß")
	})

	t.Run("languages", func(t *testing.T) {
		de := b.do(t, req{path: "/api/v1/services/zuzug-anmelden"}).json(t)
		fr := b.do(t, req{path: "/api/v1/services/zuzug-anmelden?lang=fr"}).json(t)
		it := b.do(t, req{path: "/api/v1/services/zuzug-anmelden", header: map[string]string{"Accept-Language": "it-CH,it;q=0.9"}})
		en := b.do(t, req{path: "/api/v1/services/zuzug-anmelden?lang=en", header: map[string]string{"Accept-Language": "fr"}}).json(t)
		require.NotEqual(t, de["title"], fr["title"])
		require.NotEqual(t, de["title"], en["title"])
		require.Equal(t, "it-CH", it.header.Get("Content-Language"))
		require.NotEqual(t, de["title"], it.json(t)["title"])
		// Descriptions exist in German only: the others fall back.
		require.Equal(t, de["description"], fr["description"])
		unknown := b.do(t, req{path: "/api/v1/services/zuzug-anmelden", header: map[string]string{"Accept-Language": "ja"}})
		require.Equal(t, "de-CH", unknown.header.Get("Content-Language"))
	})

	t.Run("unknown slug", func(t *testing.T) {
		requireProblem(t, b.do(t, req{path: "/api/v1/services/gibt-es-nicht"}), http.StatusNotFound)
		requireProblem(t, b.do(t, req{path: "/api/v1/offices/gibt-es-nicht"}), http.StatusNotFound)
	})

	t.Run("taxonomy and offices", func(t *testing.T) {
		cats := b.do(t, req{path: "/api/v1/categories"}).json(t)["items"].([]any)
		require.GreaterOrEqual(t, len(cats), 20)
		topics := b.do(t, req{path: "/api/v1/categories?kind=topic"}).json(t)["items"].([]any)
		for _, c := range topics {
			require.Equal(t, "topic", c.(map[string]any)["kind"])
			require.Positive(t, c.(map[string]any)["service_count"])
		}
		auds := b.do(t, req{path: "/api/v1/audiences?lang=en"}).json(t)["items"].([]any)
		require.NotEmpty(t, auds)
		offices := b.do(t, req{path: "/api/v1/offices"}).json(t)["items"].([]any)
		require.GreaterOrEqual(t, len(offices), 15)
		o := b.do(t, req{path: "/api/v1/offices/einwohnerdienste"}).json(t)
		require.NotEmpty(t, o["address"].(map[string]any)["street"])
		require.Positive(t, o["service_count"])
	})

	t.Run("whole catalogue", func(t *testing.T) {
		r := b.do(t, req{path: "/api/v1/catalogue?lang=fr"})
		require.Equal(t, http.StatusOK, r.status)
		m := r.json(t)
		require.Equal(t, "fr", m["lang"])
		require.GreaterOrEqual(t, len(m["services"].([]any)), 150)
		require.NotEmpty(t, m["offices"])
		r2 := b.do(t, req{path: "/api/v1/catalogue?lang=fr", header: map[string]string{"If-None-Match": r.header.Get("ETag")}})
		require.Equal(t, http.StatusNotModified, r2.status)
	})

	t.Run("config", func(t *testing.T) {
		m := b.do(t, req{path: "/api/v1/config"}).json(t)
		require.Equal(t, "Stadt Uster", m["city"].(map[string]any)["name"])
	})
}

func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	for _, path := range []string{"/api/v1/services/heimatschein", "/api/v1/services?category=wohnen-umzug", "/api/v1/categories", "/api/v1/offices", "/api/v1/offices/einwohnerdienste", "/api/v1/audiences"} {
		t.Run(path, func(t *testing.T) {
			r := b.do(t, req{path: path})
			require.Equal(t, http.StatusOK, r.status)
			etag := r.header.Get("ETag")
			require.NotEmpty(t, etag)
			require.Contains(t, r.header.Get("Cache-Control"), "max-age")
			require.Contains(t, r.header.Get("Vary"), "Accept-Language")
			r2 := b.do(t, req{path: path, header: map[string]string{"If-None-Match": etag}})
			require.Equal(t, http.StatusNotModified, r2.status)
			require.Empty(t, r2.body)
			require.Equal(t, etag, r2.header.Get("ETag"))
			// Another language is another representation.
			r3 := b.do(t, req{path: path + sep(path) + "lang=fr", header: map[string]string{"If-None-Match": etag}})
			require.Equal(t, http.StatusOK, r3.status)
		})
	}

	t.Run("a change moves the ETag", func(t *testing.T) {
		r := b.do(t, req{path: "/api/v1/services/heimatschein"})
		etag := r.header.Get("ETag")
		doc := b.do(t, req{path: "/api/v1/admin/services/heimatschein", header: admin(nil)})
		p := b.do(t, req{method: http.MethodPatch, path: "/api/v1/admin/services/heimatschein", body: `{"popularity": 3}`,
			header: admin(map[string]string{"If-Match": doc.header.Get("ETag"), "Content-Type": "application/merge-patch+json"})})
		require.Equal(t, http.StatusOK, p.status, string(p.body))
		r2 := b.do(t, req{path: "/api/v1/services/heimatschein", header: map[string]string{"If-None-Match": etag}})
		require.Equal(t, http.StatusOK, r2.status)
		require.NotEqual(t, etag, r2.header.Get("ETag"))
		require.EqualValues(t, 3, r2.json(t)["popularity"])
	})
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

func TestHTTPFoundation(t *testing.T) {
	t.Parallel()
	b := setup(t, true)

	t.Run("problems for router errors", func(t *testing.T) {
		requireProblem(t, b.do(t, req{path: "/api/v1/nope"}), http.StatusNotFound)
		requireProblem(t, b.do(t, req{method: http.MethodDelete, path: "/api/v1/services"}), http.StatusMethodNotAllowed)
		requireProblem(t, b.do(t, req{path: "/assets/missing-123.js"}), http.StatusNotFound)
	})

	t.Run("deep links get the PWA", func(t *testing.T) {
		r := b.do(t, req{path: "/services/hund-anmelden"})
		require.Equal(t, http.StatusOK, r.status)
		require.Contains(t, string(r.body), "<title>Schalter</title>")
		require.Equal(t, "no-cache", r.header.Get("Cache-Control"))
		a := b.do(t, req{path: "/assets/app-abc123.js"})
		require.Contains(t, a.header.Get("Cache-Control"), "immutable")
		a2 := b.do(t, req{path: "/assets/app-abc123.js", header: map[string]string{"If-None-Match": a.header.Get("ETag")}})
		require.Equal(t, http.StatusNotModified, a2.status)
	})

	t.Run("the widget loads from any origin", func(t *testing.T) {
		r := b.do(t, req{path: "/widget/schalter-search.js", header: map[string]string{"Origin": "https://www.uster.ch"}})
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, "*", r.header.Get("Access-Control-Allow-Origin"))
		require.Equal(t, "public, max-age=3600", r.header.Get("Cache-Control"))
		require.Contains(t, r.header.Get("Content-Type"), "javascript")
	})

	t.Run("manifest carries the city", func(t *testing.T) {
		m := b.do(t, req{path: "/manifest.webmanifest"}).json(t)
		require.Equal(t, "Schalter Uster", m["name"])
		require.Equal(t, "#00508c", m["theme_color"])
	})

	t.Run("headers", func(t *testing.T) {
		r := b.do(t, req{path: "/api/v1/services?limit=1"})
		require.NotEmpty(t, r.header.Get("X-Request-Id"))
		csp := r.header.Get("Content-Security-Policy")
		require.Contains(t, csp, "script-src 'self'")
		require.NotContains(t, strings.Split(strings.Split(csp, "script-src")[1], ";")[0], "unsafe-inline")
		require.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
		require.NotEmpty(t, r.header.Get("Referrer-Policy"))
		require.NotEmpty(t, r.header.Get("Permissions-Policy"))
		require.Empty(t, r.header.Get("Strict-Transport-Security"), "no HSTS over plain HTTP")
		id := b.do(t, req{path: "/healthz", header: map[string]string{"X-Request-Id": "proxy-id-12345678"}})
		require.Equal(t, "proxy-id-12345678", id.header.Get("X-Request-Id"))
	})

	t.Run("compression", func(t *testing.T) {
		hr, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/api/v1/services?limit=50", nil)
		hr.Header.Set("Accept-Encoding", "gzip")
		res, err := http.DefaultTransport.RoundTrip(hr)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
	})

	t.Run("CORS for configured origins only", func(t *testing.T) {
		ok := b.do(t, req{path: "/api/v1/services?limit=1", header: map[string]string{"Origin": "https://www.uster.ch"}})
		require.Equal(t, "https://www.uster.ch", ok.header.Get("Access-Control-Allow-Origin"))
		no := b.do(t, req{path: "/api/v1/services?limit=1", header: map[string]string{"Origin": "https://evil.example"}})
		require.Empty(t, no.header.Get("Access-Control-Allow-Origin"))
		pre := b.do(t, req{method: http.MethodOptions, path: "/api/v1/admin/services", header: map[string]string{
			"Origin": "https://www.uster.ch", "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "if-match"}})
		require.Contains(t, pre.header.Get("Access-Control-Allow-Methods"), "PATCH")
	})

	t.Run("health, readiness, metrics", func(t *testing.T) {
		require.Equal(t, http.StatusOK, b.do(t, req{path: "/healthz"}).status)
		require.Equal(t, http.StatusOK, b.do(t, req{path: "/readyz"}).status)
		b.do(t, req{path: "/api/v1/services/heimatschein"})
		// Metrics have a listener of their own (SCHALTER_METRICS_ADDR), not
		// the public port.
		requireProblem(t, b.do(t, req{path: "/metrics"}), http.StatusNotFound)
		rec := httptest.NewRecorder()
		b.app.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		require.Equal(t, http.StatusOK, rec.Code)
		m := rec.Body.String()
		require.Contains(t, m, `schalter_http_requests_total{code="200",method="GET",operation="getService"}`)
		require.Contains(t, m, `schalter_http_request_duration_seconds_bucket{method="GET",operation="getService"`)
	})

	t.Run("OpenAPI served", func(t *testing.T) {
		m := b.do(t, req{path: "/api/v1/openapi.json"}).json(t)
		require.Equal(t, "3.1.0", m["openapi"])
	})

	t.Run("413 and 415", func(t *testing.T) {
		big := `{"services":[` + strings.Repeat(" ", 17<<20) + `]}`
		requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: big, header: admin(nil)}), http.StatusRequestEntityTooLarge)
		requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: `{"slug":"` + strings.Repeat("a", 2<<20) + `"}`, header: admin(nil)}), http.StatusRequestEntityTooLarge)
		requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: "slug=x", header: admin(map[string]string{"Content-Type": "application/x-www-form-urlencoded"})}), http.StatusUnsupportedMediaType)
		requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: "x", header: admin(map[string]string{"Content-Type": "application/xml"})}), http.StatusUnsupportedMediaType)
	})
}

// TestInternalErrorsDoNotLeak breaks the database under a running server:
// the client must get a generic problem with the request id, and the cause
// must be in the log under that id.
func TestInternalErrorsDoNotLeak(t *testing.T) {
	t.Parallel()
	// Closed before the server starts, so no catalogue snapshot can have
	// been loaded in the background: every read must reach the database.
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	st.Close()
	b := serverOn(t, st, false)
	for _, path := range []string{"/api/v1/services", "/api/v1/services/heimatschein", "/api/v1/offices", "/api/v1/categories", "/api/v1/catalogue"} {
		r := b.do(t, req{path: path})
		p := requireProblem(t, r, http.StatusInternalServerError)
		body := strings.ToLower(string(r.body))
		for _, leak := range []string{"pool", "closed", "pgx", "sql", "postgres", "connection"} {
			require.NotContains(t, body, leak, "leaked %q in %s", leak, r.body)
		}
		rid := r.header.Get("X-Request-Id")
		require.Contains(t, p["detail"], rid)
		require.Contains(t, b.logs.String(), "request_id="+rid)
	}
	r := b.do(t, req{path: "/readyz"})
	requireProblem(t, r, http.StatusServiceUnavailable)
	require.Equal(t, "5", r.header.Get("Retry-After"))
}
