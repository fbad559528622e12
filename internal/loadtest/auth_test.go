package loadtest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/password"
	"github.com/schalter-ch/schalter/internal/store"
)

// benchAccounts is the number of accounts logins rotate over: the login
// throttle allows 10 attempts per address in 15 minutes.
const benchAccounts = 400

func benchUsers(t *testing.T, st *store.Store) {
	svc := &account.Service{Store: st, City: "Uster"}
	for i := 0; i < benchAccounts; i++ {
		_, err := svc.CreateUser(context.Background(), fmt.Sprintf("bench%d@example.ch", i), "grüne Velos fahren leise")
		require.NoError(t, err)
	}
}

func loginCookie(t *testing.T, base string) string { return loginAs(t, base, "bench0@example.ch") }

func hashCost(t *testing.T) time.Duration {
	var d []time.Duration
	for i := 0; i < 20; i++ {
		s := time.Now()
		_, err := password.Hash("grüne Velos fahren leise", password.Default)
		require.NoError(t, err)
		d = append(d, time.Since(s))
	}
	slices.Sort(d)
	return d[len(d)/2]
}
