package searchsync

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/search"
)

// positioned engines keep their outbox position inside their own index
// (the embedded engine), so every replica follows the outbox on its own.
type positioned interface {
	Position() (int64, bool, error)
	SetPosition(int64) error
}

// Syncer keeps an engine's index equal to the published catalogue.
//
// Every write to a service adds a row to search_outbox in the same
// transaction (a trigger), and NOTIFYs. The syncer applies the rows after
// its position and only then advances the position, so a crash anywhere
// loses nothing: the rows are applied again on restart, and applying is
// idempotent (index or delete the service as it now is).
type Syncer struct {
	Store    *store.Store
	Engine   search.Engine
	Log      *slog.Logger
	Settings search.Settings
	// Shared is the key of a shared engine (Meilisearch): its position is
	// kept in PostgreSQL and only the replica holding the writer lock
	// writes. Empty for the embedded engine.
	Shared string
	// Poll bounds the delay when a notification is lost.
	Poll time.Duration
	// KeepOutbox is how long applied outbox rows are kept; an index that
	// fell further behind is rebuilt.
	KeepOutbox time.Duration

	mu      sync.Mutex // one sync at a time
	ready   atomic.Bool
	release func() // the shared writer lock, when held
}

const batchSize = 500

// Ready reports whether the index has been built and caught up once.
func (s *Syncer) Ready() bool { return s.ready.Load() }

func (s *Syncer) position(ctx context.Context) (int64, bool, error) {
	if p, ok := s.Engine.(positioned); ok && s.Shared == "" {
		return p.Position()
	}
	return s.Store.SearchPosition(ctx, s.Shared)
}

func (s *Syncer) setPosition(ctx context.Context, pos int64) error {
	if p, ok := s.Engine.(positioned); ok && s.Shared == "" {
		return p.SetPosition(pos)
	}
	return s.Store.SetSearchPosition(ctx, s.Shared, pos)
}

// writer reports whether this replica may write the index.
func (s *Syncer) writer(ctx context.Context) (bool, error) {
	if s.Shared == "" || s.release != nil {
		return true, nil
	}
	release, ok, err := s.Store.SearchWriter(ctx, s.Shared)
	if err != nil || !ok {
		return false, err
	}
	s.release = release
	s.Log.Info("this replica writes the shared search index", "engine", s.Engine.Name())
	return true, nil
}

// Start applies the settings and builds or catches up the index. The
// server calls it before serving, so search works from the first request.
func (s *Syncer) Start(ctx context.Context) error {
	if err := s.Engine.Apply(ctx, s.Settings); err != nil {
		return fmt.Errorf("search settings: %w", err)
	}
	if err := s.Sync(ctx); err != nil {
		return err
	}
	return nil
}

// Sync brings the index up to date: a full rebuild when it is empty, has
// never been built, or fell behind what the outbox still holds; otherwise
// the outbox rows after its position.
func (s *Syncer) Sync(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok, err := s.writer(ctx)
	if err != nil {
		return err
	}
	if !ok {
		s.ready.Store(true) // another replica keeps the shared index current
		return nil
	}
	pos, known, err := s.position(ctx)
	if err != nil {
		return err
	}
	lo, hi, err := s.Store.SearchOutboxBounds(ctx)
	if err != nil {
		return err
	}
	count, err := s.Engine.Count(ctx)
	if err != nil {
		return err
	}
	if !known || (lo > 0 && pos < lo-1) || pos > hi || (count == 0 && pos == 0) {
		if err := s.rebuild(ctx, hi); err != nil {
			return err
		}
		pos = hi
	}
	for {
		entries, err := s.Store.SearchOutboxAfter(ctx, pos, batchSize)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			break
		}
		slugs := make([]string, 0, len(entries))
		seen := map[string]bool{}
		for _, e := range entries {
			if !seen[e.Slug] {
				seen[e.Slug] = true
				slugs = append(slugs, e.Slug)
			}
		}
		if err := s.apply(ctx, slugs); err != nil {
			return err
		}
		pos = entries[len(entries)-1].ID
		if err := s.setPosition(ctx, pos); err != nil {
			return err
		}
	}
	s.ready.Store(true)
	return nil
}

