package qrbill

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// Limits of the guideline's data structure, in characters.
const (
	maxName           = 70
	maxStreet         = 70
	maxBuildingNumber = 16
	maxPostalCode     = 16
	maxTown           = 35
	maxAdditionalInfo = 140 // message and bill information together
	maxAltSchemes     = 2
	maxAltScheme      = 100
	// maxPayload is the guideline's limit for the whole text. The code may
	// be at most version 25 at level M, which holds 997 bytes in byte mode,
	// so the limit is applied to the UTF-8 bytes: plain ASCII text cannot
	// reach it with the field limits above, text full of umlauts can.
	maxPayload = 997
	// maxAmount is 999 999 999.99 in Rappen.
	maxAmount = 99_999_999_999
)

// normalized is a bill after validation: text fields are NFC, trimmed,
// with runs of spaces collapsed; the account and reference have no
// spaces; the payload is written.
type normalized struct {
	Bill
	refType string
	payload string
}

// Validate checks the bill against the guideline. It returns nil or an
// *apperr.Error with Code apperr.Invalid naming every bad field, with
// paths such as "creditor.town", "debtor.postal_code", "reference",
// "alternative_schemes[1].instruction", or "payload" when the whole text
// is too long for the code.
//
// Before checking, text fields are normalised the way
// manuelbl/SwissQRBill does it (so the payload is the same): Unicode NFC
// (a decomposed "a" + diaeresis becomes "ä"), surrounding white space
// trimmed, runs of spaces collapsed to one. A character outside the
// guideline's character set is an error, never silently replaced.
func (b Bill) Validate() error {
	_, err := b.normalize()
	return err
}

// validator collects field errors.
type validator struct {
	errs []apperr.FieldError
}

