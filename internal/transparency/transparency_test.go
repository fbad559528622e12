package transparency_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/internal/transparency"
)

func entry(subject uuid.UUID, i int) store.AccessEntryNew {
	office := "einwohnerdienste"
	return store.AccessEntryNew{Subject: subject, ActorKind: transparency.ActorStaff, Actor: fmt.Sprintf("eva%d@uster.ch", i),
		Office: &office, Action: transparency.ActionRead, Data: []string{"Name", "Adresse"},
		Purpose: "Umzugsmeldung bearbeiten", LegalBasis: "Niederlassungsgesetz"}
}

// fill appends n entries for two people from several goroutines at once:
// the chain must come out gapless and valid however the inserts interleave.
func fill(t *testing.T, st *store.Store, n int) (uuid.UUID, uuid.UUID) {
	a, b := uuid.New(), uuid.New()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			subject := a
			if i%2 == 1 {
				subject = b
			}
			_, err := st.AppendAccess(context.Background(), entry(subject, i))
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	return a, b
}

func TestChain(t *testing.T) {
	t.Parallel()
	st := pgtest.Store(t, pgtest.Options{})
	ctx := context.Background()

	r, err := transparency.Verify(ctx, st)
	require.NoError(t, err)
	require.Equal(t, transparency.Report{OK: true}, r, "an empty log is valid")

	a, _ := fill(t, st, 40)
	r, err = transparency.Verify(ctx, st)
	require.NoError(t, err)
	require.True(t, r.OK, "%+v", r)
	require.EqualValues(t, 40, r.Entries)
	require.Len(t, r.Head, 64)

	mine, err := st.AccessLog(ctx, a, 0, 100)
	require.NoError(t, err)
	require.Len(t, mine, 20)
	for _, e := range mine {
		require.True(t, transparency.Sealed(e), "entry %d", e.Seq)
		require.Equal(t, a, e.Subject)
	}
	page, err := st.AccessLog(ctx, a, mine[9].Seq, 100)
	require.NoError(t, err)
	require.Equal(t, mine[10:], page, "paging by seq")
}

// TestAppendOnly: the owner is stopped by triggers, the application's
// role by missing privileges.
func TestAppendOnly(t *testing.T) {
	t.Parallel()
	pool := pgtest.DB(t, pgtest.Options{})
	st := store.New(pool)
	ctx := context.Background()
	fill(t, st, 3)

	for _, sql := range []string{
		"UPDATE transparency_log SET purpose = 'nichts' WHERE seq = 2",
		"DELETE FROM transparency_log WHERE seq = 3",
		"TRUNCATE transparency_log",
	} {
		_, err := pool.Exec(ctx, sql)
		requireCode(t, err, "42501", sql)
	}

	// The application's role: SELECT and INSERT work, nothing else.
	var b [4]byte
	_, _ = rand.Read(b[:])
	role := "app_" + hex.EncodeToString(b[:])
	_, err := pool.Exec(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD 'app-secret-pw'")
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP OWNED BY "+role)
		_, _ = pool.Exec(context.Background(), "DROP ROLE "+role)
	})
	require.NoError(t, st.GrantAppRole(ctx, role))
	cfg := pool.Config().ConnConfig
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s:app-secret-pw@%s:%d/%s?sslmode=disable", role, cfg.Host, cfg.Port, cfg.Database))
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM transparency_log").Scan(&n))
	require.Equal(t, 3, n)
	_, err = conn.Exec(ctx, `INSERT INTO transparency_log (seq, subject, actor_kind, actor, action, data, purpose, legal_basis, prev_hash, hash)
		VALUES (0, gen_random_uuid(), 'system', 'test', 'read', '{E-Mail}', 'Test', 'Test', '\x', '\x')`)
	require.NoError(t, err, "the application may append")
	_, err = conn.Exec(ctx, "UPDATE account SET updated_at = now() WHERE false")
	require.NoError(t, err, "other tables stay writable")
	for _, sql := range []string{
		"UPDATE transparency_log SET purpose = 'nichts' WHERE seq = 2",
		"DELETE FROM transparency_log WHERE seq = 3",
		"TRUNCATE transparency_log",
		"ALTER TABLE transparency_log DISABLE TRIGGER transparency_no_change",
	} {
		_, err := conn.Exec(ctx, sql)
		requireCode(t, err, "42501", sql)
	}
	r, err := transparency.Verify(ctx, st)
	require.NoError(t, err)
	require.True(t, r.OK)
	require.EqualValues(t, 4, r.Entries)
}

