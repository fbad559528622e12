package api_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// newService returns a valid service document as a map, for tests to edit.
func newService(slug string) map[string]any {
	loc := func(de string) map[string]any { return map[string]any{"de": de} }
	return map[string]any{
		"slug": slug, "state": "draft", "office": "einwohnerdienste",
		"categories": []any{"wohnen-umzug"}, "life_situations": []any{"umziehen"}, "audiences": []any{"residents"},
		"mode": "hybrid", "channels": []any{"online", "counter"}, "assurance": "account", "popularity": 40,
		"last_reviewed": "2026-10-01",
		"title":         map[string]any{"de": "Testdienst " + slug, "fr": "Service test", "it": "Servizio test", "en": "Test service"},
		"summary":       loc("Eine kurze Zusammenfassung."),
		"description":   loc("Ein **Beschreibungstext**.\n\n<script>alert(1)</script>\n\n[Link](javascript:alert(1)) und [gut](https://www.uster.ch)"),
		"fees":          []any{map[string]any{"amount_rappen": 2000, "label": loc("Gebühr")}},
		"processing_times": []any{
			map[string]any{"channel": "online", "days_min": 1, "days_max": 3},
			map[string]any{"channel": "counter", "days_min": 0, "days_max": 0},
		},
		"requirements": []any{loc("Identitätskarte")},
		"privacy":      map[string]any{"data": loc("Name"), "purpose": loc("Bearbeitung"), "retention": loc("2 Jahre"), "recipients": loc("Niemand")},
		"contacts":     []any{map[string]any{"kind": "phone", "value": "+41 44 944 71 11"}},
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestAdminAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	ops := []req{
		{method: http.MethodGet, path: "/api/v1/admin/services"},
		{method: http.MethodGet, path: "/api/v1/admin/services/x"},
		{method: http.MethodPost, path: "/api/v1/admin/services", body: "{}"},
		{method: http.MethodPatch, path: "/api/v1/admin/services/x", body: "{}"},
		{method: http.MethodPost, path: "/api/v1/admin/services/x/publish"},
		{method: http.MethodPost, path: "/api/v1/admin/services/x/archive"},
		{method: http.MethodGet, path: "/api/v1/admin/services/x/revisions"},
		{method: http.MethodPost, path: "/api/v1/admin/import", body: "{}"},
		{method: http.MethodGet, path: "/api/v1/admin/export"},
	}
	for _, op := range ops {
		for name, h := range map[string]map[string]string{
			"no token":    nil,
			"wrong token": {"Authorization": "Bearer " + strings.Repeat("x", len(adminToken))},
			"prefix":      {"Authorization": "Bearer " + adminToken[:10]},
			"basic":       {"Authorization": "Basic " + adminToken},
		} {
			t.Run(op.method+" "+op.path+" "+name, func(t *testing.T) {
				op.header = h
				r := b.do(t, op)
				requireProblem(t, r, http.StatusUnauthorized)
				require.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
			})
		}
	}
	require.NotContains(t, b.logs.String(), adminToken, "the token is never logged")
}

func TestAdminLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	svc := newService("testdienst-lebenszyklus")

	created := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: mustJSON(t, svc), header: admin(nil)})
	require.Equal(t, http.StatusCreated, created.status, string(created.body))
	require.Equal(t, `"v1"`, created.header.Get("ETag"))
	require.Equal(t, "/api/v1/admin/services/testdienst-lebenszyklus", created.header.Get("Location"))

	// A draft is invisible to residents.
	requireProblem(t, b.do(t, req{path: "/api/v1/services/testdienst-lebenszyklus"}), http.StatusNotFound)

	dup := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: mustJSON(t, svc), header: admin(nil)})
	requireProblem(t, dup, http.StatusConflict)

	pub := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services/testdienst-lebenszyklus/publish", header: admin(nil)})
	require.Equal(t, http.StatusOK, pub.status, string(pub.body))
	require.Equal(t, `"v2"`, pub.header.Get("ETag"))
	again := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services/testdienst-lebenszyklus/publish", header: admin(nil)})
	require.Equal(t, `"v2"`, again.header.Get("ETag"), "publishing twice changes nothing")

	public := b.do(t, req{path: "/api/v1/services/testdienst-lebenszyklus"})
	require.Equal(t, http.StatusOK, public.status)
	html := public.json(t)["description_html"].(string)
	require.Contains(t, html, "<strong>Beschreibungstext</strong>")
	require.NotContains(t, html, "<script")
	require.NotContains(t, html, "javascript:")
	require.Contains(t, html, `href="https://www.uster.ch"`)

	// PATCH needs If-Match, refuses a stale one, accepts the current one.
	patch := func(ifMatch, body string) resp {
		h := map[string]string{"Content-Type": "application/merge-patch+json"}
		if ifMatch != "" {
			h["If-Match"] = ifMatch
		}
		return b.do(t, req{method: http.MethodPatch, path: "/api/v1/admin/services/testdienst-lebenszyklus", body: body, header: admin(h)})
	}
	requireProblem(t, patch("", `{"popularity": 50}`), http.StatusPreconditionRequired)
	requireProblem(t, patch(`"v1"`, `{"popularity": 50}`), http.StatusPreconditionFailed)
	requireProblem(t, patch(`"bogus"`, `{"popularity": 50}`), http.StatusPreconditionFailed)
	ok := patch(`"v2"`, `{"popularity": 50, "title": {"de": "Neuer Titel"}, "online_start_url": null}`)
	require.Equal(t, http.StatusOK, ok.status, string(ok.body))
	require.Equal(t, `"v3"`, ok.header.Get("ETag"))
	doc := ok.json(t)
	require.EqualValues(t, 50, doc["popularity"])
	require.Equal(t, map[string]any{"de": "Neuer Titel", "fr": "Service test", "it": "Servizio test", "en": "Test service"}, doc["title"],
		"a merge patch replaces the keys it names and keeps the others")

	bad := []struct {
		name, body string
		locations  []string
	}{
		{"wrong type", `{"popularity": "viel"}`, []string{"body.popularity"}},
		{"out of range", `{"popularity": 101}`, []string{"body.popularity"}},
		{"sharp s", `{"summary": {"de": "Strasse mit ß"}}`, []string{"body.summary.de"}},
		{"unknown office", `{"office": "gibt-es-nicht"}`, []string{"body.office"}},
		{"unknown topic", `{"categories": ["gibt-es-nicht"]}`, []string{"body.categories[0]"}},
		{"channel without time", `{"channels": ["online", "counter", "post"]}`, []string{"body.processing_times"}},
		{"slug change", `{"slug": "anderer-slug"}`, []string{"body.slug"}},
		{"remove required", `{"title": null}`, []string{"body.title"}},
		{"self reference", `{"related": ["testdienst-lebenszyklus"]}`, []string{"body.related[0]"}},
	}
	for _, c := range bad {
		t.Run("422 "+c.name, func(t *testing.T) {
			requireProblem(t, patch(`"v3"`, c.body), http.StatusUnprocessableEntity, c.locations...)
		})
	}
	cur := b.do(t, req{path: "/api/v1/admin/services/testdienst-lebenszyklus", header: admin(nil)})
	require.Equal(t, `"v3"`, cur.header.Get("ETag"), "rejected patches change nothing")

	arch := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services/testdienst-lebenszyklus/archive", header: admin(map[string]string{"If-Match": `"v3"`})})
	require.Equal(t, http.StatusOK, arch.status, string(arch.body))
	requireProblem(t, b.do(t, req{path: "/api/v1/services/testdienst-lebenszyklus"}), http.StatusNotFound)

	revs := b.do(t, req{path: "/api/v1/admin/services/testdienst-lebenszyklus/revisions", header: admin(nil)}).json(t)["items"].([]any)
	var actions []string
	for _, r := range revs {
		actions = append(actions, r.(map[string]any)["action"].(string))
	}
	require.Equal(t, []string{"archive", "update", "publish", "create"}, actions)

	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services/gibt-es-nicht/publish", header: admin(nil)}), http.StatusNotFound)
}

