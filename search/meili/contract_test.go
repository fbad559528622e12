package meili_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/search"
	"github.com/schalter-ch/schalter/search/meili"
	"github.com/schalter-ch/schalter/search/searchtest"
)

// liveEngines returns a constructor of engines on a running Meilisearch
// (MEILI_URL, optional MEILI_KEY), each on its own index that is deleted
// when its test ends; it skips the test when MEILI_URL is not set.
func liveEngines(t *testing.T) func(t *testing.T) search.Engine {
	url := os.Getenv("MEILI_URL")
	if url == "" {
		t.Skip("MEILI_URL is not set: the Meilisearch adapter's contract tests need a running Meilisearch server (none can be installed on this machine); its request handling is covered by the recorded-fake tests in this package")
	}
	key := os.Getenv("MEILI_KEY")
	prefix := fmt.Sprintf("schalter-test-%d", time.Now().UnixNano())
	var n atomic.Int64
	return func(t *testing.T) search.Engine {
		e, err := meili.New(url, key, meili.WithIndex(fmt.Sprintf("%s-%d", prefix, n.Add(1))))
		require.NoError(t, err)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := e.DeleteIndex(ctx); err != nil {
				t.Errorf("deleting test index %s: %v", e.IndexName(), err)
			}
			_ = e.Close()
		})
		return e
	}
}

func TestContract(t *testing.T) {
	searchtest.Run(t, liveEngines(t))
}

// TestQuality holds Meilisearch to the bar of the embedded engine: at
// least 90% of the resident queries find their service among the first
// three.
func TestQuality(t *testing.T) {
	e := searchtest.Loaded(t, liveEngines(t))
	rep := searchtest.Quality(t, e)
	t.Logf("meilisearch: %d queries, top-1 %.1f%%, top-3 %.1f%%, MRR %.3f", rep.Queries, 100*rep.Top1, 100*rep.Top3, rep.MRR)
	for _, m := range rep.Misses {
		t.Logf("miss: %s", m)
	}
	require.GreaterOrEqual(t, rep.Top3, 0.90)
}
