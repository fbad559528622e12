// Package searchsync keeps a search engine's index in step with the
// catalogue in PostgreSQL: documents are built from published services,
// and changes reach the index through a transactional outbox.
package searchsync

import (
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"

	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/search"
)

var stripTags = bluemonday.StrictPolicy()

// Document builds the search document of a service. descriptionHTML is the
// rendered description per language (the store keeps it); its text, not
// the Markdown source, is indexed, so that link targets and markup
// characters are not searchable words.
func Document(s *catalog.Service, descriptionHTML catalog.Localized) search.Document {
	d := search.Document{
		Slug: s.Slug, Popularity: s.Popularity, Categories: s.Categories, LifeSituations: s.LifeSituations,
		Audiences: s.Audiences, Channels: s.Channels, Office: s.Office, Text: map[string]search.Text{},
	}
	for _, lang := range search.Languages {
		desc := descriptionHTML.In(lang)
		if desc == "" {
			desc = s.Description.In(lang)
		}
		d.Text[lang] = search.Text{
			Title:       s.Title.In(lang),
			Keywords:    append(s.Keywords.In(lang), s.Synonyms.In(lang)...),
			Summary:     s.Summary.In(lang),
			Description: plainText(desc),
		}
	}
	return d
}

// plainText turns sanitised HTML into text with words separated.
func plainText(h string) string {
	h = strings.NewReplacer("</p>", "\n", "<br>", "\n", "</li>", "\n", "</h2>", "\n", "</h3>", "\n").Replace(h)
	return strings.TrimSpace(html.UnescapeString(stripTags.Sanitize(h)))
}
