package account

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
)

// APITokenPrefix starts every personal API token, so secret scanners and
// people recognise one.
const APITokenPrefix = "sch_"

// CreateAPIToken gives an editor or administrator a bearer token for
// scripts, valid for days (1–365). The token is returned once; only its
// hash is stored. Residents and staff have no use for one (403).
func (s *Service) CreateAPIToken(ctx context.Context, id uuid.UUID, name string, days int) (string, store.APIToken, error) {
	name = strings.TrimSpace(name)
	var errs []apperr.FieldError
	if n := utf8.RuneCountInString(name); n < 1 || n > 60 {
		errs = append(errs, apperr.FieldError{Path: "body.name", Message: "1 to 60 characters, e.g. the script's name"})
	}
	if days < 1 || days > 365 {
		errs = append(errs, apperr.FieldError{Path: "body.expires_in_days", Message: "between 1 and 365 days"})
	}
	if len(errs) > 0 {
		return "", store.APIToken{}, apperr.InvalidFields("invalid API token", errs...)
	}
	if ok, err := s.IsEditor(ctx, id); err != nil || !ok {
		if err == nil {
			err = apperr.New(apperr.Forbidden, "API tokens are for editors and administrators")
		}
		return "", store.APIToken{}, err
	}
	random, _ := NewToken()
	token := APITokenPrefix + random
	hash := HashToken(token)
	var t store.APIToken
	err := s.withNotice(ctx, id, "api_token_created", func(q *store.Queries) error {
		var err error
		t, err = q.CreateAPIToken(ctx, id, name, hash, time.Now().Add(time.Duration(days)*24*time.Hour))
		return err
	})
	if err != nil {
		return "", store.APIToken{}, err
	}
	return token, t, nil
}

// APITokenAccount returns the account behind a live API token.
func (s *Service) APITokenAccount(ctx context.Context, token string) (uuid.UUID, error) {
	if !strings.HasPrefix(token, APITokenPrefix) {
		return uuid.Nil, apperr.New(apperr.Unauthorized, "not an API token")
	}
	return s.Store.UseAPIToken(ctx, HashToken(token))
}

// IsEditor reports whether an account may change the catalogue (editor
// or administrator).
func (s *Service) IsEditor(ctx context.Context, id uuid.UUID) (bool, error) {
	roles, err := s.Store.Roles(ctx, id)
	if err != nil {
		return false, err
	}
	for _, r := range roles {
		if r.Role == RoleEditor || r.Role == RoleAdmin {
			return true, nil
		}
	}
	return false, nil
}
