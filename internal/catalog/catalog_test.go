package catalog_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/db"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

func demo(t *testing.T) *catalog.Bundle { return pgtest.Demo(t) }

// TestDemoCatalogue holds the demo data to the standard the issue sets: at
// least 150 published services, every required one present, Swiss
// spelling, complete German and translated titles and summaries, no two
// services with the same title.
func TestDemoCatalogue(t *testing.T) {
	t.Parallel()
	b := demo(t)
	published := 0
	titles := map[string]string{}
	bySlug := map[string]catalog.Service{}
	for _, s := range b.Services {
		bySlug[s.Slug] = s
		if s.State == catalog.StatePublished {
			published++
		}
		for _, l := range []catalog.Localized{s.Title, s.Summary} {
			require.NotEmpty(t, l.De, s.Slug)
			require.NotEmpty(t, l.Fr, s.Slug)
			require.NotEmpty(t, l.It, s.Slug)
			require.NotEmpty(t, l.En, s.Slug)
		}
		require.Greater(t, len(strings.Fields(s.Description.De)), 40, "%s: description too short", s.Slug)
		raw, _ := json.Marshal(s)
		require.NotContains(t, string(raw), "ß", s.Slug)
		require.NotContains(t, strings.ToLower(string(raw)), "lorem", s.Slug)
		if other, dup := titles[s.Title.De]; dup {
			t.Errorf("%s and %s have the same title %q", s.Slug, other, s.Title.De)
		}
		titles[s.Title.De] = s.Slug
		require.NotEmpty(t, s.Privacy.Data.De, s.Slug)
		require.NotEmpty(t, s.Contacts, s.Slug)
	}
	require.GreaterOrEqual(t, published, 150)

	required := []string{
		"betreibungsregisterauszug-bestellen", "wohnsitzbestaetigung", "heimatschein", "zuzug-anmelden", "wegzug-abmelden",
		"umzug-innerhalb-melden", "identitaetskarte-beantragen", "hund-anmelden", "anwohnerparkkarte", "sperrgut-abfuhr-bestellen",
		"abfuhrkalender", "gruengutabfuhr", "raum-saal-mieten", "turnhalle-mieten", "ferienplausch-anmelden", "kita-platz",
		"hort-tagesstrukturen", "absenz-schule-melden", "baugesuch-einreichen", "fristerstreckung-steuererklaerung",
		"veranstaltungsbewilligung", "benuetzung-oeffentlicher-grund", "fundbuero", "todesfall-melden", "bestattung-organisieren",
		"trauung-ehevorbereitung", "einbuergerung", "aufenthaltsbewilligung-verlaengern", "tageskarte-gemeinde",
		"familiengarten-pachten", "schaden-strasse-beleuchtung-melden", "wasserzaehlerstand-melden", "sozialhilfe",
		"zusatzleistungen-ahv-iv", "lebensbescheinigung", "terminmelder", "elternkonto",
	}
	for _, slug := range required {
		s, ok := bySlug[slug]
		require.True(t, ok, "required service %s missing", slug)
		require.Equal(t, catalog.StatePublished, s.State, slug)
	}

	// Every topic has services, every office has services.
	used := map[string]bool{}
	for _, s := range b.Services {
		used[s.Office] = true
		for _, c := range s.Categories {
			used[c] = true
		}
	}
	for _, c := range b.Taxonomy.Categories {
		if c.Kind == catalog.KindTopic {
			require.True(t, used[c.Slug], "topic %s has no services", c.Slug)
		}
	}
	for _, o := range b.Offices {
		require.True(t, used[o.Slug], "office %s has no services", o.Slug)
	}
}

func TestLoadBundleReportsEveryProblem(t *testing.T) {
	t.Parallel()
	sub, err := fs.Sub(db.Seed, "seed")
	require.NoError(t, err)
	files := fstest.MapFS{}
	for _, name := range []string{"taxonomy.yaml", "offices.yaml", "services/heimatschein.yaml", "services/zuzug-anmelden.yaml"} {
		b, err := fs.ReadFile(sub, name)
		require.NoError(t, err)
		files[name] = &fstest.MapFile{Data: b}
	}
	z := string(files["services/zuzug-anmelden.yaml"].Data)
	files["services/zuzug-anmelden.yaml"].Data = []byte(strings.Replace(z, "office: einwohnerdienste", "office: nirgendwo", 1))
	files["services/falscher-name.yaml"] = &fstest.MapFile{Data: files["services/heimatschein.yaml"].Data}
	_, err = catalog.LoadBundle(files)
	require.Error(t, err)
	msg := ""
	for _, f := range mustInvalid(t, err) {
		msg += f.Path + ": " + f.Message + "\n"
	}
	require.Contains(t, msg, "services/zuzug-anmelden.yaml: office: unknown office")
	require.Contains(t, msg, "services/falscher-name.yaml: slug")
	require.Contains(t, msg, "duplicate slug")
}

