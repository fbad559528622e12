package store

import (
	"context"
	"time"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// FormVersion is one version of a service's order form. Definition is
// the JSON of a forms.Definition; the store keeps it as written.
type FormVersion struct {
	Service     string
	Version     int
	State       string
	Definition  []byte
	Actor       string
	CreatedAt   time.Time
	PublishedAt *time.Time
}

func formFrom(r dbq.FormVersion) FormVersion {
	return FormVersion{Service: r.ServiceSlug, Version: int(r.Version), State: r.State, Definition: r.Definition,
		Actor: r.Actor, CreatedAt: r.CreatedAt, PublishedAt: r.PublishedAt}
}

func formListFrom(r dbq.FormListRow) FormVersion {
	return FormVersion{Service: r.ServiceSlug, Version: int(r.Version), State: r.State, Actor: r.Actor, CreatedAt: r.CreatedAt, PublishedAt: r.PublishedAt}
}

var errNoForm = onErr{notFound: "no such form version"}

// LockFormService locks a service's row for numbering or publishing its
// form versions (in a transaction); NotFound when there is no service.
func (q *Queries) LockFormService(ctx context.Context, service string) error {
	_, err := q.gen.FormServiceLock(ctx, q.db, service)
	return mapErr(err, onErr{notFound: "no such service"})
}

// AddFormVersion stores the next version of service's form in state
// (draft, or published for the seed) and returns its number. The caller
// holds LockFormService.
func (q *Queries) AddFormVersion(ctx context.Context, service, state string, definition []byte, actor string) (int, error) {
	v, err := q.gen.FormNextVersion(ctx, q.db, service)
	if err != nil {
		return 0, mapErr(err, onErr{})
	}
	err = q.gen.FormInsert(ctx, q.db, dbq.FormInsertParams{ServiceSlug: service, Version: v, State: state, Definition: definition, Actor: actor})
	return int(v), mapErr(err, onErr{conflict: "a form version was added at the same time; try again", missingRef: "no such service"})
}

// FormVersion returns one version of service's form.
func (q *Queries) FormVersion(ctx context.Context, service string, version int) (FormVersion, error) {
	r, err := q.gen.FormGet(ctx, q.db, dbq.FormGetParams{ServiceSlug: service, Version: int32(version)})
	return formFrom(dbq.FormVersion(r)), mapErr(err, errNoForm)
}

// PublishedForm returns the published form of a published service.
func (q *Queries) PublishedForm(ctx context.Context, service string) (FormVersion, error) {
	r, err := q.gen.FormPublished(ctx, q.db, service)
	return formFrom(dbq.FormVersion(r)), mapErr(err, onErr{notFound: "this service has no online form"})
}

// ReleasedForm returns a version of a published service's form that was
// published at some time (the current one or an archived one).
func (q *Queries) ReleasedForm(ctx context.Context, service string, version int) (FormVersion, error) {
	r, err := q.gen.FormReleased(ctx, q.db, dbq.FormReleasedParams{ServiceSlug: service, Version: int32(version)})
	return formFrom(dbq.FormVersion(r)), mapErr(err, onErr{notFound: "this service has no such form version"})
}

// FormVersions lists service's form versions, newest first, without
// their definitions.
func (q *Queries) FormVersions(ctx context.Context, service string) ([]FormVersion, error) {
	rows, err := q.gen.FormList(ctx, q.db, service)
	return convert(rows, formListFrom), mapErr(err, onErr{})
}

// PublishFormVersion publishes a draft version and archives the version
// published before; the caller holds LockFormService. A version that is
// not a draft is a PreconditionFailed: it was published or archived.
func (q *Queries) PublishFormVersion(ctx context.Context, service string, version int) error {
	if _, err := q.FormVersion(ctx, service, version); err != nil {
		return err
	}
	if err := q.gen.FormArchivePublished(ctx, q.db, service); err != nil {
		return mapErr(err, onErr{})
	}
	n, err := q.gen.FormPublish(ctx, q.db, dbq.FormPublishParams{ServiceSlug: service, Version: int32(version)})
	if err == nil && n == 0 {
		return apperr.New(apperr.PreconditionFailed, "version %d is not a draft any more", version)
	}
	return mapErr(err, onErr{})
}

// FormCount is how many versions service's form has.
func (q *Queries) FormCount(ctx context.Context, service string) (int, error) {
	n, err := q.gen.FormCount(ctx, q.db, service)
	return int(n), mapErr(err, onErr{})
}

// CurrentForm returns the published version of service's form, whatever
// the service's state; NotFound when none is published.
func (q *Queries) CurrentForm(ctx context.Context, service string) (FormVersion, error) {
	r, err := q.gen.FormCurrent(ctx, q.db, service)
	return formFrom(r), mapErr(err, onErr{notFound: "this service has no published form"})
}

// CurrentForms returns the published form version of every service, by
// service, whatever the services' states (the catalogue export).
func (q *Queries) CurrentForms(ctx context.Context) ([]FormVersion, error) {
	rows, err := q.gen.FormCurrentAll(ctx, q.db)
	return convert(rows, formFrom), mapErr(err, onErr{})
}

// PublishNewForm stores definition as the next version of service's form,
// published at once, and archives the version published before (the
// catalogue import: the file is what the editors decided). The caller
// holds LockFormService.
func (q *Queries) PublishNewForm(ctx context.Context, service string, definition []byte, actor string) (int, error) {
	if err := q.gen.FormArchivePublished(ctx, q.db, service); err != nil {
		return 0, mapErr(err, onErr{})
	}
	return q.AddFormVersion(ctx, service, "published", definition, actor)
}
