package forms_test

import (
	"fmt"
	"io/fs"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/db"
	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/forms"
)

// orderable are the services the orders issue names; each must have a
// form in the demo catalogue.
var orderable = []string{
	"betreibungsregisterauszug-bestellen", "wohnsitzbestaetigung", "heimatschein", "zuzug-anmelden",
	"umzug-innerhalb-melden", "hund-anmelden", "anwohnerparkkarte", "sperrgut-abfuhr-bestellen", "fundbuero",
	"schaden-strasse-beleuchtung-melden", "fristerstreckung-steuererklaerung", "veranstaltungsbewilligung",
	"familiengarten-pachten",
}

// TestSeedForms: every form of the demo catalogue compiles under the
// rules, belongs to a seeded service, and the services above have one.
func TestSeedForms(t *testing.T) {
	t.Parallel()
	defs, err := forms.LoadSeed(db.SeedFS())
	require.NoError(t, err)
	for _, slug := range orderable {
		t.Run("has/"+slug, func(t *testing.T) {
			_, ok := defs[slug]
			require.True(t, ok, "no form for %s in db/seed/forms", slug)
		})
	}
	for slug, def := range defs {
		t.Run(slug, func(t *testing.T) {
			t.Parallel()
			_, err := fs.Stat(db.SeedFS(), "services/"+slug+".yaml")
			require.NoError(t, err, "the form belongs to a seeded service")
			_, err = forms.Compile(def, account.ProfileFields, slug)
			if e, ok := apperr.As(err); ok {
				for _, f := range e.Fields {
					t.Errorf("%s: %s", f.Path, f.Message)
				}
			}
			require.NoError(t, err)
		})
	}
	slugs := make([]string, 0, len(defs))
	for s := range defs {
		slugs = append(slugs, s)
	}
	slices.Sort(slugs)
	t.Log(fmt.Sprint(len(slugs), " forms: ", slugs))
}
