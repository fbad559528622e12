package privacy_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/privacy"
	"github.com/schalter-ch/schalter/internal/store"
	"github.com/schalter-ch/schalter/internal/transparency"
)

type testBundle struct {
	st  *store.Store
	svc *privacy.Service
	// anna is the resident whose data is looked at; ben another resident.
	admin, editor, anna, ben *store.Account
}

func setup(t *testing.T) (context.Context, *testBundle) {
	t.Helper()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{})
	b := &testBundle{st: st, svc: privacy.New(st, &account.Service{Store: st})}
	create := func(email string, roles ...store.Role) *store.Account {
		acc, err := st.CreateAccount(ctx, email, email, "", nil, roles...)
		require.NoError(t, err)
		return acc
	}
	b.admin = create("admin@uster.ch", store.Role{Role: account.RoleAdmin})
	b.editor = create("editor@uster.ch", store.Role{Role: account.RoleEditor})
	b.anna = create("anna@example.ch")
	b.ben = create("ben@example.ch")
	return ctx, b
}

// entries counts the whole transparency log, not just one person's: a
// refused or failed look-up must leave nothing anywhere.
func (b *testBundle) entries(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, b.st.Pool().QueryRow(context.Background(), "SELECT count(*) FROM transparency_log").Scan(&n))
	return n
}

func (b *testBundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := b.st.Pool().Exec(context.Background(), sql, args...)
	require.NoError(t, err)
}

// lookUp is one of the administrator's look-ups of anna.
type lookUp func(ctx context.Context, b *testBundle, actor uuid.UUID) (privacy.AccountView, error)

func byEmail(email string) lookUp {
	return func(ctx context.Context, b *testBundle, actor uuid.UUID) (privacy.AccountView, error) {
		return b.svc.AccountByEmail(ctx, actor, email)
	}
}

func byID(ctx context.Context, b *testBundle, actor uuid.UUID) (privacy.AccountView, error) {
	return b.svc.AccountByID(ctx, actor, b.anna.ID)
}

func adminOf(b *testBundle) uuid.UUID { return b.admin.ID }

// TestAdminLookUp: only an administrator sees an account, and a look-up
// that returns data leaves exactly one sealed entry in the person's log;
// a refused one leaves none.
func TestAdminLookUp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		actor    func(b *testBundle) uuid.UUID
		find     lookUp
		wantCode apperr.Code // empty: the look-up succeeds
	}{
		{name: "administrator by address", actor: adminOf, find: byEmail("anna@example.ch")},
		{name: "administrator by id", actor: adminOf, find: byID},
		{name: "unknown address", actor: adminOf, find: byEmail("nobody@example.ch"), wantCode: apperr.NotFound},
		{name: "editor", actor: func(b *testBundle) uuid.UUID { return b.editor.ID }, find: byEmail("anna@example.ch"), wantCode: apperr.Forbidden},
		{name: "another resident", actor: func(b *testBundle) uuid.UUID { return b.ben.ID }, find: byID, wantCode: apperr.Forbidden},
		{name: "the resident herself", actor: func(b *testBundle) uuid.UUID { return b.anna.ID }, find: byID, wantCode: apperr.Forbidden},
		{name: "no caller", actor: func(*testBundle) uuid.UUID { return uuid.Nil }, find: byID, wantCode: apperr.Unauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, b := setup(t)
			v, err := tc.find(ctx, b, tc.actor(b))
			if tc.wantCode != "" {
				require.Equal(t, tc.wantCode, apperr.CodeOf(err), "err: %v", err)
				require.Zero(t, v)
				require.Zero(t, b.entries(t))
				return
			}
			require.NoError(t, err)
			require.Equal(t, "anna@example.ch", v.Account.Email)
			require.Empty(t, v.Roles)
			page, err := b.svc.AccessLog(ctx, b.anna.ID, 0, 10)
			require.NoError(t, err)
			require.Len(t, page.Entries, 1)
			e := page.Entries[0]
			require.True(t, e.Sealed)
			require.Equal(t, transparency.ActorStaff, e.ActorKind)
			require.Equal(t, "admin@uster.ch", e.Actor)
			require.Equal(t, transparency.ActionRead, e.Action)
			require.Equal(t, []string{"E-Mail-Adresse", "Rollen"}, e.Data)
			require.Equal(t, 1, b.entries(t))
		})
	}
}

