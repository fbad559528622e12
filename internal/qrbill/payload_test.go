package qrbill

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// The vectors below are manuelbl/SwissQRBill's (Java, v3.4), for bills
// with structured addresses only:
//
//   - "sample N": input and expected text from
//     generator/src/test/java/net/codecrete/qrbill/generator/SampleQrCodeText.java
//     (getBillDataN, QR_CODE_TEXT_N), checked by its EncodedTextTest;
//   - "example N": input from
//     generator/src/test/java/net/codecrete/qrbill/testhelper/SampleData.java
//     (getExampleN); the expected text is the QR code of the reference file
//     generator/src/test/resources/a4bill_exN.pdf (ex8: a4bill_ex8b.pdf,
//     the extended character set) that its A4BillTest compares its output
//     with byte for byte, decoded with gozxing.
//
// Inputs are copied as they are, odd spaces included (" Rorschach",
// "CH44 3199 9123 0008  89012"), since normalising them is part of what
// must match.

func manuelblSample1() Bill {
	return Bill{
		Account:  "CH58 0079 1123 0008 8901 2",
		Creditor: Address{Name: "Robert Schneider AG", Street: "Rue du Lac", BuildingNumber: "1268", PostalCode: "2501", Town: "Biel", Country: "CH"},
		Amount:   394975,
		Currency: "CHF",
		Debtor:   &Address{Name: "Pia Rutschmann", Street: "Marktgasse", BuildingNumber: "28", PostalCode: "9400", Town: " Rorschach", Country: "CH"},
		Message:  "Bill no. 3139 for gardening work and disposal of waste material",
	}
}

var manuelblSample1Text = []string{
	"SPC", "0200", "1", "CH5800791123000889012",
	"S", "Robert Schneider AG", "Rue du Lac", "1268", "2501", "Biel", "CH",
	"", "", "", "", "", "", "",
	"3949.75", "CHF",
	"S", "Pia Rutschmann", "Marktgasse", "28", "9400", "Rorschach", "CH",
	"NON", "", "Bill no. 3139 for gardening work and disposal of waste material", "EPD",
}

func manuelblExample1() Bill {
	return Bill{
		Account:         "CH44 3199 9123 0008  89012",
		Creditor:        Address{Name: "Robert Schneider AG", Street: "Rue du Lac", BuildingNumber: "1268/2/22", PostalCode: "2501", Town: "Biel", Country: "CH"},
		Amount:          12394975,
		Currency:        "CHF",
		Debtor:          &Address{Name: "Pia-Maria Rutschmann-Schnyder", Street: "Grosse Marktgasse", BuildingNumber: "28", PostalCode: "9400", Town: " Rorschach", Country: "CH"},
		Reference:       "210000 000 00313 9471430009017",
		Message:         "Instruction of 15.09.2019",
		BillInformation: "//S1/01/20170309/11/10201409/20/14000000/22/36958/30/CH106017086/40/1020/41/3010",
		AlternativeSchemes: []AlternativeScheme{
			{Name: "Ultraviolet", Instruction: "UV;UltraPay005;12345"},
			{Name: "Xing Yong", Instruction: "XY;XYService;54321"},
		},
	}
}

func manuelblExample8() Bill {
	return Bill{
		Account:   "CH14 8914 4587 8681 9314 7",
		Creditor:  Address{Name: "Buğra Çavdarli", Street: "Rue du Lièvre", BuildingNumber: "13", PostalCode: "1219", Town: "Aïre", Country: "CH"},
		Amount:    17900,
		Currency:  "CHF",
		Debtor:    &Address{Name: "L'Œil de Bœuf", Street: "Route d'Outre Vièze", BuildingNumber: "44", PostalCode: "1871", Town: "Choëx", Country: "CH"},
		Reference: "RF35RF23452352345",
		Message:   "Facture 48390, €10 de réduction",
	}
}

