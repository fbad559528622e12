package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	jsonpatch "github.com/evanphx/json-patch/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/store"
)

// The admin API is for catalogue editors: an editor's or administrator's
// session, or a personal API token of one for scripts; see auth.go.

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

// version parses If-Match ("v3", W/ ignored); 0 means "any".
func (in *AdminWriteInput) version() (int, error) {
	if in.IfMatch == "" || in.IfMatch == "*" {
		return 0, nil
	}
	t := strings.Trim(strings.TrimPrefix(strings.TrimSpace(in.IfMatch), "W/"), `"`)
	n, err := strconv.Atoi(strings.TrimPrefix(t, "v"))
	if err != nil || !strings.HasPrefix(t, "v") || n < 1 {
		// An ETag we never issued cannot match the current one.
		return -1, nil
	}
	return n, nil
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

// ImportInput is an import: JSON ({"services": [...]}) or CSV.
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
	Items []store.Revision `json:"items"`
}

var adminErrors = []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusInternalServerError}

func (s *Server) registerAdmin(api huma.API) {
	reg := func(op huma.Operation) huma.Operation {
		op.Tags = []string{tagAdmin}
		op.Security = adminSecurity
		return op
	}

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminListServices", Method: http.MethodGet, Path: "/api/v1/admin/services",
		Summary: "List all services (editors)", Description: "Every service in every state, by slug, with its version.",
		Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}), func(ctx context.Context, in *AdminListInput) (*struct{ Body AdminServiceList }, error) {
		states := statesFor(in.State)
		recs, err := s.store.ExportServices(ctx, states)
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
		rec, err := s.store.GetService(ctx, in.Slug)
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
		svc, fe := catalog.ParseService(in.RawBody, "body")
		if len(fe) > 0 {
			return nil, s.problem(ctx, apperr.InvalidFields("the service is not valid", fe...))
		}
		rec, err := s.store.CreateService(ctx, svc, actor(ctx))
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
		if in.IfMatch == "" {
			return nil, huma.Error428PreconditionRequired("If-Match is required: send the ETag of the version you edited")
		}
		want, _ := in.version()
		patch, _ := json.Marshal(in.Body)
		rec, err := s.store.UpdateService(ctx, in.Slug, want, store.ActionUpdate, actor(ctx), func(cur *catalog.Record) (*catalog.Service, error) {
			doc, err := json.Marshal(cur.Service)
			if err != nil {
				return nil, err
			}
			merged, err := jsonpatch.MergePatch(doc, patch)
			if err != nil {
				return nil, apperr.InvalidFields("not a valid merge patch", apperr.FieldError{Path: "body", Message: err.Error()})
			}
			next, fe := catalog.ParseService(merged, "body")
			if len(fe) > 0 {
				return nil, apperr.InvalidFields("the changed service would not be valid", fe...)
			}
			return &next, nil
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		s.refreshed(ctx)
		return adminOut(rec), nil
	})

	for _, st := range []struct{ id, verb, state, action, desc string }{
		{"adminPublishService", "publish", catalog.StatePublished, store.ActionPublish, "Makes the service visible to residents."},
		{"adminArchiveService", "archive", catalog.StateArchived, store.ActionArchive, "Hides the service from residents and keeps it for the record."},
	} {
		huma.Register(api, reg(huma.Operation{
			OperationID: st.id, Method: http.MethodPost, Path: "/api/v1/admin/services/{slug}/" + st.verb,
			Summary:     strings.ToUpper(st.verb[:1]) + st.verb[1:] + " a service (editors)",
			Description: st.desc + " Idempotent: doing it twice changes nothing the second time. If-Match is optional here.",
			Errors:      []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusPreconditionFailed, http.StatusUnprocessableEntity, http.StatusInternalServerError},
		}), func(ctx context.Context, in *AdminWriteInput) (*AdminServiceOutput, error) {
			want, _ := in.version()
			cur, err := s.store.GetService(ctx, in.Slug)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			if cur.State == st.state && (want == 0 || want == cur.Version) {
				return adminOut(cur), nil
			}
			rec, err := s.store.UpdateService(ctx, in.Slug, want, st.action, actor(ctx), func(cur *catalog.Record) (*catalog.Service, error) {
				next := cur.Service
				next.State = st.state
				return &next, nil
			})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			s.refreshed(ctx)
			return adminOut(rec), nil
		})
	}

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminListRevisions", Method: http.MethodGet, Path: "/api/v1/admin/services/{slug}/revisions",
		Summary: "History of a service (editors)", Description: "The latest 100 changes: version, state, who and when.",
		Errors: adminErrors,
	}), func(ctx context.Context, in *AdminSlugInput) (*struct{ Body RevisionList }, error) {
		if _, err := s.store.GetService(ctx, in.Slug); err != nil {
			return nil, s.problem(ctx, err)
		}
		revs, err := s.store.Revisions(ctx, in.Slug)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body RevisionList }{RevisionList{Items: revs}}, nil
	})

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminImportServices", Method: http.MethodPost, Path: "/api/v1/admin/import",
		Summary: "Import services (editors)",
		Description: "Creates or replaces services from JSON (`{\"services\": [ServiceDocument…]}`) or CSV (see docs/catalogue.md). " +
			"All or nothing: when any row is bad, nothing changes and every bad row is reported with its line (CSV) or position (JSON, 1-based). " +
			"Importing the same file again changes nothing, so a retry is safe.",
		MaxBodyBytes: maxImportBytes,
		// The body is checked row by row below, so that every bad row is
		// reported with its line instead of huma's first-failure summary.
		SkipValidateBody: true,
		RequestBody: &huma.RequestBody{
			Required: true,
			Content: map[string]*huma.MediaType{
				"application/json": {Schema: &huma.Schema{
					Type: "object", Required: []string{"services"}, AdditionalProperties: false,
					Properties: map[string]*huma.Schema{"services": {Type: "array", Items: ServiceDocument{}.Schema(api.OpenAPI().Components.Schemas)}},
				}},
				"text/csv": {Schema: &huma.Schema{Type: "string", Description: "One service per row; header: " + strings.Join(catalog.CSVHeader(), ",")}},
			},
		},
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}), func(ctx context.Context, in *ImportInput) (*struct{ Body ImportReport }, error) {
		items, bad, err := parseImport(in.ContentType, in.RawBody)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		res, err := s.store.ImportServices(ctx, items, bad, actor(ctx), in.DryRun)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if !in.DryRun {
			s.refreshed(ctx)
		}
		return &struct{ Body ImportReport }{ImportReport{DryRun: in.DryRun, Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged}}, nil
	})

	huma.Register(api, reg(huma.Operation{
		OperationID: "adminExportServices", Method: http.MethodGet, Path: "/api/v1/admin/export",
		Summary: "Export services (editors)", Description: "All services as JSON (the import format) or CSV, by slug.",
		Responses: map[string]*huma.Response{"200": {
			Description: "The export file.",
			Content: map[string]*huma.MediaType{
				"application/json": {Schema: &huma.Schema{Type: "object", Properties: map[string]*huma.Schema{"services": {Type: "array", Items: ServiceDocument{}.Schema(api.OpenAPI().Components.Schemas)}}}},
				"text/csv":         {Schema: &huma.Schema{Type: "string"}},
			},
		}},
		Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusInternalServerError},
	}), func(ctx context.Context, in *ExportInput) (*ExportOutput, error) {
		states := statesFor(in.State)
		recs, err := s.store.ExportServices(ctx, states)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		services := make([]catalog.Service, 0, len(recs))
		for _, r := range recs {
			services = append(services, r.Service)
		}
		var buf bytes.Buffer
		out := &ExportOutput{CacheControl: "no-store"}
		stamp := time.Now().UTC().Format("2006-01-02")
		if in.Format == "csv" {
			if err := catalog.EncodeCSV(&buf, services); err != nil {
				return nil, s.problem(ctx, err)
			}
			out.ContentType = "text/csv; charset=utf-8"
			out.ContentDisposition = fmt.Sprintf(`attachment; filename="schalter-services-%s.csv"`, stamp)
		} else {
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			if err := enc.Encode(map[string]any{"services": services}); err != nil {
				return nil, s.problem(ctx, err)
			}
			out.ContentType = "application/json"
			out.ContentDisposition = fmt.Sprintf(`attachment; filename="schalter-services-%s.json"`, stamp)
		}
		out.Body = buf.Bytes()
		return out, nil
	})
}

