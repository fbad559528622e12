// Package forms holds the order forms of services: a definition is a JSON
// Schema (draft 2020-12) for the data and a UI schema for how the form is
// shown (sections, labels and help in every language, conditional fields,
// which profile fields may prefill which form field). Compile checks a
// definition against the rules every Schalter form follows; the compiled
// form validates what a person entered, with field errors at the paths of
// the wrong values. The PWA renders and checks the same definition as the
// person types; the server's check (Validate) is the one that counts.
package forms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/fees"
	"github.com/schalter-ch/schalter/internal/schemacheck"
)

// LocalizedText is a text in every language of the catalogue (catalog.Languages).
type LocalizedText map[string]string

// In is the text in lang, German when lang is missing.
func (t LocalizedText) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	return t["de"]
}

// Definition is one version of a service's order form.
type Definition struct {
	// Schema is the JSON Schema of the data: an object whose properties
	// are the form's fields, closed to unknown fields.
	Schema json.RawMessage `json:"schema"`
	UI     UISchema        `json:"ui"`
	// Fees is what the service costs and how it is collected; nil for a
	// free service.
	Fees *fees.Spec `json:"fees,omitempty"`
}

// UISchema is how the form is shown and filled.
type UISchema struct {
	Sections []FormSection `json:"sections"`
	// Prefill maps form fields to the profile fields that may fill them,
	// once the person consents for the service.
	Prefill map[string]string `json:"prefill,omitempty"`
	// Reuse names the fields the person's last case of the same service
	// may fill (the car's plate for next year's parking card, the date of
	// birth), once the person consents to that for the service. Answers
	// that belong to one order only are not listed (files and the comment
	// cannot be).
	Reuse []string `json:"reuse,omitempty"`
}

// FormSection is a step of the form.
type FormSection struct {
	ID     string        `json:"id"`
	Title  LocalizedText `json:"title"`
	Fields []FormField   `json:"fields"`
}

// FormField shows one property of the schema.
type FormField struct {
	Name   string        `json:"name"`
	Label  LocalizedText `json:"label"`
	Help   LocalizedText `json:"help,omitempty"`
	Widget string        `json:"widget,omitempty"`
	// Options label every value of an enum property (or of an array's
	// items), in every language: what a select, radio or checkbox list
	// shows and a summary prints.
	Options map[string]LocalizedText `json:"options,omitempty"`
	// ShowIf shows the field only when an earlier field has a value.
	ShowIf *FieldCondition `json:"show_if,omitempty"`
}

// FieldCondition is "field equals value".
type FieldCondition struct {
	Field  string `json:"field"`
	Equals any    `json:"equals"`
}

// Widgets are the controls the PWA can render; empty means one chosen
// from the property's type.
var Widgets = []string{"text", "textarea", "email", "tel", "date", "number", "select", "radio", "checkbox", "file", "map"}

// CommentField ends every form: a free text for what the form does not ask.
const CommentField = "comment"

// commentMax bounds the comment, so that a form cannot take a novel.
const commentMax = 2000

