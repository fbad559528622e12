// Package schemacheck turns the errors of a JSON Schema validation
// (santhosh-tekuri/jsonschema) into Schalter's field errors: one per wrong
// value, at the JSON path of that value in the style huma uses for its own
// errors ("body.fees[0].amount_rappen"), so the catalogue's exchange
// format and the order forms report bad input alike.
package schemacheck

import (
	"bytes"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/schalter-ch/schalter/internal/apperr"
)

var printer = message.NewPrinter(language.English)

// Validate checks raw JSON against schema. Field errors carry paths
// prefixed with prefix (e.g. "body").
func Validate(schema *jsonschema.Schema, raw []byte, prefix string) []apperr.FieldError {
	return check(schema, raw, prefix, false)
}

// Partial checks data that is still being filled in (an order draft):
// like Validate, but a missing required field is not an error yet.
func Partial(schema *jsonschema.Schema, raw []byte, prefix string) []apperr.FieldError {
	return check(schema, raw, prefix, true)
}

func check(schema *jsonschema.Schema, raw []byte, prefix string, partial bool) []apperr.FieldError {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return []apperr.FieldError{{Path: prefix, Message: "not valid JSON: " + err.Error()}}
	}
	return flatten(schema.Validate(inst), prefix, partial)
}

// Errors flattens a validation error into field errors, sorted by path
// (none for a nil error).
func Errors(err error, prefix string) []apperr.FieldError {
	return flatten(err, prefix, false)
}

func flatten(err error, prefix string, partial bool) []apperr.FieldError {
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []apperr.FieldError{{Path: prefix, Message: err.Error()}}
	}
	var out []apperr.FieldError
	collectLeaves(ve, prefix, partial, &out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return dedupe(out)
}

// collectLeaves flattens the schema error tree into the errors that say
// what is wrong (the leaves), each with the JSON path of the bad value.
func collectLeaves(ve *jsonschema.ValidationError, prefix string, partial bool, out *[]apperr.FieldError) {
	if len(ve.Causes) == 0 {
		// A missing property is reported at its parent; name the property,
		// so that clients can point at the empty field.
		if req, ok := ve.ErrorKind.(*kind.Required); ok {
			if partial {
				return
			}
			for _, m := range req.Missing {
				*out = append(*out, apperr.FieldError{Path: JSONPath(prefix, append(slices.Clone(ve.InstanceLocation), m)), Message: "is required"})
			}
			return
		}
		if add, ok := ve.ErrorKind.(*kind.AdditionalProperties); ok {
			for _, p := range add.Properties {
				*out = append(*out, apperr.FieldError{Path: JSONPath(prefix, append(slices.Clone(ve.InstanceLocation), p)), Message: "is not a known field"})
			}
			return
		}
		*out = append(*out, apperr.FieldError{Path: JSONPath(prefix, ve.InstanceLocation), Message: ve.ErrorKind.LocalizedString(printer)})
		return
	}
	for _, c := range ve.Causes {
		collectLeaves(c, prefix, partial, out)
	}
}

func dedupe(in []apperr.FieldError) []apperr.FieldError {
	out := in[:0]
	seen := map[string]bool{}
	for _, e := range in {
		k := e.Path + "\x00" + e.Message
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// JSONPath renders a location such as ["fees","0","amount_rappen"] as
// "prefix.fees[0].amount_rappen".
func JSONPath(prefix string, loc []string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, p := range loc {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}
