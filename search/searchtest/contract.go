// Package searchtest is the contract every search.Engine must meet. The
// embedded engine runs it always; the Meilisearch adapter whenever
// MEILI_URL is set. Each behaviour the issue names is one table row.
package searchtest

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/db"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/searchsync"
	"github.com/schalter-ch/schalter/search"
)

// DemoDocuments are the published demo services as search documents.
func DemoDocuments(t testing.TB) []search.Document {
	t.Helper()
	b, err := catalog.LoadBundle(db.SeedFS())
	require.NoError(t, err)
	docs := make([]search.Document, 0, len(b.Services))
	for i := range b.Services {
		s := &b.Services[i]
		if s.State != catalog.StatePublished {
			continue
		}
		var html catalog.Localized
		for _, lang := range catalog.Languages {
			if src := s.Description.Get(lang); src != "" {
				h, err := catalog.RenderMarkdown(src)
				require.NoError(t, err)
				html.Set(lang, h)
			}
		}
		docs = append(docs, searchsync.Document(s, html))
	}
	return docs
}

// Loaded returns a fresh engine holding the demo catalogue with the
// default settings.
func Loaded(t *testing.T, newEngine func(t *testing.T) search.Engine) search.Engine {
	t.Helper()
	ctx := context.Background()
	e := newEngine(t)
	settings, err := search.DefaultSettings()
	require.NoError(t, err)
	require.NoError(t, e.Apply(ctx, settings))
	require.NoError(t, e.Index(ctx, DemoDocuments(t)))
	return e
}

