package camt

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// converter turns the decoded document into a Notification and collects the
// field errors on the way instead of stopping at the first, so that the
// finance office can correct a file (or tell the bank what is wrong) in one
// pass.
type converter struct {
	errs  []apperr.FieldError // the first MaxFieldErrors
	count int                 // all of them
	refs  map[string]int      // BankRef → line of the credit that has it
}

func convert(doc *node[document]) (*Notification, error) {
	c := converter{refs: map[string]int{}}
	n := c.notification(doc)
	if c.count == 0 {
		return n, nil
	}
	msg := fmt.Sprintf("the camt.054 file has %d errors", c.count)
	if c.count == 1 {
		msg = "the camt.054 file has an error"
	}
	if c.count > len(c.errs) {
		msg += fmt.Sprintf("; the first %d are listed", len(c.errs))
	}
	return nil, apperr.InvalidFields(msg, c.errs...)
}

// fail records a field error; value is the offending text, if any.
func (c *converter) fail(path string, line int, value, format string, args ...any) {
	c.count++
	if len(c.errs) == MaxFieldErrors {
		return
	}
	fe := apperr.FieldError{Path: path, Line: line, Message: fmt.Sprintf(format, args...)}
	if value != "" {
		fe.Value = value
	}
	c.errs = append(c.errs, fe)
}

// missing records an absent mandatory element at the line of its parent.
func (c *converter) missing(p string, line int) {
	c.fail(p, line, "", "%s is missing", path.Base(p))
}

// lineOr is the line of an element, or of its parent when it is absent.
func lineOr(line, parent int) int {
	if line > 0 {
		return line
	}
	return parent
}

func (c *converter) text(p string, n node[string], parent int) string {
	v := strings.TrimSpace(n.V)
	if v == "" {
		c.missing(p, lineOr(n.Line, parent))
	}
	return v
}

func (c *converter) notification(doc *node[document]) *Notification {
	msg := doc.V.Msg
	if msg.Line == 0 {
		c.missing("BkToCstmrDbtCdtNtfctn", doc.Line)
		return nil
	}
	hdr := msg.V.GrpHdr
	hdrLine := lineOr(hdr.Line, msg.Line)
	n := &Notification{MessageID: c.text("GrpHdr/MsgId", hdr.V.MsgID, hdrLine)}
	if s := c.text("GrpHdr/CreDtTm", hdr.V.CreDtTm, hdrLine); s != "" {
		t, err := parseDateTime(s)
		if err != nil {
			c.fail("GrpHdr/CreDtTm", hdr.V.CreDtTm.Line, s, "%s", err)
		}
		n.Created = t
	}
	if len(msg.V.Ntfctn) == 0 {
		c.missing("Ntfctn", msg.Line)
	}
	for i, nt := range msg.V.Ntfctn {
		n.Accounts = append(n.Accounts, c.account(fmt.Sprintf("Ntfctn[%d]", i+1), nt))
	}
	return n
}

func (c *converter) account(p string, nt node[notification]) Account {
	acct := nt.V.Acct
	a := Account{
		NotificationID: c.text(p+"/Id", nt.V.ID, nt.Line),
		IBAN:           compact(acct.V.ID.IBAN),
		Currency:       strings.TrimSpace(acct.V.Ccy),
	}
	if a.IBAN == "" {
		// Other account ids (Othr) exist in ISO 20022, but a Swiss creditor
		// account, and a QR-IBAN above all, is always an IBAN.
		c.missing(p+"/Acct/Id/IBAN", lineOr(acct.Line, nt.Line))
	}
	for i, e := range nt.V.Ntry {
		c.entry(fmt.Sprintf("%s/Ntry[%d]", p, i+1), e, &a)
	}
	return a
}

