package api

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/editing"
)

// The admin API is for catalogue editors: an editor's or administrator's
// session, or a personal API token of one for scripts; see auth.go. The
// handlers decode input and map errors; what editors may do and how is
// internal/editing.

const (
	tagAdmin       = "Catalogue administration"
	adminScheme    = "adminToken"
	maxImportBytes = 16 << 20
)

var adminSecurity = []map[string][]string{{adminScheme: {}}, {sessionScheme: {}}}

// ServiceDocument is a service in the exchange format, with every language.
// Its schema is the catalogue's JSON Schema (internal/catalog/schema), the
// same one that checks the seed files and imports.
type ServiceDocument catalog.Service

// Schema registers the catalogue's own JSON Schema as the component.
func (ServiceDocument) Schema(r huma.Registry) *huma.Schema {
	const name = "ServiceDocument"
	if _, ok := r.Map()[name]; !ok {
		inlined, err := catalog.InlinedServiceSchema()
		if err != nil {
			panic(err)
		}
		b, _ := json.Marshal(inlined)
		var s huma.Schema
		if err := json.Unmarshal(b, &s); err != nil {
			panic(err)
		}
		s.Title = ""
		r.Map()[name] = &s
	}
	return &huma.Schema{Ref: "#/components/schemas/" + name}
}

// MarshalJSON keeps the exchange format (catalog.Service's tags).
func (d ServiceDocument) MarshalJSON() ([]byte, error) { return json.Marshal(catalog.Service(d)) }

// UnmarshalJSON reads the exchange format.
func (d *ServiceDocument) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, (*catalog.Service)(d))
}

// AdminServiceOutput is one service for editors, with its version.
type AdminServiceOutput struct {
	ETag         string    `header:"ETag" doc:"Strong entity tag; send it as If-Match when changing the service." example:"\"v3\""`
	LastModified time.Time `header:"Last-Modified"`
	CacheControl string    `header:"Cache-Control"`
	Body         ServiceDocument
}

func adminOut(rec *catalog.Record) *AdminServiceOutput {
	return &AdminServiceOutput{ETag: rec.ETag(), LastModified: rec.UpdatedAt, CacheControl: "no-store", Body: ServiceDocument(rec.Service)}
}

// AdminCreatedOutput answers a create.
type AdminCreatedOutput struct {
	Status   int
	Location string `header:"Location"`
	AdminServiceOutput
}

// AdminSlugInput addresses one service for editors.
type AdminSlugInput struct {
	Slug string `path:"slug" maxLength:"80" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" example:"hund-anmelden"`
}

// AdminWriteInput addresses one service with optimistic locking.
type AdminWriteInput struct {
	AdminSlugInput
	IfMatch string `header:"If-Match" doc:"The ETag of the version you edited; the change is refused with 412 when the service changed since." example:"\"v3\""`
}

// version parses If-Match ("v3", W/ ignored) into the version the domain
// compares; 0 means "any".
func (in *AdminWriteInput) version() int {
	if in.IfMatch == "" || in.IfMatch == "*" {
		return 0
	}
	t := strings.Trim(strings.TrimPrefix(strings.TrimSpace(in.IfMatch), "W/"), `"`)
	n, err := strconv.Atoi(strings.TrimPrefix(t, "v"))
	if err != nil || !strings.HasPrefix(t, "v") || n < 1 {
		// An ETag we never issued cannot match the current one.
		return -1
	}
	return n
}

// AdminListInput filters the editors' list.
type AdminListInput struct {
	State string `query:"state" enum:"draft,published,archived" doc:"Only services in this state."`
}

