package camt

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Zurich for date-times without an offset, also in slim containers
)

// parseAmount reads an ISO 20022 amount (xs:decimal, at most 5 fraction
// digits by the schema) as hundredths. The digits are accumulated as
// integers, never through float64, so 0.10 + 0.20 stays 30. A value that needs
// more than two decimals is refused rather than rounded: a bank does not send
// 17.005 CHF, and if a file says so something upstream is wrong. Trailing
// zeros ("17.50000") are fine.
func parseAmount(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("the amount is empty")
	}
	if s[0] == '-' {
		return 0, errors.New("the amount is negative; credits and debits are told apart by CdtDbtInd")
	}
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "+"), ".")
	if whole+frac == "" || !digits(whole) || !digits(frac) {
		return 0, errors.New("the amount is not a decimal number")
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, errors.New("the amount has more than two decimal places")
	}
	var v int64
	for _, c := range whole + frac + strings.Repeat("0", 2-len(frac)) {
		d := int64(c - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, errors.New("the amount is too large")
		}
		v = v*10 + d
	}
	return v, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func formatAmount(v int64) string {
	return fmt.Sprintf("%d.%02d", v/100, v%100)
}

// validCurrency reports whether s has the form of an ISO 4217 code.
func validCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// dateLayouts are xs:date without and with a time zone; the zone of a date
// says nothing about which day it is, so it is dropped.
var dateLayouts = []string{"2006-01-02", "2006-01-02Z07:00"}

// parseDate reads an ISODate as midnight UTC, the usual encoding of a civil
// date in time.Time, so that equal dates compare equal.
func parseDate(s string) (time.Time, error) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, errors.New("not a date (YYYY-MM-DD)")
}

var zurich = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		panic(err) // the zone database is compiled in (time/tzdata)
	}
	return loc
}()

// parseDateTime reads an ISODateTime (fractional seconds allowed) as an
// instant in UTC. Without an offset, which the schema permits and some banks
// use, the time is Swiss local time.
func parseDateTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05", s, zurich); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, errors.New("not a date and time (YYYY-MM-DDThh:mm:ss, optionally with an offset)")
}

// parseDateChoice reads BookgDt or ValDt, which hold a Dt or a DtTm.
func parseDateChoice(c dateChoice) (time.Time, error) {
	switch {
	case c.Dt != "":
		return parseDate(strings.TrimSpace(c.Dt))
	case c.DtTm != "":
		return parseDateTime(strings.TrimSpace(c.DtTm))
	}
	return time.Time{}, errors.New("has neither Dt nor DtTm")
}

// formatDateChoice is the inverse of parseDateChoice: a midnight UTC is a
// date, anything else a date-time.
func formatDateChoice(t time.Time) dateChoice {
	if t.IsZero() {
		return dateChoice{}
	}
	t = t.UTC()
	if t.Equal(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)) {
		return dateChoice{Dt: t.Format(time.DateOnly)}
	}
	return dateChoice{DtTm: t.Format(time.RFC3339Nano)}
}

// parseBool reads an xs:boolean.
func parseBool(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, nil
	case "false", "0", "":
		return false, nil
	}
	return false, errors.New("neither true nor false")
}

// Reference types as Credit.ReferenceType has them.
const (
	QRR  = "QRR"  // QR reference: 27 digits, the last a recursive mod 10 check digit
	SCOR = "SCOR" // ISO 11649 creditor reference: RF, two check digits, up to 21 characters
)

// compact removes all white space and upper-cases: references are printed in
// blocks of five or four, and an RF reference is case-insensitive.
func compact(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// referenceType takes the type the bank gives (Prtry QRR or Cd SCOR) and
// otherwise recognises the reference by its check digits: some banks leave
// Tp out.
func referenceType(tp codeOrProprietary, ref string) string {
	switch {
	case strings.EqualFold(strings.TrimSpace(tp.Prtry), QRR):
		return QRR
	case strings.EqualFold(strings.TrimSpace(tp.Cd), SCOR):
		return SCOR
	case validQRR(ref):
		return QRR
	case validSCOR(ref):
		return SCOR
	}
	return ""
}

// mod10 is the recursive modulo 10 of the QR reference (and the ISR before
// it): the carry after the digits of s, 0 for a string whose last digit is
// its check digit.
func mod10(s string) int {
	carry := 0
	for _, c := range s {
		carry = mod10Table[(carry+int(c-'0'))%10]
	}
	return carry
}

var mod10Table = [10]int{0, 9, 4, 6, 8, 2, 7, 1, 3, 5}

func validQRR(ref string) bool {
	return len(ref) == 27 && digits(ref) && mod10(ref) == 0
}

// validSCOR checks ISO 11649: the first four characters moved to the end,
// letters as 10..35, the number modulo 97 is 1.
func validSCOR(ref string) bool {
	if len(ref) < 5 || len(ref) > 25 || !strings.HasPrefix(ref, "RF") || !digits(ref[2:4]) {
		return false
	}
	rem := 0
	for _, c := range ref[4:] + ref[:4] {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}
