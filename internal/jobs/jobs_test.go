package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/jobs"
	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/mailtest"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

var quiet = slog.New(slog.DiscardHandler)

func start(t *testing.T, st *store.Store, w *river.Workers, o jobs.Options) *jobs.Queue {
	t.Helper()
	if o.FetchPoll == 0 {
		o.FetchPoll = 20 * time.Millisecond
	}
	q, err := jobs.New(st, w, quiet, o)
	require.NoError(t, err)
	require.NoError(t, q.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	return q
}

func waitFor(t *testing.T, q *jobs.Queue, id int64, state string) jobs.Job {
	t.Helper()
	var last jobs.Job
	require.Eventually(t, func() bool {
		js, err := q.List(context.Background(), 100)
		require.NoError(t, err)
		for _, j := range js {
			if j.ID == id {
				last = j
				return j.State == state
			}
		}
		return false
	}, 30*time.Second, 20*time.Millisecond, "job %d never became %s (last: %+v)", id, state, last)
	return last
}

func onlyJob(t *testing.T, q *jobs.Queue) jobs.Job {
	t.Helper()
	js, err := q.List(context.Background(), 10)
	require.NoError(t, err)
	require.Len(t, js, 1)
	return js[0]
}

// TestDeadLetterThenRetry: a mail whose server is away is tried until its
// attempts are used up and lands among the dead letters with the reason;
// once the mail server is back (a replica with the right configuration),
// `schalter jobs retry` delivers it.
func TestDeadLetterThenRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	away := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		return l.Addr().String()
	}()
	workers := func(addr string) *river.Workers {
		w := river.NewWorkers()
		river.AddWorker(w, &mail.Worker{Sender: &mail.SMTP{Addr: addr, From: "noreply@uster.ch"}, Box: box})
		return w
	}
	args, err := (&mail.Outbox{Box: box}).Job("verify", mail.Message{To: "lea@example.ch", Subject: "Hallo", Text: "Bitte bestätigen"})
	require.NoError(t, err)
	// One attempt instead of twelve, so the test does not wait for the
	// backoff; the path to the dead letters is the same.
	require.NoError(t, st.Enqueue(ctx, args, &river.InsertOpts{MaxAttempts: 1}))

	broken := start(t, st, workers(away), jobs.Options{})
	id := onlyJob(t, broken).ID
	dead := waitFor(t, broken, id, "discarded")
	require.Contains(t, dead.LastError, "connection refused")
	require.Equal(t, 1, dead.Attempt)
	listed, err := broken.List(ctx, 10, "discarded")
	require.NoError(t, err)
	require.Len(t, listed, 1)
	require.NoError(t, broken.Stop(ctx))

	sink := mailtest.Start(t)
	fixed := start(t, st, workers(sink.SMTPAddr), jobs.Options{})
	j, err := fixed.Retry(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "available", j.State)
	waitFor(t, fixed, id, "completed")
	got := sink.Messages(t)
	require.Len(t, got, 1)
	require.Equal(t, "lea@example.ch", got[0].To)
}

// stuckArgs is a job whose worker counts its runs.
type stuckArgs struct{}

func (stuckArgs) Kind() string { return "jobs_test_stuck" }

type countingWorker struct {
	river.WorkerDefaults[stuckArgs]
	runs *atomic.Int32
}

func (w *countingWorker) Work(context.Context, *river.Job[stuckArgs]) error {
	w.runs.Add(1)
	return nil
}

// TestRescueJobOfDeadReplica: a replica that died mid-job leaves its job
// "running" for ever; a live replica's rescuer gives it back to the queue
// after RescueAfter and it runs to completion. The dead replica is
// simulated by what it leaves in the table: the row running, attempted
// long ago by a client that no longer exists.
func TestRescueJobOfDeadReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	require.NoError(t, st.Enqueue(ctx, stuckArgs{}, nil))
	_, err := st.Pool().Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = now() - interval '1 hour', attempted_by = ARRAY['replica-that-died']`)
	require.NoError(t, err)

	var runs atomic.Int32
	w := river.NewWorkers()
	river.AddWorker(w, &countingWorker{runs: &runs})
	q := start(t, st, w, jobs.Options{RescueAfter: time.Minute})
	id := onlyJob(t, q).ID
	waitFor(t, q, id, "completed")
	require.Equal(t, int32(1), runs.Load())
}

// TestEnqueueFollowsTheTransaction: a job enqueued in a transaction that
// rolls back never exists; one committed while no replica runs waits and
// is worked when one starts.
func TestEnqueueFollowsTheTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	errAbort := errors.New("the change failed")
	err := st.InTx(ctx, func(q *store.Queries) error {
		require.NoError(t, q.Enqueue(ctx, stuckArgs{}, nil))
		return errAbort
	})
	require.ErrorIs(t, err, errAbort)
	require.NoError(t, st.InTx(ctx, func(q *store.Queries) error { return q.Enqueue(ctx, stuckArgs{}, nil) }))

	var runs atomic.Int32
	w := river.NewWorkers()
	river.AddWorker(w, &countingWorker{runs: &runs})
	q := start(t, st, w, jobs.Options{})
	id := onlyJob(t, q).ID
	waitFor(t, q, id, "completed")
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, q.WaitIdle(waitCtx))
	require.Equal(t, int32(1), runs.Load(), "only the committed job ran")
}

// TestOperatorCommands: list filters by state, cancel stops a waiting
// job, retry brings it back, and unknown ids and states are named.
func TestOperatorCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	require.NoError(t, st.Enqueue(ctx, stuckArgs{}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)}))
	q, err := jobs.New(st, nil, quiet, jobs.Options{})
	require.NoError(t, err)
	j := onlyJob(t, q)
	require.Equal(t, "scheduled", j.State)
	require.Equal(t, "jobs_test_stuck", j.Kind)

	c, err := q.Cancel(ctx, j.ID)
	require.NoError(t, err)
	require.Equal(t, "cancelled", c.State)
	none, err := q.List(ctx, 10, "scheduled", "available")
	require.NoError(t, err)
	require.Empty(t, none)
	r, err := q.Retry(ctx, j.ID)
	require.NoError(t, err)
	require.Equal(t, "available", r.State)

	_, err = q.Retry(ctx, 999999)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
	_, err = q.Cancel(ctx, 999999)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
	_, err = q.List(ctx, 10, "stuck")
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err))
}
