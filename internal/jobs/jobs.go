// Package jobs runs Schalter's durable job queue: River on the same
// PostgreSQL database. Domain services enqueue jobs in the transaction of
// the change that causes them (store.Queries.Enqueue); this package owns
// the working side: the client that fetches and works them with retries
// and backoff, what operators see of them (`schalter jobs`, River UI) and
// the retry and cancel of dead letters.
//
// Every replica of `schalter serve` runs a working client. River locks
// each job with FOR UPDATE SKIP LOCKED, so a job is worked by one replica
// at a time, and a replica that dies mid-job leaves it to be rescued by
// another after RescueAfter.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
)

// Options tune the working client; zero values are the production
// defaults.
type Options struct {
	// Workers is how many jobs one replica works at once (default 10).
	// Jobs wait on the network (SMTP, SMS gateways, offices' systems), so
	// more than the cores is right.
	Workers int
	// FetchPoll is how often the client looks for jobs when no
	// notification arrived (default 1 s; tests use less).
	FetchPoll time.Duration
	// RescueAfter is how long a job may run before it counts as stuck (its
	// replica died) and is given back to the queue (default 10 minutes;
	// it must be longer than every worker's timeout).
	RescueAfter time.Duration
	// JobTimeout bounds one attempt of a job whose worker sets no timeout
	// of its own (default River's, one minute; tests use less, with a
	// short RescueAfter, which must not be shorter).
	JobTimeout time.Duration
	// Periodic is the housekeeping the queue enqueues by itself.
	Periodic []Periodic
}

// Periodic is a job the queue enqueues by itself every Interval, and once
// when a replica becomes leader. Only the elected leader replica enqueues
// them, and a job is unique per interval, so three replicas still prune
// once an hour, not three times.
type Periodic struct {
	Interval time.Duration
	Args     river.JobArgs
}

func (p Periodic) job() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(p.Interval), func() (river.JobArgs, *river.InsertOpts) {
		// A failed run is retried a few times; after that the next
		// period's run takes over, so none lingers for weeks.
		return p.Args, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: p.Interval}}
	}, &river.PeriodicJobOpts{ID: p.Args.Kind(), RunOnStart: true})
}

// Queue is a working client of the job queue.
// QueueDocuments is the queue of jobs that render PDFs (receipts,
// invoices): CPU-bound work that can wait seconds, with one worker per
// replica, so that a rush of payments is not slowed down by its own
// receipts (a receipt takes about 15 ms of a core; confirming the payment
// under a millisecond of the database).
const QueueDocuments = "documents"

// documentWorkers is how many PDFs a replica renders at once.
const documentWorkers = 1

type Queue struct {
	client *river.Client[pgx.Tx]
}

// New returns a queue that works the given workers on st's database.
// Start it with Start; without workers (nil) it only lists, retries and
// cancels, as `schalter jobs` does.
func New(st *store.Store, workers *river.Workers, log *slog.Logger, o Options) (*Queue, error) {
	cfg := &river.Config{
		Logger: log,
		// Dead letters stay four weeks so that someone returning from
		// holiday still finds the mail that could not be delivered.
		DiscardedJobRetentionPeriod: 28 * 24 * time.Hour,
		CancelledJobRetentionPeriod: 28 * 24 * time.Hour,
		RescueStuckJobsAfter:        o.RescueAfter,
		FetchPollInterval:           o.FetchPoll,
		JobTimeout:                  o.JobTimeout,
	}
	if cfg.RescueStuckJobsAfter == 0 {
		cfg.RescueStuckJobsAfter = 10 * time.Minute
	}
	if workers != nil {
		n := o.Workers
		if n == 0 {
			n = 10
		}
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}, QueueDocuments: {MaxWorkers: documentWorkers}}
		for _, p := range o.Periodic {
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, p.job())
		}
	}
	if cfg.FetchPollInterval != 0 && cfg.FetchPollInterval < river.FetchCooldownDefault {
		cfg.FetchCooldown = cfg.FetchPollInterval
	}
	c, err := river.NewClient(riverpgxv5.New(st.Pool()), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Queue{client: c}, nil
}

// Client is the River client, for River UI and tests.
func (q *Queue) Client() *river.Client[pgx.Tx] { return q.client }

// Start begins working jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop lets running jobs finish (until ctx ends) and stops fetching new
// ones. A job still running when ctx ends is cancelled and retried later.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return q.client.StopAndCancel(context.Background())
	}
	return err
}

// Job is what an operator sees of a job: never its arguments, which may
// hold personal data (mail jobs seal theirs anyway).
type Job struct {
	ID          int64
	Kind        string
	State       string
	Attempt     int
	MaxAttempts int
	CreatedAt   time.Time
	ScheduledAt time.Time
	// LastError is the error of the latest failed attempt, if any.
	LastError string
}

// States are the job states an operator can ask for.
var States = []string{"available", "scheduled", "running", "retryable", "completed", "cancelled", "discarded", "pending"}

// List returns up to limit jobs, newest first, in the given states (all
// when none).
func (q *Queue) List(ctx context.Context, limit int, states ...string) ([]Job, error) {
	p := river.NewJobListParams().First(limit).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if len(states) > 0 {
		ss := make([]rivertype.JobState, 0, len(states))
		for _, s := range states {
			if !validState(s) {
				return nil, apperr.New(apperr.Invalid, "unknown job state %q (one of %v)", s, States)
			}
			ss = append(ss, rivertype.JobState(s))
		}
		p = p.States(ss...)
	}
	res, err := q.client.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("jobs: listing: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		out = append(out, jobFrom(j))
	}
	return out, nil
}

func validState(s string) bool {
	for _, v := range States {
		if v == s {
			return true
		}
	}
	return false
}

func jobFrom(j *rivertype.JobRow) Job {
	out := Job{ID: j.ID, Kind: j.Kind, State: string(j.State), Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
		CreatedAt: j.CreatedAt, ScheduledAt: j.ScheduledAt}
	if n := len(j.Errors); n > 0 {
		out.LastError = j.Errors[n-1].Error
	}
	return out
}

// Retry puts a job back on the queue to run now: a dead letter once its
// cause is fixed, or a retryable job without waiting for its backoff.
// A running job is left alone.
func (q *Queue) Retry(ctx context.Context, id int64) (Job, error) {
	j, err := q.client.JobRetry(ctx, id)
	if err != nil {
		return Job{}, notFound(err, id)
	}
	return jobFrom(j), nil
}

// Cancel stops a job for good: one waiting never runs, one running is
// told to stop (its context is cancelled). A finished job stays as it is.
func (q *Queue) Cancel(ctx context.Context, id int64) (Job, error) {
	j, err := q.client.JobCancel(ctx, id)
	if err != nil {
		return Job{}, notFound(err, id)
	}
	return jobFrom(j), nil
}

func notFound(err error, id int64) error {
	if errors.Is(err, rivertype.ErrNotFound) {
		return apperr.New(apperr.NotFound, "no job %d", id)
	}
	return fmt.Errorf("jobs: %w", err)
}

// WaitIdle waits until no job is available to run or running: the jobs
// enqueued so far have been worked (or wait for a retry). Tests use it to
// see a request's side effects when its response arrives.
func (q *Queue) WaitIdle(ctx context.Context) error {
	for {
		js, err := q.List(ctx, 1, "available", "running")
		if err != nil {
			return err
		}
		if len(js) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("jobs: still busy: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}
