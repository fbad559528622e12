package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/snapshot"
	"github.com/schalter-ch/schalter/search"
)

const tagSearch = "Search"

// SearchInput is a search.
type SearchInput struct {
	LangParams
	Q        string `query:"q" maxLength:"200" doc:"What the resident typed. Control characters are removed. Empty: the most popular services." example:"hund anmälde"`
	Category string `query:"category" maxLength:"80" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" doc:"A topic or life situation slug."`
	Audience string `query:"audience" maxLength:"80" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$"`
	Office   string `query:"office" maxLength:"80" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$"`
	Channel  string `query:"channel" enum:"online,counter,post"`
	Limit    int    `query:"limit" minimum:"1" maximum:"50" default:"10"`
	Offset   int    `query:"offset" minimum:"0" maximum:"1000" default:"0"`
}

// Highlights are the matched parts of a hit's texts, as code-point ranges
// of the returned strings: clients mark them up themselves, so no markup
// from content is ever interpreted.
type Highlights struct {
	Title   []search.Range `json:"title"`
	Summary []search.Range `json:"summary"`
}

// SearchHit is one found service.
type SearchHit struct {
	Slug       string     `json:"slug" example:"hund-anmelden"`
	Title      string     `json:"title" example:"Hund anmelden"`
	Summary    string     `json:"summary"`
	Office     OfficeRef  `json:"office"`
	Highlights Highlights `json:"highlights"`
}

// FacetOut is one value of a facet.
type FacetOut struct {
	Value string `json:"value" example:"abfall-umwelt"`
	Title string `json:"title" example:"Abfall und Umwelt"`
	Count int    `json:"count" example:"12"`
}

// Facets counts the hits per value of each filter.
type Facets struct {
	Category []FacetOut `json:"category"`
	Audience []FacetOut `json:"audience"`
	Office   []FacetOut `json:"office"`
	Channel  []FacetOut `json:"channel"`
}

// SearchResult answers a search.
type SearchResult struct {
	Query            string      `json:"query" doc:"The query as searched (cleaned)."`
	Hits             []SearchHit `json:"hits"`
	Total            int         `json:"total"`
	Facets           Facets      `json:"facets"`
	ProcessingTimeMS float64     `json:"processing_time_ms" example:"0.8"`
	Engine           string      `json:"engine" enum:"embedded,meilisearch"`
}

// SuggestInput is a partly typed query.
type SuggestInput struct {
	LangParams
	Q     string `query:"q" maxLength:"200" doc:"What has been typed so far; the last word counts as a prefix." example:"sperrg"`
	Limit int    `query:"limit" minimum:"1" maximum:"8" default:"8"`
}

// SuggestionOut is a completion.
type SuggestionOut struct {
	Slug       string         `json:"slug" example:"sperrgut-abfuhr-bestellen"`
	Title      string         `json:"title" example:"Sperrgut-Abfuhr bestellen"`
	Highlights []search.Range `json:"highlights"`
}

// SuggestResult answers a suggest request.
type SuggestResult struct {
	Query       string          `json:"query"`
	Suggestions []SuggestionOut `json:"suggestions"`
}

// SynonymList is the curated synonym list.
type SynonymList struct {
	Groups [][]string `json:"groups" doc:"Groups of words that mean the same to residents." example:"[[\"zügeln\",\"umziehen\",\"Umzug\"]]"`
}

// cleanQuery removes control characters and surrounding space.
func cleanQuery(q string) string {
	return strings.TrimLeftFunc(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, q), unicode.IsSpace)
}

// searchProblem maps engine failures: an engine that is down is a 503
// with Retry-After, never a 500.
func (s *Server) searchProblem(ctx context.Context, err error) error {
	if s.engine == nil || errors.Is(err, search.ErrUnavailable) {
		s.log.WarnContext(ctx, "search unavailable", "request_id", RequestID(ctx), "err", err)
		return huma.ErrorWithHeaders(huma.Error503ServiceUnavailable("search is unavailable right now; please retry shortly"),
			http.Header{"Retry-After": {"5"}})
	}
	return s.problem(ctx, err)
}

