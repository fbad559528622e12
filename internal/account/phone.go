package account

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// Phone numbers are checked against the numbering plans of every country
// (libphonenumber's metadata), read the Swiss way when they have no
// country code, and stored in E.164.

// phoneChars are what people type in a phone number. Letters are refused
// although the parser would read them as on a keypad ("0800 FLOWERS").
const phoneChars = "0123456789+ -./()\u00a0"

// parsePhone reads a number as typed ("079 123 45 67", "+41 79 123 45 67",
// "0041 79 …"); ok is false unless it is a number that can exist.
func parsePhone(typed string) (*phonenumbers.PhoneNumber, bool) {
	typed = strings.TrimSpace(typed)
	if typed == "" || len(typed) > 32 || strings.Trim(typed, phoneChars) != "" || strings.LastIndex(typed, "+") > 0 {
		return nil, false
	}
	n, err := phonenumbers.Parse(typed, "CH")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return nil, false
	}
	return n, true
}

// NormalizePhone accepts the ways people write Swiss and international
// numbers and returns E.164 (+41791234567); ok is false for anything else.
func NormalizePhone(typed string) (string, bool) {
	n, ok := parsePhone(typed)
	if !ok {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// NormalizeMobile is NormalizePhone for numbers that must receive SMS:
// landlines are refused. Errors name body.phone.
func NormalizeMobile(typed string) (string, error) {
	bad := func(msg string) error {
		return apperr.InvalidFields("not a valid mobile number", apperr.FieldError{Path: "body.phone", Message: msg})
	}
	n, ok := parsePhone(typed)
	if !ok {
		return "", bad("must be a phone number such as 079 123 45 67 or +41 79 123 45 67")
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return "", bad("must be a mobile number: SMS do not reach landlines")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// MaskPhone shows enough of a number to recognise it and not enough to
// dial it: +41 79 *** ** 67.
func MaskPhone(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	national := phonenumbers.GetNationalSignificantNumber(n)
	intl := phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
	// Walk the digits after the country code: the first two and the last
	// two stay.
	prefix := fmt.Sprintf("+%d", n.GetCountryCode())
	var b strings.Builder
	b.WriteString(prefix)
	i := 0
	for _, r := range intl[len(prefix):] {
		if r < '0' || r > '9' {
			b.WriteRune(r)
			continue
		}
		if i < 2 || i >= len(national)-2 {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
		i++
	}
	return b.String()
}
