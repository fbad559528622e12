// Package drafts holds the use cases of order drafts: a form filled in
// so far, saved as the person types, resumable on any device and deleted
// after a retention period the person is told.
//
// A draft belongs to an account, or to a guest known by the random id in
// their cookie (stored only as a hash: the id is a bearer credential and
// drafts hold personal data). A guest logs in only at the step that needs
// it, and the login hands the guest's drafts to the account. A guest can
// also mail themselves a "continue later" link (single use, 72 hours)
// that moves the draft to whichever browser opens it.
//
// A draft keeps the form version it started on: publishing a new version
// never invalidates what someone has half filled in. Saves are
// optimistic: each names the revision it was made from (If-Match at the
// edge), and a save from an older revision fails with a Stale error that
// carries the draft as it is now, so the person can choose.
package drafts

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/guest"
	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/store"
)

const (
	// AccountRetention is how long an account's draft is kept after its
	// last change; GuestRetention the same for a guest's, shorter because
	// nobody can be told before it goes.
	AccountRetention = 30 * 24 * time.Hour
	GuestRetention   = 7 * 24 * time.Hour
	// ResumeFor is how long a "continue later" link works.
	ResumeFor = 72 * time.Hour
	// MaxDataBytes bounds a draft's data. Attachments are ids, so even
	// the longest form stays far below.
	MaxDataBytes = 64 << 10
	// MaxDrafts bounds the drafts one owner keeps, so that a script
	// cannot fill the database through guest ids.
	MaxDrafts = 50
	// PruneEvery is how often expired drafts are deleted.
	PruneEvery = time.Hour
)

// Owner is whose draft it is. Owners are made only by Account and Guest,
// so a request cannot name another person's drafts; the zero Owner is
// nobody, who has none.
type Owner struct {
	account   uuid.UUID
	guestHash []byte
}

// Account is the owner of a logged-in account's drafts.
func Account(id uuid.UUID) Owner { return Owner{account: id} }

// Guest is the owner of the drafts of the guest id from the cookie, or
// nobody when id is not one guest.New could have made.
func Guest(id string) Owner {
	if !guest.Valid(id) {
		return Owner{}
	}
	sum := sha256.Sum256([]byte("schalter-guest:" + id))
	return Owner{guestHash: sum[:]}
}

// IsZero reports whether o is nobody.
func (o Owner) IsZero() bool { return o.account == uuid.Nil && o.guestHash == nil }

// IsGuest reports whether o is a guest.
func (o Owner) IsGuest() bool { return o.guestHash != nil }

// Key is the owner as the store keeps it (attachments are owned alike).
func (o Owner) Key() store.DraftOwner { return o.store() }

func (o Owner) store() store.DraftOwner {
	if o.IsGuest() {
		return store.DraftOwner{GuestHash: o.guestHash}
	}
	id := o.account
	return store.DraftOwner{Account: &id}
}

func (o Owner) retention() time.Duration {
	if o.IsGuest() {
		return GuestRetention
	}
	return AccountRetention
}

// Draft is a form filled in so far.
type Draft struct {
	ID          uuid.UUID
	Service     string
	FormVersion int
	Data        json.RawMessage
	// Section is the step the person was at, to resume there.
	Section   string
	Revision  int
	CreatedAt time.Time
	UpdatedAt time.Time
	// ExpiresAt is when the draft is deleted unless changed again;
	// Retention is how long each change keeps it.
	ExpiresAt time.Time
	Retention time.Duration
	Guest     bool
	// Issues are what is not right yet, to show beside the fields; they
	// do not stop a save (a missing field is no issue until submission).
	Issues []apperr.FieldError
}

// Stale is the cause of a PreconditionFailed save: the draft was saved
// from another revision (another device, another tab). Current is the
// draft as it is now.
type Stale struct{ Current *Draft }

func (s *Stale) Error() string { return "the draft was saved elsewhere in the meantime" }

// Service runs the drafts use cases.
type Service struct {
	st    *store.Store
	forms *forms.Service
	// Outbox sends "continue later" links; nil: no mailer configured,
	// and asking for a link is Unavailable.
	Outbox *mail.Outbox
	// PublicURL is where links point (the PWA's origin); City signs mails.
	PublicURL string
	City      string
	// versions spares autosaves a read of the stored draft.
	versions formVersions
}

