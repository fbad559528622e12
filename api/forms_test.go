package api_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestForms: an editor adds a version of a service's form, tries it with
// sample data and publishes it; residents then read it, with an ETag
// that names the version. A draft is never public, and a definition that
// breaks the rules is a 422 naming the field.
func TestForms(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	const svc = "hund-abmelden"
	def, err := os.ReadFile("../internal/forms/testdata/extract.json")
	require.NoError(t, err)
	formPath := "/api/v1/admin/services/" + svc + "/forms"

	requireProblem(t, b.do(t, req{path: "/api/v1/services/" + svc + "/form"}), http.StatusNotFound)
	onlineForm := func() any { return b.do(t, req{path: "/api/v1/services/" + svc}).json(t)["online_form"] }
	require.Equal(t, false, onlineForm(), "no form, nothing to order online")
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: formPath, body: string(def)}), http.StatusUnauthorized)
	broken := []byte(string(def[:len(def)-2]) + `,"extra":1}`)
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: formPath, body: string(broken), header: admin(nil)}), http.StatusUnprocessableEntity)
	noComment := mustJSON(t, map[string]any{"schema": map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{"x": map[string]any{"type": "string"}}},
		"ui": map[string]any{"sections": []any{map[string]any{"id": "a", "title": map[string]string{"de": "A", "fr": "A", "it": "A", "en": "A"},
			"fields": []any{map[string]any{"name": "x", "label": map[string]string{"de": "X", "fr": "X", "it": "X", "en": "X"}}}}}}})
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: formPath, body: noComment, header: admin(nil)}), http.StatusUnprocessableEntity, "body.schema.properties")

	created := b.do(t, req{method: http.MethodPost, path: formPath, body: string(def), header: admin(nil)})
	require.Equal(t, http.StatusCreated, created.status, string(created.body))
	require.Equal(t, formPath+"/1", created.header.Get("Location"))
	require.Equal(t, "draft", created.json(t)["state"])
	requireProblem(t, b.do(t, req{path: "/api/v1/services/" + svc + "/form"}), http.StatusNotFound)

	sample := `{"data":{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-04-01","purpose":"other","delivery":"account"}}`
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: formPath + "/1/preview", body: sample, header: admin(nil)}), http.StatusUnprocessableEntity, "body.data.purpose_other")
	ok := b.do(t, req{method: http.MethodPost, path: formPath + "/1/preview", body: `{"data":{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-04-01","purpose":"job","delivery":"account"}}`, header: admin(nil)})
	require.Equal(t, http.StatusOK, ok.status, string(ok.body))

	require.Equal(t, false, onlineForm(), "a draft form is not offered")
	pub := b.do(t, req{method: http.MethodPost, path: formPath + "/1/publish", header: admin(nil)})
	require.Equal(t, http.StatusOK, pub.status, string(pub.body))
	require.Equal(t, true, onlineForm(), "published: the service page offers the form")
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: formPath + "/1/publish", header: admin(nil)}), http.StatusPreconditionFailed)

	form := b.do(t, req{path: "/api/v1/services/" + svc + "/form"})
	require.Equal(t, http.StatusOK, form.status, string(form.body))
	require.EqualValues(t, 1, form.json(t)["version"])
	etag := form.header.Get("ETag")
	require.NotEmpty(t, etag)
	again := b.do(t, req{path: "/api/v1/services/" + svc + "/form", header: map[string]string{"If-None-Match": etag}})
	require.Equal(t, http.StatusNotModified, again.status)

	// Version 2 is added: until it is published, ?version=2 is not public;
	// afterwards version 1 (archived) is still there for drafts started on it.
	second := b.do(t, req{method: http.MethodPost, path: formPath, body: string(def), header: admin(nil)})
	require.Equal(t, http.StatusCreated, second.status, string(second.body))
	requireProblem(t, b.do(t, req{path: "/api/v1/services/" + svc + "/form?version=2"}), http.StatusNotFound)
	require.Equal(t, http.StatusOK, b.do(t, req{method: http.MethodPost, path: formPath + "/2/publish", header: admin(nil)}).status)
	for _, c := range []struct {
		query   string
		version float64
	}{{"", 2}, {"?version=1", 1}, {"?version=2", 2}} {
		got := b.do(t, req{path: "/api/v1/services/" + svc + "/form" + c.query})
		require.Equal(t, http.StatusOK, got.status, c.query)
		require.EqualValues(t, c.version, got.json(t)["version"], c.query)
	}
	requireProblem(t, b.do(t, req{path: "/api/v1/services/" + svc + "/form?version=3"}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{path: "/api/v1/services/" + svc + "/form?version=-1"}), http.StatusUnprocessableEntity, "query.version")

	list := b.do(t, req{path: formPath, header: admin(nil)})
	require.Equal(t, http.StatusOK, list.status)
	require.Len(t, list.json(t)["items"], 2)
	requireProblem(t, b.do(t, req{path: formPath + "/7", header: admin(nil)}), http.StatusNotFound)
	requireProblem(t, b.do(t, req{path: "/api/v1/admin/services/gibt-es-nicht/forms/1", header: admin(nil)}), http.StatusNotFound)
}
