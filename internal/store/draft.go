package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// DraftOwner is whose draft it is: an account, or a guest by the hash of
// their guest id. Exactly one is set; internal/drafts makes them.
type DraftOwner struct {
	Account   *uuid.UUID
	GuestHash []byte
}

// Draft is a form filled in so far.
type Draft struct {
	ID          uuid.UUID
	Service     string
	FormVersion int
	Owner       DraftOwner
	Data        []byte
	Section     string
	Revision    int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ExpiresAt   time.Time
}

func draftFrom(r dbq.Draft) Draft {
	return Draft{ID: r.ID, Service: r.ServiceSlug, FormVersion: int(r.FormVersion), Owner: DraftOwner{Account: r.AccountID, GuestHash: r.GuestHash},
		Data: r.Data, Section: r.Section, Revision: int(r.Revision), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ExpiresAt: r.ExpiresAt}
}

var errNoDraft = onErr{notFound: "no such draft"}

// CreateDraft stores a new draft of a form version.
func (q *Queries) CreateDraft(ctx context.Context, d Draft) (Draft, error) {
	r, err := q.gen.DraftInsert(ctx, q.db, dbq.DraftInsertParams{ServiceSlug: d.Service, FormVersion: int32(d.FormVersion),
		AccountID: d.Owner.Account, GuestHash: d.Owner.GuestHash, Data: d.Data, Section: d.Section, ExpiresAt: d.ExpiresAt})
	return draftFrom(r), mapErr(err, onErr{missingRef: "this service has no such form version"})
}

// Draft returns owner's draft id; NotFound when it is someone else's.
func (q *Queries) Draft(ctx context.Context, owner DraftOwner, id uuid.UUID) (Draft, error) {
	r, err := q.gen.DraftGet(ctx, q.db, dbq.DraftGetParams{ID: id, AccountID: owner.Account, GuestHash: owner.GuestHash})
	return draftFrom(r), mapErr(err, errNoDraft)
}

// Drafts lists owner's drafts, last changed first.
func (q *Queries) Drafts(ctx context.Context, owner DraftOwner) ([]Draft, error) {
	rows, err := q.gen.DraftList(ctx, q.db, dbq.DraftListParams{AccountID: owner.Account, GuestHash: owner.GuestHash})
	return convert(rows, draftFrom), mapErr(err, onErr{})
}

// DraftCount counts owner's drafts.
func (q *Queries) DraftCount(ctx context.Context, owner DraftOwner) (int, error) {
	n, err := q.gen.DraftCount(ctx, q.db, dbq.DraftCountParams{AccountID: owner.Account, GuestHash: owner.GuestHash})
	return int(n), mapErr(err, onErr{})
}

// SaveDraft writes data and section over revision d.Revision and returns
// the draft with the next revision. ok is false when the draft is not
// owner's or was saved since (the caller tells the two apart).
func (q *Queries) SaveDraft(ctx context.Context, d Draft) (saved Draft, ok bool, err error) {
	r, err := q.gen.DraftSave(ctx, q.db, dbq.DraftSaveParams{ID: d.ID, Revision: int32(d.Revision), AccountID: d.Owner.Account, GuestHash: d.Owner.GuestHash,
		Data: d.Data, Section: d.Section, ExpiresAt: d.ExpiresAt})
	if noRows(err) {
		return Draft{}, false, nil
	}
	return draftFrom(r), err == nil, mapErr(err, onErr{})
}

// DeleteDraft deletes owner's draft id; NotFound when there is none.
func (q *Queries) DeleteDraft(ctx context.Context, owner DraftOwner, id uuid.UUID) error {
	n, err := q.gen.DraftDelete(ctx, q.db, dbq.DraftDeleteParams{ID: id, AccountID: owner.Account, GuestHash: owner.GuestHash})
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "no such draft")
	}
	return mapErr(err, onErr{})
}

// AdoptGuestDrafts moves every draft of the guest to the account, kept at
// least until expires, and says how many.
func (q *Queries) AdoptGuestDrafts(ctx context.Context, guestHash []byte, account uuid.UUID, expires time.Time) (int64, error) {
	n, err := q.gen.DraftAdoptGuest(ctx, q.db, dbq.DraftAdoptGuestParams{GuestHash: guestHash, AccountID: &account, ExpiresAt: expires})
	return n, mapErr(err, onErr{})
}

// RebindDraft gives draft id to owner, kept until expires.
func (q *Queries) RebindDraft(ctx context.Context, id uuid.UUID, owner DraftOwner, expires time.Time) (Draft, error) {
	r, err := q.gen.DraftRebind(ctx, q.db, dbq.DraftRebindParams{ID: id, AccountID: owner.Account, GuestHash: owner.GuestHash, ExpiresAt: expires})
	return draftFrom(r), mapErr(err, errNoDraft)
}

// AddDraftResume stores the hash of a "continue later" token.
func (q *Queries) AddDraftResume(ctx context.Context, hash []byte, draft uuid.UUID, expires time.Time) error {
	err := q.gen.DraftResumeInsert(ctx, q.db, dbq.DraftResumeInsertParams{Hash: hash, DraftID: draft, ExpiresAt: expires})
	return mapErr(err, onErr{missingRef: "no such draft"})
}

// UseDraftResume spends a "continue later" token and returns its draft;
// an unknown, used or expired token is NotFound.
func (q *Queries) UseDraftResume(ctx context.Context, hash []byte) (uuid.UUID, error) {
	id, err := q.gen.DraftResumeUse(ctx, q.db, hash)
	return id, mapErr(err, onErr{notFound: "this link is not valid any more: it was used already or has expired"})
}

// PruneDrafts deletes expired drafts and "continue later" tokens and says
// how many rows went.
func (q *Queries) PruneDrafts(ctx context.Context) (int64, error) {
	var total int64
	err := q.InTx(ctx, func(q *Queries) error {
		n, err := q.gen.DraftResumePrune(ctx, q.db)
		if err != nil {
			return err
		}
		m, err := q.gen.DraftPrune(ctx, q.db)
		total = n + m
		return err
	})
	return total, err
}

// DraftByID returns a draft whoever owns it (for a spent resume link).
func (q *Queries) DraftByID(ctx context.Context, id uuid.UUID) (Draft, error) {
	r, err := q.gen.DraftByID(ctx, q.db, id)
	return draftFrom(r), mapErr(err, errNoDraft)
}
