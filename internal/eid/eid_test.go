package eid

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
)

// The checks that come before any request to the provider; the whole
// flow against a real provider is tested in api (TestEID*).
func TestFinishRefusesBeforeAskingTheProvider(t *testing.T) {
	t.Parallel()
	// Nothing listens there: a check that fell through would fail with ErrProvider.
	c := New(Config{Issuer: "http://127.0.0.1:1/idp", ClientID: "x"})
	fresh := &Flow{State: "s", Nonce: "n", Verifier: "v", Started: time.Now()}
	old := &Flow{State: "s", Nonce: "n", Verifier: "v", Started: time.Now().Add(-FlowLifetime - time.Second)}
	for _, tc := range []struct {
		name string
		flow *Flow
		q    url.Values
		want error
	}{
		{"no flow", nil, url.Values{"state": {"s"}, "code": {"c"}}, ErrInvalid},
		{"other state", fresh, url.Values{"state": {"t"}, "code": {"c"}}, ErrInvalid},
		{"empty state", fresh, url.Values{"code": {"c"}}, ErrInvalid},
		{"older than 10 minutes", old, url.Values{"state": {"s"}, "code": {"c"}}, ErrExpired},
		{"another issuer (RFC 9207)", fresh, url.Values{"state": {"s"}, "code": {"c"}, "iss": {"https://evil.example"}}, ErrInvalid},
		{"cancelled", fresh, url.Values{"state": {"s"}, "error": {"access_denied"}}, ErrCancelled},
		{"provider error", fresh, url.Values{"state": {"s"}, "error": {"server_error"}}, ErrProvider},
		{"no code", fresh, url.Values{"state": {"s"}}, ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Finish(context.Background(), tc.flow, tc.q)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestACRForLevel(t *testing.T) {
	t.Parallel()
	agov := New(Config{Levels: []ACRLevel{{"q10", account.LevelAccount}, {"q20", account.LevelTwoFactor}, {"q30", account.LevelEID}, {"q40", account.LevelEID}}})
	noTwoFactor := New(Config{Levels: []ACRLevel{{"q10", account.LevelAccount}, {"q30", account.LevelEID}}})
	accountOnly := New(Config{Levels: []ACRLevel{{"q10", account.LevelAccount}}})
	for _, tc := range []struct {
		name string
		c    *Client
		need account.Level
		want string
	}{
		{"weakest that gives the level", agov, account.LevelEID, "q30"},
		{"exactly the level", agov, account.LevelTwoFactor, "q20"},
		{"a stronger one when none gives the level", noTwoFactor, account.LevelTwoFactor, "q30"},
		{"none reaches it", accountOnly, account.LevelEID, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.c.acrFor(tc.need))
			require.Equal(t, tc.want != "", tc.c.Reaches(tc.need))
		})
	}
	l, ok := agov.LevelOf("q40")
	require.True(t, ok)
	require.Equal(t, account.LevelEID, l)
	_, ok = agov.LevelOf("q50")
	require.False(t, ok)
}
