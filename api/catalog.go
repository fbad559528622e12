package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/store"
)

// Catalogue reads may be cached for a minute by browsers and proxies and
// then revalidated with If-None-Match, which costs one query and no body.
const catalogueCacheControl = "public, max-age=60, stale-while-revalidate=600"

// CondParams carries If-None-Match for conditional reads.
type CondParams struct {
	IfNoneMatch string `header:"If-None-Match" doc:"An ETag from an earlier response; when it still matches, the answer is 304 without a body." example:"W/\"3f2a9c0d1e4b5a6c7d8e9f00-de\""`
}

// Cached is a catalogue response with its caching headers.
type Cached[T any] struct {
	ETag            string `header:"ETag" doc:"Weak entity tag of this representation (language included)."`
	CacheControl    string `header:"Cache-Control"`
	Vary            string `header:"Vary"`
	ContentLanguage string `header:"Content-Language" example:"de-CH"`
	Body            T
}

// conditional answers 304 when the client's copy is current, and otherwise
// builds the body. fingerprint identifies the data; the language is added.
func conditional[T any](c CondParams, lang, fingerprint string, build func() T) (*Cached[T], error) {
	etag := `W/"` + fingerprint + "-" + lang + `"`
	if etagMatches(c.IfNoneMatch, etag) {
		return nil, huma.ErrorWithHeaders(huma.Status304NotModified(), http.Header{
			"Etag": {etag}, "Cache-Control": {catalogueCacheControl}, "Vary": {"Accept-Language"},
		})
	}
	return &Cached[T]{ETag: etag, CacheControl: catalogueCacheControl, Vary: "Accept-Language", ContentLanguage: contentLanguage(lang), Body: build()}, nil
}

// hashOf fingerprints small values whose store reads carry no version.
func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// ListServicesInput filters and pages the service list.
type ListServicesInput struct {
	LangParams
	CondParams
	Category string `query:"category" maxLength:"80" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" doc:"A topic or life situation slug." example:"wohnen-umzug"`
	Audience string `query:"audience" maxLength:"80" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" doc:"An audience slug." example:"newcomers"`
	Office   string `query:"office" maxLength:"80" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" doc:"An office slug." example:"einwohnerdienste"`
	Channel  string `query:"channel" enum:"online,counter,post" doc:"Only services that can be done through this channel."`
	Limit    int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Page size."`
	Cursor   string `query:"cursor" maxLength:"200" doc:"next_cursor of the previous page."`

	after *catalog.Cursor
}

// Resolve checks the cursor, so that a bad one is a 422 naming it.
func (in *ListServicesInput) Resolve(huma.Context) []error {
	if in.Cursor == "" {
		return nil
	}
	c, err := catalog.ParseCursor(in.Cursor)
	if err != nil {
		return []error{&huma.ErrorDetail{Location: "query.cursor", Message: "malformed cursor; pass next_cursor of the previous page unchanged", Value: in.Cursor}}
	}
	in.after = c
	return nil
}

// SlugInput addresses one thing by its slug.
type SlugInput struct {
	LangParams
	CondParams
	Slug string `path:"slug" maxLength:"80" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" example:"betreibungsregisterauszug-bestellen"`
}

// CategoriesInput lists categories.
type CategoriesInput struct {
	LangParams
	CondParams
	Kind string `query:"kind" enum:"topic,life_situation" doc:"Only topics or only life situations."`
}

// LangInput is the input of reads with only language and caching.
type LangInput struct {
	LangParams
	CondParams
}

// Items wraps a list.
type Items[T any] struct {
	Items []T `json:"items"`
}

var (
	publicErrors = []int{http.StatusUnprocessableEntity, http.StatusInternalServerError}
	tagCatalogue = "Catalogue"
)

