package forms

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// SeedDir is where the demo catalogue keeps its forms: one file per
// service, named <service slug>.json, holding a Definition.
const SeedDir = "forms"

// LoadSeed reads the form definitions of a seed tree (db.SeedFS), by
// service slug. Unknown fields are refused, so a typo in a definition
// does not pass silently.
func LoadSeed(fsys fs.FS) (map[string]Definition, error) {
	files, err := fs.Glob(fsys, SeedDir+"/*.json")
	if err != nil {
		return nil, err
	}
	out := make(map[string]Definition, len(files))
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		def, err := Decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out[strings.TrimSuffix(path.Base(f), ".json")] = def
	}
	return out, nil
}
