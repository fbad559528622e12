package meili

import (
	"context"
	"slices"

	"github.com/meilisearch/meilisearch-go"

	"github.com/schalter-ch/schalter/search"
)

// batchSize is the number of documents sent in one request (and task).
const batchSize = 1000

func folded(field string) string { return field + "_folded" }

// document maps a search.Document to its Meilisearch document:
//
//	slug, popularity, categories (topics and life situations), audiences,
//	office, channels, and for every language present:
//	title_<l>, keywords_<l>, summary_<l>, description_<l>, and
//	title_<l>_folded, keywords_<l>_folded, summary_<l>_folded (search.Fold).
func document(d search.Document) map[string]any {
	categories := make([]string, 0, len(d.Categories)+len(d.LifeSituations))
	for _, c := range slices.Concat(d.Categories, d.LifeSituations) {
		if !slices.Contains(categories, c) {
			categories = append(categories, c)
		}
	}
	doc := map[string]any{
		primaryKey:     d.Slug,
		attrPopularity: d.Popularity,
		attrCategories: categories,
		attrAudiences:  nonNil(d.Audiences),
		attrOffice:     d.Office,
		attrChannels:   nonNil(d.Channels),
	}
	for _, lang := range search.Languages {
		t, ok := d.Text[lang]
		if !ok {
			continue
		}
		keywords := nonNil(t.Keywords)
		foldedKeywords := make([]string, len(keywords))
		for i, k := range keywords {
			foldedKeywords[i] = search.Fold(k)
		}
		doc["title_"+lang] = t.Title
		doc[folded("title_"+lang)] = search.Fold(t.Title)
		doc["keywords_"+lang] = keywords
		doc[folded("keywords_"+lang)] = foldedKeywords
		doc["summary_"+lang] = t.Summary
		doc[folded("summary_"+lang)] = search.Fold(t.Summary)
		doc["description_"+lang] = t.Description
	}
	return doc
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Index implements search.Engine: documents are added or replaced by slug,
// in batches of batchSize, each a task waited for.
func (e *Engine) Index(ctx context.Context, docs []search.Document) error {
	pk := primaryKey
	for batch := range slices.Chunk(docs, batchSize) {
		body := make([]map[string]any, len(batch))
		for i, d := range batch {
			body[i] = document(d)
		}
		info, err := e.ms.Index(e.index).AddDocumentsWithContext(ctx, body, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return e.fail("index", err)
		}
		if err := e.wait(ctx, "index", info); err != nil {
			return err
		}
	}
	return nil
}

// Delete implements search.Engine. Unknown slugs, and a missing index, are
// no error.
func (e *Engine) Delete(ctx context.Context, slugs []string) error {
	for batch := range slices.Chunk(slugs, batchSize) {
		info, err := e.ms.Index(e.index).DeleteDocumentsWithContext(ctx, batch, nil)
		if err != nil {
			return e.fail("delete", err)
		}
		if err := e.wait(ctx, "delete", info); err != nil && !isCode(err, codeIndexNotFound) {
			return err
		}
	}
	return nil
}

// Clear implements search.Engine: it deletes every document and keeps the
// settings. A missing index is no error.
func (e *Engine) Clear(ctx context.Context) error {
	info, err := e.ms.Index(e.index).DeleteAllDocumentsWithContext(ctx, nil)
	if err != nil {
		return e.fail("clear", err)
	}
	if err := e.wait(ctx, "clear", info); err != nil && !isCode(err, codeIndexNotFound) {
		return err
	}
	return nil
}

// Count implements search.Engine; a missing index holds 0 documents.
func (e *Engine) Count(ctx context.Context) (int, error) {
	stats, err := e.ms.Index(e.index).GetStatsWithContext(ctx, nil)
	if err != nil {
		err = e.fail("count", err)
		if isCode(err, codeIndexNotFound) {
			return 0, nil
		}
		return 0, err
	}
	return int(stats.NumberOfDocuments), nil
}
