package pdf_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/pdf"
)

func render(t *testing.T, when time.Time, value string) []byte {
	t.Helper()
	d := pdf.New(pdf.Letterhead{City: "Stadt Uster", Office: "Betreibungsamt", Address: "Bahnhofstrasse 17, 8610 Uster"}, "Auszug aus dem Betreibungsregister", when)
	d.Heading("Angaben zur Person")
	d.Row("Name", value)
	d.Row("Adresse", "Rue de l'Église 3, 1700 Fribourg – «très long» "+string(bytes.Repeat([]byte("x"), 300)))
	d.Text("Über die genannte Person sind keine Betreibungen verzeichnet.")
	require.NoError(t, d.QR("https://schalter.example/verify/0b7d2f0e-5c1a-4f7e-9d3b-2a1c4e5f6a7b", 28, "Echtheit prüfen"))
	b, err := d.Bytes()
	require.NoError(t, err)
	return b
}

// TestDeterministic: the same document renders to the same bytes (its
// hash is signed), a different one does not.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	a := render(t, when, "Tamara Keller")
	require.True(t, bytes.HasPrefix(a, []byte("%PDF-1.")))
	require.True(t, bytes.HasSuffix(bytes.TrimSpace(a), []byte("%%EOF")))
	for range 10 { // fpdf keeps fonts in maps: every render must order them alike
		require.Equal(t, a, render(t, when, "Tamara Keller"))
	}
	require.NotEqual(t, a, render(t, when, "Tamara Kéller"))
	require.NotEqual(t, a, render(t, when.Add(time.Second), "Tamara Keller"))
	require.Contains(t, string(a), "/FontFile2", "the font is embedded")
}
