package meili

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/meilisearch/meilisearch-go"

	"github.com/schalter-ch/schalter/search"
)

const (
	defaultLimit   = 20
	maxSuggestions = 8
)

// queryText folds the query like the documents' folded fields. A query
// ending in a space or punctuation keeps one trailing space: Meilisearch
// then takes its last word as complete instead of as a prefix, so "Velo "
// does not find "Velofahrer".
func queryText(q string) string {
	text := search.Fold(q)
	if r, _ := utf8.DecodeLastRuneInString(q); text != "" && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) {
		text += " "
	}
	return text
}

// language returns lang if the engine indexes it, else German.
func language(lang string) string {
	if _, ok := locales[lang]; ok {
		return lang
	}
	return "de"
}

// searchFields are the fields a search in lang looks at, in ranking order.
func searchFields(lang string) []string {
	var out []string
	for _, name := range []string{"title", "keywords", "summary"} {
		f := name + "_" + lang
		out = append(out, f, folded(f))
	}
	return append(out, "description_"+lang)
}

// filter returns the Meilisearch filter expression for the query's filters
// ("" for none).
func filter(q search.Query) string {
	var parts []string
	for _, f := range []struct{ attr, value string }{
		{attrCategories, q.Category},
		{attrAudiences, q.Audience},
		{attrOffice, q.Office},
		{attrChannels, q.Channel},
	} {
		if f.value != "" {
			parts = append(parts, f.attr+" = "+quote(f.value))
		}
	}
	return strings.Join(parts, " AND ")
}

var filterEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// quote makes a filter value of s: in double quotes, with backslashes and
// double quotes escaped by a backslash, so no value can change the
// expression.
func quote(s string) string { return `"` + filterEscaper.Replace(s) + `"` }

// Search implements search.Engine. The query is folded (search.Fold) and
// this one form is searched on the raw and the folded fields of its
// language: Meilisearch brings the raw fields to the same letters (ä → a)
// and the folded fields meet "ae" written for "ä". (Sending the raw words
// next to the folded ones in q would not widen the search: they would be
// more words every document has to match, and only the last one is a
// prefix.) Match positions come from the raw title and summary, which are
// what the hit returns. An empty query lists the most popular services
// first. A missing index answers an empty result.
func (e *Engine) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	lang := language(q.Lang)
	title, summary := "title_"+lang, "summary_"+lang
	text := queryText(q.Q)
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	req := &meilisearch.SearchRequest{
		Query:                text,
		Offset:               int64(max(q.Offset, 0)),
		Limit:                int64(limit),
		AttributesToRetrieve: []string{primaryKey, title, summary},
		AttributesToSearchOn: searchFields(lang),
		Locales:              []string{locales[lang]},
		// Drop the most frequent words first when not all words match, so
		// "wie melde ich meinen Hund an" keeps "Hund" (the default, "last",
		// would drop it before "wie").
		MatchingStrategy: meilisearch.Frequency,
		ShowRankingScore: true,
	}
	for _, f := range facetAttributes {
		req.Facets = append(req.Facets, f.attr)
	}
	if f := filter(q); f != "" {
		req.Filter = f
	}
	if text == "" {
		req.Sort = []string{attrPopularity + ":desc"}
	} else {
		req.ShowMatchesPosition = true
	}
	resp, err := e.ms.Index(e.index).SearchWithContext(ctx, "", req)
	if err != nil {
		err = e.fail("search", err)
		if isCode(err, codeIndexNotFound) {
			return &search.Result{Hits: []search.Hit{}, Facets: facets(nil)}, nil
		}
		return nil, err
	}
	var dist map[string]map[string]int
	if len(resp.FacetDistribution) > 0 {
		if err := json.Unmarshal(resp.FacetDistribution, &dist); err != nil {
			return nil, fmt.Errorf("meilisearch: search: facetDistribution: %w", err)
		}
	}
	res := &search.Result{
		Hits:           make([]search.Hit, 0, len(resp.Hits)),
		Total:          int(max(resp.EstimatedTotalHits, resp.TotalHits)),
		Facets:         facets(dist),
		ProcessingTime: time.Duration(resp.ProcessingTimeMs) * time.Millisecond,
	}
	for _, h := range resp.Hits {
		var d hitData
		if err := d.decode(h, title, summary); err != nil {
			return nil, fmt.Errorf("meilisearch: search: %w", err)
		}
		res.Hits = append(res.Hits, search.Hit{
			Slug:           d.slug,
			Title:          d.title,
			Summary:        d.summary,
			TitleMatches:   codePointRanges(d.title, d.matches[title]),
			SummaryMatches: codePointRanges(d.summary, d.matches[summary]),
			Score:          d.score,
		})
	}
	return res, nil
}

