package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
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

func loginCookie(t *testing.T, base string) string {
	res, err := http.Post(base+"/api/v1/session", "application/json",
		strings.NewReader(`{"email":"bench0@example.ch","password":"grüne Velos fahren leise"}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	for _, c := range res.Cookies() {
		if c.Name == "schalter_session" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

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
