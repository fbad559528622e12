package catalog

import (
	"bytes"
	"encoding/json"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Descriptions are Markdown written by editors. goldmark renders them
// without raw HTML (its default), and bluemonday's UGC policy sanitises the
// output anyway, so that a pasted <script> or a javascript: link never
// reaches a resident's browser even if the renderer changes.
var (
	markdown = goldmark.New(goldmark.WithExtensions(extension.Linkify, extension.Table, extension.Strikethrough))
	sanitize = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoReferrerOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		return p
	}()
)

// RenderMarkdown turns Markdown into sanitised HTML.
func RenderMarkdown(src string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	return sanitize.Sanitize(buf.String()), nil
}

// RenderDescription renders the description in every language it has, as
// the JSON the store keeps next to the document.
func RenderDescription(d Localized) ([]byte, error) {
	var out Localized
	for _, lang := range Languages {
		src := d.Get(lang)
		if src == "" {
			continue
		}
		html, err := RenderMarkdown(src)
		if err != nil {
			return nil, err
		}
		out.Set(lang, html)
	}
	return json.Marshal(out)
}
