package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// EIDIdentity is a state eID identity linked to an account: the
// provider's issuer and subject, and the acr of the last login with it.
type EIDIdentity struct {
	ID         uuid.UUID
	Account    uuid.UUID
	Issuer     string
	Subject    string
	ACR        string
	LinkedAt   time.Time
	LastUsedAt time.Time
}

func eidFrom(r dbq.AccountEid) EIDIdentity {
	return EIDIdentity{ID: r.ID, Account: r.AccountID, Issuer: r.Issuer, Subject: r.Subject, ACR: r.Acr, LinkedAt: r.LinkedAt, LastUsedAt: r.LastUsedAt}
}

// errEIDTaken is the answer to a link that collides with an existing one
// (the identity is linked, or the account has one of this provider): the
// domain checks both before and reports them precisely; this covers two
// requests racing each other.
var errEIDTaken = apperr.New(apperr.Conflict, "this eID identity or this account is linked already")

// EIDByIdentity finds the link of an identity.
func (q *Queries) EIDByIdentity(ctx context.Context, issuer, subject string) (*EIDIdentity, error) {
	r, err := q.gen.EIDByIdentity(ctx, q.db, dbq.EIDByIdentityParams{Issuer: issuer, Subject: subject})
	if err != nil {
		return nil, notFound(err, "no account has this eID identity")
	}
	e := eidFrom(r)
	return &e, nil
}

// EIDs lists the identities linked to an account, oldest first.
func (q *Queries) EIDs(ctx context.Context, account uuid.UUID) ([]EIDIdentity, error) {
	rows, err := q.gen.EIDList(ctx, q.db, account)
	if err != nil {
		return nil, err
	}
	out := make([]EIDIdentity, 0, len(rows))
	for _, r := range rows {
		out = append(out, eidFrom(r))
	}
	return out, nil
}

// LinkEID links an identity to an account.
func (q *Queries) LinkEID(ctx context.Context, account uuid.UUID, issuer, subject, acr string) error {
	return q.linkEID(ctx, q.db, account, issuer, subject, acr)
}

func (q *Queries) linkEID(ctx context.Context, db dbq.DBTX, account uuid.UUID, issuer, subject, acr string) error {
	_, err := q.gen.EIDLink(ctx, db, dbq.EIDLinkParams{AccountID: account, Issuer: issuer, Subject: subject, Acr: acr})
	if noRows(err) {
		return errEIDTaken
	}
	return mapErr(err, onErr{})
}

// TouchEID records a login with an identity and its acr.
func (q *Queries) TouchEID(ctx context.Context, id uuid.UUID, acr string) error {
	return q.gen.EIDTouch(ctx, q.db, dbq.EIDTouchParams{ID: id, Acr: acr})
}

// UnlinkEID removes one of the account's identities; another account's is
// not found.
func (q *Queries) UnlinkEID(ctx context.Context, account, id uuid.UUID) error {
	n, err := q.gen.EIDUnlink(ctx, q.db, dbq.EIDUnlinkParams{ID: id, AccountID: account})
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "no such eID identity on this account")
	}
	return err
}

// CreateAccountWithEID opens an account without a password for an eID
// identity, in one transaction: an address in use or an identity linked
// meanwhile is a Conflict and creates nothing.
func (q *Queries) CreateAccountWithEID(ctx context.Context, email, normalized string, verifiedAt *time.Time, issuer, subject, acr string) (*Account, error) {
	var acc *Account
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		r, err := q.gen.AccountCreate(ctx, tx, dbq.AccountCreateParams{Email: email, EmailNormalized: normalized, EmailVerifiedAt: verifiedAt})
		if err != nil {
			return mapErr(err, errAddressTaken)
		}
		acc = &Account{ID: r.ID, Email: email, EmailVerifiedAt: verifiedAt, CreatedAt: r.CreatedAt}
		return q.linkEID(ctx, tx, acc.ID, issuer, subject, acr)
	})
	if err != nil {
		return nil, err
	}
	return acc, nil
}
