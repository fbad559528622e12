package drafts_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/guest"
	"github.com/schalter-ch/schalter/internal/mail"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/secretbox"
	"github.com/schalter-ch/schalter/internal/store"
)

// The dog registration: three sections, a microchip number with a pattern.
const dog = "hund-anmelden"

type bundle struct {
	st     *store.Store
	forms  *forms.Service
	svc    *drafts.Service
	outbox *mail.Outbox
}

func setup(t *testing.T) *bundle {
	t.Helper()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	f := forms.New(st, account.ProfileFields) // the seed published the forms
	box, err := secretbox.New(secretbox.NewKey())
	require.NoError(t, err)
	svc := drafts.New(st, f)
	svc.Outbox, svc.PublicURL, svc.City = &mail.Outbox{Box: box}, "https://schalter.example", "Uster"
	return &bundle{st: st, forms: f, svc: svc, outbox: svc.Outbox}
}

func (b *bundle) account(t *testing.T, email string) drafts.Owner {
	t.Helper()
	acc, err := b.st.CreateAccount(context.Background(), email, email, "", nil)
	require.NoError(t, err)
	return drafts.Account(acc.ID)
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func paths(errs []apperr.FieldError) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Path)
	}
	return out
}

func TestOwners(t *testing.T) {
	t.Parallel()
	g := guest.New()
	require.True(t, drafts.Guest("").IsZero())
	require.True(t, drafts.Guest("not a guest id").IsZero())
	require.False(t, drafts.Guest(g).IsZero())
	require.True(t, drafts.Guest(g).IsGuest())
	require.False(t, drafts.Account(uuid.New()).IsGuest())
	require.Equal(t, drafts.Guest(g), drafts.Guest(g), "the same cookie is the same owner")
	require.NotEqual(t, drafts.Guest(g), drafts.Guest(guest.New()))
}

// TestWrites: what a draft accepts while it is being filled in, and what
// it refuses.
func TestWrites(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	owner := drafts.Guest(guest.New())
	for _, tc := range []struct {
		name    string
		service string
		data    string
		section string
		code    apperr.Code // "" accepted
		issues  []string    // paths of the issues of an accepted draft, or of the refusal
	}{
		{"empty", dog, `{}`, "", "", []string{}},
		{"half filled: nothing missing is an issue yet", dog, `{"given_name":"Tamara","dog_name":"Bello"}`, "dog", "", []string{}},
		{"a wrong value is an issue, not a refusal", dog, `{"microchip_number":"12ab","postal_code":"9999"}`, "dog", "", []string{"body.data.microchip_number", "body.data.postal_code"}},
		{"not an object", dog, `["Bello"]`, "", apperr.Invalid, []string{"body.data"}},
		{"null", dog, `null`, "", apperr.Invalid, []string{"body.data"}},
		{"a field the form does not have", dog, `{"dog_name":"Bello","cat_name":"Minka"}`, "", apperr.Invalid, []string{"body.data.cat_name"}},
		{"no such section", dog, `{}`, "cats", apperr.Invalid, []string{"body.section"}},
		{"too large", dog, `{"comment":"` + strings.Repeat("x", drafts.MaxDataBytes) + `"}`, "", apperr.Invalid, []string{"body.data"}},
		{"a service without a form", "grillplatz-waldhuette-reservieren", `{}`, "", apperr.NotFound, nil},
		{"no such service", "gibt-es-nicht", `{}`, "", apperr.NotFound, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := b.svc.Create(ctx, owner, tc.service, raw(tc.data), tc.section)
			if tc.code != "" {
				require.Equal(t, tc.code, apperr.CodeOf(err), "%v", err)
				if tc.issues != nil {
					e, _ := apperr.As(err)
					require.Equal(t, tc.issues, paths(e.Fields))
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.issues, paths(d.Issues))
			require.Equal(t, 1, d.Revision)
			require.Equal(t, tc.section, d.Section)
			require.True(t, d.Guest)
			require.Equal(t, drafts.GuestRetention, d.Retention)
			require.WithinDuration(t, time.Now().Add(drafts.GuestRetention), d.ExpiresAt, time.Minute)
		})
	}
}

