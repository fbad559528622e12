// Package store keeps the catalogue in PostgreSQL. It is the only package
// that knows the schema: SQL lives in db/queries and is compiled by sqlc
// into store/dbq, whose types never leave this package. Missing rows become
// apperr.NotFound here, in one place.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/schalter-ch/schalter/db"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Store is Schalter's PostgreSQL database. Its operations are the
// methods of Queries, which it embeds: called on the Store, each runs on
// the pool (in a transaction of its own where it writes several rows);
// called on the Queries that InTx hands out, all of them share one
// transaction that commits or rolls back as a whole.
type Store struct {
	*Queries
	pool *pgxpool.Pool
}

// Queries runs the store's operations on the pool or inside one
// transaction. Domain services compose a use case from them in InTx.
type Queries struct {
	db  dbtx
	gen *dbq.Queries
	// jobs inserts into the job queue (an insert-only River client; the
	// working client lives in internal/jobs). tx is set inside InTx, so
	// that jobs are enqueued in the transaction of the change.
	jobs *river.Client[pgx.Tx]
	tx   pgx.Tx
}

// dbtx is what both the pool and a transaction offer: statements, and
// Begin (a savepoint inside a transaction), so an operation that needs a
// transaction of its own nests inside a caller's.
type dbtx interface {
	dbq.DBTX
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Open connects to PostgreSQL.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parsing DATABASE_URL: %w", err)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return New(pool), nil
}

// New wraps an existing pool.
func New(pool *pgxpool.Pool) *Store {
	// Without workers a River client only inserts, which is all the store
	// does with it; it cannot fail with an empty configuration.
	jobs, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(fmt.Sprintf("store: insert-only job client: %v", err))
	}
	return &Store{Queries: &Queries{db: outageDB{pool}, gen: dbq.New(), jobs: jobs}, pool: pool}
}

// InTx runs fn in one transaction: everything fn does through q (rows,
// transparency entries, jobs) is committed together when fn returns nil,
// and nothing of it when fn returns an error or panics. Called inside
// another InTx it runs in a savepoint of that transaction. Errors come
// back in the domain's terms (see mapErr).
func (q *Queries) InTx(ctx context.Context, fn func(q *Queries) error) error {
	err := pgx.BeginFunc(ctx, q.db, func(tx pgx.Tx) error {
		// tx comes from q.db, so its statements map outages already;
		// River gets the transaction underneath.
		return fn(&Queries{db: tx, gen: q.gen, jobs: q.jobs, tx: unwrapTx(tx)})
	})
	return mapErr(err, onErr{})
}

// Enqueue adds a job to the durable queue. Inside InTx the job is part of
// the transaction: it runs only if the change that caused it commits, and
// it is never lost once that commit succeeded. Outside InTx it is
// inserted on its own.
func (q *Queries) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if q.tx == nil {
		return q.InTx(ctx, func(q *Queries) error { return q.Enqueue(ctx, args, opts) })
	}
	_, err := q.jobs.InsertTx(ctx, q.tx, args, opts)
	return mapErr(err, onErr{})
}

// EnqueueMany adds jobs to the durable queue in one insert, each with
// its own InsertOpts; like Enqueue, inside InTx as part of the
// transaction.
func (q *Queries) EnqueueMany(ctx context.Context, args []river.JobArgs) error {
	if len(args) == 0 {
		return nil
	}
	if q.tx == nil {
		return q.InTx(ctx, func(q *Queries) error { return q.EnqueueMany(ctx, args) })
	}
	params := make([]river.InsertManyParams, len(args))
	for i, a := range args {
		params[i] = river.InsertManyParams{Args: a}
	}
	_, err := q.jobs.InsertManyTx(ctx, q.tx, params)
	return mapErr(err, onErr{})
}

// deref is what p points to, or T's zero value for nil: the zero UUID,
// "" or the zero time that array parameters carry for NULL (the queries
// turn them back with nullif).
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Pool returns the connection pool (for health checks and tests).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

func (s *Store) goose() (*goose.Provider, *sql.DB, error) {
	migrations, err := fs.Sub(db.Migrations, "migrations")
	if err != nil {
		return nil, nil, err
	}
	sqlDB := stdlib.OpenDBFromPool(s.pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations)
	if err != nil {
		sqlDB.Close()
		return nil, nil, err
	}
	return p, sqlDB, nil
}

