package idempotency_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/idempotency"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

type request struct {
	method, path, query, contentType, body string
}

func (r request) fingerprint() []byte {
	return idempotency.Fingerprint(r.method, r.path, r.query, r.contentType, []byte(r.body))
}

var create = request{http.MethodPost, "/api/v1/admin/services", "", "application/json", `{"slug":"x"}`}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	base := create.fingerprint()
	require.Len(t, base, 32, "SHA-256")
	require.Equal(t, base, create.fingerprint(), "stable")
	// Golden: a retry that straddles a deploy must still match its key.
	require.Equal(t, "edf50e763cb80f0465851ec3568ae77053f2c31c2faebe3c4a127bb5c8a80e16", hex.EncodeToString(base))
	for _, tc := range []struct {
		name string
		req  request
	}{
		{"method", request{http.MethodPut, create.path, create.query, create.contentType, create.body}},
		{"path", request{create.method, "/api/v1/admin/services/x", create.query, create.contentType, create.body}},
		{"query", request{create.method, create.path, "dry_run=true", create.contentType, create.body}},
		{"content type", request{create.method, create.path, create.query, "text/csv", create.body}},
		{"body", request{create.method, create.path, create.query, create.contentType, `{"slug":"y"}`}},
		{"no body", request{create.method, create.path, create.query, create.contentType, ""}},
		// The same bytes split differently between the parts.
		{"path into query", request{create.method, "/api/v1/admin/service", "s", create.contentType, create.body}},
		{"content type into body", request{create.method, create.path, create.query, "application/jso", "n" + create.body}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NotEqual(t, base, tc.req.fingerprint())
		})
	}
}

func TestScope(t *testing.T) {
	t.Parallel()
	anna := idempotency.Scope("", "session-anna", "")
	require.Equal(t, anna, idempotency.Scope("", "session-anna", ""), "stable")
	require.Regexp(t, `^auth:[0-9a-f]{32}$`, anna)
	for _, tc := range []struct {
		name                   string
		authorization, session string
		guest                  string
	}{
		{"another resident", "", "session-bruno", ""},
		{"anonymous", "", "", ""},
		{"the same resident with a token", "Bearer sch_x", "session-anna", ""},
		{"the same resident with a guest cookie", "", "session-anna", "0123"},
		{"the session value as a token", "session-anna", "", ""},
		{"the session value as a guest", "", "", "session-anna"},
		{"split differently", "", "session-ann", "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NotEqual(t, anna, idempotency.Scope(tc.authorization, tc.session, tc.guest))
		})
	}
}

func TestFinal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		final  bool
	}{
		{0, false}, {200, true}, {201, true}, {204, true}, {304, true}, {400, true}, {404, true}, {409, true},
		{412, true}, {422, true}, {429, false}, {499, true}, {500, false}, {502, false}, {503, false},
	} {
		require.Equal(t, tc.final, idempotency.Final(tc.status), "status %d", tc.status)
	}
}

type testBundle struct {
	st  *store.Store
	svc *idempotency.Service
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	st := pgtest.Store(t, pgtest.Options{})
	return &testBundle{st: st, svc: idempotency.New(st)}
}

// answer is a handler's response, with headers a replay must and must not
// repeat.
func answer() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Location", "/api/v1/admin/services/x")
	h.Set("ETag", `"1"`)
	h.Set("Set-Cookie", "schalter_session=secret")
	h.Set("X-Request-Id", "abc")
	return h
}

