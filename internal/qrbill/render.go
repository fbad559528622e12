package qrbill

import (
	"bytes"
	_ "embed"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/yeqown/go-qrcode/v2"
)

// Liberation Sans is one of the four fonts the guideline permits (with
// Arial, Frutiger and Helvetica, to which it is metric-compatible). It is
// embedded in PDFs (fpdf subsets it) and used to measure text for both
// PDF and SVG. License: fonts/LICENSE (SIL OFL 1.1).
var (
	//go:embed fonts/LiberationSans-Regular.ttf
	fontRegular []byte
	//go:embed fonts/LiberationSans-Bold.ttf
	fontBold []byte
)

// fontFamily is the name the fonts are registered under in an fpdf
// document; distinct, so it cannot clash with the caller's own fonts.
const fontFamily = "qrbill-liberation-sans"

// Font is the bill's font, Liberation Sans, as its family name in an fpdf
// document and its files (regular, bold). A document set in it (an
// invoice with the bill at its foot) embeds one font family, not two:
// Draw finds the family registered under the same name and adds nothing,
// which halves the fonts fpdf parses for such a document.
func Font() (family string, regular, bold []byte) { return fontFamily, fontRegular, fontBold }

// svgFontFamily names the permitted fonts, the embedded one first, for
// viewers of the SVG; the layout was measured with Liberation Sans, which
// has Arial's and Helvetica's metrics.
const svgFontFamily = "'Liberation Sans', Arial, Helvetica, sans-serif"

// pdfDate is the creation date of PDF(): fixed, so the same bill gives the
// same bytes (the guideline's v2.3 effective date, for want of a better).
var pdfDate = time.Date(2025, 11, 22, 0, 0, 0, 0, time.UTC)

// maxQRVersion is the largest QR code version the guideline allows (at
// error correction level M: 997 bytes).
const maxQRVersion = 25

// qrModules encodes the payload as a QR code at error correction level M
// in byte mode (the payload is UTF-8), without quiet zone: [row][column],
// true for dark.
func qrModules(payload string) ([][]bool, error) {
	code, err := qrcode.NewWith(payload,
		qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium),
		qrcode.WithEncodingMode(qrcode.EncModeByte))
	if err != nil {
		return nil, fmt.Errorf("qrbill: QR code: %w", err)
	}
	var m moduleWriter
	if err := code.Save(&m); err != nil {
		return nil, fmt.Errorf("qrbill: QR code: %w", err)
	}
	if len(m.bits) > 17+4*maxQRVersion {
		return nil, errors.New("qrbill: the QR code would be larger than version 25")
	}
	return m.bits, nil
}

// moduleWriter is a qrcode.Writer that keeps the module matrix.
type moduleWriter struct{ bits [][]bool }

func (m *moduleWriter) Write(mat qrcode.Matrix) error {
	m.bits = mat.Bitmap()
	return nil
}

func (m *moduleWriter) Close() error { return nil }

// newLayout validates b and prepares what every output needs.
func newLayout(b Bill, lang string, c canvas) (*layout, error) {
	t, err := textsFor(lang)
	if err != nil {
		return nil, err
	}
	n, err := b.normalize()
	if err != nil {
		return nil, err
	}
	modules, err := qrModules(n.payload)
	if err != nil {
		return nil, err
	}
	return &layout{c: c, n: n, t: t, modules: modules}, nil
}

// SVG draws the receipt and the payment part, 210 × 105 mm, with the
// vertical cutting line between them, in lang ("de", "fr", "it", "en").
// Text refers to the permitted fonts by name and is not embedded.
func (b Bill) SVG(lang string) ([]byte, error) {
	c := &svgCanvas{measure: newMeasurer()}
	l, err := newLayout(b, lang, c)
	if err != nil {
		return nil, err
	}
	c.buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&c.buf, `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%smm" height="%smm" viewBox="0 0 %s %s">`+"\n",
		num(billWidth), num(billHeight), num(billWidth), num(billHeight))
	fmt.Fprintf(&c.buf, `<rect width="%s" height="%s" fill="#fff"/>`+"\n", num(billWidth), num(billHeight))
	fmt.Fprintf(&c.buf, `<g font-family="%s">`+"\n", svgFontFamily)
	l.draw(false)
	c.buf.WriteString("</g>\n</svg>\n")
	if err := c.measure.Error(); err != nil {
		return nil, fmt.Errorf("qrbill: measuring text: %w", err)
	}
	return c.buf.Bytes(), nil
}

// PDF returns an A4 page with the bill at the bottom, the dashed cutting
// lines and the note "Separate before paying in" above them, in lang.
// The bytes depend only on the bill and the language.
func (b Bill) PDF(lang string) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true) // fpdf keeps resources in maps
	f.SetCreationDate(pdfDate)
	f.SetModificationDate(pdfDate)
	f.SetCreator("Schalter", true)
	f.SetAutoPageBreak(false, 0)
	f.AddPage()
	_, pageHeight := f.GetPageSize()
	if err := Draw(f, b, lang, pageHeight-billHeight); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := f.Output(&out); err != nil {
		return nil, fmt.Errorf("qrbill: PDF: %w", err)
	}
	return out.Bytes(), nil
}

