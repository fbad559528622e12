package meili

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/search"
)

var testSettings = search.Settings{Synonyms: [][]string{{"zügeln", "umziehen", "Umzug"}, {"Straße", "Strasse"}}}

func TestApplyCreatesIndexAndWaitsForTasks(t *testing.T) {
	t.Parallel()
	e := newFake(t, "apply_new_index").engine()
	require.NoError(t, e.Apply(context.Background(), testSettings))
}

func TestApplyTwiceSendsOnlyOnce(t *testing.T) {
	t.Parallel()
	e := newFake(t, "apply_twice").engine()
	s := search.Settings{Synonyms: [][]string{{"Velo", "Fahrrad"}}}
	require.NoError(t, e.Apply(context.Background(), s))
	// The fixture ends with the second GET of the settings: any write
	// after it fails the test as an unexpected request.
	require.NoError(t, e.Apply(context.Background(), s))
}

func TestApplyResetsSynonyms(t *testing.T) {
	t.Parallel()
	e := newFake(t, "apply_reset_synonyms").engine()
	require.NoError(t, e.Apply(context.Background(), search.Settings{}))
}

func TestIndexMapsDocuments(t *testing.T) {
	t.Parallel()
	e := newFake(t, "index").engine()
	docs := []search.Document{
		{
			Slug:           "umzug-melden",
			Popularity:     90,
			Categories:     []string{"wohnen"},
			LifeSituations: []string{"umzug", "wohnen"},
			Audiences:      []string{"residents"},
			Channels:       []string{"online", "schalter"},
			Office:         "einwohnerdienste",
			Text: map[string]search.Text{
				"de": {
					Title:       "Zügeln: Umzug melden",
					Keywords:    []string{"umziehen", "Adressänderung"},
					Summary:     "Melden Sie Ihren Umzug innerhalb der Stadt.",
					Description: "Wer innerhalb der Stadt zügelt, meldet die neue Adresse.",
				},
				"fr": {
					Title:       "Déménagement: annoncer",
					Keywords:    []string{"déménager"},
					Summary:     "Annoncez votre déménagement.",
					Description: "Qui déménage en ville annonce sa nouvelle adresse.",
				},
			},
		},
		{Slug: "fundbuero", Popularity: 10, Text: map[string]search.Text{"de": {Title: "Fundbüro"}}},
	}
	require.NoError(t, e.Index(context.Background(), docs))
	require.NoError(t, e.Index(context.Background(), nil), "nothing to index sends nothing")
}

func TestFailedTaskIsAnError(t *testing.T) {
	t.Parallel()
	e := newFake(t, "index_failed_task").engine()
	err := e.Index(context.Background(), []search.Document{{Slug: "hund anmelden"}})
	require.Error(t, err)
	require.NotErrorIs(t, err, search.ErrUnavailable)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "invalid_document_id", ae.Code)
	require.Contains(t, err.Error(), "Document identifier `\"hund anmelden\"` is invalid")
	require.Contains(t, err.Error(), "task 21 failed")
}

func TestDeleteClearCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newFake(t, "delete_clear_count").engine()
	require.NoError(t, e.Delete(ctx, []string{"umzug-melden", "gibt-es-nicht"}))
	require.NoError(t, e.Delete(ctx, nil), "nothing to delete sends nothing")
	n, err := e.Count(ctx)
	require.NoError(t, err)
	require.Equal(t, 41, n)
	require.NoError(t, e.Clear(ctx))
	n, err = e.Count(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestMissingIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newFake(t, "missing_index").engine(WithIndex("other-index"))
	n, err := e.Count(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	r, err := e.Search(ctx, search.Query{Q: "Velo", Lang: "de"})
	require.NoError(t, err)
	require.Empty(t, r.Hits)
	require.Zero(t, r.Total)
	require.Len(t, r.Facets, 4)
	s, err := e.Suggest(ctx, "Velo", "de", 8)
	require.NoError(t, err)
	require.Empty(t, s)
	require.NoError(t, e.Delete(ctx, []string{"a"}))
	require.NoError(t, e.Clear(ctx))
}

func TestDeleteIndex(t *testing.T) {
	t.Parallel()
	e := newFake(t, "delete_index").engine(WithIndex("schalter-test-1"))
	require.NoError(t, e.DeleteIndex(context.Background()))
	require.NoError(t, e.DeleteIndex(context.Background()), "already gone")
}

func TestSearch(t *testing.T) {
	t.Parallel()
	e := newFake(t, "search").engine()
	r, err := e.Search(context.Background(), search.Query{
		Q: "Zuegeln", Lang: "de",
		Category: "umzug", Audience: "residents", Office: `Kreis "4" \ Süd`,
		Limit: 10, Offset: 10,
	})
	require.NoError(t, err)
	require.Equal(t, 12, r.Total)
	require.Equal(t, 3*time.Millisecond, r.ProcessingTime)
	require.Equal(t, []search.Hit{
		{
			Slug: "umzug-melden", Title: "Zügeln: Umzug melden", Summary: "Wer zügelt, meldet sich innert 14 Tagen.",
			// Bytes 0+7 and 4+7 are code points 0+6 and 4+6: ü is two bytes.
			TitleMatches:   []search.Range{{Start: 0, Length: 6}},
			SummaryMatches: []search.Range{{Start: 4, Length: 6}},
			Score:          0.9813,
		},
		{
			Slug: "wegzug-ausland", Title: "Abmelden und Zügeln ins Ausland",
			// Two overlapping positions merge; one outside the title is dropped.
			TitleMatches: []search.Range{{Start: 13, Length: 6}},
			Score:        0.7125,
		},
	}, r.Hits)
	require.Equal(t, map[string][]search.FacetValue{
		search.FacetCategory: {{Value: "umzug", Count: 12}, {Value: "wohnen", Count: 7}, {Value: "ausland", Count: 2}},
		search.FacetAudience: {{Value: "residents", Count: 12}, {Value: "businesses", Count: 2}},
		search.FacetOffice:   {{Value: `Kreis "4" \ Süd`, Count: 12}},
		search.FacetChannel:  {{Value: "online", Count: 9}, {Value: "schalter", Count: 9}, {Value: "post", Count: 3}},
	}, r.Facets)
}

func TestSearchEmptyQuery(t *testing.T) {
	t.Parallel()
	e := newFake(t, "search_empty").engine()
	r, err := e.Search(context.Background(), search.Query{Lang: "fr"})
	require.NoError(t, err)
	require.Equal(t, 2, r.Total)
	require.Equal(t, []search.Hit{
		{Slug: "hund-anmelden", Title: "Déclarer un chien", Summary: "Tout chien doit être déclaré.", Score: 1},
		{Slug: "fundbuero", Title: "Objets trouvés", Score: 1},
	}, r.Hits)
	for _, name := range []string{search.FacetCategory, search.FacetAudience, search.FacetOffice, search.FacetChannel} {
		require.NotNil(t, r.Facets[name], name)
		require.Empty(t, r.Facets[name], name)
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newFake(t, "suggest").engine()
	s, err := e.Suggest(ctx, "Züg", "de", 20)
	require.NoError(t, err)
	require.Equal(t, []search.Suggestion{
		{Slug: "umzug-melden", Title: "Zügeln: Umzug melden", TitleMatches: []search.Range{{Start: 0, Length: 3}}},
		{Slug: "zuegelwagen", Title: "Für den Zügelwagen parkieren", TitleMatches: []search.Range{{Start: 8, Length: 3}}},
	}, s)
	s, err = e.Suggest(ctx, "Velo-", "it", 3)
	require.NoError(t, err)
	require.Empty(t, s)
	s, err = e.Suggest(ctx, " ?! ", "de", 3)
	require.NoError(t, err)
	require.Empty(t, s, "nothing to complete sends nothing")
}

func TestErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newFake(t, "errors").engine()

	err := e.Health(ctx)
	require.ErrorIs(t, err, search.ErrUnavailable, "503 page of a proxy")
	require.NoError(t, e.Health(ctx))

	_, err = e.Search(ctx, search.Query{Q: "Velo", Lang: "de"})
	require.ErrorIs(t, err, search.ErrUnavailable, "503 too_many_search_requests")
	require.Contains(t, err.Error(), "too_many_search_requests")

	_, err = e.Search(ctx, search.Query{Q: "Velo", Lang: "de"})
	require.ErrorIs(t, err, search.ErrUnavailable, "502 page of a proxy")
	require.Contains(t, err.Error(), "502 Bad Gateway")

	_, err = e.Count(ctx)
	require.ErrorIs(t, err, search.ErrUnavailable, "500 internal")

	_, err = e.Search(ctx, search.Query{Q: "Velo", Lang: "de", Office: "stadthaus"})
	require.Error(t, err)
	require.NotErrorIs(t, err, search.ErrUnavailable, "400 is the adapter's fault, not Meilisearch's state")
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusBadRequest, ae.Status)
	require.Equal(t, "invalid_search_filter", ae.Code)
	require.Contains(t, err.Error(), "Attribute `office` is not filterable")
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there any more

	e, err := New("http://"+addr, "")
	require.NoError(t, err)
	ctx := context.Background()
	require.ErrorIs(t, e.Health(ctx), search.ErrUnavailable)
	require.ErrorIs(t, e.Apply(ctx, search.Settings{}), search.ErrUnavailable)
	require.ErrorIs(t, e.Index(ctx, []search.Document{{Slug: "a"}}), search.ErrUnavailable)
	_, err = e.Search(ctx, search.Query{Q: "velo", Lang: "de"})
	require.ErrorIs(t, err, search.ErrUnavailable)
	_, err = e.Suggest(ctx, "velo", "de", 5)
	require.ErrorIs(t, err, search.ErrUnavailable)
	_, err = e.Count(ctx)
	require.ErrorIs(t, err, search.ErrUnavailable)
}

