package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// APIToken is a personal API token (its hash, never the token).
type APIToken struct {
	ID         uuid.UUID
	AccountID  uuid.UUID
	Name       string
	Hash       []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt *time.Time
}

func apiTokenFrom(r dbq.ApiToken) APIToken { return APIToken(r) }

// CreateAPIToken stores a token's hash for an account.
func (q *Queries) CreateAPIToken(ctx context.Context, account uuid.UUID, name string, hash []byte, expires time.Time) (APIToken, error) {
	r, err := q.gen.APITokenCreate(ctx, q.db, dbq.APITokenCreateParams{AccountID: account, Name: name, Hash: hash, ExpiresAt: expires})
	return apiTokenFrom(r), mapErr(err, onErr{missingRef: "no such account"})
}

// APITokens lists an account's tokens, newest first.
func (q *Queries) APITokens(ctx context.Context, account uuid.UUID) ([]APIToken, error) {
	rows, err := q.gen.APITokenList(ctx, q.db, account)
	return convert(rows, apiTokenFrom), mapErr(err, onErr{})
}

// DeleteAPIToken revokes one of the account's tokens; NotFound otherwise.
func (q *Queries) DeleteAPIToken(ctx context.Context, account, id uuid.UUID) error {
	n, err := q.gen.APITokenDelete(ctx, q.db, dbq.APITokenDeleteParams{ID: id, AccountID: account})
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "no such API token")
	}
	return err
}

// UseAPIToken returns the account of a live token with this hash.
func (q *Queries) UseAPIToken(ctx context.Context, hash []byte) (uuid.UUID, error) {
	id, err := q.gen.APITokenUse(ctx, q.db, hash)
	if noRows(err) {
		return uuid.Nil, apperr.New(apperr.Unauthorized, "unknown or expired API token")
	}
	return id, mapErr(err, onErr{})
}
