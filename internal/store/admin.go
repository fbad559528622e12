package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Write actions recorded in service_revision.
const (
	ActionCreate  = "create"
	ActionUpdate  = "update"
	ActionPublish = "publish"
	ActionArchive = "archive"
	ActionImport  = "import"
	ActionSeed    = "seed"
)

// serviceRow is the shape shared by every query that returns a stored
// service; sqlc generates one identical struct per query.
type serviceRow = dbq.ServiceGetRow

func record(r serviceRow) (*catalog.Record, error) {
	rec := &catalog.Record{Version: int(r.Version), UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal(r.Doc, &rec.Service); err != nil {
		return nil, fmt.Errorf("store: decoding service %s: %w", r.Slug, err)
	}
	return rec, nil
}

// GetService returns a service in any state, for editors.
func (q *Queries) GetService(ctx context.Context, slug string) (*catalog.Record, error) {
	r, err := q.gen.ServiceGet(ctx, q.db, slug)
	if err != nil {
		return nil, notFound(err, "service %q not found", slug)
	}
	return record(r)
}

// ExportServices returns every service in one of states, by slug.
func (q *Queries) ExportServices(ctx context.Context, states []string) ([]catalog.Record, error) {
	rows, err := q.gen.ServiceAll(ctx, q.db, states)
	if err != nil {
		return nil, err
	}
	out := make([]catalog.Record, 0, len(rows))
	for _, r := range rows {
		rec, err := record(serviceRow(r))
		if err != nil {
			return nil, err
		}
		out = append(out, *rec)
	}
	return out, nil
}

// writeParams derives the stored columns from a service document.
func writeParams(svc *catalog.Service) (dbq.ServiceInsertParams, error) {
	doc, err := json.Marshal(svc)
	if err != nil {
		return dbq.ServiceInsertParams{}, err
	}
	html, err := catalog.RenderDescription(svc.Description)
	if err != nil {
		return dbq.ServiceInsertParams{}, err
	}
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return dbq.ServiceInsertParams{
		Slug: svc.Slug, State: svc.State, OfficeSlug: svc.Office,
		Categories: nonNil(svc.Categories), LifeSituations: nonNil(svc.LifeSituations),
		Audiences: nonNil(svc.Audiences), Channels: nonNil(svc.Channels),
		Popularity: int32(svc.Popularity), Doc: doc, DescriptionHtml: html,
	}, nil
}

func (q *Queries) revision(ctx context.Context, tx pgx.Tx, r serviceRow, actor, action string) error {
	return q.gen.ServiceRevisionInsert(ctx, tx, dbq.ServiceRevisionInsertParams{
		Slug: r.Slug, Version: r.Version, State: r.State, Doc: r.Doc, Actor: actor, Action: action,
	})
}

// CreateService stores a new service after checking its references.
func (q *Queries) CreateService(ctx context.Context, svc catalog.Service, actor string) (*catalog.Record, error) {
	var out serviceRow
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		refs, err := q.refs(ctx, tx)
		if err != nil {
			return err
		}
		if refs.Services[svc.Slug] {
			return apperr.New(apperr.Conflict, "a service with slug %q exists already", svc.Slug)
		}
		if fe := svc.Check(refs, "body"); len(fe) > 0 {
			return apperr.InvalidFields("the service refers to things that do not exist", fe...)
		}
		p, err := writeParams(&svc)
		if err != nil {
			return err
		}
		r, err := q.gen.ServiceInsert(ctx, tx, p)
		if err != nil {
			return mapErr(err, onErr{conflict: fmt.Sprintf("a service with slug %q exists already", svc.Slug)})
		}
		out = serviceRow(r)
		return q.revision(ctx, tx, out, actor, ActionCreate)
	})
	if err != nil {
		return nil, err
	}
	return record(out)
}

// UpdateService changes a service under a row lock. When expectVersion is
// not zero and differs from the stored version, nothing changes and the
// error is PreconditionFailed. mutate gets the current record and returns
// the new document, which is checked like a new one.
func (q *Queries) UpdateService(ctx context.Context, slug string, expectVersion int, action, actor string,
	mutate func(cur *catalog.Record) (*catalog.Service, error)) (*catalog.Record, error) {
	var out serviceRow
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		r, err := q.gen.ServiceGetForUpdate(ctx, tx, slug)
		if err != nil {
			return notFound(err, "service %q not found", slug)
		}
		cur, err := record(serviceRow(r))
		if err != nil {
			return err
		}
		if expectVersion != 0 && cur.Version != expectVersion {
			return apperr.New(apperr.PreconditionFailed, "the service was changed by someone else (now version %d); reload it and apply your change again", cur.Version)
		}
		next, err := mutate(cur)
		if err != nil {
			return err
		}
		if next.Slug != slug {
			return apperr.InvalidFields("the slug of a service cannot change", apperr.FieldError{Path: "body.slug", Message: "must stay " + slug})
		}
		refs, err := q.refs(ctx, tx)
		if err != nil {
			return err
		}
		if fe := next.Check(refs, "body"); len(fe) > 0 {
			return apperr.InvalidFields("the service refers to things that do not exist", fe...)
		}
		p, err := writeParams(next)
		if err != nil {
			return err
		}
		u, err := q.gen.ServiceUpdate(ctx, tx, dbq.ServiceUpdateParams{
			Slug: p.Slug, State: p.State, OfficeSlug: p.OfficeSlug, Categories: p.Categories,
			LifeSituations: p.LifeSituations, Audiences: p.Audiences, Channels: p.Channels,
			Popularity: p.Popularity, Doc: p.Doc, DescriptionHtml: p.DescriptionHtml,
		})
		if err != nil {
			return err
		}
		out = serviceRow(u)
		return q.revision(ctx, tx, out, actor, action)
	})
	if err != nil {
		return nil, err
	}
	return record(out)
}

