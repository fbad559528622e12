package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// OutboxEntry is one change to index: the service with this slug changed.
type OutboxEntry struct {
	ID   int64
	Slug string
}

// SearchOutboxAfter returns up to limit changes after position.
func (s *Store) SearchOutboxAfter(ctx context.Context, position int64, limit int) ([]OutboxEntry, error) {
	rows, err := s.q.SearchOutboxAfter(ctx, s.pool, dbq.SearchOutboxAfterParams{After: position, MaxRows: int32(limit)})
	if err != nil {
		return nil, err
	}
	out := make([]OutboxEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, OutboxEntry{ID: r.ID, Slug: r.Slug})
	}
	return out, nil
}

// SearchOutboxBounds returns the lowest and highest outbox ids (0 when
// empty).
func (s *Store) SearchOutboxBounds(ctx context.Context) (lo, hi int64, err error) {
	if lo, err = s.q.SearchOutboxMin(ctx, s.pool); err != nil {
		return 0, 0, err
	}
	hi, err = s.q.SearchOutboxMax(ctx, s.pool)
	return lo, hi, err
}

// PruneSearchOutbox deletes outbox rows older than maxAge.
func (s *Store) PruneSearchOutbox(ctx context.Context, maxAge time.Duration) (int64, error) {
	return s.q.SearchOutboxPrune(ctx, s.pool, maxAge.Seconds())
}

// SearchRecord is a service as the indexer needs it.
type SearchRecord struct {
	Service         catalog.Service
	DescriptionHTML catalog.Localized
}

// SearchRecords returns the services with the given slugs (all when none
// are given), in any state.
func (s *Store) SearchRecords(ctx context.Context, slugs []string) ([]SearchRecord, error) {
	if slugs == nil {
		slugs = []string{}
	}
	rows, err := s.q.SearchDocuments(ctx, s.pool, slugs)
	if err != nil {
		return nil, err
	}
	out := make([]SearchRecord, 0, len(rows))
	for _, r := range rows {
		var rec SearchRecord
		if err := unmarshalAll(r.Doc, &rec.Service, r.DescriptionHtml, &rec.DescriptionHTML); err != nil {
			return nil, err
		}
		rec.Service.State = r.State
		rec.Service.Popularity = int(r.EffectivePopularity)
		out = append(out, rec)
	}
	return out, nil
}

// SearchPosition returns a shared engine's position in the outbox.
func (s *Store) SearchPosition(ctx context.Context, engine string) (int64, bool, error) {
	p, err := s.q.SearchPositionGet(ctx, s.pool, engine)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return p, err == nil, err
}

// SetSearchPosition records a shared engine's position.
func (s *Store) SetSearchPosition(ctx context.Context, engine string, position int64) error {
	return s.q.SearchPositionSet(ctx, s.pool, dbq.SearchPositionSetParams{Engine: engine, Position: position})
}

// SearchWriter tries to become the one writer of a shared index. It
// returns ok=false when another replica is the writer. The lock lives as
// long as the returned release function is not called (its connection
// stays out of the pool).
func (s *Store) SearchWriter(ctx context.Context, engine string) (release func(), ok bool, err error) {
	pooled, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	conn := pooled.Hijack()
	ok, err = s.q.SearchWriterLock(ctx, conn, engine)
	if err != nil || !ok {
		conn.Close(context.Background())
		return nil, false, err
	}
	return func() { conn.Close(context.Background()) }, true, nil
}

// ListenSearch calls onChange whenever a service changes (see
// ListenCatalogue for the contract).
func (s *Store) ListenSearch(ctx context.Context, idle time.Duration, onChange, onIdle func()) error {
	return s.listen(ctx, s.q.ListenSearch, idle, onChange, onIdle)
}

// Favourite is a service someone keeps.
type Favourite struct {
	Slug    string
	AddedAt time.Time
}

// AddFavourite adds a published service to owner's favourites; adding it
// twice changes nothing.
func (s *Store) AddFavourite(ctx context.Context, owner, slug string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := s.q.ServiceGet(ctx, tx, slug)
		if err != nil || r.State != catalog.StatePublished {
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return apperr.New(apperr.NotFound, "service %q not found", slug)
		}
		return s.q.FavouriteAdd(ctx, tx, dbq.FavouriteAddParams{Owner: owner, Slug: slug})
	})
}

// RemoveFavourite removes a favourite; removing a missing one is fine.
func (s *Store) RemoveFavourite(ctx context.Context, owner, slug string) error {
	return s.q.FavouriteRemove(ctx, s.pool, dbq.FavouriteRemoveParams{Owner: owner, Slug: slug})
}

// Favourites lists owner's favourites among published services, newest first.
func (s *Store) Favourites(ctx context.Context, owner string) ([]Favourite, error) {
	rows, err := s.q.FavouriteList(ctx, s.pool, owner)
	if err != nil {
		return nil, err
	}
	out := make([]Favourite, 0, len(rows))
	for _, r := range rows {
		out = append(out, Favourite{Slug: r.Slug, AddedAt: r.CreatedAt})
	}
	return out, nil
}

// FavouriteCounts returns, per service, how many people keep it.
func (s *Store) FavouriteCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.q.FavouriteCounts(ctx, s.pool)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Slug] = int(r.Favourites)
	}
	return out, nil
}

// RefreshFavouriteBoost recomputes the popularity boost from favourites
// counts and returns how many services changed.
func (s *Store) RefreshFavouriteBoost(ctx context.Context) (int64, error) {
	return s.q.FavouriteBoostRefresh(ctx, s.pool)
}

// MergeFavourites moves the favourites of owner from to owner to (a guest
// logging in), without duplicates, in one transaction.
func (s *Store) MergeFavourites(ctx context.Context, from, to string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.q.FavouritesMerge(ctx, tx, dbq.FavouritesMergeParams{ToOwner: to, FromOwner: from}); err != nil {
			return err
		}
		return s.q.FavouritesDropOwner(ctx, tx, from)
	})
}