// New returns the drafts service on st, validating with the forms of f.
func New(st *store.Store, f *forms.Service) *Service {
	return &Service{st: st, forms: f, versions: formVersions{m: map[uuid.UUID]formRef{}}}
}

// formVersions remembers which form version each draft was started on,
// so that an autosave checks the new data without reading the stored
// draft first: the save itself matches owner and revision. It cannot go
// stale: a draft's service and version are written once, by Create
// (saves, adoption and continue-later links change data, revision and
// owner only); a deleted draft's entry only leads to a save that matches
// nothing, answered as without the entry.
type formVersions struct {
	mu sync.Mutex
	m  map[uuid.UUID]formRef
}

type formRef struct {
	service string
	version int
}

// maxFormVersions bounds formVersions (about 100 bytes each).
const maxFormVersions = 100_000

func (c *formVersions) get(id uuid.UUID) (formRef, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[id]
	return r, ok
}

func (c *formVersions) put(d store.Draft) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxFormVersions {
		clear(c.m) // starting over costs one read per draft saved next
	}
	c.m[d.ID] = formRef{d.Service, d.FormVersion}
}

func (c *formVersions) forget(id uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

var errNobody = apperr.New(apperr.Internal, "a draft needs an owner")

// Create starts a draft of the service's published form with what the
// person entered first.
func (s *Service) Create(ctx context.Context, owner Owner, service string, data json.RawMessage, section string) (*Draft, error) {
	if owner.IsZero() {
		return nil, errNobody
	}
	v, err := s.forms.Published(ctx, service)
	if err != nil {
		return nil, err
	}
	form, err := s.forms.Form(ctx, service, v.Number)
	if err != nil {
		return nil, err
	}
	issues, err := check(form, data, section)
	if err != nil {
		return nil, err
	}
	var d store.Draft
	err = s.st.InTx(ctx, func(q *store.Queries) error {
		n, err := q.DraftCount(ctx, owner.store())
		if err != nil {
			return err
		}
		if n >= MaxDrafts {
			return apperr.New(apperr.Conflict, "you have %d drafts already; submit or delete some first", n)
		}
		d, err = q.CreateDraft(ctx, store.Draft{Service: service, FormVersion: v.Number, Owner: owner.store(), Data: data, Section: section,
			ExpiresAt: time.Now().Add(owner.retention())})
		return err
	})
	if err != nil {
		return nil, err
	}
	s.versions.put(d)
	return from(d, issues), nil
}

// Get returns owner's draft, with its issues.
func (s *Service) Get(ctx context.Context, owner Owner, id uuid.UUID) (*Draft, error) {
	if owner.IsZero() {
		return nil, apperr.New(apperr.NotFound, "no such draft")
	}
	d, err := s.st.Draft(ctx, owner.store(), id)
	if err != nil {
		return nil, err
	}
	s.versions.put(d)
	return s.withIssues(ctx, d)
}

// List returns owner's drafts, last changed first, without their data.
func (s *Service) List(ctx context.Context, owner Owner) ([]Draft, error) {
	if owner.IsZero() {
		return []Draft{}, nil
	}
	rows, err := s.st.Drafts(ctx, owner.store())
	if err != nil {
		return nil, err
	}
	out := make([]Draft, 0, len(rows))
	for _, r := range rows {
		d := from(r, nil)
		d.Data = nil
		out = append(out, *d)
	}
	return out, nil
}

// Save writes data and section over revision, the one the person last
// saw. A save from another revision fails with PreconditionFailed caused
// by a *Stale holding the draft as it is now.
func (s *Service) Save(ctx context.Context, owner Owner, id uuid.UUID, revision int, data json.RawMessage, section string) (*Draft, error) {
	if owner.IsZero() {
		return nil, apperr.New(apperr.NotFound, "no such draft")
	}
	// The stored row names the form version; its data needs no check
	// here, and once read the version is known (formVersions).
	ref, known := s.versions.get(id)
	if !known {
		current, err := s.st.Draft(ctx, owner.store(), id)
		if err != nil {
			return nil, err
		}
		s.versions.put(current)
		ref = formRef{current.Service, current.FormVersion}
	}
	form, err := s.forms.Form(ctx, ref.service, ref.version)
	if err != nil {
		return nil, err
	}
	issues, err := check(form, data, section)
	if err != nil {
		if known {
			// Only the owner hears what is wrong with the data; anyone
			// else naming the draft gets NotFound, as without the entry.
			if _, gerr := s.st.Draft(ctx, owner.store(), id); gerr != nil {
				return nil, gerr
			}
		}
		return nil, err
	}
	saved, ok, err := s.st.SaveDraft(ctx, store.Draft{ID: id, Revision: revision, Owner: owner.store(), Data: data, Section: section,
		ExpiresAt: time.Now().Add(owner.retention())})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.stale(ctx, owner, id)
	}
	return from(saved, issues), nil
}

