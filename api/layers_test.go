package api_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLayers holds the architecture to what docs/architecture.md says:
// the HTTP edge reaches the database only through domain packages, sqlc's
// generated types stay inside internal/store, and so does every look at
// pgx's errors (ErrNoRows, SQLSTATEs), which the store maps to apperr in
// one place. A new import that breaks a rule fails here, not in review.
func TestLayers(t *testing.T) {
	t.Parallel()
	const module = "github.com/schalter-ch/schalter/"
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "pwa" || rel == "node_modules" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		dir := filepath.ToSlash(filepath.Dir(rel))
		inStore := dir == "internal/store" || strings.HasPrefix(dir, "internal/store/")
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case dir == "api" && (p == module+"internal/store" || strings.HasPrefix(p, module+"internal/store/")):
				t.Errorf("%s imports %s: the edge calls domain services (api.Deps), never the store", rel, p)
			case !inStore && p == module+"internal/store/dbq":
				t.Errorf("%s imports %s: sqlc's types stay inside internal/store", rel, p)
			case !inStore && (p == "github.com/jackc/pgx/v5/pgconn"):
				t.Errorf("%s imports %s: database errors are mapped to apperr in internal/store", rel, p)
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, checked, 100, "the walk found the sources")
}
