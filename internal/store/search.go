package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// OutboxEntry is one change to index: the service with this slug changed.
type OutboxEntry struct {
	ID   int64
	Slug string
}

// SearchOutboxAfter returns up to limit changes after position.
func (q *Queries) SearchOutboxAfter(ctx context.Context, position int64, limit int) ([]OutboxEntry, error) {
	rows, err := q.gen.SearchOutboxAfter(ctx, q.db, dbq.SearchOutboxAfterParams{After: position, MaxRows: int32(limit)})
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
func (q *Queries) SearchOutboxBounds(ctx context.Context) (lo, hi int64, err error) {
	if lo, err = q.gen.SearchOutboxMin(ctx, q.db); err != nil {
		return 0, 0, err
	}
	hi, err = q.gen.SearchOutboxMax(ctx, q.db)
	return lo, hi, err
}

// PruneSearchOutbox deletes outbox rows older than maxAge.
func (q *Queries) PruneSearchOutbox(ctx context.Context, maxAge time.Duration) (int64, error) {
	return q.gen.SearchOutboxPrune(ctx, q.db, maxAge.Seconds())
}

// SearchRecord is a service as the indexer needs it.
type SearchRecord struct {
	Service         catalog.Service
	DescriptionHTML catalog.Localized
}

// SearchRecords returns the services with the given slugs (all when none
// are given), in any state.
func (q *Queries) SearchRecords(ctx context.Context, slugs []string) ([]SearchRecord, error) {
	if slugs == nil {
		slugs = []string{}
	}
	rows, err := q.gen.SearchDocuments(ctx, q.db, slugs)
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
func (q *Queries) SearchPosition(ctx context.Context, engine string) (int64, bool, error) {
	p, err := q.gen.SearchPositionGet(ctx, q.db, engine)
	if noRows(err) {
		return 0, false, nil
	}
	return p, err == nil, mapErr(err, onErr{})
}

// SetSearchPosition records a shared engine's position.
func (q *Queries) SetSearchPosition(ctx context.Context, engine string, position int64) error {
	return q.gen.SearchPositionSet(ctx, q.db, dbq.SearchPositionSetParams{Engine: engine, Position: position})
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
	ok, err = s.gen.SearchWriterLock(ctx, conn, engine)
	if err != nil || !ok {
		conn.Close(context.Background())
		return nil, false, err
	}
	return func() { conn.Close(context.Background()) }, true, nil
}

// ListenSearch calls onChange whenever a service changes (see
// ListenCatalogue for the contract).
func (s *Store) ListenSearch(ctx context.Context, idle time.Duration, onChange, onIdle func()) error {
	return s.listen(ctx, s.gen.ListenSearch, idle, onChange, onIdle)
}

// Favourite is a service someone keeps.
type Favourite struct {
	Slug    string
	AddedAt time.Time
}

// AddFavourite adds a published service to owner's favourites; adding it
// twice changes nothing.
func (q *Queries) AddFavourite(ctx context.Context, owner, slug string) error {
	return q.inTx(ctx, func(tx pgx.Tx) error {
		r, err := q.gen.ServiceGet(ctx, tx, slug)
		if err == nil && r.State != catalog.StatePublished {
			err = pgx.ErrNoRows // drafts and archived services are not there for residents
		}
		if err != nil {
			return mapErr(err, onErr{notFound: fmt.Sprintf("service %q not found", slug)})
		}
		return q.gen.FavouriteAdd(ctx, tx, dbq.FavouriteAddParams{Owner: owner, Slug: slug})
	})
}

// RemoveFavourite removes a favourite; removing a missing one is fine.
func (q *Queries) RemoveFavourite(ctx context.Context, owner, slug string) error {
	return q.gen.FavouriteRemove(ctx, q.db, dbq.FavouriteRemoveParams{Owner: owner, Slug: slug})
}

// Favourites lists owner's favourites among published services, newest first.
func (q *Queries) Favourites(ctx context.Context, owner string) ([]Favourite, error) {
	rows, err := q.gen.FavouriteList(ctx, q.db, owner)
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
func (q *Queries) FavouriteCounts(ctx context.Context) (map[string]int, error) {
	rows, err := q.gen.FavouriteCounts(ctx, q.db)
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
func (q *Queries) RefreshFavouriteBoost(ctx context.Context) (int64, error) {
	return q.gen.FavouriteBoostRefresh(ctx, q.db)
}

// MergeFavourites moves the favourites of owner from to owner to (a guest
// logging in), without duplicates, in one transaction.
func (q *Queries) MergeFavourites(ctx context.Context, from, to string) error {
	return q.inTx(ctx, func(tx pgx.Tx) error {
		if err := q.gen.FavouritesMerge(ctx, tx, dbq.FavouritesMergeParams{ToOwner: to, FromOwner: from}); err != nil {
			return err
		}
		return q.gen.FavouritesDropOwner(ctx, tx, from)
	})
}