// parseImport reads an import body into the rows that parsed and the
// errors of those that did not; the store adds the errors it finds in the
// rest and rejects the import when there are any.
func parseImport(contentType string, body []byte) ([]store.ImportItem, []apperr.FieldError, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	var items []store.ImportItem
	var bad []apperr.FieldError
	switch mt {
	case "application/json":
		var doc struct {
			Services []json.RawMessage `json:"services"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil || doc.Services == nil {
			return nil, nil, apperr.InvalidFields("the import must be a JSON object with a services array", apperr.FieldError{Path: "body", Message: errText(err, "services is missing")})
		}
		for i, raw := range doc.Services {
			svc, fe := catalog.ParseService(raw, "")
			for _, e := range fe {
				e.Line = i + 1
				bad = append(bad, e)
			}
			if len(fe) == 0 {
				items = append(items, store.ImportItem{Line: i + 1, Service: svc})
			}
		}
	case "text/csv":
		rows, fe, err := catalog.DecodeCSV(bytes.NewReader(body))
		if err != nil {
			return nil, nil, err
		}
		bad = append(bad, fe...)
		for _, r := range rows {
			svc, fe := catalog.ParseService(r.JSON, "")
			for _, e := range fe {
				e.Line = r.Line
				bad = append(bad, e)
			}
			if len(fe) == 0 {
				items = append(items, store.ImportItem{Line: r.Line, Service: svc})
			}
		}
	default:
		return nil, nil, huma.Error415UnsupportedMediaType("send application/json or text/csv")
	}
	if len(items) == 0 && len(bad) == 0 {
		return nil, nil, apperr.InvalidFields("the import contains no services", apperr.FieldError{Path: "body", Message: "no services"})
	}
	return items, bad, nil
}

func errText(err error, fallback string) string {
	if err != nil {
		return err.Error()
	}
	return fallback
}

// statesFor is the state filter of editors' reads: one state, or all.
func statesFor(state string) []string {
	if state == "" {
		return store.AllStates
	}
	return []string{state}
}
