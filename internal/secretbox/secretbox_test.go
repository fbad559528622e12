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

func TestMAC(t *testing.T) {
	t.Parallel()
	key := NewKey()
	b, _ := New(key)
	same, _ := New(key)
	other, _ := New(NewKey())
	mac := b.MAC([]byte("account-1"), []byte("123456"))
	require.Len(t, mac, 32)
	require.Equal(t, mac, same.MAC([]byte("account-1"), []byte("123456")), "stable under the same key")
	require.NotEqual(t, mac, other.MAC([]byte("account-1"), []byte("123456")), "keyed")
	require.NotEqual(t, mac, b.MAC([]byte("account-2"), []byte("123456")))
	require.NotEqual(t, b.MAC([]byte("ab"), []byte("c")), b.MAC([]byte("a"), []byte("bc")), "parts are delimited")
}
