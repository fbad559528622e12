// Package pdf renders Schalter's documents (case summaries, extracts,
// receipts) as PDF/A-4-sized pages with codeberg.org/go-pdf/fpdf: a
// letterhead with the city and office, a title, rows of label and value,
// paragraphs, and a verification QR code drawn as vector squares (crisp
// at any zoom, no image encoder). The font is embedded (DejaVu Sans by
// default, whose wide coverage prints whatever a resident typed; a Face
// of the caller's otherwise), so umlauts, accents and «guillemets» print
// in every language; the output depends
// only on the input (fixed creation date), so the same document renders
// to the same bytes and its hash can be signed.
package pdf

import (
	"bytes"
	_ "embed"
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/yeqown/go-qrcode/v2"
)

var (
	//go:embed fonts/DejaVuSans.ttf
	regular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	bold []byte
)

// Face is the font family a document is set in: its name in the fpdf
// document and its TrueType files (regular and bold).
type Face struct {
	Family        string
	Regular, Bold []byte
}

// DejaVu is the default face: it covers Latin, Greek, Cyrillic, Hebrew,
// Arabic, Armenian and Georgian, for documents that quote what residents
// wrote. Each face costs its parsing on every document (fpdf cannot share
// a parsed font between documents): a document that must embed another
// font anyway (a QR-bill's) is quicker in that one alone.
var DejaVu = Face{Family: "dejavu", Regular: regular, Bold: bold}

// Doc is a document being written.
type Doc struct {
	f    *fpdf.Fpdf
	font string
	// slipPage is the page that ends in a slip (Slip); it has no footer.
	slipPage int
}

// Letterhead is who issues the document.
type Letterhead struct {
	City    string // "Stadt Uster"
	Office  string // "Betreibungsamt"
	Address string // one line, may be empty
}

// New starts an A4 document issued at when (its creation date), with the
// letterhead on every page and page numbers in the footer, set in DejaVu.
func New(head Letterhead, title string, when time.Time) *Doc {
	return NewIn(DejaVu, head, title, when)
}

// NewIn is New set in face.
func NewIn(face Face, head Letterhead, title string, when time.Time) *Doc {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(face.Family, "", face.Regular)
	f.AddUTF8FontFromBytes(face.Family, "B", face.Bold)
	font := face.Family
	// Resources in a fixed order: fpdf keeps them in maps.
	f.SetCatalogSort(true)
	f.SetCreationDate(when.UTC())
	f.SetModificationDate(when.UTC())
	f.SetTitle(title, true)
	f.SetAuthor(head.City+" – "+head.Office, true)
	f.SetCreator("Schalter", true)
	f.SetMargins(20, 20, 20)
	f.SetAutoPageBreak(true, 22)
	d := &Doc{f: f, font: font}
	f.SetHeaderFunc(func() {
		f.SetFont(font, "B", 11)
		f.CellFormat(0, 5, head.City, "", 1, "L", false, 0, "")
		f.SetFont(font, "", 10)
		f.CellFormat(0, 5, head.Office, "", 1, "L", false, 0, "")
		if head.Address != "" {
			f.CellFormat(0, 5, head.Address, "", 1, "L", false, 0, "")
		}
		f.Ln(8)
	})
	f.SetFooterFunc(func() {
		if f.PageNo() == d.slipPage {
			return
		}
		f.SetY(-15)
		f.SetFont(font, "", 8)
		f.CellFormat(0, 5, fmt.Sprintf("%s · %d/{nb}", title, f.PageNo()), "", 0, "C", false, 0, "")
	})
	f.AliasNbPages("{nb}")
	f.AddPage()
	f.SetFont(font, "B", 16)
	f.MultiCell(0, 8, title, "", "L", false)
	f.Ln(4)
	return d
}

// Heading starts a section.
func (d *Doc) Heading(text string) {
	d.f.Ln(3)
	d.f.SetFont(d.font, "B", 12)
	d.f.MultiCell(0, 6, text, "", "L", false)
	d.f.Ln(1)
}

// Row prints a label and its value; long values wrap.
func (d *Doc) Row(label, value string) {
	const labelWidth = 60
	d.f.SetFont(d.font, "B", 10)
	x, y := d.f.GetXY()
	d.f.MultiCell(labelWidth, 5, label, "", "L", false)
	afterLabel := d.f.GetY()
	d.f.SetXY(x+labelWidth, y)
	d.f.SetFont(d.font, "", 10)
	d.f.MultiCell(0, 5, value, "", "L", false)
	if d.f.GetY() < afterLabel {
		d.f.SetY(afterLabel)
	}
	d.f.Ln(1)
}

// Text prints a paragraph.
func (d *Doc) Text(text string) {
	d.f.SetFont(d.font, "", 10)
	d.f.MultiCell(0, 5, text, "", "L", false)
	d.f.Ln(2)
}

// QR draws a QR code for url, size mm wide, at the left margin, with a
// caption beside it.
func (d *Doc) QR(url string, size float64, caption string) error {
	code, err := qrcode.NewWith(url, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return fmt.Errorf("pdf: QR code: %w", err)
	}
	m := &matrix{}
	if err := code.Save(m); err != nil {
		return fmt.Errorf("pdf: QR code: %w", err)
	}
	if d.f.GetY()+size > 297-25 {
		d.f.AddPage()
	}
	x, y := d.f.GetXY()
	n := float64(len(m.bits))
	cell := size / n
	d.f.SetFillColor(0, 0, 0)
	for row, bits := range m.bits {
		for col, dark := range bits {
			if dark {
				d.f.Rect(x+float64(col)*cell, y+float64(row)*cell, cell, cell, "F")
			}
		}
	}
	d.f.SetXY(x+size+5, y)
	d.f.SetFont(d.font, "", 9)
	d.f.MultiCell(0, 4.5, caption, "", "L", false)
	d.f.SetXY(x, y+size+3)
	return nil
}

// Slip makes room for a slip height mm high at the bottom of the last
// page, to be cut off and kept apart from the letter (a QR-bill's payment
// part and receipt), and returns its top edge in mm. The text so far must
// end a little above it (the slip's cutting note goes there), so a letter
// that reaches too far down puts the slip on a page of its own. That page
// has no footer, which would print into the slip, and takes no more text.
func (d *Doc) Slip(height float64) float64 {
	const gap = 8 // room for the cutting line's note above the slip
	_, pageHeight := d.f.GetPageSize()
	top := pageHeight - height
	if d.f.GetY() > top-gap {
		d.f.AddPage()
	}
	d.slipPage = d.f.PageNo()
	d.f.SetAutoPageBreak(false, 0)
	return top
}

// Fpdf is the document itself, for drawings this package does not offer
// (qrbill.Draw onto the room Slip made).
func (d *Doc) Fpdf() *fpdf.Fpdf { return d.f }

// Bytes finishes the document.
func (d *Doc) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := d.f.Output(&b); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return b.Bytes(), nil
}

// matrix is a qrcode.Writer that keeps the modules, with the quiet zone
// the code needs around it.
type matrix struct{ bits [][]bool }

func (m *matrix) Write(mat qrcode.Matrix) error {
	const quiet = 4
	inner := mat.Bitmap()
	n := len(inner) + 2*quiet
	m.bits = make([][]bool, n)
	for i := range m.bits {
		m.bits[i] = make([]bool, n)
	}
	for y, row := range inner {
		for x, dark := range row {
			m.bits[y+quiet][x+quiet] = dark
		}
	}
	return nil
}

func (m *matrix) Close() error { return nil }