func (v *validator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, apperr.FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (b Bill) normalize() (*normalized, error) {
	v := &validator{}
	n := &normalized{}
	n.Account = v.account(b.Account)
	n.Creditor = v.address("creditor", b.Creditor)
	if b.Debtor != nil && !b.Debtor.isEmpty() {
		d := v.address("debtor", *b.Debtor)
		n.Debtor = &d
	}
	n.Amount = v.amount(b.Amount)
	n.Currency = v.currency(b.Currency)
	n.Reference, n.refType = v.reference(b.Reference, n.Account)
	n.Message = v.text("message", b.Message, maxAdditionalInfo, false)
	n.BillInformation = v.billInformation(b.BillInformation)
	if total := utf8.RuneCountInString(n.Message) + utf8.RuneCountInString(n.BillInformation); total > maxAdditionalInfo {
		for _, path := range []string{"message", "bill_information"} {
			v.fail(path, "message and bill information together are %d characters, more than %d", total, maxAdditionalInfo)
		}
	}
	n.AlternativeSchemes = v.alternativeSchemes(b.AlternativeSchemes)
	if len(v.errs) > 0 {
		return nil, apperr.InvalidFields("the QR-bill data is invalid", v.errs...)
	}
	n.payload = n.payloadText()
	if len(n.payload) > maxPayload {
		v.fail("payload", "the QR code text is %d bytes in UTF-8, more than the %d a Swiss QR code holds; shorten the addresses or the message", len(n.payload), maxPayload)
		return nil, apperr.InvalidFields("the QR-bill data is invalid", v.errs...)
	}
	return n, nil
}

func (a *Address) isEmpty() bool {
	for _, s := range []string{a.Name, a.Street, a.BuildingNumber, a.PostalCode, a.Town, a.Country} {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func (v *validator) account(s string) string {
	iban := strings.ToUpper(removeSpaces(strings.TrimSpace(s)))
	switch {
	case iban == "":
		v.fail("account", "is required")
	case !ValidIBAN(iban):
		v.fail("account", "is not a valid IBAN (format or check digits)")
	case !isSwissOrLiechtenstein(iban):
		v.fail("account", "must be a Swiss (CH) or Liechtenstein (LI) IBAN")
	default:
		return iban
	}
	return ""
}

func (v *validator) address(root string, a Address) Address {
	return Address{
		Name:           v.text(root+".name", a.Name, maxName, true),
		Street:         v.text(root+".street", a.Street, maxStreet, false),
		BuildingNumber: v.text(root+".building_number", a.BuildingNumber, maxBuildingNumber, false),
		PostalCode:     v.text(root+".postal_code", a.PostalCode, maxPostalCode, true),
		Town:           v.text(root+".town", a.Town, maxTown, true),
		Country:        v.country(root+".country", a.Country),
	}
}

func (v *validator) country(path, s string) string {
	c := strings.ToUpper(strings.TrimSpace(s))
	switch {
	case c == "":
		v.fail(path, "is required")
	case !isCountry(c):
		v.fail(path, "must be a two-letter ISO 3166-1 country code such as CH")
	}
	return c
}

func (v *validator) amount(rappen int64) int64 {
	if rappen < 0 || rappen > maxAmount {
		v.fail("amount", "must be between 0.01 and 999 999 999.99 (or 0 to leave it open)")
	}
	return rappen
}

func (v *validator) currency(s string) string {
	c := strings.ToUpper(strings.TrimSpace(s))
	if c != "CHF" && c != "EUR" {
		v.fail("currency", "must be CHF or EUR")
	}
	return c
}

// reference derives the reference type and checks it against the kind of
// account; account is "" when it was invalid, and then only the form of
// the reference is checked.
func (v *validator) reference(s, account string) (ref, refType string) {
	r := strings.ToUpper(removeSpaces(strings.TrimSpace(s)))
	qrIBAN := account != "" && IsQRIBAN(account)
	switch {
	case r == "":
		if qrIBAN {
			v.fail("reference", "is required with a QR-IBAN (a 27-digit QR reference)")
		}
		return "", refNON
	case isDigits(r):
		// Like manuelbl, leading zeros may be left out.
		if len(r) < qrrLength {
			r = strings.Repeat("0", qrrLength-len(r)) + r
		}
		switch {
		case !ValidQRReference(r):
			v.fail("reference", "is not a valid QR reference (27 digits, the last a check digit)")
		case account != "" && !qrIBAN:
			v.fail("reference", "a QR reference needs a QR-IBAN; with this IBAN use a creditor reference (RF…) or none")
		}
		return r, refQRR
	default:
		switch {
		case !ValidCreditorReference(r):
			v.fail("reference", "is neither a QR reference nor an ISO 11649 creditor reference (RF…)")
		case qrIBAN:
			v.fail("reference", "a QR-IBAN takes a QR reference, not a creditor reference")
		}
		return r, refSCOR
	}
}

func (v *validator) billInformation(s string) string {
	info := v.text("bill_information", s, maxAdditionalInfo, false)
	// The guideline's bill information is a coded syntax ("//" and the
	// syntax's abbreviation, e.g. Swico "//S1/…"); manuelbl rejects
	// anything else, and so do we.
	if info != "" && (!strings.HasPrefix(info, "//") || len(info) < 4) {
		v.fail("bill_information", "must start with // and the syntax's abbreviation, e.g. //S1/…")
	}
	return info
}

func (v *validator) alternativeSchemes(in []AlternativeScheme) []AlternativeScheme {
	if len(in) > maxAltSchemes {
		v.fail("alternative_schemes", "at most %d alternative schemes are allowed", maxAltSchemes)
	}
	var out []AlternativeScheme
	for i, s := range in {
		path := fmt.Sprintf("alternative_schemes[%d]", i)
		out = append(out, AlternativeScheme{
			Name:        v.text(path+".name", s.Name, maxAltScheme, false),
			Instruction: v.text(path+".instruction", s.Instruction, maxAltScheme, true),
		})
	}
	return out
}

// text normalises a text field and checks it is present if required, not
// longer than limit characters and within the character set.
func (v *validator) text(path, s string, limit int, required bool) string {
	t := cleanText(s)
	if t == "" {
		if required {
			v.fail(path, "is required")
		}
		return ""
	}
	if n := utf8.RuneCountInString(t); n > limit {
		v.fail(path, "is %d characters, more than %d", n, limit)
	}
	for _, r := range t {
		if !allowedRune(r) {
			v.fail(path, "contains %q (U+%04X), a character a QR-bill does not allow", r, r)
			break
		}
	}
	return t
}

// cleanText is NFC, trimmed, runs of spaces collapsed: what manuelbl does
// before it looks at the characters, so both give the same payload.
func cleanText(s string) string {
	t := strings.TrimSpace(norm.NFC.String(s))
	if !strings.Contains(t, "  ") {
		return t
	}
	var b strings.Builder
	space := false
	for _, r := range t {
		if r == ' ' && space {
			continue
		}
		space = r == ' '
		b.WriteRune(r)
	}
	return b.String()
}

// allowedRune is the character set of the guideline since v2.3 (the
// "extended" Latin set; manuelbl's SPSCharacterSet EXTENDED_LATIN): Basic
// Latin without control characters, Latin-1 Supplement and Latin
// Extended-A without control characters, the Romanian Ș ș Ț ț, and the
// euro sign. Line breaks and tabs are not in it: a line break inside a
// field would shift every later line of the payload.
func allowedRune(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7E:
		return true
	case r >= 0xA0 && r <= 0x17F:
		return true
	case r >= 0x218 && r <= 0x21B:
		return true
	}
	return r == 0x20AC
}

// countries are the ISO 3166-1 alpha-2 codes (the 249 officially assigned
// ones) plus XK, the code Kosovo uses in payments.
const countries = "" +
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
	"DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
	"HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY " +
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM " +
	"PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
	"UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW"

// isCountry looks c up in countries: two capital letters can only match
// a whole code there, as the codes are separated by spaces.
func isCountry(c string) bool {
	return len(c) == 2 && isLetters(c) && strings.Contains(countries, c)
}
