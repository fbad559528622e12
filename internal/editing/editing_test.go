package editing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/catalog"
	"github.com/schalter-ch/schalter/internal/editing"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

const editor = "account:00000000-0000-0000-0000-000000000001"

type testBundle struct {
	st  *store.Store
	svc *editing.Service
	// base is a valid document (a demo service) that factories copy.
	base catalog.Service
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	rec, err := st.GetService(context.Background(), "hund-anmelden")
	require.NoError(t, err)
	base := rec.Service
	base.Related = nil // a copy must not depend on other services
	return &testBundle{st: st, svc: editing.New(st, forms.New(st, account.ProfileFields)), base: base}
}

// doc returns the base document under slug in state, as an editor sends
// it; edit, if given, changes its JSON form (to break it).
func (b *testBundle) doc(t *testing.T, slug, state string, edit ...func(m map[string]any)) []byte {
	t.Helper()
	s := b.base
	s.Slug, s.State = slug, state
	raw, err := json.Marshal(s)
	require.NoError(t, err)
	if len(edit) == 0 {
		return raw
	}
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	for _, e := range edit {
		e(m)
	}
	raw, err = json.Marshal(m)
	require.NoError(t, err)
	return raw
}

// create stores a service in state and returns it.
func (b *testBundle) create(t *testing.T, slug, state string) *catalog.Record {
	t.Helper()
	rec, err := b.svc.Create(context.Background(), editor, b.doc(t, slug, state))
	require.NoError(t, err)
	return rec
}

func (b *testBundle) revisions(t *testing.T, slug string) []store.Revision {
	t.Helper()
	revs, err := b.svc.Revisions(context.Background(), slug)
	require.NoError(t, err)
	return revs
}

func requireCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, apperr.CodeOf(err), err.Error())
}

func TestMove(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	stale := func(rec *catalog.Record) int { return rec.Version + 1 }
	for _, tc := range []struct {
		from    string
		move    editing.Transition
		version func(*catalog.Record) int // nil: any version (no If-Match)
		changed bool
		code    apperr.Code // the error, if any
	}{
		{from: catalog.StateDraft, move: editing.Publish, changed: true},
		{from: catalog.StateDraft, move: editing.Archive, changed: true},
		{from: catalog.StatePublished, move: editing.Archive, changed: true},
		{from: catalog.StateArchived, move: editing.Publish, changed: true},
		{from: catalog.StatePublished, move: editing.Publish},
		{from: catalog.StateArchived, move: editing.Archive},
		{from: catalog.StateDraft, move: editing.Publish, version: func(r *catalog.Record) int { return r.Version }, changed: true},
		{from: catalog.StatePublished, move: editing.Publish, version: func(r *catalog.Record) int { return r.Version }},
		{from: catalog.StateDraft, move: editing.Publish, version: stale, code: apperr.PreconditionFailed},
		// Already there, but the editor's copy is out of date: refused like
		// any change, so a stale client learns that it is stale.
		{from: catalog.StatePublished, move: editing.Publish, version: stale, code: apperr.PreconditionFailed},
		{from: catalog.StateDraft, move: editing.Archive, version: func(*catalog.Record) int { return -1 }, code: apperr.PreconditionFailed},
	} {
		name := fmt.Sprintf("%s to %s", tc.from, tc.move.To)
		if tc.version != nil {
			name += " with version"
		}
		if tc.code != "" {
			name += " " + string(tc.code)
		}
		t.Run(name, func(t *testing.T) {
			slug := "test-" + strings.NewReplacer(" ", "-", "_", "-").Replace(name)
			cur := b.create(t, slug, tc.from)
			version := 0
			if tc.version != nil {
				version = tc.version(cur)
			}
			before := len(b.revisions(t, slug))

			rec, changed, err := b.svc.Move(ctx, editor, slug, version, tc.move)

			after := b.revisions(t, slug)
			if tc.code != "" {
				requireCode(t, err, tc.code)
				require.Len(t, after, before, "a refused move records nothing")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.changed, changed)
			require.Equal(t, tc.move.To, rec.State)
			if !tc.changed {
				require.Equal(t, cur.Version, rec.Version, "moving to the state it is in keeps the version")
				require.Len(t, after, before)
				return
			}
			require.Equal(t, cur.Version+1, rec.Version)
			require.Len(t, after, before+1)
			require.Equal(t, store.Revision{Version: rec.Version, State: tc.move.To, Actor: editor, Action: tc.move.Action, At: after[0].At}, after[0])
			stored, err := b.svc.Get(ctx, slug)
			require.NoError(t, err)
			require.Equal(t, tc.move.To, stored.State)
		})
	}

	t.Run("unknown service", func(t *testing.T) {
		_, _, err := b.svc.Move(ctx, editor, "gibt-es-nicht", 0, editing.Publish)
		requireCode(t, err, apperr.NotFound)
	})
}

