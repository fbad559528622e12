// Package qrbill builds Swiss QR-bills as the SIX "Swiss Implementation
// Guidelines for the QR-bill" v2.3 (in force since 22 November 2025)
// define them: it validates the bill data, writes the text of the Swiss
// QR code (Payload), and draws the payment part and receipt as SVG or PDF,
// either alone or onto a page of an existing fpdf document (Draw).
//
// No maintained Go library exists; the payload is byte-identical to that
// of the reference implementation manuelbl/SwissQRBill (Java) for the same
// input, which the tests check against its own expected texts.
//
// Amounts are integer Rappen (cents) throughout; nothing is a float until
// it is a coordinate on the page.
package qrbill

import (
	"strconv"
	"strings"
)

// Address is a structured address ("S"), the only kind the guideline
// allows since v2.3. Field lengths are counted in characters.
type Address struct {
	Name           string // required, at most 70
	Street         string // optional, at most 70
	BuildingNumber string // optional, at most 16
	PostalCode     string // required, at most 16
	Town           string // required, at most 35
	Country        string // required, ISO 3166-1 alpha-2 ("CH")
}

// AlternativeScheme is a parameter string of an alternative payment
// procedure (e.g. eBill). Only Instruction goes into the QR code; Name is
// printed in bold before it in the "further information" section of the
// payment part.
type AlternativeScheme struct {
	Name        string
	Instruction string // at most 100 characters
}

// Bill is the data of one QR-bill.
type Bill struct {
	// Account is the creditor's IBAN or QR-IBAN (CH or LI); spaces are
	// allowed and removed, letters are capitalised.
	Account  string
	Creditor Address
	// Amount in Rappen (1 CHF = 100, likewise for EUR); 0 leaves the
	// amount open for the payer to fill in.
	Amount   int64
	Currency string // "CHF" or "EUR"
	// Debtor is nil (or all empty) for a bill whose payer fills in the
	// "payable by" box by hand.
	Debtor *Address
	// Reference is a QR reference (digits; with a QR-IBAN only, where it is
	// required), a creditor reference ("RF…", with an ordinary IBAN only)
	// or empty. Spaces are ignored. The reference type in the payload
	// (QRR, SCOR, NON) follows from it.
	Reference string
	// Message is the unstructured message, at most 140 characters
	// together with BillInformation.
	Message string
	// BillInformation is structured information for the payer's
	// accounting, such as Swico S1 ("//S1/10/…"); it starts with "//".
	BillInformation    string
	AlternativeSchemes []AlternativeScheme // at most two
}

// Reference types in the payload.
const (
	refQRR  = "QRR"
	refSCOR = "SCOR"
	refNON  = "NON"
)

// sep separates the payload's lines. The guideline allows CR LF or LF;
// manuelbl/SwissQRBill emits LF by default, and so do we (one byte less a
// line, so a denser code), with no separator after the last line.
const sep = "\n"

// Payload validates the bill and returns the text of its Swiss QR code.
// An invalid bill gives an *apperr.Error (see Validate).
func (b Bill) Payload() (string, error) {
	n, err := b.normalize()
	if err != nil {
		return "", err
	}
	return n.payload, nil
}

// payloadText writes the fields in the order of the guideline's data
// structure. It expects normalised data.
func (n *normalized) payloadText() string {
	lines := []string{
		"SPC",  // QRType
		"0200", // Version 2.0 (v2.3 still writes 0200)
		"1",    // Coding: UTF-8 restricted to the Latin character set
		n.Account,
	}
	lines = appendAddress(lines, &n.Creditor)
	lines = appendAddress(lines, nil) // ultimate creditor: reserved, always empty
	lines = append(lines, formatAmount(n.Amount, ""), n.Currency)
	lines = appendAddress(lines, n.Debtor)
	lines = append(lines, n.refType, n.Reference, n.Message, "EPD")
	// Bill information and the alternative schemes follow the trailer;
	// like manuelbl, the bill information line is left out only when
	// nothing comes after it.
	if n.BillInformation != "" || len(n.AlternativeSchemes) > 0 {
		lines = append(lines, n.BillInformation)
	}
	for _, s := range n.AlternativeSchemes {
		lines = append(lines, s.Instruction)
	}
	return strings.Join(lines, sep)
}

// appendAddress adds the seven lines of an address; a nil address is seven
// empty lines.
func appendAddress(lines []string, a *Address) []string {
	if a == nil {
		return append(lines, "", "", "", "", "", "", "")
	}
	return append(lines, "S", a.Name, a.Street, a.BuildingNumber, a.PostalCode, a.Town, a.Country)
}

// formatAmount writes Rappen with two decimals and a "." ("3949.75");
// thousands are grouped with group ("1 949.75" on the printed bill, none
// in the payload). Zero, the open amount, is empty.
func formatAmount(rappen int64, group string) string {
	if rappen == 0 {
		return ""
	}
	francs := rappen / 100
	cents := rappen % 100
	digits := strconv.FormatInt(francs, 10)
	var b strings.Builder
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteByte(digits[i])
	}
	b.WriteByte('.')
	b.WriteString(twoDigits(int(cents)))
	return b.String()
}