// Run runs the contract against engines made by newEngine (a fresh, empty
// engine per call).
func Run(t *testing.T, newEngine func(t *testing.T) search.Engine) {
	ctx := context.Background()
	e := Loaded(t, newEngine)

	slugs := func(r *search.Result) []string {
		out := make([]string, 0, len(r.Hits))
		for _, h := range r.Hits {
			out = append(out, h.Slug)
		}
		return out
	}

	// Each row: a query and a service that must be among the first `top`.
	findings := []struct {
		behaviour, q, lang, want string
		top                      int
	}{
		{"plain", "Hund anmelden", "de", "hund-anmelden", 1},
		{"case folding", "HEIMATSCHEIN", "de", "heimatschein", 1},
		{"umlaut as ae", "Identitaetskarte", "de", "identitaetskarte-beantragen", 1},
		{"umlaut dropped", "identitatskarte", "de", "identitaetskarte-beantragen", 1},
		{"ß for ss", "Straße Beleuchtung Schaden", "de", "schaden-strasse-beleuchtung-melden", 1},
		{"stemming: plural", "Hunde anmelden", "de", "hund-anmelden", 1},
		{"stemming: inflection", "Bestattungen", "de", "bestattung-organisieren", 3},
		{"one typo from 5 letters", "Heimatschien", "de", "heimatschein", 1},
		{"two typos from 9 letters", "Grüngtabfur", "de", "gruengutabfuhr", 3},
		{"prefix of the typed word", "sperrg", "de", "sperrgut-abfuhr-bestellen", 1},
		{"prefix after a full word", "Hund anm", "de", "hund-anmelden", 1},
		{"compound: Hundeanmeldung", "Hundeanmeldung", "de", "hund-anmelden", 3},
		{"compound: Abfallkalender", "Abfallkalender", "de", "abfuhrkalender", 3},
		{"synonym: zügeln", "zügeln", "de", "umzug-innerhalb-melden", 3},
		{"synonym: Güsel", "Güsel Kalender", "de", "abfuhrkalender", 3},
		{"synonym: Hochzeit", "Hochzeit", "de", "trauung-ehevorbereitung", 3},
		{"synonym: Chrippe", "Chrippe", "de", "kita-platz", 3},
		{"synonym: ID", "ID", "de", "identitaetskarte-beantragen", 3},
		{"question", "wie melde ich meinen hund an", "de", "hund-anmelden", 3},
		{"French", "chien", "fr", "hund-anmelden", 3},
		{"English", "dog", "en", "hund-anmelden", 3},
	}
	for _, f := range findings {
		t.Run("finds/"+f.behaviour, func(t *testing.T) {
			r, err := e.Search(ctx, search.Query{Q: f.q, Lang: f.lang, Limit: 10})
			require.NoError(t, err)
			got := slugs(r)
			require.Contains(t, got[:min(f.top, len(got))], f.want, "%q → %v", f.q, got)
		})
	}

	t.Run("a phrase synonym does not make its words synonyms", func(t *testing.T) {
		// synonyms.yaml has [Hundeanmeldung, Hund anmelden, …]: "Hund"
		// must not find every service with "anmelden".
		r, err := e.Search(ctx, search.Query{Q: "Hund ", Lang: "de", Limit: 10})
		require.NoError(t, err)
		require.NotContains(t, slugs(r), "zuzug-anmelden")
	})

	t.Run("a 4-letter word allows no typo", func(t *testing.T) {
		r, err := e.Search(ctx, search.Query{Q: "Hnud ", Lang: "de", Limit: 10})
		require.NoError(t, err)
		require.NotContains(t, slugs(r), "hund-anmelden")
	})

	t.Run("empty query: most popular first", func(t *testing.T) {
		r, err := e.Search(ctx, search.Query{Lang: "de", Limit: 20})
		require.NoError(t, err)
		require.Len(t, r.Hits, 20)
		require.Equal(t, len(DemoDocuments(t)), r.Total)
		pop := map[string]int{}
		for _, d := range DemoDocuments(t) {
			pop[d.Slug] = d.Popularity
		}
		for i := 1; i < len(r.Hits); i++ {
			require.GreaterOrEqual(t, pop[r.Hits[i-1].Slug], pop[r.Hits[i].Slug])
		}
	})

	t.Run("filters and facets", func(t *testing.T) {
		all, err := e.Search(ctx, search.Query{Lang: "de", Limit: 200})
		require.NoError(t, err)
		for _, name := range []string{search.FacetCategory, search.FacetAudience, search.FacetOffice, search.FacetChannel} {
			require.NotEmpty(t, all.Facets[name], name)
		}
		var abfall int
		for _, v := range all.Facets[search.FacetCategory] {
			if v.Value == "abfall-umwelt" {
				abfall = v.Count
			}
		}
		require.Positive(t, abfall)
		r, err := e.Search(ctx, search.Query{Lang: "de", Category: "abfall-umwelt", Limit: 200})
		require.NoError(t, err)
		require.Equal(t, abfall, r.Total, "the facet count is the filtered total")
		docs := map[string]search.Document{}
		for _, d := range DemoDocuments(t) {
			docs[d.Slug] = d
		}
		for _, h := range r.Hits {
			d := docs[h.Slug]
			require.True(t, slices.Contains(d.Categories, "abfall-umwelt") || slices.Contains(d.LifeSituations, "abfall-umwelt"), h.Slug)
		}
		r, err = e.Search(ctx, search.Query{Q: "anmelden", Lang: "de", Channel: "post", Audience: "residents", Limit: 200})
		require.NoError(t, err)
		for _, h := range r.Hits {
			require.Contains(t, docs[h.Slug].Channels, "post", h.Slug)
			require.Contains(t, docs[h.Slug].Audiences, "residents", h.Slug)
		}
		for _, v := range r.Facets[search.FacetChannel] {
			if v.Value == "post" {
				require.Equal(t, r.Total, v.Count)
			}
		}
		r, err = e.Search(ctx, search.Query{Lang: "de", Office: "entsorgung", Limit: 200})
		require.NoError(t, err)
		require.Positive(t, r.Total)
		for _, h := range r.Hits {
			require.Equal(t, "entsorgung", docs[h.Slug].Office)
		}
	})

	t.Run("paging", func(t *testing.T) {
		p1, err := e.Search(ctx, search.Query{Q: "anmelden", Lang: "de", Limit: 5})
		require.NoError(t, err)
		p2, err := e.Search(ctx, search.Query{Q: "anmelden", Lang: "de", Limit: 5, Offset: 5})
		require.NoError(t, err)
		require.Equal(t, p1.Total, p2.Total)
		for _, s := range slugs(p2) {
			require.NotContains(t, slugs(p1), s)
		}
	})

	t.Run("suggest", func(t *testing.T) {
		s, err := e.Suggest(ctx, "hund", "de", 8)
		require.NoError(t, err)
		require.LessOrEqual(t, len(s), 8)
		require.NotEmpty(t, s)
		var found bool
		for _, x := range s {
			found = found || x.Slug == "hund-anmelden"
			require.NotEmpty(t, x.Title)
		}
		require.True(t, found)
		s, err = e.Suggest(ctx, "fundb", "de", 3)
		require.NoError(t, err)
		require.NotEmpty(t, s)
		require.Equal(t, "fundbuero", s[0].Slug)
		require.NotEmpty(t, s[0].TitleMatches)
	})

	t.Run("ranking and highlights on controlled documents", func(t *testing.T) {
		c := newEngine(t)
		require.NoError(t, c.Apply(ctx, search.Settings{Synonyms: [][]string{{"zügeln", "umziehen"}}}))
		doc := func(slug string, pop int, title, keywords, summary, desc string) search.Document {
			return search.Document{Slug: slug, Popularity: pop, Categories: []string{"x"}, Audiences: []string{"residents"},
				Channels: []string{"online"}, Office: "o", Text: map[string]search.Text{"de": {
					Title: title, Keywords: []string{keywords}, Summary: summary, Description: desc}}}
		}
		require.NoError(t, c.Index(ctx, []search.Document{
			doc("in-description", 90, "Allerlei", "nichts", "Etwas anderes", "Hier geht es um das Velo."),
			doc("in-summary", 80, "Allerlei", "nichts", "Alles über das Velo", "Text"),
			doc("in-keywords", 70, "Allerlei", "Velo", "Etwas", "Text"),
			doc("in-title", 10, "Velo registrieren", "nichts", "Etwas", "Text"),
			doc("twin-popular", 60, "Gleicher Titel Briefkasten", "", "", ""),
			doc("twin-rare", 20, "Gleicher Titel Briefkasten", "", "", ""),
			doc("umlaut", 5, "Beim Zügeln helfen", "", "Wir zügeln für Sie.", ""),
		}))
		n, err := c.Count(ctx)
		require.NoError(t, err)
		require.Equal(t, 7, n)

		r, err := c.Search(ctx, search.Query{Q: "Velo ", Lang: "de", Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{"in-title", "in-keywords", "in-summary", "in-description"}, slugs(r),
			"title > keywords > summary > description, whatever the popularity")

		r, err = c.Search(ctx, search.Query{Q: "Briefkasten", Lang: "de", Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{"twin-popular", "twin-rare"}, slugs(r), "popularity breaks ties")

		r, err = c.Search(ctx, search.Query{Q: "umziehen", Lang: "de", Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{"umlaut"}, slugs(r), "synonyms from Apply")
		h := r.Hits[0]
		require.Equal(t, "Beim Zügeln helfen", h.Title)
		require.Equal(t, []search.Range{{Start: 5, Length: 6}}, h.TitleMatches, "ranges count code points, not bytes")
		require.Equal(t, []search.Range{{Start: 4, Length: 6}}, h.SummaryMatches)

		// Markup in content is text, never markup: ranges say where, the
		// client escapes.
		require.NoError(t, c.Index(ctx, []search.Document{doc("markup", 1, "<b>Velo</b> & Co", "", "", "")}))
		r, err = c.Search(ctx, search.Query{Q: "velo ", Lang: "de", Limit: 10})
		require.NoError(t, err)
		for _, h := range r.Hits {
			if h.Slug == "markup" {
				require.Equal(t, "<b>Velo</b> & Co", h.Title)
				require.Equal(t, []search.Range{{Start: 3, Length: 4}}, h.TitleMatches)
			}
		}

		// Replace and delete.
		require.NoError(t, c.Index(ctx, []search.Document{doc("in-title", 10, "Fahrrad registrieren", "nichts", "Etwas", "Text")}))
		r, err = c.Search(ctx, search.Query{Q: "Fahrrad", Lang: "de", Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{"in-title"}, slugs(r))
		require.NoError(t, c.Delete(ctx, []string{"in-title", "gibt-es-nicht"}))
		r, err = c.Search(ctx, search.Query{Q: "Fahrrad", Lang: "de", Limit: 10})
		require.NoError(t, err)
		require.Empty(t, r.Hits)
		require.NoError(t, c.Clear(ctx))
		n, err = c.Count(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		require.NoError(t, c.Health(ctx))
	})
}
