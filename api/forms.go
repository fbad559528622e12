package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/forms"
)

// Order forms: residents read a service's published form; editors add
// versions, try them with sample data and publish one. The rules of a
// form and of its versions are internal/forms'; this file decodes and
// maps errors.

const tagForms = "Forms"

// FormDefinition is a form: the JSON Schema of its data and how it is
// shown. Texts come in every language (de, fr, it, en); the PWA picks.
type FormDefinition struct {
	Schema json.RawMessage `json:"schema" doc:"JSON Schema (draft 2020-12) of the form's data: an object closed to unknown fields; the last property is the optional comment."`
	UI     forms.UISchema  `json:"ui" doc:"Sections and fields in order, labels and help in every language, conditional fields (show_if) and which profile field may prefill which form field."`
}

// FormOut is one version of a service's form.
type FormOut struct {
	Service     string     `json:"service" example:"betreibungsregisterauszug-bestellen"`
	Version     int        `json:"version" example:"3" doc:"Drafts and cases name the version they were filled against."`
	State       string     `json:"state" enum:"draft,published,archived"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	FormDefinition
}

func formOut(v *forms.Version) FormOut {
	return FormOut{Service: v.Service, Version: v.Number, State: v.State, PublishedAt: v.PublishedAt,
		FormDefinition: FormDefinition{Schema: v.Definition.Schema, UI: v.Definition.UI}}
}

// FormVersionRow is a version in the editors' list.
type FormVersionRow struct {
	Version     int        `json:"version" example:"3"`
	State       string     `json:"state" enum:"draft,published,archived"`
	Actor       string     `json:"actor" doc:"Who wrote the version." example:"account:3f2a9c0d-1e4b-5a6c-7d8e-9f0012345678"`
	CreatedAt   time.Time  `json:"created_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// FormSlugInput addresses a service's form.
type FormSlugInput struct {
	Slug string `path:"slug" maxLength:"80" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" example:"betreibungsregisterauszug-bestellen"`
}

// FormVersionInput addresses one version.
type FormVersionInput struct {
	FormSlugInput
	Version int `path:"version" minimum:"1" maximum:"100000" example:"3"`
}

// FormPreviewInput is sample data to check against a version.
type FormPreviewInput struct {
	FormVersionInput
	Body struct {
		Data json.RawMessage `json:"data" doc:"What a person would enter, as the form's JSON."`
	}
}

// FormPreviewOut says the sample data passed.
type FormPreviewOut struct {
	Valid bool `json:"valid" doc:"Always true: data that fails is answered with 422 and the errors per field."`
}

func (s *Server) registerForms(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "getServiceForm", Method: http.MethodGet, Path: "/api/v1/services/{slug}/form", Tags: []string{tagForms}, Responses: notModified(),
		Summary:     "The order form of a service",
		Description: "The published form of a published service: its JSON Schema and UI schema, in every language. 404 when the service cannot be ordered online (its page says how to get it). With `version`, that version if it was ever published (a draft is shown and checked in the version it was started on, also after a newer one was published).",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}, func(ctx context.Context, in *struct {
		FormSlugInput
		CondParams
		Version int `query:"version" minimum:"0" maximum:"100000" doc:"A version published now or earlier (the draft's form_version); 0 or absent: the current one."`
	}) (*Cached[FormOut], error) {
		var v *forms.Version
		var err error
		if in.Version > 0 {
			v, err = s.forms.Released(ctx, in.Slug, in.Version)
		} else {
			v, err = s.forms.Published(ctx, in.Slug)
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		// Versions never change: the version names the representation.
		etag, err := notModified304(in.CondParams, "all", in.Slug+"-"+strconv.Itoa(v.Number), "Accept-Encoding")
		if err != nil {
			return nil, err
		}
		return &Cached[FormOut]{ETag: etag, CacheControl: catalogueCacheControl, Vary: "Accept-Encoding", Body: formOut(v)}, nil
	})

	reg := editorOp(tagForms)
	huma.Register(api, reg(huma.Operation{
		OperationID: "adminListFormVersions", Method: http.MethodGet, Path: "/api/v1/admin/services/{slug}/forms",
		Summary: "Versions of a service's form (editors)", Description: "Every version, newest first, with its state.",
		Errors: adminErrors,
	}), func(ctx context.Context, in *FormSlugInput) (*Uncached[Items[FormVersionRow]], error) {
		vs, err := s.forms.Versions(ctx, in.Slug)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := Items[FormVersionRow]{Items: make([]FormVersionRow, 0, len(vs))}
		for _, v := range vs {
			out.Items = append(out.Items, FormVersionRow{Version: v.Number, State: v.State, Actor: v.Actor, CreatedAt: v.CreatedAt, PublishedAt: v.PublishedAt})
		}
		return &Uncached[Items[FormVersionRow]]{CacheControl: "no-store", Body: out}, nil
	})

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminCreateFormVersion", Method: http.MethodPost, Path: "/api/v1/admin/services/{slug}/forms",
		Summary:       "Add a version of a service's form (editors)",
		Description:   "Checks the definition against the rules of Schalter's forms (errors name the field) and stores it as the next version, a draft until published. Versions are never changed: a correction is a new version.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}), func(ctx context.Context, in *struct {
		FormSlugInput
		Body FormDefinition
	}) (*struct {
		Location string `header:"Location"`
		Body     FormOut
	}, error) {
		v, err := s.forms.Create(ctx, in.Slug, forms.Definition{Schema: in.Body.Schema, UI: in.Body.UI}, actor(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct {
			Location string `header:"Location"`
			Body     FormOut
		}{Location: fmt.Sprintf("/api/v1/admin/services/%s/forms/%d", v.Service, v.Number), Body: formOut(v)}, nil
	})

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminGetFormVersion", Method: http.MethodGet, Path: "/api/v1/admin/services/{slug}/forms/{version}",
		Summary: "One version of a service's form (editors)", Description: "The definition of any version, draft, published or archived: drafts and cases started on it are checked against it.",
		Errors: adminErrors,
	}), func(ctx context.Context, in *FormVersionInput) (*Uncached[FormOut], error) {
		v, err := s.forms.Version(ctx, in.Slug, in.Version)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &Uncached[FormOut]{CacheControl: "no-store", Body: formOut(v)}, nil
	})

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminPreviewForm", Method: http.MethodPost, Path: "/api/v1/admin/services/{slug}/forms/{version}/preview",
		Summary:     "Try a version with sample data (editors)",
		Description: "Validates the data as a submission against this version would be: 200 when it passes, 422 with the errors per field (body.data.…) when not. Nothing is stored.",
		Errors:      adminErrors,
	}), func(ctx context.Context, in *FormPreviewInput) (*struct{ Body FormPreviewOut }, error) {
		if err := s.forms.Preview(ctx, in.Slug, in.Version, in.Body.Data); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body FormPreviewOut }{FormPreviewOut{Valid: true}}, nil
	})

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminPublishForm", Method: http.MethodPost, Path: "/api/v1/admin/services/{slug}/forms/{version}/publish",
		Summary:     "Publish a version of a service's form (editors)",
		Description: "Makes the draft the form residents fill; the version published before is archived in the same step. Drafts and cases started on an older version keep it. A version that is not a draft any more answers 412.",
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusPreconditionFailed, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}), func(ctx context.Context, in *FormVersionInput) (*struct{ Body FormOut }, error) {
		v, err := s.forms.Publish(ctx, in.Slug, in.Version)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.refreshed(ctx) // the service page now offers the form (online_form)
		return &struct{ Body FormOut }{formOut(v)}, nil
	})
}
