package snapshot_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/snapshot"
	"github.com/schalter-ch/schalter/internal/store"
)

// TestListMatchesDatabase: the in-memory list answers exactly like the SQL
// one, page by page, for every filter.
func TestListMatchesDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	snap, err := snapshot.New(st, slog.New(slog.DiscardHandler)).Current(ctx)
	require.NoError(t, err)
	filters := []catalog.ListFilter{
		{}, {Category: "wohnen-umzug"}, {Category: "umziehen"}, {Audience: "seniors"}, {Channel: "post"},
		{Office: "einwohnerdienste"}, {Category: "abfall-umwelt", Channel: "online"}, {Category: "gibt-es-nicht"},
	}
	for _, f := range filters {
		for _, limit := range []int{1, 7, 100} {
			f.Limit = limit
			var after *catalog.Cursor
			for page := 0; page < 200; page++ {
				f.After = after
				mem := snap.List(f)
				dbf := f
				dbf.States = store.Published
				db, err := st.ListServices(ctx, dbf)
				require.NoError(t, err)
				require.Equal(t, db.Total, mem.Total, "%+v", f)
				require.Equal(t, db.Items, mem.Items, "%+v", f)
				require.Equal(t, db.Next, mem.Next, "%+v", f)
				if mem.Next == nil {
					break
				}
				after = mem.Next
			}
		}
	}
}

// TestChangesReachEveryReplica: two caches on one database, as two servers
// would have; a change made through neither is seen by both within a
// second, through NOTIFY.
func TestChangesReachEveryReplica(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	log := slog.New(slog.DiscardHandler)
	a, b := snapshot.New(st, log), snapshot.New(st, log)
	a.Poll, b.Poll = time.Hour, time.Hour // only notifications may deliver the change
	for _, c := range []*snapshot.Cache{a, b} {
		_, err := c.Current(ctx)
		require.NoError(t, err)
		go c.Run(ctx)
	}
	<-a.Listening()
	<-b.Listening()
	rec, err := st.GetService(ctx, "hund-anmelden")
	require.NoError(t, err)
	_, err = st.UpdateService(ctx, "hund-anmelden", rec.Version, store.ActionUpdate, "test", func(cur *catalog.Record) (*catalog.Service, error) {
		next := cur.Service
		next.Title.De = "Hund anmelden (geändert)"
		return &next, nil
	})
	require.NoError(t, err)
	for name, c := range map[string]*snapshot.Cache{"a": a, "b": b} {
		require.Eventually(t, func() bool {
			d, err := c.Current(ctx)
			if err != nil {
				return false
			}
			s, err := d.Service("hund-anmelden")
			return err == nil && s.Title.De == "Hund anmelden (geändert)"
		}, 10*time.Second, 10*time.Millisecond, "replica %s", name)
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	snap, err := snapshot.New(st, slog.New(slog.DiscardHandler)).Current(ctx)
	require.NoError(t, err)
	_, err = snap.Service("gibt-es-nicht")
	require.Error(t, err)
	o, err := snap.Office("einwohnerdienste")
	require.NoError(t, err)
	require.Positive(t, o.ServiceCount)
	for _, c := range snap.CategoriesOf(catalog.KindLifeSituation) {
		require.Equal(t, catalog.KindLifeSituation, c.Kind)
	}
	calls := 0
	for i := 0; i < 3; i++ {
		snap.Memo("k", func() any { calls++; return 1 })
	}
	require.Equal(t, 1, calls)
}

// TestRevisionMovesOnlyOnChange: statements that change nothing (a seed
// that finds everything current) leave the revision, and so every ETag,
// alone.
func TestRevisionMovesOnlyOnChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	before, err := st.CatalogueRevision(ctx)
	require.NoError(t, err)
	_, err = st.Seed(ctx, pgtest.Demo(t))
	require.NoError(t, err)
	_, err = st.RefreshFavouriteBoost(ctx)
	require.NoError(t, err)
	after, err := st.CatalogueRevision(ctx)
	require.NoError(t, err)
	require.Equal(t, before, after)
	rename := func() {
		rec, err := st.GetService(ctx, "heimatschein")
		require.NoError(t, err)
		_, err = st.UpdateService(ctx, "heimatschein", rec.Version, store.ActionUpdate, "test", func(cur *catalog.Record) (*catalog.Service, error) {
			next := cur.Service
			next.Popularity = 7
			return &next, nil
		})
		require.NoError(t, err)
	}
	rename()
	moved, err := st.CatalogueRevision(ctx)
	require.NoError(t, err)
	require.Greater(t, moved, after)
}
