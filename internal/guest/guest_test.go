package guest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/guest"
)

func TestIDs(t *testing.T) {
	t.Parallel()
	a, b := guest.New(), guest.New()
	require.NotEqual(t, a, b, "random")
	for _, tc := range []struct {
		id    string
		valid bool
	}{
		{a, true}, {"", false}, {a[:31], false}, {"0123456789ABCDEF0123456789ABCDEF", false}, {"guest:" + a, false},
	} {
		require.Equal(t, tc.valid, guest.Valid(tc.id), tc.id)
	}
}