// Draw draws the bill onto the current page of pdf, its top edge at top
// (in pdf's unit; the bill is 105 mm high and 210 mm wide, from the left
// edge of the page), with the dashed cutting lines and the note above
// them, so an invoice can put its letter above. Fonts, colours and line
// width are restored afterwards. A bill that does not validate is not
// drawn; its *apperr.Error is returned.
func Draw(pdf *fpdf.Fpdf, b Bill, lang string, top float64) error {
	pdf.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("qrbill: PDF fonts: %w", err)
	}
	c := &pdfCanvas{f: pdf, top: top, scale: (1 / ptMM) / pdf.GetConversionRatio()}
	l, err := newLayout(b, lang, c)
	if err != nil {
		return err
	}
	restore := saveState(pdf)
	pdf.SetTextColor(0, 0, 0)
	pdf.SetDrawColor(0, 0, 0)
	l.draw(true)
	restore()
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("qrbill: PDF: %w", err)
	}
	return nil
}

// saveState remembers what Draw changes in pdf's graphics state and
// returns the function that puts it back.
func saveState(pdf *fpdf.Fpdf) func() {
	family, style := pdf.GetFontFamily(), pdf.GetFontStyle()
	size, _ := pdf.GetFontSize()
	fr, fg, fb := pdf.GetFillColor()
	dr, dg, db := pdf.GetDrawColor()
	tr, tg, tb := pdf.GetTextColor()
	lw := pdf.GetLineWidth()
	return func() {
		if family != "" {
			pdf.SetFont(family, style, size)
		}
		pdf.SetFillColor(fr, fg, fb)
		pdf.SetDrawColor(dr, dg, db)
		pdf.SetTextColor(tr, tg, tb)
		pdf.SetLineWidth(lw)
		pdf.SetDashPattern(nil, 0)
	}
}

// newMeasurer is an fpdf document used only to measure text with the
// embedded fonts' metrics (for the SVG; a PDF measures with itself).
func newMeasurer() *fpdf.Fpdf {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	return f
}

// textWidth measures s in mm on f.
func textWidth(f *fpdf.Fpdf, s string, pt float64, bold bool, unitToMM float64) float64 {
	f.SetFont(fontFamily, fontStyle(bold), pt)
	return f.GetStringWidth(s) * unitToMM
}

func fontStyle(bold bool) string {
	if bold {
		return "B"
	}
	return ""
}

// pdfCanvas draws onto an fpdf page; scale converts mm to the document's
// unit, top is where the bill's top edge is, in that unit.
type pdfCanvas struct {
	f     *fpdf.Fpdf
	top   float64
	scale float64
}

func (c *pdfCanvas) x(mm float64) float64 { return mm * c.scale }
func (c *pdfCanvas) y(mm float64) float64 { return c.top + mm*c.scale }

// fill draws all rects as one path, so a viewer fills the union and shows
// no hairline seams between adjacent QR modules.
func (c *pdfCanvas) fill(rects []rect, white bool) {
	if white {
		c.f.SetFillColor(255, 255, 255)
	} else {
		c.f.SetFillColor(0, 0, 0)
	}
	for _, r := range rects {
		c.f.MoveTo(c.x(r.x), c.y(r.y))
		c.f.LineTo(c.x(r.x+r.w), c.y(r.y))
		c.f.LineTo(c.x(r.x+r.w), c.y(r.y+r.h))
		c.f.LineTo(c.x(r.x), c.y(r.y+r.h))
		c.f.ClosePath()
	}
	c.f.DrawPath("F")
}

func (c *pdfCanvas) text(x, y float64, s string, pt float64, bold bool) {
	c.f.SetFont(fontFamily, fontStyle(bold), pt)
	c.f.Text(c.x(x), c.y(y), s)
}

func (c *pdfCanvas) line(x1, y1, x2, y2, width float64, dashed bool) {
	c.f.SetLineWidth(width * c.scale)
	if dashed {
		c.f.SetDashPattern([]float64{dash * c.scale, dash * c.scale}, 0)
	} else {
		c.f.SetDashPattern(nil, 0)
	}
	c.f.Line(c.x(x1), c.y(y1), c.x(x2), c.y(y2))
}

func (c *pdfCanvas) width(s string, pt float64, bold bool) float64 {
	return textWidth(c.f, s, pt, bold, 1/c.scale)
}

// svgCanvas writes SVG elements, in mm.
type svgCanvas struct {
	buf     bytes.Buffer
	measure *fpdf.Fpdf
}

func (c *svgCanvas) fill(rects []rect, white bool) {
	color := "#000"
	if white {
		color = "#fff"
	}
	fmt.Fprintf(&c.buf, `<path fill="%s" d="`, color)
	for _, r := range rects {
		fmt.Fprintf(&c.buf, "M%s %sh%sv%sh%sz", num(r.x), num(r.y), num(r.w), num(r.h), num(-r.w))
	}
	c.buf.WriteString("\"/>\n")
}

func (c *svgCanvas) text(x, y float64, s string, pt float64, bold bool) {
	weight := ""
	if bold {
		weight = ` font-weight="bold"`
	}
	fmt.Fprintf(&c.buf, `<text x="%s" y="%s" font-size="%s"%s>`, num(x), num(y), num(pt*ptMM), weight)
	_ = xml.EscapeText(&c.buf, []byte(s)) // writes to a bytes.Buffer: cannot fail
	c.buf.WriteString("</text>\n")
}

func (c *svgCanvas) line(x1, y1, x2, y2, width float64, dashed bool) {
	dasharray := ""
	if dashed {
		dasharray = fmt.Sprintf(` stroke-dasharray="%s %s"`, num(dash), num(dash))
	}
	fmt.Fprintf(&c.buf, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#000" stroke-width="%s"%s/>`+"\n",
		num(x1), num(y1), num(x2), num(y2), num(width), dasharray)
}

func (c *svgCanvas) width(s string, pt float64, bold bool) float64 {
	return textWidth(c.measure, s, pt, bold, 1)
}

// num writes a coordinate in mm to a thousandth, without trailing zeros.
func num(v float64) string {
	s := strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}
