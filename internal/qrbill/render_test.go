package qrbill

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"
	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/require"

	"github.com/schalter-ch/schalter/internal/apperr"
)

// renderBills are the bills the rendering tests draw: a full one, one with
// the blank fields (open amount, no debtor), extended Latin, and one so
// long that the payment part shrinks its text and the receipt drops the
// streets.
func renderBills() map[string]Bill {
	open := Bill{
		Account:  "CH3709000000304442225",
		Creditor: Address{Name: "Salvation Army Foundation Switzerland", PostalCode: "3000", Town: "Berne", Country: "CH"},
		Currency: "EUR",
	}
	crowded := manuelblExample1()
	crowded.Creditor = Address{
		Name:   "Stadtverwaltung Musterstadt, Departement Bau und Infrastruktur, Abt. X",
		Street: "Sehr lange Strassenbezeichnung mit vielen Wörtern bis an die Grenze", BuildingNumber: "1234567890123456",
		PostalCode: "8400", Town: "Winterthur-Oberwinterthur Kreis 2", Country: "CH",
	}
	crowded.Debtor = &Address{
		Name:   "Annegret Karin & Hansruedi Frischknecht-Bernhardsgrütter-Oberholzer",
		Street: "1503 South New Hampshire Avenue, Lower East-side Bellvue Heights", BuildingNumber: "12601-1233",
		PostalCode: "NY 12601", Town: "Poughkeepsie", Country: "US",
	}
	crowded.Message = "Lorem ipsum dolor sit amet, consetetur sadipscing"
	return map[string]Bill{"example 1": manuelblExample1(), "open": open, "example 8": manuelblExample8(), "crowded": crowded}
}

// decodeQR reads the QR code in img with gozxing (UTF-8, as the guideline
// prescribes; the code has no ECI).
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	res, err := gzqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
		gozxing.DecodeHintType_TRY_HARDER:    true,
	})
	require.NoError(t, err)
	return res.GetText()
}

// svgRaster paints the filled paths of an SVG (our paths are rectangles
// only: "M x y h w v h h -w z") into a gray image, pxPerMM pixels a mm,
// in document order; text and lines are ignored.
func svgRaster(t *testing.T, svg []byte, pxPerMM float64) *image.Gray {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, int(billWidth*pxPerMM), int(billHeight*pxPerMM)))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		el, ok := tok.(xml.StartElement)
		if !ok || el.Name.Local != "path" {
			continue
		}
		var fill, d string
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "fill":
				fill = a.Value
			case "d":
				d = a.Value
			}
		}
		shade := color.Gray{Y: 0}
		if fill == "#fff" {
			shade = color.Gray{Y: 0xff}
		}
		for _, sub := range strings.Split(strings.TrimSuffix(d, "z"), "z") {
			var x, y, w, h, back float64
			_, err := fmt.Sscanf(sub, "M%g %gh%gv%gh%g", &x, &y, &w, &h, &back)
			require.NoError(t, err, sub)
			require.InDelta(t, -w, back, 1e-9, sub)
			paintRect(img, rect{x, y, w, h}, pxPerMM, shade)
		}
	}
	return img
}

// paintRect paints the pixels whose centres lie in r.
func paintRect(img *image.Gray, r rect, pxPerMM float64, c color.Gray) {
	for py := int(r.y * pxPerMM); float64(py) < (r.y+r.h)*pxPerMM; py++ {
		for px := int(r.x * pxPerMM); float64(px) < (r.x+r.w)*pxPerMM; px++ {
			cx, cy := (float64(px)+0.5)/pxPerMM, (float64(py)+0.5)/pxPerMM
			if cx >= r.x && cx < r.x+r.w && cy >= r.y && cy < r.y+r.h {
				img.SetGray(px, py, c)
			}
		}
	}
}

func dark(img *image.Gray, xMM, yMM, pxPerMM float64) bool {
	return img.GrayAt(int(xMM*pxPerMM), int(yMM*pxPerMM)).Y < 0x80
}

