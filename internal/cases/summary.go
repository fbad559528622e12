package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/forms"
	"github.com/schalter-ch/schalter/internal/pdf"
	"github.com/schalter-ch/schalter/internal/store"
)

// Summary is the PDF of what the person submitted, for their records: in
// the case's language, every answer under its section and label as the
// form showed them, rendered from the immutable record (the same case
// gives the same bytes).
func (s *Service) Summary(ctx context.Context, id uuid.UUID, number string) (filename string, body []byte, err error) {
	c, err := s.Get(ctx, id, number)
	if err != nil {
		return "", nil, err
	}
	form, err := s.forms.Form(ctx, c.Service, c.FormVersion)
	if err != nil {
		return "", nil, err
	}
	head, err := s.st.CaseLetterhead(ctx, c.Service, c.Language)
	if err != nil {
		return "", nil, err
	}
	body, err = summaryPDF(s.City, head, c, form)
	return strings.ToLower(c.Number) + ".pdf", body, err
}

// summaryWords are the summary's own words per language.
var summaryWords = map[string]struct{ title, number, submitted, yes, no, files, note string }{
	"de": {"Zusammenfassung Ihres Antrags", "Fallnummer", "Eingereicht am", "Ja", "Nein", "%d Datei(en) angehängt",
		"Dies ist Ihre Kopie der Angaben, wie Sie sie eingereicht haben. Den aktuellen Stand sehen Sie in Ihrem Konto."},
	"fr": {"Récapitulatif de votre demande", "Numéro de dossier", "Déposée le", "Oui", "Non", "%d fichier(s) joint(s)",
		"Ceci est votre copie des données telles que vous les avez transmises. L'état actuel figure dans votre compte."},
	"it": {"Riepilogo della sua domanda", "Numero della pratica", "Inoltrata il", "Sì", "No", "%d file allegato/i",
		"Questa è la sua copia dei dati così come li ha inoltrati. Lo stato attuale è visibile nel suo conto."},
	"en": {"Summary of your application", "Case number", "Submitted on", "Yes", "No", "%d file(s) attached",
		"This is your copy of the details as you submitted them. Your account shows the current status."},
}

func summaryPDF(city string, head store.Letterhead, c *Case, form *forms.Form) ([]byte, error) {
	w, ok := summaryWords[c.Language]
	if !ok {
		w = summaryWords["de"]
	}
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		zurich = time.UTC
	}
	address := strings.TrimSpace(head.Street + ", " + head.PostalCode + " " + head.Locality)
	doc := pdf.New(pdf.Letterhead{City: city, Office: head.OfficeName, Address: strings.Trim(address, ", ")}, w.title+": "+head.ServiceTitle, c.SubmittedAt)
	doc.Row(w.number, c.Number)
	doc.Row(w.submitted, c.SubmittedAt.In(zurich).Format("02.01.2006 15:04"))
	var data map[string]json.RawMessage
	if err := json.Unmarshal(c.Data, &data); err != nil {
		return nil, fmt.Errorf("cases: stored data of %s: %w", c.Number, err)
	}
	for _, sec := range form.UI.Sections {
		var rows [][2]string
		for _, f := range sec.Fields {
			if v, ok := data[f.Name]; ok {
				rows = append(rows, [2]string{f.Label.In(c.Language), answer(v, f, c.Language, w.yes, w.no, w.files)})
			}
		}
		if len(rows) == 0 {
			continue
		}
		doc.Heading(sec.Title.In(c.Language))
		for _, r := range rows {
			doc.Row(r[0], r[1])
		}
	}
	doc.Text("")
	doc.Text(w.note)
	return doc.Bytes()
}

// answer is a submitted value as the person would read it: an option's
// label, yes or no, a date as written in Switzerland, attachments
// counted, a map position in degrees.
func answer(raw json.RawMessage, f forms.FormField, lang, yes, no, files string) string {
	var v any
	_ = json.Unmarshal(raw, &v)
	switch x := v.(type) {
	case bool:
		if x {
			return yes
		}
		return no
	case string:
		if label, ok := f.Options[x]; ok {
			return label.In(lang)
		}
		if t, err := time.Parse("2006-01-02", x); err == nil {
			return t.Format("02.01.2006")
		}
		return x
	case []any:
		if f.Widget == "file" {
			return fmt.Sprintf(files, len(x))
		}
		parts := make([]string, 0, len(x))
		for _, item := range x {
			s := fmt.Sprint(item)
			if label, ok := f.Options[s]; ok {
				s = label.In(lang)
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		return fmt.Sprintf("%.5f, %.5f", x["lat"], x["lon"])
	case float64:
		return fmt.Sprint(x)
	}
	return string(raw)
}
