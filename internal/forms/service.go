package forms

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
)

// Version is one version of a service's form.
type Version struct {
	Service     string
	Number      int
	State       string // draft, published, archived
	Definition  Definition
	Actor       string
	CreatedAt   time.Time
	PublishedAt *time.Time
}

// Service runs the forms' use cases on the store: editors add versions
// and publish one; residents read the published one; drafts and cases
// validate against the version they started on.
type Service struct {
	st *store.Store
	// profileFields are what prefill may name (account.ProfileFields).
	profileFields []string

	// compiled caches checked forms by service and version: a version
	// never changes once written, so the cache needs no invalidation.
	mu       sync.Mutex
	compiled map[versionKey]*Form
}

type versionKey struct {
	service string
	version int
}

// New returns the forms service on st; profileFields are the profile
// fields a form may prefill from.
func New(st *store.Store, profileFields []string) *Service {
	return &Service{st: st, profileFields: slices.Clone(profileFields), compiled: map[versionKey]*Form{}}
}

// Create checks def and stores it as the next version of service's form,
// a draft until Publish. Errors name fields under "body".
func (s *Service) Create(ctx context.Context, service string, def Definition, actor string) (*Version, error) {
	if _, err := Compile(def, s.profileFields, "body"); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(def)
	if err != nil {
		return nil, err
	}
	var n int
	err = s.st.InTx(ctx, func(q *store.Queries) error {
		if err := q.LockFormService(ctx, service); err != nil {
			return err
		}
		n, err = q.AddFormVersion(ctx, service, "draft", raw, actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Version(ctx, service, n)
}

// Publish publishes a draft version; the version published before is
// archived in the same transaction, so residents always see exactly one.
func (s *Service) Publish(ctx context.Context, service string, version int) (*Version, error) {
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		if err := q.LockFormService(ctx, service); err != nil {
			return err
		}
		return q.PublishFormVersion(ctx, service, version)
	})
	if err != nil {
		return nil, err
	}
	return s.Version(ctx, service, version)
}

// Versions lists service's versions, newest first, without definitions.
func (s *Service) Versions(ctx context.Context, service string) ([]Version, error) {
	rows, err := s.st.FormVersions(ctx, service)
	if err != nil {
		return nil, err
	}
	out := make([]Version, 0, len(rows))
	for _, r := range rows {
		out = append(out, Version{Service: r.Service, Number: r.Version, State: r.State, Actor: r.Actor, CreatedAt: r.CreatedAt, PublishedAt: r.PublishedAt})
	}
	return out, nil
}

// Version returns one version with its definition.
func (s *Service) Version(ctx context.Context, service string, version int) (*Version, error) {
	r, err := s.st.FormVersion(ctx, service, version)
	if err != nil {
		return nil, err
	}
	return versionFrom(r)
}

// Published returns the form residents fill for a published service;
// NotFound when it has none (its page then says how to get it otherwise).
func (s *Service) Published(ctx context.Context, service string) (*Version, error) {
	r, err := s.st.PublishedForm(ctx, service)
	if err != nil {
		return nil, err
	}
	return versionFrom(r)
}

// Released returns version of a published service's form if residents
// were ever given it (published now or archived since): a draft started on
// it is shown and checked in that version. Editors' unpublished versions
// are NotFound.
func (s *Service) Released(ctx context.Context, service string, version int) (*Version, error) {
	r, err := s.st.ReleasedForm(ctx, service, version)
	if err != nil {
		return nil, err
	}
	return versionFrom(r)
}

// Form returns version of service's form, checked and ready to validate.
func (s *Service) Form(ctx context.Context, service string, version int) (*Form, error) {
	k := versionKey{service, version}
	s.mu.Lock()
	f := s.compiled[k]
	s.mu.Unlock()
	if f != nil {
		return f, nil
	}
	v, err := s.Version(ctx, service, version)
	if err != nil {
		return nil, err
	}
	f, err = Compile(v.Definition, s.profileFields, "definition")
	if err != nil {
		// Stored versions were checked when written; one that fails now
		// was written by an older Schalter with looser rules. That is the
		// city's to mend (a new version), not the resident's: %v, not %w,
		// so the field errors do not become the resident's 422.
		return nil, fmt.Errorf("forms: stored version %d of %s no longer compiles: %v", version, service, err)
	}
	s.mu.Lock()
	s.compiled[k] = f
	s.mu.Unlock()
	return f, nil
}

// Preview validates sample data against a version, as a submission
// would be: editors try a draft before publishing it.
func (s *Service) Preview(ctx context.Context, service string, version int, data json.RawMessage) error {
	f, err := s.Form(ctx, service, version)
	if err != nil {
		return err
	}
	return f.Validate(data, "body.data")
}

// Seed gives every service of the seed tree (db.SeedFS) that has a form
// there and no form yet its form as published version 1, and publishes a
// changed seed file as the next version where the seed's own version is
// still the latest; services whose form editors changed are left alone.
// It returns how many versions it added.
func (s *Service) Seed(ctx context.Context, fsys fs.FS) (int, error) {
	defs, err := LoadSeed(fsys)
	if err != nil {
		return 0, err
	}
	added := 0
	for _, slug := range slices.Sorted(maps.Keys(defs)) {
		if _, err := Compile(defs[slug], s.profileFields, SeedDir+"/"+slug+".json"); err != nil {
			return added, err
		}
		raw, err := json.Marshal(defs[slug])
		if err != nil {
			return added, err
		}
		fresh := false
		err = s.st.InTx(ctx, func(q *store.Queries) error {
			if err := q.LockFormService(ctx, slug); err != nil {
				return err
			}
			versions, err := q.FormVersions(ctx, slug)
			if err != nil {
				return err
			}
			if len(versions) == 0 {
				fresh = true
				_, err := q.AddFormVersion(ctx, slug, "published", raw, SeedActor)
				return err
			}
			// A newer seed file replaces a form the seed itself published,
			// as long as no editor added a version since: a demo database
			// made by an older release gets the forms (and rules) of this one.
			if latest := versions[0]; latest.Actor != SeedActor || latest.State != "published" {
				return nil
			}
			current, err := q.CurrentForm(ctx, slug)
			if err != nil || sameDefinition(current.Definition, raw) {
				return err
			}
			fresh = true
			_, err = q.PublishNewForm(ctx, slug, raw, SeedActor)
			return err
		})
		if err != nil {
			return added, fmt.Errorf("seeding the form of %s: %w", slug, err)
		}
		if fresh {
			added++
		}
	}
	return added, nil
}

func versionFrom(r store.FormVersion) (*Version, error) {
	v := &Version{Service: r.Service, Number: r.Version, State: r.State, Actor: r.Actor, CreatedAt: r.CreatedAt, PublishedAt: r.PublishedAt}
	if err := json.Unmarshal(r.Definition, &v.Definition); err != nil {
		return nil, apperr.New(apperr.Internal, "stored form version %d of %s is not readable", r.Version, r.Service)
	}
	return v, nil
}

// SeedActor names the versions the demo seed publishes.
const SeedActor = "seed"
