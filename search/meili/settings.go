package meili

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"github.com/schalter-ch/schalter/search"
)

// Index-wide settings.
const (
	// maxValuesPerFacet is far above the number of topics, life
	// situations, audiences, offices or channels a city has, so facet
	// counts are never cut.
	maxValuesPerFacet = 500
	// maxTotalHits lets Result.Total count the whole catalogue
	// (Meilisearch's default is 1000).
	maxTotalHits = 10000
	oneTypo      = 5
	twoTypos     = 9
)

// Ranking: Meilisearch's relevance rules, then popularity as the last
// tie-breaker. "sort" only acts when a search sorts (the empty query).
var rankingRules = []string{"words", "typo", "proximity", "attribute", "sort", "exactness", "popularity:desc"}

// Filterable attributes of the document (see document) and the facet each
// one answers.
const (
	attrCategories = "categories"
	attrAudiences  = "audiences"
	attrOffice     = "office"
	attrChannels   = "channels"
	attrPopularity = "popularity"
)

var facetAttributes = []struct{ attr, facet string }{
	{attrCategories, search.FacetCategory},
	{attrAudiences, search.FacetAudience},
	{attrOffice, search.FacetOffice},
	{attrChannels, search.FacetChannel},
}

// locales maps Schalter's language codes to Meilisearch's (ISO 639-3).
var locales = map[string]string{"de": "deu", "fr": "fra", "it": "ita", "en": "eng"}

// localeAliases lets the comparison in Apply accept a server that answers
// a locale in another form than it was sent.
var localeAliases = map[string]string{"de": "deu", "ger": "deu", "fr": "fra", "fre": "fra", "it": "ita", "en": "eng"}

// searchableAttributes lists the text fields in ranking order: every
// title, then keywords, then summaries (each raw, then folded), then
// descriptions. A search only uses its language's fields
// (attributesToSearchOn), in this order.
func searchableAttributes() []string {
	var out []string
	for _, name := range []string{"title", "keywords", "summary"} {
		for _, lang := range search.Languages {
			f := name + "_" + lang
			out = append(out, f, folded(f))
		}
	}
	for _, lang := range search.Languages {
		out = append(out, "description_"+lang)
	}
	return out
}

// desiredSettings returns every setting the engine manages.
func desiredSettings(s search.Settings) *meilisearch.Settings {
	var filterable []string
	for _, f := range facetAttributes {
		filterable = append(filterable, f.attr)
	}
	var localized []*meilisearch.LocalizedAttributes
	for _, lang := range search.Languages {
		localized = append(localized, &meilisearch.LocalizedAttributes{
			AttributePatterns: []string{"*_" + lang + "*"},
			Locales:           []string{locales[lang]},
		})
	}
	return &meilisearch.Settings{
		RankingRules:         slices.Clone(rankingRules),
		SearchableAttributes: searchableAttributes(),
		FilterableAttributes: filterable,
		SortableAttributes:   []string{attrPopularity},
		Synonyms:             synonyms(s.Synonyms),
		LocalizedAttributes:  localized,
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: oneTypo, TwoTypos: twoTypos},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
		},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: maxValuesPerFacet,
			// Counts first, so the values kept are the most frequent if a
			// facet ever has more than maxValuesPerFacet values.
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: maxTotalHits},
	}
}

// synonyms expands each group so that every word maps to every other
// word of the group, in its raw (lower-cased) and its folded form: a
// query, which is folded, finds documents with any of them. A word in
// several groups maps to the words of all of them.
func synonyms(groups [][]string) map[string][]string {
	sets := map[string]map[string]bool{}
	for _, group := range groups {
		var forms []string
		for _, w := range group {
			for _, f := range []string{strings.ToLower(w), search.Fold(w)} {
				f = strings.Join(strings.Fields(f), " ")
				if f != "" && !slices.Contains(forms, f) {
					forms = append(forms, f)
				}
			}
		}
		for _, a := range forms {
			for _, b := range forms {
				if a == b {
					continue
				}
				if sets[a] == nil {
					sets[a] = map[string]bool{}
				}
				sets[a][b] = true
			}
		}
	}
	if len(sets) == 0 {
		return nil
	}
	out := make(map[string][]string, len(sets))
	for w, set := range sets {
		out[w] = slices.Sorted(maps.Keys(set))
	}
	return out
}