func TestAdminCreateInvalid(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	cases := []struct {
		name      string
		edit      func(m map[string]any)
		locations []string
	}{
		{"missing title", func(m map[string]any) { delete(m, "title") }, []string{"body.title"}},
		{"bad slug", func(m map[string]any) { m["slug"] = "Nicht Gut" }, []string{"body.slug"}},
		{"negative fee", func(m map[string]any) {
			m["fees"] = []any{map[string]any{"amount_rappen": -5, "label": map[string]any{"de": "x"}}}
		}, []string{"body.fees[0].amount_rappen"}},
		{"unknown field", func(m map[string]any) { m["colour"] = "blue" }, []string{"body.colour"}},
		{"unknown audience", func(m map[string]any) { m["audiences"] = []any{"aliens"} }, []string{"body.audiences[0]"}},
		{"min > max", func(m map[string]any) {
			m["processing_times"] = []any{map[string]any{"channel": "online", "days_min": 5, "days_max": 1}, map[string]any{"channel": "counter", "days_min": 0, "days_max": 0}}
		}, []string{"body.processing_times[0].days_min"}},
		{"unknown related", func(m map[string]any) { m["related"] = []any{"gibt-es-nicht"} }, []string{"body.related[0]"}},
		{"bad date", func(m map[string]any) { m["last_reviewed"] = "gestern" }, []string{"body.last_reviewed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newService("testdienst-ungueltig")
			c.edit(m)
			r := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: mustJSON(t, m), header: admin(nil)})
			requireProblem(t, r, http.StatusUnprocessableEntity, c.locations...)
		})
	}
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: "{not json", header: admin(nil)}), http.StatusBadRequest)
	requireProblem(t, b.do(t, req{path: "/api/v1/admin/services/testdienst-ungueltig", header: admin(nil)}), http.StatusNotFound)
}

