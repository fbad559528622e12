package secretbox

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	b, err := New(NewKey())
	require.NoError(t, err)
	sealed := b.Seal([]byte("JBSWY3DPEHPK3PXP"), []byte("account-1"))
	require.NotContains(t, string(sealed), "JBSWY3DPEHPK3PXP")
	out, err := b.Open(sealed, []byte("account-1"))
	require.NoError(t, err)
	require.Equal(t, "JBSWY3DPEHPK3PXP", string(out))
	_, err = b.Open(sealed, []byte("account-2"))
	require.Error(t, err, "bound to its context")
	other, _ := New(NewKey())
	_, err = other.Open(sealed, []byte("account-1"))
	require.Error(t, err, "another key opens nothing")
	_, err = New("short")
	require.Error(t, err)
}
