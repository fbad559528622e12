// Package editing holds what catalogue editors can do: create and change
// services, publish and archive them, import and export the catalogue,
// and read a service's history. The rules live here (what a valid change
// is, how states move, who and what a revision records), so the HTTP edge
// (api/admin.go) only decodes input and maps errors, and the rules can be
// tested on the database without HTTP.
//
// It is not part of internal/catalog, which has no I/O of its own and is
// imported by internal/store.
package editing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	jsonpatch "github.com/evanphx/json-patch/v5"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/store"
)

// Service runs the editors' use cases on the store.
//
// Every write takes the actor: who makes the change, as the revision
// history records it (the edge names the editor's account from their
// session or API token).
//
// Writes that name a version (the ETag an editor edited, from If-Match)
// are refused with PreconditionFailed when the stored version differs;
// version 0 means "any". The version is compared under the row lock, so
// two editors cannot both win.
//
// Field errors name their place in the request as the edge reports it
// ("body.fees[0].amount_rappen" for documents, a line for imports).
type Service struct {
	st    *store.Store
	forms *forms.Service
}

// New returns the editing service on st; the catalogue's import and
// export carry the services' forms through fs.
func New(st *store.Store, fs *forms.Service) *Service { return &Service{st: st, forms: fs} }

// states is the state filter of editors' reads: one state, or all of them
// when state is empty.
func states(state string) []string {
	if state == "" {
		return store.AllStates
	}
	return []string{state}
}

// List returns every service in state (all states when empty), by slug.
func (s *Service) List(ctx context.Context, state string) ([]catalog.Record, error) {
	return s.st.ExportServices(ctx, states(state))
}

// Get returns a service in any state.
func (s *Service) Get(ctx context.Context, slug string) (*catalog.Record, error) {
	return s.st.GetService(ctx, slug)
}

// Create adds the service in doc (the exchange format). A slug that
// exists already is a Conflict.
func (s *Service) Create(ctx context.Context, actor string, doc []byte) (*catalog.Record, error) {
	svc, fe := catalog.ParseService(doc, "body")
	if len(fe) > 0 {
		return nil, apperr.InvalidFields("the service is not valid", fe...)
	}
	return s.st.CreateService(ctx, svc, actor)
}

