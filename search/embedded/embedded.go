// Package embedded is Schalter's default search engine: Bleve, in the
// server's process, with its index on local disk (or in memory for tests).
// Each server keeps its own index current from PostgreSQL (search/sync).
package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/schalter-ch/schalter/search"
)

// Field boosts: a match in the title counts most, then keywords, summary
// and description (the contract's ranking order).
var fieldBoost = []struct {
	name  string
	boost float64
}{{"title", 8}, {"keywords", 4}, {"summary", 2}, {"description", 1}}

// approxField holds title and keywords together: typo and prefix matches
// run against it alone, because each such query builds an automaton per
// field, the costliest part of a search.
const approxField = "approx"

func field(name, lang string) string { return name + "_" + lang }

// Engine is the embedded engine.
type Engine struct {
	idx bleve.Index

	mu sync.RWMutex
	// synonyms maps an analysed term to the analysed terms of its group,
	// per language.
	synonyms map[string]map[string][]string
	// vocab holds every analysed term of the indexed text per language; it
	// drives compound splitting.
	vocab map[string]map[string]struct{}
	// vocabStale marks vocab as behind the index (after Index or Clear).
	vocabStale bool

	fuzzy fuzzyCache
	cache resultCache
	temp  string // a temporary index directory to remove on Close

	closeOnce sync.Once
	// life guards the index's raw reader (fuzzyTerms) against Close:
	// bleve's own methods refuse a closed index, its Advanced() reader
	// does not and would crash.
	life   sync.RWMutex
	closed bool
}

// Open opens the index in dir, creating it when missing; dir "" uses a
// temporary directory removed on Close (tests, throwaway servers). The
// on-disk format (scorch) is used either way, so tests run what
// production runs.
func Open(dir string) (*Engine, error) {
	im, err := indexMapping()
	if err != nil {
		return nil, err
	}
	temp := ""
	if dir == "" {
		if temp, err = os.MkdirTemp("", "schalter-search-"); err != nil {
			return nil, err
		}
		dir = temp + "/index"
	}
	// Another process holding the index (a second server on the same data
	// directory) must fail fast with a clear error, not hang.
	idx, err := bleve.OpenUsing(dir, map[string]interface{}{"bolt_timeout": "2s"})
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		if err = os.MkdirAll(dir, 0o755); err == nil {
			_ = os.Remove(dir) // bleve wants to create the directory itself
			idx, err = bleve.New(dir, im)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("embedded search: opening %q (each server needs its own SCHALTER_SEARCH_DIR): %w", dir, err)
	}
	if v, err := idx.GetInternal([]byte(versionKey)); err == nil && string(v) != indexVersion {
		// Written by another version of the mapping or analysis: start
		// over; the syncer rebuilds the empty index from the database.
		idx.Close()
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		if idx, err = bleve.New(dir, im); err != nil {
			return nil, fmt.Errorf("embedded search: recreating %q: %w", dir, err)
		}
	}
	if err := idx.SetInternal([]byte(versionKey), []byte(indexVersion)); err != nil {
		idx.Close()
		return nil, err
	}
	e := &Engine{idx: idx, temp: temp, synonyms: map[string]map[string][]string{}, vocab: map[string]map[string]struct{}{}}
	if err := e.loadVocab(); err != nil {
		idx.Close()
		return nil, err
	}
	return e, nil
}

func indexMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	if err := addAnalyzers(im); err != nil {
		return nil, err
	}
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	dm := bleve.NewDocumentStaticMapping()
	for _, lang := range search.Languages {
		for _, f := range fieldBoost {
			fm := bleve.NewTextFieldMapping()
			fm.Analyzer = textAnalyzer(lang)
			fm.Store = f.name == "title" || f.name == "summary"
			// Term vectors give match positions for highlighting.
			fm.IncludeTermVectors = f.name == "title" || f.name == "summary"
			fm.DocValues = false
			dm.AddFieldMappingsAt(field(f.name, lang), fm)
		}
		am := bleve.NewTextFieldMapping()
		am.Analyzer = textAnalyzer(lang)
		am.Store, am.IncludeTermVectors, am.DocValues = false, true, false
		dm.AddFieldMappingsAt(field(approxField, lang), am)
	}
	for _, f := range []string{"category", "audience", "office", "channel"} {
		km := bleve.NewKeywordFieldMapping()
		km.Store = false
		km.DocValues = true
		dm.AddFieldMappingsAt(f, km)
	}
	nm := bleve.NewNumericFieldMapping()
	nm.DocValues = true
	nm.Store = false
	dm.AddFieldMappingsAt("popularity", nm)
	im.DefaultMapping = dm
	return im, nil
}

