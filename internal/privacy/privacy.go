// Package privacy holds the use cases of the privacy cockpit: a person's
// own profile, consents, transparency log and data export, and the
// look-ups of a person by someone else, which are written to that
// person's transparency log (internal/transparency) in the same
// transaction as the read. The HTTP edge (api) decodes, calls a Service
// and maps its apperr codes; who may see what is decided here, so a
// second edge (a CLI, a job) gets the same rules.
package privacy

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/internal/transparency"
)

// The records of the privacy use cases: the store's domain types, named
// here so the HTTP edge depends on this package, not on the store.
type (
	Profile     = store.Profile
	Consent     = store.Consent
	EIDIdentity = store.EIDIdentity
	Favourite   = store.Favourite
	KnownDevice = store.KnownDevice
	Draft       = store.Draft
	Case        = store.Case
	Document    = store.Document
)

// VerifyLog walks the transparency log's hash chain (administrators:
// the edge checks the role, the walk reads no personal data).
func (s *Service) VerifyLog(ctx context.Context) (transparency.Report, error) {
	return transparency.Verify(ctx, s.q)
}

// Service runs the privacy use cases on the pool, or inside a caller's
// transaction (In).
type Service struct {
	q *store.Queries
	// accounts validates profiles (account.Service.SaveProfile) until
	// that check moves here.
	accounts *account.Service
}

// New returns the service on st; accounts is needed by SaveProfile only.
func New(st *store.Store, accounts *account.Service) *Service {
	return &Service{q: st.Queries, accounts: accounts}
}

// In returns the service bound to a caller's transaction (the q of
// store.InTx): a look-up and its transparency entry then commit or roll
// back with the caller's other writes. SaveProfile does not follow it.
func (s *Service) In(q *store.Queries) *Service {
	return &Service{q: q, accounts: s.accounts}
}

// self refuses a missing caller. A person's own data is addressed by the
// caller's id only, never by a subject named in the request, so another
// resident can at most reach their own (empty) data.
func self(me uuid.UUID) error {
	if me == uuid.Nil {
		return apperr.New(apperr.Unauthorized, "not logged in")
	}
	return nil
}

// Profile returns the caller's profile (empty if never saved).
func (s *Service) Profile(ctx context.Context, me uuid.UUID) (store.Profile, error) {
	if err := self(me); err != nil {
		return store.Profile{}, err
	}
	return s.q.Profile(ctx, me)
}

// SaveProfile checks and replaces the caller's profile.
func (s *Service) SaveProfile(ctx context.Context, me uuid.UUID, in account.ProfileInput) (store.Profile, error) {
	if err := self(me); err != nil {
		return store.Profile{}, err
	}
	return s.accounts.SaveProfile(ctx, me, in)
}

// Consents lists the caller's consents, active and revoked, newest first.
func (s *Service) Consents(ctx context.Context, me uuid.UUID) ([]store.Consent, error) {
	if err := self(me); err != nil {
		return nil, err
	}
	return s.q.Consents(ctx, me)
}

// RevokeConsent ends the caller's active consent for a service; NotFound
// when the caller has none, whoever else may have one.
func (s *Service) RevokeConsent(ctx context.Context, me uuid.UUID, service string) error {
	if err := self(me); err != nil {
		return err
	}
	return s.q.RevokeConsent(ctx, me, service)
}

// Entry is a transparency log entry and whether its tamper seal holds.
type Entry struct {
	store.AccessEntry
	Sealed bool
}

func entriesOf(es []store.AccessEntry) []Entry {
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = Entry{AccessEntry: e, Sealed: transparency.Sealed(e)}
	}
	return out
}

// AccessPage is a page of a person's transparency log, newest first.
type AccessPage struct {
	Entries []Entry
	// NextBefore is the before of the next page; 0 on the last page.
	NextBefore int64
}

