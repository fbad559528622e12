package embedded

import (
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/schalter-ch/schalter/search"
)

// foldFilterName is a token filter applying search.Fold to every token, so
// the embedded engine, the Meilisearch adapter and the PWA's offline search
// fold umlauts and their spellings identically.
const foldFilterName = "schalter_fold"

type foldFilter struct{}

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = []byte(strings.ReplaceAll(search.Fold(string(t.Term)), " ", ""))
	}
	return in
}

func init() {
	_ = registry.RegisterTokenFilter(foldFilterName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	})
}

// Analyzer names: text analyzers per language (stop words, folding,
// stemming) and a plain one (folding only) for prefixes.
func textAnalyzer(lang string) string { return "schalter_text_" + lang }

const plainAnalyzer = "schalter_plain"

// addAnalyzers defines the analyzers on the index mapping. Stop words are
// removed before folding, because the stop lists are written with umlauts;
// stemming comes after folding, so "Zügeln" and "Zuegeln" stem alike.
func addAnalyzers(im *mapping.IndexMappingImpl) error {
	chains := map[string][]string{
		"de": {lowercase.Name, de.StopName, foldFilterName, de.LightStemmerName},
		"fr": {fr.ElisionName, lowercase.Name, fr.StopName, foldFilterName, fr.LightStemmerName},
		"it": {it.ElisionName, lowercase.Name, it.StopName, foldFilterName, it.LightStemmerName},
		"en": {lowercase.Name, en.PossessiveName, en.StopName, foldFilterName, porter.Name},
	}
	for lang, filters := range chains {
		if err := im.AddCustomAnalyzer(textAnalyzer(lang), map[string]interface{}{
			"type": custom.Name, "tokenizer": unicode.Name, "token_filters": toAny(filters),
		}); err != nil {
			return err
		}
	}
	return im.AddCustomAnalyzer(plainAnalyzer, map[string]interface{}{
		"type": custom.Name, "tokenizer": unicode.Name, "token_filters": toAny([]string{lowercase.Name, foldFilterName}),
	})
}

func toAny(s []string) []interface{} {
	out := make([]interface{}, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