func TestSVGQRCodeDecodesToPayload(t *testing.T) {
	t.Parallel()
	for name, b := range renderBills() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, err := b.Payload()
			require.NoError(t, err)
			svg, err := b.SVG("de")
			require.NoError(t, err)
			const pxPerMM = 12
			img := svgRaster(t, svg, pxPerMM)
			require.Equal(t, want, decodeQR(t, img))

			// The Swiss cross: white centre, black square around the white
			// bars, a white border, all at the centre of the 46 mm code.
			cx, cy := qrX+qrSize/2, qrY+qrSize/2
			require.False(t, dark(img, cx, cy, pxPerMM), "white cross at the centre")
			require.False(t, dark(img, cx+1.5, cy, pxPerMM), "white horizontal bar")
			require.False(t, dark(img, cx, cy-1.5, pxPerMM), "white vertical bar")
			for _, d := range [][2]float64{{-2.5, -2.5}, {2.5, -2.5}, {-2.5, 2.5}, {2.5, 2.5}} {
				require.True(t, dark(img, cx+d[0], cy+d[1], pxPerMM), "black square at %v", d)
			}
			for _, d := range [][2]float64{{-3.25, 0}, {3.25, 0}, {0, -3.25}, {0, 3.25}} {
				require.False(t, dark(img, cx+d[0], cy+d[1], pxPerMM), "white border at %v", d)
			}
			// The cross covers modules: under the 7 × 7 mm the picture
			// differs from the bare module matrix.
			modules, err := qrModules(want)
			require.NoError(t, err)
			m := qrSize / float64(len(modules))
			covered := 0
			for row, bits := range modules {
				for col, bit := range bits {
					x, y := qrX+(float64(col)+0.5)*m, qrY+(float64(row)+0.5)*m
					if x > cx-3.5 && x < cx+3.5 && y > cy-3.5 && y < cy+3.5 && bit != dark(img, x, y, pxPerMM) {
						covered++
					}
				}
			}
			require.Positive(t, covered, "the cross covers modules")
		})
	}
}

func TestSVGWellFormedAndLocalised(t *testing.T) {
	t.Parallel()
	for lang, t9n := range languages {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			for name, b := range renderBills() {
				svg, err := b.SVG(lang)
				require.NoError(t, err, name)
				require.True(t, bytes.HasPrefix(svg, []byte("<?xml")), name)
				text := svgText(t, svg)
				require.Contains(t, text, t9n.paymentPart, name)
				require.Contains(t, text, t9n.receipt, name)
				require.Contains(t, text, t9n.accountPayableTo, name)
				require.Contains(t, text, t9n.acceptancePoint, name)
				if b.Debtor == nil {
					require.Contains(t, text, t9n.payableByNameAddr, name)
				} else {
					require.Contains(t, text, t9n.payableBy+"\n", name)
				}
			}
		})
	}
}

// svgText reads the SVG to its end with encoding/xml (so it is
// well-formed) and returns its text elements, one a line.
func svgText(t *testing.T, svg []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var out strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out.String()
		}
		require.NoError(t, err)
		switch el := tok.(type) {
		case xml.StartElement:
			inText = el.Name.Local == "text"
		case xml.EndElement:
			if inText {
				out.WriteByte('\n')
			}
			inText = false
		case xml.CharData:
			if inText {
				out.Write(el)
			}
		}
	}
}

func TestSVGContent(t *testing.T) {
	t.Parallel()
	svg, err := manuelblExample1().SVG("de")
	require.NoError(t, err)
	text := svgText(t, svg)
	for _, want := range []string{
		"CH44 3199 9123 0008 8901 2",
		"21 00000 00003 13947 14300 09017",
		"Rue du Lac 1268/2/22",
		"2501 Biel",
		"123 949.75",
		"Ultraviolet: ",
		"UV;UltraPay005;12345",
		"Instruction of 15.09.2019",
	} {
		require.Contains(t, text, want)
	}

	// The crowded bill: a debtor abroad puts the country before both
	// towns; the long name is wrapped, not cut.
	svg, err = renderBills()["crowded"].SVG("en")
	require.NoError(t, err)
	text = svgText(t, svg)
	require.Contains(t, text, "US – NY 12601 Poughkeepsie")
	require.Contains(t, text, "CH – 8400 Winterthur-Oberwinterthur Kreis 2")
	require.Contains(t, strings.ReplaceAll(text, "\n", " "), "Bernhardsgrütter-Oberholzer")
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	b := manuelblExample8()
	svg1, err := b.SVG("fr")
	require.NoError(t, err)
	svg2, err := b.SVG("fr")
	require.NoError(t, err)
	require.Equal(t, svg1, svg2)
	pdf1, err := b.PDF("fr")
	require.NoError(t, err)
	pdf2, err := b.PDF("fr")
	require.NoError(t, err)
	require.Equal(t, pdf1, pdf2)
}

