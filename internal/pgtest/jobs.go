package pgtest

import (
	"context"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"

	"github.com/schalter-ch/schalter/internal/jobs"
	"github.com/schalter-ch/schalter/internal/store"
)

// Work works one job of args with w, as the queue would, against st's
// database (River's rivertest): the job row is inserted and completed in a
// transaction that is rolled back afterwards, while the worker's own
// writes go through its services and stay. It returns River's outcome
// (completed, cancelled, failed) and the worker's error.
func Work[T river.JobArgs](t testing.TB, st *store.Store, w river.Worker[T], args T) (*rivertest.WorkResult, error) {
	t.Helper()
	ctx := context.Background()
	tw := rivertest.NewWorker(t, riverpgxv5.New(st.Pool()), &river.Config{}, w)
	tx, err := st.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func(tx pgx.Tx) { _ = tx.Rollback(ctx) }(tx)
	return tw.Work(ctx, t, tx, args, nil)
}

// Chore works the periodic job args with run, as cli.Workers registers
// it (a jobs.Chore), and fails the test unless it completes.
func Chore[T river.JobArgs](t testing.TB, st *store.Store, args T, run func(context.Context) (int64, error)) {
	t.Helper()
	res, err := Work(t, st, &jobs.Chore[T]{Run: run, Log: slog.New(slog.DiscardHandler)}, args)
	if err != nil {
		t.Fatalf("%s: %v", args.Kind(), err)
	}
	if res.EventKind != river.EventKindJobCompleted {
		t.Fatalf("%s: %s, want completed", args.Kind(), res.EventKind)
	}
}
