package api_test

import (
	"maps"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIdempotencyScopeCookies: residents and guests send no Authorization
// header, only their cookie. Two of them sending the same key with the
// same request each get their own answer, never the other's, and each
// one's retry is replayed from their own.
func TestIdempotencyScopeCookies(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	profile := mustJSON(t, map[string]any{"given_name": "Gleich", "postal_code": "8610"})
	for _, tc := range []struct {
		name string
		// callers returns the credentials (request headers) of two people.
		callers func(t *testing.T) (first, second map[string]string)
		write   req
		// saved reads back what the write did for the caller.
		saved func(t *testing.T, who map[string]string) bool
	}{
		{
			name: "residents' sessions",
			callers: func(t *testing.T) (map[string]string, map[string]string) {
				return loginAs(t, b, "scope-anna@example.ch"), loginAs(t, b, "scope-bruno@example.ch")
			},
			write: req{method: http.MethodPut, path: "/api/v1/me/profile", body: profile},
			saved: func(t *testing.T, who map[string]string) bool {
				r := b.do(t, req{path: "/api/v1/me/profile", header: who})
				require.Equal(t, http.StatusOK, r.status, string(r.body))
				return r.json(t)["given_name"] == "Gleich"
			},
		},
		{
			name: "guests' cookies",
			callers: func(*testing.T) (map[string]string, map[string]string) {
				return map[string]string{"Cookie": "schalter_guest=0123456789abcdef0123456789abcdef"},
					map[string]string{"Cookie": "schalter_guest=fedcba9876543210fedcba9876543210"}
			},
			write: req{method: http.MethodPut, path: "/api/v1/favourites/hund-anmelden"},
			saved: func(t *testing.T, who map[string]string) bool {
				r := b.do(t, req{path: "/api/v1/favourites", header: who})
				require.Equal(t, http.StatusOK, r.status, string(r.body))
				return len(r.json(t)["items"].([]any)) == 1
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			first, second := tc.callers(t)
			send := func(who map[string]string) resp {
				r := tc.write
				r.header = maps.Clone(who)
				r.header["Idempotency-Key"] = "same-key-for-everyone"
				return b.do(t, r)
			}
			for _, who := range []map[string]string{first, second} {
				r := send(who)
				require.Less(t, r.status, 300, string(r.body))
				require.Empty(t, r.header.Get("Idempotent-Replayed"), "someone else's answer was replayed")
				require.True(t, tc.saved(t, who), "the write did not run for this caller")
			}
			again := send(first)
			require.Equal(t, "true", again.header.Get("Idempotent-Replayed"), "a caller's own retry is replayed")
		})
	}
}
