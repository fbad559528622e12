package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	body := mustJSON(t, newService("idempotenter-dienst"))
	key := map[string]string{"Idempotency-Key": "3b9f6c1e-create-1"}

	first := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: body, header: admin(key)})
	require.Equal(t, http.StatusCreated, first.status, string(first.body))
	require.Empty(t, first.header.Get("Idempotent-Replayed"))

	// The client timed out and retries: same answer, nothing written twice.
	again := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: body, header: admin(key)})
	require.Equal(t, http.StatusCreated, again.status, string(again.body))
	require.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	require.JSONEq(t, string(first.body), string(again.body))
	require.Equal(t, first.header.Get("Location"), again.header.Get("Location"))
	require.Equal(t, first.header.Get("ETag"), again.header.Get("ETag"))
	revs := b.do(t, req{path: "/api/v1/admin/services/idempotenter-dienst/revisions", header: admin(nil)}).json(t)["items"].([]any)
	require.Len(t, revs, 1)

	// Without the key, the same request is a new write: 409.
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: body, header: admin(nil)}), http.StatusConflict)

	// The same key for another request is refused.
	other := mustJSON(t, newService("anderer-dienst"))
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: other, header: admin(key)}),
		http.StatusUnprocessableEntity, "header.Idempotency-Key")

	// Another caller's identical key is another key.
	requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: body,
		header: map[string]string{"Authorization": "Bearer someone-else", "Idempotency-Key": key["Idempotency-Key"]}}), http.StatusUnauthorized)

	// Malformed keys.
	for _, bad := range []string{"mit leerzeichen", strings.Repeat("k", 256)} {
		requireProblem(t, b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: body,
			header: admin(map[string]string{"Idempotency-Key": bad})}), http.StatusUnprocessableEntity, "header.Idempotency-Key")
	}

	// A rejected request is a final answer too, and is replayed as such.
	invalid := `{"slug": "x"}`
	k2 := admin(map[string]string{"Idempotency-Key": "invalid-once"})
	r1 := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: invalid, header: k2})
	r2 := b.do(t, req{method: http.MethodPost, path: "/api/v1/admin/services", body: invalid, header: k2})
	require.Equal(t, http.StatusUnprocessableEntity, r1.status)
	require.Equal(t, r1.status, r2.status)
	require.Equal(t, "true", r2.header.Get("Idempotent-Replayed"))

	// Reads ignore the header.
	g := b.do(t, req{path: "/api/v1/services/heimatschein", header: map[string]string{"Idempotency-Key": "x"}})
	require.Equal(t, http.StatusOK, g.status)
	require.Empty(t, g.header.Get("Idempotent-Replayed"))
}
