package api_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/api"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

// TestSpecIsCommitted fails when openapi/openapi.yaml is not what the code
// generates (make generate fixes it); CI also diffs it in verify/openapi.
func TestSpecIsCommitted(t *testing.T) {
	t.Parallel()
	want, err := api.OpenAPI().YAML()
	require.NoError(t, err)
	have, err := os.ReadFile(filepath.Join(pgtest.RepoRoot(), "openapi", "openapi.yaml"))
	require.NoError(t, err)
	require.Equal(t, string(want), string(have), "openapi/openapi.yaml is stale: run make generate")
}

// TestSpecIsComplete holds every operation to the documentation standard
// third parties rely on: an id, a summary, a description, a tag, examples
// for parameters, documented problem responses, and security on admin
// operations.
func TestSpecIsComplete(t *testing.T) {
	t.Parallel()
	spec := api.OpenAPI()
	require.Equal(t, "3.1.0", spec.OpenAPI)
	ids := map[string]bool{}
	for path, item := range spec.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Patch, item.Put, item.Delete} {
			if op == nil {
				continue
			}
			name := op.Method + " " + path
			require.NotEmpty(t, op.OperationID, name)
			require.False(t, ids[op.OperationID], "duplicate operationId %s", op.OperationID)
			ids[op.OperationID] = true
			require.NotEmpty(t, op.Summary, name)
			require.NotEmpty(t, op.Description, name)
			require.Len(t, op.Tags, 1, name)
			require.True(t, path == "/healthz" || path == "/readyz" || strings.HasPrefix(path, "/api/v1/"), name)
			require.Contains(t, []any{"public", "guest", "account", "editor", "admin", "staff", "office"}, op.Extensions["x-schalter-access"], name)
			problems := 0
			for code, r := range op.Responses {
				n, _ := strconv.Atoi(code)
				if n >= 400 {
					require.Contains(t, r.Content, "application/problem+json", "%s %s", name, code)
					problems++
				}
			}
			require.Positive(t, problems, "%s documents no error responses", name)
			for _, p := range op.Parameters {
				if p.In == "path" {
					require.True(t, p.Example != nil || (p.Schema != nil && len(p.Schema.Examples) > 0), "%s: path parameter %s needs an example", name, p.Name)
				}
			}
			if strings.HasPrefix(path, "/api/v1/admin/") {
				require.NotEmpty(t, op.Security, "%s must declare its security", name)
				require.Contains(t, op.Responses, "401", name)
			} else if strings.HasPrefix(path, "/api/v1/me") {
				require.Equal(t, []map[string][]string{{"session": {}}}, op.Security, name)
			} else if strings.HasPrefix(path, "/api/v1/connector/") {
				require.Equal(t, []map[string][]string{{"officeKey": {}}}, op.Security, name)
				require.Contains(t, op.Responses, "401", name)
			} else if strings.HasPrefix(path, "/api/v1/office/") || strings.HasPrefix(path, "/api/v1/finance/") {
				require.Equal(t, []map[string][]string{{"session": {"staff"}}}, op.Security, name)
				require.Contains(t, op.Responses, "401", name)
			} else if strings.HasPrefix(path, "/api/v1/favourites") || strings.HasPrefix(path, "/api/v1/drafts") || strings.HasPrefix(path, "/api/v1/attachments") {
				require.Equal(t, []map[string][]string{{}, {"guestCookie": {}}}, op.Security, name)
			} else {
				require.Empty(t, op.Security, name)
			}
		}
	}
	require.GreaterOrEqual(t, len(ids), 19)
}
