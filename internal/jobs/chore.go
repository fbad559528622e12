package jobs

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"
)

// Chore works a periodic housekeeping job of kind T (see Periodic): Run
// does the work and says how many rows it changed, which is logged as
// Done when it is not zero. A failure is returned to River, which retries
// it; the next period's job runs anyway. Domain packages declare only the
// job's arguments (its kind) and the method that does the work.
type Chore[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	Run  func(ctx context.Context) (int64, error)
	Done string
	Log  *slog.Logger
}

// Work implements river.Worker.
func (c *Chore[T]) Work(ctx context.Context, job *river.Job[T]) error {
	n, err := c.Run(ctx)
	if err == nil && n > 0 {
		c.Log.InfoContext(ctx, c.Done, "kind", job.Kind, "count", n)
	}
	return err
}
