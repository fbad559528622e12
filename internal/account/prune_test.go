package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

// TestPruneJob: the periodic job, worked as the queue works it, forgets
// the devices of ended sessions and attempts older than a day, and keeps
// a live session's device, a device recorded by a login whose session
// row is not written yet, and a recent attempt (which still throttles).
func TestPruneJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	svc := &account.Service{Store: st, City: "Uster"}
	acc, err := svc.CreateUser(ctx, "prune@uster.ch", "grüne Velos fahren leise")
	require.NoError(t, err)
	_, err = st.Pool().Exec(ctx, "INSERT INTO sessions (token, data, expiry) VALUES ('live', '\\x'::bytea, now() + interval '1 hour')")
	require.NoError(t, err)
	for _, token := range []string{"live", "ended", "logging-in"} {
		require.NoError(t, svc.AddDevice(ctx, token, "device-"+token, acc.ID, "curl/8", "pwd"))
	}
	_, err = st.Pool().Exec(ctx, "UPDATE session_device SET created_at = now() - interval '2 minutes' WHERE token <> 'logging-in'")
	require.NoError(t, err)
	for _, key := range []string{"old", "recent"} {
		_, err := st.Attempt(ctx, []byte(key), 10, time.Hour)
		require.NoError(t, err)
	}
	_, err = st.Pool().Exec(ctx, "UPDATE auth_attempt SET at = now() - interval '25 hours' WHERE key = 'old'")
	require.NoError(t, err)

	pgtest.Chore(t, st, account.PruneArgs{}, svc.Prune)

	var devices []string
	rows, err := st.Pool().Query(ctx, "SELECT token FROM session_device ORDER BY token")
	require.NoError(t, err)
	for rows.Next() {
		var tok string
		require.NoError(t, rows.Scan(&tok))
		devices = append(devices, tok)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"live", "logging-in"}, devices)
	n, err := st.Attempts(ctx, []byte("recent"), time.Hour)
	require.NoError(t, err)
	require.Equal(t, 1, n, "a recent attempt still counts")
	var left int
	require.NoError(t, st.Pool().QueryRow(ctx, "SELECT count(*) FROM auth_attempt").Scan(&left))
	require.Equal(t, 1, left, "the old attempt is gone")
}
