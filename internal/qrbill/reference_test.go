package qrbill

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Cases marked "manuelbl" are from manuelbl/SwissQRBill's
// generator/src/test/java/net/codecrete/qrbill/generator/QRReferenceTest.java,
// ISO11649Test.java and IBANTest.java; "guideline" from the examples of the
// SIX Implementation Guidelines.

func TestQRReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "123456", want: "000000000000000000001234565"},                     // manuelbl
		{in: "  12 3456 ", want: "000000000000000000001234565"},                 // manuelbl
		{in: "21000000000313947143000901", want: "210000000003139471430009017"}, // guideline
		{in: "1134a56", wantErr: true},                                          // manuelbl
		{in: "123456789012345678901234567", wantErr: true},                      // manuelbl: 27 digits are too many
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := QRReference(tt.in)
		if tt.wantErr {
			require.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got, tt.in)
	}
}

func TestValidQRReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"210000000003139471430009017", true},       // guideline, manuelbl
		{"21 00000 00003 13947 14300 09017", true},  // manuelbl
		{"2100000003139471430009017", false},        // manuelbl: too short
		{"210000S00003139471430009017", false},      // manuelbl: letter
		{"210000000%03139471430009017", false},      // manuelbl: special character
		{"210000000003139471430009016", false},      // manuelbl: check digit
		{"000000000000000000000000000", false},      // manuelbl: all zeros
		{"00 00000 00000 00000 00000 00000", false}, // manuelbl
		{"123456000000001291146290514", true},       // manuelbl (formatting test)
		{"2100000000031394714300090170", false},     // 28 digits
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, ValidQRReference(tt.in), tt.in)
	}
}

func TestCreditorReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "B334BOPQE39D902DC", want: "RF91B334BOPQE39D902DC"},  // manuelbl
		{in: "7", want: "RF097"},                                  // manuelbl: leading zero
		{in: "539007547034", want: "RF18539007547034"},            // guideline
		{in: "5000 0567 8901 2345", want: "RF485000056789012345"}, // guideline "RF48 5000 0567 8901 2345"
		{in: "b334bopqe39d902dc", want: "RF91B334BOPQE39D902DC"},
		{in: "", wantErr: true},        // manuelbl
		{in: "ABC-DEF", wantErr: true}, // manuelbl
		{in: strings.Repeat("1", 22), wantErr: true},
	}
	for _, tt := range tests {
		got, err := CreditorReference(tt.in)
		if tt.wantErr {
			require.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got, tt.in)
		require.True(t, ValidCreditorReference(got), got)
	}
}

func TestValidCreditorReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"RF18539007547034", true},                  // guideline
		{"RF48 5000 0567 8901 2345", true},          // guideline
		{"RF49N73GBST73AKL38ZX", true},              // manuelbl
		{"RF08 B370 0321", true},                    // manuelbl
		{"RF 44 all lower case", true},              // manuelbl
		{" RF19N8BG33KQ9HSS7BG ", true},             // manuelbl
		{"RF66qs9H7NJ4fvs99SPO", true},              // manuelbl
		{"RF040", true},                             // manuelbl
		{"RF04", false},                             // manuelbl: too short
		{"RF 04", false},                            // manuelbl
		{"RF04GHJ74CV9B4DFH99RXPLMMQ43JKL0", false}, // manuelbl: too long
		{"RF20.0000.3", false},                      // manuelbl
		{"DK5750510001322617", false},               // manuelbl
		{" RO49AAAA1B31007593840000", false},        // manuelbl
		{" RFA8FN3DD938494", false},                 // manuelbl
		{"RF0CNHF", false},                          // manuelbl
		{"RF43029348BDEF3823", false},               // manuelbl: checksum
		{"RF19539007547034", false},                 // guideline example, check digits changed
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, ValidCreditorReference(tt.in), tt.in)
	}
}

