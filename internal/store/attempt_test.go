package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

// TestAttemptsAcrossReplicas: two stores on one database stand for two
// server replicas; concurrent attempts spread over both get exactly the
// limit, and another key is not affected.
func TestAttemptsAcrossReplicas(t *testing.T) {
	t.Parallel()
	pool := pgtest.DB(t, pgtest.Options{})
	a, b := store.New(pool), store.New(pool)
	ctx := context.Background()
	key, other := []byte("sha256-of-anna@example.ch"), []byte("sha256-of-bruno@example.ch")

	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := a
			if i%2 == 1 {
				st = b
			}
			ok, err := st.Attempt(ctx, key, 10, time.Minute)
			require.NoError(t, err)
			if ok {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	require.EqualValues(t, 10, allowed.Load())
	n, err := b.Attempts(ctx, key, time.Minute)
	require.NoError(t, err)
	require.Equal(t, 10, n, "refused attempts are not counted")
	ok, err := a.Attempt(ctx, other, 10, time.Minute)
	require.NoError(t, err)
	require.True(t, ok)

	// Outside the window the attempts no longer count; pruning forgets them.
	_, err = pool.Exec(ctx, "UPDATE auth_attempt SET at = at - interval '2 minutes'")
	require.NoError(t, err)
	ok, err = a.Attempt(ctx, key, 10, time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	pruned, err := a.PruneAttempts(ctx, time.Now().Add(-time.Minute))
	require.NoError(t, err)
	require.EqualValues(t, 11, pruned)
}