func TestAdminImportExport(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	count := func() float64 {
		return b.do(t, req{path: "/api/v1/admin/services", header: admin(nil)}).json(t)["total"].(float64)
	}
	before := count()

	t.Run("one bad row changes nothing and every bad row is reported", func(t *testing.T) {
		good := newService("import-gut")
		bad1 := newService("import-schlecht-eins")
		bad1["popularity"] = "hoch"
		bad2 := newService("import-schlecht-zwei")
		bad2["office"] = "gibt-es-nicht"
		body := mustJSON(t, map[string]any{"services": []any{good, bad1, bad2}})
		r := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: body, header: admin(nil)})
		p := requireProblem(t, r, http.StatusUnprocessableEntity)
		locs := fmt.Sprint(p["errors"])
		require.Contains(t, locs, "line 2: popularity")
		require.Contains(t, locs, "line 3: office")
		require.NotContains(t, locs, "line 1")
		require.Equal(t, before, count())
		requireProblem(t, b.do(t, req{path: "/api/v1/admin/services/import-gut", header: admin(nil)}), http.StatusNotFound)
	})

	t.Run("a good import, then the same again, then a dry run", func(t *testing.T) {
		a, c := newService("import-a"), newService("import-c")
		c["state"] = "published"
		c["related"] = []any{"import-a"} // refers to a service of the same import
		body := mustJSON(t, map[string]any{"services": []any{a, c}})
		r := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: body, header: admin(nil)})
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		require.Equal(t, map[string]any{"dry_run": false, "created": 2.0, "updated": 0.0, "unchanged": 0.0, "forms_published": 0.0}, r.json(t))
		r = b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: body, header: admin(nil)})
		require.Equal(t, map[string]any{"dry_run": false, "created": 0.0, "updated": 0.0, "unchanged": 2.0, "forms_published": 0.0}, r.json(t))
		a["popularity"] = 77
		body = mustJSON(t, map[string]any{"services": []any{a, c}})
		r = b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import?dry_run=true", body: body, header: admin(nil)})
		require.Equal(t, map[string]any{"dry_run": true, "created": 0.0, "updated": 1.0, "unchanged": 1.0, "forms_published": 0.0}, r.json(t))
		doc := b.do(t, req{path: "/api/v1/admin/services/import-a", header: admin(nil)}).json(t)
		require.EqualValues(t, 40, doc["popularity"], "a dry run writes nothing")
		require.Equal(t, before+2, count())
	})

	t.Run("CSV round trip", func(t *testing.T) {
		exp := b.do(t, req{path: "/api/v1/admin/export?format=csv", header: admin(nil)})
		require.Equal(t, http.StatusOK, exp.status)
		require.Contains(t, exp.header.Get("Content-Type"), "text/csv")
		require.Contains(t, exp.header.Get("Content-Disposition"), "attachment")
		csvText := string(exp.body)
		require.True(t, strings.HasPrefix(csvText, "slug,state,office,"))
		same := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: csvText, header: admin(map[string]string{"Content-Type": "text/csv"})})
		require.Equal(t, http.StatusOK, same.status, string(same.body))
		m := same.json(t)
		require.EqualValues(t, 0, m["created"])
		require.EqualValues(t, 0, m["updated"], "exporting and importing unchanged data changes nothing")
		require.Equal(t, count(), m["unchanged"])

		changed := strings.Replace(csvText, "Testdienst import-a", "Testdienst A geändert", 1)
		r := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: changed, header: admin(map[string]string{"Content-Type": "text/csv; charset=utf-8"})})
		require.EqualValues(t, 1, r.json(t)["updated"])

		// Break two rows: an unknown state and a missing one. Rows span
		// several lines (descriptions have paragraphs), so find their
		// first lines with a CSV reader.
		records, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
		require.NoError(t, err)
		records[3][1] = "veroeffentlicht"
		records[5][1] = ""
		var out strings.Builder
		w := csv.NewWriter(&out)
		require.NoError(t, w.WriteAll(records))
		cr := csv.NewReader(strings.NewReader(out.String()))
		var starts []int
		for {
			if _, err := cr.Read(); err != nil {
				break
			}
			line, _ := cr.FieldPos(0)
			starts = append(starts, line)
		}
		r = b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: out.String(), header: admin(map[string]string{"Content-Type": "text/csv"})})
		p := requireProblem(t, r, http.StatusUnprocessableEntity)
		errs := fmt.Sprint(p["errors"])
		require.Contains(t, errs, fmt.Sprintf("line %d: state", starts[3]))
		require.Contains(t, errs, fmt.Sprintf("line %d: state", starts[5]))
		require.Equal(t, 2, strings.Count(errs, "location:"), errs)
	})

	t.Run("JSON export is the import format", func(t *testing.T) {
		exp := b.do(t, req{path: "/api/v1/admin/export?state=published", header: admin(nil)})
		require.Equal(t, http.StatusOK, exp.status)
		r := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: string(exp.body), header: admin(nil)})
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		require.EqualValues(t, 0, r.json(t)["updated"])
	})

	t.Run("bad import bodies", func(t *testing.T) {
		requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: `{"services": []}`, header: admin(nil)}), http.StatusUnprocessableEntity, "body")
		requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: `{"servces": []}`, header: admin(nil)}), http.StatusUnprocessableEntity, "body")
		requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: "slug,farbe\nx,blau\n", header: admin(map[string]string{"Content-Type": "text/csv"})}), http.StatusUnprocessableEntity, "line 1: farbe")
		requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/import", body: "", header: admin(map[string]string{"Content-Type": "text/csv"})}), http.StatusBadRequest)
	})
}