// TestLookUpAtomic: a look-up and its transparency entry commit together
// or not at all. When the entry cannot be written, no data comes back;
// when the caller's transaction rolls back, no entry stays.
func TestLookUpAtomic(t *testing.T) {
	t.Parallel()
	errRollback := errors.New("the caller's later step failed")
	inCallersTx := func(fail error) func(t *testing.T, ctx context.Context, b *testBundle) (privacy.AccountView, error) {
		return func(_ *testing.T, ctx context.Context, b *testBundle) (privacy.AccountView, error) {
			var v privacy.AccountView
			err := b.st.InTx(ctx, func(q *store.Queries) error {
				var err error
				if v, err = b.svc.In(q).AccountByID(ctx, b.admin.ID, b.anna.ID); err != nil {
					return err
				}
				return fail
			})
			return v, err
		}
	}
	for _, tc := range []struct {
		name string
		// run looks anna up; it may break something first.
		run         func(t *testing.T, ctx context.Context, b *testBundle) (privacy.AccountView, error)
		wantErr     error // nil: any error will do when wantEntries is 0
		wantEntries int
	}{
		{name: "the entry cannot be written", run: func(t *testing.T, ctx context.Context, b *testBundle) (privacy.AccountView, error) {
			// A real failure of the INSERT inside PostgreSQL, after the
			// reads of the look-up have succeeded.
			b.exec(t, `CREATE FUNCTION test_fail_append() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`)
			b.exec(t, `CREATE TRIGGER test_fail_append BEFORE INSERT ON transparency_log FOR EACH ROW EXECUTE FUNCTION test_fail_append()`)
			return byID(ctx, b, b.admin.ID)
		}},
		{name: "cancelled", run: func(_ *testing.T, ctx context.Context, b *testBundle) (privacy.AccountView, error) {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return byID(ctx, b, b.admin.ID)
		}},
		{name: "the caller's transaction rolls back", run: inCallersTx(errRollback), wantErr: errRollback},
		{name: "the caller's transaction commits", run: inCallersTx(nil), wantEntries: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, b := setup(t)
			v, err := tc.run(t, ctx, b)
			require.Equal(t, tc.wantEntries, b.entries(t))
			if tc.wantEntries > 0 {
				require.NoError(t, err)
				require.Equal(t, "anna@example.ch", v.Account.Email)
				return
			}
			require.Error(t, err)
			t.Logf("err: %v", err)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			}
			if !errors.Is(err, errRollback) {
				// The caller who rolls back saw the data inside its
				// transaction; everyone else gets none with the error.
				require.Zero(t, v)
			}
		})
	}
}

// TestOwnDataOnly: each use case on a person's own data shows anna hers,
// shows ben (another resident) nothing of it, and refuses a missing
// caller.
func TestOwnDataOnly(t *testing.T) {
	t.Parallel()
	ctx, b := setup(t)
	given := "Anna"
	_, err := b.st.PutProfile(ctx, store.ProfilePutInput{AccountID: b.anna.ID, GivenName: &given})
	require.NoError(t, err)
	_, err = b.st.GrantConsent(ctx, b.anna.ID, "umzug-melden", []string{"given_name"})
	require.NoError(t, err)
	_, err = byID(ctx, b, b.admin.ID)
	require.NoError(t, err)

	// seen is what a use case shows its caller of anna's data.
	for _, tc := range []struct {
		name string
		seen func(ctx context.Context, me uuid.UUID) ([]string, error)
	}{
		{name: "profile", seen: func(ctx context.Context, me uuid.UUID) ([]string, error) {
			p, err := b.svc.Profile(ctx, me)
			if p.GivenName == nil {
				return nil, err
			}
			return []string{*p.GivenName}, err
		}},
		{name: "consents", seen: func(ctx context.Context, me uuid.UUID) ([]string, error) {
			cs, err := b.svc.Consents(ctx, me)
			return consentServices(cs), err
		}},
		{name: "access log", seen: func(ctx context.Context, me uuid.UUID) ([]string, error) {
			page, err := b.svc.AccessLog(ctx, me, 0, 50)
			return actors(page.Entries), err
		}},
		{name: "export", seen: func(ctx context.Context, me uuid.UUID) ([]string, error) {
			x, err := b.svc.Export(ctx, me)
			if err != nil {
				return nil, err
			}
			seen := append(consentServices(x.Consents), actors(x.Transparency)...)
			if x.Profile.GivenName != nil {
				seen = append(seen, *x.Profile.GivenName)
			}
			if x.Account.ID == b.anna.ID {
				seen = append(seen, x.Account.Email)
			}
			return seen, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			seen, err := tc.seen(ctx, b.anna.ID)
			require.NoError(t, err)
			require.NotEmpty(t, seen, "anna sees her own data")
			seen, err = tc.seen(ctx, b.ben.ID)
			require.NoError(t, err)
			require.Empty(t, seen, "ben sees nothing of anna's")
			_, err = tc.seen(ctx, uuid.Nil)
			require.Equal(t, apperr.Unauthorized, apperr.CodeOf(err))
		})
	}

	t.Run("revoke", func(t *testing.T) {
		t.Parallel()
		err := b.svc.RevokeConsent(ctx, b.ben.ID, "umzug-melden")
		require.Equal(t, apperr.NotFound, apperr.CodeOf(err))
		c, err := b.st.ActiveConsent(ctx, b.anna.ID, "umzug-melden")
		require.NoError(t, err)
		require.NotNil(t, c, "anna's consent is untouched")
	})
}