// TestClaimReplayConflictRelease walks one key through its life: claimed,
// busy, answered, replayed, refused for another request; and shows that a
// non-final answer or a release lets a retry run again.
func TestClaimReplayConflictRelease(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	scope, other := idempotency.Scope("", "session-anna", ""), idempotency.Scope("", "session-bruno", "")
	fp := create.fingerprint()

	prev, err := b.svc.Claim(ctx, scope, "k1", fp)
	require.NoError(t, err)
	require.Nil(t, prev, "a new key runs")

	for _, tc := range []struct {
		name  string
		scope string
		fp    []byte
		code  apperr.Code
		field string
	}{
		{name: "a retry while running", scope: scope, fp: fp, code: apperr.Conflict},
		{name: "another request with the key", scope: scope, fp: request{body: "{}"}.fingerprint(), code: apperr.Invalid, field: "header.Idempotency-Key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.svc.Claim(ctx, tc.scope, "k1", tc.fp)
			e, ok := apperr.As(err)
			require.True(t, ok, "%v", err)
			require.Equal(t, tc.code, e.Code)
			if tc.field != "" {
				require.Equal(t, tc.field, e.Fields[0].Path)
			}
		})
	}
	prev, err = b.svc.Claim(ctx, other, "k1", fp)
	require.NoError(t, err)
	require.Nil(t, prev, "another caller's identical key is another key")

	require.NoError(t, b.svc.Finish(ctx, scope, "k1", http.StatusCreated, answer(), []byte(`{"slug":"x"}`)))
	prev, err = b.svc.Claim(ctx, scope, "k1", fp)
	require.NoError(t, err)
	require.Equal(t, &idempotency.Response{Status: http.StatusCreated, ContentType: "application/json",
		Headers: map[string]string{"Location": "/api/v1/admin/services/x", "ETag": `"1"`}, Body: []byte(`{"slug":"x"}`)}, prev,
		"replayed without cookies or per-response headers")
	_, err = b.svc.Claim(ctx, scope, "k1", request{body: "{}"}.fingerprint())
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err), "an answered key still refuses another request")
	prev, err = b.svc.Claim(ctx, other, "k1", fp)
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "the other caller's claim is still its own, running: %v", prev)

	for _, tc := range []struct {
		name   string
		finish func(key string) error
		runs   bool // a retry runs again
	}{
		{name: "server error", finish: func(k string) error { return b.svc.Finish(ctx, scope, k, 503, answer(), nil) }, runs: true},
		{name: "rate limited", finish: func(k string) error { return b.svc.Finish(ctx, scope, k, 429, answer(), nil) }, runs: true},
		{name: "nothing written", finish: func(k string) error { return b.svc.Finish(ctx, scope, k, 0, http.Header{}, nil) }, runs: true},
		{name: "released", finish: func(k string) error { return b.svc.Release(ctx, scope, k) }, runs: true},
		{name: "refused", finish: func(k string) error { return b.svc.Finish(ctx, scope, k, 422, answer(), []byte(`{}`)) }},
		{name: "no content", finish: func(k string) error { return b.svc.Finish(ctx, scope, k, 204, http.Header{}, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "k-" + tc.name
			prev, err := b.svc.Claim(ctx, scope, key, fp)
			require.NoError(t, err)
			require.Nil(t, prev)
			require.NoError(t, tc.finish(key))
			prev, err = b.svc.Claim(ctx, scope, key, fp)
			require.NoError(t, err)
			require.Equal(t, tc.runs, prev == nil, "%+v", prev)
		})
	}
}

// answered claims key in scope, answers it and backdates the claim by
// age (a PostgreSQL interval).
func (b *testBundle) answered(t *testing.T, scope, key, age string) {
	t.Helper()
	ctx := context.Background()
	_, err := b.svc.Claim(ctx, scope, key, create.fingerprint())
	require.NoError(t, err)
	require.NoError(t, b.svc.Finish(ctx, scope, key, http.StatusOK, http.Header{}, nil))
	_, err = b.st.Pool().Exec(ctx, "UPDATE idempotency_key SET created_at = now() - $1::interval WHERE key = $2", age, key)
	require.NoError(t, err)
}

// replays reports whether key in scope still replays its answer.
func (b *testBundle) replays(t *testing.T, scope, key string) bool {
	t.Helper()
	prev, err := b.svc.Claim(context.Background(), scope, key, create.fingerprint())
	require.NoError(t, err)
	return prev != nil
}

// TestExpire: keys older than MaxAge go, younger ones stay, whether the
// service is called or the periodic job runs as the queue runs it.
func TestExpire(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		expire func(t *testing.T, b *testBundle)
	}{
		{"service", func(t *testing.T, b *testBundle) {
			n, err := b.svc.Expire(context.Background())
			require.NoError(t, err)
			require.EqualValues(t, 1, n)
		}},
		{"periodic job", func(t *testing.T, b *testBundle) {
			pgtest.Chore(t, b.st, idempotency.ExpireArgs{}, b.svc.Expire)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			scope := idempotency.Scope("Bearer x", "", "")
			b.answered(t, scope, "old", "25 hours")
			b.answered(t, scope, "young", "23 hours")
			tc.expire(t, b)
			require.False(t, b.replays(t, scope, "old"), "an expired key runs again")
			require.True(t, b.replays(t, scope, "young"), "a young key still replays")
		})
	}
}
