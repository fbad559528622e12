package reconcile

import "testing"

// TestCleanName: an uploaded file's name is kept for display only, as a
// base name without control characters.
func TestCleanName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"zkb-2026-03-02.xml":             "zkb-2026-03-02.xml",
		"../../etc/passwd":               "passwd",
		`C:\Users\kasse\camt054 (1).xml`: "camt054 (1).xml",
		"evil\r\nname.xml":               "evilname.xml",
		"":                               "camt054.xml",
		"  ":                             "camt054.xml",
		"/":                              "camt054.xml",
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}
