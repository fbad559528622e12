package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Profile, consents and the transparency log: the privacy cockpit.
type (
	Profile         = dbq.Profile
	Consent         = dbq.PrefillConsent
	AccessEntry     = dbq.TransparencyLog
	AccessEntryNew  = dbq.TransparencyAppendParams
	ProfilePutInput = dbq.ProfilePutParams
)

// Profile returns an account's profile; an account that never saved one
// gets an empty profile, not an error.
func (s *Store) Profile(ctx context.Context, id uuid.UUID) (Profile, error) {
	p, err := s.q.ProfileGet(ctx, s.pool, id)
	if err == pgx.ErrNoRows {
		return Profile{AccountID: id, NotifyChannels: []string{}}, nil
	}
	return p, err
}

// PutProfile replaces the profile.
func (s *Store) PutProfile(ctx context.Context, in ProfilePutInput) (Profile, error) {
	if in.NotifyChannels == nil {
		in.NotifyChannels = []string{}
	}
	return s.q.ProfilePut(ctx, s.pool, in)
}

// GrantConsent lets the forms of one service read the given fields,
// replacing an earlier consent for that service.
func (s *Store) GrantConsent(ctx context.Context, id uuid.UUID, service string, fields []string) (Consent, error) {
	var c Consent
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := s.q.ConsentRevoke(ctx, tx, dbq.ConsentRevokeParams{AccountID: id, Service: service}); err != nil {
			return err
		}
		var err error
		c, err = s.q.ConsentGrant(ctx, tx, dbq.ConsentGrantParams{AccountID: id, Service: service, Fields: fields})
		return err
	})
	return c, notFound(err, "")
}

// RevokeConsent ends the active consent for a service; NotFound when
// there is none (or it is another account's).
func (s *Store) RevokeConsent(ctx context.Context, id uuid.UUID, service string) error {
	n, err := s.q.ConsentRevoke(ctx, s.pool, dbq.ConsentRevokeParams{AccountID: id, Service: service})
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "no active consent for %q", service)
	}
	return err
}

// Consents lists an account's consents, active and revoked, newest first.
func (s *Store) Consents(ctx context.Context, id uuid.UUID) ([]Consent, error) {
	return s.q.ConsentList(ctx, s.pool, id)
}

// Disclose reads the profile for a form under the active consent of the
// service and records the disclosure in the transparency log, in one
// transaction: no disclosure without its entry. It returns the consented
// fields only; NotFound-free: without consent the profile is not read
// and the consent is nil.
func (s *Store) Disclose(ctx context.Context, id uuid.UUID, service string, entry func(Consent) AccessEntryNew) (*Consent, Profile, error) {
	var (
		c *Consent
		p Profile
	)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		active, err := s.q.ConsentActive(ctx, tx, dbq.ConsentActiveParams{AccountID: id, Service: service})
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		c = &active
		p, err = s.q.ProfileGet(ctx, tx, id)
		if err == pgx.ErrNoRows {
			p, err = Profile{AccountID: id, NotifyChannels: []string{}}, nil
		}
		if err != nil {
			return err
		}
		_, err = s.q.TransparencyAppend(ctx, tx, entry(active))
		return err
	})
	return c, p, err
}

// AppendAccess writes one entry to the transparency log.
func (s *Store) AppendAccess(ctx context.Context, e AccessEntryNew) (AccessEntry, error) {
	return s.q.TransparencyAppend(ctx, s.pool, e)
}

// AccessLog returns a person's entries, newest first, before seq (0: from
// the newest).
func (s *Store) AccessLog(ctx context.Context, subject uuid.UUID, before int64, limit int) ([]AccessEntry, error) {
	return s.q.TransparencyBySubject(ctx, s.pool, dbq.TransparencyBySubjectParams{
		Subject: subject, Before: pgtype.Int8{Int64: before, Valid: before > 0}, Lim: int32(limit)})
}

// AccessChain returns up to limit entries of the whole log after seq, in
// order, for verification.
func (s *Store) AccessChain(ctx context.Context, after int64, limit int) ([]AccessEntry, error) {
	return s.q.TransparencyRange(ctx, s.pool, dbq.TransparencyRangeParams{After: after, Lim: int32(limit)})
}

// AccessAnchor is where the chain of the remaining log entries starts:
// the seq and hash of the last entry removed by retention (0 and empty
// when none was).
func (s *Store) AccessAnchor(ctx context.Context) (int64, []byte, error) {
	a, err := s.q.TransparencyAnchor(ctx, s.pool)
	return a.Seq, a.Hash, err
}

// PruneAccess removes log entries older than before, anchoring the chain
// first; it needs the schema owner's rights.
func (s *Store) PruneAccess(ctx context.Context, before time.Time) (int64, error) {
	return s.q.TransparencyPrune(ctx, s.pool, before)
}