// TestMoveParallel: editors (or a retrying script) archiving the same
// service at once get exactly one change; the state is checked under the
// row lock, so the others see it archived already, or their version stale.
func TestMoveParallel(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name        string
		withIfMatch bool
	}{
		{name: "same If-Match", withIfMatch: true},
		{name: "no If-Match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			slug := "parallel-" + strings.ReplaceAll(strings.ToLower(tc.name), " ", "-")
			cur := b.create(t, slug, catalog.StatePublished)
			version := 0
			if tc.withIfMatch {
				version = cur.Version
			}
			before := len(b.revisions(t, slug))

			type result struct {
				changed bool
				err     error
			}
			results := make([]result, 6)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range results {
				wg.Go(func() {
					<-start
					_, changed, err := b.svc.Move(ctx, editor, slug, version, editing.Archive)
					results[i] = result{changed, err}
				})
			}
			close(start)
			wg.Wait()

			changes := 0
			for _, r := range results {
				switch {
				case r.err == nil && r.changed:
					changes++
				case r.err == nil:
					require.False(t, tc.withIfMatch, "with the old version only the first may succeed")
				default:
					// What a single request after the first would get.
					require.True(t, tc.withIfMatch, r.err.Error())
					requireCode(t, r.err, apperr.PreconditionFailed)
				}
			}
			require.Equal(t, 1, changes)
			revs := b.revisions(t, slug)
			require.Len(t, revs, before+1, "exactly one revision is added")
			require.Equal(t, store.ActionArchive, revs[0].Action)
			rec, err := b.svc.Get(ctx, slug)
			require.NoError(t, err)
			require.Equal(t, cur.Version+1, rec.Version)
			require.Equal(t, catalog.StateArchived, rec.State)
		})
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	rec := b.create(t, "neu-erstellt", catalog.StateDraft)
	require.Equal(t, 1, rec.Version)
	require.Equal(t, []store.Revision{{Version: 1, State: catalog.StateDraft, Actor: editor, Action: store.ActionCreate, At: b.revisions(t, "neu-erstellt")[0].At}},
		b.revisions(t, "neu-erstellt"))

	for _, tc := range []struct {
		name   string
		doc    []byte
		code   apperr.Code
		fields []string
	}{
		{name: "duplicate slug", doc: b.doc(t, "neu-erstellt", catalog.StateDraft), code: apperr.Conflict},
		{name: "schema", doc: b.doc(t, "ohne-titel", catalog.StateDraft, func(m map[string]any) { delete(m, "title") }),
			code: apperr.Invalid, fields: []string{"body.title"}},
		{name: "unknown office", doc: b.doc(t, "falsches-amt", catalog.StateDraft, func(m map[string]any) { m["office"] = "gibt-es-nicht" }),
			code: apperr.Invalid, fields: []string{"body.office"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.svc.Create(ctx, editor, tc.doc)
			requireCode(t, err, tc.code)
			e, _ := apperr.As(err)
			for i, f := range tc.fields {
				require.Equal(t, f, e.Fields[i].Path)
			}
		})
	}
	for _, slug := range []string{"ohne-titel", "falsches-amt"} {
		_, err := b.svc.Get(ctx, slug)
		requireCode(t, err, apperr.NotFound)
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	cur := b.create(t, "zu-aendern", catalog.StateDraft)

	for _, tc := range []struct {
		name    string
		version int
		patch   string
		code    apperr.Code
		field   string
	}{
		{name: "stale version", version: cur.Version + 1, patch: `{"popularity": 5}`, code: apperr.PreconditionFailed},
		{name: "not a patch", version: cur.Version, patch: `[1]`, code: apperr.Invalid, field: "body"},
		{name: "invalid result", version: cur.Version, patch: `{"popularity": 101}`, code: apperr.Invalid, field: "body.popularity"},
		{name: "slug change", version: cur.Version, patch: `{"slug": "anders"}`, code: apperr.Invalid, field: "body.slug"},
		{name: "required removed", version: cur.Version, patch: `{"title": null}`, code: apperr.Invalid, field: "body.title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.svc.Update(ctx, editor, "zu-aendern", tc.version, []byte(tc.patch))
			requireCode(t, err, tc.code)
			if tc.field != "" {
				e, _ := apperr.As(err)
				require.Equal(t, tc.field, e.Fields[0].Path)
			}
		})
	}
	require.Len(t, b.revisions(t, "zu-aendern"), 1, "refused changes record nothing")

	rec, err := b.svc.Update(ctx, editor, "zu-aendern", cur.Version, []byte(`{"popularity": 5, "title": {"de": "Neu"}}`))
	require.NoError(t, err)
	require.Equal(t, cur.Version+1, rec.Version)
	require.Equal(t, 5, rec.Popularity)
	require.Equal(t, "Neu", rec.Title.De)
	require.Equal(t, cur.Title.Fr, rec.Title.Fr, "a merge patch keeps the keys it does not name")
	require.Equal(t, store.ActionUpdate, b.revisions(t, "zu-aendern")[0].Action)

	_, err = b.svc.Update(ctx, editor, "gibt-es-nicht", 0, []byte(`{}`))
	requireCode(t, err, apperr.NotFound)
}