func consentServices(cs []store.Consent) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Service)
	}
	return out
}

func actors(es []privacy.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Actor)
	}
	return out
}

// TestAccessLogPages: pages are newest first, link by NextBefore, end
// with NextBefore 0, and together hold every entry once.
func TestAccessLogPages(t *testing.T) {
	t.Parallel()
	ctx, b := setup(t)
	for range 5 {
		_, err := b.st.AppendAccess(ctx, store.AccessEntryNew{Subject: b.anna.ID, ActorKind: transparency.ActorSystem, Actor: "test",
			Action: transparency.ActionRead, Data: []string{"Name"}, Purpose: "test", LegalBasis: "test"})
		require.NoError(t, err)
	}
	for _, tc := range []struct {
		limit     int
		wantPages []int
	}{
		{limit: 1, wantPages: []int{1, 1, 1, 1, 1}},
		{limit: 2, wantPages: []int{2, 2, 1}},
		{limit: 5, wantPages: []int{5}},
		{limit: 50, wantPages: []int{5}},
	} {
		var sizes []int
		var seqs []int64
		for before := int64(0); ; {
			page, err := b.svc.AccessLog(ctx, b.anna.ID, before, tc.limit)
			require.NoError(t, err)
			sizes = append(sizes, len(page.Entries))
			for _, e := range page.Entries {
				require.True(t, e.Sealed)
				seqs = append(seqs, e.Seq)
			}
			if page.NextBefore == 0 {
				break
			}
			before = page.NextBefore
		}
		require.Equal(t, tc.wantPages, sizes, "limit %d", tc.limit)
		require.Len(t, seqs, 5)
		require.IsDecreasing(t, seqs)
	}
	_, err := b.svc.AccessLog(ctx, b.anna.ID, 0, 0)
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err))
}

// TestExport: the export holds the account's data, roles included, and the
// whole transparency log however many pages it takes to read.
func TestExport(t *testing.T) {
	t.Parallel()
	for _, entries := range []int{0, 1, 1000, 1001} {
		t.Run(fmt.Sprintf("%d entries", entries), func(t *testing.T) {
			t.Parallel()
			ctx, b := setup(t)
			// The chain trigger seals each row, as for AppendAccess.
			b.exec(t, `INSERT INTO transparency_log (seq, subject, actor_kind, actor, action, data, purpose, legal_basis, prev_hash, hash)
				SELECT 0, $1, 'system', 'test ' || i, 'read', '{Name}', 'test', 'test', '\x', '\x' FROM generate_series(1, $2) i`, b.admin.ID, entries)
			x, err := b.svc.Export(ctx, b.admin.ID)
			require.NoError(t, err)
			require.Equal(t, "admin@uster.ch", x.Account.Email)
			require.Equal(t, []store.Role{{Role: account.RoleAdmin}}, x.Roles)
			require.Nil(t, x.SMS)
			require.NotNil(t, x.Transparency)
			require.Len(t, x.Transparency, entries)
			for i, e := range x.Transparency {
				require.True(t, e.Sealed)
				require.Equal(t, int64(entries-i), e.Seq, "newest first, none twice")
			}
		})
	}
}

// TestSaveProfile: the profile is checked before it is stored, and only
// the caller's own.
func TestSaveProfile(t *testing.T) {
	t.Parallel()
	ctx, b := setup(t)
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name     string
		me       uuid.UUID
		in       account.ProfileInput
		wantCode apperr.Code
	}{
		{name: "valid", me: b.anna.ID, in: account.ProfileInput{GivenName: str(" Anna "), PostalCode: str("8610")}},
		{name: "bad postal code", me: b.anna.ID, in: account.ProfileInput{PostalCode: str("86")}, wantCode: apperr.Invalid},
		{name: "no caller", in: account.ProfileInput{GivenName: str("Anna")}, wantCode: apperr.Unauthorized},
	} {
		p, err := b.svc.SaveProfile(ctx, tc.me, tc.in)
		if tc.wantCode != "" {
			require.Equal(t, tc.wantCode, apperr.CodeOf(err), tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, "Anna", *p.GivenName)
		got, err := b.svc.Profile(ctx, tc.me)
		require.NoError(t, err)
		require.Equal(t, p.GivenName, got.GivenName)
	}
}
