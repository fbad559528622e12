package account

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/schalter-ch/schalter/internal/store"
)

// PruneEvery is how often ended sessions' devices and old credential
// attempts are forgotten.
const PruneEvery = time.Hour

// attemptsKept is how long credential attempts are kept: longer than any
// throttle window (logins 15 minutes, SMS codes an hour), so pruning never
// lifts a throttle early.
const attemptsKept = 24 * time.Hour

// Prune forgets the devices of sessions that ended and the credential
// attempts older than attemptsKept, in one transaction.
func (s *Service) Prune(ctx context.Context) (devices, attempts int64, err error) {
	err = s.Store.InTx(ctx, func(q *store.Queries) error {
		if devices, err = q.PruneDevices(ctx); err != nil {
			return err
		}
		attempts, err = q.PruneAttempts(ctx, time.Now().Add(-attemptsKept))
		return err
	})
	return devices, attempts, err
}

// PruneArgs is the periodic job that runs Prune.
type PruneArgs struct{}

// Kind names the job in River.
func (PruneArgs) Kind() string { return "account_prune" }

// PruneWorker works PruneArgs.
type PruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	Service *Service
	Log     *slog.Logger
}

// Work prunes; a failure is retried by the queue.
func (w *PruneWorker) Work(ctx context.Context, _ *river.Job[PruneArgs]) error {
	devices, attempts, err := w.Service.Prune(ctx)
	if err == nil && devices+attempts > 0 {
		w.Log.InfoContext(ctx, "pruned ended sessions and old credential attempts", "devices", devices, "attempts", attempts)
	}
	return err
}