// Name implements search.Engine.
func (e *Engine) Name() string { return "embedded" }

// Close implements search.Engine; closing twice is harmless.
func (e *Engine) Close() error {
	var err error
	e.closeOnce.Do(func() {
		e.life.Lock()
		defer e.life.Unlock()
		e.closed = true
		err = e.idx.Close()
		if e.temp != "" {
			_ = os.RemoveAll(e.temp)
		}
	})
	return err
}

// Health implements search.Engine.
func (e *Engine) Health(context.Context) error {
	if _, err := e.idx.DocCount(); err != nil {
		return fmt.Errorf("%w: %v", search.ErrUnavailable, err)
	}
	return nil
}

// Count implements search.Engine.
func (e *Engine) Count(context.Context) (int, error) {
	n, err := e.idx.DocCount()
	return int(n), err
}

// Apply implements search.Engine: it keeps the synonym groups, analysed
// with each language's analyzer.
func (e *Engine) Apply(_ context.Context, s search.Settings) error {
	syn := map[string]map[string][]string{}
	for _, lang := range search.Languages {
		m := map[string][]string{}
		for _, group := range s.Synonyms {
			// Only one-word members are interchangeable word for word; a
			// phrase ("Hund anmelden") must not make its words synonyms
			// of the group (then "Hund" would find every "anmelden").
			var terms []string
			for _, w := range group {
				if toks := e.analyze(textAnalyzer(lang), w); len(toks) == 1 {
					terms = appendUnique(terms, string(toks[0].Term))
				}
			}
			for _, t := range terms {
				for _, other := range terms {
					if other != t {
						m[t] = appendUnique(m[t], other)
					}
				}
			}
		}
		syn[lang] = m
	}
	e.mu.Lock()
	e.synonyms = syn
	e.mu.Unlock()
	e.cache.reset()
	return nil
}

// Index implements search.Engine.
func (e *Engine) Index(_ context.Context, docs []search.Document) error {
	b := e.idx.NewBatch()
	for _, d := range docs {
		doc := map[string]interface{}{
			"category":   append(append([]string{}, d.Categories...), d.LifeSituations...),
			"audience":   d.Audiences,
			"channel":    d.Channels,
			"office":     d.Office,
			"popularity": float64(d.Popularity),
		}
		for lang, t := range d.Text {
			doc[field("title", lang)] = t.Title
			doc[field("keywords", lang)] = joinWords(t.Keywords)
			doc[field("summary", lang)] = t.Summary
			doc[field("description", lang)] = t.Description
			doc[field(approxField, lang)] = t.Title + " · " + joinWords(t.Keywords)
		}
		if err := b.Index(d.Slug, doc); err != nil {
			return err
		}
	}
	err := e.idx.Batch(b)
	e.fuzzy.reset()
	e.cache.reset()
	if err != nil {
		return err
	}
	// The index has just analysed the text; the vocabulary is read back
	// from its term dictionaries when the next query needs it, instead of
	// analysing every document a second time here.
	e.mu.Lock()
	e.vocabStale = true
	e.mu.Unlock()
	return nil
}

func joinWords(ws []string) string {
	out := ""
	for i, w := range ws {
		if i > 0 {
			out += " · "
		}
		out += w
	}
	return out
}

