package camt

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"time"
	"unicode/utf8"
)

// Write writes n as a camt.054.001.08 document, for tests and benchmarks
// (a 10,000-credit file for the matching, say). Each credit becomes a booked
// CRDT entry with one TxDtls; Parse reads back exactly n, apart from Line
// (which describes a parsed file and is not written) and Skipped (only
// credits are written). The value needs to be one Parse could have returned:
// references compact, texts trimmed, dates as Parse gives them; Write refuses
// values that would make the document invalid, such as a negative amount or
// an over-long reference.
func Write(w io.Writer, n Notification) error {
	doc, err := wireDocument(n)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("camt: write: %w", err)
	}
	if err := bw.WriteByte('\n'); err != nil {
		return err
	}
	return bw.Flush()
}

func wireDocument(n Notification) (*document, error) {
	msg := message{GrpHdr: node[groupHeader]{V: groupHeader{
		MsgID:   node[string]{V: n.MessageID},
		CreDtTm: node[string]{V: n.Created.UTC().Format(time.RFC3339Nano)},
	}}}
	chk := &writeCheck{}
	chk.text("MessageID", n.MessageID, 35, true)
	if n.Created.IsZero() {
		chk.fail("Created", "is zero")
	}
	if len(n.Accounts) == 0 {
		chk.fail("Accounts", "is empty; the schema needs an Ntfctn")
	}
	for i, a := range n.Accounts {
		p := fmt.Sprintf("Accounts[%d]", i)
		chk.text(p+".NotificationID", a.NotificationID, 35, true)
		chk.text(p+".IBAN", a.IBAN, 34, true)
		if a.Currency != "" && !validCurrency(a.Currency) {
			chk.fail(p+".Currency", "is not an ISO 4217 code")
		}
		nt := notification{
			ID:   node[string]{V: a.NotificationID},
			Acct: node[cashAccount]{V: cashAccount{ID: accountID{IBAN: a.IBAN}, Ccy: a.Currency}},
		}
		for j, cr := range a.Credits {
			chk.credit(fmt.Sprintf("%s.Credits[%d]", p, j), cr)
			nt.Ntry = append(nt.Ntry, node[entry]{V: wireEntry(cr)})
		}
		msg.Ntfctn = append(msg.Ntfctn, node[notification]{V: nt})
	}
	if chk.err != nil {
		return nil, chk.err
	}
	return &document{
		XMLName: xml.Name{Space: Namespace, Local: "Document"},
		Msg:     node[message]{V: msg},
	}, nil
}

// wireEntry is the booked entry of one credit. BkTxCd is mandatory in the
// schema; the codes are those Swiss banks use for incoming credit transfers
// (PMNT/RCDT), with the sub-family VCOM for QR-reference payments and DMCT
// (domestic credit transfer) otherwise.
func wireEntry(cr Credit) entry {
	amt := node[amount]{V: amount{Ccy: cr.Currency, Value: formatAmount(cr.Amount)}}
	sub := "DMCT"
	if cr.ReferenceType == QRR {
		sub = "VCOM"
	}
	e := entry{
		Amt:         amt,
		CdtDbtInd:   node[string]{V: "CRDT"},
		Sts:         node[status]{V: status{Cd: "BOOK"}},
		BookgDt:     node[dateChoice]{V: formatDateChoice(cr.BookingDate)},
		ValDt:       node[dateChoice]{V: formatDateChoice(cr.ValueDate)},
		AcctSvcrRef: cr.BankRef,
		BkTxCd: node[bankTxCode]{V: bankTxCode{Domn: node[bankTxDomain]{V: bankTxDomain{
			Cd: "PMNT", Fmly: node[bankTxFamily]{V: bankTxFamily{Cd: "RCDT", SubFmlyCd: sub}},
		}}}},
	}
	if cr.Reversal {
		e.RvslInd = node[string]{V: "true"}
	}
	tx := txDetails{
		Refs:      node[txRefs]{V: txRefs{AcctSvcrRef: cr.BankRef}},
		Amt:       amt,
		CdtDbtInd: "CRDT",
		RltdPties: node[parties]{V: parties{
			Dbtr:     node[debtor]{V: debtor{Pty: node[party]{V: party{Nm: cr.DebtorName}}}},
			DbtrAcct: node[cashAccount]{V: cashAccount{ID: accountID{IBAN: cr.DebtorIBAN}}},
		}},
	}
	if cr.Unstructured != "" {
		tx.RmtInf.V.Ustrd = []string{cr.Unstructured}
	}
	if cr.Reference != "" {
		ref := creditorRef{Ref: cr.Reference}
		switch cr.ReferenceType {
		case QRR:
			ref.Tp.V.CdOrPrtry.Prtry = QRR
		case SCOR:
			ref.Tp.V.CdOrPrtry.Cd = SCOR
		}
		tx.RmtInf.V.Strd = []structured{{CdtrRefInf: node[creditorRef]{V: ref}}}
	}
	e.NtryDtls = []node[entryDetails]{{V: entryDetails{TxDtls: []node[txDetails]{{V: tx}}}}}
	return e
}

// writeCheck keeps the first reason why a Notification cannot be written.
type writeCheck struct{ err error }

func (w *writeCheck) fail(field, msg string) {
	if w.err == nil {
		w.err = fmt.Errorf("camt: write: %s %s", field, msg)
	}
}

// text checks a MaxNText of the schema (length in characters).
func (w *writeCheck) text(field, v string, max int, required bool) {
	switch {
	case required && v == "":
		w.fail(field, "is empty")
	case utf8.RuneCountInString(v) > max:
		w.fail(field, fmt.Sprintf("is longer than %d characters", max))
	}
}

func (w *writeCheck) credit(p string, cr Credit) {
	w.text(p+".BankRef", cr.BankRef, 35, true)
	w.text(p+".Reference", cr.Reference, 35, false)
	w.text(p+".Unstructured", cr.Unstructured, 140, false)
	w.text(p+".DebtorName", cr.DebtorName, 140, false)
	w.text(p+".DebtorIBAN", cr.DebtorIBAN, 34, false)
	if cr.Amount < 0 {
		w.fail(p+".Amount", "is negative")
	}
	if !validCurrency(cr.Currency) {
		w.fail(p+".Currency", "is not an ISO 4217 code")
	}
	if cr.BookingDate.IsZero() {
		w.fail(p+".BookingDate", "is zero")
	}
}