// TestSaves: a save names the revision it was made from; a save from an
// older one (another device) is refused with the draft as it is now.
func TestSaves(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	owner := b.account(t, "tamara@saves.example")
	d, err := b.svc.Create(ctx, owner, dog, raw(`{"dog_name":"Bello"}`), "")
	require.NoError(t, err)
	require.Equal(t, drafts.AccountRetention, d.Retention)

	phone, err := b.svc.Save(ctx, owner, d.ID, 1, raw(`{"dog_name":"Bello","breed":"Appenzeller"}`), "dog")
	require.NoError(t, err)
	require.Equal(t, 2, phone.Revision)
	require.True(t, phone.UpdatedAt.After(d.UpdatedAt) || phone.UpdatedAt.Equal(d.UpdatedAt))

	_, err = b.svc.Save(ctx, owner, d.ID, 1, raw(`{"dog_name":"Rex"}`), "")
	require.Equal(t, apperr.PreconditionFailed, apperr.CodeOf(err))
	var stale *drafts.Stale
	require.True(t, errors.As(err, &stale), "the refusal carries the draft as it is")
	require.Equal(t, 2, stale.Current.Revision)
	require.JSONEq(t, `{"dog_name":"Bello","breed":"Appenzeller"}`, string(stale.Current.Data))

	laptop, err := b.svc.Save(ctx, owner, d.ID, stale.Current.Revision, raw(`{"dog_name":"Rex"}`), "")
	require.NoError(t, err, "keeping the laptop's version is a save over the current revision")
	require.Equal(t, 3, laptop.Revision)

	_, err = b.svc.Save(ctx, owner, d.ID, 3, raw(`{"cat":"Minka"}`), "")
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err), "a refused save changes nothing")
	got, err := b.svc.Get(ctx, owner, d.ID)
	require.NoError(t, err)
	require.Equal(t, 3, got.Revision)
	require.JSONEq(t, `{"dog_name":"Rex"}`, string(got.Data))

	list, err := b.svc.List(ctx, owner)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Nil(t, list[0].Data, "the list carries no data")

	require.NoError(t, b.svc.Delete(ctx, owner, d.ID))
	require.Equal(t, apperr.NotFound, apperr.CodeOf(b.svc.Delete(ctx, owner, d.ID)))
	_, err = b.svc.Save(ctx, owner, d.ID, 3, raw(`{}`), "")
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "a deleted draft is gone, not stale")
}

// TestOthersSeeNothing: every use case on a draft is NotFound for another
// account, another guest and nobody.
func TestOthersSeeNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	mine := b.account(t, "mine@others.example")
	d, err := b.svc.Create(ctx, mine, dog, raw(`{"dog_name":"Bello"}`), "")
	require.NoError(t, err)
	others := map[string]drafts.Owner{
		"another account": b.account(t, "other@others.example"),
		"a guest":         drafts.Guest(guest.New()),
		"nobody":          drafts.Guest(""),
	}
	// The service that made the draft knows its form version; another
	// server's does not yet: both answer others alike.
	cold := drafts.New(b.st, b.forms)
	cold.Outbox, cold.PublicURL, cold.City = b.svc.Outbox, b.svc.PublicURL, b.svc.City
	for server, svc := range map[string]*drafts.Service{"this server": b.svc, "another server": cold} {
		for name, other := range others {
			t.Run(server+", "+name, func(t *testing.T) {
				_, err := svc.Get(ctx, other, d.ID)
				require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
				for _, save := range []struct{ data, section string }{
					{`{}`, ""},
					{`{"cat":"Minka"}`, ""},   // not a field: the owner would get 422
					{`{}`, "no-such-section"}, // likewise
					{`[1, 2]`, ""},            // not an object
				} {
					_, err = svc.Save(ctx, other, d.ID, 1, raw(save.data), save.section)
					require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "%s in %q", save.data, save.section)
				}
				require.Equal(t, apperr.NotFound, apperr.CodeOf(svc.Delete(ctx, other, d.ID)))
				require.Equal(t, apperr.NotFound, apperr.CodeOf(svc.MailLink(ctx, other, d.ID, "x@others.example", "de")))
				list, err := svc.List(ctx, other)
				require.NoError(t, err)
				require.Empty(t, list)
			})
		}
	}
	_, err = b.svc.Save(ctx, mine, d.ID, 1, raw(`{"cat":"Minka"}`), "")
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err), "the owner hears what is wrong")
	got, err := b.svc.Get(ctx, mine, d.ID)
	require.NoError(t, err)
	require.Equal(t, 1, got.Revision, "untouched")
}

