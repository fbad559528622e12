package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// Bundle is a complete catalogue: taxonomy, offices and services.
type Bundle struct {
	Taxonomy Taxonomy
	Offices  []Office
	Services []Service
}

// LoadBundle reads a catalogue from fsys laid out like db/seed:
// taxonomy.yaml, offices.yaml and services/*.yaml. Every file is checked
// against the schemas and the cross references are resolved; all problems
// are reported together, each with its file.
func LoadBundle(fsys fs.FS) (*Bundle, error) {
	var b Bundle
	var errs []apperr.FieldError
	fail := func(file string, fe ...apperr.FieldError) {
		for _, e := range fe {
			e.Path = file + ": " + e.Path
			errs = append(errs, e)
		}
	}

	raw, err := readYAML(fsys, "taxonomy.yaml")
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b.Taxonomy); err != nil {
		fail("taxonomy.yaml", apperr.FieldError{Message: err.Error()})
	}
	fail("taxonomy.yaml", b.Taxonomy.Check()...)

	raw, err = readYAML(fsys, "offices.yaml")
	if err != nil {
		return nil, err
	}
	offices, fe := ParseOffices(raw, "")
	fail("offices.yaml", fe...)
	b.Offices = offices

	files, err := fs.Glob(fsys, "services/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, f := range files {
		raw, err := readYAML(fsys, f)
		if err != nil {
			return nil, err
		}
		s, fe := ParseService(raw, "")
		if len(fe) > 0 {
			fail(f, fe...)
			continue
		}
		if want := strings.TrimSuffix(path.Base(f), ".yaml"); s.Slug != want {
			fail(f, apperr.FieldError{Path: "slug", Message: fmt.Sprintf("slug %q does not match the file name", s.Slug)})
		}
		b.Services = append(b.Services, s)
	}

	refs := b.Refs()
	seen := map[string]bool{}
	for i := range b.Services {
		s := &b.Services[i]
		if seen[s.Slug] {
			fail("services/"+s.Slug+".yaml", apperr.FieldError{Path: "slug", Message: "duplicate slug"})
		}
		seen[s.Slug] = true
		fail("services/"+s.Slug+".yaml", s.Check(refs, "")...)
	}
	if len(errs) > 0 {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: fmt.Sprintf("catalogue has %d errors", len(errs)), Fields: errs}
	}
	return &b, nil
}

// Refs returns what the bundle's services may refer to.
func (b *Bundle) Refs() Refs {
	r := Refs{Offices: map[string]bool{}, Categories: map[string]string{}, Audiences: map[string]bool{}, Services: map[string]bool{}}
	for _, o := range b.Offices {
		r.Offices[o.Slug] = true
	}
	for _, c := range b.Taxonomy.Categories {
		r.Categories[c.Slug] = c.Kind
	}
	for _, a := range b.Taxonomy.Audiences {
		r.Audiences[a.Slug] = true
	}
	for _, s := range b.Services {
		r.Services[s.Slug] = true
	}
	return r
}

// Check validates the taxonomy on its own.
func (t *Taxonomy) Check() []apperr.FieldError {
	var errs []apperr.FieldError
	seen := map[string]bool{}
	for i, c := range t.Categories {
		p := fmt.Sprintf("categories[%d]", i)
		if !slugRE.MatchString(c.Slug) || seen[c.Slug] {
			errs = append(errs, apperr.FieldError{Path: p + ".slug", Message: "missing, malformed or duplicate slug"})
		}
		seen[c.Slug] = true
		if c.Kind != KindTopic && c.Kind != KindLifeSituation {
			errs = append(errs, apperr.FieldError{Path: p + ".kind", Message: "kind must be topic or life_situation"})
		}
		if c.Title.De == "" || strings.Contains(c.Title.De, "ß") {
			errs = append(errs, apperr.FieldError{Path: p + ".title.de", Message: "German title missing or contains ß"})
		}
	}
	for i, a := range t.Audiences {
		p := fmt.Sprintf("audiences[%d]", i)
		if !slugRE.MatchString(a.Slug) || seen[a.Slug] {
			errs = append(errs, apperr.FieldError{Path: p + ".slug", Message: "missing, malformed or duplicate slug"})
		}
		seen[a.Slug] = true
		if a.Title.De == "" {
			errs = append(errs, apperr.FieldError{Path: p + ".title.de", Message: "German title missing"})
		}
	}
	return errs
}

func readYAML(fsys fs.FS, name string) ([]byte, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: name + ": " + err.Error()}
	}
	return j, nil
}
