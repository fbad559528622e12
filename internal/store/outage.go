package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// An outage of the database must reach residents as 503 with Retry-After
// from every operation, not as a 500 from the ones whose errors happen
// not to pass through mapErr, nor as a 401 where a failed look-up would
// read as "unknown token". So every statement runs through these
// wrappers, which turn the errors of an unreachable database into
// apperr.Unavailable (keeping the cause for the log) and leave every
// other error as it is, for mapErr to give it its meaning.

// outageDB wraps the pool or a transaction.
type outageDB struct{ db dbtx }

func (o outageDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	t, err := o.db.Exec(ctx, sql, args...)
	return t, outage(err)
}

func (o outageDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := o.db.Query(ctx, sql, args...)
	if err != nil {
		return rows, outage(err)
	}
	return outageRows{rows}, nil
}

func (o outageDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return outageRow{o.db.QueryRow(ctx, sql, args...)}
}

func (o outageDB) Begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := o.db.Begin(ctx)
	if err != nil {
		return nil, outage(err)
	}
	return outageTx{tx}, nil
}

// outageTx is a transaction whose statements, commit and rollback map
// outages; everything else is the transaction's own.
type outageTx struct{ pgx.Tx }

func (t outageTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return outageDB{t.Tx}.Exec(ctx, sql, args...)
}

func (t outageTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return outageDB{t.Tx}.Query(ctx, sql, args...)
}

func (t outageTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return outageDB{t.Tx}.QueryRow(ctx, sql, args...)
}

func (t outageTx) Begin(ctx context.Context) (pgx.Tx, error) { return outageDB{t.Tx}.Begin(ctx) }

func (t outageTx) Commit(ctx context.Context) error { return outage(t.Tx.Commit(ctx)) }

type outageRow struct{ pgx.Row }

func (r outageRow) Scan(dest ...any) error { return outage(r.Row.Scan(dest...)) }

type outageRows struct{ pgx.Rows }

func (r outageRows) Err() error { return outage(r.Rows.Err()) }

func (r outageRows) Scan(dest ...any) error { return outage(r.Rows.Scan(dest...)) }

// outage maps only the errors of an unreachable database.
func outage(err error) error {
	if err == nil || !isOutage(err) {
		return err
	}
	return unavailable(err)
}

func isOutage(err error) bool {
	if unreachable(err) {
		return true
	}
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && unreachableState(pgErr.Code)
}
