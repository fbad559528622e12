package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"

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
