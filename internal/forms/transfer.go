package forms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/store"
)

// Decode reads one definition, refusing keys it does not know: a typo in
// a hand-written form ("lable") must not vanish silently.
func Decode(raw []byte) (Definition, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var def Definition
	err := dec.Decode(&def)
	return def, err
}

// Check compiles every definition of a catalogue import, with field
// errors at "forms.<service>…", so an editor sees every bad form together
// with every bad service.
func (s *Service) Check(defs map[string]Definition) []apperr.FieldError {
	var errs []apperr.FieldError
	for _, slug := range slices.Sorted(maps.Keys(defs)) {
		if _, err := Compile(defs[slug], s.profileFields, "forms."+slug); err != nil {
			if e, ok := apperr.As(err); ok {
				errs = append(errs, e.Fields...)
				continue
			}
			errs = append(errs, apperr.FieldError{Path: "forms." + slug, Message: err.Error()})
		}
	}
	return errs
}

// Import publishes the definitions of a catalogue import in q's
// transaction, the one that imports the services, so that services and
// forms change together or not at all. A definition equal to the
// published one is left alone (importing the same file twice changes
// nothing); any other becomes the next version, published, and the one
// before is archived. defs must have passed Check. It returns how many
// forms changed.
func (s *Service) Import(ctx context.Context, q *store.Queries, defs map[string]Definition, actor string) (int, error) {
	changed := 0
	for _, slug := range slices.Sorted(maps.Keys(defs)) {
		raw, err := json.Marshal(defs[slug])
		if err != nil {
			return 0, err
		}
		if err := q.LockFormService(ctx, slug); err != nil {
			if apperr.CodeOf(err) == apperr.NotFound {
				return 0, apperr.InvalidFields("import rejected: a form belongs to no service, nothing was changed",
					apperr.FieldError{Path: "forms." + slug, Message: "no service has this slug, in the database or in the import"})
			}
			return 0, err
		}
		cur, err := q.CurrentForm(ctx, slug)
		switch {
		case err == nil && sameDefinition(cur.Definition, raw):
			continue
		case err != nil && apperr.CodeOf(err) != apperr.NotFound:
			return 0, err
		}
		if _, err := q.PublishNewForm(ctx, slug, raw, actor); err != nil {
			return 0, err
		}
		changed++
	}
	return changed, nil
}

// Current returns the published definition of every service that has
// one, by service (the catalogue export).
func (s *Service) Current(ctx context.Context) (map[string]Definition, error) {
	rows, err := s.st.CurrentForms(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Definition, len(rows))
	for _, r := range rows {
		v, err := versionFrom(r)
		if err != nil {
			return nil, err
		}
		out[r.Service] = v.Definition
	}
	return out, nil
}

// sameDefinition compares two definitions by meaning: PostgreSQL's jsonb
// reorders keys, so the bytes differ even when nothing changed.
func sameDefinition(a, b []byte) bool {
	var x, y any
	if errors.Join(json.Unmarshal(a, &x), json.Unmarshal(b, &y)) != nil {
		return false
	}
	ca, _ := json.Marshal(x)
	cb, _ := json.Marshal(y)
	return bytes.Equal(ca, cb)
}
