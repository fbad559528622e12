package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/snapshot"
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
	etag, err := notModified304(c, lang, fingerprint, "Accept-Language")
	if err != nil {
		return nil, err
	}
	return &Cached[T]{ETag: etag, CacheControl: catalogueCacheControl, Vary: "Accept-Language", ContentLanguage: contentLanguage(lang), Body: build()}, nil
}

// notModified304 returns the weak ETag of a representation and, when the
// client's If-None-Match names it, the 304 answer to return instead.
func notModified304(c CondParams, lang, fingerprint, vary string) (string, error) {
	etag := `W/"` + fingerprint + "-" + lang + `"`
	if etagMatches(c.IfNoneMatch, etag) {
		return etag, huma.ErrorWithHeaders(huma.Status304NotModified(), http.Header{
			"Etag": {etag}, "Cache-Control": {catalogueCacheControl}, "Vary": {vary},
		})
	}
	return etag, nil
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
	EncodingParams
	Slug string `path:"slug" maxLength:"80" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" example:"betreibungsregisterauszug-bestellen"`
}

// CategoriesInput lists categories.
type CategoriesInput struct {
	LangParams
	CondParams
	Kind string `query:"kind" enum:"topic,life_situation" doc:"Only topics or only life situations."`
}

// CatalogueInput asks for the whole catalogue.
type CatalogueInput struct {
	LangParams
	CondParams
	EncodingParams
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

// notModified documents the answer to a matching If-None-Match. A fresh map
// per operation: huma adds the operation's other responses to it.
func notModified() map[string]*huma.Response {
	return map[string]*huma.Response{"304": {Description: "Not Modified: the representation named in If-None-Match is still current; no body."}}
}

func (s *Server) registerCatalogue(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "listServices", Method: http.MethodGet, Path: "/api/v1/services", Tags: []string{tagCatalogue}, Responses: notModified(),
		Summary:     "List services",
		Description: "Published services, most used first (popularity, then slug), filtered by category, audience, office and channel. Pages with a cursor; `total` counts all matches.",
		Errors:      publicErrors,
	}, func(ctx context.Context, in *ListServicesInput) (*Cached[ServiceList], error) {
		snap, err := s.cache.Current(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		page := snap.List(catalog.ListFilter{
			Category: in.Category, Audience: in.Audience, Office: in.Office,
			Channel: in.Channel, After: in.after, Limit: in.Limit,
		})
		lang := in.resolve()
		return conditional(in.CondParams, lang, revisionTag(snap), func() ServiceList {
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
		OperationID: "getService", Method: http.MethodGet, Path: "/api/v1/services/{slug}", Tags: []string{tagCatalogue}, Responses: rawResponses[ServiceOut](api),
		Summary:     "Get a service",
		Description: "Everything about one published service: description, fees, processing times, what to bring, the office with opening hours, legal basis, privacy notice, contacts and related services.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *SlugInput) (*Raw, error) {
		snap, err := s.cache.Current(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		d, err := snap.Service(in.Slug)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return rawConditional(in.CondParams, in.EncodingParams, lang, d.Fingerprint, func() rendered {
			return snap.Memo("service/"+lang+"/"+d.Slug, func() any { return render(serviceOut(d, lang)) }).(rendered)
		})
	})

	huma.Register(api, huma.Operation{
		OperationID: "getCatalogue", Method: http.MethodGet, Path: "/api/v1/catalogue", Tags: []string{tagCatalogue}, Responses: rawResponses[CatalogueOut](api),
		Summary:     "Get the whole catalogue",
		Description: "Every published service in full, with categories, audiences and offices, in one language. The PWA keeps it for offline use; third parties can mirror it. Revalidate with If-None-Match.",
		Errors:      publicErrors,
	}, func(ctx context.Context, in *CatalogueInput) (*Raw, error) {
		snap, err := s.cache.Current(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return rawConditional(in.CondParams, in.EncodingParams, lang, revisionTag(snap), func() rendered {
			return snap.Memo("catalogue/"+lang, func() any {
				out := CatalogueOut{Lang: lang, GeneratedAt: snap.LoadedAt.UTC().Truncate(time.Second), Services: make([]ServiceOut, 0, len(snap.Services))}
				for i := range snap.Services {
					out.Services = append(out.Services, serviceOut(&snap.Services[i], lang))
				}
				out.Categories = categoriesOut(snap.Categories, lang)
				out.Audiences = audiencesOut(snap.Audiences, lang)
				out.Offices = officesOut(snap.Offices, lang)
				return render(out)
			}).(rendered)
		})
	})

	huma.Register(api, huma.Operation{
		OperationID: "listCategories", Method: http.MethodGet, Path: "/api/v1/categories", Tags: []string{tagCatalogue}, Responses: notModified(),
		Summary:     "List topics and life situations",
		Description: "The topics (Themen) and life situations (Lebenslagen) services are filed under, in display order, with the number of published services in each.",
		Errors:      publicErrors,
	}, func(ctx context.Context, in *CategoriesInput) (*Cached[Items[CategoryOut]], error) {
		snap, err := s.cache.Current(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return conditional(in.CondParams, lang, revisionTag(snap), func() Items[CategoryOut] {
			return Items[CategoryOut]{Items: categoriesOut(snap.CategoriesOf(in.Kind), lang)}
		})
	})

	huma.Register(api, huma.Operation{
		OperationID: "listAudiences", Method: http.MethodGet, Path: "/api/v1/audiences", Tags: []string{tagCatalogue}, Responses: notModified(),
		Summary:     "List audiences",
		Description: "The groups of people services address (residents, businesses, newcomers, …).",
		Errors:      publicErrors,
	}, func(ctx context.Context, in *LangInput) (*Cached[Items[AudienceOut]], error) {
		snap, err := s.cache.Current(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return conditional(in.CondParams, lang, revisionTag(snap), func() Items[AudienceOut] {
			return Items[AudienceOut]{Items: audiencesOut(snap.Audiences, lang)}
		})
	})

	huma.Register(api, huma.Operation{
		OperationID: "listOffices", Method: http.MethodGet, Path: "/api/v1/offices", Tags: []string{tagCatalogue}, Responses: notModified(),
		Summary:     "List offices",
		Description: "The city's offices with address, phone, e-mail, contact form, location and opening hours.",
		Errors:      publicErrors,
	}, func(ctx context.Context, in *LangInput) (*Cached[Items[OfficeOut]], error) {
		snap, err := s.cache.Current(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return conditional(in.CondParams, lang, revisionTag(snap), func() Items[OfficeOut] {
			return Items[OfficeOut]{Items: officesOut(snap.Offices, lang)}
		})
	})

	huma.Register(api, huma.Operation{
		OperationID: "getOffice", Method: http.MethodGet, Path: "/api/v1/offices/{slug}", Tags: []string{tagCatalogue}, Responses: notModified(),
		Summary:     "Get an office",
		Description: "One office. Its services are listed by `GET /api/v1/services?office={slug}`.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *SlugInput) (*Cached[OfficeOut], error) {
		snap, err := s.cache.Current(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		o, err := snap.Office(in.Slug)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		lang := in.resolve()
		return conditional(in.CondParams, lang, revisionTag(snap), func() OfficeOut { return officeOut(*o, lang) })
	})
}

// revisionTag identifies a snapshot for ETags of responses built from all
// of it: any change to the catalogue makes a new one.
func revisionTag(d *snapshot.Data) string {
	return "r" + strconv.FormatInt(d.Revision, 10)
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
