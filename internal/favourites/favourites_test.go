package favourites_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/favourites"
	"github.com/schalter-ch/schalter/internal/guest"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

// Published services of the demo catalogue.
const (
	hund     = "hund-anmelden"
	grill    = "grillplatz-waldhuette-reservieren"
	heimat   = "heimatschein"
	notThere = "gibt-es-nicht"
)

type testBundle struct {
	st  *store.Store
	svc *favourites.Service
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	return &testBundle{st: st, svc: favourites.New(st)}
}

// slugs lists owner's favourites by slug, newest first.
func (b *testBundle) slugs(t *testing.T, owner favourites.Owner) []string {
	t.Helper()
	favs, err := b.svc.List(context.Background(), owner)
	require.NoError(t, err)
	out := []string{}
	for _, f := range favs {
		out = append(out, f.Slug)
	}
	return out
}

func TestOwners(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	gid := guest.New()
	for _, tc := range []struct {
		name  string
		owner favourites.Owner
		want  string // stored form; "" for nobody
	}{
		{"account", favourites.Account(id), "account:" + id.String()},
		{"guest", favourites.Guest(gid), "guest:" + gid},
		{"no cookie", favourites.Guest(""), ""},
		{"upper case", favourites.Guest("0123456789ABCDEF0123456789ABCDEF"), ""},
		{"too short", favourites.Guest(gid[:31]), ""},
		{"an account's owner as cookie", favourites.Guest("account:" + id.String()), ""},
		{"a tagged guest as cookie", favourites.Guest("guest:" + gid), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.owner.String())
			require.Equal(t, tc.want == "", tc.owner.IsZero())
		})
	}
	require.NotEqual(t, gid, guest.New(), "guest ids are random")
}

// TestOwnersKeptApart: whatever one owner keeps or drops never shows in
// another's list.
func TestOwnersKeptApart(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	anna, bruno := favourites.Account(uuid.New()), favourites.Account(uuid.New())
	visitor, other := favourites.Guest(guest.New()), favourites.Guest(guest.New())
	owners := []favourites.Owner{anna, bruno, visitor, other}
	for _, tc := range []struct {
		name  string
		owner favourites.Owner
	}{
		{"account", anna},
		{"another account", bruno},
		{"guest", visitor},
		{"another guest", other},
	} {
		// Sequential: each case adds to one owner and checks all of them.
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, b.svc.Add(ctx, tc.owner, hund))
			require.NoError(t, b.svc.Add(ctx, tc.owner, hund), "adding twice changes nothing")
			require.NoError(t, b.svc.Add(ctx, tc.owner, grill))
			require.Equal(t, []string{grill, hund}, b.slugs(t, tc.owner), "newest first")
			for _, o := range owners {
				if o != tc.owner {
					require.NotContains(t, b.slugs(t, o), grill, "%s sees %s's favourite", o, tc.owner)
				}
			}
			require.NoError(t, b.svc.Remove(ctx, tc.owner, grill))
			require.NoError(t, b.svc.Remove(ctx, tc.owner, grill), "removing twice is fine")
			require.Equal(t, []string{hund}, b.slugs(t, tc.owner))
		})
	}
	for _, o := range owners {
		require.Equal(t, []string{hund}, b.slugs(t, o), "one owner's removal left %s's list alone", o)
	}
}

func TestNobodyAndUnknownServices(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	nobody := favourites.Guest("forged")
	for _, tc := range []struct {
		name  string
		owner favourites.Owner
		slug  string
		code  apperr.Code
	}{
		{"unknown service", favourites.Account(uuid.New()), notThere, apperr.NotFound},
		{"nobody", nobody, hund, apperr.Internal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.code, apperr.CodeOf(b.svc.Add(ctx, tc.owner, tc.slug)))
			require.Empty(t, b.slugs(t, tc.owner))
		})
	}
	require.NoError(t, b.svc.Remove(ctx, nobody, hund), "nobody has nothing to remove")
	favs, err := b.svc.List(ctx, nobody)
	require.NoError(t, err)
	require.NotNil(t, favs, "an empty list, not null")
}

// TestMergeGuest: at login the guest's favourites move to the account,
// once each, and the guest's list is gone.
func TestMergeGuest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		guest, account []string // kept before the login
		cookie         func(id string) string
		want           []string // the account's list after it, as a set
		guestLeft      []string
	}{
		{name: "guest only", guest: []string{hund, grill}, want: []string{hund, grill}, guestLeft: []string{}},
		{name: "overlap is kept once", guest: []string{hund, grill}, account: []string{grill, heimat},
			want: []string{hund, grill, heimat}, guestLeft: []string{}},
		{name: "empty guest", account: []string{heimat}, want: []string{heimat}, guestLeft: []string{}},
		{name: "forged cookie merges nothing", guest: []string{hund}, account: []string{heimat},
			cookie: func(id string) string { return "guest:" + id }, want: []string{heimat}, guestLeft: []string{hund}},
		{name: "no cookie", guest: []string{hund}, cookie: func(string) string { return "" },
			want: []string{}, guestLeft: []string{hund}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			ctx := context.Background()
			guestID, accountID := guest.New(), uuid.New()
			bystander := favourites.Guest(guest.New())
			guest, account := favourites.Guest(guestID), favourites.Account(accountID)
			require.NoError(t, b.svc.Add(ctx, bystander, hund))
			for _, s := range tc.guest {
				require.NoError(t, b.svc.Add(ctx, guest, s))
			}
			for _, s := range tc.account {
				require.NoError(t, b.svc.Add(ctx, account, s))
			}
			cookie := guestID
			if tc.cookie != nil {
				cookie = tc.cookie(guestID)
			}
			require.NoError(t, b.svc.MergeGuest(ctx, cookie, accountID))
			require.ElementsMatch(t, tc.want, b.slugs(t, account))
			require.ElementsMatch(t, tc.guestLeft, b.slugs(t, guest))
			require.Equal(t, []string{hund}, b.slugs(t, bystander), "another guest's list is untouched")
		})
	}
}

// TestRefreshBoost: favourites feed popularity once; a second refresh
// (another replica) changes nothing. The periodic job, worked as the
// queue works it, makes the same change: a refresh after it has nothing
// left to do.
func TestRefreshBoost(t *testing.T) {
	t.Parallel()
	refresh := func(t *testing.T, b *testBundle) int64 {
		n, err := b.svc.RefreshBoost(context.Background())
		require.NoError(t, err)
		return n
	}
	for _, tc := range []struct {
		name  string
		first func(t *testing.T, b *testBundle)
	}{
		{"service", func(t *testing.T, b *testBundle) { require.EqualValues(t, 1, refresh(t, b)) }},
		{"periodic job", func(t *testing.T, b *testBundle) {
			pgtest.Chore(t, b.st, favourites.BoostArgs{}, b.svc.RefreshBoost)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			for range 30 {
				require.NoError(t, b.svc.Add(context.Background(), favourites.Guest(guest.New()), grill))
			}
			tc.first(t, b)
			require.Zero(t, refresh(t, b), "again: nothing left to change")
		})
	}
}
