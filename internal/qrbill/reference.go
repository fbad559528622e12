package qrbill

import (
	"errors"
	"strconv"
	"strings"
)

// qrrLength is the length of a QR reference, check digit included.
const qrrLength = 27

// mod10Table is the table of the recursive modulo 10 check digit
// (as the guideline prescribes; the same as for the old ISR/ESR reference).
var mod10Table = [10]int{0, 9, 4, 6, 8, 2, 7, 1, 3, 5}

// mod10Check returns the recursive modulo 10 check digit of digits,
// which must consist of ASCII digits only.
func mod10Check(digits string) byte {
	carry := 0
	for i := 0; i < len(digits); i++ {
		carry = mod10Table[(carry+int(digits[i]-'0'))%10]
	}
	return byte('0' + (10-carry)%10)
}

// QRReference turns up to 26 digits (spaces are ignored) into a QR
// reference: left-padded with zeros to 26 digits, followed by the check
// digit.
func QRReference(digits string) (string, error) {
	d := removeSpaces(digits)
	if d == "" || !isDigits(d) {
		return "", errors.New("qrbill: a QR reference is made of digits only")
	}
	if len(d) > qrrLength-1 {
		return "", errors.New("qrbill: a QR reference has at most 26 digits before its check digit")
	}
	d = strings.Repeat("0", qrrLength-1-len(d)) + d
	return d + string(mod10Check(d)), nil
}

// ValidQRReference reports whether s (spaces are ignored) is a QR
// reference: 27 digits, not all zero, whose last digit is the check digit.
func ValidQRReference(s string) bool {
	d := removeSpaces(s)
	if len(d) != qrrLength || !isDigits(d) || strings.Trim(d, "0") == "" {
		return false
	}
	return mod10Check(d[:qrrLength-1]) == d[qrrLength-1]
}

// CreditorReference turns ref (letters and digits, spaces ignored, 1 to 21
// characters) into an ISO 11649 creditor reference: "RF", two check
// digits, ref in capitals.
func CreditorReference(ref string) (string, error) {
	r := strings.ToUpper(removeSpaces(ref))
	if r == "" || len(r) > 21 || !isAlnum(r) {
		return "", errors.New("qrbill: a creditor reference is made of 1 to 21 letters and digits")
	}
	// The check digits make the whole reference, read with "RF" and the
	// check digits moved to the end, equal 1 modulo 97; computed with "00"
	// in their place, they are 98 minus the remainder.
	check := 98 - mod97(r+"RF00")
	return "RF" + twoDigits(check) + r, nil
}

// ValidCreditorReference reports whether s (spaces are ignored, letters in
// either case) is an ISO 11649 creditor reference: "RF", two check
// digits, at most 21 letters and digits, 5 to 25 characters in all.
func ValidCreditorReference(s string) bool {
	r := strings.ToUpper(removeSpaces(s))
	if len(r) < 5 || len(r) > 25 || !isAlnum(r) || !strings.HasPrefix(r, "RF") || !isDigits(r[2:4]) {
		return false
	}
	return mod97(r[4:]+r[:4]) == 1
}

// ValidIBAN reports whether s (spaces are ignored, letters in either case)
// is an IBAN: a country code, two check digits (not 00, 01 or 99, which
// the mod 97 rule can never produce) and up to 30 letters and digits, with
// the ISO 13616 mod 97 check. The length per country is checked only for
// CH and LI, the accounts a QR-bill takes.
func ValidIBAN(s string) bool {
	iban := strings.ToUpper(removeSpaces(s))
	if len(iban) < 5 || len(iban) > 34 || !isAlnum(iban) {
		return false
	}
	if !isLetters(iban[:2]) || !isDigits(iban[2:4]) {
		return false
	}
	switch iban[2:4] {
	case "00", "01", "99":
		return false
	}
	if isSwissOrLiechtenstein(iban) && len(iban) != ibanLengthCH {
		return false
	}
	return mod97(iban[4:]+iban[:4]) == 1
}

// ibanLengthCH is the length of Swiss and Liechtenstein IBANs.
const ibanLengthCH = 21

func isSwissOrLiechtenstein(iban string) bool {
	return strings.HasPrefix(iban, "CH") || strings.HasPrefix(iban, "LI")
}

// IsQRIBAN reports whether s is a valid QR-IBAN: a Swiss or Liechtenstein
// IBAN whose institution id (characters 5 to 9) is 30000 to 31999. Only a
// QR-IBAN takes a QR reference, and it takes nothing else.
func IsQRIBAN(s string) bool {
	iban := strings.ToUpper(removeSpaces(s))
	if !ValidIBAN(iban) || !isSwissOrLiechtenstein(iban) {
		return false
	}
	iid, err := strconv.Atoi(iban[4:9])
	return err == nil && iid >= 30000 && iid <= 31999
}

// FormatIBAN groups an IBAN in blocks of four, as printed on the bill.
func FormatIBAN(s string) string {
	return groupFromStart(strings.ToUpper(removeSpaces(s)), 4)
}

// FormatReference groups a reference as printed on the bill: a QR
// reference in blocks of five counted from the end (so "21 00000 …"), a
// creditor reference in blocks of four from the start. Anything else is
// returned without spaces.
func FormatReference(s string) string {
	r := removeSpaces(s)
	switch {
	case ValidQRReference(r):
		head := len(r) % 5
		if head == 0 {
			return groupFromStart(r, 5)
		}
		return r[:head] + " " + groupFromStart(r[head:], 5)
	case ValidCreditorReference(r):
		return groupFromStart(strings.ToUpper(r), 4)
	}
	return r
}

func groupFromStart(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s); i += n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+n, len(s))])
	}
	return b.String()
}

// mod97 returns s modulo 97, where s is read as a number with its letters
// replaced by two digits each (A = 10 … Z = 35), as ISO 7064 MOD 97-10
// prescribes for both IBANs and ISO 11649 references. s must be capital
// letters and digits.
func mod97(s string) int {
	rem := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

func removeSpaces(s string) string { return strings.ReplaceAll(s, " ", "") }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// isAlnum reports whether s is capital letters and digits only.
func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}