func TestRevisionsOfUnknownService(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.Revisions(context.Background(), "gibt-es-nicht")
	requireCode(t, err, apperr.NotFound)
}

func TestImportExport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	count := func() int {
		recs, err := b.svc.List(ctx, "")
		require.NoError(t, err)
		return len(recs)
	}
	before := count()
	importWith := func(defs map[string]json.RawMessage, docs ...[]byte) []byte {
		raw := make([]json.RawMessage, len(docs))
		for i, d := range docs {
			raw[i] = d
		}
		body, err := json.Marshal(map[string]any{"services": raw, "forms": defs})
		require.NoError(t, err)
		return body
	}
	importJSON := func(docs ...[]byte) []byte { return importWith(nil, docs...) }
	form, err := os.ReadFile("../forms/testdata/extract.json")
	require.NoError(t, err)
	// badForm lacks the closing comment and has a label in German only.
	badForm := bytes.Replace(form, []byte(`"fr": "Prénom", "it": "Nome", "en": "First name"`), []byte(`"de": "Vorname"`), 1)
	badForm = bytes.Replace(badForm, []byte(`"given_name": {"type": "string"`), []byte(`"given_name": {"type": "strin"`), 1)

	t.Run("bad imports change nothing", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			format editing.Format
			body   []byte
			want   []string // locations: line and path
		}{
			{name: "bad rows", format: editing.JSON,
				body: importJSON(b.doc(t, "import-gut", catalog.StateDraft),
					b.doc(t, "import-schlecht", catalog.StateDraft, func(m map[string]any) { m["popularity"] = "hoch" }),
					b.doc(t, "import-gut", catalog.StateDraft)),
				want: []string{"2:popularity", "3:slug"}},
			{name: "no services key", format: editing.JSON, body: []byte(`{"servces": []}`), want: []string{"0:body"}},
			{name: "empty", format: editing.JSON, body: []byte(`{"services": []}`), want: []string{"0:body"}},
			{name: "unknown column", format: editing.CSV, body: []byte("slug,farbe\nx,blau\n"), want: []string{"1:farbe"}},
			{name: "a bad form rejects its services too", format: editing.JSON,
				body: importWith(map[string]json.RawMessage{"import-gut": badForm}, b.doc(t, "import-gut", catalog.StateDraft)),
				want: []string{"0:forms.import-gut.schema", "0:forms.import-gut.ui.sections[0].fields[0].label.fr", "0:forms.import-gut.ui.sections[0].fields[0].label.it", "0:forms.import-gut.ui.sections[0].fields[0].label.en"}},
			{name: "a form keeps to its keys", format: editing.JSON,
				body: importWith(map[string]json.RawMessage{"import-gut": json.RawMessage(`{"schema": {}, "ui": {}, "lable": 1}`)}, b.doc(t, "import-gut", catalog.StateDraft)),
				want: []string{"0:forms.import-gut"}},
			{name: "a form of no service", format: editing.JSON,
				body: importWith(map[string]json.RawMessage{"gibt-es-nicht": form}, b.doc(t, "import-gut", catalog.StateDraft)),
				want: []string{"0:forms.gibt-es-nicht"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := b.svc.Import(ctx, editor, tc.format, tc.body, false)
				requireCode(t, err, apperr.Invalid)
				e, _ := apperr.As(err)
				var got []string
				for _, f := range e.Fields {
					got = append(got, fmt.Sprintf("%d:%s", f.Line, f.Path))
				}
				require.Equal(t, tc.want, got)
				require.Equal(t, before, count())
			})
		}
	})

	t.Run("dry run, import, again", func(t *testing.T) {
		body := importWith(map[string]json.RawMessage{"import-a": form}, b.doc(t, "import-a", catalog.StateDraft), b.doc(t, "import-b", catalog.StatePublished))
		changed := bytes.Replace(form, []byte(`"maxLength": 2000`), []byte(`"maxLength": 1000`), 1)
		bodyChanged := importWith(map[string]json.RawMessage{"import-a": changed}, b.doc(t, "import-a", catalog.StateDraft), b.doc(t, "import-b", catalog.StatePublished))
		for _, step := range []struct {
			body     []byte
			dryRun   bool
			want     editing.ImportResult
			count    int
			versions int // of import-a's form
		}{
			{body: body, dryRun: true, want: editing.ImportResult{ImportResult: store.ImportResult{Created: 2}, Forms: 1}, count: before},
			{body: body, want: editing.ImportResult{ImportResult: store.ImportResult{Created: 2}, Forms: 1}, count: before + 2, versions: 1},
			{body: body, want: editing.ImportResult{ImportResult: store.ImportResult{Unchanged: 2}}, count: before + 2, versions: 1},
			{body: bodyChanged, want: editing.ImportResult{ImportResult: store.ImportResult{Unchanged: 2}, Forms: 1}, count: before + 2, versions: 2},
		} {
			res, err := b.svc.Import(ctx, editor, editing.JSON, step.body, step.dryRun)
			require.NoError(t, err)
			require.Equal(t, step.want, *res)
			require.Equal(t, step.count, count())
			n, err := b.st.FormCount(ctx, "import-a")
			require.NoError(t, err)
			require.Equal(t, step.versions, n)
		}
		require.Equal(t, store.ActionImport, b.revisions(t, "import-a")[0].Action)
		cur, err := b.st.CurrentForm(ctx, "import-a")
		require.NoError(t, err)
		require.Equal(t, 2, cur.Version, "the changed form is published, the one before archived")
		require.Contains(t, string(cur.Definition), `"maxLength": 1000`)
	})

	t.Run("an export imports as unchanged", func(t *testing.T) {
		for _, f := range []editing.Format{editing.JSON, editing.CSV} {
			for _, state := range []string{"", catalog.StatePublished} {
				exp, err := b.svc.Export(ctx, state, f)
				require.NoError(t, err)
				res, err := b.svc.Import(ctx, editor, f, exp, false)
				require.NoError(t, err)
				recs, err := b.svc.List(ctx, state)
				require.NoError(t, err)
				require.Equal(t, editing.ImportResult{ImportResult: store.ImportResult{Unchanged: len(recs)}}, *res, "%s %q", f, state)
				if f == editing.JSON {
					var doc struct{ Forms map[string]json.RawMessage }
					require.NoError(t, json.Unmarshal(exp, &doc))
					require.Contains(t, doc.Forms, "betreibungsregisterauszug-bestellen", "the export carries the forms")
				}
			}
		}
	})
}