// Rebuild applies the settings and indexes every published service from
// scratch (`schalter search reindex`).
func (s *Syncer) Rebuild(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.Engine.Apply(ctx, s.Settings); err != nil {
		return err
	}
	ok, err := s.writer(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("another server writes the shared index %q; stop it or run the reindex there", s.Shared)
	}
	defer func() {
		if s.release != nil {
			s.release()
			s.release = nil
		}
	}()
	_, hi, err := s.Store.SearchOutboxBounds(ctx)
	if err != nil {
		return err
	}
	return s.rebuild(ctx, hi)
}

// rebuild indexes every published service from scratch. position is the
// outbox head read before the services, so changes made meanwhile are
// applied again afterwards.
func (s *Syncer) rebuild(ctx context.Context, position int64) error {
	start := time.Now()
	recs, err := s.Store.SearchRecords(ctx, nil)
	if err != nil {
		return err
	}
	if err := s.Engine.Clear(ctx); err != nil {
		return err
	}
	docs := documents(recs)
	for i := 0; i < len(docs); i += batchSize {
		if err := s.Engine.Index(ctx, docs[i:min(i+batchSize, len(docs))]); err != nil {
			return err
		}
	}
	if err := s.setPosition(ctx, position); err != nil {
		return err
	}
	s.Log.Info("search index built", "engine", s.Engine.Name(), "documents", len(docs), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// apply indexes the published ones among slugs and deletes the others.
func (s *Syncer) apply(ctx context.Context, slugs []string) error {
	recs, err := s.Store.SearchRecords(ctx, slugs)
	if err != nil {
		return err
	}
	docs := documents(recs)
	published := map[string]bool{}
	for _, d := range docs {
		published[d.Slug] = true
	}
	var gone []string
	for _, sl := range slugs {
		if !published[sl] {
			gone = append(gone, sl)
		}
	}
	if len(docs) > 0 {
		if err := s.Engine.Index(ctx, docs); err != nil {
			return err
		}
	}
	if len(gone) > 0 {
		return s.Engine.Delete(ctx, gone)
	}
	return nil
}

func documents(recs []store.SearchRecord) []search.Document {
	out := make([]search.Document, 0, len(recs))
	for i := range recs {
		if recs[i].Service.State == catalog.StatePublished {
			out = append(out, Document(&recs[i].Service, recs[i].DescriptionHTML))
		}
	}
	return out
}

// Run follows the outbox until ctx ends: it syncs on every notification,
// polls in between, and prunes old outbox rows once an hour.
func (s *Syncer) Run(ctx context.Context) {
	defer func() {
		if s.release != nil {
			s.release()
		}
	}()
	poll := s.Poll
	if poll == 0 {
		poll = time.Second
	}
	sync := func() {
		if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("search index sync", "engine", s.Engine.Name(), "err", err)
		}
	}
	lastPrune := time.Time{}
	idle := func() {
		sync()
		if s.KeepOutbox > 0 && time.Since(lastPrune) > time.Hour {
			lastPrune = time.Now()
			if n, err := s.Store.PruneSearchOutbox(ctx, s.KeepOutbox); err != nil && ctx.Err() == nil {
				s.Log.Warn("pruning the search outbox", "err", err)
			} else if n > 0 {
				s.Log.Info("pruned the search outbox", "rows", n)
			}
		}
	}
	backoff := time.Second
	for ctx.Err() == nil {
		// ListenSearch calls idle (a sync) as soon as it listens.
		err := s.Store.ListenSearch(ctx, poll, sync, idle)
		if ctx.Err() != nil {
			return
		}
		s.Log.Warn("search change notifications interrupted; retrying", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}
