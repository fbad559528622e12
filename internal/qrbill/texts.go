package qrbill

import (
	"fmt"
	"strings"
)

// texts are the printed headings of one language, as the guideline
// words them; manuelbl/SwissQRBill's resource
// files (qrbill_*_CH.properties) have the same.
type texts struct {
	paymentPart       string
	receipt           string
	accountPayableTo  string
	reference         string
	additionalInfo    string
	currency          string
	amount            string
	acceptancePoint   string
	payableBy         string
	payableByNameAddr string
	separate          string // the note above the perforation line
}

var languages = map[string]texts{
	"de": {
		paymentPart:       "Zahlteil",
		receipt:           "Empfangsschein",
		accountPayableTo:  "Konto / Zahlbar an",
		reference:         "Referenz",
		additionalInfo:    "Zusätzliche Informationen",
		currency:          "Währung",
		amount:            "Betrag",
		acceptancePoint:   "Annahmestelle",
		payableBy:         "Zahlbar durch",
		payableByNameAddr: "Zahlbar durch (Name/Adresse)",
		separate:          "Vor der Einzahlung abzutrennen",
	},
	"fr": {
		paymentPart:       "Section paiement",
		receipt:           "Récépissé",
		accountPayableTo:  "Compte / Payable à",
		reference:         "Référence",
		additionalInfo:    "Informations supplémentaires",
		currency:          "Monnaie",
		amount:            "Montant",
		acceptancePoint:   "Point de dépôt",
		payableBy:         "Payable par",
		payableByNameAddr: "Payable par (nom/adresse)",
		separate:          "A détacher avant le versement",
	},
	"it": {
		paymentPart:       "Sezione pagamento",
		receipt:           "Ricevuta",
		accountPayableTo:  "Conto / Pagabile a",
		reference:         "Riferimento",
		additionalInfo:    "Informazioni supplementari",
		currency:          "Valuta",
		amount:            "Importo",
		acceptancePoint:   "Punto di accettazione",
		payableBy:         "Pagabile da",
		payableByNameAddr: "Pagabile da (nome/indirizzo)",
		separate:          "Da staccare prima del versamento",
	},
	"en": {
		paymentPart:       "Payment part",
		receipt:           "Receipt",
		accountPayableTo:  "Account / Payable to",
		reference:         "Reference",
		additionalInfo:    "Additional information",
		currency:          "Currency",
		amount:            "Amount",
		acceptancePoint:   "Acceptance point",
		payableBy:         "Payable by",
		payableByNameAddr: "Payable by (name/address)",
		separate:          "Separate before paying in",
	},
}

// textsFor returns the texts of lang: "de", "fr", "it" or "en", in either
// case, with or without a region ("de-CH").
func textsFor(lang string) (texts, error) {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	base, _, _ = strings.Cut(base, "_")
	t, ok := languages[base]
	if !ok {
		return texts{}, fmt.Errorf("qrbill: no texts for language %q (de, fr, it or en)", lang)
	}
	return t, nil
}