func TestPayloadMatchesManuelbl(t *testing.T) {
	t.Parallel()
	robert := Address{Name: "Robert Schneider AG", Street: "Rue du Lac", BuildingNumber: "1268", PostalCode: "2501", Town: "Biel", Country: "CH"}
	robert22 := robert
	robert22.BuildingNumber = "1268/2/22"
	tests := []struct {
		name string
		bill Bill
		want []string
	}{
		{
			name: "sample 1: IBAN, no reference (NON), debtor",
			bill: manuelblSample1(),
			want: manuelblSample1Text,
		},
		{
			name: "sample 2: QR-IBAN, QR reference, bill information, two alternative schemes",
			bill: Bill{
				Account:         "CH4431999123000889012",
				Creditor:        robert,
				Amount:          194975,
				Currency:        "CHF",
				Debtor:          &Address{Name: "Pia-Maria Rutschmann-Schnyder", Street: "Grosse Marktgasse", BuildingNumber: "28", PostalCode: "9400", Town: " Rorschach", Country: "CH"},
				Reference:       "210000000003139471430009017",
				Message:         "Order dated 18.06.2020",
				BillInformation: "//S1/01/20170309/11/10201409/20/14000000/22/36958/30/CH106017086/40/1020/41/3010",
				AlternativeSchemes: []AlternativeScheme{
					{Name: "Ultraviolet", Instruction: "UV;UltraPay005;12345"},
					{Name: "Xing Yong", Instruction: "XY;XYService;54321"},
				},
			},
			want: []string{
				"SPC", "0200", "1", "CH4431999123000889012",
				"S", "Robert Schneider AG", "Rue du Lac", "1268", "2501", "Biel", "CH",
				"", "", "", "", "", "", "",
				"1949.75", "CHF",
				"S", "Pia-Maria Rutschmann-Schnyder", "Grosse Marktgasse", "28", "9400", "Rorschach", "CH",
				"QRR", "210000000003139471430009017", "Order dated 18.06.2020", "EPD",
				"//S1/01/20170309/11/10201409/20/14000000/22/36958/30/CH106017086/40/1020/41/3010",
				"UV;UltraPay005;12345",
				"XY;XYService;54321",
			},
		},
		{
			name: "sample 3: open amount, no debtor, no street",
			bill: Bill{
				Account:  "CH37 0900 0000 3044 4222 5",
				Creditor: Address{Name: "Salvation Army Foundation Switzerland", PostalCode: "3000", Town: "Bern", Country: "CH"},
				Currency: "CHF",
				Message:  "Donnation to the Winterfest campaign",
			},
			want: []string{
				"SPC", "0200", "1", "CH3709000000304442225",
				"S", "Salvation Army Foundation Switzerland", "", "", "3000", "Bern", "CH",
				"", "", "", "", "", "", "",
				"", "CHF",
				"", "", "", "", "", "", "",
				"NON", "", "Donnation to the Winterfest campaign", "EPD",
			},
		},
		{
			name: "example 1: QR reference with spaces, IBAN with a double space",
			bill: manuelblExample1(),
			want: []string{
				"SPC", "0200", "1", "CH4431999123000889012",
				"S", "Robert Schneider AG", "Rue du Lac", "1268/2/22", "2501", "Biel", "CH",
				"", "", "", "", "", "", "",
				"123949.75", "CHF",
				"S", "Pia-Maria Rutschmann-Schnyder", "Grosse Marktgasse", "28", "9400", "Rorschach", "CH",
				"QRR", "210000000003139471430009017", "Instruction of 15.09.2019", "EPD",
				"//S1/01/20170309/11/10201409/20/14000000/22/36958/30/CH106017086/40/1020/41/3010",
				"UV;UltraPay005;12345",
				"XY;XYService;54321",
			},
		},
		{
			name: "example 2: open amount, no debtor, empty reference",
			bill: Bill{
				Account:  "CH3709000000304442225",
				Creditor: Address{Name: "Salvation Army Foundation Switzerland", PostalCode: "3000", Town: "Berne", Country: "CH"},
				Currency: "CHF",
				Message:  "Donation to the Winterfest Campaign",
			},
			want: []string{
				"SPC", "0200", "1", "CH3709000000304442225",
				"S", "Salvation Army Foundation Switzerland", "", "", "3000", "Berne", "CH",
				"", "", "", "", "", "", "",
				"", "CHF",
				"", "", "", "", "", "", "",
				"NON", "", "Donation to the Winterfest Campaign", "EPD",
			},
		},
		{
			name: "example 3: IBAN, creditor reference (SCOR), no message",
			bill: Bill{
				Account:   "CH74 0070 0110 0061 1600 2",
				Creditor:  robert22,
				Amount:    19995,
				Currency:  "CHF",
				Debtor:    &Address{Name: "Pia-Maria Rutschmann-Schnyder", Street: "Grosse Marktgasse", BuildingNumber: "28", PostalCode: "9400", Town: "Rorschach", Country: "CH"},
				Reference: "RF18539007547034",
			},
			want: []string{
				"SPC", "0200", "1", "CH7400700110006116002",
				"S", "Robert Schneider AG", "Rue du Lac", "1268/2/22", "2501", "Biel", "CH",
				"", "", "", "", "", "", "",
				"199.95", "CHF",
				"S", "Pia-Maria Rutschmann-Schnyder", "Grosse Marktgasse", "28", "9400", "Rorschach", "CH",
				"SCOR", "RF18539007547034", "", "EPD",
			},
		},
		{
			name: "example 8: extended Latin (ğ, Œ, €) since v2.3",
			bill: manuelblExample8(),
			want: []string{
				"SPC", "0200", "1", "CH1489144587868193147",
				"S", "Buğra Çavdarli", "Rue du Lièvre", "13", "1219", "Aïre", "CH",
				"", "", "", "", "", "", "",
				"179.00", "CHF",
				"S", "L'Œil de Bœuf", "Route d'Outre Vièze", "44", "1871", "Choëx", "CH",
				"SCOR", "RF35RF23452352345", "Facture 48390, €10 de réduction", "EPD",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.bill.Payload()
			require.NoError(t, err)
			require.Equal(t, strings.Join(tt.want, "\n"), got)
		})
	}
}

