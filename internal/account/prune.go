package account

import (
	"context"
	"time"

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
// attempts older than attemptsKept, in one transaction, and returns how
// many rows went.
func (s *Service) Prune(ctx context.Context) (int64, error) {
	var n int64
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		devices, err := q.PruneDevices(ctx)
		if err != nil {
			return err
		}
		attempts, err := q.PruneAttempts(ctx, time.Now().Add(-attemptsKept))
		n = devices + attempts
		return err
	})
	return n, err
}

// PruneArgs is the periodic job that runs Prune (a jobs.Chore).
type PruneArgs struct{}

// Kind names the job in River.
func (PruneArgs) Kind() string { return "account_prune" }
