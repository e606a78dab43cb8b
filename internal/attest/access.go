package attest

import (
	"bytes"
	"errors"
	"io"
	"strconv"

	"github.com/sejour/sejour/internal/rules"
)

// What the PDFs do for people who do not read them on paper, within what
// go-pdf/fpdf allows (docs/attestation-format.md, "Accessibility"):
// fpdf writes no structure tree, so the PDFs are not tagged; they carry
// their language (/Lang), a title that readers show instead of the file
// name (DisplayDocTitle), an outline of their sections, real text drawn in
// reading order (French, then English, block by block), and the QR code's
// meaning in words beside it. The accessible form of each attestation is
// its HTML page.

// mark adds a section to the document's outline (bookmarks), at the
// current height of the current page.
func (s *sheet) mark(title string) { s.pdf.Bookmark(printable(title), 0, -1) }

// section starts a part of the document in its outline: the next h mm
// go on a new page unless they fit on this one (as the part's own
// printing decides), and the outline points there.
func (s *sheet) section(title rules.Text, h float64) {
	if s.fitsPage(h) {
		s.ensure(h)
	}
	s.mark(title["fr"] + " / " + title["en"])
}

// output writes the document with its catalogue asking readers to show
// its title rather than its file name.
func (s *sheet) output(w io.Writer) error {
	var buf bytes.Buffer
	if err := s.pdf.Output(&buf); err != nil {
		return err
	}
	pdf, err := displayDocTitle(buf.Bytes())
	if err != nil {
		return err
	}
	_, err = w.Write(pdf)
	return err
}

// displayDocTitle adds /ViewerPreferences << /DisplayDocTitle true >> to
// the catalogue of a PDF that fpdf wrote, which has no means to, and
// declares PDF 1.4, where that entry and /Lang appeared, when fpdf
// declared 1.3 (the header keeps its length). fpdf
// writes the catalogue as the last object, right before the
// cross-reference table: the entry inserted there moves no object, only
// the table, whose offset (after startxref) is moved by as much. A PDF
// not laid out that way (another version of fpdf) is an error, which the
// tests would show, not a broken file.
func displayDocTitle(pdf []byte) ([]byte, error) {
	const catalog, xref, tail = "\n/Type /Catalog\n", "\nxref\n", "\nstartxref\n"
	entry := []byte("/ViewerPreferences << /DisplayDocTitle true >>\n")
	at := bytes.LastIndex(pdf, []byte(catalog))
	table := bytes.LastIndex(pdf, []byte(xref))
	start := bytes.LastIndex(pdf, []byte(tail))
	if at < 0 || table < at || start < table {
		return nil, errors.New("attest: the PDF's catalogue is not where fpdf writes it")
	}
	end := bytes.IndexByte(pdf[start+len(tail):], '\n')
	if end < 0 {
		return nil, errors.New("attest: the PDF has no cross-reference offset")
	}
	offset, err := strconv.Atoi(string(pdf[start+len(tail) : start+len(tail)+end]))
	if err != nil || offset != table+1 {
		return nil, errors.New("attest: the PDF's cross-reference offset is not its table's")
	}
	at += len(catalog)
	out := make([]byte, 0, len(pdf)+len(entry)+4)
	out = append(out, pdf[:at]...)
	if v := []byte("%PDF-1.3\n"); bytes.HasPrefix(out, v) {
		copy(out, "%PDF-1.4\n")
	}
	out = append(out, entry...)
	out = append(out, pdf[at:start+len(tail)]...)
	out = strconv.AppendInt(out, int64(offset+len(entry)), 10)
	return append(out, pdf[start+len(tail)+end:]...), nil
}
