package qrbill

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// validBill is manuelbl's example 1 (QR-IBAN, QR reference, debtor, bill
// information, two alternative schemes): every field in use.
func validBill() Bill { return manuelblExample1() }

// ibanBill is the same with an ordinary IBAN and a creditor reference.
func ibanBill() Bill {
	b := validBill()
	b.Account = "CH5800791123000889012"
	b.Reference = "RF18539007547034"
	return b
}

func errorPaths(t *testing.T, err error) []string {
	t.Helper()
	require.Error(t, err)
	e, ok := apperr.As(err)
	require.True(t, ok, "want an *apperr.Error, got %T", err)
	require.Equal(t, apperr.Invalid, e.Code)
	var paths []string
	for _, f := range e.Fields {
		require.NotEmpty(t, f.Message, f.Path)
		paths = append(paths, f.Path)
	}
	return paths
}

func TestValidateFieldErrors(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name   string
		base   func() Bill
		change func(*Bill)
		want   []string // the error paths; nil for a valid bill
	}{
		{"valid", validBill, func(*Bill) {}, nil},
		{"valid with IBAN and SCOR", ibanBill, func(*Bill) {}, nil},
		{"valid with IBAN and no reference", ibanBill, func(b *Bill) { b.Reference = "" }, nil},

		{"account missing", validBill, func(b *Bill) { b.Account = " " }, []string{"account"}},
		{"account check digits", validBill, func(b *Bill) { b.Account = "CH4431999123000889013" }, []string{"account"}},
		{"account not CH or LI", validBill, func(b *Bill) { b.Account = "DE89370400440532013000"; b.Reference = "" }, []string{"account"}},
		{"account too short", validBill, func(b *Bill) { b.Account = "CH443199912300088901" }, []string{"account"}},
		{"account with bad characters", validBill, func(b *Bill) { b.Account = "CH44-3199-9123-0008-8901-2" }, []string{"account"}},

		{"creditor name missing", validBill, func(b *Bill) { b.Creditor.Name = "" }, []string{"creditor.name"}},
		{"creditor name 70", validBill, func(b *Bill) { b.Creditor.Name = long(70) }, nil},
		{"creditor name 71", validBill, func(b *Bill) { b.Creditor.Name = long(71) }, []string{"creditor.name"}},
		{"creditor street 70", validBill, func(b *Bill) { b.Creditor.Street = long(70) }, nil},
		{"creditor street 71", validBill, func(b *Bill) { b.Creditor.Street = long(71) }, []string{"creditor.street"}},
		{"creditor building number 16", validBill, func(b *Bill) { b.Creditor.BuildingNumber = long(16) }, nil},
		{"creditor building number 17", validBill, func(b *Bill) { b.Creditor.BuildingNumber = long(17) }, []string{"creditor.building_number"}},
		{"creditor postal code missing", validBill, func(b *Bill) { b.Creditor.PostalCode = "" }, []string{"creditor.postal_code"}},
		{"creditor postal code 16", validBill, func(b *Bill) { b.Creditor.PostalCode = long(16) }, nil},
		{"creditor postal code 17", validBill, func(b *Bill) { b.Creditor.PostalCode = long(17) }, []string{"creditor.postal_code"}},
		{"creditor town missing", validBill, func(b *Bill) { b.Creditor.Town = "" }, []string{"creditor.town"}},
		{"creditor town 35", validBill, func(b *Bill) { b.Creditor.Town = long(35) }, nil},
		{"creditor town 36", validBill, func(b *Bill) { b.Creditor.Town = long(36) }, []string{"creditor.town"}},
		{"creditor town 35 umlauts", validBill, func(b *Bill) { b.Creditor.Town = strings.Repeat("ü", 35) }, nil},
		{"creditor country missing", validBill, func(b *Bill) { b.Creditor.Country = "" }, []string{"creditor.country"}},
		{"creditor country unknown", validBill, func(b *Bill) { b.Creditor.Country = "XX" }, []string{"creditor.country"}},
		{"creditor country three letters", validBill, func(b *Bill) { b.Creditor.Country = "CHE" }, []string{"creditor.country"}},
		{"creditor country lower case", validBill, func(b *Bill) { b.Creditor.Country = "li" }, nil},
		{"creditor empty", validBill, func(b *Bill) { b.Creditor = Address{} },
			[]string{"creditor.name", "creditor.postal_code", "creditor.town", "creditor.country"}},

		{"debtor name missing", validBill, func(b *Bill) { b.Debtor.Name = "" }, []string{"debtor.name"}},
		{"debtor name 71", validBill, func(b *Bill) { b.Debtor.Name = long(71) }, []string{"debtor.name"}},
		{"debtor street 71", validBill, func(b *Bill) { b.Debtor.Street = long(71) }, []string{"debtor.street"}},
		{"debtor building number 17", validBill, func(b *Bill) { b.Debtor.BuildingNumber = long(17) }, []string{"debtor.building_number"}},
		{"debtor postal code 17", validBill, func(b *Bill) { b.Debtor.PostalCode = long(17) }, []string{"debtor.postal_code"}},
		{"debtor town 36", validBill, func(b *Bill) { b.Debtor.Town = long(36) }, []string{"debtor.town"}},
		{"debtor country", validBill, func(b *Bill) { b.Debtor.Country = "C" }, []string{"debtor.country"}},
		{"debtor abroad", validBill, func(b *Bill) { b.Debtor.Country = "DE" }, nil},

		{"emoji in a name", validBill, func(b *Bill) { b.Creditor.Name = "Thanks 🙏 Lisa" }, []string{"creditor.name"}},
		{"flag in a street", validBill, func(b *Bill) { b.Debtor.Street = "abc\U0001F1E8\U0001F1EDdef" }, []string{"debtor.street"}},
		{"CJK in a town", validBill, func(b *Bill) { b.Creditor.Town = "東京" }, []string{"creditor.town"}},
		{"line feed in the message", validBill, func(b *Bill) { b.Message = "one\ntwo" }, []string{"message"}},
		{"tab in the bill information", validBill, func(b *Bill) { b.BillInformation = "//S1/10\t1" }, []string{"bill_information"}},
		{"control character in a postal code", validBill, func(b *Bill) { b.Creditor.PostalCode = "25\x0001" }, []string{"creditor.postal_code"}},
		{"Greek in an alternative scheme", validBill, func(b *Bill) { b.AlternativeSchemes[1].Instruction = "XY;Ωmega" }, []string{"alternative_schemes[1].instruction"}},
		{"extended Latin is allowed", validBill, func(b *Bill) { b.Creditor.Name = "Ștefan Łukasz Œuvre €" }, nil},
		{"decomposed umlaut is allowed", validBill, func(b *Bill) { b.Creditor.Town = "Zu\u0308rich" }, nil},

		{"amount negative", validBill, func(b *Bill) { b.Amount = -1 }, []string{"amount"}},
		{"amount open", validBill, func(b *Bill) { b.Amount = 0 }, nil},
		{"amount smallest", validBill, func(b *Bill) { b.Amount = 1 }, nil},
		{"amount largest", validBill, func(b *Bill) { b.Amount = 99_999_999_999 }, nil},
		{"amount too large", validBill, func(b *Bill) { b.Amount = 100_000_000_000 }, []string{"amount"}},

		{"currency missing", validBill, func(b *Bill) { b.Currency = "" }, []string{"currency"}},
		{"currency USD", validBill, func(b *Bill) { b.Currency = "USD" }, []string{"currency"}},
		{"currency EUR", validBill, func(b *Bill) { b.Currency = "EUR" }, nil},

		{"QR reference with an IBAN", ibanBill, func(b *Bill) { b.Reference = "210000000003139471430009017" }, []string{"reference"}},
		{"creditor reference with a QR-IBAN", validBill, func(b *Bill) { b.Reference = "RF18539007547034" }, []string{"reference"}},
		{"no reference with a QR-IBAN", validBill, func(b *Bill) { b.Reference = "" }, []string{"reference"}},
		{"QR reference check digit", validBill, func(b *Bill) { b.Reference = "210000000003139471430009016" }, []string{"reference"}},
		{"QR reference 28 digits", validBill, func(b *Bill) { b.Reference = "2100000000031394714300090170" }, []string{"reference"}},
		{"QR reference with leading zeros left out", validBill, func(b *Bill) { b.Reference = "1234565" }, nil},
		{"creditor reference check digits", ibanBill, func(b *Bill) { b.Reference = "RF19539007547034" }, []string{"reference"}},
		{"reference neither", ibanBill, func(b *Bill) { b.Reference = "INV-2025-17" }, []string{"reference"}},
		{"reference form checked with a bad account", validBill, func(b *Bill) { b.Account = "CH00"; b.Reference = "RF00" },
			[]string{"account", "reference"}},

		{"message 140", ibanBill, func(b *Bill) { b.Message = long(140); b.BillInformation = "" }, nil},
		{"message 141", ibanBill, func(b *Bill) { b.Message = long(141); b.BillInformation = "" }, []string{"message", "message", "bill_information"}},
		{"bill information 141", ibanBill, func(b *Bill) { b.Message = ""; b.BillInformation = "//" + long(139) },
			[]string{"bill_information", "message", "bill_information"}},
		{"message and bill information 140 together", ibanBill, func(b *Bill) { b.Message = long(70); b.BillInformation = "//" + long(68) }, nil},
		{"message and bill information 141 together", ibanBill, func(b *Bill) { b.Message = long(71); b.BillInformation = "//" + long(68) },
			[]string{"message", "bill_information"}},
		{"bill information without //", validBill, func(b *Bill) { b.BillInformation = "S1/10/123" }, []string{"bill_information"}},

		{"three alternative schemes", validBill, func(b *Bill) {
			b.AlternativeSchemes = append(b.AlternativeSchemes, AlternativeScheme{Instruction: "ZZ;1"})
		}, []string{"alternative_schemes"}},
		{"alternative scheme 100", validBill, func(b *Bill) { b.AlternativeSchemes[0].Instruction = long(100) }, nil},
		{"alternative scheme 101", validBill, func(b *Bill) { b.AlternativeSchemes[0].Instruction = long(101) }, []string{"alternative_schemes[0].instruction"}},
		{"alternative scheme empty", validBill, func(b *Bill) { b.AlternativeSchemes[1].Instruction = " " }, []string{"alternative_schemes[1].instruction"}},

		{"payload over 997 bytes", validBill, func(b *Bill) {
			// Every field at its limit in two-byte characters: within every
			// field limit, but 1 000 bytes and more in UTF-8.
			a := Address{
				Name: strings.Repeat("ä", 70), Street: strings.Repeat("ö", 70), BuildingNumber: strings.Repeat("ü", 16),
				PostalCode: strings.Repeat("é", 16), Town: strings.Repeat("è", 35), Country: "CH",
			}
			b.Creditor, b.Debtor = a, &a
			b.Message = strings.Repeat("à", 60)
		}, []string{"payload"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := tt.base()
			tt.change(&b)
			err := b.Validate()
			if tt.want == nil {
				require.NoError(t, err)
				_, err = b.Payload()
				require.NoError(t, err)
				return
			}
			require.Equal(t, tt.want, errorPaths(t, err))
			_, err = b.Payload()
			require.Equal(t, tt.want, errorPaths(t, err), "Payload validates too")
		})
	}
}

func TestValidateCollectsAllErrors(t *testing.T) {
	t.Parallel()
	err := Bill{Amount: -5, Currency: "GBP", Reference: "nope"}.Validate()
	require.Equal(t, []string{
		"account",
		"creditor.name", "creditor.postal_code", "creditor.town", "creditor.country",
		"amount", "currency", "reference",
	}, errorPaths(t, err))
}

func TestAllowedRune(t *testing.T) {
	t.Parallel()
	for _, r := range "aZ09 !~£´ÀÿĀſȘșȚț€\u00a0" {
		require.True(t, allowedRune(r), "%q", r)
	}
	for _, r := range "\x00\t\n\r\x7f\u0080\u009f\u0180\u0217\u021cΩЖ\u2026🙏" {
		require.False(t, allowedRune(r), "%q", r)
	}
}
