package embedded_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/search"
	"github.com/schalter-ch/schalter/search/embedded"
	"github.com/schalter-ch/schalter/search/searchtest"
)

func newEngine(t *testing.T) search.Engine {
	e, err := embedded.Open("")
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	return e
}

func TestContract(t *testing.T) {
	t.Parallel()
	searchtest.Run(t, newEngine)
}

// TestQuality: at least 90% of the resident queries find their service
// among the first three.
func TestQuality(t *testing.T) {
	t.Parallel()
	e := searchtest.Loaded(t, newEngine)
	rep := searchtest.Quality(t, e)
	t.Logf("embedded engine: %d queries, top-1 %.1f%%, top-3 %.1f%%, MRR %.3f", rep.Queries, 100*rep.Top1, 100*rep.Top3, rep.MRR)
	for _, m := range rep.Misses {
		t.Logf("miss: %s", m)
	}
	require.GreaterOrEqual(t, rep.Top3, 0.90)
}
