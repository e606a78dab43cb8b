package attest

import (
	"bytes"
	_ "embed"
	"strings"
	"unicode"

	"github.com/go-pdf/fpdf"
)

// The DejaVu fonts are embedded in the binary and in every PDF, so that
// accents, œ, € and « » print the same on any machine and any reader.
// Their licence is fonts/LICENSE.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
	// fontMono prints codes meant to be typed, where every character
	// must be told apart (0 and O, 1 and I). Only the documents that
	// print one register it, so that the others' bytes do not change.
	//go:embed fonts/DejaVuSansMono.ttf
	fontMono []byte
)

const (
	family     = "DejaVu"
	monoFamily = "DejaVuMono"
	ptToMM     = 25.4 / 72
	nbsp       = "\u00a0" // French typography: no line break before « : » or inside « »
)

// colour is an RGB colour.
type colour struct{ r, g, b int }

// The palette. English text is grey rather than light grey: it must stay
// readable on a cheap printout (contrast above 7:1 on white).
var (
	ink       = colour{17, 17, 17}
	muted     = colour{72, 72, 72}
	hairline  = colour{175, 175, 175}
	alertInk  = colour{150, 18, 18}
	alertFill = colour{253, 236, 234}
	noteInk   = colour{22, 58, 118}
	noteFill  = colour{234, 241, 250}
)

// style is how a run of text looks. A mono style needs the sheet's
// useMono first, and has no bold.
type style struct {
	bold   bool
	mono   bool
	size   float64 // points
	colour colour
}

func (s style) lineHeight() float64 { return s.size * ptToMM * 1.28 }

// para is a paragraph of one style, wrapped to its cell. after is the
// space left below it, in mm.
type para struct {
	text  string
	st    style
	after float64
}

// cell is a column of paragraphs: x is its offset from the left margin;
// align is "L" (the default) or "R".
type cell struct {
	x, w  float64
	align string
	paras []para
}

// sheet lays text out on A4 pages. It places every line itself, instead
// of letting fpdf break pages in the middle of a cell, so that the
// columns of a row always stay side by side and a framed block is never
// cut in two.
type sheet struct {
	pdf         *fpdf.Fpdf
	left, width float64 // the text column, in mm
	top, bottom float64 // the writable band of a page, in mm
}

