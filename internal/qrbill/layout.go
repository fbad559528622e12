package qrbill

import (
	"strings"
	"unicode/utf8"
)

// The layout follows the guideline's layout rules (dimensions in mm, the
// origin at the top left of the 210 × 105 mm bill) and, for what the
// guideline leaves open (spacing, shrinking text that does not fit), the
// layout of manuelbl/SwissQRBill's BillLayout.
const (
	ptMM = 25.4 / 72 // one point in mm

	billWidth    = 210.0
	billHeight   = 105.0
	margin       = 5.0
	receiptWidth = 62.0

	titlePt = 11.0 // "Zahlteil", "Empfangsschein"

	qrX    = receiptWidth + margin // the Swiss QR code, 46 × 46 mm
	qrY    = 17.0
	qrSize = 46.0

	amountTop          = 68.0 // top of the amount sections
	acceptancePointTop = 82.0
	furtherInfoTop     = 90.0 // alternative schemes
	furtherInfoPt      = 7.0

	// The payment part's right column: account, reference, …
	ppInfoX      = receiptWidth + 56.0
	ppInfoWidth  = 87.0
	ppInfoHeight = 85.0
	// The receipt's column, below its title.
	rcInfoY      = margin + 7
	rcInfoWidth  = 52.0
	rcInfoHeight = 56.0

	cornerPt  = 0.75 // stroke of the corner marks of blank fields
	cornerArm = 3.0

	separatorWidth = 0.2 // the dashed cutting lines
	dash           = 1.5
)

// rect is a rectangle in mm.
type rect struct{ x, y, w, h float64 }

// canvas is what the layout draws on: the SVG writer and an fpdf page.
// y is downwards; text is placed at its baseline.
type canvas interface {
	fill(rects []rect, white bool)
	text(x, y float64, s string, pt float64, bold bool)
	line(x1, y1, x2, y2, width float64, dashed bool)
	width(s string, pt float64, bold bool) float64
}

// ascender is the height above the baseline the layout reserves for text
// (manuelbl uses 0.8 of the size for Liberation Sans and Helvetica).
func ascender(pt float64) float64 { return pt * 0.8 * ptMM }

// layout draws one validated bill.
type layout struct {
	c       canvas
	n       *normalized
	t       texts
	modules [][]bool
}

// draw draws the receipt and the payment part. With sheet, the bill is
// the bottom of a larger page: a dashed line separates it from what is
// above, with the note "Separate before paying in" over it.
func (l *layout) draw(sheet bool) {
	l.paymentPart()
	l.receipt()
	l.c.line(receiptWidth, 0, receiptWidth, billHeight, separatorWidth, true)
	if sheet {
		l.c.line(0, 0, billWidth, 0, separatorWidth, true)
		const notePt = 7
		w := l.c.width(l.t.separate, notePt, false)
		l.c.text((billWidth-w)/2, -1.2, l.t.separate, notePt, false)
	}
}

// blocks are the texts of the information sections, before line breaking.
type blocks struct {
	payableTo  string
	reference  string
	additional string
	payableBy  string // "" for the blank box
}

func (l *layout) blocks(reducedCreditor, reducedDebtor bool) blocks {
	n := l.n
	// The country is printed only when one of the parties is abroad; then
	// the creditor's is printed too, so the payer sees both (as manuelbl).
	debtorAbroad := n.Debtor != nil && n.Debtor.Country != "CH"
	b := blocks{
		payableTo: FormatIBAN(n.Account) + "\n" + addressText(&n.Creditor, n.Creditor.Country != "CH" || debtorAbroad, reducedCreditor),
		reference: FormatReference(n.Reference),
	}
	b.additional = strings.Trim(n.Message+"\n"+n.BillInformation, "\n")
	if n.Debtor != nil {
		b.payableBy = addressText(n.Debtor, debtorAbroad, reducedDebtor)
	}
	return b
}

// addressText is an address as printed: name, street and number, postal
// code and town ("CH – 8001 Zürich" with the country). Where space is very
// tight the street line is left out.
func addressText(a *Address, withCountry, reduced bool) string {
	lines := []string{a.Name}
	if street := strings.TrimSpace(a.Street + " " + a.BuildingNumber); street != "" && !reduced {
		lines = append(lines, street)
	}
	town := a.PostalCode + " " + a.Town
	if withCountry {
		town = a.Country + " – " + town
	}
	return strings.Join(append(lines, town), "\n")
}

// column is one information section being laid out.
type column struct {
	x, width       float64
	labelPt        float64
	textPt         float64
	lineSpacing    float64
	extra          float64 // space between blocks
	payableTo      []string
	additional     []string
	payableBy      []string
	boxW, boxH     float64 // blank "payable by" box
	hasReference   bool
	hasAdditional  bool
	hasFurtherInfo bool
}

