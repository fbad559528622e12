package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Account is a stored account.
type Account struct {
	ID              uuid.UUID
	Email           string
	EmailVerifiedAt *time.Time
	PasswordHash    string
	CreatedAt       time.Time
}

// Role is a role beyond resident; Office is set for staff.
type Role struct {
	Role   string
	Office string
}

// CreateAccount stores a new account with its roles, in one transaction;
// an address in use is a Conflict, an unknown office Invalid.
func (s *Store) CreateAccount(ctx context.Context, email, normalized, passwordHash string, verifiedAt *time.Time, roles ...Role) (*Account, error) {
	var hash *string
	if passwordHash != "" {
		hash = &passwordHash
	}
	var acc *Account
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := s.q.AccountCreate(ctx, tx, dbq.AccountCreateParams{Email: email, EmailNormalized: normalized, EmailVerifiedAt: verifiedAt, PasswordHash: hash})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.Conflict, "an account with this e-mail address exists already")
		}
		if err != nil {
			return err
		}
		acc = &Account{ID: r.ID, Email: email, EmailVerifiedAt: verifiedAt, PasswordHash: passwordHash, CreatedAt: r.CreatedAt}
		for _, role := range roles {
			if err := s.grantRole(ctx, tx, acc.ID, role); err != nil {
				return err
			}
		}
		return nil
	})
	return acc, err
}

// AccountByEmail finds an account by its normalised address.
func (s *Store) AccountByEmail(ctx context.Context, normalized string) (*Account, error) {
	r, err := s.q.AccountByEmail(ctx, s.pool, normalized)
	if err != nil {
		return nil, notFound(err, "no such account")
	}
	return accountFrom(r), nil
}

func accountFrom(r dbq.AccountByEmailRow) *Account {
	a := &Account{ID: r.ID, Email: r.Email, EmailVerifiedAt: r.EmailVerifiedAt, CreatedAt: r.CreatedAt}
	if r.PasswordHash != nil {
		a.PasswordHash = *r.PasswordHash
	}
	return a
}

// grantRole gives an account a role (idempotent).
func (s *Store) grantRole(ctx context.Context, db dbq.DBTX, id uuid.UUID, role Role) error {
	var office *string
	if role.Office != "" {
		office = &role.Office
	}
	err := s.q.AccountRoleGrant(ctx, db, dbq.AccountRoleGrantParams{AccountID: id, Role: role.Role, OfficeSlug: office})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return apperr.InvalidFields("unknown office", apperr.FieldError{Path: "office", Message: fmt.Sprintf("no office %q", role.Office)})
	}
	return err
}

// Roles lists an account's roles.
func (s *Store) Roles(ctx context.Context, id uuid.UUID) ([]Role, error) {
	rows, err := s.q.AccountRoles(ctx, s.pool, id)
	if err != nil {
		return nil, err
	}
	out := make([]Role, 0, len(rows))
	for _, r := range rows {
		role := Role{Role: r.Role}
		if r.OfficeSlug != nil {
			role.Office = *r.OfficeSlug
		}
		out = append(out, role)
	}
	return out, nil
}

// AccountByID finds an account.
func (s *Store) AccountByID(ctx context.Context, id uuid.UUID) (*Account, error) {
	r, err := s.q.AccountByID(ctx, s.pool, id)
	if err != nil {
		return nil, notFound(err, "no such account")
	}
	return accountFrom(dbq.AccountByEmailRow(r)), nil
}

// CreateEmailToken stores the hash of a single-use e-mail token.
func (s *Store) CreateEmailToken(ctx context.Context, hash []byte, id uuid.UUID, purpose string, expires time.Time) error {
	return s.q.EmailTokenCreate(ctx, s.pool, dbq.EmailTokenCreateParams{Hash: hash, AccountID: id, Purpose: purpose, ExpiresAt: expires})
}

// VerifyEmail uses a verification token and marks the address verified,
// in one transaction. A used, expired or unknown token is Invalid.
func (s *Store) VerifyEmail(ctx context.Context, hash []byte) (uuid.UUID, error) {
	var id uuid.UUID
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		id, err = s.q.EmailTokenUse(ctx, tx, dbq.EmailTokenUseParams{Hash: hash, Purpose: "verify"})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.InvalidFields("this link is not valid any more", apperr.FieldError{Path: "body.token", Message: "unknown, used or expired"})
		}
		if err != nil {
			return err
		}
		return s.q.AccountVerifyEmail(ctx, tx, id)
	})
	return id, err
}

