package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Passkey is a registered WebAuthn credential of an account.
type Passkey struct {
	ID                uuid.UUID
	CredentialID      []byte
	PublicKey         []byte // COSE_Key
	AttestationFormat string
	SignCount         uint32
	AAGUID            uuid.UUID
	Flags             uint8 // authenticator data flags
	Transports        []string
	Name              string
	CreatedAt         time.Time
	LastUsedAt        *time.Time
}

// Authenticator data flags (WebAuthn §6.1): backup eligible and backup
// state.
const (
	flagBackupEligible = 1 << 3
	flagBackupState    = 1 << 4
)

// BackupEligible reports whether the passkey may be synced to other
// devices (a "multi-device" passkey).
func (p *Passkey) BackupEligible() bool { return p.Flags&flagBackupEligible != 0 }

// BackedUp reports whether the passkey was backed up or synced at its last
// use.
func (p *Passkey) BackedUp() bool { return p.Flags&flagBackupState != 0 }

// UserHandle returns the account's WebAuthn user handle, storing handle as
// it when the account has none yet.
func (q *Queries) UserHandle(ctx context.Context, id uuid.UUID, handle []byte) ([]byte, error) {
	h, err := q.gen.WebAuthnUserEnsure(ctx, q.db, dbq.WebAuthnUserEnsureParams{AccountID: id, UserHandle: handle})
	return h, mapErr(err, onErr{missingRef: "no such account"})
}

// AccountByUserHandle finds the account a WebAuthn user handle belongs to.
func (q *Queries) AccountByUserHandle(ctx context.Context, handle []byte) (*Account, error) {
	r, err := q.gen.AccountByUserHandle(ctx, q.db, handle)
	if err != nil {
		return nil, notFound(err, "no such account")
	}
	return accountFrom(dbq.AccountByEmailRow(r)), nil
}

// Passkeys lists an account's passkeys, oldest first.
func (q *Queries) Passkeys(ctx context.Context, id uuid.UUID) ([]Passkey, error) {
	rows, err := q.gen.PasskeysByAccount(ctx, q.db, id)
	if err != nil {
		return nil, err
	}
	out := make([]Passkey, 0, len(rows))
	for _, r := range rows {
		out = append(out, Passkey{ID: r.ID, CredentialID: r.CredentialID, PublicKey: r.PublicKey, AttestationFormat: r.AttestationFormat,
			SignCount: uint32(r.SignCount), AAGUID: r.Aaguid, Flags: uint8(r.Flags), Transports: r.Transports, Name: r.Name,
			CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt})
	}
	return out, nil
}

// AddPasskey stores a new passkey of an account and fills in its id and
// creation time. A credential registered before (by anyone) is a Conflict.
func (q *Queries) AddPasskey(ctx context.Context, account uuid.UUID, p *Passkey) error {
	return q.addPasskey(ctx, q.db, account, p)
}

func (q *Queries) addPasskey(ctx context.Context, db dbq.DBTX, account uuid.UUID, p *Passkey) error {
	transports := p.Transports
	if transports == nil {
		transports = []string{}
	}
	r, err := q.gen.PasskeyAdd(ctx, db, dbq.PasskeyAddParams{AccountID: account, CredentialID: p.CredentialID, PublicKey: p.PublicKey,
		AttestationFormat: p.AttestationFormat, SignCount: int64(p.SignCount), Aaguid: p.AAGUID, Flags: int16(p.Flags),
		Transports: transports, Name: p.Name})
	if err != nil {
		return mapErr(err, onErr{conflict: "this passkey is registered already"})
	}
	p.ID, p.CreatedAt = r.ID, r.CreatedAt
	return nil
}

// CreatePasskeyAccount stores a new account without a password and with
// its first passkey, in one transaction; an address in use is a Conflict
// and nothing is stored.
func (q *Queries) CreatePasskeyAccount(ctx context.Context, email, normalized string, handle []byte, p *Passkey) (*Account, error) {
	var acc *Account
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		r, err := q.gen.AccountCreate(ctx, tx, dbq.AccountCreateParams{Email: email, EmailNormalized: normalized})
		if err != nil {
			return mapErr(err, errAddressTaken)
		}
		acc = &Account{ID: r.ID, Email: email, CreatedAt: r.CreatedAt}
		if _, err := q.gen.WebAuthnUserEnsure(ctx, tx, dbq.WebAuthnUserEnsureParams{AccountID: acc.ID, UserHandle: handle}); err != nil {
			return err
		}
		return q.addPasskey(ctx, tx, acc.ID, p)
	})
	return acc, err
}

// UsePasskey records a login with a passkey: the new counter and flags.
// False when the counter did not grow (a cloned key or a replay).
func (q *Queries) UsePasskey(ctx context.Context, account, id uuid.UUID, signCount uint32, flags uint8) (bool, error) {
	n, err := q.gen.PasskeyUse(ctx, q.db, dbq.PasskeyUseParams{ID: id, AccountID: account, SignCount: int64(signCount), Flags: int16(flags)})
	return n == 1, err
}

// RenamePasskey names one of the account's passkeys; another account's is
// NotFound.
func (q *Queries) RenamePasskey(ctx context.Context, account, id uuid.UUID, name string) error {
	n, err := q.gen.PasskeyRename(ctx, q.db, dbq.PasskeyRenameParams{ID: id, AccountID: account, Name: name})
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "no such passkey")
	}
	return err
}

// DeletePasskey removes one of the account's passkeys; another account's
// is NotFound.
func (q *Queries) DeletePasskey(ctx context.Context, account, id uuid.UUID) error {
	n, err := q.gen.PasskeyDelete(ctx, q.db, dbq.PasskeyDeleteParams{ID: id, AccountID: account})
	if err == nil && n == 0 {
		return apperr.New(apperr.NotFound, "no such passkey")
	}
	return err
}
