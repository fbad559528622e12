package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Meanings of failures shared by several operations.
var (
	// AccountCreate inserts nothing (no row) when the address is taken.
	errAddressTaken = onErr{conflict: "an account with this e-mail address exists already"}
	errLinkUsed     = onErr{invalidNoRows: &apperr.FieldError{Path: "body.token", Message: "unknown, used or expired"}}
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
func (q *Queries) CreateAccount(ctx context.Context, email, normalized, passwordHash string, verifiedAt *time.Time, roles ...Role) (*Account, error) {
	var hash *string
	if passwordHash != "" {
		hash = &passwordHash
	}
	var acc *Account
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		r, err := q.gen.AccountCreate(ctx, tx, dbq.AccountCreateParams{Email: email, EmailNormalized: normalized, EmailVerifiedAt: verifiedAt, PasswordHash: hash})
		if err != nil {
			return mapErr(err, errAddressTaken)
		}
		acc = &Account{ID: r.ID, Email: email, EmailVerifiedAt: verifiedAt, PasswordHash: passwordHash, CreatedAt: r.CreatedAt}
		for _, role := range roles {
			if err := q.grantRole(ctx, tx, acc.ID, role); err != nil {
				return err
			}
		}
		return nil
	})
	return acc, err
}

// AccountByEmail finds an account by its normalised address.
func (q *Queries) AccountByEmail(ctx context.Context, normalized string) (*Account, error) {
	r, err := q.gen.AccountByEmail(ctx, q.db, normalized)
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
func (q *Queries) grantRole(ctx context.Context, db dbq.DBTX, id uuid.UUID, role Role) error {
	var office *string
	if role.Office != "" {
		office = &role.Office
	}
	err := q.gen.AccountRoleGrant(ctx, db, dbq.AccountRoleGrantParams{AccountID: id, Role: role.Role, OfficeSlug: office})
	return mapErr(err, onErr{invalid: &apperr.FieldError{Path: "office", Message: fmt.Sprintf("no office %q", role.Office)}})
}

// Roles lists an account's roles.
func (q *Queries) Roles(ctx context.Context, id uuid.UUID) ([]Role, error) {
	rows, err := q.gen.AccountRoles(ctx, q.db, id)
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
func (q *Queries) AccountByID(ctx context.Context, id uuid.UUID) (*Account, error) {
	r, err := q.gen.AccountByID(ctx, q.db, id)
	if err != nil {
		return nil, notFound(err, "no such account")
	}
	return accountFrom(dbq.AccountByEmailRow(r)), nil
}

// CreateEmailToken stores the hash of a single-use e-mail token.
func (q *Queries) CreateEmailToken(ctx context.Context, hash []byte, id uuid.UUID, purpose string, expires time.Time) error {
	return q.gen.EmailTokenCreate(ctx, q.db, dbq.EmailTokenCreateParams{Hash: hash, AccountID: id, Purpose: purpose, ExpiresAt: expires})
}

// VerifyEmail uses a verification token and marks the address verified,
// in one transaction. A used, expired or unknown token is Invalid.
func (q *Queries) VerifyEmail(ctx context.Context, hash []byte) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		id, err = q.gen.EmailTokenUse(ctx, tx, dbq.EmailTokenUseParams{Hash: hash, Purpose: "verify"})
		if err != nil {
			return mapErr(err, errLinkUsed)
		}
		return q.gen.AccountVerifyEmail(ctx, tx, id)
	})
	return id, err
}

// SetPasswordWithToken uses a reset token and sets a new password hash,
// in one transaction; a used, expired or unknown token is Invalid.
func (q *Queries) SetPasswordWithToken(ctx context.Context, tokenHash []byte, passwordHash string) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		id, err = q.gen.EmailTokenUseReset(ctx, tx, tokenHash)
		if err != nil {
			return mapErr(err, errLinkUsed)
		}
		return q.gen.AccountSetPassword(ctx, tx, dbq.AccountSetPasswordParams{ID: id, PasswordHash: &passwordHash})
	})
	return id, err
}

