package simoffice

import (
	"strings"
	"time"

	"github.com/schalter-ch/schalter/internal/pdf"
)

// Person is who the extract is about.
type Person struct {
	GivenName, FamilyName, BirthDate, Address string
	// MovedIn: the person has not lived in the district for five years.
	MovedIn bool
}

// debtors is the simulated register: family names with entries (a real
// office looks up its Betreibungsregister).
var debtors = map[string][]struct{ year, amount, state string }{
	"brunner": {{"2024", "CHF 1'240.00", "Verlustschein"}, {"2025", "CHF 385.50", "Betreibung hängig"}},
}

// Extract renders a Betreibungsregisterauszug as the rules of the real
// one have it: it covers the last five years and only this district
// (Betreibungskreis Uster); it either lists the entries or states that
// there are none; someone who moved in within five years is told to ask
// the offices of their earlier places too. The QR code links to the
// document's verification.
func Extract(p Person, caseNumber, verifyURL string, when time.Time) ([]byte, error) {
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		zurich = time.UTC
	}
	d := pdf.New(pdf.Letterhead{City: "Stadt Uster", Office: "Betreibungsamt Uster", Address: "Bahnhofstrasse 17, 8610 Uster"},
		"Auszug aus dem Betreibungsregister", when)
	d.Row("Ausgestellt am", when.In(zurich).Format("02.01.2006"))
	d.Row("Fallnummer", caseNumber)
	d.Heading("Person")
	d.Row("Name, Vorname", p.FamilyName+", "+p.GivenName)
	if t, err := time.Parse("2006-01-02", p.BirthDate); err == nil {
		d.Row("Geburtsdatum", t.Format("02.01.2006"))
	}
	d.Row("Adresse", p.Address)
	d.Heading("Einträge der letzten fünf Jahre im Betreibungskreis Uster")
	entries := debtors[strings.ToLower(strings.TrimSpace(p.FamilyName))]
	if len(entries) == 0 {
		d.Text("Über die oben genannte Person sind in den letzten fünf Jahren keine Betreibungen und keine Verlustscheine verzeichnet.")
	}
	for _, e := range entries {
		d.Row(e.year, e.amount+" – "+e.state)
	}
	if p.MovedIn {
		d.Text("Die Person wohnt seit weniger als fünf Jahren im Betreibungskreis Uster. Der Auszug umfasst nur diesen Kreis; " +
			"Auszüge früherer Wohnorte stellen die dortigen Betreibungsämter aus.")
	}
	d.Text("Dieser Auszug ist elektronisch ausgestellt und ohne Unterschrift gültig. Seine Echtheit prüfen Sie mit dem QR-Code.")
	if err := d.QR(verifyURL, 30, "Echtheit prüfen:\n"+verifyURL); err != nil {
		return nil, err
	}
	return d.Bytes()
}