func newSheet() *sheet {
	pdf := fpdf.New("P", "mm", "A4", "")
	// fpdf writes into the font bytes it is given while it subsets them
	// (its metrics are appended onto slices of the file), so each
	// document gets its own copy: PDFs are rendered concurrently (the
	// issuing jobs, downloads), and a shared copy is a data race.
	pdf.AddUTF8FontFromBytes(family, "", bytes.Clone(fontRegular))
	pdf.AddUTF8FontFromBytes(family, "B", bytes.Clone(fontBold))
	pdf.SetMargins(16, 14, 16)
	pdf.SetCellMargin(0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCatalogSort(true)
	w, h := pdf.GetPageSize()
	return &sheet{pdf: pdf, left: 16, width: w - 32, top: 14, bottom: h - 18}
}

// useMono registers the monospaced font, for documents that print codes.
func (s *sheet) useMono() { s.pdf.AddUTF8FontFromBytes(monoFamily, "", bytes.Clone(fontMono)) }

func (s *sheet) use(st style) {
	switch {
	case st.mono:
		s.pdf.SetFont(monoFamily, "", st.size)
	case st.bold:
		s.pdf.SetFont(family, "B", st.size)
	default:
		s.pdf.SetFont(family, "", st.size)
	}
	s.pdf.SetTextColor(st.colour.r, st.colour.g, st.colour.b)
}

// wrap breaks text into lines no wider than w. It breaks at spaces and
// explicit newlines only (never at a no-break space), and cuts a word
// that is wider than the whole line, such as a long file name or URL.
func (s *sheet) wrap(text string, st style, w float64) []string {
	s.use(st)
	var lines []string
	for _, hard := range strings.Split(printable(text), "\n") {
		line := ""
		for _, word := range strings.Split(hard, " ") {
			switch {
			case line == "" && s.pdf.GetStringWidth(word) <= w:
				line = word
			case line != "" && s.pdf.GetStringWidth(line+" "+word) <= w:
				line += " " + word
			default:
				if line != "" {
					lines = append(lines, line)
				}
				for s.pdf.GetStringWidth(word) > w {
					cut := s.fit(word, w)
					lines = append(lines, word[:cut])
					word = word[cut:]
				}
				line = word
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// printable replaces what fpdf cannot print: other control characters
// than newlines become spaces, and characters outside the Basic
// Multilingual Plane (emoji, rare scripts), which make fpdf panic, become
// U+FFFD, the replacement character.
func printable(text string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case unicode.IsControl(r):
			return ' '
		case r > 0xFFFF:
			return unicode.ReplacementChar
		}
		return r
	}, text)
}

// fit returns how many bytes of word fit in w, at least one rune's worth.
func (s *sheet) fit(word string, w float64) int {
	end := 0
	for i, r := range word {
		next := i + len(string(r))
		if end > 0 && s.pdf.GetStringWidth(word[:next]) > w {
			break
		}
		end = next
	}
	return end
}

// height is how tall c is once wrapped.
func (s *sheet) height(c cell) float64 {
	h := 0.0
	for _, p := range c.paras {
		h += float64(len(s.wrap(p.text, p.st, c.w)))*p.st.lineHeight() + p.after
	}
	return h
}

// rowHeight is the height of the tallest cell.
func (s *sheet) rowHeight(cells []cell) float64 {
	h := 0.0
	for _, c := range cells {
		h = max(h, s.height(c))
	}
	return h
}

// draw prints c with its top at y.
func (s *sheet) draw(c cell, y float64) {
	for _, p := range c.paras {
		lh := p.st.lineHeight()
		for _, line := range s.wrap(p.text, p.st, c.w) {
			s.pdf.SetXY(s.left+c.x, y)
			s.pdf.CellFormat(c.w, lh, line, "", 0, c.align, false, 0, "")
			y += lh
		}
		y += p.after
	}
}

// fits reports whether h mm are left on the page.
func (s *sheet) fits(h float64) bool { return s.pdf.GetY()+h <= s.bottom }

// fitsPage reports whether h mm fit on an empty page.
func (s *sheet) fitsPage(h float64) bool { return s.top+h <= s.bottom }

// ensure starts a new page unless h mm are left on this one.
func (s *sheet) ensure(h float64) {
	if !s.fits(h) {
		s.pdf.AddPage()
	}
}

// space moves down by h mm; at the foot of a page it does nothing, so
// that a page never starts with a gap.
func (s *sheet) space(h float64) {
	if s.fits(h) {
		s.pdf.SetY(s.pdf.GetY() + h)
	}
}

// row prints cells side by side, on the next page if they do not fit on
// this one. A row taller than a whole page (only absurd input makes one)
// is printed cell after cell, line by line, so that nothing runs off the
// page.
func (s *sheet) row(cells ...cell) {
	h := s.rowHeight(cells)
	if !s.fitsPage(h) {
		s.flow(cells)
		return
	}
	s.ensure(h)
	y := s.pdf.GetY()
	for _, c := range cells {
		s.draw(c, y)
	}
	s.pdf.SetY(y + h)
}

// flow prints each cell's lines one below the other, breaking pages
// between lines.
func (s *sheet) flow(cells []cell) {
	for _, c := range cells {
		for _, p := range c.paras {
			lh := p.st.lineHeight()
			for _, line := range s.wrap(p.text, p.st, c.w) {
				s.ensure(lh)
				s.draw(cell{x: c.x, w: c.w, align: c.align, paras: []para{{text: line, st: p.st}}}, s.pdf.GetY())
				s.pdf.SetY(s.pdf.GetY() + lh)
			}
			s.space(p.after)
		}
	}
}

// frame describes the box around a block.
type frame struct {
	border, fill colour
	lineWidth    float64 // mm
	pad          float64 // mm between the border and the text
}

// boxHeight is how tall boxed prints rows in f.
func (s *sheet) boxHeight(f frame, rows ...[]cell) float64 {
	inner := 0.0
	for _, r := range rows {
		inner += s.rowHeight(r)
	}
	return inner + 2*f.pad
}

// boxed prints rows of cells inside one frame, kept on one page. The
// cells' x and w are relative to the inside of the frame.
func (s *sheet) boxed(f frame, rows ...[]cell) {
	h := s.boxHeight(f, rows...)
	if !s.fitsPage(h) {
		for _, r := range rows {
			s.row(r...)
		}
		return
	}
	s.ensure(h)
	y := s.pdf.GetY()
	s.pdf.SetDrawColor(f.border.r, f.border.g, f.border.b)
	s.pdf.SetLineWidth(f.lineWidth)
	if f.fill == (colour{}) { // no fill given: the border alone, not a black block
		s.pdf.Rect(s.left, y, s.width, h, "D")
	} else {
		s.pdf.SetFillColor(f.fill.r, f.fill.g, f.fill.b)
		s.pdf.Rect(s.left, y, s.width, h, "FD")
	}
	s.pdf.SetY(y + f.pad)
	for _, r := range rows {
		s.row(indent(r, f.pad)...)
	}
	s.pdf.SetY(y + h)
}

// column runs body with the text column narrowed to w mm, x mm from
// the left margin, so that the blocks it prints stand beside others.
// The caller makes sure they fit on the page: the running header and
// footer of a page started inside would be narrowed too.
func (s *sheet) column(x, w float64, body func()) {
	left, width := s.left, s.width
	s.left, s.width = left+x, w
	defer func() { s.left, s.width = left, width }()
	body()
}

// indent shifts cells right by d mm.
func indent(cells []cell, d float64) []cell {
	out := make([]cell, len(cells))
	for i, c := range cells {
		c.x += d
		out[i] = c
	}
	return out
}

// rule draws a horizontal line across the text column at the current y.
func (s *sheet) rule(c colour, width float64) {
	y := s.pdf.GetY()
	s.pdf.SetDrawColor(c.r, c.g, c.b)
	s.pdf.SetLineWidth(width)
	s.pdf.Line(s.left, y, s.left+s.width, y)
}

// minAddressSize is the smallest size, in points, a web address is
// printed in: still read on paper without a magnifier.
const minAddressSize = 7

// address is a web address as a paragraph w mm wide: in st's size if it
// fits, else in the largest half-point size down to minAddressSize that
// does, else at that size broken after its slashes (and cut anywhere
// only where a part between two slashes is wider than the line), so that
// it never runs past its column.
func (s *sheet) address(url string, st style, w float64) para {
	for ; st.size > minAddressSize; st.size -= 0.5 {
		s.use(st)
		if s.pdf.GetStringWidth(url) <= w {
			return para{text: url, st: st}
		}
	}
	st.size = minAddressSize
	s.use(st)
	var lines []string
	line := ""
	for _, part := range strings.SplitAfter(url, "/") {
		if line != "" && s.pdf.GetStringWidth(line+part) > w {
			lines = append(lines, line)
			line = ""
		}
		line += part
	}
	return para{text: strings.Join(append(lines, line), "\n"), st: st}
}
