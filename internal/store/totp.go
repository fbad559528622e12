package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// TOTP is an account's TOTP seed (encrypted) and state.
type TOTP struct {
	SecretEnc   []byte
	ConfirmedAt *time.Time
	LastStep    int64
}

// TOTP returns an account's TOTP state; NotFound when it has none.
func (q *Queries) TOTP(ctx context.Context, id uuid.UUID) (*TOTP, error) {
	r, err := q.gen.TOTPGet(ctx, q.db, id)
	if err != nil {
		return nil, notFound(err, "no second factor")
	}
	return &TOTP{SecretEnc: r.SecretEnc, ConfirmedAt: r.ConfirmedAt, LastStep: r.LastStep}, nil
}

// BeginTOTP stores a new unconfirmed seed (a confirmed one stays).
func (q *Queries) BeginTOTP(ctx context.Context, id uuid.UUID, secretEnc []byte) error {
	return q.gen.TOTPBegin(ctx, q.db, dbq.TOTPBeginParams{AccountID: id, SecretEnc: secretEnc})
}

// UseTOTPStep records a used code's time step, confirming the seed; false
// when the step was used before (a replayed code).
func (q *Queries) UseTOTPStep(ctx context.Context, id uuid.UUID, step int64) (bool, error) {
	n, err := q.gen.TOTPUseStep(ctx, q.db, dbq.TOTPUseStepParams{AccountID: id, Step: step})
	return n == 1, err
}

// ReplaceRecoveryCodes stores new recovery code hashes, dropping old ones.
func (q *Queries) ReplaceRecoveryCodes(ctx context.Context, id uuid.UUID, hashes [][]byte) error {
	return q.inTx(ctx, func(tx pgx.Tx) error {
		if err := q.gen.RecoveryCodesReplace(ctx, tx, id); err != nil {
			return err
		}
		for _, h := range hashes {
			if err := q.gen.RecoveryCodeAdd(ctx, tx, dbq.RecoveryCodeAddParams{AccountID: id, Hash: h}); err != nil {
				return err
			}
		}
		return nil
	})
}

// UseRecoveryCode spends a recovery code; Unauthorized when it is unknown
// or spent.
func (q *Queries) UseRecoveryCode(ctx context.Context, id uuid.UUID, hash []byte) error {
	n, err := q.gen.RecoveryCodeUse(ctx, q.db, dbq.RecoveryCodeUseParams{AccountID: id, Hash: hash})
	if err != nil {
		return err
	}
	if n != 1 {
		return apperr.New(apperr.Unauthorized, "the code is wrong or was used before")
	}
	return nil
}
