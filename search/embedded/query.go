package embedded

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/schalter-ch/schalter/search"
)

// qterm is one word of a query, analysed.
type qterm struct {
	raw   string   // folded, not stemmed: for the prefix of the word being typed
	stem  string   // as the index has it ("" for a stop word)
	alts  []string // synonyms and compound parts, as indexed terms
	fuzz  int      // edits allowed: 1 from 5 letters, 2 from 9
	typed bool     // the last word, still being typed: matched as a prefix
}

// Compound parts are joined with these linking elements (Fugenelemente):
// "Hund-e-anmeldung", "Gemeinde-s-…", "Schule-n-…".
var linkers = []string{"", "s", "e", "n", "en", "es", "er"}

// Endings removed from a compound's tail to reach the indexed stem of the
// part ("anmeldung" → "anmeld" as in "anmelden").
var tailEndings = []string{"ungen", "ung", "en", "e", "s", "n"}

func (e *Engine) queryTerms(q, lang string) []qterm {
	e.freshVocab()
	e.mu.RLock()
	defer e.mu.RUnlock()
	raw := e.analyze(plainAnalyzer, q)
	trailingSpace := strings.HasSuffix(q, " ")
	var out []qterm
	for i, tok := range raw {
		word := string(tok.Term)
		qt := qterm{raw: word, typed: i == len(raw)-1 && !trailingSpace}
		stems := e.analyze(textAnalyzer(lang), string(q[tok.Start:tok.End]))
		if len(stems) > 0 {
			qt.stem = string(stems[0].Term)
		}
		n := utf8.RuneCountInString(word)
		switch {
		case n >= 9:
			qt.fuzz = 2
		case n >= 5:
			qt.fuzz = 1
		}
		if qt.stem == "" && !qt.typed {
			continue // a stop word such as "wie", "ich", "meinen"
		}
		qt.alts = e.alternatives(qt.stem, lang)
		out = append(out, qt)
	}
	// Words written apart that the catalogue writes together ("Hund
	// Marke" → "hundemarke").
	vocab := e.vocab[lang]
	for i := 0; i+1 < len(out); i++ {
		for _, l := range linkers {
			if c := out[i].stem + l + out[i+1].stem; out[i].stem != "" && inVocab(vocab, c) {
				out[i].alts = appendUnique(out[i].alts, c)
				out[i+1].alts = appendUnique(out[i+1].alts, c)
			}
		}
	}
	return out
}

func inVocab(v map[string]struct{}, t string) bool {
	_, ok := v[t]
	return ok
}

// alternatives are the other indexed terms a query term stands for: its
// synonyms, the parts of a compound ("hundeanmeldung" → "hund",
// "anmeld"), and compounds with a synonym as first part ("abfallkalender"
// → "abfuhrkalender"). Callers hold e.mu.
func (e *Engine) alternatives(stem, lang string) []string {
	if stem == "" {
		return nil
	}
	syn := e.synonyms[lang]
	vocab := e.vocab[lang]
	alts := append([]string{}, syn[stem]...)
	known := func(t string) bool { return inVocab(vocab, t) || len(syn[t]) > 0 }
	r := []rune(stem)
	if len(r) < 7 {
		return alts
	}
	for i := 3; i <= len(r)-3; i++ {
		head, rest := string(r[:i]), string(r[i:])
		if !known(head) {
			continue
		}
		for _, l := range linkers {
			if !strings.HasPrefix(rest, l) || len(rest)-len(l) < 3 {
				continue
			}
			tail := strings.TrimPrefix(rest, l)
			for _, t := range tailVariants(tail) {
				if !inVocab(vocab, t) && len(syn[t]) == 0 {
					continue
				}
				alts = appendUnique(alts, t)
				alts = appendUnique(alts, head)
				for _, h := range append([]string{head}, syn[head]...) {
					for _, l2 := range linkers {
						if c := h + l2 + t; inVocab(vocab, c) {
							alts = appendUnique(alts, c)
						}
					}
					alts = appendUnique(alts, h)
				}
				for _, ts := range syn[t] {
					alts = appendUnique(alts, ts)
				}
			}
		}
	}
	return alts
}

func tailVariants(tail string) []string {
	out := []string{tail}
	for _, end := range tailEndings {
		if strings.HasSuffix(tail, end) && len(tail)-len(end) >= 3 {
			out = append(out, strings.TrimSuffix(tail, end))
		}
	}
	return out
}

// textQuery builds the query: every word may match in any of the fields,
// exactly (best), as a synonym or compound part, with typos, or as a
// prefix while being typed; a document scores higher the more words match
// (Bleve's disjunction coordination) and the better the fields.
func (e *Engine) textQuery(terms []qterm, lang string, fields []struct {
	name  string
	boost float64
}) query.Query {
	approx := field(approxField, lang)
	var words []query.Query
	for _, t := range terms {
		var alts []query.Query
		add := func(q interface {
			query.Query
			SetField(string)
			SetBoost(float64)
		}, fname string, boost float64) {
			q.SetField(fname)
			q.SetBoost(boost)
			alts = append(alts, q)
		}
		for _, f := range fields {
			fname := field(f.name, lang)
			if t.stem != "" {
				add(bleve.NewTermQuery(t.stem), fname, f.boost)
			}
			for _, a := range t.alts {
				add(bleve.NewTermQuery(a), fname, f.boost*0.8)
			}
		}
		// Typos and the word being typed: once, on title and keywords.
		if t.stem != "" && t.fuzz > 0 {
			near, err := e.fuzzyTerms(approx, t.stem, t.fuzz)
			if err != nil {
				// An unreadable index fails the search itself just after.
				near = nil
			}
			for _, n := range near {
				if n != t.stem {
					add(bleve.NewTermQuery(n), approx, 3*0.5)
				}
			}
		}
		if t.typed && len(t.raw) >= 2 {
			add(bleve.NewPrefixQuery(t.raw), approx, 4)
			if t.stem != "" && t.stem != t.raw {
				add(bleve.NewPrefixQuery(t.stem), approx, 4)
			}
		}
		if len(alts) > 0 {
			words = append(words, bleve.NewDisjunctionQuery(alts...))
		}
	}
	if len(words) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	return bleve.NewDisjunctionQuery(words...)
}

// titleMatches collects the matches in a hit's title: from the title
// field, and from the approximate field (typos, prefixes), whose text
// starts with the title.
func titleMatches(h *bsearch.DocumentMatch, title, lang string) []search.Range {
	merged := map[string]bsearch.Locations{}
	for _, f := range []string{field("title", lang), field(approxField, lang)} {
		for term, l := range h.Locations[f] {
			merged[term] = append(merged[term], l...)
		}
	}
	return ranges(title, merged, len(title))
}

// ranges turns Bleve's match locations (byte offsets) into code-point
// ranges of text, sorted, without duplicates, ignoring offsets past limit.
func ranges(text string, tl bsearch.TermLocationMap, limit int) []search.Range {
	type span struct{ start, end int }
	var spans []span
	for _, locs := range tl {
		for _, l := range locs {
			if int(l.End) <= limit && l.Start < l.End {
				spans = append(spans, span{int(l.Start), int(l.End)})
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	out := []search.Range{}
	lastEnd := -1
	for _, s := range spans {
		if s.start < lastEnd || !utf8.ValidString(text[s.start:s.end]) {
			continue
		}
		out = append(out, search.Range{Start: utf8.RuneCountInString(text[:s.start]), Length: utf8.RuneCountInString(text[s.start:s.end])})
		lastEnd = s.end
	}
	return out
}
