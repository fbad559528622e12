// Package camt reads the ISO 20022 "Bank to Customer Debit/Credit
// Notification" (camt.054) that Swiss banks send for incoming payments, above
// all QR-bill payments with a QR reference (QRR) or an RF creditor reference
// (SCOR). It returns the booked credits of a file with their reference, so
// that the payments code can match each one to the open amount of a case; it
// books nothing itself.
//
// The version read is camt.054.001.08, the one the Swiss Payment Standards
// (SIX, "Swiss Business Rules for Cash Management", 2022 and later) prescribe,
// and its predecessor camt.054.001.04, which banks delivered until the switch
// and which differs only in two elements the parser reads (see wire.go).
// Anything else is refused with an error naming the namespace found. Only the
// subset of the schema that matching needs is decoded; everything else is
// skipped unread. docs/camt.md describes the elements, the skipping rules and
// the error format.
package camt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// The namespaces of the accepted versions.
const (
	Namespace   = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08" // what Write produces
	namespace04 = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.04"
)

// MaxFileSize is the largest file Parse reads: a day of a busy city's
// QR-bill payments is a few MiB, so 50 MiB leaves room for a month in one file
// while bounding the memory a bad upload can take.
const MaxFileSize = 50 << 20

// MaxFieldErrors is how many field errors an error lists: enough to fix a
// file in one pass, not so many that a file with a systematic fault (every
// amount wrong) floods the office's screen.
const MaxFieldErrors = 50

// Notification is one camt.054 file.
type Notification struct {
	MessageID string    // GrpHdr/MsgId
	Created   time.Time // GrpHdr/CreDtTm, in UTC
	Accounts  []Account // one per Ntfctn, in file order
}

// Account is one Ntfctn: the entries of one account of the creditor.
type Account struct {
	NotificationID string // Ntfctn/Id
	IBAN           string // Ntfctn/Acct/Id/IBAN, spaces removed, upper case
	Currency       string // Ntfctn/Acct/Ccy; empty when the bank leaves it out
	Credits        []Credit
	Skipped        Skipped
}

// Skipped counts the entries (Ntry) of an account that yield no credit.
// The counts are for the import summary, so the office can see that nothing
// was silently lost.
type Skipped struct {
	Debits int // CdtDbtInd DBIT: money leaving the account (fees, refunds)
	// ReversedCredits are DBIT entries with RvslInd true: by ISO 20022 these
	// take back an earlier credit (a payment the bank returned). They are not
	// returned as credits, but the office has to look at them, so they are
	// counted apart from ordinary debits.
	ReversedCredits int
	NotBooked       int // status other than BOOK (PDNG, INFO, FUTR): not final yet
}

// Credit is one incoming payment: one TxDtls of a booked CRDT entry, or the
// entry itself when it has no TxDtls.
type Credit struct {
	// BankRef identifies the payment across files, for duplicate detection
	// (banks send the same payment again in a later camt.054, or in the
	// camt.053 statement): TxDtls/Refs/AcctSvcrRef, the bank's reference of
	// the transaction; when a bank leaves that out, Ntry/AcctSvcrRef followed
	// by "#" and the 1-based position of the TxDtls in the entry (stable,
	// because a bank repeats an entry as a whole); for an entry without TxDtls,
	// Ntry/AcctSvcrRef alone. A credit without any of these is an error, and
	// so is a BankRef that occurs twice in one file.
	BankRef     string
	Amount      int64     // hundredths (Rappen, cents) of Currency, exact
	Currency    string    // the Ccy attribute of the amount read
	BookingDate time.Time // Ntry/BookgDt: a Dt is midnight UTC, a DtTm the instant in UTC
	ValueDate   time.Time // Ntry/ValDt, as BookingDate; zero when absent
	// Reference is RmtInf/Strd/CdtrRefInf/Ref (the first Strd that has one),
	// whitespace removed and upper-cased, as printed references are grouped
	// in blocks and RF references are case-insensitive.
	Reference string
	// ReferenceType is "QRR" or "SCOR": from CdtrRefInf/Tp/CdOrPrtry (Prtry
	// QRR, Cd SCOR), else derived from the reference itself (27 digits with a
	// valid check digit, or RF with a valid ISO 11649 check); empty when
	// neither.
	ReferenceType string
	Unstructured  string // RmtInf/Ustrd, each trimmed, joined with a space
	DebtorName    string // RltdPties/Dbtr/Pty/Nm (camt.054.001.04: Dbtr/Nm)
	DebtorIBAN    string // RltdPties/DbtrAcct/Id/IBAN
	// Line is the 1-based line of the TxDtls element (of the Ntry when the
	// entry has no TxDtls), for the work list and messages.
	Line int
	// Reversal is Ntry/RvslInd: for a credit, the bank reversed an earlier
	// debit (an outgoing payment came back).
	Reversal bool
}