// Delete implements search.Engine.
func (e *Engine) Delete(_ context.Context, slugs []string) error {
	b := e.idx.NewBatch()
	for _, s := range slugs {
		b.Delete(s)
	}
	defer e.fuzzy.reset()
	defer e.cache.reset()
	return e.idx.Batch(b)
}

// Clear implements search.Engine.
func (e *Engine) Clear(ctx context.Context) error {
	for {
		req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 1000, 0, false)
		res, err := e.idx.SearchInContext(ctx, req)
		if err != nil {
			return err
		}
		if len(res.Hits) == 0 {
			break
		}
		ids := make([]string, 0, len(res.Hits))
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if err := e.Delete(ctx, ids); err != nil {
			return err
		}
	}
	e.mu.Lock()
	e.vocabStale = true
	e.mu.Unlock()
	return nil
}

// loadVocab reads the vocabulary from the index's term dictionaries.
// Callers hold e.mu for writing (or own e exclusively, as Open does).
func (e *Engine) loadVocab() error {
	vocab := map[string]map[string]struct{}{}
	for _, lang := range search.Languages {
		v := map[string]struct{}{}
		vocab[lang] = v
		for _, f := range fieldBoost {
			d, err := e.idx.FieldDict(field(f.name, lang))
			if err != nil {
				return err
			}
			for {
				entry, err := d.Next()
				if err != nil {
					d.Close()
					return err
				}
				if entry == nil {
					break
				}
				v[entry.Term] = struct{}{}
			}
			d.Close()
		}
	}
	e.vocab, e.vocabStale = vocab, false
	return nil
}

// freshVocab reloads the vocabulary when the index changed since.
func (e *Engine) freshVocab() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.vocabStale {
		// On failure the old vocabulary serves; the query still runs.
		_ = e.loadVocab()
	}
}

func (e *Engine) analyze(analyzer, text string) analysis.TokenStream {
	a := e.idx.Mapping().AnalyzerNamed(analyzer)
	if a == nil {
		return nil
	}
	return a.Analyze([]byte(text))
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// Search implements search.Engine.
func (e *Engine) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	start := time.Now()
	key := searchKey(q)
	if r, ok := e.cache.getResult(key); ok {
		out := copyResult(r)
		out.ProcessingTime = time.Since(start)
		return out, nil
	}
	gen := e.cache.generation()
	r, err := e.search(ctx, q)
	if err != nil {
		return nil, err
	}
	e.cache.putResult(gen, key, r)
	out := copyResult(r)
	out.ProcessingTime = time.Since(start)
	return out, nil
}

func (e *Engine) search(ctx context.Context, q search.Query) (*search.Result, error) {
	start := time.Now()
	lang := langOrDefault(q.Lang)
	terms := e.queryTerms(q.Q, lang)
	var main query.Query
	if len(terms) == 0 {
		main = bleve.NewMatchAllQuery()
	} else {
		main = e.textQuery(terms, lang, fieldBoost)
	}
	filtered := withFilters(main, q)
	req := bleve.NewSearchRequestOptions(filtered, q.Limit, q.Offset, false)
	req.Fields = []string{field("title", lang), field("summary", lang)}
	req.IncludeLocations = true
	if len(terms) == 0 {
		req.SortBy([]string{"-popularity", "_id"})
	} else {
		req.SortBy([]string{"-_score", "-popularity", "_id"})
	}
	for name, f := range map[string]string{search.FacetCategory: "category", search.FacetAudience: "audience", search.FacetOffice: "office", search.FacetChannel: "channel"} {
		req.AddFacet(name, bleve.NewFacetRequest(f, 100))
	}
	res, err := e.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, unavailable(ctx, err)
	}
	out := &search.Result{Total: int(res.Total), Facets: map[string][]search.FacetValue{}, Hits: make([]search.Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		title, _ := h.Fields[field("title", lang)].(string)
		summary, _ := h.Fields[field("summary", lang)].(string)
		out.Hits = append(out.Hits, search.Hit{
			Slug: h.ID, Title: title, Summary: summary, Score: h.Score,
			TitleMatches: titleMatches(h, title, lang), SummaryMatches: ranges(summary, h.Locations[field("summary", lang)], len(summary)),
		})
	}
	for name, fr := range res.Facets {
		values := []search.FacetValue{}
		if fr.Terms != nil {
			for _, t := range fr.Terms.Terms() {
				if t.Count > 0 {
					values = append(values, search.FacetValue{Value: t.Term, Count: t.Count})
				}
			}
		}
		sort.Slice(values, func(i, j int) bool {
			if values[i].Count != values[j].Count {
				return values[i].Count > values[j].Count
			}
			return values[i].Value < values[j].Value
		})
		out.Facets[name] = values
	}
	out.ProcessingTime = time.Since(start)
	return out, nil
}