// entry adds the credits of one Ntry to a, or counts why it has none. Only
// booked credits are checked beyond their status and direction: the rest is
// not used, and a pending entry legitimately lacks a booking date.
func (c *converter) entry(p string, e node[entry], a *Account) {
	sts := strings.TrimSpace(e.V.Sts.V.Cd)
	if sts == "" {
		sts = strings.TrimSpace(e.V.Sts.V.Text)
	}
	switch sts {
	case "BOOK":
	case "":
		c.missing(p+"/Sts", e.Line)
		return
	default:
		a.Skipped.NotBooked++
		return
	}
	rev, err := parseBool(e.V.RvslInd.V)
	if err != nil {
		c.fail(p+"/RvslInd", e.V.RvslInd.Line, e.V.RvslInd.V, "%s", err)
	}
	switch ind := c.text(p+"/CdtDbtInd", e.V.CdtDbtInd, e.Line); ind {
	case "CRDT":
	case "DBIT":
		if rev {
			a.Skipped.ReversedCredits++
		} else {
			a.Skipped.Debits++
		}
		return
	case "":
		return
	default:
		c.fail(p+"/CdtDbtInd", e.V.CdtDbtInd.Line, ind, "must be CRDT or DBIT")
		return
	}

	base := Credit{
		Reversal:    rev,
		BookingDate: c.date(p+"/BookgDt", e.V.BookgDt, e.Line, true),
		ValueDate:   c.date(p+"/ValDt", e.V.ValDt, e.Line, false),
		Line:        e.Line,
		BankRef:     strings.TrimSpace(e.V.AcctSvcrRef),
	}
	base.Amount, base.Currency = c.amount(p+"/Amt", e.V.Amt, e.Line)
	txs := transactions(p, e.V)
	if len(txs) == 0 {
		c.keep(a, p+"/AcctSvcrRef", base)
		return
	}
	for i, tx := range txs {
		cr := base
		cr.Line = tx.Line
		switch {
		case tx.V.Amt.Line > 0:
			cr.Amount, cr.Currency = c.amount(tx.path+"/Amt", tx.V.Amt, tx.Line)
		case len(txs) > 1:
			c.fail(tx.path+"/Amt", tx.Line, "", "Amt is missing: the entry is a batch of %d transactions, each needs its own amount", len(txs))
		}
		if ref := strings.TrimSpace(tx.V.Refs.V.AcctSvcrRef); ref != "" {
			cr.BankRef = ref
		} else if base.BankRef != "" {
			cr.BankRef = fmt.Sprintf("%s#%d", base.BankRef, i+1)
		}
		copyDetails(&cr, tx.V)
		c.keep(a, tx.path+"/Refs/AcctSvcrRef", cr)
	}
}

// keep appends a finished credit unless its BankRef is missing or taken.
// refPath is where the reference should have been.
func (c *converter) keep(a *Account, refPath string, cr Credit) {
	if cr.BankRef == "" {
		c.fail(refPath, cr.Line, "", "the credit has no bank reference (Refs/AcctSvcrRef or Ntry/AcctSvcrRef), without which a second import of it could not be recognised")
		return
	}
	if first, dup := c.refs[cr.BankRef]; dup {
		c.fail(refPath, cr.Line, cr.BankRef, "the bank reference is also that of the credit at line %d", first)
		return
	}
	c.refs[cr.BankRef] = cr.Line
	a.Credits = append(a.Credits, cr)
}

type transaction struct {
	path string
	node[txDetails]
}

// transactions lists the TxDtls of an entry across all its NtryDtls (the
// schema allows several; banks send one).
func transactions(p string, e entry) []transaction {
	var txs []transaction
	for i, d := range e.NtryDtls {
		for j, tx := range d.V.TxDtls {
			txs = append(txs, transaction{fmt.Sprintf("%s/NtryDtls[%d]/TxDtls[%d]", p, i+1, j+1), tx})
		}
	}
	return txs
}

// copyDetails copies what identifies the payment and its payer. These are
// free texts of the debtor's bank and never an error.
func copyDetails(cr *Credit, tx txDetails) {
	var lines []string
	for _, u := range tx.RmtInf.V.Ustrd {
		if u = strings.TrimSpace(u); u != "" {
			lines = append(lines, u)
		}
	}
	cr.Unstructured = strings.Join(lines, " ")
	for _, s := range tx.RmtInf.V.Strd {
		if ref := compact(s.CdtrRefInf.V.Ref); ref != "" {
			cr.Reference = ref
			cr.ReferenceType = referenceType(s.CdtrRefInf.V.Tp.V.CdOrPrtry, ref)
			break
		}
	}
	dbtr := tx.RltdPties.V.Dbtr.V
	cr.DebtorName = strings.TrimSpace(dbtr.Pty.V.Nm)
	if cr.DebtorName == "" {
		cr.DebtorName = strings.TrimSpace(dbtr.Nm)
	}
	cr.DebtorIBAN = compact(tx.RltdPties.V.DbtrAcct.V.ID.IBAN)
}

func (c *converter) amount(p string, n node[amount], parent int) (int64, string) {
	if n.Line == 0 {
		c.missing(p, parent)
		return 0, ""
	}
	v, err := parseAmount(n.V.Value)
	if err != nil {
		c.fail(p, n.Line, strings.TrimSpace(n.V.Value), "%s", err)
	}
	ccy := strings.TrimSpace(n.V.Ccy)
	switch {
	case ccy == "":
		c.fail(p+"/@Ccy", n.Line, "", "the amount has no currency (attribute Ccy)")
	case !validCurrency(ccy):
		c.fail(p+"/@Ccy", n.Line, ccy, "not an ISO 4217 currency code")
	}
	return v, ccy
}

func (c *converter) date(p string, n node[dateChoice], parent int, required bool) time.Time {
	if n.Line == 0 {
		if required {
			c.missing(p, parent)
		}
		return time.Time{}
	}
	t, err := parseDateChoice(n.V)
	switch {
	case err == nil:
	case n.V.Dt != "":
		c.fail(p+"/Dt", n.Line, strings.TrimSpace(n.V.Dt), "%s", err)
	case n.V.DtTm != "":
		c.fail(p+"/DtTm", n.Line, strings.TrimSpace(n.V.DtTm), "%s", err)
	default:
		c.fail(p, n.Line, "", "%s", err)
	}
	return t
}
