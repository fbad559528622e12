package account_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
)

func TestNewRelyingParty(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		publicURL string
		rpID      string
		origins   []string
	}{
		{"https://schalter.uster.ch", "schalter.uster.ch", []string{"https://schalter.uster.ch"}},
		{"https://schalter.uster.ch:8443", "schalter.uster.ch", []string{"https://schalter.uster.ch:8443"}},
		{"http://localhost:8080", "localhost", []string{"http://localhost:8080", "http://localhost:5173"}},
		{"https://localhost:8443", "localhost", []string{"https://localhost:8443", "http://localhost:8080", "http://localhost:5173"}},
		// Browsers refuse IP addresses as relying party ids: passkeys are off.
		{"http://127.0.0.1:8080", "", nil},
		{"", "", nil},
	} {
		t.Run(tc.publicURL, func(t *testing.T) {
			rp, err := account.NewRelyingParty(tc.publicURL, "Stadt Uster")
			if tc.rpID == "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.rpID, rp.Config.RPID)
			require.Equal(t, tc.origins, rp.Config.RPOrigins)
			require.Equal(t, "Stadt Uster", rp.Config.RPDisplayName)
		})
	}
}

func TestPasskeyName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"iPhone", "iPhone"},
		{"  Laptop Büro ", "Laptop Büro"},
		{strings.Repeat("ä", 60), strings.Repeat("ä", 60)},
		{"", ""},
		{"   ", ""},
		{strings.Repeat("x", 61), ""},
		{"Tab\there", ""},
	} {
		got, err := account.PasskeyName(tc.in)
		if tc.want == "" {
			e, ok := apperr.As(err)
			require.True(t, ok, "%q", tc.in)
			require.Equal(t, apperr.Invalid, e.Code)
			require.Equal(t, "body.name", e.Fields[0].Path)
			continue
		}
		require.NoError(t, err, "%q", tc.in)
		require.Equal(t, tc.want, got)
	}
}
