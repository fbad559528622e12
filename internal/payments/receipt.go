package payments

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/schalter-ch/schalter/internal/documents"
	"github.com/schalter-ch/schalter/internal/fees"
	"github.com/schalter-ch/schalter/internal/jobs"
	"github.com/schalter-ch/schalter/internal/pdf"
	"github.com/schalter-ch/schalter/internal/store"
)

// ReceiptArgs issues the receipt of a paid payment.
type ReceiptArgs struct {
	Payment uuid.UUID `json:"payment"`
}

// Kind names the job in River.
func (ReceiptArgs) Kind() string { return "payments_receipt" }

// InsertOpts keeps one receipt job per payment.
func (ReceiptArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueDocuments, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ReceiptKind is the receipts' document kind.
const ReceiptKind = "receipt"

// ReceiptWorker issues receipts.
type ReceiptWorker struct {
	river.WorkerDefaults[ReceiptArgs]
	Service *Service
}

// Work implements river.Worker.
func (w *ReceiptWorker) Work(ctx context.Context, job *river.Job[ReceiptArgs]) error {
	return w.Service.issueReceipt(ctx, job.Args.Payment)
}

// issueReceipt puts a signed PDF receipt of a payment into the person's
// "Meine amtlichen Dokumente", once: the receipt's document id is the
// payment's, so a repeated job finds it issued.
func (s *Service) issueReceipt(ctx context.Context, id uuid.UUID) error {
	return s.st.InTx(ctx, func(q *store.Queries) error {
		p, err := q.LockPayment(ctx, id)
		if err != nil {
			return err
		}
		if _, err := q.Document(ctx, p.ID); err == nil {
			return nil
		}
		c, err := q.LockCase(ctx, p.Case)
		if err != nil {
			return err
		}
		if c.Account == nil {
			return nil // the account is gone: the office keeps the payment, nobody gets the receipt
		}
		fs, err := q.CaseFees(ctx, c.ID)
		if err != nil {
			return err
		}
		head, err := q.CaseLetterhead(ctx, c.Service, c.Language)
		if err != nil {
			return err
		}
		w := receiptWords[c.Language]
		if w.title == "" {
			w = receiptWords["de"]
		}
		_, err = s.docs.IssueIn(ctx, q, documents.Issue{ID: p.ID, Case: c, Kind: ReceiptKind, Title: w.title + " " + Chf(p.Amount) + " – " + head.ServiceTitle,
			Filename: "quittung-" + strings.ToLower(c.Number) + "-" + p.ID.String()[:8] + ".pdf",
			Render: func(_ uuid.UUID, verifyURL string) ([]byte, error) {
				return s.receiptPDF(head, c, p, fs, w, verifyURL)
			}})
		return err
	})
}

// receiptText is a receipt's words in one language.
type receiptText struct{ title, number, reference, paid, method, fee, vat, noVAT, verify string }

// receiptWords are a receipt's words per language.
var receiptWords = map[string]receiptText{
	"de": {"Quittung", "Fallnummer", "Zahlungsreferenz", "Bezahlt am", "Zahlungsart", "Gebühr", "darin enthaltene MWST", "Amtliche Gebühr, nicht mehrwertsteuerpflichtig", "Echtheit prüfen"},
	"fr": {"Quittance", "Numéro de dossier", "Référence de paiement", "Payé le", "Mode de paiement", "Émolument", "dont TVA", "Émolument officiel, non soumis à la TVA", "Vérifier l'authenticité"},
	"it": {"Quietanza", "Numero della pratica", "Riferimento di pagamento", "Pagato il", "Modalità di pagamento", "Emolumento", "di cui IVA", "Emolumento ufficiale, non soggetto all'IVA", "Verificare l'autenticità"},
	"en": {"Receipt", "Case number", "Payment reference", "Paid on", "Paid with", "Fee", "of which VAT", "Official fee, not subject to VAT", "Check authenticity"},
}

func (s *Service) receiptPDF(head store.Letterhead, c store.Case, p Payment, lines []Fee, w receiptText, verifyURL string) ([]byte, error) {
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		zurich = time.UTC
	}
	address := strings.Trim(strings.TrimSpace(head.Street+", "+head.PostalCode+" "+head.Locality), ", ")
	doc := pdf.NewIn(billFace, pdf.Letterhead{City: s.cfg.City, Office: head.OfficeName, Address: address}, w.title+": "+head.ServiceTitle, *p.PaidAt)
	doc.Row(w.number, c.Number)
	doc.Row(w.reference, p.Reference)
	doc.Row(w.paid, p.PaidAt.In(zurich).Format("02.01.2006 15:04"))
	method := p.PaidWith
	if method == "" {
		method = p.Method
	}
	doc.Row(w.method, method)
	var vat int64
	doc.Heading(w.fee)
	for _, f := range lines {
		if f.CancelEntry != nil {
			continue
		}
		label := f.Label[c.Language]
		if label == "" {
			label = f.Label["de"]
		}
		if f.Quantity > 1 {
			label += " × " + strconv.Itoa(f.Quantity)
		}
		doc.Row(label, Chf(f.Amount))
		vat += f.VATAmount
	}
	doc.Row(w.title, Chf(p.Amount))
	if vat > 0 {
		doc.Row(w.vat, Chf(vat)+" ("+rateText(lines, *p.PaidAt)+")")
	} else {
		doc.Text(w.noVAT)
	}
	if err := doc.QR(verifyURL, 28, w.verify+": "+verifyURL); err != nil {
		return nil, err
	}
	return doc.Bytes()
}

// rateText names the VAT rates of the lines, e.g. "8.1 %".
func rateText(lines []Fee, on time.Time) string {
	var out []string
	for _, f := range lines {
		if f.VATAmount == 0 {
			continue
		}
		r := fees.Rate(f.VAT, on)
		t := strconv.FormatInt(r/100, 10) + "." + strconv.FormatInt(r%100/10, 10) + " %"
		if len(out) == 0 || out[len(out)-1] != t {
			out = append(out, t)
		}
	}
	return strings.Join(out, ", ")
}