// TestFormVersionKept: a draft is validated against the version it
// started on, also after a new version is published.
func TestFormVersionKept(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	owner := drafts.Guest(guest.New())
	old, err := b.svc.Create(ctx, owner, dog, raw(`{"breed":"Appenzeller"}`), "")
	require.NoError(t, err)

	// Version 2 no longer asks for the breed.
	v1, err := b.forms.Published(ctx, dog)
	require.NoError(t, err)
	def := withoutField(t, v1.Definition, "breed")
	v2, err := b.forms.Create(ctx, dog, def, "editor")
	require.NoError(t, err)
	_, err = b.forms.Publish(ctx, dog, v2.Number)
	require.NoError(t, err)

	saved, err := b.svc.Save(ctx, owner, old.ID, 1, raw(`{"breed":"Berner Sennenhund"}`), "")
	require.NoError(t, err, "the old draft keeps version 1, which has the breed")
	require.Equal(t, 1, saved.FormVersion)
	_, err = b.svc.Create(ctx, owner, dog, raw(`{"breed":"Appenzeller"}`), "")
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err), "a new draft starts on version 2")
}

// withoutField drops a field from a form definition.
func withoutField(t *testing.T, def forms.Definition, name string) forms.Definition {
	t.Helper()
	var schema map[string]any
	require.NoError(t, json.Unmarshal(def.Schema, &schema))
	delete(schema["properties"].(map[string]any), name)
	var req []any
	for _, r := range schema["required"].([]any) {
		if r != name {
			req = append(req, r)
		}
	}
	schema["required"] = req
	var err error
	def.Schema, err = json.Marshal(schema)
	require.NoError(t, err)
	for i, s := range def.UI.Sections {
		var fields []forms.FormField
		for _, f := range s.Fields {
			if f.Name != name {
				fields = append(fields, f)
			}
		}
		def.UI.Sections[i].Fields = fields
	}
	return def
}

// TestAdoptGuest: logging in hands the guest's drafts to the account,
// which keeps them for the account's retention.
func TestAdoptGuest(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	gid := guest.New()
	g := drafts.Guest(gid)
	acc, err := b.st.CreateAccount(ctx, "adopt@drafts.example", "adopt@drafts.example", "", nil)
	require.NoError(t, err)
	d, err := b.svc.Create(ctx, g, dog, raw(`{"dog_name":"Bello"}`), "dog")
	require.NoError(t, err)
	other, err := b.svc.Create(ctx, drafts.Guest(guest.New()), dog, raw(`{}`), "")
	require.NoError(t, err)

	n, err := b.svc.AdoptGuest(ctx, gid, acc.ID)
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "only this guest's draft")
	_, err = b.svc.Get(ctx, g, d.ID)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "the guest cookie no longer reaches it")
	got, err := b.svc.Get(ctx, drafts.Account(acc.ID), d.ID)
	require.NoError(t, err)
	require.False(t, got.Guest)
	require.Equal(t, "dog", got.Section)
	require.WithinDuration(t, time.Now().Add(drafts.AccountRetention), got.ExpiresAt, time.Minute)
	_, err = b.svc.Get(ctx, drafts.Account(acc.ID), other.ID)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))

	n, err = b.svc.AdoptGuest(ctx, "forged", acc.ID)
	require.NoError(t, err)
	require.Zero(t, n)
}

