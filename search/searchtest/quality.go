package searchtest

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/search"
)

// QualityReport measures an engine on search/testdata/queries.tsv: real
// resident queries with the service they look for.
type QualityReport struct {
	Queries    int
	Top1, Top3 float64 // shares of queries with the expected service first / in the first three
	MRR        float64 // mean reciprocal rank (0 when not in the first 10)
	Misses     []string
}

// Quality runs the query set against e.
func Quality(t *testing.T, e search.Engine) QualityReport {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	f, err := os.Open(filepath.Join(filepath.Dir(file), "..", "testdata", "queries.tsv"))
	require.NoError(t, err)
	defer f.Close()
	var rep QualityReport
	var top1, top3 int
	var rr float64
	sc := bufio.NewScanner(f)
	header := true
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if header {
			header = false
			continue
		}
		cols := strings.Split(line, "\t")
		require.GreaterOrEqual(t, len(cols), 3, line)
		q, lang, want := cols[0], cols[1], cols[2]
		res, err := e.Search(context.Background(), search.Query{Q: q, Lang: lang, Limit: 10})
		require.NoError(t, err)
		rank := 0
		for i, h := range res.Hits {
			if h.Slug == want {
				rank = i + 1
				break
			}
		}
		rep.Queries++
		if rank == 1 {
			top1++
		}
		if rank >= 1 && rank <= 3 {
			top3++
		} else {
			got := []string{}
			for _, h := range res.Hits[:min(3, len(res.Hits))] {
				got = append(got, h.Slug)
			}
			rep.Misses = append(rep.Misses, q+" ("+lang+") → want "+want+", got "+strings.Join(got, ", "))
		}
		if rank > 0 {
			rr += 1 / float64(rank)
		}
	}
	require.NoError(t, sc.Err())
	require.Positive(t, rep.Queries)
	n := float64(rep.Queries)
	rep.Top1, rep.Top3, rep.MRR = float64(top1)/n, float64(top3)/n, rr/n
	return rep
}
