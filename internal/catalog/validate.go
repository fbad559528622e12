package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/schemacheck"
)

// The JSON Schemas are the contract of the exchange format: the seed files
// and the admin import are checked against the same files, and
// docs/catalogue.md points editors at them.
//
//go:embed schema/*.json
var schemaFS embed.FS

const (
	serviceSchemaURL = "https://schalter.ch/schema/service.json"
	officesSchemaURL = "https://schalter.ch/schema/offices.json"
)

var (
	schemasOnce sync.Once
	schemasErr  error
	serviceSch  *jsonschema.Schema
	officesSch  *jsonschema.Schema
)

func compileSchemas() {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for url, file := range map[string]string{serviceSchemaURL: "schema/service.schema.json", officesSchemaURL: "schema/offices.schema.json"} {
		b, err := schemaFS.ReadFile(file)
		if err != nil {
			schemasErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			schemasErr = fmt.Errorf("%s: %w", file, err)
			return
		}
		if err := c.AddResource(url, doc); err != nil {
			schemasErr = err
			return
		}
	}
	if serviceSch, schemasErr = c.Compile(serviceSchemaURL); schemasErr != nil {
		return
	}
	officesSch, schemasErr = c.Compile(officesSchemaURL)
}

// schemaJSON returns the JSON Schema of a service.
func schemaJSON() []byte {
	b, _ := schemaFS.ReadFile("schema/service.schema.json")
	return b
}

// ParseService checks raw JSON against the service schema and decodes it.
// Field errors carry paths prefixed with prefix (e.g. "body").
func ParseService(raw []byte, prefix string) (Service, []apperr.FieldError) {
	var s Service
	if errs := validateAgainst(func() *jsonschema.Schema { return serviceSch }, raw, prefix); len(errs) > 0 {
		return s, errs
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, []apperr.FieldError{{Path: prefix, Message: err.Error()}}
	}
	return s, nil
}

// ParseOffices checks raw JSON against the offices schema and decodes it.
func ParseOffices(raw []byte, prefix string) ([]Office, []apperr.FieldError) {
	if errs := validateAgainst(func() *jsonschema.Schema { return officesSch }, raw, prefix); len(errs) > 0 {
		return nil, errs
	}
	var doc struct {
		Offices []Office `json:"offices"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, []apperr.FieldError{{Path: prefix, Message: err.Error()}}
	}
	return doc.Offices, nil
}

func validateAgainst(schema func() *jsonschema.Schema, raw []byte, prefix string) []apperr.FieldError {
	schemasOnce.Do(compileSchemas)
	if schemasErr != nil {
		// The schemas are embedded: failing to compile them is a build bug.
		panic("catalog: compiling embedded schemas: " + schemasErr.Error())
	}
	return schemacheck.Validate(schema(), raw, prefix)
}

// JSONPath renders a location such as ["fees","0","amount_rappen"] as
// "prefix.fees[0].amount_rappen", the style huma uses for its own errors.
func JSONPath(prefix string, loc []string) string { return schemacheck.JSONPath(prefix, loc) }

// Refs is what a service may refer to; Check uses it for the rules a JSON
// Schema cannot express.
type Refs struct {
	Offices    map[string]bool
	Categories map[string]string // slug → kind
	Audiences  map[string]bool
	// Services known to exist (for related); nil skips the check.
	Services map[string]bool
}

// Check applies the rules that need the rest of the catalogue or span
// several fields. prefix is prepended to every path.
func (s *Service) Check(refs Refs, prefix string) []apperr.FieldError {
	var errs []apperr.FieldError
	add := func(path, msg string, args ...any) {
		errs = append(errs, apperr.FieldError{Path: JSONPath(prefix, strings.Split(path, ".")), Message: fmt.Sprintf(msg, args...)})
	}
	if !refs.Offices[s.Office] {
		add("office", "unknown office %q", s.Office)
	}
	for i, c := range s.Categories {
		if refs.Categories[c] != KindTopic {
			add("categories."+strconv.Itoa(i), "unknown topic %q", c)
		}
	}
	for i, c := range s.LifeSituations {
		if refs.Categories[c] != KindLifeSituation {
			add("life_situations."+strconv.Itoa(i), "unknown life situation %q", c)
		}
	}
	for i, a := range s.Audiences {
		if !refs.Audiences[a] {
			add("audiences."+strconv.Itoa(i), "unknown audience %q", a)
		}
	}
	channels := map[string]bool{}
	for _, c := range s.Channels {
		channels[c] = true
	}
	timed := map[string]bool{}
	for i, pt := range s.ProcessingTimes {
		p := "processing_times." + strconv.Itoa(i)
		if !channels[pt.Channel] {
			add(p+".channel", "channel %q is not among the service's channels", pt.Channel)
		}
		if timed[pt.Channel] {
			add(p+".channel", "channel %q has more than one processing time", pt.Channel)
		}
		timed[pt.Channel] = true
		if pt.DaysMin > pt.DaysMax {
			add(p+".days_min", "days_min (%d) is greater than days_max (%d)", pt.DaysMin, pt.DaysMax)
		}
	}
	for _, c := range s.Channels {
		if !timed[c] {
			add("processing_times", "channel %q has no processing time", c)
		}
	}
	if s.Mode == "online" && !channels["online"] {
		add("channels", "a service done online must list the online channel")
	}
	if s.Mode == "counter" && s.OnlineStartURL != "" {
		add("online_start_url", "a counter-only service cannot be started online")
	}
	for i, r := range s.Related {
		switch {
		case r == s.Slug:
			add("related."+strconv.Itoa(i), "a service cannot be related to itself")
		case refs.Services != nil && !refs.Services[r]:
			add("related."+strconv.Itoa(i), "unknown service %q", r)
		}
	}
	return errs
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// InlinedServiceSchema returns the service schema with every local $ref
// replaced by its definition, for embedding in the OpenAPI document where
// the schema's own $defs cannot be addressed.
func InlinedServiceSchema() (map[string]any, error) {
	var root map[string]any
	if err := json.Unmarshal(schemaJSON(), &root); err != nil {
		return nil, err
	}
	defs, _ := root["$defs"].(map[string]any)
	var inline func(v any) any
	inline = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			out := map[string]any{}
			if ref, ok := t["$ref"].(string); ok && strings.HasPrefix(ref, "#/$defs/") {
				if def, ok := inline(defs[strings.TrimPrefix(ref, "#/$defs/")]).(map[string]any); ok {
					out = def
				}
			}
			for k, val := range t {
				if k == "$ref" || k == "$defs" || k == "$schema" || k == "$id" {
					continue
				}
				out[k] = mergeSchema(out[k], inline(val))
			}
			return out
		case []any:
			out := make([]any, len(t))
			for i := range t {
				out[i] = inline(t[i])
			}
			return out
		}
		return v
	}
	return inline(root).(map[string]any), nil
}

// mergeSchema merges b over a where both are objects (a $ref's siblings
// refine the referenced definition), else b wins.
func mergeSchema(a, b any) any {
	am, ok1 := a.(map[string]any)
	bm, ok2 := b.(map[string]any)
	if !ok1 || !ok2 {
		return b
	}
	out := map[string]any{}
	for k, v := range am {
		out[k] = v
	}
	for k, v := range bm {
		out[k] = mergeSchema(out[k], v)
	}
	return out
}
