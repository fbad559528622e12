package forms_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/forms"
)

// example is a valid definition (testdata/extract.json) as a generic
// document, so each case can break one rule.
func example(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/extract.json")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	return doc
}

func compile(t *testing.T, doc map[string]any) (*forms.Form, error) {
	t.Helper()
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	var def forms.Definition
	require.NoError(t, json.Unmarshal(b, &def))
	return forms.Compile(def, account.ProfileFields, "body")
}

// paths lists the field errors' paths of err.
func paths(err error) []string {
	e, ok := apperr.As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Path)
	}
	return out
}

func TestCompileRules(t *testing.T) {
	t.Parallel()
	// at walks a path of map keys and slice indexes in a document.
	at := func(doc map[string]any, path ...any) map[string]any {
		var cur any = doc
		for _, p := range path {
			switch k := p.(type) {
			case string:
				cur = cur.(map[string]any)[k]
			case int:
				cur = cur.([]any)[k]
			}
		}
		return cur.(map[string]any)
	}
	schema := func(d map[string]any) map[string]any { return at(d, "schema") }
	props := func(d map[string]any) map[string]any { return at(d, "schema", "properties") }
	field := func(d map[string]any, sec, f int) map[string]any { return at(d, "ui", "sections", sec, "fields", f) }
	for _, tc := range []struct {
		name   string
		change func(d map[string]any)
		want   string // a path among the errors
	}{
		{"another draft", func(d map[string]any) { schema(d)["$schema"] = "http://json-schema.org/draft-07/schema#" }, "body.schema.$schema"},
		{"not an object", func(d map[string]any) { schema(d)["type"] = "array" }, "body.schema.type"},
		{"open to unknown fields", func(d map[string]any) { delete(schema(d), "additionalProperties") }, "body.schema.additionalProperties"},
		{"a schema that does not compile", func(d map[string]any) { props(d)["given_name"] = map[string]any{"type": "text"} }, "body.schema"},
		{"a reference outside the form", func(d map[string]any) {
			props(d)["given_name"] = map[string]any{"$ref": "https://evil.example/schema.json"}
		}, "body.schema"},
		{"a property no field shows", func(d map[string]any) { props(d)["hidden"] = map[string]any{"type": "string"} }, "body.schema.properties.hidden"},
		{"a field without a property", func(d map[string]any) { field(d, 0, 0)["name"] = "vorname" }, "body.ui.sections[0].fields[0].name"},
		{"a field shown twice", func(d map[string]any) { field(d, 0, 1)["name"] = "given_name" }, "body.ui.sections[0].fields[1].name"},
		{"a label missing in Italian", func(d map[string]any) { delete(at(d, "ui", "sections", 0, "fields", 0, "label"), "it") }, "body.ui.sections[0].fields[0].label.it"},
		{"help in German only", func(d map[string]any) { field(d, 0, 0)["help"] = map[string]any{"de": "Wie im Pass"} }, "body.ui.sections[0].fields[0].help.fr"},
		{"ß in Swiss German", func(d map[string]any) { at(d, "ui", "sections", 0, "title")["de"] = "Straße" }, "body.ui.sections[0].title.de"},
		{"a section title in Klingon", func(d map[string]any) { at(d, "ui", "sections", 0, "title")["tlh"] = "x" }, "body.ui.sections[0].title.tlh"},
		{"two sections with one id", func(d map[string]any) { at(d, "ui", "sections", 1)["id"] = "person" }, "body.ui.sections[1].id"},
		{"a file field that holds text", func(d map[string]any) { field(d, 0, 0)["widget"] = "file" }, "body.schema.properties.given_name"},
		{"a map without bounds", func(d map[string]any) {
			props(d)["given_name"] = map[string]any{"type": "object", "required": []any{"lat", "lon"},
				"properties": map[string]any{"lat": map[string]any{"type": "number"}, "lon": map[string]any{"type": "number"}}}
			field(d, 0, 0)["widget"] = "map"
		}, "body.schema.properties.given_name"},
		{"an unknown widget", func(d map[string]any) { field(d, 0, 2)["widget"] = "slider" }, "body.ui.sections[0].fields[2].widget"},
		{"an enum value without a label", func(d map[string]any) { delete(field(d, 1, 0)["options"].(map[string]any), "job") }, "body.ui.sections[1].fields[0].options"},
		{"a label for no value", func(d map[string]any) {
			field(d, 1, 0)["options"].(map[string]any)["holiday"] = map[string]any{"de": "Ferien", "fr": "Vacances", "it": "Vacanze", "en": "Holiday"}
		}, "body.ui.sections[1].fields[0].options.holiday"},
		{"an option label missing in French", func(d map[string]any) {
			delete(field(d, 1, 0)["options"].(map[string]any)["job"].(map[string]any), "fr")
		}, "body.ui.sections[1].fields[0].options.job.fr"},
		{"no comment", func(d map[string]any) {
			delete(props(d), "comment")
			sec := at(d, "ui", "sections", 1)
			sec["fields"] = sec["fields"].([]any)[:3]
		}, "body.schema.properties"},
		{"a required comment", func(d map[string]any) {
			schema(d)["required"] = append(schema(d)["required"].([]any), "comment")
		}, "body.schema.required"},
		{"a comment without a bound", func(d map[string]any) { props(d)["comment"] = map[string]any{"type": "string"} }, "body.schema.properties.comment"},
		{"the comment not last", func(d map[string]any) {
			fs := at(d, "ui", "sections", 1)["fields"].([]any)
			fs[2], fs[3] = fs[3], fs[2]
		}, "body.ui.sections"},
		{"prefill from a field the profile lacks", func(d map[string]any) { at(d, "ui", "prefill")["given_name"] = "ahv_number" }, "body.ui.prefill.given_name"},
		{"prefill into a field the form lacks", func(d map[string]any) { at(d, "ui", "prefill")["street"] = "street" }, "body.ui.prefill.street"},
		{"reuse of a field the form lacks", func(d map[string]any) { at(d, "ui")["reuse"] = []any{"birth_date", "plate"} }, "body.ui.reuse[1]"},
		{"reuse listed twice", func(d map[string]any) { at(d, "ui")["reuse"] = []any{"birth_date", "birth_date"} }, "body.ui.reuse[1]"},
		{"reuse of the comment", func(d map[string]any) { at(d, "ui")["reuse"] = []any{"comment"} }, "body.ui.reuse[0]"},
		{"a condition on a later field", func(d map[string]any) {
			field(d, 1, 1)["show_if"] = map[string]any{"field": "delivery", "equals": "post"}
		}, "body.ui.sections[1].fields[1].show_if.field"},
		{"a conditional field always required", func(d map[string]any) {
			schema(d)["required"] = append(schema(d)["required"].([]any), "purpose_other")
		}, "body.ui.sections[1].fields[1].show_if"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := example(t)
			tc.change(doc)
			f, err := compile(t, doc)
			require.Nil(t, f)
			require.Equal(t, apperr.Invalid, apperr.CodeOf(err), "%v", err)
			require.Contains(t, paths(err), tc.want, "%v", err)
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	f, err := compile(t, example(t))
	require.NoError(t, err)
	valid := `{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-04-01","purpose":"rental","delivery":"account"}`
	require.NoError(t, f.Validate(json.RawMessage(valid), "body.data"))
	for _, tc := range []struct {
		name, data string
		want       []string
	}{
		{"missing fields", `{"given_name":"Tamara"}`, []string{"body.data.birth_date", "body.data.delivery", "body.data.family_name", "body.data.purpose"}},
		{"an unknown field", strings.Replace(valid, `{`, `{"ahv":"756.1234.5678.97",`, 1), []string{"body.data.ahv"}},
		{"not a date", strings.Replace(valid, "1990-04-01", "1.4.1990", 1), []string{"body.data.birth_date"}},
		{"not a choice", strings.Replace(valid, `"rental"`, `"fun"`, 1), []string{"body.data.purpose"}},
		{"the condition's field missing", strings.Replace(valid, `"rental"`, `"other"`, 1), []string{"body.data.purpose_other"}},
		{"a comment too long", strings.Replace(valid, `}`, `,"comment":"`+strings.Repeat("x", 2001)+`"}`, 1), []string{"body.data.comment"}},
		{"not an object", `["Tamara"]`, []string{"body.data"}},
		{"not JSON", `{"given_name":`, []string{"body.data"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := f.Validate(json.RawMessage(tc.data), "body.data")
			require.Equal(t, apperr.Invalid, apperr.CodeOf(err), "%v", err)
			require.Equal(t, tc.want, paths(err))
		})
	}
}