// stale is the error of a save that lost: the draft as it is now, or
// NotFound when it went meanwhile.
func (s *Service) stale(ctx context.Context, owner Owner, id uuid.UUID) error {
	now, err := s.Get(ctx, owner, id)
	if err != nil {
		return err
	}
	return &apperr.Error{Code: apperr.PreconditionFailed, Cause: &Stale{Current: now},
		Message: "this draft was saved on another device or tab in the meantime; choose which version to keep"}
}

// Delete deletes owner's draft.
func (s *Service) Delete(ctx context.Context, owner Owner, id uuid.UUID) error {
	if owner.IsZero() {
		return apperr.New(apperr.NotFound, "no such draft")
	}
	err := s.st.DeleteDraft(ctx, owner.store(), id)
	if err == nil {
		s.versions.forget(id)
	}
	return err
}

// AdoptGuest hands the drafts of the guest whose cookie came with a login
// to the account, and says how many. An invalid or missing guest id
// adopts nothing.
func (s *Service) AdoptGuest(ctx context.Context, guestID string, account uuid.UUID) (int64, error) {
	g := Guest(guestID)
	if g.IsZero() {
		return 0, nil
	}
	return s.st.AdoptGuestDrafts(ctx, g.guestHash, account, time.Now().Add(AccountRetention))
}

// Prune deletes expired drafts and links (the periodic PruneArgs job).
func (s *Service) Prune(ctx context.Context) (int64, error) { return s.st.PruneDrafts(ctx) }

// PruneArgs is the periodic job that runs Prune (a jobs.Chore).
type PruneArgs struct{}

// Kind names the job in River.
func (PruneArgs) Kind() string { return "draft_prune" }

// check is what every write checks: the data's shape and size, the
// section; the issues are for the person, not a refusal.
func check(form *forms.Form, data json.RawMessage, section string) ([]apperr.FieldError, error) {
	if len(data) > MaxDataBytes {
		return nil, apperr.InvalidFields("the draft is too large", apperr.FieldError{Path: "body.data", Message: "must be at most 64 KiB; attachments are uploaded on their own"})
	}
	if !form.HasSection(section) {
		return nil, apperr.InvalidFields("no such section", apperr.FieldError{Path: "body.section", Message: "is not a section of this form"})
	}
	return form.CheckDraft(data, "body.data")
}

// withIssues adds the issues of d's data against its form version.
func (s *Service) withIssues(ctx context.Context, d store.Draft) (*Draft, error) {
	form, err := s.forms.Form(ctx, d.Service, d.FormVersion)
	if err != nil {
		return nil, err
	}
	issues, err := form.CheckDraft(d.Data, "body.data")
	if err != nil {
		// Stored drafts passed this check; a form cannot change under
		// them (versions are written once), so this is a bug.
		return nil, fmt.Errorf("drafts: stored draft %s does not fit form %s v%d: %v", d.ID, d.Service, d.FormVersion, err)
	}
	return from(d, issues), nil
}

func from(d store.Draft, issues []apperr.FieldError) *Draft {
	retention := AccountRetention
	if d.Owner.GuestHash != nil {
		retention = GuestRetention
	}
	if issues == nil {
		issues = []apperr.FieldError{}
	}
	return &Draft{ID: d.ID, Service: d.Service, FormVersion: d.FormVersion, Data: d.Data, Section: d.Section, Revision: d.Revision,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, ExpiresAt: d.ExpiresAt, Retention: retention, Guest: d.Owner.GuestHash != nil, Issues: issues}
}
