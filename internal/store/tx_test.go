package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

// probeJob is a job kind for these tests; no worker runs it.
type probeJob struct {
	Note string `json:"note"`
}

func (probeJob) Kind() string { return "store_probe" }

func count(t *testing.T, st *store.Store, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, st.Pool().QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// TestInTxAllOrNothing: a use case that writes several tables, the
// transparency entry and a job commits all of it or nothing. The failure
// is injected after every write has succeeded, the hardest case.
func TestInTxAllOrNothing(t *testing.T) {
	t.Parallel()
	errInjected := errors.New("injected failure")
	for _, tc := range []struct {
		name   string
		fail   func() error
		commit bool
	}{
		{name: "error after the last write", fail: func() error { return errInjected }},
		{name: "panic after the last write", fail: func() error { panic(errInjected) }},
		{name: "no failure", fail: func() error { return nil }, commit: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := pgtest.Store(t, pgtest.Options{})
			email := "atomic-" + uuid.NewString()[:8] + "@example.ch"
			run := func() error {
				return st.InTx(ctx, func(q *store.Queries) error {
					acc, err := q.CreateAccount(ctx, email, email, "", nil)
					require.NoError(t, err)
					given := "Anna"
					_, err = q.PutProfile(ctx, store.ProfilePutInput{AccountID: acc.ID, GivenName: &given})
					require.NoError(t, err)
					_, err = q.AppendAccess(ctx, store.AccessEntryNew{Subject: acc.ID, ActorKind: "system", Actor: "test",
						Action: "read", Data: []string{"Name"}, Purpose: "test", LegalBasis: "test"})
					require.NoError(t, err)
					require.NoError(t, q.Enqueue(ctx, probeJob{Note: email}, nil))
					return tc.fail()
				})
			}
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = r.(error)
					}
				}()
				err = run()
			}()
			want := 0
			if tc.commit {
				require.NoError(t, err)
				want = 1
			} else {
				require.ErrorIs(t, err, errInjected)
			}
			require.Equal(t, want, count(t, st, "SELECT count(*) FROM account WHERE email = $1", email), "account")
			require.Equal(t, want, count(t, st, "SELECT count(*) FROM profile p JOIN account a ON a.id = p.account_id WHERE a.email = $1", email), "profile")
			require.Equal(t, want, count(t, st, "SELECT count(*) FROM transparency_log l JOIN account a ON a.id = l.subject WHERE a.email = $1", email), "transparency entry")
			require.Equal(t, want, count(t, st, "SELECT count(*) FROM river_job WHERE kind = 'store_probe' AND args->>'note' = $1", email), "job")
		})
	}
}

// TestInTxNests: an operation that needs a transaction of its own runs in
// a savepoint of the caller's, so the caller's rollback undoes it too.
func TestInTxNests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	errInjected := errors.New("injected")
	err := st.InTx(ctx, func(q *store.Queries) error {
		// CreateAccount with a role runs its own transaction inside.
		_, err := q.CreateAccount(ctx, "nested@example.ch", "nested@example.ch", "", nil, store.Role{Role: "editor"})
		require.NoError(t, err)
		return errInjected
	})
	require.ErrorIs(t, err, errInjected)
	require.Zero(t, count(t, st, "SELECT count(*) FROM account WHERE email = 'nested@example.ch'"))
	require.Zero(t, count(t, st, "SELECT count(*) FROM account_role"))
}

// TestEnqueueOutsideTx: a job enqueued without a transaction is inserted
// on its own, at once.
func TestEnqueueOutsideTx(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	require.NoError(t, st.Enqueue(ctx, probeJob{Note: "alone"}, &river.InsertOpts{Queue: "default"}))
	require.Equal(t, 1, count(t, st, "SELECT count(*) FROM river_job WHERE kind = 'store_probe'"))
}

// TestErrorMapping: what PostgreSQL says becomes the domain's word in one
// place, and an unreachable database is Unavailable with a Retry-After
// from every kind of operation (reads, look-ups whose "no row" means
// "unknown token", transactions, jobs), never a bare error.
func TestErrorMapping(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	acc, err := st.CreateAccount(ctx, "taken@example.ch", "taken@example.ch", "", nil)
	require.NoError(t, err)

	_, err = st.CreateAccount(ctx, "taken@example.ch", "taken@example.ch", "", nil)
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "a taken address")
	_, err = st.AccountByID(ctx, uuid.New())
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "no such account")
	_, err = st.CreateAccount(ctx, "staff@example.ch", "staff@example.ch", "", nil, store.Role{Role: "staff", Office: "no-such-office"})
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err), "an unknown office")
	_, err = st.UseAPIToken(ctx, []byte("unknown"))
	require.Equal(t, apperr.Unauthorized, apperr.CodeOf(err), "an unknown token")
	_, err = st.VerifyEmail(ctx, []byte("unknown"))
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err), "a used link")

	// A database nobody answers at: port 1 on loopback refuses at once.
	down, err := store.Open(ctx, "postgres://schalter@127.0.0.1:1/schalter?connect_timeout=2")
	require.NoError(t, err)
	t.Cleanup(down.Close)
	for name, op := range map[string]func() error{
		"read":            func() error { _, err := down.AccountByID(ctx, acc.ID); return err },
		"token look-up":   func() error { _, err := down.UseAPIToken(ctx, []byte("x")); return err },
		"list":            func() error { _, err := down.Consents(ctx, acc.ID); return err },
		"transaction":     func() error { return down.InTx(ctx, func(*store.Queries) error { return nil }) },
		"job":             func() error { return down.Enqueue(ctx, probeJob{}, nil) },
		"attempt counter": func() error { _, err := down.Attempt(ctx, []byte("k"), 3, time.Minute); return err },
	} {
		err := op()
		e, ok := apperr.As(err)
		require.True(t, ok, "%s: %v", name, err)
		require.Equal(t, apperr.Unavailable, e.Code, name)
		require.Positive(t, e.RetryAfter, name)
		require.Error(t, errors.Unwrap(e), "%s keeps its cause for the log", name)
	}
}

// TestOutageMidSession: connections that the server loses while it runs
// (PostgreSQL restarted, a failover) are Unavailable too.
func TestOutageMidSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	err := st.InTx(ctx, func(q *store.Queries) error {
		// The backend of this very transaction is terminated by another
		// connection, as a restart would.
		_, err := st.Pool().Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
		require.NoError(t, err)
		_, err = q.Consents(ctx, uuid.New())
		return err
	})
	require.Equal(t, apperr.Unavailable, apperr.CodeOf(err), "%v", err)
}
