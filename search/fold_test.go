package search_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/search"
)

func TestFold(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/fold.tsv")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		in, want, ok := strings.Cut(line, "\t")
		require.True(t, ok, line)
		require.Equal(t, want, search.Fold(in), "Fold(%q)", in)
		n++
	}
	require.Greater(t, n, 15)
}