// Suggest implements search.Engine: titles that match what was typed,
// the last word as a prefix.
func (e *Engine) Suggest(ctx context.Context, q, lang string, limit int) ([]search.Suggestion, error) {
	key := searchKey(search.Query{Q: q, Lang: lang, Limit: limit})
	if r, ok := e.cache.getSuggest(key); ok {
		return append([]search.Suggestion(nil), r...), nil
	}
	gen := e.cache.generation()
	r, err := e.suggest(ctx, q, lang, limit)
	if err != nil {
		return nil, err
	}
	e.cache.putSuggest(gen, key, r)
	return append([]search.Suggestion(nil), r...), nil
}

func (e *Engine) suggest(ctx context.Context, q, lang string, limit int) ([]search.Suggestion, error) {
	lang = langOrDefault(lang)
	terms := e.queryTerms(q, lang)
	if len(terms) == 0 {
		return []search.Suggestion{}, nil
	}
	titleOnly := fieldBoost[:2] // title, then keywords to reach titles by their other names
	req := bleve.NewSearchRequestOptions(e.textQuery(terms, lang, titleOnly), limit, 0, false)
	req.Fields = []string{field("title", lang)}
	req.IncludeLocations = true
	req.SortBy([]string{"-_score", "-popularity", "_id"})
	res, err := e.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, unavailable(ctx, err)
	}
	out := make([]search.Suggestion, 0, len(res.Hits))
	for _, h := range res.Hits {
		title, _ := h.Fields[field("title", lang)].(string)
		out = append(out, search.Suggestion{Slug: h.ID, Title: title, TitleMatches: titleMatches(h, title, lang)})
	}
	return out, nil
}

func langOrDefault(lang string) string {
	for _, l := range search.Languages {
		if l == lang {
			return l
		}
	}
	return "de"
}

func withFilters(main query.Query, q search.Query) query.Query {
	var must []query.Query
	for f, v := range map[string]string{"category": q.Category, "audience": q.Audience, "office": q.Office, "channel": q.Channel} {
		if v != "" {
			tq := bleve.NewTermQuery(v)
			tq.SetField(f)
			must = append(must, tq)
		}
	}
	if len(must) == 0 {
		return main
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(main)
	for _, m := range must {
		bq.AddMust(m)
	}
	return bq
}

const positionKey = "schalter_outbox_position"

// indexVersion changes whenever the mapping or the analysis changes; an
// index of another version is rebuilt.
const (
	versionKey   = "schalter_index_version"
	indexVersion = "3"
)

// Position returns the outbox position this index has applied; the
// index keeps it with its data, so each replica has its own.
func (e *Engine) Position() (int64, bool, error) {
	b, err := e.idx.GetInternal([]byte(positionKey))
	if err != nil || len(b) == 0 {
		return 0, false, err
	}
	p, err := strconv.ParseInt(string(b), 10, 64)
	return p, err == nil, err
}

// SetPosition records the applied outbox position.
func (e *Engine) SetPosition(p int64) error {
	return e.idx.SetInternal([]byte(positionKey), []byte(strconv.FormatInt(p, 10)))
}

// unavailable reports a failing index (closed, unreadable) as the engine
// being unavailable; a cancelled request stays what it is.
func unavailable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("%w: %v", search.ErrUnavailable, err)
}
