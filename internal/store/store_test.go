package store_test

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

func demo(t *testing.T) *catalog.Bundle { return pgtest.Demo(t) }

func TestSeedIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	b := demo(t)
	res, err := st.Seed(ctx, b)
	require.NoError(t, err)
	require.Equal(t, len(b.Services), res.Created)

	before, err := st.GetService(ctx, "heimatschein")
	require.NoError(t, err)
	res, err = st.Seed(ctx, demo(t))
	require.NoError(t, err)
	require.Equal(t, 0, res.Created)
	require.Equal(t, 0, res.Updated)
	require.Equal(t, len(b.Services), res.Unchanged)
	after, err := st.GetService(ctx, "heimatschein")
	require.NoError(t, err)
	require.Equal(t, before.Version, after.Version, "a second seed leaves versions alone")

	// An editor's change survives nothing but a later seed of that service.
	_, err = st.UpdateService(ctx, "heimatschein", after.Version, store.ActionUpdate, "test", func(cur *catalog.Record) (*catalog.Service, error) {
		next := cur.Service
		next.Popularity = 1
		return &next, nil
	})
	require.NoError(t, err)
	res, err = st.Seed(ctx, demo(t))
	require.NoError(t, err)
	require.Equal(t, 1, res.Updated)
}

// TestConcurrentUpdates: two editors change the same version at once;
// exactly one wins, the other gets PreconditionFailed, nothing is lost.
func TestConcurrentUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	cur, err := st.GetService(ctx, "hund-anmelden")
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.UpdateService(ctx, "hund-anmelden", cur.Version, store.ActionUpdate, "test", func(c *catalog.Record) (*catalog.Service, error) {
				next := c.Service
				next.Popularity = i
				return &next, nil
			})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		require.Equal(t, apperr.PreconditionFailed, apperr.CodeOf(err))
	}
	require.Equal(t, 1, wins)
	after, err := st.GetService(ctx, "hund-anmelden")
	require.NoError(t, err)
	require.Equal(t, cur.Version+1, after.Version)
	revs, err := st.Revisions(ctx, "hund-anmelden")
	require.NoError(t, err)
	require.Equal(t, "update", revs[0].Action)
}

func TestMigrationsUpDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	log := slog.New(slog.DiscardHandler)
	current, err := st.MigrationsCurrent(ctx)
	require.NoError(t, err)
	require.True(t, current)
	require.NoError(t, st.Migrate(ctx, "down", log))
	current, err = st.MigrationsCurrent(ctx)
	require.NoError(t, err)
	require.False(t, current)
	require.NoError(t, st.Migrate(ctx, "up", log))
	require.NoError(t, st.Migrate(ctx, "status", log))
	require.Error(t, st.Migrate(ctx, "sideways", log))
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	cases := []struct {
		name string
		f    catalog.ListFilter
		ok   func(s catalog.Summary) bool
	}{
		{"topic", catalog.ListFilter{Category: "tiere"}, func(s catalog.Summary) bool { return contains(s.Categories, "tiere") }},
		{"life situation", catalog.ListFilter{Category: "heiraten"}, func(s catalog.Summary) bool { return contains(s.LifeSituations, "heiraten") }},
		{"audience and channel", catalog.ListFilter{Audience: "businesses", Channel: "online"}, func(s catalog.Summary) bool {
			return contains(s.Audiences, "businesses") && contains(s.Channels, "online")
		}},
		{"office", catalog.ListFilter{Office: "entsorgung"}, func(s catalog.Summary) bool { return s.OfficeSlug == "entsorgung" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.f.States, c.f.Limit = store.Published, 100
			page, err := st.ListServices(ctx, c.f)
			require.NoError(t, err)
			require.NotEmpty(t, page.Items)
			require.Equal(t, len(page.Items), page.Total)
			for _, s := range page.Items {
				require.True(t, c.ok(s), s.Slug)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestFavouritesFeedPopularity: favourites raise a service's popularity
// (aggregated, capped), which lists and search see.
func TestFavouritesFeedPopularity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	before, err := st.ServiceDetail(ctx, "grillplatz-waldhuette-reservieren", store.Published)
	require.NoError(t, err)
	for i := 0; i < 120; i++ {
		require.NoError(t, st.AddFavourite(ctx, "guest:"+strconv.Itoa(i), "grillplatz-waldhuette-reservieren"))
	}
	n, err := st.RefreshFavouriteBoost(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	after, err := st.ServiceDetail(ctx, "grillplatz-waldhuette-reservieren", store.Published)
	require.NoError(t, err)
	require.Equal(t, min(100, before.Popularity+20), after.Popularity, "120 favourites give the full boost of 20")
	n, err = st.RefreshFavouriteBoost(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing changes twice")
	recs, err := st.SearchRecords(ctx, []string{"grillplatz-waldhuette-reservieren"})
	require.NoError(t, err)
	require.Equal(t, after.Popularity, recs[0].Service.Popularity)
	counts, err := st.FavouriteCounts(ctx)
	require.NoError(t, err)
	require.Equal(t, 120, counts["grillplatz-waldhuette-reservieren"])
}