// Migrate applies the migrations ("up"), rolls back the last one ("down"),
// or logs the state of each ("status"). "up" also brings the job queue's
// tables (River's own migrations, through its migrator) to the version the
// binary needs; "down" rolls back Schalter's schema only, never River's,
// whose tables hold jobs that must not be lost.
func (s *Store) Migrate(ctx context.Context, direction string, log *slog.Logger) error {
	p, sqlDB, err := s.goose()
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	switch direction {
	case "up":
		res, err := p.Up(ctx)
		for _, r := range res {
			log.Info("migrated", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
		}
		if err != nil {
			return err
		}
		return s.migrateJobs(ctx, log)
	case "down":
		r, err := p.Down(ctx)
		if r != nil {
			log.Info("rolled back", "version", r.Source.Version, "file", r.Source.Path)
		}
		return err
	case "status":
		st, err := p.Status(ctx)
		for _, m := range st {
			log.Info("migration", "version", m.Source.Version, "file", m.Source.Path, "state", m.State, "applied_at", m.AppliedAt)
		}
		return err
	}
	return fmt.Errorf("store: unknown migrate direction %q (use up, down or status)", direction)
}

// MigrationsCurrent reports whether every embedded migration is applied,
// the job queue's included.
func (s *Store) MigrationsCurrent(ctx context.Context) (bool, error) {
	p, sqlDB, err := s.goose()
	if err != nil {
		return false, err
	}
	defer sqlDB.Close()
	pending, err := p.HasPending(ctx)
	if err != nil || pending {
		return false, err
	}
	m, err := s.jobMigrator()
	if err != nil {
		return false, err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return false, err
	}
	return res.OK, nil
}

// JobsSchemaVersion names the job queue's schema in test database
// templates (pgtest), so a River upgrade with new migrations builds new
// templates.
const JobsSchemaVersion = "river-v0.51.2"

func (s *Store) jobMigrator() (*rivermigrate.Migrator[pgx.Tx], error) {
	return rivermigrate.New(riverpgxv5.New(s.pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
}

// migrateJobs applies River's migrations: its tables are the durable job
// queue (internal/jobs).
func (s *Store) migrateJobs(ctx context.Context, log *slog.Logger) error {
	m, err := s.jobMigrator()
	if err != nil {
		return err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("store: job queue migrations: %w", err)
	}
	for _, v := range res.Versions {
		log.Info("migrated job queue", "version", v.Version, "name", v.Name, "duration", v.Duration)
	}
	return nil
}

// inTx runs fn in a transaction (a savepoint when q is inside one),
// committed if fn returns nil.
func (q *Queries) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return mapErr(pgx.BeginFunc(ctx, q.db, fn), onErr{})
}

// unwrapTx returns the pgx transaction under the outage mapping (River
// needs its own driver's type).
func unwrapTx(tx pgx.Tx) pgx.Tx {
	if o, ok := tx.(outageTx); ok {
		return o.Tx
	}
	return tx
}

// notFound turns pgx.ErrNoRows into an apperr.NotFound with msg; other
// errors are mapped as by mapErr.
func notFound(err error, format string, args ...any) error {
	return mapErr(err, onErr{notFound: fmt.Sprintf(format, args...)})
}

// onErr says what a failed statement means in the domain's words. An
// empty message leaves that case to the default.
type onErr struct {
	notFound      string             // no row (pgx.ErrNoRows)
	invalidNoRows *apperr.FieldError // no row, because the input named nothing valid
	conflict      string             // unique violation (23505)
	invalid       *apperr.FieldError // foreign-key violation (23503): the input refers to nothing
	missingRef    string             // foreign-key violation (23503): the thing acted on is gone
}

// noRows tells a statement that found or changed nothing, where that is
// an answer rather than an error.
func noRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// SQLSTATE codes the store gives a meaning to.
const (
	uniqueViolation      = "23505"
	foreignKeyViolation  = "23503"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
)

// retryAfterOutage is what an outage tells clients: retry in a few
// seconds (a failover or restart of PostgreSQL takes about that long).
const retryAfterOutage = 5 * time.Second

// mapErr is the one place where database errors become domain errors:
// missing rows, unique and foreign-key violations as the caller names
// them, serialization failures as a conflict to retry, and an unreachable
// database as Unavailable (503 with Retry-After at the edge, never a 500
// or, for a token check, a 401). Anything else stays internal.
func mapErr(err error, on onErr) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	if noRows(err) {
		switch {
		case on.notFound != "":
			return apperr.New(apperr.NotFound, "%s", on.notFound)
		case on.invalidNoRows != nil:
			return apperr.InvalidFields("this link is not valid any more", *on.invalidNoRows)
		case on.conflict != "":
			// Inserts with ON CONFLICT DO NOTHING RETURNING find no row.
			return apperr.New(apperr.Conflict, "%s", on.conflict)
		}
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == uniqueViolation && on.conflict != "":
			return apperr.New(apperr.Conflict, "%s", on.conflict)
		case pgErr.Code == foreignKeyViolation && on.invalid != nil:
			return apperr.InvalidFields(on.invalid.Message, *on.invalid)
		case pgErr.Code == foreignKeyViolation && on.missingRef != "":
			return apperr.New(apperr.NotFound, "%s", on.missingRef)
		case pgErr.Code == serializationFailure || pgErr.Code == deadlockDetected:
			return apperr.New(apperr.Conflict, "concurrent change, please retry")
		}
	}
	return outage(err)
}

func unavailable(cause error) error {
	return &apperr.Error{Code: apperr.Unavailable, Message: "the database is unavailable right now; please retry shortly",
		RetryAfter: retryAfterOutage, Cause: cause}
}

// unreachableState tells SQLSTATEs of a database that cannot serve:
// connection exceptions (class 08), shutdowns and too many connections.
func unreachableState(code string) bool {
	switch code {
	case "57P01", "57P02", "57P03", "53300":
		return true
	}
	return strings.HasPrefix(code, "08")
}

// unreachable tells errors of a database that cannot be reached: the
// connection failed, broke or timed out (not a query cancelled by its
// caller's context).
func unreachable(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return true
	}
	return false
}

// queryTimeout bounds every public read, so a slow database degrades into
// errors instead of a pile of waiting requests.
const queryTimeout = 5 * time.Second

// convert maps rows of a generated type to the store's own type, so that
// sqlc's types never leave the package.
func convert[From, To any](rows []From, f func(From) To) []To {
	out := make([]To, 0, len(rows))
	for _, r := range rows {
		out = append(out, f(r))
	}
	return out
}