// Parse reads a camt.054 file. Any fault gives an *apperr.Error with code
// Invalid whose Fields name the element path (relative to
// BkToCstmrDbtCdtNtfctn, e.g. "Ntfctn[1]/Ntry[3]/Amt") and the line, at most
// MaxFieldErrors of them; the result is then nil, never partial. Only a
// failure of r itself gives another error.
func Parse(r io.Reader) (*Notification, error) {
	return parse(r, MaxFileSize)
}

func parse(r io.Reader, limit int64) (*Notification, error) {
	src := &limitedReader{r: r, left: limit}
	d := xml.NewDecoder(src)
	d.CharsetReader = refuseCharset
	var doc node[document]
	err := decode(d, &doc)
	switch {
	case err == nil:
		return convert(&doc)
	case errors.Is(err, errTooLarge):
		return nil, apperr.New(apperr.Invalid, "the file is larger than %s; ask the bank for smaller (daily) files", size(limit))
	case errors.As(err, new(*readError)):
		return nil, fmt.Errorf("camt: reading the file: %w", err)
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return nil, ae
	}
	// Everything else comes from encoding/xml: a *xml.SyntaxError carries
	// its line; the few plain errors (an unsupported XML version) are at the
	// decoder's position. Their texts name tags and characters only.
	line, _ := d.InputPos()
	msg := err.Error()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		line, msg = se.Line, se.Msg
	}
	return nil, apperr.InvalidFields("the file is not well-formed XML", apperr.FieldError{Message: msg, Line: line})
}

// decode reads the prolog, checks the root element, decodes the document and
// makes sure nothing but comments and white space follows it.
func decode(d *xml.Decoder, doc *node[document]) error {
	start, err := prolog(d)
	if err != nil {
		return err
	}
	line, _ := d.InputPos()
	if start.Name.Local != "Document" {
		return rootError(line, "the file is not an ISO 20022 message: its root element is <%s>, not <Document>", start.Name.Local)
	}
	if ns := start.Name.Space; ns != Namespace && ns != namespace04 {
		return rootError(line, "the file is not a camt.054 notification in a version Schalter reads: its namespace is %q; expected %q (or camt.054.001.04)", ns, Namespace)
	}
	if err := d.DecodeElement(doc, &start); err != nil {
		return err
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !ignorable(tok) {
			line, _ := d.InputPos()
			return rootError(line, "the file has content after the end of </Document>")
		}
	}
}

// prolog skips to the root element. A DOCTYPE is refused: encoding/xml
// expands no entities beyond the five predefined ones and never loads an
// external DTD (a reference to an undeclared entity is a syntax error), so a
// DTD could do no harm here, but no bank sends one and a file with one is not
// what it claims to be.
func prolog(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.StartElement{}, apperr.New(apperr.Invalid, "the file is empty: it has no XML document")
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.Directive:
			line, _ := d.InputPos()
			return xml.StartElement{}, rootError(line, "the file has a document type declaration (<!%s…>); camt files have none", firstWord(t))
		}
		if !ignorable(tok) {
			line, _ := d.InputPos()
			return xml.StartElement{}, rootError(line, "the file has text before its root element")
		}
	}
}

// ignorable reports whether tok may stand outside the root element: the XML
// declaration, comments, white space and a UTF-8 byte order mark (which
// encoding/xml hands on as character data).
func ignorable(tok xml.Token) bool {
	switch t := tok.(type) {
	case xml.ProcInst, xml.Comment:
		return true
	case xml.CharData:
		return len(bytes.TrimSpace(bytes.TrimPrefix(t, []byte("\uFEFF")))) == 0
	}
	return false
}

func firstWord(dir xml.Directive) string {
	w, _, _ := bytes.Cut(dir, []byte(" "))
	return string(w)
}

func rootError(line int, format string, args ...any) *apperr.Error {
	msg := fmt.Sprintf(format, args...)
	return apperr.InvalidFields(msg, apperr.FieldError{Path: "Document", Message: msg, Line: line})
}

// refuseCharset is the decoder's CharsetReader: the Swiss Payment Standards
// prescribe UTF-8, and guessing at another encoding would garble debtor names.
func refuseCharset(label string, _ io.Reader) (io.Reader, error) {
	return nil, apperr.New(apperr.Invalid, "the file declares the character encoding %q; camt files must be UTF-8", label)
}

var errTooLarge = errors.New("camt: file too large")

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readError marks a failure of the caller's reader, which is not the file's
// fault and so not an Invalid.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// limitedReader is io.LimitReader with an error of its own: io.LimitReader
// ends in io.EOF, which the decoder would report as "unexpected EOF" in the
// middle of an element instead of saying that the file is too large.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more than the limit tells a file of exactly the limit
		// from a larger one.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, wrapRead(err)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, wrapRead(err)
}

func wrapRead(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return &readError{err}
}