func (s *Server) registerSearch(api huma.API) {
	errs := []int{http.StatusUnprocessableEntity, http.StatusInternalServerError, http.StatusServiceUnavailable}
	huma.Register(api, huma.Operation{
		OperationID: "search", Method: http.MethodGet, Path: "/api/v1/search", Tags: []string{tagSearch},
		Summary: "Search services",
		Description: "Finds published services the way residents ask for them: tolerant of typos, Swiss German words and " +
			"spellings (ä = ae = a), compounds and questions. Hits come with match ranges for highlighting and facet " +
			"counts for category, audience, office and channel.",
		Errors: errs,
	}, func(ctx context.Context, in *SearchInput) (*Uncached[SearchResult], error) {
		if s.engine == nil {
			return nil, s.searchProblem(ctx, nil)
		}
		lang := in.resolve()
		q := cleanQuery(in.Q)
		res, err := s.engine.Search(ctx, search.Query{Q: q, Lang: lang, Category: in.Category, Audience: in.Audience,
			Office: in.Office, Channel: in.Channel, Limit: in.Limit, Offset: in.Offset})
		if err != nil {
			return nil, s.searchProblem(ctx, err)
		}
		snap, err := s.cache.Current(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := SearchResult{Query: q, Total: res.Total, Hits: make([]SearchHit, 0, len(res.Hits)), Engine: s.engine.Name(),
			ProcessingTimeMS: float64(res.ProcessingTime.Microseconds()) / 1000, Facets: facetsOut(res.Facets, snap, lang)}
		for _, h := range res.Hits {
			hit := SearchHit{Slug: h.Slug, Title: h.Title, Summary: h.Summary,
				Highlights: Highlights{Title: nonNil(h.TitleMatches), Summary: nonNil(h.SummaryMatches)}}
			if d, err := snap.Service(h.Slug); err == nil {
				hit.Office = OfficeRef{Slug: d.Office.Slug, Name: d.Office.Name.In(lang)}
			}
			out.Hits = append(out.Hits, hit)
		}
		return &Uncached[SearchResult]{CacheControl: "public, max-age=30", Body: out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "searchSuggest", Method: http.MethodGet, Path: "/api/v1/search/suggest", Tags: []string{tagSearch},
		Summary:     "Suggestions while typing",
		Description: "Up to 8 services whose title matches what has been typed so far, for search as you type.",
		Errors:      errs,
	}, func(ctx context.Context, in *SuggestInput) (*Uncached[SuggestResult], error) {
		if s.engine == nil {
			return nil, s.searchProblem(ctx, nil)
		}
		q := cleanQuery(in.Q)
		sug, err := s.engine.Suggest(ctx, q, in.resolve(), in.Limit)
		if err != nil {
			return nil, s.searchProblem(ctx, err)
		}
		out := SuggestResult{Query: q, Suggestions: make([]SuggestionOut, 0, len(sug))}
		for _, x := range sug {
			out.Suggestions = append(out.Suggestions, SuggestionOut{Slug: x.Slug, Title: x.Title, Highlights: nonNil(x.TitleMatches)})
		}
		return &Uncached[SuggestResult]{CacheControl: "public, max-age=30", Body: out}, nil
	})

	huma.Register(api, huma.Operation{
		OperationID: "searchSynonyms", Method: http.MethodGet, Path: "/api/v1/search/synonyms", Tags: []string{tagSearch},
		Summary:     "The synonym list",
		Description: "The curated synonyms both engines use, for clients that search offline with the same vocabulary.",
		Errors:      []int{http.StatusInternalServerError},
	}, func(ctx context.Context, _ *struct{}) (*Uncached[SynonymList], error) {
		groups := s.searchSettings.Synonyms
		if groups == nil {
			groups = [][]string{}
		}
		return &Uncached[SynonymList]{CacheControl: "public, max-age=3600", Body: SynonymList{Groups: groups}}, nil
	})
}

func facetsOut(f map[string][]search.FacetValue, snap *snapshot.Data, lang string) Facets {
	titles := map[string]map[string]string{search.FacetCategory: {}, search.FacetAudience: {}, search.FacetOffice: {}}
	for _, c := range snap.Categories {
		titles[search.FacetCategory][c.Slug] = c.Title.In(lang)
	}
	for _, a := range snap.Audiences {
		titles[search.FacetAudience][a.Slug] = a.Title.In(lang)
	}
	for _, o := range snap.Offices {
		titles[search.FacetOffice][o.Slug] = o.Name.In(lang)
	}
	conv := func(name string) []FacetOut {
		out := make([]FacetOut, 0, len(f[name]))
		for _, v := range f[name] {
			title := titles[name][v.Value]
			if title == "" {
				title = v.Value
			}
			out = append(out, FacetOut{Value: v.Value, Title: title, Count: v.Count})
		}
		return out
	}
	return Facets{Category: conv(search.FacetCategory), Audience: conv(search.FacetAudience), Office: conv(search.FacetOffice), Channel: conv(search.FacetChannel)}
}
