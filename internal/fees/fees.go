// Package fees turns what a service costs into the lines of a case's
// bill. A form definition says how the fees are collected and which items
// there are: a fixed amount, an amount per unit of a form field (per
// extract, per month), an item that applies only when a field has a value
// (the express surcharge), or nothing at submission because the office
// sets the amount later (a building permit).
//
// Amounts are integer Rappen. An amount includes VAT where the fee type
// is subject to it (most official fees are not: they are sovereign acts);
// the VAT share is computed from the gross amount and booked on its own.
package fees

import (
	"bytes"
	"encoding/json"
	"regexp"
	"time"
)

// How a service collects its fees.
const (
	// Before: the case waits for the payment; the office sees it once
	// paid.
	Before = "before"
	// Invoice: the person gets a QR-bill with the case and pays within
	// DueDays; the case goes to the office at once.
	Invoice = "invoice"
	// Office: the office sets the amount while handling the case, then the
	// person is invoiced.
	Office = "office"
)

// Collects lists the ways, for messages and the spec.
var Collects = []string{Before, Invoice, Office}

// VAT codes of a fee type.
const (
	VATNone     = "none"
	VATStandard = "standard"
	VATReduced  = "reduced"
)

// VATCodes lists them.
var VATCodes = []string{VATNone, VATStandard, VATReduced}

// Spec is the fee part of a form definition.
type Spec struct {
	Collect string `json:"collect"`
	Items   []Item `json:"items,omitempty"`
	// DueDays is how long an invoice runs (30 when zero).
	DueDays int `json:"due_days,omitempty"`
}

// Item is one fee of a service.
type Item struct {
	// Type names the fee in the ledger (a revenue account per office and
	// type), e.g. "extract", "express".
	Type   string `json:"type"`
	Amount int64  `json:"amount_rappen"`
	// Per names an integer field of the form: the quantity.
	Per string `json:"per,omitempty"`
	// Beyond counts only the units above this many (each further copy
	// after the first).
	Beyond int `json:"beyond,omitempty"`
	// If applies the item only when a field has a value.
	If    *Condition        `json:"if,omitempty"`
	VAT   string            `json:"vat,omitempty"`
	Label map[string]string `json:"label"`
}

// Condition is "field equals value", as a form field's show_if.
type Condition struct {
	Field  string `json:"field"`
	Equals any    `json:"equals"`
}

// Line is one line of a bill.
type Line struct {
	Type      string
	Label     map[string]string
	Quantity  int
	Unit      int64
	Amount    int64
	VAT       string
	VATAmount int64
}

// Term is the spec's term of payment for invoices.
func (s *Spec) Term() int {
	if s == nil || s.DueDays <= 0 {
		return 30
	}
	return s.DueDays
}

// Lines are the bill's lines for what a person submitted: items whose
// condition holds, each with its quantity (items with a quantity of zero
// are left out). The data passed the form's schema, which Compile checked
// against the spec: a Per field is an integer.
func (s *Spec) Lines(data json.RawMessage, on time.Time) []Line {
	if s == nil {
		return nil
	}
	var values map[string]json.RawMessage
	_ = json.Unmarshal(data, &values)
	var out []Line
	for _, it := range s.Items {
		if it.If != nil && !equals(values[it.If.Field], it.If.Equals) {
			continue
		}
		qty := 1
		if it.Per != "" {
			qty = 0
			_ = json.Unmarshal(values[it.Per], &qty)
			qty -= it.Beyond
		}
		if qty <= 0 {
			continue
		}
		vat := it.VAT
		if vat == "" {
			vat = VATNone
		}
		out = append(out, NewLine(it.Type, it.Label, qty, it.Amount, vat, on))
	}
	return out
}

// MaxAmount bounds one fee (CHF 100 million): far above any official fee
// and far below an overflow of a quantity times an amount.
const MaxAmount = 10_000_000_000

// validType is a fee type: a slug, as the fee table checks it.
var validType = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidType reports whether s can name a fee type.
func ValidType(s string) bool { return validType.MatchString(s) }

// NewLine is a bill line of qty units at unit Rappen each, with the VAT
// share of its code on a day.
func NewLine(feeType string, label map[string]string, qty int, unit int64, vat string, on time.Time) Line {
	amount := int64(qty) * unit
	return Line{Type: feeType, Label: label, Quantity: qty, Unit: unit, Amount: amount, VAT: vat, VATAmount: VATShare(amount, vat, on)}
}

// Total adds up lines.
func Total(lines []Line) int64 {
	var t int64
	for _, l := range lines {
		t += l.Amount
	}
	return t
}

// equals compares a submitted value with a condition's, as JSON.
func equals(raw json.RawMessage, want any) bool {
	if raw == nil {
		return false
	}
	w, err := json.Marshal(want)
	if err != nil {
		return false
	}
	var got any
	if json.Unmarshal(raw, &got) != nil {
		return false
	}
	g, _ := json.Marshal(got)
	return bytes.Equal(g, w)
}

// rate is a VAT rate in hundredths of a percent from a date on.
type rate struct {
	from              time.Time
	standard, reduced int64
}

// rates are Switzerland's VAT rates (MWSTG Art. 25), newest first.
var rates = []rate{
	{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 810, 260},
	{time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), 770, 250},
}

// Rate is the VAT rate of a code on a day, in hundredths of a percent.
func Rate(code string, on time.Time) int64 {
	for _, r := range rates {
		if !on.Before(r.from) {
			switch code {
			case VATStandard:
				return r.standard
			case VATReduced:
				return r.reduced
			}
			return 0
		}
	}
	return 0
}

// VATShare is the VAT contained in a gross amount, rounded to the Rappen
// (half up): gross × rate / (100 % + rate).
func VATShare(gross int64, code string, on time.Time) int64 {
	r := Rate(code, on)
	if r == 0 || gross <= 0 {
		return 0
	}
	return (gross*r*2 + (10000 + r)) / ((10000 + r) * 2)
}