// fit breaks the lines and spreads the blocks over height, as manuelbl
// does: a blank line's worth between blocks at most; it reports whether
// the text is so tight that less than 0.8 of a line is left between
// blocks.
func (l *layout) fit(col *column, b blocks, height float64) (tight bool) {
	col.payableTo = l.wrap(b.payableTo, col.width, col.textPt)
	col.additional = nil
	if col.hasAdditional && b.additional != "" {
		col.additional = l.wrap(b.additional, col.width, col.textPt)
	}
	col.payableBy = nil
	if b.payableBy != "" {
		col.payableBy = l.wrap(b.payableBy, col.width, col.textPt)
	}
	col.hasReference = b.reference != ""

	textLines, gaps, fixed := 1+len(col.payableTo), 1, 0.0
	if col.hasReference {
		textLines, gaps = textLines+2, gaps+1
	}
	if col.additional != nil {
		textLines, gaps = textLines+1+len(col.additional), gaps+1
	}
	if col.payableBy != nil {
		textLines += 1 + len(col.payableBy)
	} else {
		textLines++
		fixed = col.boxH
	}
	if col.hasFurtherInfo {
		gaps++
	}
	col.lineSpacing = (col.textPt + 1) * ptMM
	col.extra = (height - fixed - float64(textLines)*col.lineSpacing) / float64(gaps)
	col.extra = min(max(col.extra, 0), col.lineSpacing)
	return col.extra/col.lineSpacing < 0.8
}

// drawColumn draws the blocks of col from top, the first label's top.
func (l *layout) drawColumn(col *column, b blocks, top float64) {
	y := top + ascender(col.labelPt)
	label := func(s string) {
		l.c.text(col.x, y, s, col.labelPt, true)
		y += col.lineSpacing
	}
	lines := func(ls []string) {
		for _, s := range ls {
			l.c.text(col.x, y, s, col.textPt, false)
			y += col.lineSpacing
		}
		y += col.extra
	}
	label(l.t.accountPayableTo)
	lines(col.payableTo)
	if col.hasReference {
		label(l.t.reference)
		lines([]string{b.reference})
	}
	if col.additional != nil {
		label(l.t.additionalInfo)
		lines(col.additional)
	}
	if col.payableBy != nil {
		label(l.t.payableBy)
		lines(col.payableBy)
		return
	}
	label(l.t.payableByNameAddr)
	y += 2*ptMM - ascender(col.textPt)
	l.corners(rect{col.x, y, col.boxW, col.boxH})
}

func (l *layout) paymentPart() {
	l.c.text(qrX, margin+ascender(titlePt), l.t.paymentPart, titlePt, true)
	l.qrCode()

	b := l.blocks(false, false)
	col := &column{
		x: ppInfoX, width: ppInfoWidth, boxW: 65, boxH: 25,
		hasAdditional: true, hasFurtherInfo: len(l.n.AlternativeSchemes) > 0,
	}
	// 10 pt text and 8 pt labels as recommended, down to 8 and 6 pt where
	// the text would not fit otherwise (the guideline's minimum).
	for col.textPt = 10; ; col.textPt-- {
		col.labelPt = col.textPt - 2
		if !l.fit(col, b, ppInfoHeight) || col.textPt == 8 {
			break
		}
	}
	l.drawColumn(col, b, margin)
	l.amount(qrX, 15, col.labelPt, col.textPt, func(valueY float64) rect {
		return rect{qrX + 51 - 40, valueY - ascender(col.textPt), 40, 15}
	})
	l.furtherInfo()
}

func (l *layout) receipt() {
	l.c.text(margin, margin+ascender(titlePt), l.t.receipt, titlePt, true)
	col := &column{x: margin, width: rcInfoWidth, labelPt: 6, textPt: 8, boxW: 52, boxH: 20}
	// The receipt does not shrink its text; where it is too tight, the
	// debtor's and then also the creditor's street is left out.
	var b blocks
	for _, b = range []blocks{l.blocks(false, false), l.blocks(false, true), l.blocks(true, true)} {
		if !l.fit(col, b, rcInfoHeight) {
			break
		}
	}
	l.drawColumn(col, b, rcInfoY)
	l.amount(margin, 12, col.labelPt, col.textPt, func(float64) rect {
		return rect{margin + rcInfoWidth - 30, amountTop, 30, 10}
	})
	label := l.t.acceptancePoint
	w := l.c.width(label, col.labelPt, true)
	l.c.text(margin+rcInfoWidth-w, acceptancePointTop+ascender(col.labelPt), label, col.labelPt, true)
}

