package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Profile is what a person chose to give; every field is optional.
type Profile struct {
	AccountID      uuid.UUID
	GivenName      *string
	FamilyName     *string
	Street         *string
	PostalCode     *string
	Locality       *string
	Country        *string
	Phone          *string
	Language       *string
	NotifyChannels []string
	UpdatedAt      time.Time
}

// ProfilePutInput replaces a profile.
type ProfilePutInput struct {
	AccountID      uuid.UUID
	GivenName      *string
	FamilyName     *string
	Street         *string
	PostalCode     *string
	Locality       *string
	Country        *string
	Phone          *string
	Language       *string
	NotifyChannels []string
}

// Consent lets the forms of one service read some profile fields.
type Consent struct {
	ID        uuid.UUID
	AccountID uuid.UUID
	Service   string
	Fields    []string
	GrantedAt time.Time
	RevokedAt *time.Time
}

// AccessEntry is one entry of the transparency log, with its place in
// the hash chain.
type AccessEntry struct {
	Seq        int64
	Subject    uuid.UUID
	OccurredAt time.Time
	ActorKind  string
	Actor      string
	Office     *string
	Action     string
	Data       []string
	Purpose    string
	LegalBasis string
	PrevHash   []byte
	Hash       []byte
}

// AccessEntryNew is an entry to append; seq, time and hashes are set by
// the database's chain trigger.
type AccessEntryNew struct {
	Subject    uuid.UUID
	ActorKind  string
	Actor      string
	Office     *string
	Action     string
	Data       []string
	Purpose    string
	LegalBasis string
}

func profileFrom(p dbq.Profile) Profile                 { return Profile(p) }
func consentFrom(c dbq.PrefillConsent) Consent          { return Consent(c) }
func accessEntryFrom(e dbq.TransparencyLog) AccessEntry { return AccessEntry(e) }

// Profile returns an account's profile; an account that never saved one
// gets an empty profile, not an error.
func (q *Queries) Profile(ctx context.Context, id uuid.UUID) (Profile, error) {
	p, err := q.gen.ProfileGet(ctx, q.db, id)
	if noRows(err) {
		return Profile{AccountID: id, NotifyChannels: []string{}}, nil
	}
	return profileFrom(p), mapErr(err, onErr{})
}

// PutProfile replaces the profile.
func (q *Queries) PutProfile(ctx context.Context, in ProfilePutInput) (Profile, error) {
	if in.NotifyChannels == nil {
		in.NotifyChannels = []string{}
	}
	p, err := q.gen.ProfilePut(ctx, q.db, dbq.ProfilePutParams(in))
	return profileFrom(p), mapErr(err, onErr{missingRef: "no such account"})
}

// GrantConsent lets the forms of one service read the given fields,
// replacing an earlier consent for that service.
func (q *Queries) GrantConsent(ctx context.Context, id uuid.UUID, service string, fields []string) (Consent, error) {
	var c dbq.PrefillConsent
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := q.gen.ConsentRevoke(ctx, tx, dbq.ConsentRevokeParams{AccountID: id, Service: service}); err != nil {
			return err
		}
		var err error
		c, err = q.gen.ConsentGrant(ctx, tx, dbq.ConsentGrantParams{AccountID: id, Service: service, Fields: fields})
		return err
	})
	return consentFrom(c), mapErr(err, onErr{missingRef: "no such account"})
}

// RevokeConsent ends the active consent for a service; NotFound when
// there is none (or it is another account's).
func (q *Queries) RevokeConsent(ctx context.Context, id uuid.UUID, service string) error {
	n, err := q.gen.ConsentRevoke(ctx, q.db, dbq.ConsentRevokeParams{AccountID: id, Service: service})
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "no active consent for %q", service)
	}
	return mapErr(err, onErr{})
}

// Consents lists an account's consents, active and revoked, newest first.
func (q *Queries) Consents(ctx context.Context, id uuid.UUID) ([]Consent, error) {
	rows, err := q.gen.ConsentList(ctx, q.db, id)
	return convert(rows, consentFrom), mapErr(err, onErr{})
}

// ActiveConsent returns the active consent of an account for a service;
// nil when there is none.
func (q *Queries) ActiveConsent(ctx context.Context, id uuid.UUID, service string) (*Consent, error) {
	c, err := q.gen.ConsentActive(ctx, q.db, dbq.ConsentActiveParams{AccountID: id, Service: service})
	if noRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err, onErr{})
	}
	out := consentFrom(c)
	return &out, nil
}

// EarlierCase is the person's last case of a service: what a form may
// reuse.
type EarlierCase struct {
	Number      string
	SubmittedAt time.Time
	Data        []byte
}

// LastCase returns the account's last case of service, or nil without one.
func (q *Queries) LastCase(ctx context.Context, id uuid.UUID, service string) (*EarlierCase, error) {
	r, err := q.gen.PrefillLastCase(ctx, q.db, dbq.PrefillLastCaseParams{AccountID: &id, ServiceSlug: service})
	if noRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err, onErr{})
	}
	return &EarlierCase{Number: r.Number, SubmittedAt: r.SubmittedAt, Data: r.Data}, nil
}

// AppendAccess writes one entry to the transparency log. Inside InTx it
// is part of the transaction of what it records: the read and its entry
// commit together or not at all.
func (q *Queries) AppendAccess(ctx context.Context, e AccessEntryNew) (AccessEntry, error) {
	r, err := q.gen.TransparencyAppend(ctx, q.db, dbq.TransparencyAppendParams(e))
	return accessEntryFrom(r), mapErr(err, onErr{})
}

// AccessLog returns a person's entries, newest first, before seq (0: from
// the newest).
func (q *Queries) AccessLog(ctx context.Context, subject uuid.UUID, before int64, limit int) ([]AccessEntry, error) {
	var from *int64
	if before > 0 {
		from = &before
	}
	rows, err := q.gen.TransparencyBySubject(ctx, q.db, dbq.TransparencyBySubjectParams{Subject: subject, Before: from, Lim: int32(limit)})
	return convert(rows, accessEntryFrom), mapErr(err, onErr{})
}

// AccessChain returns up to limit entries of the whole log after seq, in
// order, for verification.
func (q *Queries) AccessChain(ctx context.Context, after int64, limit int) ([]AccessEntry, error) {
	rows, err := q.gen.TransparencyRange(ctx, q.db, dbq.TransparencyRangeParams{After: after, Lim: int32(limit)})
	return convert(rows, accessEntryFrom), mapErr(err, onErr{})
}

// AccessAnchor is where the chain of the remaining log entries starts:
// the seq and hash of the last entry removed by retention (0 and empty
// when none was).
func (q *Queries) AccessAnchor(ctx context.Context) (int64, []byte, error) {
	a, err := q.gen.TransparencyAnchor(ctx, q.db)
	return a.Seq, a.Hash, mapErr(err, onErr{})
}

// PruneAccess removes log entries older than before, anchoring the chain
// first; it needs the schema owner's rights.
func (q *Queries) PruneAccess(ctx context.Context, before time.Time) (int64, error) {
	n, err := q.gen.TransparencyPrune(ctx, q.db, before)
	return n, mapErr(err, onErr{})
}
