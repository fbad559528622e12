package books

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/schalter-ch/schalter/internal/store"
)

// JournalHeader is the export's first row: the columns, in order.
var JournalHeader = []string{"entry", "booked_at", "value_date", "kind", "case_number", "account", "account_number", "cost_centre",
	"account_name", "debit", "credit", "memo", "source"}

// bom starts the file so that Excel reads it as UTF-8 (without it, Excel
// on a Swiss German Windows reads "Gebührenertrag" as Windows-1252).
const bom = "\ufeff"

// Journal writes the journal of the entries with a value date in
// [from, to] to w, for the city's finance system: CSV (RFC 4180, CRLF,
// quoted where needed) separated by semicolons, UTF-8 with a byte order
// mark, a header row (JournalHeader), then one line per posting with its
// account's number and cost centre from the chart as it is now. Amounts
// are CHF with two decimals and a point, each posting either in debit or
// in credit, never negative. Nothing is written when the range is not
// valid (field errors query.from, query.to) or staff does not keep the
// books (Forbidden); the lines are read in one transaction before the
// first byte is written, so a failing database never leaves half a file.
func (s *Service) Journal(ctx context.Context, staff uuid.UUID, from, to time.Time, w io.Writer) error {
	var lines []store.ExportLine
	err := s.inBooks(ctx, staff, func(q *store.Queries) error {
		from, to, err := span(from, to)
		if err != nil {
			return err
		}
		lines, err = q.JournalExport(ctx, from, to)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	// Semicolons: Excel with Swiss (and German) regional settings splits on
	// them, and Abacus and SAP imports expect them; the decimal point of
	// de-CH then never collides with the separator.
	cw.Comma, cw.UseCRLF = ';', true
	if err := cw.Write(JournalHeader); err != nil {
		return err
	}
	for _, l := range lines {
		debit, credit := chf(l.Amount), ""
		if l.Amount < 0 {
			debit, credit = "", chf(-l.Amount)
		}
		if err := cw.Write([]string{strconv.FormatInt(l.Entry, 10), l.BookedAt.In(s.zone).Format(time.RFC3339), l.ValueDate.Format(time.DateOnly),
			l.Kind, l.CaseNumber, l.Account, l.AccountNumber, l.CostCentre, text(l.AccountName), debit, credit, text(l.Memo), text(l.Source)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// chf formats a non-negative amount in Rappen as CHF with two decimals
// ("1234.50"): integer arithmetic, so exact, and without thousands
// separators, which importers would read as text.
func chf(rappen int64) string {
	return fmt.Sprintf("%d.%02d", rappen/100, rappen%100)
}

// text guards a free-text cell against formula injection: a spreadsheet
// may run a cell starting with = + - @, a tab or a carriage return as a
// formula, so such a cell gets a leading apostrophe, which Excel shows as
// text (OWASP's advice for CSV exports). Memos are
// written by Schalter, but some carry what staff typed (a refund's
// reason).
func text(v string) string {
	if formula(v) {
		return "'" + v
	}
	return v
}

// formula tells a value a spreadsheet would take as a formula.
func formula(v string) bool {
	return v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0]))
}