func TestTimeoutIsUnavailable(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })

	e, err := New(srv.URL, "", WithTimeout(50*time.Millisecond))
	require.NoError(t, err)
	_, err = e.Search(context.Background(), search.Query{Q: "velo", Lang: "de"})
	require.ErrorIs(t, err, search.ErrUnavailable, "client timeout")

	e, err = New(srv.URL, "")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = e.Health(ctx)
	require.ErrorIs(t, err, search.ErrUnavailable, "deadline of the caller")
	require.ErrorIs(t, err, context.DeadlineExceeded)

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	err = e.Health(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, search.ErrUnavailable, "a caller who gave up says nothing about Meilisearch")
}

// TestTaskWaitIsBounded: a task that stays enqueued is given up when the
// context ends, as ErrUnavailable, after polling with growing delays.
func TestTaskWaitIsBounded(t *testing.T) {
	t.Parallel()
	var polls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodDelete && r.URL.Path == "/indexes/schalter-services/documents":
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write([]byte(`{"taskUid": 5, "indexUid": "schalter-services", "status": "enqueued", "type": "documentDeletion", "enqueuedAt": "2025-11-23T10:00:00Z"}`))
		case r.Method == http.MethodGet && r.URL.Path == "/tasks/5":
			polls.Add(1)
			_, _ = w.Write([]byte(`{"uid": 5, "indexUid": "schalter-services", "status": "enqueued", "type": "documentDeletion", "enqueuedAt": "2025-11-23T10:00:00Z"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)

	e, err := New(srv.URL, "", WithTaskTimeout(300*time.Millisecond))
	require.NoError(t, err)
	start := time.Now()
	err = e.Clear(context.Background())
	require.ErrorIs(t, err, search.ErrUnavailable)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Contains(t, err.Error(), "task 5 still enqueued")
	require.Less(t, time.Since(start), 5*time.Second)
	// 10, 20, 40, 80, 160 ms: about 5 polls in 300 ms, not hundreds.
	require.Positive(t, polls.Load())
	require.Less(t, polls.Load(), int64(12))
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "localhost:7700", "ftp://x", "http://"} {
		_, err := New(u, "")
		require.Error(t, err, u)
	}
	_, err := New("http://localhost:7700", "", WithIndex("a/b"))
	require.Error(t, err)
	e, err := New("http://localhost:7700/", "")
	require.NoError(t, err)
	require.Equal(t, "meilisearch", e.Name())
	require.Equal(t, DefaultIndex, e.IndexName())
}

func TestCodePointRanges(t *testing.T) {
	t.Parallel()
	rg := func(start, length int) search.Range { return search.Range{Start: start, Length: length} }
	for _, c := range []struct {
		name string
		text string
		in   []matchPosition
		want []search.Range
	}{
		{"ASCII", "Velo registrieren", []matchPosition{{0, 4}}, []search.Range{rg(0, 4)}},
		{"umlaut inside the match", "Zügeln", []matchPosition{{0, 7}}, []search.Range{rg(0, 6)}},
		{"umlaut before the match", "Für Zügeln", []matchPosition{{5, 7}}, []search.Range{rg(4, 6)}},
		{"prefix ending after an umlaut", "Zügeln", []matchPosition{{0, 3}}, []search.Range{rg(0, 2)}},
		{"position cutting into ü is widened", "Zügeln", []matchPosition{{0, 2}}, []search.Range{rg(0, 2)}},
		{"start inside ü is moved back", "Zügeln", []matchPosition{{2, 3}}, []search.Range{rg(1, 3)}},
		{"emoji is one code point", "🚲 Velo", []matchPosition{{5, 4}}, []search.Range{rg(2, 4)}},
		{"sorted and merged", "Velo Zügeln Velo", []matchPosition{{13, 4}, {0, 4}, {5, 7}, {5, 4}}, []search.Range{rg(0, 4), rg(5, 6), rg(12, 4)}},
		{"past the end is dropped, overlong is cut", "Velo", []matchPosition{{10, 2}, {2, 10}}, []search.Range{rg(2, 2)}},
		{"empty", "Velo", nil, nil},
		{"zero length", "Velo", []matchPosition{{0, 0}}, nil},
	} {
		require.Equal(t, c.want, codePointRanges(c.text, c.in), c.name)
	}
}

func TestFilterQuoting(t *testing.T) {
	t.Parallel()
	require.Equal(t, "", filter(search.Query{}))
	require.Equal(t, `channels = "post"`, filter(search.Query{Channel: "post"}))
	require.Equal(t, `categories = "a\"b" AND office = "c\\\" OR office = \"d"`,
		filter(search.Query{Category: `a"b`, Office: `c\" OR office = "d`}),
		"a value cannot close its quotes")
}

func TestSynonyms(t *testing.T) {
	t.Parallel()
	require.Nil(t, synonyms(nil))
	require.Equal(t, map[string][]string{
		"id":               {"identitatskarte", "identitätskarte"},
		"identitatskarte":  {"id", "identitätskarte"},
		"identitätskarte":  {"id", "identitatskarte"},
		"schweizer werden": {"einburgerung", "einbürgerung"},
		"einburgerung":     {"einbürgerung", "schweizer werden"},
		"einbürgerung":     {"einburgerung", "schweizer werden"},
	}, synonyms([][]string{{"ID", "Identitätskarte"}, {"Einbürgerung", "Schweizer  werden"}}))
}

func TestErrorsAreWrapped(t *testing.T) {
	t.Parallel()
	err := (&Engine{}).fail("search", errors.New("boom"))
	require.EqualError(t, err, "meilisearch: search: boom")
	require.NotErrorIs(t, err, search.ErrUnavailable)
}
