package camt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/apperr"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// invalid is the error Parse returns for a bad file.
func invalid(msg string, fields ...apperr.FieldError) *apperr.Error {
	return &apperr.Error{Code: apperr.Invalid, Message: msg, Fields: fields}
}

func TestParseFiles(t *testing.T) {
	t.Parallel()
	mar2 := date(2026, time.March, 2)
	tests := []struct {
		file    string
		want    *Notification
		wantErr *apperr.Error
	}{{
		// QRR, SCOR, Ustrd only, a batch of three, a debit, a reversal either
		// way, a pending entry, and a second account in EUR.
		file: "zkb_credits.xml",
		want: &Notification{
			MessageID: "ZKB20260302054000017",
			Created:   time.Date(2026, time.March, 2, 17, 4, 11, 0, time.UTC),
			Accounts: []Account{{
				NotificationID: "ZKB20260302054000017-1",
				IBAN:           "CH4431999123000889012",
				Currency:       "CHF",
				Credits: []Credit{{
					BankRef: "ZKB20260302T0000101", Amount: 18000, Currency: "CHF",
					BookingDate: mar2, ValueDate: mar2,
					Reference: "210000000003139471430009017", ReferenceType: QRR,
					DebtorName: "Tamara Keller", DebtorIBAN: "CH9300762011623852957", Line: 56,
				}, {
					BankRef: "ZKB20260302T0000102", Amount: 7550, Currency: "CHF",
					BookingDate: time.Date(2026, time.March, 2, 13, 5, 31, 0, time.UTC), ValueDate: date(2026, time.March, 3),
					Reference: "RF18539007547034", ReferenceType: SCOR, Unstructured: "Hundesteuer 2026",
					DebtorName: "Marco Bernasconi", DebtorIBAN: "CH8700235235012345678", Line: 120,
				}, {
					// No Refs/AcctSvcrRef: the entry's reference and the position.
					BankRef: "ZKB20260302C0000103#1", Amount: 4200, Currency: "CHF",
					BookingDate: mar2, ValueDate: mar2,
					Unstructured: "Parkkarte Anwohner Zone B, März 2026",
					DebtorName:   "Ursula Meier-Brunner", Line: 177,
				}, {
					BankRef: "ZKB20260302T0000104", Amount: 12000, Currency: "CHF",
					BookingDate: mar2, ValueDate: mar2,
					Reference: "000000000000000202600000412", ReferenceType: QRR,
					DebtorName: "Beat Zürcher", Line: 222,
				}, {
					// No Tp: recognised as QRR by its check digit.
					BankRef: "ZKB20260302C0000104#2", Amount: 25050, Currency: "CHF",
					BookingDate: mar2, ValueDate: mar2,
					Reference: "000000000000000202600000428", ReferenceType: QRR,
					DebtorName: "Anna Rossi", Line: 248,
				}, {
					BankRef: "ZKB20260302T0000106", Amount: 8130, Currency: "CHF",
					BookingDate: mar2, ValueDate: mar2,
					Reference: "000000000000000202600000433", ReferenceType: QRR,
					DebtorName: "Lukas Brändli", Line: 269,
				}, {
					BankRef: "ZKB20260302T0000107", Amount: 9500, Currency: "CHF",
					BookingDate: mar2, ValueDate: mar2,
					Unstructured: "Rückerstattung Gebühr, Konto des Empfängers saldiert",
					Line:         345, Reversal: true,
				}},
				Skipped: Skipped{Debits: 1, ReversedCredits: 1, NotBooked: 1},
			}, {
				NotificationID: "ZKB20260302054000017-2",
				IBAN:           "CH1731999123000889013",
				Currency:       "EUR",
				Credits: []Credit{{
					BankRef: "ZKB20260302E0000401", Amount: 9600, Currency: "EUR",
					BookingDate: mar2, ValueDate: mar2,
					Reference: "RF742026HUND0042", ReferenceType: SCOR,
					DebtorName: "Sophie Dubois", DebtorIBAN: "FR7630006000011234567890189", Line: 430,
				}},
			}},
		},
	}, {
		// Sts as text, Dbtr/Nm, no TxDtls/Amt (the entry's), a time without offset.
		file: "postfinance_v04.xml",
		want: &Notification{
			MessageID: "PF2021111500C54001",
			Created:   time.Date(2021, time.November, 15, 5, 30, 0, 0, time.UTC),
			Accounts: []Account{{
				NotificationID: "PF2021111500C54001-01",
				IBAN:           "CH4431999123000889012",
				Credits: []Credit{{
					BankRef: "211112CH00A1B2C3#1", Amount: 125000, Currency: "CHF",
					BookingDate: date(2021, time.November, 12), ValueDate: date(2021, time.November, 12),
					Reference: "210000000003139471430009017", ReferenceType: QRR,
					DebtorName: "Tamara Keller", Line: 38,
				}},
				Skipped: Skipped{Debits: 1},
			}},
		},
	}, {
		file: "bad_amount.xml",
		wantErr: invalid("the camt.054 file has 2 errors",
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[1]/Amt", Line: 18, Value: "17.005", Message: "the amount has more than two decimal places"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[1]/NtryDtls[1]/TxDtls[1]/Amt", Line: 41, Value: "17.005", Message: "the amount has more than two decimal places"},
		),
	}, {
		file: "bad_fields.xml",
		wantErr: invalid("the camt.054 file has 14 errors",
			apperr.FieldError{Path: "GrpHdr/CreDtTm", Line: 8, Value: "03.03.2026 18:00", Message: "not a date and time (YYYY-MM-DDThh:mm:ss, optionally with an offset)"},
			apperr.FieldError{Path: "Ntfctn[1]/Acct/Id/IBAN", Line: 12, Message: "IBAN is missing"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[1]/Amt", Line: 20, Value: "-20.00", Message: "the amount is negative; credits and debits are told apart by CdtDbtInd"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[2]/BookgDt", Line: 26, Message: "BookgDt is missing"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[2]/Amt/@Ccy", Line: 27, Message: "the amount has no currency (attribute Ccy)"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[3]/RvslInd", Line: 35, Value: "yes", Message: "neither true nor false"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[3]/BookgDt/Dt", Line: 37, Value: "2026-02-30", Message: "not a date (YYYY-MM-DD)"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[4]/CdtDbtInd", Line: 42, Value: "CRED", Message: "must be CRDT or DBIT"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[5]/NtryDtls[1]/TxDtls[1]/Refs/AcctSvcrRef", Line: 53, Value: "R1", Message: "the bank reference is also that of the credit at line 19"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[5]/NtryDtls[1]/TxDtls[2]/Amt", Line: 57, Message: "Amt is missing: the entry is a batch of 2 transactions, each needs its own amount"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[5]/NtryDtls[1]/TxDtls[2]/Refs/AcctSvcrRef", Line: 57, Message: "the credit has no bank reference (Refs/AcctSvcrRef or Ntry/AcctSvcrRef), without which a second import of it could not be recognised"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[6]/Sts", Line: 62, Message: "Sts is missing"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[7]/Amt", Line: 69, Value: "12,50", Message: "the amount is not a decimal number"},
			apperr.FieldError{Path: "Ntfctn[1]/Ntry[7]/Amt/@Ccy", Line: 69, Value: "chf", Message: "not an ISO 4217 currency code"},
		),
	}, {
		file: "malformed.xml",
		wantErr: invalid("the file is not well-formed XML",
			apperr.FieldError{Line: 17, Message: "element <Amt> closed by </Amnt>"}),
	}, {
		file: "wrong_namespace.xml",
		wantErr: invalid(`the file is not a camt.054 notification in a version Schalter reads: its namespace is "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"; expected "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08" (or camt.054.001.04)`,
			apperr.FieldError{Path: "Document", Line: 3, Message: `the file is not a camt.054 notification in a version Schalter reads: its namespace is "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"; expected "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08" (or camt.054.001.04)`}),
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			defer f.Close()
			got, err := Parse(f)
			if tt.wantErr != nil {
				require.Nil(t, got, "no partial result with an error")
				require.Equal(t, tt.wantErr, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// doc wraps Ntry elements in a minimal camt.054.001.08 document, the first
// Ntry on line 6.
func doc(entries ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="` + Namespace + `">
<BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-02T18:00:00Z</CreDtTm></GrpHdr>
<Ntfctn><Id>N1</Id><Acct><Id><IBAN>CH4431999123000889012</IBAN></Id></Acct>
` + strings.Join(entries, "\n") + `
</Ntfctn>
</BkToCstmrDbtCdtNtfctn>
</Document>
`
}

// credit is a booked credit entry on one line.
func credit(ref, amount string) string {
	return `<Ntry><Amt Ccy="CHF">` + amount + `</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-03-02</Dt></BookgDt><AcctSvcrRef>` + ref + `</AcctSvcrRef></Ntry>`
}

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	one := func(ref string, line int) *Notification {
		return &Notification{
			MessageID: "M1", Created: time.Date(2026, time.March, 2, 18, 0, 0, 0, time.UTC),
			Accounts: []Account{{NotificationID: "N1", IBAN: "CH4431999123000889012", Credits: []Credit{{
				BankRef: ref, Amount: 1000, Currency: "CHF", BookingDate: date(2026, time.March, 2), Line: line,
			}}}},
		}
	}
	tests := []struct {
		name string
		in   string
		want *Notification
	}{
		{"entry without TxDtls", doc(credit("E1", "10.00")), one("E1", 6)},
		{"byte order mark", "\uFEFF" + doc(credit("E1", "10")), one("E1", 6)},
		{"comments around the root", "<!-- before -->" + doc(credit("E1", "10.0")) + "<!-- after -->\n", one("E1", 6)},
		{"lower-case utf-8 declaration", strings.Replace(doc(credit("E1", "+10.00")), "UTF-8", "utf-8", 1), one("E1", 6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(strings.NewReader(tt.in))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	rootErr := func(line int, msg string) *apperr.Error {
		return invalid(msg, apperr.FieldError{Path: "Document", Line: line, Message: msg})
	}
	notXML := func(line int, msg string) *apperr.Error {
		return invalid("the file is not well-formed XML", apperr.FieldError{Line: line, Message: msg})
	}
	tests := []struct {
		name string
		in   string
		want *apperr.Error
	}{
		{"empty", "", invalid("the file is empty: it has no XML document")},
		{"white space only", "\n  \n", invalid("the file is empty: it has no XML document")},
		{
			// An external entity: refused at the DOCTYPE, before anything
			// could be resolved (encoding/xml would not resolve it anyway).
			"DOCTYPE with an external entity",
			"<?xml version=\"1.0\"?>\n<!DOCTYPE Document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<Document xmlns=\"" + Namespace + "\">&xxe;</Document>",
			rootErr(2, "the file has a document type declaration (<!DOCTYPE…>); camt files have none"),
		},
		{
			"undeclared entity",
			"<Document xmlns=\"" + Namespace + "\">\n<BkToCstmrDbtCdtNtfctn>&xxe;</BkToCstmrDbtCdtNtfctn></Document>",
			notXML(2, "invalid character entity &xxe;"),
		},
		{"text before the root", "camt\n<Document/>", rootErr(2, "the file has text before its root element")},
		{"a second root", doc(credit("E1", "1.00")) + "<Document/>", rootErr(10, "the file has content after the end of </Document>")},
		{"cut off", doc(credit("E1", "1.00"))[:200], notXML(4, "unexpected EOF")},
		{
			"Latin-1",
			"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<Document/>",
			invalid(`the file declares the character encoding "ISO-8859-1"; camt files must be UTF-8`),
		},
		{"not ISO 20022", "<BkToCstmrDbtCdtNtfctn/>", rootErr(1, "the file is not an ISO 20022 message: its root element is <BkToCstmrDbtCdtNtfctn>, not <Document>")},
		{
			"camt.054.001.09",
			`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.09"/>`,
			rootErr(1, `the file is not a camt.054 notification in a version Schalter reads: its namespace is "urn:iso:std:iso:20022:tech:xsd:camt.054.001.09"; expected "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08" (or camt.054.001.04)`),
		},
		{
			"no namespace",
			`<Document/>`,
			rootErr(1, `the file is not a camt.054 notification in a version Schalter reads: its namespace is ""; expected "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08" (or camt.054.001.04)`),
		},
		{
			"empty document",
			"<Document xmlns=\"" + Namespace + "\">\n</Document>",
			invalid("the camt.054 file has an error", apperr.FieldError{Path: "BkToCstmrDbtCdtNtfctn", Line: 1, Message: "BkToCstmrDbtCdtNtfctn is missing"}),
		},
		{
			"no Ntfctn",
			"<Document xmlns=\"" + Namespace + "\"><BkToCstmrDbtCdtNtfctn>\n<GrpHdr><MsgId>M</MsgId><CreDtTm>2026-03-02T18:00:00</CreDtTm></GrpHdr></BkToCstmrDbtCdtNtfctn></Document>",
			invalid("the camt.054 file has an error", apperr.FieldError{Path: "Ntfctn", Line: 1, Message: "Ntfctn is missing"}),
		},
		{
			"amount too large for int64",
			doc(credit("E1", "92233720368547758.08")),
			invalid("the camt.054 file has an error", apperr.FieldError{Path: "Ntfctn[1]/Ntry[1]/Amt", Line: 6, Value: "92233720368547758.08", Message: "the amount is too large"}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(strings.NewReader(tt.in))
			require.Nil(t, got)
			require.Equal(t, tt.want, err)
		})
	}
}

func TestParseListsAtMostMaxFieldErrors(t *testing.T) {
	t.Parallel()
	var entries []string
	for i := range 60 {
		entries = append(entries, credit(fmt.Sprint("E", i), "1.001"))
	}
	_, err := Parse(strings.NewReader(doc(entries...)))
	e, ok := apperr.As(err)
	require.True(t, ok)
	require.Equal(t, "the camt.054 file has 60 errors; the first 50 are listed", e.Message)
	require.Len(t, e.Fields, MaxFieldErrors)
	require.Equal(t, apperr.FieldError{Path: "Ntfctn[1]/Ntry[50]/Amt", Line: 55, Value: "1.001", Message: "the amount has more than two decimal places"}, e.Fields[49])
}

func TestParseSizeLimit(t *testing.T) {
	t.Parallel()
	in := doc(credit("E1", "10.00"))
	_, err := parse(strings.NewReader(in), int64(len(in)))
	require.NoError(t, err, "a file of exactly the limit is read")

	got, err := parse(strings.NewReader(in+"\n"), int64(len(in)))
	require.Nil(t, got)
	require.Equal(t, invalid(fmt.Sprintf("the file is larger than %d bytes; ask the bank for smaller (daily) files", len(in))), err)

	// Mid-document, not only at the end.
	_, err = parse(strings.NewReader(in), 100)
	require.Equal(t, invalid("the file is larger than 100 bytes; ask the bank for smaller (daily) files"), err)

	// Parse itself refuses anything over MaxFileSize without reading it all.
	big := io.MultiReader(strings.NewReader(in[:len(in)-len("</Document>\n")]+"<!--"), zeros{})
	_, err = Parse(big)
	require.Equal(t, invalid("the file is larger than 50 MiB; ask the bank for smaller (daily) files"), err)
}

// zeros is an endless comment body.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// A failing reader (a dropped upload) is not the file's fault.
func TestParseReaderFailure(t *testing.T) {
	t.Parallel()
	broken := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader(doc(credit("E1", "1.00"))[:150]), errReader{broken})
	got, err := Parse(r)
	require.Nil(t, got)
	require.ErrorIs(t, err, broken)
	require.Equal(t, apperr.Internal, apperr.CodeOf(err))
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestParseSkipsPendingBeforeChecking(t *testing.T) {
	t.Parallel()
	// A pending entry has no booking date yet and may have nothing else
	// usable; it is counted, not checked.
	pending := `<Ntry><Amt Ccy="CHF">oops</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts></Ntry>`
	debit := `<Ntry><Amt Ccy="CHF">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts></Ntry>`
	got, err := Parse(strings.NewReader(doc(pending, debit, credit("E1", "1.00"))))
	require.NoError(t, err)
	require.Equal(t, Skipped{Debits: 1, NotBooked: 1}, got.Accounts[0].Skipped)
	require.Len(t, got.Accounts[0].Credits, 1)
}

func TestParseAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{"180.00", 18000, ""},
		{"0.10", 10, ""},
		{"250.5", 25050, ""},
		{"42", 4200, ""},
		{"42.", 4200, ""},
		{".05", 5, ""},
		{"+1.00", 100, ""},
		{" 7.35\n", 735, ""},
		{"17.50000", 1750, ""},
		{"0", 0, ""},
		{"92233720368547758.07", 9223372036854775807, ""},
		{"92233720368547758.08", 0, "the amount is too large"},
		{"17.005", 0, "the amount has more than two decimal places"},
		{"0.001", 0, "the amount has more than two decimal places"},
		{"-1.00", 0, "the amount is negative; credits and debits are told apart by CdtDbtInd"},
		{"", 0, "the amount is empty"},
		{".", 0, "the amount is not a decimal number"},
		{"12,50", 0, "the amount is not a decimal number"},
		{"1'000.00", 0, "the amount is not a decimal number"},
		{"1e3", 0, "the amount is not a decimal number"},
		{"1.2.3", 0, "the amount is not a decimal number"},
		{"+-1", 0, "the amount is not a decimal number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := parseAmount(tt.in)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   dateChoice
		want time.Time
		ok   bool
	}{
		{dateChoice{Dt: "2026-03-02"}, date(2026, time.March, 2), true},
		{dateChoice{Dt: "2026-03-02+01:00"}, date(2026, time.March, 2), true},
		{dateChoice{Dt: " 2026-03-02 "}, date(2026, time.March, 2), true},
		{dateChoice{DtTm: "2026-03-02T14:05:31.123+01:00"}, time.Date(2026, time.March, 2, 13, 5, 31, 123e6, time.UTC), true},
		{dateChoice{DtTm: "2026-07-01T08:00:00"}, time.Date(2026, time.July, 1, 6, 0, 0, 0, time.UTC), true}, // summer time
		{dateChoice{DtTm: "2026-07-01T08:00:00Z"}, time.Date(2026, time.July, 1, 8, 0, 0, 0, time.UTC), true},
		{dateChoice{Dt: "02.03.2026"}, time.Time{}, false},
		{dateChoice{Dt: "2026-02-29"}, time.Time{}, false},
		{dateChoice{DtTm: "2026-03-02"}, time.Time{}, false},
		{dateChoice{}, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in.Dt+tt.in.DtTm, func(t *testing.T) {
			t.Parallel()
			got, err := parseDateChoice(tt.in)
			require.Equal(t, tt.ok, err == nil, "error: %v", err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestReferenceType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tp   codeOrProprietary
		ref  string
		want string
	}{
		{"Prtry QRR", codeOrProprietary{Prtry: "QRR"}, "210000000003139471430009017", QRR},
		{"Cd SCOR", codeOrProprietary{Cd: "SCOR"}, "RF18539007547034", SCOR},
		{"the bank's type wins over the check digit", codeOrProprietary{Prtry: "QRR"}, "210000000003139471430009018", QRR},
		{"derived QRR", codeOrProprietary{}, "000000000000000202600000412", QRR},
		{"derived SCOR", codeOrProprietary{}, "RF742026HUND0042", SCOR},
		{"other proprietary type, QRR content", codeOrProprietary{Prtry: "ISR Reference"}, "210000000003139471430009017", QRR},
		{"QRR with a wrong check digit", codeOrProprietary{}, "210000000003139471430009018", ""},
		{"26 digits", codeOrProprietary{}, "21000000000313947143000901", ""},
		{"RF with a wrong check", codeOrProprietary{}, "RF19539007547034", ""},
		{"RF too long", codeOrProprietary{}, "RF18539007547034000000000000", ""},
		{"invoice number", codeOrProprietary{}, "RE-2026-0042", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, referenceType(tt.tp, tt.ref))
		})
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	want := Notification{
		MessageID: "TEST-20260302-1",
		Created:   time.Date(2026, time.March, 2, 17, 4, 11, 250e6, time.UTC),
		Accounts: []Account{{
			NotificationID: "TEST-20260302-1-1",
			IBAN:           "CH4431999123000889012",
			Currency:       "CHF",
			Credits: []Credit{{
				BankRef: "T1", Amount: 18000, Currency: "CHF",
				BookingDate: date(2026, time.March, 2), ValueDate: date(2026, time.March, 3),
				Reference: "210000000003139471430009017", ReferenceType: QRR,
				DebtorName: "Tamara Keller", DebtorIBAN: "CH9300762011623852957",
			}, {
				BankRef: "T2", Amount: 1, Currency: "CHF",
				BookingDate: time.Date(2026, time.March, 2, 13, 5, 31, 0, time.UTC),
				Reference:   "RF18539007547034", ReferenceType: SCOR,
				Unstructured: `Müller & Söhne <AG> "Gebühr"`, Reversal: true,
			}, {
				BankRef: "T3", Amount: 0, Currency: "CHF", BookingDate: date(2026, time.March, 2),
				Reference: "RE-2026-0042",
			}},
		}, {
			NotificationID: "TEST-20260302-1-2",
			IBAN:           "CH1731999123000889013",
			Credits: []Credit{{
				BankRef: "T4", Amount: 922337203685477580, Currency: "EUR", BookingDate: date(2026, time.March, 2),
				DebtorName: "Sophie Dubois",
			}},
		}},
	}
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, want))
	got, err := Parse(&buf)
	require.NoError(t, err)
	last := 0
	for i := range got.Accounts {
		for j := range got.Accounts[i].Credits {
			cr := &got.Accounts[i].Credits[j]
			require.Greater(t, cr.Line, last, "lines point into the written file")
			last, cr.Line = cr.Line, 0
		}
	}
	require.Equal(t, &want, got)
}

func TestWriteRefuses(t *testing.T) {
	t.Parallel()
	valid := func() Notification {
		return Notification{MessageID: "M", Created: time.Now(), Accounts: []Account{{
			NotificationID: "N", IBAN: "CH4431999123000889012",
			Credits: []Credit{{BankRef: "B", Amount: 100, Currency: "CHF", BookingDate: date(2026, time.March, 2)}},
		}}}
	}
	tests := []struct {
		name   string
		change func(*Notification)
		want   string
	}{
		{"no message id", func(n *Notification) { n.MessageID = "" }, "camt: write: MessageID is empty"},
		{"no creation time", func(n *Notification) { n.Created = time.Time{} }, "camt: write: Created is zero"},
		{"no account", func(n *Notification) { n.Accounts = nil }, "camt: write: Accounts is empty; the schema needs an Ntfctn"},
		{"no IBAN", func(n *Notification) { n.Accounts[0].IBAN = "" }, "camt: write: Accounts[0].IBAN is empty"},
		{"negative", func(n *Notification) { n.Accounts[0].Credits[0].Amount = -1 }, "camt: write: Accounts[0].Credits[0].Amount is negative"},
		{"no currency", func(n *Notification) { n.Accounts[0].Credits[0].Currency = "" }, "camt: write: Accounts[0].Credits[0].Currency is not an ISO 4217 code"},
		{"no booking date", func(n *Notification) { n.Accounts[0].Credits[0].BookingDate = time.Time{} }, "camt: write: Accounts[0].Credits[0].BookingDate is zero"},
		{"no bank reference", func(n *Notification) { n.Accounts[0].Credits[0].BankRef = "" }, "camt: write: Accounts[0].Credits[0].BankRef is empty"},
		{"long reference", func(n *Notification) { n.Accounts[0].Credits[0].Reference = strings.Repeat("1", 36) }, "camt: write: Accounts[0].Credits[0].Reference is longer than 35 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := valid()
			tt.change(&n)
			var buf bytes.Buffer
			require.EqualError(t, Write(&buf, n), tt.want)
			require.Zero(t, buf.Len(), "nothing is written")
		})
	}
}

// generated is a notification of n QR-reference credits, as a busy month of
// a city's QR bills might bring.
func generated(n int) Notification {
	names := []string{"Tamara Keller", "Marco Bernasconi", "Anna Rossi", "Beat Zürcher", "Sophie Dubois"}
	credits := make([]Credit, n)
	for i := range credits {
		base := fmt.Sprintf("%026d", 2026_000000+i)
		credits[i] = Credit{
			BankRef:     fmt.Sprintf("ZKB20260302T%07d", i),
			Amount:      int64(1000 + i%50000),
			Currency:    "CHF",
			BookingDate: date(2026, time.March, 2),
			ValueDate:   date(2026, time.March, 2),
			Reference:   base + fmt.Sprint((10-mod10(base))%10),
			DebtorName:  names[i%len(names)],
			DebtorIBAN:  "CH9300762011623852957",
		}
		credits[i].ReferenceType = QRR
	}
	return Notification{
		MessageID: "ZKB20260302054000017",
		Created:   time.Date(2026, time.March, 2, 17, 4, 11, 0, time.UTC),
		Accounts:  []Account{{NotificationID: "ZKB20260302054000017-1", IBAN: "CH4431999123000889012", Currency: "CHF", Credits: credits}},
	}
}

func TestGeneratedReferencesAreValid(t *testing.T) {
	t.Parallel()
	n := generated(100)
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, n))
	got, err := Parse(&buf)
	require.NoError(t, err)
	for _, cr := range got.Accounts[0].Credits {
		require.True(t, validQRR(cr.Reference), cr.Reference)
	}
}

func BenchmarkParse10000(b *testing.B) {
	var buf bytes.Buffer
	require.NoError(b, Write(&buf, generated(10000)))
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n, err := Parse(bytes.NewReader(data))
		if err != nil || len(n.Accounts[0].Credits) != 10000 {
			b.Fatal(err)
		}
	}
}