// ImportItem is one service of an import, with the line (JSON array index
// + 1, or CSV line) it came from for error messages.
type ImportItem struct {
	Line    int
	Service catalog.Service
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// ImportServices creates or replaces services, all or nothing: when any
// item is bad, nothing is written and every bad item is reported with its
// line. In a transaction (Store.InTx) it is part of that transaction, so
// a caller can import more with it (the forms) or roll it all back (a dry
// run).
// bad carries the errors the caller found while parsing; they are reported
// together with the ones found here.
func (q *Queries) ImportServices(ctx context.Context, items []ImportItem, bad []apperr.FieldError, actor string) (*ImportResult, error) {
	res := &ImportResult{}
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		refs, err := q.refs(ctx, tx)
		if err != nil {
			return err
		}
		existing := make(map[string]bool, len(refs.Services))
		for k := range refs.Services {
			existing[k] = true
		}
		lineOf := map[string]int{}
		for _, it := range items {
			refs.Services[it.Service.Slug] = true
		}
		for _, it := range items {
			if first, dup := lineOf[it.Service.Slug]; dup {
				bad = append(bad, apperr.FieldError{Line: it.Line, Path: "slug", Message: fmt.Sprintf("slug %q appears twice (first on line %d)", it.Service.Slug, first)})
				continue
			}
			lineOf[it.Service.Slug] = it.Line
			for _, fe := range it.Service.Check(refs, "") {
				fe.Line = it.Line
				bad = append(bad, fe)
			}
		}
		if len(bad) > 0 {
			sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
			return apperr.InvalidFields(fmt.Sprintf("import rejected: %d errors, nothing was changed", len(bad)), bad...)
		}
		for i := range items {
			svc := &items[i].Service
			changed, err := q.upsert(ctx, tx, svc, actor, ActionImport)
			switch {
			case err != nil:
				return err
			case !changed:
				res.Unchanged++
			case existing[svc.Slug]:
				res.Updated++
			default:
				res.Created++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// upsert writes svc unless the stored document is identical; it reports
// whether anything changed.
func (q *Queries) upsert(ctx context.Context, tx pgx.Tx, svc *catalog.Service, actor, action string) (bool, error) {
	p, err := writeParams(svc)
	if err != nil {
		return false, err
	}
	r, err := q.gen.ServiceUpsert(ctx, tx, dbq.ServiceUpsertParams(p))
	if noRows(err) {
		return false, nil // unchanged: the upsert wrote nothing
	}
	if err != nil {
		return false, err
	}
	return true, q.revision(ctx, tx, serviceRow(r), actor, action)
}

// SeedResult counts what Seed did.
type SeedResult struct {
	Offices, Categories, Audiences int
	ImportResult
}

// Seed loads a catalogue bundle in one transaction. It is idempotent:
// loading the same bundle again changes nothing, not even versions.
// Services already in the database but not in the bundle stay as they are,
// so that seeding never destroys an editor's work.
func (q *Queries) Seed(ctx context.Context, b *catalog.Bundle) (*SeedResult, error) {
	res := &SeedResult{}
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		for i, c := range b.Taxonomy.Categories {
			title, _ := json.Marshal(c.Title)
			if err := q.gen.CategoryUpsert(ctx, tx, dbq.CategoryUpsertParams{Slug: c.Slug, Kind: c.Kind, Icon: c.Icon, Title: title, Position: int32(i)}); err != nil {
				return err
			}
			res.Categories++
		}
		for i, a := range b.Taxonomy.Audiences {
			title, _ := json.Marshal(a.Title)
			if err := q.gen.AudienceUpsert(ctx, tx, dbq.AudienceUpsertParams{Slug: a.Slug, Title: title, Position: int32(i)}); err != nil {
				return err
			}
			res.Audiences++
		}
		for _, o := range b.Offices {
			doc, err := json.Marshal(o)
			if err != nil {
				return err
			}
			if err := q.gen.OfficeUpsert(ctx, tx, dbq.OfficeUpsertParams{Slug: o.Slug, Doc: doc}); err != nil {
				return err
			}
			res.Offices++
		}
		existing, err := q.gen.ServiceSlugs(ctx, tx)
		if err != nil {
			return err
		}
		had := map[string]bool{}
		for _, sl := range existing {
			had[sl] = true
		}
		for i := range b.Services {
			changed, err := q.upsert(ctx, tx, &b.Services[i], "seed", ActionSeed)
			switch {
			case err != nil:
				return fmt.Errorf("seeding %s: %w", b.Services[i].Slug, err)
			case !changed:
				res.Unchanged++
			case had[b.Services[i].Slug]:
				res.Updated++
			default:
				res.Created++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Revision is one entry of a service's history.
type Revision struct {
	Version int    `json:"version"`
	State   string `json:"state"`
	Actor   string `json:"actor"`
	Action  string `json:"action"`
	At      string `json:"at"`
}

// Revisions returns the latest 100 changes of a service.
func (q *Queries) Revisions(ctx context.Context, slug string) ([]Revision, error) {
	rows, err := q.gen.ServiceRevisionList(ctx, q.db, slug)
	if err != nil {
		return nil, err
	}
	out := make([]Revision, 0, len(rows))
	for _, r := range rows {
		out = append(out, Revision{Version: int(r.Version), State: r.State, Actor: r.Actor, Action: r.Action, At: r.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")})
	}
	return out, nil
}
