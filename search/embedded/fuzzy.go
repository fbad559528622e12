package embedded

import (
	"fmt"
	"strconv"
	"sync"

	index "github.com/blevesearch/bleve_index_api"

	"github.com/schalter-ch/schalter/search"
)

// fuzzyCache remembers which indexed terms lie within a word's edit
// distance. Building the Levenshtein automaton is the costliest step of a
// search, and residents type the same words over and over (search as you
// type repeats every prefix), so the expansion is kept until the index
// changes.
type fuzzyCache struct {
	mu    sync.Mutex
	terms map[string][]string
}

const fuzzyCacheMax = 20000

func (c *fuzzyCache) get(key string) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.terms[key]
	return t, ok
}

func (c *fuzzyCache) put(key string, terms []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.terms == nil || len(c.terms) >= fuzzyCacheMax {
		c.terms = map[string][]string{}
	}
	c.terms[key] = terms
}

func (c *fuzzyCache) reset() {
	c.mu.Lock()
	c.terms = nil
	c.mu.Unlock()
}

// fuzzyTerms returns the terms of field within fuzz edits of term.
func (e *Engine) fuzzyTerms(fieldName, term string, fuzz int) ([]string, error) {
	key := fieldName + "\x00" + strconv.Itoa(fuzz) + "\x00" + term
	if t, ok := e.fuzzy.get(key); ok {
		return t, nil
	}
	e.life.RLock()
	defer e.life.RUnlock()
	if e.closed {
		return nil, fmt.Errorf("%w: the index is closed", search.ErrUnavailable)
	}
	adv, err := e.idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fr, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return nil, fmt.Errorf("embedded search: the index cannot expand fuzzy terms")
	}
	d, err := fr.FieldDictFuzzy(fieldName, term, fuzz, "")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	var out []string
	for {
		entry, err := d.Next()
		if err != nil {
			return nil, err
		}
		if entry == nil {
			break
		}
		out = append(out, entry.Term)
	}
	e.fuzzy.put(key, out)
	return out, nil
}
