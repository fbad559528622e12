// Package search is Schalter's service search: one Engine interface with
// two implementations, an embedded in-process engine (search/embedded, the
// default) and Meilisearch (search/meili, when SCHALTER_MEILI_URL is set).
// The rest of Schalter knows only this package's types. Both engines pass
// the same contract tests (search/searchtest).
package search

import (
	"context"
	"errors"
	"time"
)

// Languages a document carries; German is the fallback of the others.
var Languages = []string{"de", "fr", "it", "en"}

// Document is one published service as the engines index it.
type Document struct {
	Slug           string
	Popularity     int // 0–100; the tie-breaker in ranking
	Categories     []string
	LifeSituations []string
	Audiences      []string
	Channels       []string
	Office         string
	// Text per language code. Every language present is complete (the
	// caller fills gaps with German), so engines need no fallback logic.
	Text map[string]Text
}

// Text is the searchable text of a document in one language, in ranking
// order: title, then keywords (with synonyms), then summary, then
// description (plain text, no Markdown).
type Text struct {
	Title       string
	Keywords    []string
	Summary     string
	Description string
}

// Query is a search.
type Query struct {
	Q    string // already cleaned: no control characters, ≤ 200 characters
	Lang string // de, fr, it or en
	// Filters (empty = any). Category matches topics and life situations.
	Category, Audience, Office, Channel string
	Limit, Offset                       int
}

// Range marks a match inside a text, in Unicode code points (not bytes),
// so clients in any language can slice the text they were given.
type Range struct {
	Start  int `json:"start"`
	Length int `json:"length"`
}

// Hit is one found service. Title and Summary are in the query's language.
type Hit struct {
	Slug    string
	Title   string
	Summary string
	// Matches in Title and Summary.
	TitleMatches   []Range
	SummaryMatches []Range
	Score          float64
}

// FacetValue is one value of a facet with the number of hits having it.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facet names.
const (
	FacetCategory = "category"
	FacetAudience = "audience"
	FacetOffice   = "office"
	FacetChannel  = "channel"
)

// Result answers a Query.
type Result struct {
	Hits  []Hit
	Total int
	// Facets counts, over all hits (not only the page), each facet's
	// values: category (topics and life situations), audience, office,
	// channel. Values with a zero count are left out; order: count
	// descending, then value.
	Facets         map[string][]FacetValue
	ProcessingTime time.Duration
}

// Suggestion is a completion for search as you type: a service whose
// title matches what was typed so far.
type Suggestion struct {
	Slug         string
	Title        string
	TitleMatches []Range
}

// Settings are the engine-wide search settings, applied idempotently.
type Settings struct {
	// Synonyms are groups of words that mean the same to residents, e.g.
	// {"zügeln", "umziehen", "Umzug"}: a query for any finds the others.
	Synonyms [][]string
}

// Engine is a search engine holding the published catalogue.
type Engine interface {
	// Name is "embedded" or "meilisearch".
	Name() string
	// Apply configures the index (synonyms, ranking, filters); calling it
	// again with the same settings changes nothing.
	Apply(ctx context.Context, s Settings) error
	// Index adds or replaces documents (by slug).
	Index(ctx context.Context, docs []Document) error
	// Delete removes documents; unknown slugs are ignored.
	Delete(ctx context.Context, slugs []string) error
	// Clear removes every document.
	Clear(ctx context.Context) error
	// Count returns the number of documents.
	Count(ctx context.Context) (int, error)
	Search(ctx context.Context, q Query) (*Result, error)
	// Suggest returns up to limit completions for a partly typed query.
	Suggest(ctx context.Context, q, lang string, limit int) ([]Suggestion, error)
	// Health returns ErrUnavailable (wrapped) when the engine cannot serve.
	Health(ctx context.Context) error
	Close() error
}

// ErrUnavailable means the engine cannot answer now; the API turns it into
// 503 with Retry-After.
var ErrUnavailable = errors.New("search engine unavailable")