// TestTamperingIsFound changes the log the way only a database superuser
// could (triggers off) and checks that Verify names the entry.
func TestTamperingIsFound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, sql string
		at        int64
		reason    string
	}{
		{"content changed", "UPDATE transparency_log SET purpose = 'harmlos' WHERE seq = 4", 4, "content changed"},
		{"actor changed", "UPDATE transparency_log SET actor = 'niemand' WHERE seq = 1", 1, "content changed"},
		{"data list changed", "UPDATE transparency_log SET data = '{Name}' WHERE seq = 6", 6, "content changed"},
		{"time changed", "UPDATE transparency_log SET occurred_at = occurred_at - interval '1 day' WHERE seq = 2", 2, "content changed"},
		{"entry removed", "DELETE FROM transparency_log WHERE seq = 5", 5, "entry missing"},
		{"entry rehashed", "UPDATE transparency_log SET purpose = 'harmlos' WHERE seq = 3; UPDATE transparency_log SET hash = sha256(prev_hash || convert_to(transparency_canonical(transparency_log), 'UTF8')) WHERE seq = 3", 4, "does not follow the previous entry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pool := pgtest.DB(t, pgtest.Options{})
			st := store.New(pool)
			ctx := context.Background()
			fill(t, st, 8)
			tx, err := pool.Begin(ctx)
			require.NoError(t, err)
			_, err = tx.Exec(ctx, "SET LOCAL session_replication_role = replica")
			require.NoError(t, err)
			_, err = tx.Exec(ctx, tc.sql)
			require.NoError(t, err)
			require.NoError(t, tx.Commit(ctx))
			r, err := transparency.Verify(ctx, st)
			require.NoError(t, err)
			require.False(t, r.OK)
			require.Equal(t, tc.at, r.BrokenAt)
			require.Equal(t, tc.reason, r.Reason)
		})
	}
}

func requireCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "%s: want SQLSTATE %s, got %v", msg, code, err)
	require.Equal(t, code, pgErr.Code, msg)
}

// TestRetention: entries past the retention are removed by the owner's
// prune, the chain of the rest still verifies from the anchor, removing
// more is still found, and the application's role can prune nothing.
func TestRetention(t *testing.T) {
	t.Parallel()
	pool := pgtest.DB(t, pgtest.Options{})
	st := store.New(pool)
	ctx := context.Background()
	fill(t, st, 8)
	asSuperuser := func(sql string) {
		tx, err := pool.Begin(ctx)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, "SET LOCAL session_replication_role = replica; "+sql)
		require.NoError(t, err)
		require.NoError(t, tx.Commit(ctx))
	}
	// Entries 1–5 happened three years ago (rehashed, as if written then).
	asSuperuser(`UPDATE transparency_log SET occurred_at = occurred_at - interval '3 years' WHERE seq <= 5`)
	for seq := 1; seq <= 8; seq++ {
		asSuperuser(fmt.Sprintf(`UPDATE transparency_log l SET prev_hash = coalesce((SELECT p.hash FROM transparency_log p WHERE p.seq = l.seq - 1), '\x'::bytea) WHERE seq = %d;
			UPDATE transparency_log SET hash = sha256(prev_hash || convert_to(transparency_canonical(transparency_log), 'UTF8')) WHERE seq = %d`, seq, seq))
	}
	r, err := transparency.Verify(ctx, st)
	require.NoError(t, err)
	require.True(t, r.OK, "%+v", r)

	n, err := transparency.Prune(ctx, st, transparency.Retention)
	require.NoError(t, err)
	require.EqualValues(t, 5, n)
	r, err = transparency.Verify(ctx, st)
	require.NoError(t, err)
	require.Equal(t, transparency.Report{OK: true, Entries: 3, Anchor: 5, Head: r.Head}, r)
	n, err = transparency.Prune(ctx, st, transparency.Retention)
	require.NoError(t, err)
	require.Zero(t, n, "nothing more is old enough")

	// The application's role may neither prune nor write anchors.
	var b [4]byte
	_, _ = rand.Read(b[:])
	role := "app_" + hex.EncodeToString(b[:])
	_, err = pool.Exec(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD 'app-secret-pw'")
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP OWNED BY "+role)
		_, _ = pool.Exec(context.Background(), "DROP ROLE "+role)
	})
	require.NoError(t, st.GrantAppRole(ctx, role))
	cfg := pool.Config().ConnConfig
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s:app-secret-pw@%s:%d/%s?sslmode=disable", role, cfg.Host, cfg.Port, cfg.Database))
	require.NoError(t, err)
	defer conn.Close(ctx)
	for _, sql := range []string{
		"SELECT transparency_prune(now())",
		"INSERT INTO transparency_anchor (seq, hash) VALUES (99, '\\x00')",
		"DELETE FROM transparency_anchor",
		"SET schalter.pruning = 'on'; DELETE FROM transparency_log",
	} {
		_, err := conn.Exec(ctx, sql)
		requireCode(t, err, "42501", sql)
	}

	// Removing the first remaining entry is still found.
	asSuperuser("DELETE FROM transparency_log WHERE seq = 6")
	r, err = transparency.Verify(ctx, st)
	require.NoError(t, err)
	require.False(t, r.OK)
	require.EqualValues(t, 6, r.BrokenAt)
	require.Equal(t, "entry missing", r.Reason)
}
