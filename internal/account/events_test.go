package account

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEverySecurityEventHasAText reads the Go sources for Notify calls and
// checks that each event has its sentence: a missing one would send a
// notification that says nothing.
func TestEverySecurityEventHasAText(t *testing.T) {
	call := regexp.MustCompile(`(?:[nN]otify|withNotice)\(ctx, (?:q, )?[^,]+, "([a-z_]+)"[,)]|securityText\([^,]+, "([a-z_]+)"\)|event = "([a-z_]+)"|event := "([a-z_]+)"`)
	found := map[string]bool{}
	for _, dir := range []string{"../../api", "."} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range call.FindAllStringSubmatch(string(src), -1) {
				for _, g := range m[1:] {
					if g != "" {
						found[g] = true
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(found) < 10 {
		t.Fatalf("found only %d events: the pattern no longer matches the code", len(found))
	}
	for e := range found {
		if securityEvents[e] == "" {
			t.Errorf("security event %q has no text in securityEvents", e)
		}
	}
}
