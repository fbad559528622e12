package payments

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/account"
	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/drafts"
	"github.com/schalter-ch/schalter/internal/fees"
	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/pgtest"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/store"
)

const (
	bulky     = "sperrgut-abfuhr-bestellen" // entsorgung, an account is enough; its form asks for no locality
	bulkyData = `{"items":"1 Sofa, 2 Stühle","pieces":3,"given_name":"Tamara","family_name":"Keller","street":"Bahnhofstrasse 1",
		"postal_code":"8610","preferred_date":"2026-09-01","email":"tamara@pay.example"}`
)

// bulkyFees: invoiced within 20 days, CHF 20 per pickup and CHF 10 per
// piece.
var bulkyFees = &fees.Spec{Collect: fees.Invoice, DueDays: 20, Items: []fees.Item{
	{Type: "pickup", Amount: 2000, Label: map[string]string{"de": "Grundgebühr", "fr": "Taxe de base", "it": "Tassa di base", "en": "Basic fee"}},
	{Type: "piece", Amount: 1000, Per: "pieces", Label: map[string]string{"de": "Pro Stück", "fr": "Par pièce", "it": "Per pezzo", "en": "Per piece"}},
}}

// publishFees publishes a new version of service's form with spec as its
// fees (nil: the service is free).
func publishFees(t *testing.T, st *store.Store, service string, spec *fees.Spec) {
	t.Helper()
	ctx := context.Background()
	f := forms.New(st, account.ProfileFields)
	v, err := f.Published(ctx, service)
	require.NoError(t, err)
	def := v.Definition
	def.Fees = spec
	next, err := f.Create(ctx, service, def, "test")
	require.NoError(t, err)
	_, err = f.Publish(ctx, service, next.Number)
	require.NoError(t, err)
}

// submitTo submits data to service as who.
func (b *bundle) submitTo(t *testing.T, who uuid.UUID, service, data string) store.Case {
	t.Helper()
	ctx := context.Background()
	d, err := b.drafts.Create(ctx, drafts.Account(who), service, json.RawMessage(data), "")
	require.NoError(t, err)
	c, err := b.cases.Submit(ctx, cases.Submission{Account: who, Email: "tamara@pay.example", Level: account.LevelTwoFactor, Draft: d.ID, Language: "de"})
	require.NoError(t, err)
	return c.Record
}

// invoices are the invoice documents of the account, newest first.
func (b *bundle) invoices(t *testing.T, acc uuid.UUID) []store.Document {
	t.Helper()
	docs, err := b.st.AccountDocuments(context.Background(), acc)
	require.NoError(t, err)
	var out []store.Document
	for _, d := range docs {
		if d.Kind == InvoiceKind {
			out = append(out, d)
		}
	}
	return out
}

func (b *bundle) workInvoice(t *testing.T, c uuid.UUID) {
	t.Helper()
	_, err := pgtest.Work(t, b.st, &InvoiceWorker{Service: b.svc}, InvoiceArgs{Case: c})
	require.NoError(t, err)
}

// wantBill is the QR-bill the city should send for amount on bill a.
func (b *bundle) wantBill(a *Account, number string, amount int64, debtor *qrbill.Address) qrbill.Bill {
	cfg := b.svc.Config()
	return qrbill.Bill{Account: cfg.Account, Creditor: cfg.Creditor, Amount: amount, Currency: "CHF", Reference: a.Bill.Reference, Message: number, Debtor: debtor}
}

// invoiceQR rasterises the invoice's first page with pdftoppm (as the
// person prints it) and decodes the Swiss QR code at the payment part's
// place at its foot.
func invoiceQR(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm is not on PATH (apt-get install poppler-utils): the invoice's QR code cannot be checked")
	}
	const dpi = 300
	dir := t.TempDir()
	in := filepath.Join(dir, "invoice.pdf")
	require.NoError(t, os.WriteFile(in, pdf, 0o600))
	out, err := exec.Command("pdftoppm", "-r", fmt.Sprint(dpi), "-png", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput()
	require.NoError(t, err, string(out))
	f, err := os.Open(filepath.Join(dir, "page.png"))
	require.NoError(t, err)
	defer f.Close()
	img, _, err := image.Decode(f)
	require.NoError(t, err)
	// The bill is the bottom 105 mm; its QR code is 46 mm square, 5 mm
	// into the payment part (which starts 62 mm from the left) and 17 mm
	// below the bill's top. A margin of 4 mm around it.
	px := func(mm float64) int { return int(mm * dpi / 25.4) }
	const top = 297 - 105
	crop := image.Rect(px(62+1), px(top+17-4), px(62+5+46+4), px(top+17+46+4))
	bmp, err := gozxing.NewBinaryBitmapFromImage(img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(crop))
	require.NoError(t, err)
	res, err := gzqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
		gozxing.DecodeHintType_TRY_HARDER:    true,
	})
	require.NoError(t, err, "the invoice's QR code decodes")
	return res.GetText()
}

// requirePayload checks that the invoice document's QR code is bill's.
func (b *bundle) requirePayload(t *testing.T, doc store.Document, bill qrbill.Bill) {
	t.Helper()
	body, err := b.st.DocumentBody(context.Background(), doc.ID)
	require.NoError(t, err)
	want, err := bill.Payload()
	require.NoError(t, err)
	require.Equal(t, want, invoiceQR(t, body))
}

// payByBank books a bank credit of amount for case c (a QR-bill paid).
func (b *bundle) payByBank(t *testing.T, c uuid.UUID, amount int64, ref string) {
	t.Helper()
	require.NoError(t, b.st.InTx(context.Background(), func(q *store.Queries) error {
		bill, err := q.CaseBill(context.Background(), c)
		if err != nil {
			return err
		}
		_, err = b.svc.RecordBankPayments(context.Background(), q, BankCredit{Bill: bill, BankRef: ref, Amount: amount, IBAN: b.svc.Config().Account})
		return err
	}))
}

