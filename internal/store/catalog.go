package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Published is the state filter for everything residents see.
var Published = []string{catalog.StatePublished}

// AllStates is the state filter for editors.
var AllStates = []string{catalog.StateDraft, catalog.StatePublished, catalog.StateArchived}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ListServices returns one page of services and the total matching the
// filter. The API serves lists from the snapshot (internal/snapshot); this
// SQL version is the reference the snapshot's list is tested against.
func (q *Queries) ListServices(ctx context.Context, f catalog.ListFilter) (*catalog.Page, error) {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	p := dbq.ServiceListParams{
		States: f.States, Category: strPtr(f.Category), Audience: strPtr(f.Audience),
		Channel: strPtr(f.Channel), Office: strPtr(f.Office), MaxRows: int32(f.Limit + 1),
	}
	if f.After != nil {
		pop := int32(f.After.Popularity)
		p.AfterSlug, p.AfterPopularity = &f.After.Slug, &pop
	}
	rows, err := q.gen.ServiceList(ctx, q.db, p)
	if err != nil {
		return nil, err
	}
	total, err := q.gen.ServiceCount(ctx, q.db, dbq.ServiceCountParams{
		States: p.States, Category: p.Category, Audience: p.Audience, Channel: p.Channel, Office: p.Office,
	})
	if err != nil {
		return nil, err
	}
	page := &catalog.Page{Total: int(total), Items: make([]catalog.Summary, 0, len(rows))}
	h := sha256.New()
	writeInt(h, total)
	for i, r := range rows {
		if i == f.Limit {
			last := page.Items[len(page.Items)-1]
			page.Next = &catalog.Cursor{Popularity: last.Popularity, Slug: last.Slug}
			break
		}
		sum := catalog.Summary{
			Slug: r.Slug, Mode: r.Mode, Assurance: r.Assurance, OnlineStartURL: r.OnlineStartUrl,
			Categories: r.Categories, LifeSituations: r.LifeSituations, Audiences: r.Audiences,
			Channels: r.Channels, Popularity: int(r.Popularity), OfficeSlug: r.OfficeSlug, FormVersion: int(r.FormVersion),
		}
		if err := unmarshalAll(r.Title, &sum.Title, r.Summary, &sum.Summary, r.OfficeName, &sum.OfficeName); err != nil {
			return nil, err
		}
		page.Items = append(page.Items, sum)
		h.Write([]byte(r.Slug))
		writeInt(h, int64(r.Version))
		writeInt(h, r.OfficeUpdatedAt.UnixNano())
		writeInt(h, int64(r.FormVersion))
	}
	page.Fingerprint = hex.EncodeToString(h.Sum(nil)[:12])
	return page, nil
}

func writeInt(h hash.Hash, n int64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}

func unmarshalAll(pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		b, _ := pairs[i].([]byte)
		if len(b) == 0 {
			continue
		}
		if err := json.Unmarshal(b, pairs[i+1]); err != nil {
			return fmt.Errorf("store: decoding stored JSON: %w", err)
		}
	}
	return nil
}

// ServiceDetail returns a service with everything its page shows. Only
// services in one of states are found.
func (q *Queries) ServiceDetail(ctx context.Context, slug string, states []string) (*catalog.Detail, error) {
	if slug == "" {
		return nil, apperr.New(apperr.NotFound, "service not found")
	}
	ds, err := q.details(ctx, slug, states)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, apperr.New(apperr.NotFound, "service %q not found", slug)
	}
	return &ds[0], nil
}

func (q *Queries) details(ctx context.Context, slug string, states []string) ([]catalog.Detail, error) {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	return q.detailsIn(ctx, q.db, slug, states)
}

func (q *Queries) detailsIn(ctx context.Context, db dbq.DBTX, slug string, states []string) ([]catalog.Detail, error) {
	rows, err := q.gen.ServiceDetail(ctx, db, dbq.ServiceDetailParams{Slug: slug, States: states})
	if err != nil {
		return nil, err
	}
	out := make([]catalog.Detail, 0, len(rows))
	for _, r := range rows {
		d := catalog.Detail{UpdatedAt: r.UpdatedAt}
		d.Office.ServiceCount = int(r.OfficeServiceCount)
		d.Office.UpdatedAt = r.OfficeUpdatedAt
		if err := unmarshalAll(r.Doc, &d.Service, r.DescriptionHtml, &d.DescriptionHTML, r.OfficeDoc, &d.Office.Office,
			r.Related, &d.Related, r.Taxonomy, &d.Categories, r.AudienceTitles, &d.Audiences); err != nil {
			return nil, err
		}
		// Residents see the popularity with the favourites' boost.
		d.Popularity = int(r.EffectivePopularity)
		h := sha256.New()
		for _, b := range [][]byte{r.Doc, r.DescriptionHtml, r.OfficeDoc, r.Related, r.Taxonomy, r.AudienceTitles} {
			h.Write(b)
			h.Write([]byte{0})
		}
		writeInt(h, r.OfficeServiceCount)
		writeInt(h, int64(r.EffectivePopularity))
		d.Fingerprint = hex.EncodeToString(h.Sum(nil)[:12])
		out = append(out, d)
	}
	return out, nil
}

