package forms_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/db"
	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/pgtest"
)

func exampleDef(t *testing.T) forms.Definition {
	t.Helper()
	b, err := os.ReadFile("testdata/extract.json")
	require.NoError(t, err)
	var def forms.Definition
	require.NoError(t, json.Unmarshal(b, &def))
	return def
}

// A published service of the demo catalogue without a seeded form.
const service = "hund-abmelden"

func TestVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := forms.New(pgtest.Store(t, pgtest.Options{Seed: true}), account.ProfileFields)
	def := exampleDef(t)

	_, err := svc.Published(ctx, service)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "no form yet")
	_, err = svc.Create(ctx, "gibt-es-nicht", def, "editor")
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
	bad := def
	bad.UI.Prefill = map[string]string{"given_name": "ahv_number"}
	_, err = svc.Create(ctx, service, bad, "editor")
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err))
	require.Contains(t, paths(err), "body.ui.prefill.given_name")

	v1, err := svc.Create(ctx, service, def, "account:editor")
	require.NoError(t, err)
	require.Equal(t, 1, v1.Number)
	require.Equal(t, "draft", v1.State)
	_, err = svc.Published(ctx, service)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "a draft is not public")

	v1, err = svc.Publish(ctx, service, 1)
	require.NoError(t, err)
	require.Equal(t, "published", v1.State)
	require.NotNil(t, v1.PublishedAt)
	pub, err := svc.Published(ctx, service)
	require.NoError(t, err)
	require.Equal(t, 1, pub.Number)
	require.JSONEq(t, string(def.Schema), string(pub.Definition.Schema))

	v2, err := svc.Create(ctx, service, def, "account:editor")
	require.NoError(t, err)
	require.Equal(t, 2, v2.Number)
	_, err = svc.Publish(ctx, service, 2)
	require.NoError(t, err)
	list, err := svc.Versions(ctx, service)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, []string{"published", "archived"}, []string{list[0].State, list[1].State}, "newest first; the old one archived")

	_, err = svc.Publish(ctx, service, 1)
	require.Equal(t, apperr.PreconditionFailed, apperr.CodeOf(err), "an archived version stays archived")
	_, err = svc.Publish(ctx, service, 9)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))

	// The version a draft started on still validates after a newer one
	// was published.
	require.NoError(t, svc.Preview(ctx, service, 1, json.RawMessage(`{"given_name":"Tamara","family_name":"Keller","birth_date":"1990-04-01","purpose":"job","delivery":"post"}`)))
	err = svc.Preview(ctx, service, 1, json.RawMessage(`{"given_name":""}`))
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err))
	require.Contains(t, paths(err), "body.data.given_name")
}

// TestPublishRace: drafts published at the same time leave exactly one
// version published.
func TestPublishRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := forms.New(pgtest.Store(t, pgtest.Options{Seed: true}), account.ProfileFields)
	const n = 6
	for range n {
		_, err := svc.Create(ctx, service, exampleDef(t), "editor")
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	for v := 1; v <= n; v++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.Publish(ctx, service, v)
			if err != nil {
				require.Equal(t, apperr.PreconditionFailed, apperr.CodeOf(err), "%v", err)
			}
		}()
	}
	wg.Wait()
	list, err := svc.Versions(ctx, service)
	require.NoError(t, err)
	published := 0
	for _, v := range list {
		if v.State == "published" {
			published++
		}
	}
	require.Equal(t, 1, published)
}

// TestSeed: the demo catalogue's forms are published as version 1 by
// the seed, and seeding again changes nothing, also where an editor has
// added a version since.
func TestSeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := forms.New(pgtest.Store(t, pgtest.Options{Seed: true}), account.ProfileFields)
	pub, err := svc.Published(ctx, "betreibungsregisterauszug-bestellen")
	require.NoError(t, err, "the seed published the form")
	require.Equal(t, 1, pub.Number)
	require.Equal(t, "seed", pub.Actor)
	_, err = svc.Create(ctx, "hund-anmelden", exampleDef(t), "editor")
	require.NoError(t, err)
	n, err := svc.Seed(ctx, db.SeedFS())
	require.NoError(t, err)
	require.Zero(t, n)
	list, err := svc.Versions(ctx, "hund-anmelden")
	require.NoError(t, err)
	require.Len(t, list, 2, "the seed's version and the editor's draft")

	// A newer release's seed file (here: another label) replaces the
	// seed's own published version, once; the editor's service stays.
	const slug = "betreibungsregisterauszug-bestellen"
	seed := fstest.MapFS{}
	for _, name := range []string{slug, "hund-anmelden"} {
		b, err := fs.ReadFile(db.SeedFS(), forms.SeedDir+"/"+name+".json")
		require.NoError(t, err)
		seed[forms.SeedDir+"/"+name+".json"] = &fstest.MapFile{Data: []byte(strings.Replace(string(b), `"Vorname"`, `"Vorname(n)"`, 1))}
	}
	n, err = svc.Seed(ctx, seed)
	require.NoError(t, err)
	require.Equal(t, 1, n, "only the form the seed published is replaced")
	pub, err = svc.Published(ctx, slug)
	require.NoError(t, err)
	require.Equal(t, 2, pub.Number)
	require.Equal(t, "Vorname(n)", pub.Definition.UI.Sections[0].Fields[0].Label["de"])
	n, err = svc.Seed(ctx, seed)
	require.NoError(t, err)
	require.Zero(t, n, "the same file again adds nothing")
	list, err = svc.Versions(ctx, "hund-anmelden")
	require.NoError(t, err)
	require.Len(t, list, 2, "the editor's draft keeps the seed away")
}