// TestInvoiceCase: a service invoiced after submission goes to its office
// at once and asks for its invoice; the job issues a signed PDF whose
// QR-bill carries the bill's reference and the open amount, once; the
// QR-bill by itself is the person's only; a paid case gets none.
func TestInvoiceCase(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	publishFees(t, b.st, bulky, bulkyFees)
	acc, err := b.st.CreateAccount(ctx, "tamara@pay.example", "tamara@pay.example", "", nil)
	require.NoError(t, err)
	c := b.submitTo(t, acc.ID, bulky, bulkyData)
	require.Equal(t, cases.Received, c.Status, "invoiced: the office starts at once")
	require.Equal(t, 1, b.delivered)
	var jobs int
	require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND args->>'case' = $2`,
		InvoiceArgs{}.Kind(), c.ID.String()).Scan(&jobs))
	require.Equal(t, 1, jobs, "the submission asked for the invoice")

	a := b.checkBooks(t, c.ID)
	require.EqualValues(t, 2000+3*1000, a.Open)
	require.Equal(t, b.svc.Ledger().Today().AddDate(0, 0, 20), b.svc.dueOn(a), "the form's term")
	b.workInvoice(t, c.ID)
	inv := b.invoices(t, acc.ID)
	require.Len(t, inv, 1)
	require.Equal(t, c.ID, inv[0].Case)
	require.Contains(t, inv[0].Title, "CHF 50.00")
	require.Nil(t, inv[0].RevokedAt)
	want := b.wantBill(a, c.Number, 5000, nil) // the form has no locality: the "payable by" box stays blank
	b.requirePayload(t, inv[0], want)
	v, err := b.svc.docs.Verify(ctx, inv[0].ID, nil)
	require.NoError(t, err)
	require.True(t, v.SignatureValid)

	b.workInvoice(t, c.ID)
	require.Len(t, b.invoices(t, acc.ID), 1, "the invoice of the account as it stands is issued once")

	got, lang, err := b.svc.QRBill(ctx, acc.ID, c.Number)
	require.NoError(t, err)
	require.Equal(t, "de", lang)
	require.Equal(t, want, got)
	other, err := b.st.CreateAccount(ctx, "other@pay.example", "other@pay.example", "", nil)
	require.NoError(t, err)
	_, _, err = b.svc.QRBill(ctx, other.ID, c.Number)
	require.Equal(t, apperr.NotFound, apperr.CodeOf(err), "another person's case")

	b.payByBank(t, c.ID, 5000, "bank-tx-1")
	_, _, err = b.svc.QRBill(ctx, acc.ID, c.Number)
	require.Equal(t, apperr.Conflict, apperr.CodeOf(err), "nothing open")
	b.workInvoice(t, c.ID)
	require.Len(t, b.invoices(t, acc.ID), 1, "nothing to pay: no invoice")
	b.checkBooks(t, c.ID)
}

// TestDebtorOfCaseData: the person's name and address become the QR-bill's
// debtor when the data has them all; the building number is split off the
// street when the line ends in one; a debtor the QR-bill cannot carry
// leaves the box blank instead of failing the bill.
func TestDebtorOfCaseData(t *testing.T) {
	t.Parallel()
	for street, want := range map[string][2]string{
		"Bahnhofstrasse 1":    {"Bahnhofstrasse", "1"},
		"Im Lee 12a":          {"Im Lee", "12a"},
		"Rue de l'Église  3 ": {"Rue de l'Église", "3"},
		"Dorfplatz":           {"Dorfplatz", ""},
		"Postfach 12 Zürich":  {"Postfach 12 Zürich", ""},
	} {
		data, _ := json.Marshal(map[string]any{"given_name": "Tamara", "family_name": "Keller", "street": street, "postal_code": "8610", "locality": "Uster"})
		d := debtorOf(data)
		require.NotNil(t, d, street)
		require.Equal(t, qrbill.Address{Name: "Tamara Keller", Street: want[0], BuildingNumber: want[1], PostalCode: "8610", Town: "Uster", Country: "CH"}, *d, street)
	}
	require.Nil(t, debtorOf([]byte(`{"given_name":"Tamara","family_name":"Keller","street":"Bahnhofstrasse 1","postal_code":"8610"}`)), "no locality")
	require.Nil(t, debtorOf([]byte(`{"given_name":"Tamara","family_name":"Keller","street":"Bahnhofstrasse 1","postal_code":8610,"locality":"Uster"}`)), "not text")
	require.Nil(t, debtorOf(nil))

	s := &Service{cfg: Config{Account: "CH4431999123000889012", Creditor: qrbill.Address{Name: "Stadt Uster", PostalCode: "8610", Town: "Uster", Country: "CH"}}}
	c := store.Case{Number: "UST-2026-000001-7", Data: []byte(`{"given_name":"Tamara 🙂","family_name":"Keller","street":"Bahnhofstrasse 1","postal_code":"8610","locality":"Uster"}`)}
	a := &Account{Bill: Bill{Reference: "210000000003139471430009017"}, Open: 1000}
	bill := s.qrBill(c, a)
	require.Nil(t, bill.Debtor, "a name the QR-bill cannot carry leaves the box blank")
	_, err := bill.Payload()
	require.NoError(t, err)
	c.Data = []byte(`{"given_name":"Tamara","family_name":"Keller","street":"Bahnhofstrasse 1","postal_code":"8610","locality":"Uster"}`)
	require.NotNil(t, s.qrBill(c, a).Debtor)
}
