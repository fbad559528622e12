package idempotency

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// ExpireEvery is how often expired keys are deleted: a key lives MaxAge
// and at most this much longer.
const ExpireEvery = time.Hour

// ExpireArgs is the periodic job that deletes keys older than MaxAge.
type ExpireArgs struct{}

// Kind names the job in River.
func (ExpireArgs) Kind() string { return "idempotency_expire" }

// ExpireWorker works ExpireArgs.
type ExpireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	Service *Service
	Log     *slog.Logger
}

// Work deletes the expired keys; a failure is retried by the queue, and
// the next period's job runs anyway.
func (w *ExpireWorker) Work(ctx context.Context, _ *river.Job[ExpireArgs]) error {
	n, err := w.Service.Expire(ctx)
	if err == nil && n > 0 {
		w.Log.InfoContext(ctx, "expired idempotency keys", "count", n)
	}
	return err
}