// Update applies a JSON Merge Patch (RFC 7396) to the service at version.
// The result must be a valid service, with the same slug.
func (s *Service) Update(ctx context.Context, actor, slug string, version int, patch []byte) (*catalog.Record, error) {
	return s.st.UpdateService(ctx, slug, version, store.ActionUpdate, actor, func(cur *catalog.Record) (*catalog.Service, error) {
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
}

// Transition is a move of a service into a state that editors ask for by
// name. Any state may move to the target; a service already there stays
// as it is (no new version, no revision), so asking twice is safe.
// Going back to draft is not a transition but an edit of the document's
// state (Update).
type Transition struct {
	To     string // the state the service ends in
	Action string // what the revision records
}

var (
	// Publish makes a service visible to residents.
	Publish = Transition{To: catalog.StatePublished, Action: store.ActionPublish}
	// Archive hides a service from residents and keeps it for the record.
	Archive = Transition{To: catalog.StateArchived, Action: store.ActionArchive}
)

// errUnchanged ends the update of a service that is in the target state
// already; its transaction rolls back having written nothing.
var errUnchanged = errors.New("editing: already in the target state")

// Move makes transition t on the service at version. changed is false
// when the service was in t.To already; version still has to match then,
// as it would for a change.
//
// The state is read under the row lock that UpdateService takes, not
// before it: otherwise parallel requests that all read the old state
// would each write a version and a revision.
func (s *Service) Move(ctx context.Context, actor, slug string, version int, t Transition) (rec *catalog.Record, changed bool, err error) {
	var same *catalog.Record
	rec, err = s.st.UpdateService(ctx, slug, version, t.Action, actor, func(cur *catalog.Record) (*catalog.Service, error) {
		if cur.State == t.To {
			same = cur
			return nil, errUnchanged
		}
		next := cur.Service
		next.State = t.To
		return &next, nil
	})
	if errors.Is(err, errUnchanged) {
		return same, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return rec, true, nil
}

// Revision is one recorded change of a service (the store's domain type).
type Revision = store.Revision

// Revisions returns the latest 100 changes of a service; an unknown slug
// is NotFound rather than an empty history.
func (s *Service) Revisions(ctx context.Context, slug string) ([]store.Revision, error) {
	var revs []store.Revision
	err := s.st.InTx(ctx, func(q *store.Queries) error {
		if _, err := q.GetService(ctx, slug); err != nil {
			return err
		}
		var err error
		revs, err = q.Revisions(ctx, slug)
		return err
	})
	return revs, err
}

// Format is a file format of imports and exports (docs/catalogue.md).
type Format string

const (
	JSON Format = "json" // {"services": [ServiceDocument…], "forms": {slug: form definition}}
	CSV  Format = "csv"  // one service per row, header catalog.CSVHeader; no forms
)

// ImportResult counts what an import did (or would do).
type ImportResult struct {
	store.ImportResult
	// Forms is how many forms were published anew.
	Forms int
}

// errDryRun rolls back a dry-run import.
var errDryRun = errors.New("dry run")

// Import creates or replaces the services in body and publishes the forms
// that come with them (JSON only), all or nothing: when any row or form is
// bad nothing changes, and every bad row is reported with its line (CSV)
// or position (JSON, 1-based), every bad form at "forms.<service>". What
// is unchanged is left alone, so importing the same file twice is safe.
// With dryRun everything is checked and counted, and nothing is written.
func (s *Service) Import(ctx context.Context, actor string, f Format, body []byte, dryRun bool) (*ImportResult, error) {
	items, defs, bad, err := parseImport(f, body)
	if err != nil {
		return nil, err
	}
	bad = append(bad, s.forms.Check(defs)...)
	var res ImportResult
	err = s.st.InTx(ctx, func(q *store.Queries) error {
		// The store adds the errors it finds in the rows that parsed
		// (unknown references, duplicate slugs) and rejects the import
		// when there are any, so an editor sees every bad row at once.
		r, err := q.ImportServices(ctx, items, bad, actor)
		if err != nil {
			return err
		}
		res.ImportResult = *r
		if res.Forms, err = s.forms.Import(ctx, q, defs, actor); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	return &res, nil
}

// parseImport reads an import into the rows that parsed, the forms, and
// the errors of those that did not parse.
func parseImport(f Format, body []byte) ([]store.ImportItem, map[string]forms.Definition, []apperr.FieldError, error) {
	var items []store.ImportItem
	var bad []apperr.FieldError
	defs := map[string]forms.Definition{}
	add := func(line int, raw []byte) {
		svc, fe := catalog.ParseService(raw, "")
		for _, e := range fe {
			e.Line = line
			bad = append(bad, e)
		}
		if len(fe) == 0 {
			items = append(items, store.ImportItem{Line: line, Service: svc})
		}
	}
	switch f {
	case JSON:
		var doc struct {
			Services []json.RawMessage          `json:"services"`
			Forms    map[string]json.RawMessage `json:"forms"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil || doc.Services == nil {
			msg := "services is missing"
			if err != nil {
				msg = err.Error()
			}
			return nil, nil, nil, apperr.InvalidFields("the import must be a JSON object with a services array", apperr.FieldError{Path: "body", Message: msg})
		}
		for i, raw := range doc.Services {
			add(i+1, raw)
		}
		for slug, raw := range doc.Forms {
			def, err := forms.Decode(raw)
			if err != nil {
				bad = append(bad, apperr.FieldError{Path: "forms." + slug, Message: "not a form definition: " + err.Error()})
				continue
			}
			defs[slug] = def
		}
	case CSV:
		rows, fe, err := catalog.DecodeCSV(bytes.NewReader(body))
		if err != nil {
			return nil, nil, nil, err
		}
		bad = append(bad, fe...)
		for _, r := range rows {
			add(r.Line, r.JSON)
		}
	default:
		return nil, nil, nil, fmt.Errorf("editing: unknown import format %q", f)
	}
	if len(items) == 0 && len(bad) == 0 {
		return nil, nil, nil, apperr.InvalidFields("the import contains no services", apperr.FieldError{Path: "body", Message: "no services"})
	}
	return items, defs, bad, nil
}

// Export writes every service in state (all states when empty), by slug,
// in the import format f, so an export imported again changes nothing.
// JSON carries the published form of each exported service.
func (s *Service) Export(ctx context.Context, state string, f Format) ([]byte, error) {
	recs, err := s.List(ctx, state)
	if err != nil {
		return nil, err
	}
	services := make([]catalog.Service, 0, len(recs))
	for _, r := range recs {
		services = append(services, r.Service)
	}
	var buf bytes.Buffer
	switch f {
	case CSV:
		err = catalog.EncodeCSV(&buf, services)
	case JSON:
		var all map[string]forms.Definition
		if all, err = s.forms.Current(ctx); err != nil {
			return nil, err
		}
		defs := map[string]forms.Definition{}
		for _, svc := range services {
			if d, ok := all[svc.Slug]; ok {
				defs[svc.Slug] = d
			}
		}
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		err = enc.Encode(map[string]any{"services": services, "forms": defs})
	default:
		err = fmt.Errorf("editing: unknown export format %q", f)
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
