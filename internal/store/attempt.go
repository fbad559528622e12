package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Attempt counts an attempt for key unless max were made within window
// already; false means refused, and nothing was counted.
func (q *Queries) Attempt(ctx context.Context, key []byte, max int, window time.Duration) (bool, error) {
	ok := false
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		if err := q.gen.AttemptLock(ctx, tx, key); err != nil {
			return err
		}
		n, err := q.gen.AttemptCount(ctx, tx, dbq.AttemptCountParams{Key: key, WindowSeconds: window.Seconds()})
		if err != nil || int(n) >= max {
			return err
		}
		ok = true
		return q.gen.AttemptAdd(ctx, tx, key)
	})
	return ok, err
}

// Attempts counts key's attempts within window.
func (q *Queries) Attempts(ctx context.Context, key []byte, window time.Duration) (int, error) {
	n, err := q.gen.AttemptCount(ctx, q.db, dbq.AttemptCountParams{Key: key, WindowSeconds: window.Seconds()})
	return int(n), err
}

// PruneAttempts forgets attempts made before before.
func (q *Queries) PruneAttempts(ctx context.Context, before time.Time) (int64, error) {
	return q.gen.AttemptsPrune(ctx, q.db, before)
}

// ClearAttempts forgets key's attempts (a password reset ends the
// address's run of wrong passwords).
func (q *Queries) ClearAttempts(ctx context.Context, key []byte) error {
	return q.gen.AttemptsClear(ctx, q.db, key)
}