func TestValidIBAN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"FR7630066100410001057380116", true},       // manuelbl
		{"FR76 3006 6100 4100 0105 7380 116", true}, // manuelbl
		{" DE12500105170648489890 ", true},          // manuelbl
		{"MT98mmeb44093000000009027293051", true},   // manuelbl
		{"CH04", false},                          // manuelbl
		{"CH 04", false},                         // manuelbl
		{"SE64-1200-0000-0121-7014-5230", false}, // manuelbl
		{"0K9311110000001057361004", false},      // manuelbl
		{"S 056031001001300933", false},          // manuelbl
		{" GBF2ESSE40486562136016", false},       // manuelbl
		{"FR7A30066100410001057380116", false},   // manuelbl
		{"DK5650510001322617", false},            // manuelbl
		{"RF0072", false},                        // manuelbl: check digits 00
		{"RF0154", false},                        // manuelbl: 01
		{"RF991X", false},                        // manuelbl: 99
		{"CH4431999123000889012", true},
		{"CH44 3199 9123 0008 8901 2", true},
		{"CH4431999123000889013", false}, // check digits
		{"CH443199912300088901", false},  // 20 characters
		{"LI74300001234567890AB", true},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, ValidIBAN(tt.in), tt.in)
	}
}

func TestIsQRIBAN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"CH4431999123000889012", true},
		{"CH44 3199 9123 0008 8901 2", true},
		{"CH5800791123000889012", false},
		{"CH6429999000123456789", false}, // institution id 29999
		{"CH7230000000123456789", true},  // 30000
		{"CH5931999000123456789", true},  // 31999
		{"CH6732000000123456789", false}, // 32000
		{"LI74300001234567890AB", true},
		{"CH4431999123000889013", false}, // bad check digits
		{"FR7630066100410001057380116", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, IsQRIBAN(tt.in), tt.in)
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	require.Equal(t, "BE68 8440 1037 0034", FormatIBAN("BE68844010370034"))                          // manuelbl
	require.Equal(t, "IT68 D030 0203 2800 0040 0162 854", FormatIBAN("IT68D0300203280000400162854")) // manuelbl
	require.Equal(t, "CH44 3199 9123 0008 8901 2", FormatIBAN("CH44 3199 9123 0008  89012"))
	require.Equal(t, "12 34560 00000 00129 11462 90514", FormatReference("123456000000001291146290514")) // manuelbl
	require.Equal(t, "21 00000 00003 13947 14300 09017", FormatReference("210000 000 00313 9471430009017"))
	require.Equal(t, "RF15 093", FormatReference("RF15093"))                                 // manuelbl
	require.Equal(t, "RF41 BD93 DJ3Q GGD9 JI22 D", FormatReference("RF41BD93DJ3QGGD9JI22D")) // manuelbl
	require.Equal(t, "RF48 5000 0567 8901 2345", FormatReference("RF485000056789012345"))    // guideline
	require.Equal(t, "", FormatReference(""))
}

// Property tests: every generated reference validates, and every
// single-character substitution is caught.
const propertyIterations = 2000

func TestQRReferenceProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2025, 11))
	for range propertyIterations {
		raw := randomString(rng, "0123456789", 1+rng.IntN(26))
		ref, err := QRReference(raw)
		require.NoError(t, err, raw)
		require.Len(t, ref, 27)
		if strings.Trim(ref, "0") == "" {
			continue // all zeros is never valid
		}
		require.True(t, ValidQRReference(ref), ref)
		// The recursive mod 10 check catches every single-digit change:
		// the table is a permutation, so a changed digit changes the carry
		// from there to the end.
		for i := range len(ref) {
			for d := byte('0'); d <= '9'; d++ {
				if d == ref[i] {
					continue
				}
				bad := ref[:i] + string(d) + ref[i+1:]
				require.False(t, ValidQRReference(bad), "%s (from %s)", bad, ref)
			}
		}
	}
}

func TestCreditorReferenceProperties(t *testing.T) {
	t.Parallel()
	const digits, letters = "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	rng := rand.New(rand.NewPCG(2025, 97))
	for range propertyIterations {
		raw := randomString(rng, digits+letters, 1+rng.IntN(21))
		ref, err := CreditorReference(raw)
		require.NoError(t, err, raw)
		require.True(t, ValidCreditorReference(ref), ref)
		// MOD 97-10 catches every substitution of a digit by a digit and
		// of a letter by a letter (a difference below 97 times a power of
		// ten is never a multiple of the prime 97). A digit for a letter
		// changes the length of the number and is not guaranteed caught,
		// so it is not tested.
		for i := range len(ref) {
			class := digits
			if strings.IndexByte(letters, ref[i]) >= 0 {
				class = letters
			}
			for j := range len(class) {
				if class[j] == ref[i] {
					continue
				}
				bad := ref[:i] + string(class[j]) + ref[i+1:]
				require.False(t, ValidCreditorReference(bad), "%s (from %s)", bad, ref)
			}
		}
	}
}

func randomString(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}
