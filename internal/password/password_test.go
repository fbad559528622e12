package password

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fast keeps unit tests quick; the real parameters are measured in
// BenchmarkHash.
var fast = Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pw      string
		context []string
		want    error
	}{
		{"kurz", nil, ErrTooShort},
		{"elf Zeichen", nil, ErrTooShort},
		{strings.Repeat("x", MaxLength+1), nil, ErrTooLong},
		{"passwort1234", nil, ErrCommon},
		{"Sommer2026!!", nil, ErrCommon},
		{"Schweiz12345", nil, ErrCommon},
		{"aaaaaaaaaaaaaaa", nil, ErrCommon},
		{"abcabcabcabcabc", nil, ErrCommon},
		{"123456789012", nil, ErrCommon},
		{"qwertzuiopas", nil, ErrCommon},
		{"anna.muster-geheim-99", []string{"anna.muster"}, ErrContextual},
		{"Grüezi-Uster-Schalter", []string{"uster"}, ErrContextual},
		{"grüne Velos fahren leise", nil, nil},
		{"Kaffee mit Gipfeli 7:30", nil, nil},
		{"日本語のパスワードです十二", nil, nil}, // every character is allowed
		{"correct horse battery staple", nil, nil},
	}
	for _, c := range cases {
		require.ErrorIs(t, Check(c.pw, c.context...), c.want, c.pw)
		if c.want == nil {
			require.NoError(t, Check(c.pw, c.context...), c.pw)
		}
	}
}

func TestHashAndVerify(t *testing.T) {
	t.Parallel()
	h, err := Hash("grüne Velos fahren leise", fast)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$"))
	h2, err := Hash("grüne Velos fahren leise", fast)
	require.NoError(t, err)
	require.NotEqual(t, h, h2, "a fresh salt every time")

	ok, rehash, err := Verify("grüne Velos fahren leise", h, fast)
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, rehash)
	// Unicode normalisation: "ü" as one code point or as u + combining
	// diaeresis is the same password.
	ok, _, err = Verify("gru\u0308ne Velos fahren leise", h, fast)
	require.NoError(t, err)
	require.True(t, ok)

	ok, _, err = Verify("grüne Velos fahren laut", h, fast)
	require.NoError(t, err)
	require.False(t, ok)

	_, rehash, err = Verify("grüne Velos fahren leise", h, Params{Memory: 2048, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	require.NoError(t, err)
	require.True(t, rehash, "weaker than today's parameters")

	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA", "$argon2id$v=19$m=1,t=1,p=1$!!$AAAA"} {
		_, _, err := Verify("x", bad, fast)
		require.Error(t, err, bad)
	}
}

func TestDummyVerifiesNothing(t *testing.T) {
	t.Parallel()
	ok, _, err := Verify("", Dummy(), Default)
	require.NoError(t, err)
	require.False(t, ok)
}

// BenchmarkHash measures one hash (and so one verification) with the
// default parameters; make bench reports it.
func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("grüne Velos fahren leise", Default); err != nil {
			b.Fatal(err)
		}
	}
}
