package payments

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/schalter-ch/schalter/internal/apperr"
	"github.com/schalter-ch/schalter/internal/cases"
	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/jobs"
	"github.com/schalter-ch/schalter/internal/pdf"
	"github.com/schalter-ch/schalter/internal/qrbill"
	"github.com/schalter-ch/schalter/internal/store"
)

// InvoiceKind is the invoices' document kind.
const InvoiceKind = "invoice"

// invoiceSuperseded is why an older invoice is revoked: it asks for an
// amount that is no longer the one owed.
const invoiceSuperseded = "ersetzt durch neue Rechnung"

// submittedBy is the author of the fees charged at submission (Bill);
// any other author is the office (AddFees).
const submittedBy = "resident"

// billHeight is the QR-bill's height (receipt and payment part), in mm.
const billHeight = 105

// InvoiceArgs issues the invoice of what is open on a case.
type InvoiceArgs struct {
	Case uuid.UUID `json:"case"`
	// Charge is the ledger source of the charge that asked for the
	// invoice. With it, fees an office adds while an older invoice job
	// is still running make a job of their own: a unique job that is
	// running would swallow the new one, and the running job may have
	// read the fees before them. The worker reads the case as it is, not
	// as Charge left it.
	Charge string `json:"charge,omitempty"`
}

// Kind names the job in River.
func (InvoiceArgs) Kind() string { return "payments_invoice" }

// InsertOpts keeps one job per case and charge while it waits or runs;
// once done, the same args may run again (the worker issues nothing when
// the invoice is current).
func (InvoiceArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueDocuments, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
}

// InvoiceWorker issues invoices.
type InvoiceWorker struct {
	river.WorkerDefaults[InvoiceArgs]
	Service *Service
}

// Work implements river.Worker.
func (w *InvoiceWorker) Work(ctx context.Context, job *river.Job[InvoiceArgs]) error {
	return w.Service.issueInvoice(ctx, job.Args.Case)
}

// enqueueInvoice asks, in q's transaction, for an invoice of case c after
// the charge booked under source: the job runs only if the charge commits.
func (s *Service) enqueueInvoice(ctx context.Context, q *store.Queries, c uuid.UUID, source string) error {
	return q.Enqueue(ctx, InvoiceArgs{Case: c, Charge: source}, nil)
}

// invoiceNamespace names invoice document ids (uuid.NewSHA1).
var invoiceNamespace = uuid.MustParse("5b0f1d8e-3c1f-4b8e-9a57-6f0c2d9e4a11")

// invoiceID is the id of the invoice for the account as it stands: the
// case, its fee lines (cancelled or not) and the open amount. A repeated
// job finds that invoice issued and issues nothing; new fees make a new
// id, hence a new invoice.
func invoiceID(c uuid.UUID, a *Account) uuid.UUID {
	var b strings.Builder
	b.WriteString(c.String())
	for _, f := range a.Fees {
		fmt.Fprintf(&b, ";%d", f.ID)
		if f.CancelEntry != nil {
			b.WriteString("x")
		}
	}
	fmt.Fprintf(&b, ";open=%d", a.Open)
	return uuid.NewSHA1(invoiceNamespace, []byte(b.String()))
}

// issueInvoice puts a signed PDF invoice of what is open on case id, with
// the QR-bill at its foot, into the person's "Meine amtlichen Dokumente",
// and revokes the invoices it replaces. Nothing is issued when nothing is
// open, when the case was rejected or withdrawn, when the account is gone
// (the office still has the bill), or when the invoice of the account as
// it stands exists already.
func (s *Service) issueInvoice(ctx context.Context, id uuid.UUID) error {
	return s.st.InTx(ctx, func(q *store.Queries) error {
		// The case's lock orders the job after fees being added (AddFees
		// holds it): the job reads them once they are committed.
		c, err := q.LockCase(ctx, id)
		if err != nil {
			return err
		}
		if c.Account == nil || slices.Contains(notPayable, c.Status) {
			return nil
		}
		a, err := accountOf(ctx, q, c.ID)
		if err != nil || a.Open <= 0 {
			return err
		}
		docID := invoiceID(c.ID, a)
		if _, err := q.Document(ctx, docID); apperr.CodeOf(err) != apperr.NotFound {
			return err // nil: issued already
		}
		head, err := q.CaseLetterhead(ctx, c.Service, c.Language)
		if err != nil {
			return err
		}
		bill := s.qrBill(c, a)
		on := s.now()
		w := invoiceWords[invoiceLang(c.Language)]
		_, err = s.docs.IssueIn(ctx, q, documents.Issue{ID: docID, Case: c, Kind: InvoiceKind, Title: w.title + " " + Chf(a.Open) + " – " + head.ServiceTitle,
			Filename: "rechnung-" + strings.ToLower(c.Number) + "-" + docID.String()[:8] + ".pdf",
			Render: func(_ uuid.UUID, verifyURL string) ([]byte, error) {
				return s.invoicePDF(invoice{head: head, c: c, a: a, bill: bill, on: on, due: s.dueOn(a), verifyURL: verifyURL})
			}})
		if err != nil {
			return err
		}
		return supersede(ctx, q, c, docID)
	})
}