// Not a manuelbl vector: sample 1 in euros. The currency is the only line
// that changes; manuelbl writes EUR amounts the same way.
func TestPayloadEUR(t *testing.T) {
	t.Parallel()
	b := manuelblSample1()
	b.Currency = "eur"
	got, err := b.Payload()
	require.NoError(t, err)
	want := append([]string(nil), manuelblSample1Text...)
	want[19] = "EUR"
	require.Equal(t, strings.Join(want, "\n"), got)
}

func TestPayloadShape(t *testing.T) {
	t.Parallel()
	for _, b := range []Bill{manuelblSample1(), manuelblExample1(), manuelblExample8()} {
		p, err := b.Payload()
		require.NoError(t, err)
		require.NotContains(t, p, "\r", "LF only, as manuelbl")
		require.False(t, strings.HasSuffix(p, "\n"), "no line feed after the last line")
		lines := strings.Split(p, "\n")
		require.GreaterOrEqual(t, len(lines), 31)
		require.LessOrEqual(t, len(lines), 34)
		require.Equal(t, "EPD", lines[30])
		require.True(t, utf8.ValidString(p))
		require.LessOrEqual(t, len(p), 997)
	}
}

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rappen      int64
		payload     string
		printed     string
		description string
	}{
		{0, "", "", "open"},
		{1, "0.01", "0.01", "smallest"},
		{50, "0.50", "0.50", "below a franc"},
		{1700, "17.00", "17.00", "whole francs"},
		{194975, "1949.75", "1 949.75", "thousands"},
		{12394975, "123949.75", "123 949.75", "hundred thousands"},
		{99999999999, "999999999.99", "999 999 999.99", "largest"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.payload, formatAmount(tt.rappen, ""), tt.description)
		require.Equal(t, tt.printed, formatAmount(tt.rappen, " "), tt.description)
	}
}

func TestNormalisation(t *testing.T) {
	t.Parallel()
	b := manuelblSample1()
	// A decomposed ï (i + U+0308), spaces around and inside.
	b.Creditor.Town = "  Ai\u0308re "
	b.Message = "Bill   no.  3139 "
	b.Account = "ch58 0079 1123 0008 8901 2"
	b.Creditor.Country = "ch"
	p, err := b.Payload()
	require.NoError(t, err)
	lines := strings.Split(p, "\n")
	require.Equal(t, "CH5800791123000889012", lines[3])
	require.Equal(t, "Aïre", lines[9])
	require.Equal(t, "CH", lines[10])
	require.Equal(t, "Bill no. 3139", lines[29])
}

func TestDebtorAllEmptyIsNoDebtor(t *testing.T) {
	t.Parallel()
	b := manuelblSample1()
	b.Debtor = &Address{Name: " "}
	p, err := b.Payload()
	require.NoError(t, err)
	require.Equal(t, []string{"", "", "", "", "", "", ""}, strings.Split(p, "\n")[20:27])
}
