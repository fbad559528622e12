package favourites

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// BoostEvery is how stale popularity from favourites may get: counts
// change slowly, and a refresh reads every list.
const BoostEvery = 10 * time.Minute

// BoostArgs is the periodic job that feeds favourites into popularity.
type BoostArgs struct{}

// Kind names the job in River.
func (BoostArgs) Kind() string { return "favourites_boost" }

// BoostWorker works BoostArgs.
type BoostWorker struct {
	river.WorkerDefaults[BoostArgs]
	Service *Service
	Log     *slog.Logger
}

// Work refreshes the boost. A failure keeps the old boost (search ranks a
// little stale) and is retried by the queue.
func (w *BoostWorker) Work(ctx context.Context, _ *river.Job[BoostArgs]) error {
	n, err := w.Service.RefreshBoost(ctx)
	if err == nil && n > 0 {
		w.Log.InfoContext(ctx, "popularity updated from favourites", "services", n)
	}
	return err
}
