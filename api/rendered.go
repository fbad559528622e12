package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/klauspost/compress/gzip"
)

// The largest and most frequent catalogue reads (a service, the whole
// catalogue) are rendered once per snapshot and language, as JSON and as
// gzipped JSON, instead of being marshalled and compressed per request.
// Handlers then copy bytes, which is what keeps a service read close to the
// cost of /healthz (docs/benchmarks.md).

// rendered is a response body, plain and gzipped.
type rendered struct {
	plain, gzipped []byte
}

func render(v any) rendered {
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Plain data structs always marshal; failing here is a programming error.
		panic(err)
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = w.Write(plain.Bytes())
	_ = w.Close()
	return rendered{plain: plain.Bytes(), gzipped: gz.Bytes()}
}

// EncodingParams tells whether the client takes gzip.
type EncodingParams struct {
	AcceptEncoding string `header:"Accept-Encoding" doc:"gzip is supported and recommended." example:"gzip, br"`
}

func (p EncodingParams) gzip() bool {
	for _, part := range strings.Split(p.AcceptEncoding, ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
			q = strings.ReplaceAll(strings.TrimSpace(q), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// Raw is a cached catalogue response whose body was rendered in advance.
type Raw struct {
	ETag            string `header:"ETag" doc:"Weak entity tag of this representation (language included)."`
	CacheControl    string `header:"Cache-Control"`
	Vary            string `header:"Vary"`
	ContentLanguage string `header:"Content-Language" example:"de-CH"`
	ContentType     string `header:"Content-Type"`
	ContentEncoding string `header:"Content-Encoding"`
	Body            []byte
}

// rawConditional is conditional for pre-rendered bodies.
func rawConditional(c CondParams, e EncodingParams, lang, fingerprint string, build func() rendered) (*Raw, error) {
	etag, err := notModified304(c, lang, fingerprint, "Accept-Language, Accept-Encoding")
	if err != nil {
		return nil, err
	}
	r := build()
	out := &Raw{ETag: etag, CacheControl: catalogueCacheControl, Vary: "Accept-Language, Accept-Encoding",
		ContentLanguage: contentLanguage(lang), ContentType: "application/json", Body: r.plain}
	if e.gzip() {
		out.ContentEncoding, out.Body = "gzip", r.gzipped
	}
	return out, nil
}

// rawResponses documents a pre-rendered 200 with the schema of T, since
// the handler's output type is bytes.
func rawResponses[T any](api huma.API) map[string]*huma.Response {
	schema := huma.SchemaFromType(api.OpenAPI().Components.Schemas, reflect.TypeFor[T]())
	r := notModified()
	r["200"] = &huma.Response{Description: "OK", Content: map[string]*huma.MediaType{"application/json": {Schema: schema}}}
	return r
}
