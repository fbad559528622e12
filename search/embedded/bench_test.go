package embedded_test

import (
	"context"
	"testing"

	"github.com/schalter-ch/schalter/search"
	"github.com/schalter-ch/schalter/search/embedded"
	"github.com/schalter-ch/schalter/search/searchtest"
)

// BenchmarkSearch measures resident queries against the demo catalogue in
// process (make bench measures it over HTTP).
func BenchmarkSearch(b *testing.B) {
	t := &testing.T{}
	e := searchtest.Loaded(t, func(*testing.T) search.Engine {
		e, err := embedded.Open(b.TempDir() + "/index")
		if err != nil {
			b.Fatal(err)
		}
		return e
	})
	queries := []string{"betreibigsuszug", "hund anmälde", "wie melde ich meinen hund an", "güselabfuhr", "Abfallkalender", "sperrg", "ID verlore"}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := e.Search(ctx, search.Query{Q: queries[i%len(queries)], Lang: "de", Limit: 10}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
