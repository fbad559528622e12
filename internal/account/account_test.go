package account_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/password"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/store"
)

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	typed, norm, err := account.NormalizeEmail("  Anna.Muster@Uster.CH ")
	require.NoError(t, err)
	require.Equal(t, "Anna.Muster@Uster.CH", typed)
	require.Equal(t, "anna.muster@uster.ch", norm)
	for _, bad := range []string{"", "anna", "anna@", "@uster.ch", "Anna <anna@uster.ch>", "anna@localhost", "a b@uster.ch"} {
		_, _, err := account.NormalizeEmail(bad)
		require.Equal(t, apperr.Invalid, apperr.CodeOf(err), bad)
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.Store(t, pgtest.Options{Seed: true})
	svc := &account.Service{Store: st, City: "Uster"}

	acc, err := svc.CreateUser(ctx, "Admin@Uster.ch", "grüne Velos fahren leise", store.Role{Role: account.RoleAdmin})
	require.NoError(t, err)
	require.NotNil(t, acc.EmailVerifiedAt)
	got, err := st.AccountByEmail(ctx, "admin@uster.ch")
	require.NoError(t, err)
	require.Equal(t, acc.ID, got.ID)
	ok, _, err := password.Verify("grüne Velos fahren leise", got.PasswordHash, password.Default)
	require.NoError(t, err)
	require.True(t, ok)
	roles, err := st.Roles(ctx, acc.ID)
	require.NoError(t, err)
	require.Equal(t, []store.Role{{Role: "admin"}}, roles)

	_, err = svc.CreateUser(ctx, "ADMIN@uster.ch", "andere lange Passphrase", store.Role{Role: account.RoleAdmin})
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "addresses are unique without regard to case")

	cases := []struct {
		email, pw string
		roles     []store.Role
	}{
		{"weak@uster.ch", "passwort1234", nil},
		{"kurz@uster.ch", "kurz", nil},
		{"ctx@uster.ch", "mein Uster ist schön", nil},
		{"staff@uster.ch", "grüne Velos fahren leise", []store.Role{{Role: account.RoleStaff}}},
		{"odd@uster.ch", "grüne Velos fahren leise", []store.Role{{Role: "mayor"}}},
		{"nooffice@uster.ch", "grüne Velos fahren leise", []store.Role{{Role: account.RoleStaff, Office: "gibt-es-nicht"}}},
	}
	for _, c := range cases {
		_, err := svc.CreateUser(ctx, c.email, c.pw, c.roles...)
		require.Equal(t, apperr.Invalid, apperr.CodeOf(err), c.email)
		_, err = st.AccountByEmail(ctx, c.email)
		require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "%s: nothing half-written", c.email)
	}

	staff, err := svc.CreateUser(ctx, "beat@uster.ch", "grüne Velos fahren leise",
		store.Role{Role: account.RoleStaff, Office: "einwohnerdienste"}, store.Role{Role: account.RoleStaff, Office: "steueramt"})
	require.NoError(t, err)
	roles, err = st.Roles(ctx, staff.ID)
	require.NoError(t, err)
	require.Len(t, roles, 2)
}