// Apply implements search.Engine. It creates the index (primary key slug)
// if it is missing, reads the current settings and sends only those that
// differ, in one settings task; so applying the same settings again sends
// no write at all. Synonyms that must become empty are reset with their
// own call, since the client cannot send an empty map (omitempty).
func (e *Engine) Apply(ctx context.Context, s search.Settings) error {
	want := desiredSettings(s)
	idx := e.ms.Index(e.index)
	cur, err := idx.GetSettingsWithContext(ctx)
	if err != nil {
		err = e.fail("apply settings", err)
		if !isCode(err, codeIndexNotFound) {
			return err
		}
		if err := e.createIndex(ctx); err != nil {
			return err
		}
		cur = nil
	}
	patch, resetSynonyms := diffSettings(cur, want)
	if patch != nil {
		info, err := idx.UpdateSettingsWithContext(ctx, patch)
		if err != nil {
			return e.fail("apply settings", err)
		}
		if err := e.wait(ctx, "apply settings", info); err != nil {
			return err
		}
	}
	if resetSynonyms {
		info, err := idx.ResetSynonymsWithContext(ctx)
		if err != nil {
			return e.fail("reset synonyms", err)
		}
		if err := e.wait(ctx, "reset synonyms", info); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) createIndex(ctx context.Context) error {
	info, err := e.ms.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: e.index, PrimaryKey: primaryKey})
	if err != nil {
		return e.fail("create index", err)
	}
	err = e.wait(ctx, "create index", info)
	if isCode(err, codeIndexAlreadyExists) {
		return nil // another instance was faster
	}
	return err
}

// diffSettings returns the settings of want that differ from cur (nil if
// none) and whether the synonyms must be reset. A nil cur (a new index)
// differs in everything.
func diffSettings(cur, want *meilisearch.Settings) (patch *meilisearch.Settings, resetSynonyms bool) {
	if cur == nil {
		cur = &meilisearch.Settings{}
	}
	p := &meilisearch.Settings{}
	changed := false
	if !slices.Equal(cur.RankingRules, want.RankingRules) {
		p.RankingRules, changed = want.RankingRules, true
	}
	if !slices.Equal(cur.SearchableAttributes, want.SearchableAttributes) {
		p.SearchableAttributes, changed = want.SearchableAttributes, true
	}
	if !sameSet(cur.FilterableAttributes, want.FilterableAttributes) {
		p.FilterableAttributes, changed = want.FilterableAttributes, true
	}
	if !sameSet(cur.SortableAttributes, want.SortableAttributes) {
		p.SortableAttributes, changed = want.SortableAttributes, true
	}
	if !sameSynonyms(cur.Synonyms, want.Synonyms) {
		if len(want.Synonyms) == 0 {
			resetSynonyms = true
		} else {
			p.Synonyms, changed = want.Synonyms, true
		}
	}
	if !sameLocalized(cur.LocalizedAttributes, want.LocalizedAttributes) {
		p.LocalizedAttributes, changed = want.LocalizedAttributes, true
	}
	if !sameTypos(cur.TypoTolerance, want.TypoTolerance) {
		p.TypoTolerance, changed = want.TypoTolerance, true
	}
	if cur.Faceting == nil || cur.Faceting.MaxValuesPerFacet != want.Faceting.MaxValuesPerFacet ||
		!maps.Equal(cur.Faceting.SortFacetValuesBy, want.Faceting.SortFacetValuesBy) {
		p.Faceting, changed = want.Faceting, true
	}
	if cur.Pagination == nil || cur.Pagination.MaxTotalHits != want.Pagination.MaxTotalHits {
		p.Pagination, changed = want.Pagination, true
	}
	if !changed {
		return nil, resetSynonyms
	}
	return p, resetSynonyms
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func sameSynonyms(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !sameSet(v, w) {
			return false
		}
	}
	return true
}

func sameLocalized(a, b []*meilisearch.LocalizedAttributes) bool {
	return slices.EqualFunc(a, b, func(x, y *meilisearch.LocalizedAttributes) bool {
		if x == nil || y == nil {
			return x == y
		}
		return slices.Equal(x.AttributePatterns, y.AttributePatterns) && sameSet(normLocales(x.Locales), normLocales(y.Locales))
	})
}

func normLocales(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		l = strings.ToLower(l)
		if a, ok := localeAliases[l]; ok {
			l = a
		}
		out[i] = l
	}
	return out
}

func sameTypos(a, b *meilisearch.TypoTolerance) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Enabled == b.Enabled && a.MinWordSizeForTypos == b.MinWordSizeForTypos &&
		sameSet(a.DisableOnWords, b.DisableOnWords) && sameSet(a.DisableOnAttributes, b.DisableOnAttributes) &&
		a.DisableOnNumbers == b.DisableOnNumbers
}
