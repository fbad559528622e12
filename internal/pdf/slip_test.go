package pdf_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/pdf"
)

// TestSlip: a short letter keeps its slip on its own page, at the foot; a
// letter that reaches into it puts the slip on a new page.
func TestSlip(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	head := pdf.Letterhead{City: "Stadt Uster", Office: "Einwohnerdienste"}

	short := pdf.New(head, "Rechnung", when)
	short.Row("Fallnummer", "UST-2026-000001-5")
	require.InDelta(t, 297-105, short.Slip(105), 0.001)
	require.Equal(t, 1, short.Fpdf().PageNo())

	long := pdf.New(head, "Rechnung", when)
	for long.Fpdf().GetY() < 297-105 {
		long.Row("Gebühr", "CHF 20.00")
	}
	require.Equal(t, 1, long.Fpdf().PageNo())
	require.InDelta(t, 297-105, long.Slip(105), 0.001)
	require.Equal(t, 2, long.Fpdf().PageNo(), "the slip moved to a page of its own")
	_, err := long.Bytes()
	require.NoError(t, err)
}
