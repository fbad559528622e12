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
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/schalter-ch/schalter/db"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store/dbq"
)

// Store is the PostgreSQL-backed catalogue.
type Store struct {
	pool *pgxpool.Pool
	q    *dbq.Queries
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
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool, q: dbq.New()} }

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

// inTx runs fn in a transaction, committed if fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// notFound turns pgx.ErrNoRows into an apperr.NotFound with msg.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.New(apperr.NotFound, format, args...)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "40001" {
		return apperr.New(apperr.Conflict, "concurrent change, please retry")
	}
	return err
}

// queryTimeout bounds every public read, so a slow database degrades into
// errors instead of a pile of waiting requests.
const queryTimeout = 5 * time.Second
