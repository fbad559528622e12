// Package snapshot keeps the published catalogue in memory, so that public
// reads cost no database round trip.
//
// PostgreSQL stays the only source of truth: a snapshot is a read-only copy
// of one consistent database state, tagged with the catalogue revision. A
// trigger bumps the revision and sends a NOTIFY on every change; each server
// reloads when notified, and also polls the revision so that a missed
// notification delays a change by at most the poll interval. A server that
// writes refreshes its own snapshot before answering, so an editor reads
// their own change at once. Replicas therefore hold no state of their own.
package snapshot

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/store"
)

// Data is one immutable snapshot of the published catalogue.
type Data struct {
	Revision   int64
	LoadedAt   time.Time
	Services   []catalog.Detail // in list order: popularity descending, then slug
	Summaries  []catalog.Summary
	Categories []catalog.CategoryView
	Audiences  []catalog.Audience
	Offices    []catalog.OfficeView

	bySlug   map[string]int
	byOffice map[string]int
	memo     sync.Map
}

func newData(p *store.PublishedData) *Data {
	d := &Data{Revision: p.Revision, LoadedAt: time.Now(), Services: p.Services, Categories: p.Categories,
		Audiences: p.Audiences, Offices: p.Offices, bySlug: map[string]int{}, byOffice: map[string]int{}}
	sort.SliceStable(d.Services, func(i, j int) bool {
		a, b := d.Services[i], d.Services[j]
		if a.Popularity != b.Popularity {
			return a.Popularity > b.Popularity
		}
		return a.Slug < b.Slug
	})
	for i := range d.Services {
		s := &d.Services[i]
		if v := p.Forms[s.Slug]; v > 0 {
			// The service page offers the form: its ETag follows the version.
			s.FormVersion = v
			s.Fingerprint += "-f" + strconv.Itoa(v)
		}
		d.bySlug[s.Slug] = i
		d.Summaries = append(d.Summaries, catalog.Summary{
			Slug: s.Slug, Title: s.Title, Summary: s.Service.Summary, Mode: s.Mode, Assurance: s.Assurance,
			OnlineStartURL: s.OnlineStartURL, Categories: s.Service.Categories, LifeSituations: nonNil(s.LifeSituations),
			Audiences: s.Service.Audiences, Channels: s.Channels, Popularity: s.Popularity,
			OfficeSlug: s.Office.Slug, OfficeName: s.Office.Name, FormVersion: s.FormVersion,
		})
	}
	for i, o := range d.Offices {
		d.byOffice[o.Slug] = i
	}
	return d
}

// Service returns a published service.
func (d *Data) Service(slug string) (*catalog.Detail, error) {
	i, ok := d.bySlug[slug]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "service %q not found", slug)
	}
	return &d.Services[i], nil
}

// Office returns an office.
func (d *Data) Office(slug string) (*catalog.OfficeView, error) {
	i, ok := d.byOffice[slug]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "office %q not found", slug)
	}
	return &d.Offices[i], nil
}

// CategoriesOf returns the categories of one kind ("" for all).
func (d *Data) CategoriesOf(kind string) []catalog.CategoryView {
	if kind == "" {
		return d.Categories
	}
	out := make([]catalog.CategoryView, 0, len(d.Categories))
	for _, c := range d.Categories {
		if c.Kind == kind {
			out = append(out, c)
		}
	}
	return out
}

// List filters and pages the published services like the SQL list does.
func (d *Data) List(f catalog.ListFilter) *catalog.Page {
	page := &catalog.Page{Items: []catalog.Summary{}}
	for i := range d.Summaries {
		s := &d.Summaries[i]
		if !matches(s, f) {
			continue
		}
		page.Total++
		if f.After != nil && (s.Popularity > f.After.Popularity || (s.Popularity == f.After.Popularity && s.Slug <= f.After.Slug)) {
			continue
		}
		if len(page.Items) == f.Limit {
			if page.Next == nil {
				last := page.Items[len(page.Items)-1]
				page.Next = &catalog.Cursor{Popularity: last.Popularity, Slug: last.Slug}
			}
			continue
		}
		page.Items = append(page.Items, *s)
	}
	return page
}

func matches(s *catalog.Summary, f catalog.ListFilter) bool {
	has := func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	switch {
	case f.Category != "" && !has(s.Categories, f.Category) && !has(s.LifeSituations, f.Category):
		return false
	case f.Audience != "" && !has(s.Audiences, f.Audience):
		return false
	case f.Channel != "" && !has(s.Channels, f.Channel):
		return false
	case f.Office != "" && s.OfficeSlug != f.Office:
		return false
	}
	return true
}

// Memo returns the value stored under key in this snapshot, computing it
// once. The API keeps rendered responses here; they live and die with the
// snapshot they were made from.
func (d *Data) Memo(key string, build func() any) any {
	if v, ok := d.memo.Load(key); ok {
		return v
	}
	v, _ := d.memo.LoadOrStore(key, build())
	return v
}

// Cache holds the current snapshot.
type Cache struct {
	store *store.Store
	log   *slog.Logger
	cur   atomic.Pointer[Data]
	mu    sync.Mutex // one reload at a time
	// Poll is how often the revision is checked when no notification came.
	Poll time.Duration
	// listening is closed once Run listens for changes.
	listening     chan struct{}
	listeningOnce sync.Once
}

// Listening is closed once Run receives change notifications: a change
// committed after that reaches this cache without waiting for Poll.
func (c *Cache) Listening() <-chan struct{} { return c.listening }

// New returns an empty cache; the first read loads it.
func New(st *store.Store, log *slog.Logger) *Cache {
	return &Cache{store: st, log: log, Poll: 5 * time.Second, listening: make(chan struct{})}
}

// Current returns the current snapshot, loading it on first use.
func (c *Cache) Current(ctx context.Context) (*Data, error) {
	if d := c.cur.Load(); d != nil {
		return d, nil
	}
	if err := c.Refresh(ctx); err != nil {
		return nil, err
	}
	return c.cur.Load(), nil
}

// Refresh reloads the snapshot when the database has a newer revision.
func (c *Cache) Refresh(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.cur.Load(); d != nil {
		rev, err := c.store.CatalogueRevision(ctx)
		if err != nil {
			return err
		}
		if rev == d.Revision {
			return nil
		}
	}
	p, err := c.store.PublishedSnapshot(ctx)
	if err != nil {
		return err
	}
	d := newData(p)
	c.cur.Store(d)
	c.log.Debug("catalogue snapshot loaded", "revision", d.Revision, "services", len(d.Services))
	return nil
}

// Run keeps the snapshot current until ctx ends: it reloads on every
// change notification and polls the revision in between.
func (c *Cache) Run(ctx context.Context) {
	refresh := func() {
		if err := c.Refresh(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("refreshing the catalogue snapshot", "err", err)
		}
	}
	listened := func() {
		refresh()
		c.listeningOnce.Do(func() { close(c.listening) })
	}
	backoff := time.Second
	for ctx.Err() == nil {
		// The first refresh runs once LISTEN is in place, so no change
		// falls between catching up and listening.
		err := c.store.ListenCatalogue(ctx, c.Poll, refresh, listened)
		if ctx.Err() != nil {
			return
		}
		c.log.Warn("catalogue change notifications interrupted; retrying", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// nonNil keeps empty lists empty rather than absent, as the database does.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