// SetPasswordWithToken uses a reset token and sets a new password hash,
// in one transaction; a used, expired or unknown token is Invalid.
func (s *Store) SetPasswordWithToken(ctx context.Context, tokenHash []byte, passwordHash string) (uuid.UUID, error) {
	var id uuid.UUID
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		id, err = s.q.EmailTokenUseReset(ctx, tx, tokenHash)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.InvalidFields("this link is not valid any more", apperr.FieldError{Path: "body.token", Message: "unknown, used or expired"})
		}
		if err != nil {
			return err
		}
		return s.q.AccountSetPassword(ctx, tx, dbq.AccountSetPasswordParams{ID: id, PasswordHash: &passwordHash})
	})
	return id, err
}

// CreateEmailChangeToken stores a link token that moves the account to
// a new address.
func (s *Store) CreateEmailChangeToken(ctx context.Context, hash []byte, id uuid.UUID, typed string, expires time.Time) error {
	return s.q.EmailChangeTokenCreate(ctx, s.pool, dbq.EmailChangeTokenCreateParams{Hash: hash, AccountID: id, ExpiresAt: expires, NewEmail: &typed})
}

// ChangeEmailWithToken uses an e-mail-change token once and sets the new
// address (verified: the link reached it). It returns the account and the
// old and the new address; an address taken in the meantime is a
// Conflict.
func (s *Store) ChangeEmailWithToken(ctx context.Context, tokenHash []byte, normalize func(string) string) (id uuid.UUID, old, email string, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		row, err := s.q.EmailChangeTokenUse(ctx, tx, tokenHash)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.InvalidFields("this link is not valid any more", apperr.FieldError{Path: "body.token", Message: "unknown, used or expired"})
		}
		if err != nil {
			return err
		}
		id, email = row.AccountID, row.NewEmail
		acc, err := s.q.AccountByID(ctx, tx, id)
		if err != nil {
			return err
		}
		old = acc.Email
		err = s.q.AccountSetEmail(ctx, tx, dbq.AccountSetEmailParams{ID: id, Email: email, EmailNormalized: normalize(email)})
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return apperr.New(apperr.Conflict, "this address belongs to another account by now")
		}
		return err
	})
	return id, old, email, err
}

// DeleteAccount removes an account and, through foreign keys, its roles,
// second factors, passkeys, tokens and devices; its favourites (kept under a tagged
// owner, not a foreign key) go in the same transaction.
func (s *Store) DeleteAccount(ctx context.Context, id uuid.UUID) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.q.FavouritesDropOwner(ctx, tx, "account:"+id.String()); err != nil {
			return err
		}
		n, err := s.q.AccountDelete(ctx, tx, id)
		if err == nil && n == 0 {
			return apperr.New(apperr.NotFound, "no such account")
		}
		return err
	})
}

// AccountData is everything stored about an account, for the export.
type AccountData struct {
	ID                uuid.UUID
	Email             string
	EmailVerifiedAt   *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	HasPassword       bool
	HasTOTP           bool
	RecoveryCodesLeft int
}

// ExportAccount returns everything stored about an account.
func (s *Store) ExportAccount(ctx context.Context, id uuid.UUID) (*AccountData, error) {
	r, err := s.q.AccountExport(ctx, s.pool, id)
	if err != nil {
		return nil, notFound(err, "no such account")
	}
	return &AccountData{ID: r.ID, Email: r.Email, EmailVerifiedAt: r.EmailVerifiedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		HasPassword: r.HasPassword, HasTOTP: r.HasTotp, RecoveryCodesLeft: int(r.RecoveryCodesLeft)}, nil
}

// SetRoles replaces an account's roles in one transaction. Removing the
// last administrator is a Conflict; an unknown office is Invalid (its
// field path names the role's index).
func (s *Store) SetRoles(ctx context.Context, id uuid.UUID, roles []Role) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.q.RolesLock(ctx, tx); err != nil {
			return err
		}
		if _, err := s.q.AccountByID(ctx, tx, id); err != nil {
			return err
		}
		before, err := s.q.AccountRoles(ctx, tx, id)
		if err != nil {
			return err
		}
		wasAdmin := slices.ContainsFunc(before, func(r dbq.AccountRolesRow) bool { return r.Role == "admin" })
		if err := s.q.AccountRolesClear(ctx, tx, id); err != nil {
			return err
		}
		admin := false
		for i, r := range roles {
			admin = admin || r.Role == "admin"
			if err := s.grantRole(ctx, tx, id, r); err != nil {
				if e, ok := apperr.As(err); ok && len(e.Fields) == 1 {
					e.Fields[0].Path = fmt.Sprintf("body.roles[%d].office", i)
				}
				return err
			}
		}
		if wasAdmin && !admin {
			others, err := s.q.AdminCountOthers(ctx, tx, id)
			if err != nil {
				return err
			}
			if others == 0 {
				return apperr.New(apperr.Conflict, "this is the last administrator; make someone else administrator first")
			}
		}
		return nil
	})
	return notFound(err, "no such account")
}
