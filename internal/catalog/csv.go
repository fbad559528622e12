package catalog

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// The CSV form of the catalogue is for editors who work in a spreadsheet.
// One row per service. Plain fields are plain cells; each language of a
// text has its own column (title.de, title.fr, …); lists of slugs are
// separated by ";"; the nested parts (fees, processing times, requirements,
// legal basis, privacy, contacts, keywords, synonyms) are JSON cells in the
// same shape as the JSON format. docs/catalogue.md documents it.

type csvColumn struct {
	name string
	kind int
}

const (
	colString = iota
	colInt
	colList
	colJSON
)

var csvColumns = func() []csvColumn {
	cols := []csvColumn{
		{"slug", colString}, {"state", colString}, {"office", colString},
		{"categories", colList}, {"life_situations", colList}, {"audiences", colList},
		{"mode", colString}, {"channels", colList}, {"assurance", colString},
		{"popularity", colInt}, {"last_reviewed", colString}, {"online_start_url", colString},
	}
	for _, f := range []string{"title", "summary", "description"} {
		for _, l := range Languages {
			cols = append(cols, csvColumn{f + "." + l, colString})
		}
	}
	for _, f := range []string{"fees", "processing_times", "requirements", "legal_basis", "privacy", "contacts"} {
		cols = append(cols, csvColumn{f, colJSON})
	}
	cols = append(cols, csvColumn{"related", colList}, csvColumn{"keywords", colJSON}, csvColumn{"synonyms", colJSON})
	return cols
}()

// CSVHeader is the header row of the CSV format.
func CSVHeader() []string {
	out := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		out[i] = c.name
	}
	return out
}

// EncodeCSV writes services as CSV, header first.
func EncodeCSV(w io.Writer, services []Service) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader()); err != nil {
		return err
	}
	for i := range services {
		raw, err := json.Marshal(&services[i])
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			return err
		}
		row := make([]string, len(csvColumns))
		for j, c := range csvColumns {
			field, lang, localized := strings.Cut(c.name, ".")
			v := doc[field]
			if localized {
				m, _ := v.(map[string]any)
				v = m[lang]
			}
			row[j] = csvCell(c.kind, v)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvCell(kind int, v any) string {
	if v == nil {
		return ""
	}
	switch kind {
	case colList:
		items, _ := v.([]any)
		parts := make([]string, 0, len(items))
		for _, it := range items {
			parts = append(parts, fmt.Sprint(it))
		}
		return strings.Join(parts, ";")
	case colJSON:
		b, _ := json.Marshal(v)
		return string(b)
	case colInt:
		return fmt.Sprint(v)
	}
	s, _ := v.(string)
	return s
}

// CSVRecord is one row of an imported CSV file as a JSON document, ready
// for ParseService, with the line it started on.
type CSVRecord struct {
	Line int
	JSON []byte
}

// DecodeCSV reads CSV rows into JSON documents. Cell-level problems (a
// number that is not a number, a JSON cell that is not JSON) are returned
// as field errors with their line; the schema checks the rest.
func DecodeCSV(r io.Reader) ([]CSVRecord, []apperr.FieldError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []apperr.FieldError{{Line: 1, Path: "header", Message: "the file is empty"}}, nil
		}
		return nil, []apperr.FieldError{{Line: 1, Path: "header", Message: err.Error()}}, nil
	}
	known := map[string]csvColumn{}
	for _, c := range csvColumns {
		known[c.name] = c
	}
	var errs []apperr.FieldError
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // Excel writes a BOM
			header[0] = h
		}
		if _, ok := known[h]; !ok {
			errs = append(errs, apperr.FieldError{Line: 1, Path: h, Message: "unknown column; expected one of " + strings.Join(CSVHeader(), ", ")})
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	var out []CSVRecord
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, apperr.FieldError{Line: pe.StartLine, Message: pe.Err.Error()})
				continue
			}
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(row) != len(header) {
			errs = append(errs, apperr.FieldError{Line: line, Message: fmt.Sprintf("%d cells, the header has %d", len(row), len(header))})
			continue
		}
		doc := map[string]any{}
		for i, cell := range row {
			c := known[header[i]]
			if cell == "" {
				continue
			}
			field, lang, localized := strings.Cut(c.name, ".")
			var v any
			switch c.kind {
			case colString:
				v = cell
			case colInt:
				n, err := strconv.Atoi(strings.TrimSpace(cell))
				if err != nil {
					errs = append(errs, apperr.FieldError{Line: line, Path: c.name, Message: "not a whole number", Value: cell})
					continue
				}
				v = n
			case colList:
				var items []any
				for _, p := range strings.Split(cell, ";") {
					if p = strings.TrimSpace(p); p != "" {
						items = append(items, p)
					}
				}
				v = items
			case colJSON:
				if err := json.Unmarshal([]byte(cell), &v); err != nil {
					errs = append(errs, apperr.FieldError{Line: line, Path: c.name, Message: "not valid JSON: " + err.Error()})
					continue
				}
			}
			if localized {
				m, _ := doc[field].(map[string]any)
				if m == nil {
					m = map[string]any{}
					doc[field] = m
				}
				m[lang] = v
				continue
			}
			doc[field] = v
		}
		// Lists may be empty in a spreadsheet; the format wants them present.
		for _, f := range []string{"fees", "requirements"} {
			if _, ok := doc[f]; !ok {
				doc[f] = []any{}
			}
		}
		b, _ := json.Marshal(doc)
		out = append(out, CSVRecord{Line: line, JSON: b})
	}
	return out, errs, nil
}