// CreateEmailChangeToken stores a link token that moves the account to
// a new address.
func (q *Queries) CreateEmailChangeToken(ctx context.Context, hash []byte, id uuid.UUID, typed string, expires time.Time) error {
	return q.gen.EmailChangeTokenCreate(ctx, q.db, dbq.EmailChangeTokenCreateParams{Hash: hash, AccountID: id, ExpiresAt: expires, NewEmail: &typed})
}

// ChangeEmailWithToken uses an e-mail-change token once and sets the new
// address (verified: the link reached it). It returns the account and the
// old and the new address; an address taken in the meantime is a
// Conflict.
func (q *Queries) ChangeEmailWithToken(ctx context.Context, tokenHash []byte, normalize func(string) string) (id uuid.UUID, old, email string, err error) {
	err = q.inTx(ctx, func(tx pgx.Tx) error {
		row, err := q.gen.EmailChangeTokenUse(ctx, tx, tokenHash)
		if err != nil {
			return mapErr(err, errLinkUsed)
		}
		id, email = row.AccountID, row.NewEmail
		acc, err := q.gen.AccountByID(ctx, tx, id)
		if err != nil {
			return err
		}
		old = acc.Email
		err = q.gen.AccountSetEmail(ctx, tx, dbq.AccountSetEmailParams{ID: id, Email: email, EmailNormalized: normalize(email)})
		return mapErr(err, onErr{conflict: "this address belongs to another account by now"})
	})
	return id, old, email, err
}

// DeleteAccount removes an account and, through foreign keys, its roles,
// second factors, passkeys, tokens and devices; its favourites (kept under a tagged
// owner, not a foreign key) go in the same transaction.
func (q *Queries) DeleteAccount(ctx context.Context, id uuid.UUID) error {
	return q.inTx(ctx, func(tx pgx.Tx) error {
		if err := q.gen.FavouritesDropOwner(ctx, tx, "account:"+id.String()); err != nil {
			return err
		}
		n, err := q.gen.AccountDelete(ctx, tx, id)
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
func (q *Queries) ExportAccount(ctx context.Context, id uuid.UUID) (*AccountData, error) {
	r, err := q.gen.AccountExport(ctx, q.db, id)
	if err != nil {
		return nil, notFound(err, "no such account")
	}
	return &AccountData{ID: r.ID, Email: r.Email, EmailVerifiedAt: r.EmailVerifiedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		HasPassword: r.HasPassword, HasTOTP: r.HasTotp, RecoveryCodesLeft: int(r.RecoveryCodesLeft)}, nil
}

// SetRoles replaces an account's roles in one transaction. Removing the
// last administrator is a Conflict; an unknown office is Invalid (its
// field path names the role's index).
func (q *Queries) SetRoles(ctx context.Context, id uuid.UUID, roles []Role) error {
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		if err := q.gen.RolesLock(ctx, tx); err != nil {
			return err
		}
		if _, err := q.gen.AccountByID(ctx, tx, id); err != nil {
			return err
		}
		before, err := q.gen.AccountRoles(ctx, tx, id)
		if err != nil {
			return err
		}
		wasAdmin := slices.ContainsFunc(before, func(r dbq.AccountRolesRow) bool { return r.Role == "admin" })
		if err := q.gen.AccountRolesClear(ctx, tx, id); err != nil {
			return err
		}
		admin := false
		for i, r := range roles {
			admin = admin || r.Role == "admin"
			if err := q.grantRole(ctx, tx, id, r); err != nil {
				if e, ok := apperr.As(err); ok && len(e.Fields) == 1 {
					e.Fields[0].Path = fmt.Sprintf("body.roles[%d].office", i)
				}
				return err
			}
		}
		if wasAdmin && !admin {
			others, err := q.gen.AdminCountOthers(ctx, tx, id)
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

// StaffOffices lists the offices the account works in (its staff roles).
func (q *Queries) StaffOffices(ctx context.Context, id uuid.UUID) ([]string, error) {
	offices, err := q.gen.StaffOffices(ctx, q.db, id)
	return offices, mapErr(err, onErr{})
}
