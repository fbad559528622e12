package searchsync_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/searchsync"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/search"
	"github.com/schalter-ch/schalter/search/embedded"
)

func syncer(t *testing.T, st *store.Store, dir string) (*searchsync.Syncer, *embedded.Engine) {
	t.Helper()
	e, err := embedded.Open(dir)
	require.NoError(t, err)
	settings, err := search.DefaultSettings()
	require.NoError(t, err)
	return &searchsync.Syncer{Store: st, Engine: e, Log: slog.New(slog.DiscardHandler), Settings: settings, Poll: time.Hour}, e
}

func titleOf(t *testing.T, e search.Engine, q string) []string {
	t.Helper()
	r, err := e.Search(context.Background(), search.Query{Q: q, Lang: "de", Limit: 5})
	require.NoError(t, err)
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.Slug)
	}
	return out
}

func rename(t *testing.T, st *store.Store, slug, title, state string) {
	t.Helper()
	ctx := context.Background()
	_, err := st.UpdateService(ctx, slug, 0, store.ActionUpdate, "test", func(cur *catalog.Record) (*catalog.Service, error) {
		next := cur.Service
		next.Title.De = title
		next.State = state
		return &next, nil
	})
	require.NoError(t, err)
}

// TestBuildAndFollow: the index is built at start, follows a change within
// a second through NOTIFY (polling is off), and drops an unpublished service.
func TestBuildAndFollow(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	s, e := syncer(t, st, "")
	defer e.Close()
	require.NoError(t, s.Start(ctx))
	require.True(t, s.Ready())
	n, err := e.Count(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 150)
	go s.Run(ctx)
	time.Sleep(100 * time.Millisecond) // LISTEN

	// The poll interval is an hour, so only LISTEN/NOTIFY can deliver the
	// change; the deadline is generous for a loaded CI machine (the
	// latency itself is a benchmark's business, not a unit test's).
	rename(t, st, "hund-anmelden", "Vierbeiner Registrierung Quokka", catalog.StatePublished)
	require.Eventually(t, func() bool { return len(titleOf(t, e, "Quokka")) == 1 }, 10*time.Second, 10*time.Millisecond)

	rename(t, st, "hund-anmelden", "Vierbeiner Registrierung Quokka", catalog.StateArchived)
	require.Eventually(t, func() bool { return len(titleOf(t, e, "Quokka")) == 0 }, 10*time.Second, 10*time.Millisecond)
}

// TestCrashBetweenWriteAndIndex: a change committed while no indexer ran
// (as if the server died right after the write) reaches the index when an
// indexer starts again from the position kept in the index.
func TestCrashBetweenWriteAndIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	dir := filepath.Join(t.TempDir(), "index")
	s, e := syncer(t, st, dir)
	require.NoError(t, s.Start(ctx))
	require.NoError(t, e.Close())

	rename(t, st, "heimatschein", "Heimatschein Wombat", catalog.StatePublished)

	s2, e2 := syncer(t, st, dir)
	defer e2.Close()
	pos, ok, err := e2.Position()
	require.NoError(t, err)
	require.True(t, ok)
	require.Positive(t, pos)
	require.Empty(t, titleOf(t, e2, "Wombat"), "not yet applied")
	require.NoError(t, s2.Start(ctx))
	require.Equal(t, []string{"heimatschein"}, titleOf(t, e2, "Wombat"))
}

// TestReplicas: two indexers (two servers) on one database, each with its
// own index and position, both see a change.
func TestReplicas(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	a, ea := syncer(t, st, "")
	b, eb := syncer(t, st, "")
	defer ea.Close()
	defer eb.Close()
	for _, s := range []*searchsync.Syncer{a, b} {
		require.NoError(t, s.Start(ctx))
		go s.Run(ctx)
	}
	time.Sleep(100 * time.Millisecond)
	rename(t, st, "fundbuero", "Fundbüro Axolotl", catalog.StatePublished)
	for _, e := range []search.Engine{ea, eb} {
		require.Eventually(t, func() bool { return len(titleOf(t, e, "Axolotl")) == 1 }, 10*time.Second, 10*time.Millisecond)
	}
}

// TestSharedEngineHasOneWriter: with a shared engine (as Meilisearch is),
// only the replica holding the writer lock writes and keeps the position
// in PostgreSQL; the other one leaves the index alone until the writer
// goes away.
func TestSharedEngineHasOneWriter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	shared, err := embedded.Open("")
	require.NoError(t, err)
	defer shared.Close()
	settings, err := search.DefaultSettings()
	require.NoError(t, err)
	mk := func() *searchsync.Syncer {
		return &searchsync.Syncer{Store: st, Engine: shared, Log: slog.New(slog.DiscardHandler), Settings: settings, Shared: "test:shared", Poll: time.Hour}
	}
	a, b := mk(), mk()
	require.NoError(t, a.Start(ctx))
	pos, ok, err := st.SearchPosition(ctx, "test:shared")
	require.NoError(t, err)
	require.True(t, ok, "the writer keeps its position in PostgreSQL")
	require.NoError(t, b.Start(ctx), "a second replica starts without writing")
	require.True(t, b.Ready())

	rename(t, st, "heimatschein", "Heimatschein Okapi", catalog.StatePublished)
	require.NoError(t, b.Sync(ctx))
	require.Empty(t, titleOf(t, shared, "Okapi"), "the non-writer did not write")
	require.NoError(t, a.Sync(ctx))
	require.Equal(t, []string{"heimatschein"}, titleOf(t, shared, "Okapi"))
	after, _, err := st.SearchPosition(ctx, "test:shared")
	require.NoError(t, err)
	require.Greater(t, after, pos)

	// The writer stops (its Run ends and releases the lock); the other
	// replica takes over.
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.Run(runCtx); close(done) }()
	stop()
	<-done
	rename(t, st, "heimatschein", "Heimatschein Tapir", catalog.StatePublished)
	// PostgreSQL frees the lock when it has processed the writer's
	// disconnect; the other replica takes over at one of its next syncs.
	require.Eventually(t, func() bool {
		require.NoError(t, b.Sync(ctx))
		return len(titleOf(t, shared, "Tapir")) == 1
	}, 30*time.Second, 20*time.Millisecond)
}