// AccessLog returns up to limit of the caller's entries older than
// before (0: from the newest).
func (s *Service) AccessLog(ctx context.Context, me uuid.UUID, before int64, limit int) (AccessPage, error) {
	if err := self(me); err != nil {
		return AccessPage{}, err
	}
	if limit < 1 {
		return AccessPage{}, apperr.InvalidFields("limit must be at least 1", apperr.FieldError{Path: "query.limit", Message: "must be at least 1"})
	}
	// One entry more than asked tells whether another page follows
	// without a count over the whole log.
	es, err := s.q.AccessLog(ctx, me, before, limit+1)
	if err != nil {
		return AccessPage{}, err
	}
	page := AccessPage{}
	if len(es) > limit {
		es = es[:limit]
		page.NextBefore = es[limit-1].Seq
	}
	page.Entries = entriesOf(es)
	return page, nil
}

// AccountView is an account as an administrator sees it.
type AccountView struct {
	Account *store.Account
	Roles   []store.Role
}

// access says what a look-up shows and why, for the transparency log.
type access struct {
	data                []string
	purpose, legalBasis string
}

// roleManagement is why administrators look accounts up.
var roleManagement = access{data: []string{"E-Mail-Adresse", "Rollen"}, purpose: "Zugriffsrechte verwalten",
	legalBasis: "Informationssicherheit: Verwaltung der Benutzerrollen durch die Administration"}

// AccountByEmail is an administrator's look-up of an account by its
// normalized address (account.NormalizeEmail), written to the person's
// transparency log.
func (s *Service) AccountByEmail(ctx context.Context, admin uuid.UUID, normalized string) (AccountView, error) {
	return s.lookUp(ctx, admin, func(q *store.Queries) (*store.Account, error) { return q.AccountByEmail(ctx, normalized) })
}

// AccountByID is an administrator's look-up of an account by its id,
// written to the person's transparency log.
func (s *Service) AccountByID(ctx context.Context, admin, id uuid.UUID) (AccountView, error) {
	return s.lookUp(ctx, admin, func(q *store.Queries) (*store.Account, error) { return q.AccountByID(ctx, id) })
}

// lookUp shows an account and its roles to an administrator. The reads
// and the transparency entry share one transaction, so no look-up is
// returned without its entry and no entry stays for a look-up that
// failed or whose caller's transaction rolled back.
func (s *Service) lookUp(ctx context.Context, admin uuid.UUID, find func(q *store.Queries) (*store.Account, error)) (AccountView, error) {
	var v AccountView
	err := s.q.InTx(ctx, func(q *store.Queries) error {
		actor, err := authorize(ctx, q, admin, account.RoleAdmin)
		if err != nil {
			return err
		}
		acc, err := find(q)
		if err != nil {
			return err
		}
		roles, err := q.Roles(ctx, acc.ID)
		if err != nil {
			return err
		}
		if err := recordAccess(ctx, q, actor, acc.ID, roleManagement); err != nil {
			return err
		}
		v = AccountView{Account: acc, Roles: roles}
		return nil
	})
	if err != nil {
		return AccountView{}, err
	}
	return v, nil
}

// authorize returns the caller's account if it holds role. The edge
// checks roles too (huma security); checking again here keeps a person's
// data closed to any other caller of the use case.
func authorize(ctx context.Context, q *store.Queries, id uuid.UUID, role string) (*store.Account, error) {
	if err := self(id); err != nil {
		return nil, err
	}
	roles, err := q.Roles(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(roles, func(r store.Role) bool { return r.Role == role }) {
		return nil, apperr.New(apperr.Forbidden, "only an %s may look accounts up", role)
	}
	return q.AccountByID(ctx, id)
}

// recordAccess writes a staff member's read of a person's data to the
// person's transparency log. q must be the transaction of the read, so
// that the two commit together.
func recordAccess(ctx context.Context, q *store.Queries, staff *store.Account, subject uuid.UUID, a access) error {
	_, err := q.AppendAccess(ctx, store.AccessEntryNew{Subject: subject, ActorKind: transparency.ActorStaff, Actor: staff.Email,
		Action: transparency.ActionRead, Data: a.data, Purpose: a.purpose, LegalBasis: a.legalBasis})
	return err
}