// supersede revokes the case's invoices other than current: only the
// newest asks for the amount owed. Revoking is the system's act here, so
// it goes to the store directly (documents.Revoke checks a staff member).
func supersede(ctx context.Context, q *store.Queries, c store.Case, current uuid.UUID) error {
	docs, err := q.AccountDocuments(ctx, *c.Account)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if d.Case != c.ID || d.Kind != InvoiceKind || d.ID == current || d.RevokedAt != nil {
			continue
		}
		if _, err := q.RevokeDocument(ctx, d.ID, invoiceSuperseded); err != nil {
			return err
		}
	}
	return nil
}

// OfficeFeeTerm is how long fees the office sets are payable, from the
// day they were set.
const OfficeFeeTerm = 30

// dueOn is the day the invoice is payable by: the bill's term, or the
// office's term after its latest fees when that is later (fees set late
// get their own term). A bill without a term (pay first, or set by the
// office) takes the office's.
func (s *Service) dueOn(a *Account) time.Time {
	var due time.Time
	if a.Bill.DueOn != nil {
		due = *a.Bill.DueOn
	}
	for _, f := range a.Fees {
		if f.CancelEntry != nil || f.CreatedBy == submittedBy {
			continue
		}
		if d := s.ledger.Day(f.CreatedAt).AddDate(0, 0, OfficeFeeTerm); d.After(due) {
			due = d
		}
	}
	if due.IsZero() {
		due = s.ledger.Day(s.now()).AddDate(0, 0, OfficeFeeTerm)
	}
	return due
}

// QRBill is the QR-bill of what is open on the account's case, with the
// case's language: NotFound for anyone else's case and for a case
// without a bill; Conflict when nothing is open or the case was rejected
// or withdrawn.
func (s *Service) QRBill(ctx context.Context, account uuid.UUID, number string) (qrbill.Bill, string, error) {
	c, err := cases.AccountCase(ctx, s.st.Queries, account, number)
	if err != nil {
		return qrbill.Bill{}, "", err
	}
	a, err := accountOf(ctx, s.st.Queries, c.ID)
	switch {
	case err != nil:
		return qrbill.Bill{}, "", err
	case slices.Contains(notPayable, c.Status):
		return qrbill.Bill{}, "", apperr.New(apperr.Conflict, "the case is %s: there is nothing to pay", c.Status)
	case a.Open <= 0:
		return qrbill.Bill{}, "", apperr.New(apperr.Conflict, "the case is paid")
	}
	return s.qrBill(c, a), c.Language, nil
}

// qrBill is the QR-bill for what is open on case c: the city's account,
// the bill's reference, the case number as message, and the person as
// debtor when the case's data names them with their address.
func (s *Service) qrBill(c store.Case, a *Account) qrbill.Bill {
	currency := a.Bill.Currency
	if currency == "" {
		currency = "CHF"
	}
	b := qrbill.Bill{Account: s.cfg.Account, Creditor: s.cfg.Creditor, Amount: a.Open, Currency: currency, Debtor: debtorOf(c.Data),
		Reference: a.Bill.Reference, Message: c.Number}
	if b.Debtor != nil && onlyDebtor(b.Validate()) {
		// A name or address the QR-bill cannot carry (too long, a
		// character outside its set) leaves the "payable by" box blank
		// for the person to fill in: better than no bill at all.
		b.Debtor = nil
	}
	return b
}

// onlyDebtor reports whether err is a validation error about the debtor's
// fields only.
func onlyDebtor(err error) bool {
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid || len(e.Fields) == 0 {
		return false
	}
	for _, f := range e.Fields {
		if !strings.HasPrefix(f.Path, "debtor.") {
			return false
		}
	}
	return true
}

// debtorOf is the person as a QR-bill's debtor, from the fields forms use
// for name and address; nil (a blank "payable by" box) when the data
// lacks any of them. The country is Switzerland: the forms ask for a
// Swiss postal code.
func debtorOf(data []byte) *qrbill.Address {
	var v map[string]any
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	text := func(name string) string {
		s, _ := v[name].(string)
		return strings.TrimSpace(s)
	}
	given, family, street, postal, town := text("given_name"), text("family_name"), text("street"), text("postal_code"), text("locality")
	if given == "" || family == "" || street == "" || postal == "" || town == "" {
		return nil
	}
	name, number := splitStreet(street)
	return &qrbill.Address{Name: given + " " + family, Street: name, BuildingNumber: number, PostalCode: postal, Town: town, Country: "CH"}
}

// houseNumber is a street line that ends in its building number
// ("Bahnhofstrasse 1", "Im Lee 12a").
var houseNumber = regexp.MustCompile(`^(.*\S)\s+([0-9]+[A-Za-z]?)$`)