// Suggest implements search.Engine: a search on the titles of lang only,
// for at most 8 completions (a limit ≤ 0 means 8).
func (e *Engine) Suggest(ctx context.Context, q, lang string, limit int) ([]search.Suggestion, error) {
	text := queryText(q)
	if text == "" {
		return []search.Suggestion{}, nil
	}
	if limit <= 0 || limit > maxSuggestions {
		limit = maxSuggestions
	}
	lang = language(lang)
	title := "title_" + lang
	req := &meilisearch.SearchRequest{
		Query:                text,
		Limit:                int64(limit),
		AttributesToRetrieve: []string{primaryKey, title},
		AttributesToSearchOn: []string{title, folded(title)},
		Locales:              []string{locales[lang]},
		ShowMatchesPosition:  true,
	}
	resp, err := e.ms.Index(e.index).SearchWithContext(ctx, "", req)
	if err != nil {
		err = e.fail("suggest", err)
		if isCode(err, codeIndexNotFound) {
			return []search.Suggestion{}, nil
		}
		return nil, err
	}
	out := make([]search.Suggestion, 0, len(resp.Hits))
	for _, h := range resp.Hits {
		var d hitData
		if err := d.decode(h, title, ""); err != nil {
			return nil, fmt.Errorf("meilisearch: suggest: %w", err)
		}
		out = append(out, search.Suggestion{
			Slug:         d.slug,
			Title:        d.title,
			TitleMatches: codePointRanges(d.title, d.matches[title]),
		})
	}
	return out, nil
}

// facets turns Meilisearch's facetDistribution into search.Result.Facets:
// every facet present, zero counts left out, count descending then value.
func facets(dist map[string]map[string]int) map[string][]search.FacetValue {
	out := make(map[string][]search.FacetValue, len(facetAttributes))
	for _, f := range facetAttributes {
		values := []search.FacetValue{}
		for v, n := range dist[f.attr] {
			if n > 0 {
				values = append(values, search.FacetValue{Value: v, Count: n})
			}
		}
		slices.SortFunc(values, func(a, b search.FacetValue) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			return strings.Compare(a.Value, b.Value)
		})
		out[f.facet] = values
	}
	return out
}

// matchPosition is an entry of a hit's _matchesPosition: a byte range.
// (Indices, for arrays, is not used: only titles and summaries are read.)
type matchPosition struct {
	Start  int `json:"start"`
	Length int `json:"length"`
}

// hitData is what the engine reads of a hit.
type hitData struct {
	slug, title, summary string
	score                float64
	matches              map[string][]matchPosition
}

func (d *hitData) decode(h meilisearch.Hit, title, summary string) error {
	for key, dst := range map[string]any{
		primaryKey:         &d.slug,
		title:              &d.title,
		summary:            &d.summary,
		"_rankingScore":    &d.score,
		"_matchesPosition": &d.matches,
	} {
		raw, ok := h[key]
		if !ok || key == "" {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("hit field %s: %w", key, err)
		}
	}
	if d.slug == "" {
		return fmt.Errorf("hit without %s", primaryKey)
	}
	return nil
}

// codePointRanges converts Meilisearch's match positions in text, which
// count bytes of UTF-8, to ranges counting Unicode code points, sorted and
// with overlaps merged. A position cutting into a character is widened to
// the whole character; one outside the text is dropped.
func codePointRanges(text string, positions []matchPosition) []search.Range {
	var out []search.Range
	for _, p := range positions {
		start, end := p.Start, p.Start+p.Length
		if p.Length <= 0 || start < 0 || start >= len(text) {
			continue
		}
		end = min(end, len(text))
		for start > 0 && !utf8.RuneStart(text[start]) {
			start--
		}
		for end < len(text) && !utf8.RuneStart(text[end]) {
			end++
		}
		out = append(out, search.Range{
			Start:  utf8.RuneCountInString(text[:start]),
			Length: utf8.RuneCountInString(text[start:end]),
		})
	}
	slices.SortFunc(out, func(a, b search.Range) int { return cmp.Compare(a.Start, b.Start) })
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && r.Start <= merged[n-1].Start+merged[n-1].Length {
			last := &merged[n-1]
			last.Length = max(last.Length, r.Start+r.Length-last.Start)
			continue
		}
		merged = append(merged, r)
	}
	if len(merged) == 0 {
		return nil
	}
	return merged
}
