package embedded

import (
	"strconv"
	"strings"
	"sync"

	"github.com/schalter-ch/schalter/search"
)

// resultCache keeps recent search results until the index changes.
// Residents' queries repeat a great deal (search as you type sends every
// prefix, and a city's top queries are few), so most searches are answered
// from here; a change to the index empties it, so no answer is stale.
type resultCache struct {
	mu      sync.Mutex
	gen     uint64 // moves with every reset; results computed before it are dropped
	results map[string]*search.Result
	suggest map[string][]search.Suggestion
}

// generation returns the current generation, to pass to put.
func (c *resultCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

const resultCacheMax = 5000

func searchKey(q search.Query) string {
	return strings.Join([]string{q.Lang, q.Q, q.Category, q.Audience, q.Office, q.Channel,
		strconv.Itoa(q.Limit), strconv.Itoa(q.Offset)}, "\x00")
}

func (c *resultCache) getResult(key string) (*search.Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.results[key]
	return r, ok
}

func (c *resultCache) putResult(gen uint64, key string, r *search.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // the index changed while this result was computed
	}
	if c.results == nil || len(c.results) >= resultCacheMax {
		c.results = map[string]*search.Result{}
	}
	c.results[key] = r
}

func (c *resultCache) getSuggest(key string) ([]search.Suggestion, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.suggest[key]
	return r, ok
}

func (c *resultCache) putSuggest(gen uint64, key string, r []search.Suggestion) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.suggest == nil || len(c.suggest) >= resultCacheMax {
		c.suggest = map[string][]search.Suggestion{}
	}
	c.suggest[key] = r
}

func (c *resultCache) reset() {
	c.mu.Lock()
	c.gen++
	c.results, c.suggest = nil, nil
	c.mu.Unlock()
}

// copyResult gives callers their own slices, so no caller can change a
// cached result.
func copyResult(r *search.Result) *search.Result {
	out := *r
	out.Hits = append([]search.Hit(nil), r.Hits...)
	out.Facets = make(map[string][]search.FacetValue, len(r.Facets))
	for k, v := range r.Facets {
		out.Facets[k] = append([]search.FacetValue(nil), v...)
	}
	return &out
}