// splitStreet splits a street line into street and building number, as
// the QR-bill's structured address has them; a line that does not end in
// a number is all street.
func splitStreet(line string) (street, number string) {
	if m := houseNumber.FindStringSubmatch(line); m != nil {
		return m[1], m[2]
	}
	return line, ""
}

// invoiceText is an invoice's words in one language.
type invoiceText struct{ title, service, date, due, fees, charged, paid, open, pay string }

var invoiceWords = map[string]invoiceText{
	"de": {"Rechnung", "Dienstleistung", "Rechnungsdatum", "Zahlbar bis", "Gebühren", "Total Gebühren", "Bereits bezahlt", "Offener Betrag",
		"Bitte bezahlen Sie den offenen Betrag bis zum Fälligkeitsdatum mit dem Zahlteil unten oder online in Ihrem Konto."},
	"fr": {"Facture", "Prestation", "Date de la facture", "Payable jusqu'au", "Émoluments", "Total des émoluments", "Déjà payé", "Montant dû",
		"Veuillez payer le montant dû avant l'échéance avec la section paiement ci-dessous ou en ligne dans votre compte."},
	"it": {"Fattura", "Prestazione", "Data della fattura", "Pagabile entro il", "Emolumenti", "Totale emolumenti", "Già pagato", "Importo dovuto",
		"Vi preghiamo di pagare l'importo dovuto entro la scadenza con la sezione pagamento qui sotto o online nel vostro conto."},
	"en": {"Invoice", "Service", "Invoice date", "Payable by", "Fees", "Total fees", "Already paid", "Amount due",
		"Please pay the amount due by the due date with the payment part below or online in your account."},
}

// invoiceLang is lang when invoices have words in it, German otherwise.
func invoiceLang(lang string) string {
	if _, ok := invoiceWords[lang]; ok {
		return lang
	}
	return "de"
}

// invoice is what an invoice PDF shows.
type invoice struct {
	head      store.Letterhead
	c         store.Case
	a         *Account
	bill      qrbill.Bill
	on, due   time.Time
	verifyURL string
}

// billFace sets invoices and receipts in the QR-bill's font: an invoice
// then embeds one font family (its bill must be in Liberation Sans), and
// a receipt is quicker too (Liberation is half DejaVu's size). Their text
// is the office's and the bill's, in the bill's character set, so
// DejaVu's wider coverage is not needed. Rendering is the documents
// queue's cost per payment and per invoice; fonts were nine tenths of it.
var billFace = func() pdf.Face {
	family, regular, bold := qrbill.Font()
	return pdf.Face{Family: family, Regular: regular, Bold: bold}
}()

// invoicePDF is an A4 letter with the fee lines and the amount open, and
// the QR-bill (receipt and payment part) at its foot, in the case's
// language.
func (s *Service) invoicePDF(in invoice) ([]byte, error) {
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		zurich = time.UTC
	}
	lang := invoiceLang(in.c.Language)
	w, rw := invoiceWords[lang], receiptWords[lang]
	address := strings.Trim(strings.TrimSpace(in.head.Street+", "+in.head.PostalCode+" "+in.head.Locality), ", ")
	doc := pdf.NewIn(billFace, pdf.Letterhead{City: s.cfg.City, Office: in.head.OfficeName, Address: address}, w.title+": "+in.head.ServiceTitle, in.on)
	doc.Row(rw.number, in.c.Number)
	doc.Row(w.service, in.head.ServiceTitle)
	doc.Row(w.date, in.on.In(zurich).Format("02.01.2006"))
	doc.Row(w.due, in.due.Format("02.01.2006"))
	doc.Row(rw.reference, qrbill.FormatReference(in.a.Bill.Reference))
	doc.Heading(w.fees)
	var active []Fee
	var vat int64
	for _, f := range in.a.Fees {
		if f.CancelEntry != nil {
			continue
		}
		active = append(active, f)
		vat += f.VATAmount
		doc.Row(feeLabel(f, lang), fmt.Sprintf("%d × %s = %s", f.Quantity, Chf(f.Unit), Chf(f.Amount)))
	}
	doc.Row(w.charged, Chf(in.a.Charged))
	if paid := in.a.Paid - in.a.Refunded; paid != 0 {
		doc.Row(w.paid, Chf(paid))
	}
	doc.Row(w.open, Chf(in.a.Open))
	if vat > 0 {
		doc.Row(rw.vat, Chf(vat)+" ("+rateText(active, in.on)+")")
	} else {
		doc.Text(rw.noVAT)
	}
	doc.Text(w.pay)
	// The verification link as text, not a second QR code: a banking app
	// scanning the page should find only the Swiss QR code.
	doc.Text(rw.verify + ": " + in.verifyURL)
	top := doc.Slip(billHeight)
	if err := qrbill.Draw(doc.Fpdf(), in.bill, lang, top); err != nil {
		return nil, err
	}
	return doc.Bytes()
}

// feeLabel is a fee's label in lang, German when it has none there.
func feeLabel(f Fee, lang string) string {
	if l := f.Label[lang]; l != "" {
		return l
	}
	return f.Label["de"]
}