// categoriesIn lists topics and life situations; kind "" means both.
func (q *Queries) categoriesIn(ctx context.Context, db dbq.DBTX, kind string) ([]catalog.CategoryView, error) {
	rows, err := q.gen.CategoryList(ctx, db, strPtr(kind))
	if err != nil {
		return nil, err
	}
	out := make([]catalog.CategoryView, 0, len(rows))
	for _, r := range rows {
		c := catalog.CategoryView{Category: catalog.Category{Slug: r.Slug, Kind: r.Kind, Icon: r.Icon}, ServiceCount: int(r.ServiceCount)}
		if err := unmarshalAll(r.Title, &c.Title); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// audiencesIn lists the audiences in their display order.
func (q *Queries) audiencesIn(ctx context.Context, db dbq.DBTX) ([]catalog.Audience, error) {
	rows, err := q.gen.AudienceList(ctx, db)
	if err != nil {
		return nil, err
	}
	out := make([]catalog.Audience, 0, len(rows))
	for _, r := range rows {
		a := catalog.Audience{Slug: r.Slug}
		if err := unmarshalAll(r.Title, &a.Title); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// officesIn lists the offices by German name.
func (q *Queries) officesIn(ctx context.Context, db dbq.DBTX) ([]catalog.OfficeView, error) {
	rows, err := q.gen.OfficeList(ctx, db)
	if err != nil {
		return nil, err
	}
	out := make([]catalog.OfficeView, 0, len(rows))
	for _, r := range rows {
		o, err := officeView(r.Doc, r.ServiceCount, r.UpdatedAt)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func officeView(doc []byte, count int64, updated time.Time) (catalog.OfficeView, error) {
	o := catalog.OfficeView{ServiceCount: int(count), UpdatedAt: updated}
	return o, unmarshalAll(doc, &o.Office)
}

// refs loads what services may refer to, inside tx.
func (q *Queries) refs(ctx context.Context, tx pgx.Tx) (catalog.Refs, error) {
	r := catalog.Refs{Offices: map[string]bool{}, Categories: map[string]string{}, Audiences: map[string]bool{}, Services: map[string]bool{}}
	offices, err := q.gen.OfficeSlugs(ctx, tx)
	if err != nil {
		return r, err
	}
	for _, o := range offices {
		r.Offices[o] = true
	}
	cats, err := q.gen.CategoryList(ctx, tx, nil)
	if err != nil {
		return r, err
	}
	for _, c := range cats {
		r.Categories[c.Slug] = c.Kind
	}
	auds, err := q.gen.AudienceList(ctx, tx)
	if err != nil {
		return r, err
	}
	for _, a := range auds {
		r.Audiences[a.Slug] = true
	}
	slugs, err := q.gen.ServiceSlugs(ctx, tx)
	if err != nil {
		return r, err
	}
	for _, sl := range slugs {
		r.Services[sl] = true
	}
	return r, nil
}

// Published is everything residents see, read in one consistent snapshot.
type PublishedData struct {
	Revision   int64
	Services   []catalog.Detail
	Categories []catalog.CategoryView
	Audiences  []catalog.Audience
	Offices    []catalog.OfficeView
	// Forms maps the services with an online form to its published version.
	Forms map[string]int
}

// PublishedSnapshot reads the whole published catalogue and its revision in
// one read-only repeatable-read transaction, so the parts agree.
func (s *Store) PublishedSnapshot(ctx context.Context) (*PublishedData, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out := &PublishedData{}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		if out.Revision, err = s.gen.CatalogueRevision(ctx, tx); err != nil {
			return err
		}
		if out.Services, err = s.detailsIn(ctx, tx, "", Published); err != nil {
			return err
		}
		if out.Categories, err = s.categoriesIn(ctx, tx, ""); err != nil {
			return err
		}
		if out.Audiences, err = s.audiencesIn(ctx, tx); err != nil {
			return err
		}
		forms, err := s.gen.FormPublishedVersions(ctx, tx)
		if err != nil {
			return err
		}
		out.Forms = make(map[string]int, len(forms))
		for _, f := range forms {
			out.Forms[f.ServiceSlug] = int(f.Version)
		}
		out.Offices, err = s.officesIn(ctx, tx)
		return err
	})
	if err != nil {
		// Straight on the pool (a read-only snapshot transaction), so the
		// outage wrapper did not see it: map here.
		return nil, mapErr(err, onErr{})
	}
	return out, nil
}

// CatalogueRevision returns the number that changes with every change to
// the catalogue tables.
func (q *Queries) CatalogueRevision(ctx context.Context) (int64, error) {
	return q.gen.CatalogueRevision(ctx, q.db)
}

// ListenCatalogue calls onChange whenever the catalogue changes, until ctx
// ends or the connection fails (the error is returned; callers retry).
// onIdle runs once as soon as the LISTEN is in place (so the caller can
// catch up without missing a change) and then after idle without news.
func (s *Store) ListenCatalogue(ctx context.Context, idle time.Duration, onChange func(), onIdle func()) error {
	return s.listen(ctx, s.gen.ListenCatalogue, idle, onChange, onIdle)
}

// listen runs a LISTEN statement on a dedicated connection, calls onIdle
// once it is listening, then onChange per notification and onIdle after
// idle without one.
func (s *Store) listen(ctx context.Context, listen func(context.Context, dbq.DBTX) error, idle time.Duration, onChange, onIdle func()) error {
	pooled, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A LISTENing connection must not go back to the pool.
	conn := pooled.Hijack()
	defer conn.Close(context.Background())
	if err := listen(ctx, conn); err != nil {
		return err
	}
	onIdle()
	for {
		wctx, cancel := context.WithTimeout(ctx, idle)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			onChange()
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			onIdle()
		default:
			return err
		}
	}
}