// TestContinueLater: a guest mails themselves a link; it moves the draft
// to the browser that opens it, once.
func TestContinueLater(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	phone := drafts.Guest(guest.New())
	d, err := b.svc.Create(ctx, phone, dog, raw(`{"dog_name":"Bello"}`), "dog")
	require.NoError(t, err)

	require.NoError(t, b.svc.MailLink(ctx, phone, d.ID, "tamara@later.example", "fr"))
	msg := b.lastMail(t)
	require.Equal(t, "tamara@later.example", msg.To)
	require.Contains(t, msg.Subject, "brouillon", "in the language asked for")
	token := linkToken(t, msg.Text)

	laptop := drafts.Guest(guest.New())
	got, err := b.svc.Resume(ctx, token, laptop)
	require.NoError(t, err)
	require.Equal(t, d.ID, got.ID)
	require.JSONEq(t, `{"dog_name":"Bello"}`, string(got.Data))
	_, err = b.svc.Get(ctx, phone, d.ID)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "the draft moved to the laptop")
	_, err = b.svc.Resume(ctx, token, drafts.Guest(guest.New()))
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "single use")
	_, err = b.svc.Resume(ctx, "made-up", laptop)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))

	// A link opened where someone is logged in gives the draft to the account.
	require.NoError(t, b.svc.MailLink(ctx, laptop, d.ID, "tamara@later.example", "de"))
	acc := b.account(t, "tamara@later.example")
	got, err = b.svc.Resume(ctx, linkToken(t, b.lastMail(t).Text), acc)
	require.NoError(t, err)
	require.False(t, got.Guest)
	require.Equal(t, apperr.Conflict, apperr.CodeOf(b.svc.MailLink(ctx, acc, d.ID, "tamara@later.example", "de")), "an account needs no link")

	// Expired links do not work.
	g := drafts.Guest(guest.New())
	e, err := b.svc.Create(ctx, g, dog, raw(`{}`), "")
	require.NoError(t, err)
	require.NoError(t, b.svc.MailLink(ctx, g, e.ID, "old@later.example", "en"))
	expired := linkToken(t, b.lastMail(t).Text)
	_, err = b.st.Pool().Exec(ctx, "UPDATE draft_resume SET expires_at = now() - interval '1 second' WHERE draft_id = $1", e.ID)
	require.NoError(t, err)
	_, err = b.svc.Resume(ctx, expired, g)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err))

	for _, bad := range []string{"", "not an address", "a@b"} {
		require.Equal(t, apperr.Invalid, apperr.CodeOf(b.svc.MailLink(ctx, g, e.ID, bad, "de")), bad)
	}
}

// TestLinkLimits: three links per draft and five per address a day.
func TestLinkLimits(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	g := drafts.Guest(guest.New())
	d, err := b.svc.Create(ctx, g, dog, raw(`{}`), "")
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, b.svc.MailLink(ctx, g, d.ID, "limit@drafts.example", "de"), "link %d", i+1)
	}
	require.Equal(t, apperr.TooManyRequests, apperr.CodeOf(b.svc.MailLink(ctx, g, d.ID, "limit@drafts.example", "de")))

	for i := range 5 {
		other, err := b.svc.Create(ctx, g, dog, raw(`{}`), "")
		require.NoError(t, err)
		require.NoError(t, b.svc.MailLink(ctx, g, other.ID, "flood@drafts.example", "de"), "address link %d", i+1)
	}
	other, err := b.svc.Create(ctx, g, dog, raw(`{}`), "")
	require.NoError(t, err)
	require.Equal(t, apperr.TooManyRequests, apperr.CodeOf(b.svc.MailLink(ctx, g, other.ID, "FLOOD@drafts.example", "de")), "per address, whatever the case")
}

// TestLimitAndPrune: an owner keeps at most MaxDrafts; expired drafts and
// links are deleted by Prune.
func TestLimitAndPrune(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	g := drafts.Guest(guest.New())
	var first *drafts.Draft
	for i := range drafts.MaxDrafts {
		d, err := b.svc.Create(ctx, g, dog, raw(`{}`), "")
		require.NoError(t, err, "draft %d", i+1)
		if first == nil {
			first = d
		}
	}
	_, err := b.svc.Create(ctx, g, dog, raw(`{}`), "")
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err))
	require.NoError(t, b.svc.MailLink(ctx, g, first.ID, "prune@drafts.example", "de"))

	_, err = b.st.Pool().Exec(ctx, "UPDATE draft SET expires_at = now() - interval '1 second' WHERE id = $1", first.ID)
	require.NoError(t, err)
	n, err := b.svc.Prune(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "the draft; its link goes with it")
	list, err := b.svc.List(ctx, g)
	require.NoError(t, err)
	require.Len(t, list, drafts.MaxDrafts-1)
	_, err = b.svc.Create(ctx, g, dog, raw(`{}`), "")
	require.NoError(t, err, "room again")
}

// lastMail is the newest mail job's message.
func (b *bundle) lastMail(t *testing.T) mail.Message {
	t.Helper()
	var args mail.JobArgs
	require.NoError(t, b.st.Pool().QueryRow(context.Background(),
		"SELECT args FROM river_job WHERE kind = 'mail' ORDER BY id DESC LIMIT 1").Scan(&args))
	m, err := b.outbox.Open(args)
	require.NoError(t, err)
	return m
}

// linkToken is the token of the resume link in a mail.
func linkToken(t *testing.T, text string) string {
	t.Helper()
	_, after, ok := strings.Cut(text, "/drafts/resume#")
	require.True(t, ok, text)
	token, _, _ := strings.Cut(after, "\n")
	return token
}