// AdminServiceRow is a service in the editors' list.
type AdminServiceRow struct {
	Slug         string    `json:"slug" example:"hund-anmelden"`
	State        string    `json:"state" enum:"draft,published,archived"`
	Title        string    `json:"title" example:"Hund anmelden"`
	Office       string    `json:"office" example:"sicherheit"`
	Version      int       `json:"version" example:"3"`
	LastReviewed string    `json:"last_reviewed" format:"date"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// AdminServiceList is every service for editors.
type AdminServiceList struct {
	Items []AdminServiceRow `json:"items"`
	Total int               `json:"total"`
}

// ImportInput is an import: JSON ({"services": [...], "forms": {...}}) or CSV.
type ImportInput struct {
	ContentType string `header:"Content-Type"`
	DryRun      bool   `query:"dry_run" doc:"Check the import and report what it would do, without changing anything."`
	RawBody     []byte
}

// ImportReport says what an import did (or would do).
type ImportReport struct {
	DryRun    bool `json:"dry_run"`
	Created   int  `json:"created" example:"2"`
	Updated   int  `json:"updated" example:"5"`
	Unchanged int  `json:"unchanged" example:"150"`
	Forms     int  `json:"forms_published" example:"1" doc:"Forms of the import published as a new version (a form equal to the published one is left alone)."`
}

// ExportInput selects the export format and states.
type ExportInput struct {
	Format string `query:"format" enum:"json,csv" default:"json"`
	State  string `query:"state" enum:"draft,published,archived" doc:"Only services in this state; all states when absent."`
}

// ExportOutput is the export file.
type ExportOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	Body               []byte
}

// RevisionList is the history of a service.
type RevisionList struct {
	Items []editing.Revision `json:"items"`
}

var adminErrors = []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError}

// editorOp returns a function that marks operations as editors' ones
// under tag.
func editorOp(tag string) func(huma.Operation) huma.Operation {
	return func(op huma.Operation) huma.Operation {
		op.Tags = []string{tag}
		op.Security = adminSecurity
		return op
	}
}

func (s *Server) registerAdmin(api huma.API) {
	reg := editorOp(tagAdmin)

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminListServices", Method: http.MethodGet, Path: "/api/v1/admin/services",
		Summary: "List all services (editors)", Description: "Every service in every state, by slug, with its version.",
		Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}), func(ctx context.Context, in *AdminListInput) (*struct{ Body AdminServiceList }, error) {
		recs, err := s.editing.List(ctx, in.State)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := AdminServiceList{Items: make([]AdminServiceRow, 0, len(recs)), Total: len(recs)}
		for _, r := range recs {
			out.Items = append(out.Items, AdminServiceRow{Slug: r.Slug, State: r.State, Title: r.Title.De, Office: r.Office, Version: r.Version, LastReviewed: r.LastReviewed, UpdatedAt: r.UpdatedAt.UTC()})
		}
		return &struct{ Body AdminServiceList }{out}, nil
	})

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminGetService", Method: http.MethodGet, Path: "/api/v1/admin/services/{slug}",
		Summary: "Get a service document (editors)", Description: "The service in the exchange format, in any state, with all languages. The ETag is needed to change it.",
		Errors: adminErrors,
	}), func(ctx context.Context, in *AdminSlugInput) (*AdminServiceOutput, error) {
		rec, err := s.editing.Get(ctx, in.Slug)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return adminOut(rec), nil
	})

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminCreateService", Method: http.MethodPost, Path: "/api/v1/admin/services",
		Summary: "Create a service (editors)", Description: "Adds a service. Usually created as a draft, then published. A slug that exists already is a 409.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}), func(ctx context.Context, in *struct {
		RawBody []byte
		Body    ServiceDocument
	}) (*AdminCreatedOutput, error) {
		rec, err := s.editing.Create(ctx, actor(ctx), in.RawBody)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.refreshed(ctx)
		return &AdminCreatedOutput{Status: http.StatusCreated, Location: "/api/v1/admin/services/" + rec.Slug, AdminServiceOutput: *adminOut(rec)}, nil
	})

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminUpdateService", Method: http.MethodPatch, Path: "/api/v1/admin/services/{slug}",
		Summary:     "Change a service (editors)",
		Description: "Applies a JSON Merge Patch (RFC 7396) to the service document. If-Match with the ETag of the version you edited is required: a stale one gives 412 and nothing changes. The result must be a valid service.",
		Errors:      []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound, http.StatusPreconditionFailed, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusPreconditionRequired, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}), func(ctx context.Context, in *struct {
		AdminWriteInput
		Body map[string]any `contentType:"application/merge-patch+json" doc:"A JSON Merge Patch of the ServiceDocument: fields to set, null to remove optional ones."`
	}) (*AdminServiceOutput, error) {
		// A blind overwrite of a whole document is what 428 prevents; the
		// domain only knows versions, so the missing header is refused here.
		if in.IfMatch == "" {
			return nil, huma.Error428PreconditionRequired("If-Match is required: send the ETag of the version you edited")
		}
		patch, _ := json.Marshal(in.Body)
		rec, err := s.editing.Update(ctx, actor(ctx), in.Slug, in.version(), patch)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.refreshed(ctx)
		return adminOut(rec), nil
	})

	for _, st := range []struct {
		id, verb, desc string
		move           editing.Transition
	}{
		{"adminPublishService", "publish", "Makes the service visible to residents.", editing.Publish},
		{"adminArchiveService", "archive", "Hides the service from residents and keeps it for the record.", editing.Archive},
	} {
		huma.Register(api, reg(huma.Operation{
			OperationID: st.id, Method: http.MethodPost, Path: "/api/v1/admin/services/{slug}/" + st.verb,
			Summary:     strings.ToUpper(st.verb[:1]) + st.verb[1:] + " a service (editors)",
			Description: st.desc + " Idempotent: doing it twice changes nothing the second time. If-Match is optional here.",
			Errors:      []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusPreconditionFailed, http.StatusUnprocessableEntity, http.StatusInternalServerError},
		}), func(ctx context.Context, in *AdminWriteInput) (*AdminServiceOutput, error) {
			rec, changed, err := s.editing.Move(ctx, actor(ctx), in.Slug, in.version(), st.move)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			if changed {
				s.refreshed(ctx)
			}
			return adminOut(rec), nil
		})
	}

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminListRevisions", Method: http.MethodGet, Path: "/api/v1/admin/services/{slug}/revisions",
		Summary: "History of a service (editors)", Description: "The latest 100 changes: version, state, who and when.",
		Errors: adminErrors,
	}), func(ctx context.Context, in *AdminSlugInput) (*struct{ Body RevisionList }, error) {
		revs, err := s.editing.Revisions(ctx, in.Slug)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body RevisionList }{RevisionList{Items: revs}}, nil
	})

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminImportServices", Method: http.MethodPost, Path: "/api/v1/admin/import",
		Summary: "Import services (editors)",
		Description: "Creates or replaces services from JSON (`{\"services\": [ServiceDocument…], \"forms\": {slug: FormDefinition}}`) or CSV (see docs/catalogue.md; CSV carries no forms). " +
			"All or nothing: when any row or form is bad, nothing changes and every bad row is reported with its line (CSV) or position (JSON, 1-based), every bad form at `forms.<slug>`. " +
			"Importing the same file again changes nothing, so a retry is safe.",
		MaxBodyBytes: maxImportBytes,
		// The body is checked row by row (internal/editing), so that every
		// bad row is reported with its line instead of huma's first-failure
		// summary.
		SkipValidateBody: true,
		RequestBody: &huma.RequestBody{
			Required: true,
			Content: map[string]*huma.MediaType{
				"application/json": {Schema: catalogueFile(api.OpenAPI().Components.Schemas)},
				"text/csv":         {Schema: &huma.Schema{Type: "string", Description: "One service per row; header: " + strings.Join(catalog.CSVHeader(), ",")}},
			},
		},
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}), func(ctx context.Context, in *ImportInput) (*struct{ Body ImportReport }, error) {
		mt, _, _ := mime.ParseMediaType(in.ContentType)
		format, ok := importFormats[mt]
		if !ok {
			return nil, huma.Error415UnsupportedMediaType("send application/json or text/csv")
		}
		res, err := s.editing.Import(ctx, actor(ctx), format, in.RawBody, in.DryRun)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if !in.DryRun {
			s.refreshed(ctx)
		}
		return &struct{ Body ImportReport }{ImportReport{DryRun: in.DryRun, Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged, Forms: res.Forms}}, nil
	})

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminExportServices", Method: http.MethodGet, Path: "/api/v1/admin/export",
		Summary: "Export services (editors)", Description: "All services as JSON (the import format, with each service's published form) or CSV, by slug.",
		Responses: map[string]*huma.Response{"200": {
			Description: "The export file.",
			Content: map[string]*huma.MediaType{
				"application/json": {Schema: catalogueFile(api.OpenAPI().Components.Schemas)},
				"text/csv":         {Schema: &huma.Schema{Type: "string"}},
			},
		}},
		Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}), func(ctx context.Context, in *ExportInput) (*ExportOutput, error) {
		format := editing.Format(in.Format)
		body, err := s.editing.Export(ctx, in.State, format)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		ext, contentType := "json", "application/json"
		if format == editing.CSV {
			ext, contentType = "csv", "text/csv; charset=utf-8"
		}
		stamp := time.Now().UTC().Format("2006-01-02")
		return &ExportOutput{
			ContentType:        contentType,
			ContentDisposition: fmt.Sprintf(`attachment; filename="schalter-services-%s.%s"`, stamp, ext),
			CacheControl:       "no-store",
			Body:               body,
		}, nil
	})
}

// catalogueFile is the JSON of exports and imports: services and their
// forms.
func catalogueFile(reg huma.Registry) *huma.Schema {
	return &huma.Schema{
		Type: "object", Required: []string{"services"}, AdditionalProperties: false,
		Properties: map[string]*huma.Schema{
			"services": {Type: "array", Items: ServiceDocument{}.Schema(reg)},
			"forms": {Type: "object", Description: "Order forms by service slug. On import each becomes the service's published form, unless it equals the published one.",
				AdditionalProperties: reg.Schema(reflect.TypeFor[FormDefinition](), true, "")},
		},
	}
}

// importFormats are the media types an import may have.
var importFormats = map[string]editing.Format{"application/json": editing.JSON, "text/csv": editing.CSV}