var (
	validName    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	validSection = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// Form is a checked definition, ready to validate data.
type Form struct {
	Definition
	schema *jsonschema.Schema
}

// HasSection reports whether id is a section of the form ("" is the
// start, before any).
func (f *Form) HasSection(id string) bool {
	return id == "" || slices.ContainsFunc(f.UI.Sections, func(s FormSection) bool { return s.ID == id })
}

// schemaURL names a form's schema for the compiler; nothing is loaded
// from it (the compiler has no loader), so a form cannot reach out.
const schemaURL = "https://schalter.ch/forms/form.schema.json"

// Compile checks def against the rules of Schalter's forms, with field
// errors under prefix (e.g. "body"): the schema compiles as draft 2020-12
// with no references outside itself; it is an object closed to unknown
// fields; every property is shown by exactly one field and every field
// shows a property; every text exists in every language; the form ends
// with the optional comment; prefill names profile fields (profileFields)
// for existing form fields; conditions name an earlier field, and a
// conditional field is not required unconditionally.
func Compile(def Definition, profileFields []string, prefix string) (*Form, error) {
	var errs []apperr.FieldError
	add := func(path, msg string, args ...any) {
		errs = append(errs, apperr.FieldError{Path: schemacheck.JSONPath(prefix, strings.Split(path, ".")), Message: fmt.Sprintf(msg, args...)})
	}
	var top struct {
		Type                 any                        `json:"type"`
		Schema               string                     `json:"$schema"`
		AdditionalProperties *bool                      `json:"additionalProperties"`
		Properties           map[string]json.RawMessage `json:"properties"`
		Required             []string                   `json:"required"`
	}
	if err := json.Unmarshal(def.Schema, &top); err != nil {
		return nil, apperr.InvalidFields("the form definition is not valid", apperr.FieldError{Path: prefix + ".schema", Message: "must be a JSON Schema object: " + err.Error()})
	}
	if top.Schema != "" && top.Schema != "https://json-schema.org/draft/2020-12/schema" {
		add("schema.$schema", "must be draft 2020-12 (https://json-schema.org/draft/2020-12/schema)")
	}
	if top.Type != "object" {
		add("schema.type", `must be "object"`)
	}
	if top.AdditionalProperties == nil || *top.AdditionalProperties {
		add("schema.additionalProperties", "must be false: a form takes only the fields it shows")
	}
	sch, err := compileSchema(def.Schema)
	if err != nil {
		add("schema", "%s", err.Error())
	}

	shown := map[string]bool{}
	seenSection := map[string]bool{}
	order := map[string]int{} // field → position, for conditions
	last := ""
	for i, sec := range def.UI.Sections {
		sp := fmt.Sprintf("ui.sections.%d", i)
		if !validSection.MatchString(sec.ID) || seenSection[sec.ID] {
			add(sp+".id", "must be a unique slug such as %q", "person")
		}
		seenSection[sec.ID] = true
		checkText(sec.Title, sp+".title", true, add)
		if len(sec.Fields) == 0 {
			add(sp+".fields", "a section shows at least one field")
		}
		for j, f := range sec.Fields {
			fp := fmt.Sprintf("%s.fields.%d", sp, j)
			switch {
			case !validName.MatchString(f.Name):
				add(fp+".name", "must be a lower-case name such as %q", "given_name")
			case top.Properties[f.Name] == nil:
				add(fp+".name", "%q is not a property of the schema", f.Name)
			case shown[f.Name]:
				add(fp+".name", "%q is shown twice", f.Name)
			}
			shown[f.Name] = true
			order[f.Name] = len(order)
			last = f.Name
			checkText(f.Label, fp+".label", true, add)
			checkText(f.Help, fp+".help", false, add)
			if f.Widget != "" && !slices.Contains(Widgets, f.Widget) {
				add(fp+".widget", "unknown widget %q (%s)", f.Widget, strings.Join(Widgets, ", "))
			}
			if msg := widgetShape(f.Widget, top.Properties[f.Name]); msg != "" {
				add("schema.properties."+f.Name, "%s", msg)
			}
			checkOptions(f.Options, top.Properties[f.Name], fp+".options", add)
			if c := f.ShowIf; c != nil {
				if at, ok := order[c.Field]; !ok || at >= order[f.Name] {
					add(fp+".show_if.field", "must name a field shown before this one")
				}
				if slices.Contains(top.Required, f.Name) {
					add(fp+".show_if", "a field shown only on a condition cannot be required always; require it in the schema's if/then")
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(top.Properties)) {
		if !shown[name] {
			add("schema.properties."+name, "no field of the UI shows it")
		}
	}
	checkComment(top.Properties[CommentField], slices.Contains(top.Required, CommentField), last, add)
	for _, field := range slices.Sorted(maps.Keys(def.UI.Prefill)) {
		if !shown[field] {
			add("ui.prefill."+field, "not a field of the form")
		}
		if p := def.UI.Prefill[field]; !slices.Contains(profileFields, p) {
			add("ui.prefill."+field, "%q is not a profile field (%s)", p, strings.Join(profileFields, ", "))
		}
	}
	widgets := map[string]string{}
	for _, sec := range def.UI.Sections {
		for _, f := range sec.Fields {
			widgets[f.Name] = f.Widget
		}
	}
	for i, field := range def.UI.Reuse {
		path := fmt.Sprintf("ui.reuse.%d", i)
		switch w, ok := widgets[field]; {
		case !ok:
			add(path, "%q is not a field of the form", field)
		case slices.Contains(def.UI.Reuse[:i], field):
			add(path, "%q is listed twice", field)
		case w == "file" || field == CommentField:
			add(path, "%q belongs to one order only (files and the comment are never reused)", field)
		}
	}
	checkFees(def.Fees, top.Properties, add)
	if len(errs) > 0 {
		return nil, apperr.InvalidFields("the form definition is not valid", errs...)
	}
	return &Form{Definition: def, schema: sch}, nil
}

// Validate checks what a person entered against the form, with field
// errors under prefix (e.g. "body.data").
func (f *Form) Validate(data json.RawMessage, prefix string) error {
	if errs := schemacheck.Validate(f.schema, data, prefix); len(errs) > 0 {
		return apperr.InvalidFields("the form is not filled in correctly", errs...)
	}
	return nil
}

// CheckDraft checks data that is still being filled in. What no draft
// may hold is an error (not an object, a field the form does not have);
// what is only not right yet comes back as issues to show (a wrong
// format, a number out of range), and a missing field is no issue at
// all until the person submits.
func (f *Form) CheckDraft(data json.RawMessage, prefix string) ([]apperr.FieldError, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return nil, apperr.InvalidFields("a draft holds the form's fields", apperr.FieldError{Path: prefix, Message: "must be a JSON object of the form's fields"})
	}
	var unknown []apperr.FieldError
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if !f.shows(name) {
			unknown = append(unknown, apperr.FieldError{Path: schemacheck.JSONPath(prefix, []string{name}), Message: "is not a field of this form"})
		}
	}
	if len(unknown) > 0 {
		return nil, apperr.InvalidFields("the draft has fields the form does not have", unknown...)
	}
	return schemacheck.Partial(f.schema, data, prefix), nil
}

// Attachments are the attachment ids data holds in the form's file
// fields, each once, with the field that holds it.
func (f *Form) Attachments(data json.RawMessage) map[string]string {
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(data, &fields)
	out := map[string]string{}
	for _, s := range f.UI.Sections {
		for _, fl := range s.Fields {
			var ids []string
			if fl.Widget == "file" && json.Unmarshal(fields[fl.Name], &ids) == nil {
				for _, id := range ids {
					out[id] = fl.Name
				}
			}
		}
	}
	return out
}

// shows reports whether name is a field of the form.
func (f *Form) shows(name string) bool {
	for _, s := range f.UI.Sections {
		if slices.ContainsFunc(s.Fields, func(fl FormField) bool { return fl.Name == name }) {
			return true
		}
	}
	return false
}

func compileSchema(raw json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
}

// checkOptions requires a label for every value of an enum property (or
// of its items), and none for values it does not have.
func checkOptions(options map[string]LocalizedText, raw json.RawMessage, path string, add func(string, string, ...any)) {
	var prop struct {
		Enum  []any `json:"enum"`
		Items *struct {
			Enum []any `json:"enum"`
		} `json:"items"`
	}
	_ = json.Unmarshal(raw, &prop)
	values := prop.Enum
	if prop.Items != nil && len(values) == 0 {
		values = prop.Items.Enum
	}
	want := map[string]bool{}
	for _, v := range values {
		want[fmt.Sprint(v)] = true
		if options[fmt.Sprint(v)] == nil {
			add(path, "needs a label for the value %v", v)
		}
	}
	for _, v := range slices.Sorted(maps.Keys(options)) {
		if !want[v] {
			add(path+"."+v, "is not a value of the property")
			continue
		}
		checkText(options[v], path+"."+v, true, add)
	}
}

// checkText requires t in every language (when required, or when any is
// given), and Swiss German spelling.
func checkText(t LocalizedText, path string, required bool, add func(string, string, ...any)) {
	if len(t) == 0 && !required {
		return
	}
	for _, l := range catalog.Languages {
		if strings.TrimSpace(t[l]) == "" {
			add(path+"."+l, "the text is missing in %s", l)
		}
	}
	for l := range t {
		if !slices.Contains(catalog.Languages, l) {
			add(path+"."+l, "unknown language (%s)", strings.Join(catalog.Languages, ", "))
		}
	}
	if strings.Contains(t["de"], "ß") {
		add(path+".de", `Swiss German writes "ss", not "ß"`)
	}
}

// checkComment requires the optional free comment as the form's last field.
func checkComment(raw json.RawMessage, required bool, last string, add func(string, string, ...any)) {
	if raw == nil {
		add("schema.properties", "every form ends with an optional %q field", CommentField)
		return
	}
	var c struct {
		Type      string `json:"type"`
		MaxLength int    `json:"maxLength"`
	}
	if json.Unmarshal(raw, &c) != nil || c.Type != "string" || c.MaxLength < 1 || c.MaxLength > commentMax {
		add("schema.properties."+CommentField, "must be a string with a maxLength of at most %d", commentMax)
	}
	if required {
		add("schema.required", "the comment is optional")
	}
	if last != CommentField {
		add("ui.sections", "the comment is the last field of the last section")
	}
}

// AttachmentPattern is what a file field holds: ids of uploaded
// attachments, never the files themselves.
const AttachmentPattern = "^att_[A-Za-z0-9_-]{22}$"

// widgetShape says what is wrong with a property for the widgets whose
// value has a fixed shape (files, a map position), or "".
func widgetShape(widget string, raw json.RawMessage) string {
	var p struct {
		Type     string `json:"type"`
		MaxItems int    `json:"maxItems"`
		Items    struct {
			Type    string `json:"type"`
			Pattern string `json:"pattern"`
		} `json:"items"`
		Properties map[string]struct {
			Type string   `json:"type"`
			Min  *float64 `json:"minimum"`
			Max  *float64 `json:"maximum"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	if raw == nil || json.Unmarshal(raw, &p) != nil {
		return ""
	}
	switch widget {
	case "file":
		if p.Type != "array" || p.Items.Type != "string" || p.Items.Pattern != AttachmentPattern || p.MaxItems < 1 || p.MaxItems > 10 {
			return fmt.Sprintf(`a file field is {"type":"array","items":{"type":"string","pattern":%q},"maxItems":1..10}`, AttachmentPattern)
		}
	case "map":
		lat, lon := p.Properties["lat"], p.Properties["lon"]
		if p.Type != "object" || lat.Type != "number" || lon.Type != "number" || lat.Min == nil || lat.Max == nil || lon.Min == nil || lon.Max == nil ||
			!slices.Contains(p.Required, "lat") || !slices.Contains(p.Required, "lon") {
			return `a map field is an object with required numbers "lat" and "lon", each with a minimum and maximum (the city's area)`
		}
	}
	return ""
}

// checkFees checks the fee part: a known way of collecting; items (at
// least one unless the office sets the amount) with a unique slug type,
// a positive amount, a label in every language and a known VAT code; a
// quantity field that is a bounded non-negative integer of the form; a
// condition on a field of the form.
func checkFees(spec *fees.Spec, props map[string]json.RawMessage, add func(string, string, ...any)) {
	if spec == nil {
		return
	}
	if !slices.Contains(fees.Collects, spec.Collect) {
		add("fees.collect", "must be one of %s", strings.Join(fees.Collects, ", "))
	}
	if len(spec.Items) == 0 && spec.Collect != fees.Office {
		add("fees.items", "a service that collects %q needs at least one item", spec.Collect)
	}
	if spec.DueDays < 0 || spec.DueDays > 120 {
		add("fees.due_days", "must be between 1 and 120 days (0 for 30)")
	}
	seen := map[string]bool{}
	for i, it := range spec.Items {
		p := fmt.Sprintf("fees.items.%d", i)
		if !fees.ValidType(it.Type) || seen[it.Type] {
			add(p+".type", "must be a unique slug such as %q", "extract")
		}
		seen[it.Type] = true
		if it.Amount < 1 || it.Amount > fees.MaxAmount {
			add(p+".amount_rappen", "must be between 1 and %d Rappen", fees.MaxAmount)
		}
		if it.VAT != "" && !slices.Contains(fees.VATCodes, it.VAT) {
			add(p+".vat", "must be one of %s", strings.Join(fees.VATCodes, ", "))
		}
		checkText(LocalizedText(it.Label), p+".label", true, add)
		if it.Per != "" {
			var q struct {
				Type    string `json:"type"`
				Minimum *int64 `json:"minimum"`
				Maximum *int64 `json:"maximum"`
			}
			if raw := props[it.Per]; raw == nil || json.Unmarshal(raw, &q) != nil || q.Type != "integer" ||
				q.Minimum == nil || *q.Minimum < 0 || q.Maximum == nil || *q.Maximum > 10000 {
				add(p+".per", "must name an integer field of the form with a minimum of at least 0 and a maximum of at most 10000")
			}
		}
		if it.Beyond < 0 || (it.Beyond > 0 && it.Per == "") {
			add(p+".beyond", "must be at least 0, and only with per")
		}
		if it.If != nil && props[it.If.Field] == nil {
			add(p+".if.field", "%q is not a field of the form", it.If.Field)
		}
	}
}