func TestParseServiceErrors(t *testing.T) {
	t.Parallel()
	base := demo(t).Services[0]
	cases := []struct {
		name string
		edit func(m map[string]any)
		path string
	}{
		{"missing summary", func(m map[string]any) { delete(m, "summary") }, "body.summary"},
		{"unknown field", func(m map[string]any) { m["farbe"] = "rot" }, "body.farbe"},
		{"sharp s", func(m map[string]any) { m["title"] = map[string]any{"de": "Grösse und Maß"} }, "body.title.de"},
		{"bad state", func(m map[string]any) { m["state"] = "live" }, "body.state"},
		{"float fee", func(m map[string]any) {
			m["fees"] = []any{map[string]any{"amount_rappen": 17.5, "label": map[string]any{"de": "x"}}}
		}, "body.fees[0].amount_rappen"},
		{"http link", func(m map[string]any) { m["online_start_url"] = "http://example.ch" }, "body.online_start_url"},
		{"empty channels", func(m map[string]any) { m["channels"] = []any{} }, "body.channels"},
		{"bad contact kind", func(m map[string]any) { m["contacts"] = []any{map[string]any{"kind": "fax", "value": "1"}} }, "body.contacts[0].kind"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			raw, _ := json.Marshal(base)
			var m map[string]any
			require.NoError(t, json.Unmarshal(raw, &m))
			c.edit(m)
			raw, _ = json.Marshal(m)
			_, errs := catalog.ParseService(raw, "body")
			var paths []string
			for _, e := range errs {
				paths = append(paths, e.Path)
			}
			require.Contains(t, paths, c.path)
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	b := demo(t)
	refs := b.Refs()
	ok := b.Services[0]
	require.Empty(t, ok.Check(refs, ""))

	s := ok
	s.Mode = "counter"
	s.OnlineStartURL = "https://www.uster.ch"
	s.LifeSituations = []string{"wohnen-umzug"} // a topic, not a life situation
	errs := s.Check(refs, "")
	var paths []string
	for _, e := range errs {
		paths = append(paths, e.Path)
	}
	require.Contains(t, paths, "online_start_url")
	require.Contains(t, paths, "life_situations[0]")
}

func TestCSVRoundTrip(t *testing.T) {
	t.Parallel()
	services := demo(t).Services
	var buf bytes.Buffer
	require.NoError(t, catalog.EncodeCSV(&buf, services))
	rows, errs, err := catalog.DecodeCSV(&buf)
	require.NoError(t, err)
	require.Empty(t, errs)
	require.Len(t, rows, len(services))
	for i, r := range rows {
		got, fe := catalog.ParseService(r.JSON, "")
		require.Empty(t, fe, "row %d", r.Line)
		want, _ := json.Marshal(services[i])
		have, _ := json.Marshal(got)
		require.JSONEq(t, string(want), string(have), services[i].Slug)
	}
}

func TestDecodeCSVErrors(t *testing.T) {
	t.Parallel()
	in := "\ufeffslug,popularity,fees\nx,viel,[]\ny,3,{kaputt\n"
	_, errs, err := catalog.DecodeCSV(strings.NewReader(in))
	require.NoError(t, err)
	require.Len(t, errs, 2)
	require.Equal(t, 2, errs[0].Line)
	require.Equal(t, "popularity", errs[0].Path)
	require.Equal(t, 3, errs[1].Line)
	require.Equal(t, "fees", errs[1].Path)
}

func TestRenderMarkdownIsSafe(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, mustNot, must string }{
		{"<script>alert(1)</script>", "<script", ""},
		{"[x](javascript:alert(1))", "javascript:", ""},
		{`<img src=x onerror="alert(1)">`, "onerror", ""},
		{"**fett** und https://www.uster.ch", "", "<strong>fett</strong>"},
		{"[Stadt](https://www.uster.ch)", "", "noreferrer"},
	}
	for _, c := range cases {
		out, err := catalog.RenderMarkdown(c.in)
		require.NoError(t, err)
		if c.mustNot != "" {
			require.NotContains(t, out, c.mustNot, c.in)
		}
		if c.must != "" {
			require.Contains(t, out, c.must, c.in)
		}
	}
}

func TestCursor(t *testing.T) {
	t.Parallel()
	c := catalog.Cursor{Popularity: 95, Slug: "zuzug-anmelden"}
	got, err := catalog.ParseCursor(c.String())
	require.NoError(t, err)
	require.Equal(t, c, *got)
	for _, bad := range []string{"", "%%%", "eHl6", "MTAxOmE", "OTU6Tk9UIEEgU0xVRw"} {
		_, err := catalog.ParseCursor(bad)
		require.Error(t, err, bad)
	}
}

func TestLocalizedFallback(t *testing.T) {
	t.Parallel()
	l := catalog.Localized{De: "Hund anmelden", Fr: "Annoncer un chien"}
	require.Equal(t, "Annoncer un chien", l.In("fr"))
	require.Equal(t, "Hund anmelden", l.In("it"))
	require.Equal(t, "Hund anmelden", l.In("xx"))
	w := catalog.WordLists{De: []string{"Hund", "Hundemarke"}, Fr: []string{"chien", "Hund"}}
	require.Equal(t, []string{"chien", "Hund", "Hundemarke"}, w.In("fr"))
}

func TestInlinedSchemaHasNoRefs(t *testing.T) {
	t.Parallel()
	s, err := catalog.InlinedServiceSchema()
	require.NoError(t, err)
	raw, _ := json.Marshal(s)
	require.NotContains(t, string(raw), "$ref")
	require.NotContains(t, string(raw), "$defs")
	title := s["properties"].(map[string]any)["title"].(map[string]any)
	de := title["properties"].(map[string]any)["de"].(map[string]any)
	require.EqualValues(t, 120, de["maxLength"], "the $ref's sibling refines the definition")
	require.Equal(t, "string", de["type"], "and keeps what the definition says")
}

func mustInvalid(t *testing.T, err error) []apperr.FieldError {
	t.Helper()
	e, ok := apperr.As(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, apperr.Invalid, e.Code)
	return e.Fields
}