func TestPDF(t *testing.T) {
	t.Parallel()
	for name, b := range renderBills() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pdf, err := b.PDF("it")
			require.NoError(t, err)
			require.True(t, bytes.HasPrefix(pdf, []byte("%PDF")))
			require.True(t, bytes.Contains(pdf, []byte("/FontFile2")), "the font is embedded")
			if _, err := exec.LookPath("pdftoppm"); err != nil {
				t.Skip("pdftoppm is not on PATH (apt-get install poppler-utils); the PDF raster is not checked")
			}
			want, err := b.Payload()
			require.NoError(t, err)
			const dpi = 300
			img := rasterPDF(t, pdf, dpi)
			bounds := img.Bounds()
			require.InDelta(t, 2480, bounds.Dx(), 1, "A4 at 300 dpi")
			// The left column of the payment part: QR code and its quiet
			// zone, the bill being the bottom 105 mm of the page.
			px := func(mm float64) int { return int(mm * dpi / 25.4) }
			top := 297 - billHeight
			crop := image.Rect(px(receiptWidth+1), px(top+qrY-4), px(ppInfoX), px(top+qrY+qrSize+4))
			sub := img.(interface {
				SubImage(image.Rectangle) image.Image
			}).SubImage(crop)
			require.Equal(t, want, decodeQR(t, sub))
		})
	}
}

func rasterPDF(t *testing.T, pdf []byte, dpi int) image.Image {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "bill.pdf")
	require.NoError(t, os.WriteFile(in, pdf, 0o600))
	out, err := exec.Command("pdftoppm", "-r", fmt.Sprint(dpi), "-png", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput()
	require.NoError(t, err, string(out))
	f, err := os.Open(filepath.Join(dir, "page.png"))
	require.NoError(t, err)
	defer f.Close()
	img, _, err := image.Decode(f)
	require.NoError(t, err)
	return img
}

func TestDrawOntoAnInvoice(t *testing.T) {
	t.Parallel()
	// A document in points with its own font: the bill scales to it, and
	// the caller's font and colours are back afterwards.
	f := fpdf.New("P", "pt", "A4", "")
	f.SetCatalogSort(true)
	f.AddPage()
	f.SetFont("Helvetica", "B", 14)
	f.SetTextColor(10, 20, 30)
	f.Text(56, 80, "Rechnung 2025-17")
	_, h := f.GetPageSize()
	require.NoError(t, Draw(f, manuelblExample1(), "de-CH", h-billHeight/ptMM))
	require.Equal(t, "helvetica", f.GetFontFamily())
	require.Equal(t, "B", f.GetFontStyle())
	r, g, b := f.GetTextColor()
	require.Equal(t, [3]int{10, 20, 30}, [3]int{r, g, b})
	var out bytes.Buffer
	require.NoError(t, f.Output(&out))

	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm is not on PATH (apt-get install poppler-utils)")
	}
	want, err := manuelblExample1().Payload()
	require.NoError(t, err)
	img := rasterPDF(t, out.Bytes(), 200)
	px := func(mm float64) int { return int(mm * 200 / 25.4) }
	crop := image.Rect(px(receiptWidth+1), px(297-billHeight+qrY-4), px(ppInfoX), px(297-billHeight+qrY+qrSize+4))
	sub := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(crop)
	require.Equal(t, want, decodeQR(t, sub))
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	bad := manuelblExample1()
	bad.Creditor.Town = ""
	_, err := bad.SVG("de")
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err))
	_, err = bad.PDF("de")
	require.Equal(t, apperr.Invalid, apperr.CodeOf(err))
	f := fpdf.New("P", "mm", "A4", "")
	f.AddPage()
	require.Equal(t, apperr.Invalid, apperr.CodeOf(Draw(f, bad, "de", 192)))

	_, err = manuelblExample1().SVG("rm")
	require.ErrorContains(t, err, "language")
	_, err = manuelblExample1().PDF("")
	require.ErrorContains(t, err, "language")
}

func TestQRModulesLevelAndVersion(t *testing.T) {
	t.Parallel()
	// The largest payload the validation lets through still fits version
	// 25 (117 modules); example 1 needs a small one.
	p, err := manuelblExample1().Payload()
	require.NoError(t, err)
	m, err := qrModules(p)
	require.NoError(t, err)
	require.Less(t, len(m), 117)
	m, err = qrModules(strings.Repeat("ä", maxPayload/2))
	require.NoError(t, err)
	require.LessOrEqual(t, len(m), 117)
	_, err = qrModules(strings.Repeat("a", 1200))
	require.Error(t, err, "past version 25")
}
