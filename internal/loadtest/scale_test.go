package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/search"
	"github.com/schalter-ch/schalter/search/embedded"
	"github.com/schalter-ch/schalter/search/searchtest"
)

type residentQuery struct{ q, lang string }

func residentQueries(t *testing.T) []residentQuery {
	f, err := os.Open(filepath.Join(pgtest.RepoRoot(), "search", "testdata", "queries.tsv"))
	require.NoError(t, err)
	defer f.Close()
	var out []residentQuery
	sc := bufio.NewScanner(f)
	header := true
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if header {
			header = false
			continue
		}
		cols := strings.Split(line, "\t")
		out = append(out, residentQuery{q: cols[0], lang: cols[1]})
	}
	require.NotEmpty(t, out)
	return out
}

const scaleDocs = 100_000

// scaleReport indexes 100,000 generated services into the embedded engine
// on disk and measures indexing time, memory, index size and query
// latency, to show how cost grows with the catalogue.
func scaleReport(t *testing.T) string {
	ctx := context.Background()
	demo := searchtest.DemoDocuments(t)
	settings, err := search.DefaultSettings()
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "index")
	e, err := embedded.Open(dir)
	require.NoError(t, err)
	defer e.Close()
	require.NoError(t, e.Apply(ctx, settings))

	// Generated documents are demo services with the words of their
	// titles and summaries recombined across services, so the vocabulary
	// grows like a real catalogue's would.
	rng := rand.New(rand.NewPCG(1, 2))
	var words []string
	for _, d := range demo {
		words = append(words, strings.Fields(d.Text["de"].Title+" "+d.Text["de"].Summary)...)
	}
	gen := func(i int) search.Document {
		d := demo[i%len(demo)]
		text := map[string]search.Text{}
		for lang, tx := range d.Text {
			extra := make([]string, 6)
			for j := range extra {
				extra[j] = words[rng.IntN(len(words))]
			}
			tx.Title = fmt.Sprintf("%s %s", tx.Title, strings.Join(extra[:2], " "))
			tx.Summary = tx.Summary + " " + strings.Join(extra[2:], " ")
			text[lang] = tx
		}
		d.Slug = fmt.Sprintf("%s-%06d", d.Slug, i)
		d.Popularity = rng.IntN(101)
		d.Text = text
		return d
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	const batch = 1000
	for i := 0; i < scaleDocs; i += batch {
		docs := make([]search.Document, 0, batch)
		for j := i; j < i+batch; j++ {
			docs = append(docs, gen(j))
		}
		require.NoError(t, e.Index(ctx, docs))
	}
	indexing := time.Since(start)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	var size int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			size += fi.Size()
		}
		return nil
	})

	// Each round asks for another page (or number of suggestions), so the
	// engine's result cache never answers: these are uncached latencies.
	measure := func(run func(q residentQuery, round int) error) (p50, p99 time.Duration) {
		qs := residentQueries(t)
		var lat []time.Duration
		for round := 0; round < 5; round++ {
			for _, q := range qs {
				s := time.Now()
				require.NoError(t, run(q, round))
				lat = append(lat, time.Since(s))
			}
		}
		slices.Sort(lat)
		return lat[len(lat)/2], lat[len(lat)*99/100]
	}
	sp50, sp99 := measure(func(q residentQuery, round int) error {
		_, err := e.Search(ctx, search.Query{Q: q.q, Lang: q.lang, Limit: 10, Offset: round})
		return err
	})
	gp50, gp99 := measure(func(q residentQuery, round int) error {
		r := []rune(q.q)
		_, err := e.Suggest(ctx, string(r[:min(len(r), 6)]), q.lang, 8-round)
		return err
	})

	var b strings.Builder
	fmt.Fprintf(&b, "\n## Search at scale: %d generated services (embedded engine)\n\n", scaleDocs)
	fmt.Fprintf(&b, "Generated from the demo services with recombined words, four languages each, indexed in batches of %d into an on-disk index; queries run in process (no HTTP, no result cache), %d resident queries × 5.\n\n", batch, len(residentQueries(t)))
	b.WriteString("| Measure | Value |\n|---|---:|\n")
	fmt.Fprintf(&b, "| indexing time | %s (%.0f documents/s) |\n", indexing.Round(time.Second), float64(scaleDocs)/indexing.Seconds())
	fmt.Fprintf(&b, "| Go heap after indexing (live, after GC) | %.0f MiB (%.0f MiB before) |\n", float64(after.HeapAlloc)/(1<<20), float64(before.HeapAlloc)/(1<<20))
	fmt.Fprintf(&b, "| process resident memory after indexing (includes the memory-mapped index) | %s |\n", rss())
	fmt.Fprintf(&b, "| index on disk | %.0f MiB |\n", float64(size)/(1<<20))
	fmt.Fprintf(&b, "| search p50 / p99 | %s / %s |\n", round(sp50), round(sp99))
	fmt.Fprintf(&b, "| suggest p50 / p99 | %s / %s |\n", round(gp50), round(gp99))
	return b.String()
}

// rss reads the process's resident set size from /proc.
func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
