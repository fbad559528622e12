package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// APIToken is a personal API token (its hash, never the token).
type APIToken = dbq.ApiToken

// CreateAPIToken stores a token's hash for an account.
func (s *Store) CreateAPIToken(ctx context.Context, account uuid.UUID, name string, hash []byte, expires time.Time) (APIToken, error) {
	return s.q.APITokenCreate(ctx, s.pool, dbq.APITokenCreateParams{AccountID: account, Name: name, Hash: hash, ExpiresAt: expires})
}

// APITokens lists an account's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, account uuid.UUID) ([]APIToken, error) {
	return s.q.APITokenList(ctx, s.pool, account)
}

// DeleteAPIToken revokes one of the account's tokens; NotFound otherwise.
func (s *Store) DeleteAPIToken(ctx context.Context, account, id uuid.UUID) error {
	n, err := s.q.APITokenDelete(ctx, s.pool, dbq.APITokenDeleteParams{ID: id, AccountID: account})
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "no such API token")
	}
	return err
}

// UseAPIToken returns the account of a live token with this hash.
func (s *Store) UseAPIToken(ctx context.Context, hash []byte) (uuid.UUID, error) {
	id, err := s.q.APITokenUse(ctx, s.pool, hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, apperr.New(apperr.Unauthorized, "unknown or expired API token")
	}
	return id, err
}