// amount draws the currency and amount section at x, the amount
// amountOffset mm to the right of the currency; an open amount gets the
// blank field box returns.
func (l *layout) amount(x, amountOffset, labelPt, textPt float64, box func(valueY float64) rect) {
	labelY := amountTop + ascender(labelPt)
	valueY := labelY + (textPt+3)*ptMM
	l.c.text(x, labelY, l.t.currency, labelPt, true)
	l.c.text(x, valueY, l.n.Currency, textPt, false)
	l.c.text(x+amountOffset, labelY, l.t.amount, labelPt, true)
	if l.n.Amount == 0 {
		l.corners(box(valueY))
		return
	}
	l.c.text(x+amountOffset, valueY, formatAmount(l.n.Amount, " "), textPt, false)
}

// furtherInfo prints the alternative schemes, one line each: the name in
// bold, then as much of the instruction as fits, with an ellipsis.
func (l *layout) furtherInfo() {
	y := furtherInfoTop + ascender(furtherInfoPt)
	maxWidth := billWidth - receiptWidth - 2*margin
	for _, s := range l.n.AlternativeSchemes {
		x := qrX
		if s.Name != "" {
			name := s.Name + ": "
			l.c.text(x, y, name, furtherInfoPt, true)
			x += l.c.width(name, furtherInfoPt, true)
		}
		l.c.text(x, y, l.truncate(s.Instruction, qrX+maxWidth-x, furtherInfoPt), furtherInfoPt, false)
		y += 8 * ptMM
	}
}

func (l *layout) truncate(s string, width, pt float64) string {
	if l.c.width(s, pt, false) <= width {
		return s
	}
	for s != "" {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
		if l.c.width(s+"…", pt, false) <= width {
			break
		}
	}
	return s + "…"
}

// corners draws the corner marks of a blank field.
func (l *layout) corners(r rect) {
	w := cornerPt * ptMM
	h := w / 2 // keep the strokes inside r
	x0, y0, x1, y1 := r.x+h, r.y+h, r.x+r.w-h, r.y+r.h-h
	for _, c := range [][4]float64{
		{x0, y0, 1, 1}, {x1, y0, -1, 1}, {x0, y1, 1, -1}, {x1, y1, -1, -1},
	} {
		x, y, dx, dy := c[0], c[1], c[2], c[3]
		l.c.line(x, y, x+dx*(cornerArm-h), y, w, false)
		l.c.line(x, y, x, y+dy*(cornerArm-h), w, false)
	}
}

// qrCode draws the modules, merged into horizontal runs, and the Swiss
// cross over the centre: a 7 × 7 mm white square with the black 6 × 6 mm
// square and the white cross in it (proportions as manuelbl's, from the
// guideline's cross graphic). Level M's error correction makes up for the
// modules it covers.
func (l *layout) qrCode() {
	n := len(l.modules)
	m := qrSize / float64(n)
	var runs []rect
	for row, bits := range l.modules {
		for col := 0; col < n; {
			if !bits[col] {
				col++
				continue
			}
			start := col
			for col < n && bits[col] {
				col++
			}
			runs = append(runs, rect{qrX + float64(start)*m, qrY + float64(row)*m, float64(col-start) * m, m})
		}
	}
	l.c.fill(runs, false)

	cx, cy := qrX+qrSize/2, qrY+qrSize/2
	square := func(size float64) rect { return rect{cx - size/2, cy - size/2, size, size} }
	const barWidth, barLength = 7.0 / 6, 35.0 / 9
	l.c.fill([]rect{square(7)}, true)
	l.c.fill([]rect{square(6)}, false)
	l.c.fill([]rect{
		{cx - barWidth/2, cy - barLength/2, barWidth, barLength},
		{cx - barLength/2, cy - barWidth/2, barLength, barWidth},
	}, true)
}

// wrap breaks text into lines no wider than width: at its line feeds,
// then between words, and inside a word only when the word alone is too
// wide.
func (l *layout) wrap(text string, width, pt float64) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			candidate := strings.TrimSpace(line + " " + word)
			if l.c.width(candidate, pt, false) <= width {
				line = candidate
				continue
			}
			if line != "" {
				out = append(out, line)
			}
			line = word
			for l.c.width(line, pt, false) > width {
				head := l.longestPrefix(line, width, pt)
				out = append(out, head)
				line = line[len(head):]
			}
		}
		out = append(out, line)
	}
	return out
}

// longestPrefix is the longest prefix of s no wider than width, but one
// rune at least.
func (l *layout) longestPrefix(s string, width, pt float64) string {
	_, end := utf8.DecodeRuneInString(s)
	for i, r := range s {
		next := i + utf8.RuneLen(r)
		if next <= end {
			continue
		}
		if l.c.width(s[:next], pt, false) > width {
			break
		}
		end = next
	}
	return s[:end]
}