func (s *Server) registerCatalogue(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "listServices", Method: http.MethodGet, Path: "/api/v1/services", Tags: []string{tagCatalogue},
		Summary:     "List services",
		Description: "Published services, most used first (popularity, then slug), filtered by category, audience, office and channel. Pages with a cursor; `total` counts all matches.",
		Errors:      publicErrors,
	}, func(ctx context.Context, in *ListServicesInput) (*Cached[ServiceList], error) {
		page, err := s.store.ListServices(ctx, catalog.ListFilter{
			States: store.Published, Category: in.Category, Audience: in.Audience, Office: in.Office,
			Channel: in.Channel, After: in.after, Limit: in.Limit,
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return conditional(in.CondParams, lang, page.Fingerprint, func() ServiceList {
			out := ServiceList{Items: make([]ServiceSummary, 0, len(page.Items)), Total: page.Total}
			for _, it := range page.Items {
				out.Items = append(out.Items, summaryOut(it, lang))
			}
			if page.Next != nil {
				out.NextCursor = page.Next.String()
			}
			return out
		})
	})

	huma.Register(api, huma.Operation{
		OperationID: "getService", Method: http.MethodGet, Path: "/api/v1/services/{slug}", Tags: []string{tagCatalogue},
		Summary:     "Get a service",
		Description: "Everything about one published service: description, fees, processing times, what to bring, the office with opening hours, legal basis, privacy notice, contacts and related services.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *SlugInput) (*Cached[ServiceOut], error) {
		d, err := s.store.ServiceDetail(ctx, in.Slug, store.Published)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return conditional(in.CondParams, lang, d.Fingerprint, func() ServiceOut { return serviceOut(d, lang) })
	})

	huma.Register(api, huma.Operation{
		OperationID: "getCatalogue", Method: http.MethodGet, Path: "/api/v1/catalogue", Tags: []string{tagCatalogue},
		Summary:     "Get the whole catalogue",
		Description: "Every published service in full, with categories, audiences and offices, in one language. The PWA keeps it for offline use; third parties can mirror it. Revalidate with If-None-Match.",
		Errors:      publicErrors,
	}, func(ctx context.Context, in *LangInput) (*Cached[CatalogueOut], error) {
		all, err := s.store.PublishedCatalogue(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		cats, err := s.store.Categories(ctx, "")
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		auds, err := s.store.Audiences(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		offices, err := s.store.Offices(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		parts := make([]string, 0, len(all)+1)
		for _, d := range all {
			parts = append(parts, d.Fingerprint)
		}
		parts = append(parts, mustJSON(cats), mustJSON(auds), mustJSON(offices))
		return conditional(in.CondParams, lang, hashOf(parts...), func() CatalogueOut {
			out := CatalogueOut{Lang: lang, GeneratedAt: time.Now().UTC().Truncate(time.Second), Services: make([]ServiceOut, 0, len(all))}
			for i := range all {
				out.Services = append(out.Services, serviceOut(&all[i], lang))
			}
			out.Categories = categoriesOut(cats, lang)
			out.Audiences = audiencesOut(auds, lang)
			out.Offices = officesOut(offices, lang)
			return out
		})
	})

	huma.Register(api, huma.Operation{
		OperationID: "listCategories", Method: http.MethodGet, Path: "/api/v1/categories", Tags: []string{tagCatalogue},
		Summary:     "List topics and life situations",
		Description: "The topics (Themen) and life situations (Lebenslagen) services are filed under, in display order, with the number of published services in each.",
		Errors:      publicErrors,
	}, func(ctx context.Context, in *CategoriesInput) (*Cached[Items[CategoryOut]], error) {
		cats, err := s.store.Categories(ctx, in.Kind)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return conditional(in.CondParams, lang, hashOf(mustJSON(cats)), func() Items[CategoryOut] {
			return Items[CategoryOut]{Items: categoriesOut(cats, lang)}
		})
	})

	huma.Register(api, huma.Operation{
		OperationID: "listAudiences", Method: http.MethodGet, Path: "/api/v1/audiences", Tags: []string{tagCatalogue},
		Summary:     "List audiences",
		Description: "The groups of people services address (residents, businesses, newcomers, …).",
		Errors:      publicErrors,
	}, func(ctx context.Context, in *LangInput) (*Cached[Items[AudienceOut]], error) {
		auds, err := s.store.Audiences(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return conditional(in.CondParams, lang, hashOf(mustJSON(auds)), func() Items[AudienceOut] {
			return Items[AudienceOut]{Items: audiencesOut(auds, lang)}
		})
	})

	huma.Register(api, huma.Operation{
		OperationID: "listOffices", Method: http.MethodGet, Path: "/api/v1/offices", Tags: []string{tagCatalogue},
		Summary:     "List offices",
		Description: "The city's offices with address, phone, e-mail, contact form, location and opening hours.",
		Errors:      publicErrors,
	}, func(ctx context.Context, in *LangInput) (*Cached[Items[OfficeOut]], error) {
		offices, err := s.store.Offices(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return conditional(in.CondParams, lang, hashOf(mustJSON(offices)), func() Items[OfficeOut] {
			return Items[OfficeOut]{Items: officesOut(offices, lang)}
		})
	})

	huma.Register(api, huma.Operation{
		OperationID: "getOffice", Method: http.MethodGet, Path: "/api/v1/offices/{slug}", Tags: []string{tagCatalogue},
		Summary:     "Get an office",
		Description: "One office. Its services are listed by `GET /api/v1/services?office={slug}`.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *SlugInput) (*Cached[OfficeOut], error) {
		o, err := s.store.Office(ctx, in.Slug)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return conditional(in.CondParams, lang, hashOf(mustJSON(o)), func() OfficeOut { return officeOut(*o, lang) })
	})
}

func categoriesOut(cats []catalog.CategoryView, lang string) []CategoryOut {
	out := make([]CategoryOut, 0, len(cats))
	for _, c := range cats {
		out = append(out, categoryOut(c.Category, c.ServiceCount, lang))
	}
	return out
}

func audiencesOut(auds []catalog.Audience, lang string) []AudienceOut {
	out := make([]AudienceOut, 0, len(auds))
	for _, a := range auds {
		out = append(out, AudienceOut{Slug: a.Slug, Title: a.Title.In(lang)})
	}
	return out
}

func officesOut(offices []catalog.OfficeView, lang string) []OfficeOut {
	out := make([]OfficeOut, 0, len(offices))
	for _, o := range offices {
		out = append(out, officeOut(o, lang))
	}
	return out
}

// mustJSON marshals values that cannot fail to marshal (plain data).
func mustJSON(v any) string {
	b, err := jsonMarshal(v)
	if err != nil {
		panic(apperr.New(apperr.Internal, "marshal: %v", err))
	}
	return string(b)
}
