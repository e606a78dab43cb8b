package attest

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/qr"
	"github.com/sejour/sejour/internal/rules"
)

// The rights block is framed in green, apart from the red of warnings
// and the blue of notes: it is what the holder shows, and what an
// employer or an official looks for first.
var (
	rightsInk  = colour{16, 86, 48}
	rightsFill = colour{233, 245, 237}
)

// The type scale an attestation adds to the receipt's.
var (
	stDocTitle  = style{bold: true, size: 18, colour: ink}
	stRights    = style{size: 9.5, colour: ink}
	stRightsEN  = style{size: 9.5, colour: muted}
	stCode      = style{mono: true, size: 6.5, colour: ink}
	stCodeLabel = style{size: 6.5, colour: muted}
)

// qrSize is the printed width of the QR code, in mm: more than the 35 mm
// a phone needs to read it from paper. A code of about 400 characters
// has 85 modules with its quiet zone, so each is 0.53 mm: 3 pixels in a
// phone's photo of the whole page, or in a 150 dpi scan.
const qrSize = 45

// qrPixels is the width of the QR code image: 600 dpi at qrSize, so that
// a printer draws sharp modules.
const qrPixels = qrSize * 600 * 10 / 254

// RenderAttestation writes d as an A4 PDF, in French with English beside
// it: the title and the article of law, the holder, the application, the
// rights in a frame with the validity in words, the signed code as a QR
// code and as text, and what to do if someone refuses the attestation.
// The rights are worded through tr (keys rights.*), so that the PDF says
// what the portal's pages say. The output depends only on d and tr: the
// PDF's dates come from d.IssuedAt and it carries no random identifier,
// so rendering it again gives the same bytes. It returns Validate's
// error, untouched, when d is incomplete.
func RenderAttestation(w io.Writer, d *Document, tr *i18n.Catalogue) (err error) {
	if err := d.Validate(); err != nil {
		return err
	}
	if tr == nil {
		return errors.New("attest: no translation catalogue")
	}
	code, err := qrPNG(d.Code)
	if err != nil {
		return fmt.Errorf("attest: attestation %s: %w", d.Number, err)
	}
	// fpdf panics on some input it cannot lay out; nothing is written
	// before Output, so a panic can become an ordinary error.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("attest: rendering attestation %s: %v", d.Number, p)
		}
	}()
	s := newSheet()
	s.useMono()
	s.pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(code))
	t := wording{tr: tr}
	describeDocument(s, d, t)
	s.pdf.AddPage()
	documentTitle(s, d, t)
	documentHolder(s, d, t)
	documentRights(s, d, t)
	documentProof(s, d, t)
	return s.output(w)
}

// pngBuffers keeps the PNG encoders' buffers between the QR images of
// the attestations rendered, concurrently or not.
var pngBuffers = &pngPool{}

type pngPool struct{ sync.Pool }

func (p *pngPool) Get() *png.EncoderBuffer {
	b, _ := p.Pool.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngPool) Put(b *png.EncoderBuffer) { p.Pool.Put(b) }

// qrPNG draws code as a black and white PNG image.
func qrPNG(code string) ([]byte, error) {
	img, err := qr.Image(code, qrPixels)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// The code's image is one bit a pixel in large flat runs: the fastest
	// compression makes it nearly as small as the best, in a fraction of
	// the time (the best was a third of a PDF's cost, and the sweep
	// renders one PDF for each attestation it issues).
	// The encoders' buffers (their compressor's tables are half a
	// megabyte) are kept between images rather than made anew each time.
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: pngBuffers}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// wording reads the translation catalogue, with print typography: a
// typographic apostrophe, and in French a no-break space before « : ; ? ! »
// and inside « », and dates that a line never splits.
type wording struct{ tr *i18n.Catalogue }

var frenchSpaces = strings.NewReplacer("'", "’", " :", nbsp+":", " ;", nbsp+";", " ?", nbsp+"?", " !", nbsp+"!", "« ", "«"+nbsp, " »", nbsp+"»")

func (t wording) text(lang, key string, args ...any) string {
	msg := t.tr.T(lang, key, args...)
	if lang == "fr" {
		return frenchSpaces.Replace(msg)
	}
	return strings.ReplaceAll(msg, "'", "’")
}

// both is a message in French and in English.
func (t wording) both(key string, args ...any) rules.Text {
	return rules.Text{"fr": t.text("fr", key, args...), "en": t.text("en", key, args...)}
}

// day writes the calendar day of d in words, in one piece.
func day(lang string, d time.Time) string {
	return strings.ReplaceAll(DateInWords(d, lang), " ", nbsp)
}

// title is the name of d's kind, in French and English.
func (t wording) title(d *Document) rules.Text { return t.both("attestation_kind." + string(d.Kind)) }

// describeDocument sets the document's metadata, and a footer that
// names the attestation on every page. The metadata names the
// attestation, not the holder.
func describeDocument(s *sheet, d *Document, t wording) {
	p := s.pdf
	title := t.title(d)
	p.SetTitle(printable(title["fr"]+" / "+title["en"]+" "+d.Number), true)
	p.SetSubject(printable(title["fr"]+" / "+title["en"]), true)
	p.SetAuthor(printable(d.Prefecture), true)
	p.SetCreator("sejour", true)
	carryCode(p, d.Code)
	p.SetLang("fr-FR")
	// fpdf writes these dates without a UTC offset, which readers take
	// as UTC.
	p.SetCreationDate(d.IssuedAt.UTC())
	p.SetModificationDate(d.IssuedAt.UTC())
	p.AliasNbPages("{nb}")
	running := title["fr"] + " / " + title["en"] + " · N°" + nbsp + d.Number + " · version " + strconv.Itoa(d.Version)
	p.SetHeaderFunc(func() {
		if p.PageNo() == 1 {
			return
		}
		s.draw(cell{w: s.width, paras: []para{{text: running + " (suite / continued)", st: stSmall}}}, s.top)
		p.SetY(s.top + 8)
	})
	p.SetFooterFunc(func() {
		p.SetY(s.bottom + 5)
		s.rule(hairline, 0.2)
		page := " · page " + strconv.Itoa(p.PageNo()) + "/{nb}"
		s.draw(cell{w: s.width, paras: []para{{text: running + page, st: stSmall}}}, s.bottom+6)
	})
}

// documentTitle prints the issuing prefecture, the number, the title,
// and the version, date and article of law.
func documentTitle(s *sheet, d *Document, t wording) {
	title := t.title(d)
	s.mark(title["fr"] + " / " + title["en"])
	documentHead(s, d, t, "Titre de séjour · Residence permit")
	version := rules.Text{"fr": "Version " + strconv.Itoa(d.Version), "en": "Version " + strconv.Itoa(d.Version)}
	if d.Version > 1 {
		version["fr"] += " (remplace les précédentes)"
		version["en"] += " (replaces earlier ones)"
	}
	basis := t.both("pdf.attestation.basis")
	w := (s.width - 8) / 2
	s.row(
		cell{w: w, paras: []para{
			{text: version["fr"], st: stStrong},
			{text: "Délivrée le " + dateTimeInWords(d.IssuedAt, "fr"), st: stBody},
			{text: "Base légale" + nbsp + ": " + basis["fr"], st: stBody},
		}},
		cell{x: w + 8, w: w, paras: []para{
			{text: version["en"], st: style{bold: true, size: stStrong.size, colour: muted}},
			{text: "Issued on " + dateTimeInWords(d.IssuedAt, "en"), st: stBodyEN},
			{text: "Legal basis: " + basis["en"], st: stBodyEN},
		}},
	)
	s.space(4.5)
}

// documentHead prints the issuing prefecture under which the document
// falls (what, in both languages), the number, and the title.
func documentHead(s *sheet, d *Document, t wording, what string) {
	title := t.title(d)
	s.row(
		cell{w: 120, paras: []para{
			{text: d.Prefecture, st: stStrong},
			{text: what, st: stSmall, after: 2},
		}},
		cell{x: 120, w: s.width - 120, align: "R", paras: []para{
			{text: "Numéro / Number", st: stLabel},
			{text: d.Number, st: stStrong, after: 2},
		}},
	)
	s.rule(ink, 0.5)
	s.space(3.5)
	s.row(cell{w: s.width, paras: []para{
		{text: title["fr"], st: stDocTitle, after: 0.5},
		{text: title["en"], st: style{size: 12.5, colour: muted}, after: 1.5},
	}})
}

// documentHolder prints the holder's identity and the application, in
// a grid of four columns.
func documentHolder(s *sheet, d *Document, t wording) {
	born := rules.Text{"fr": d.BirthDate, "en": d.BirthDate}
	if b, ok := parseDay(d.BirthDate); ok {
		born = rules.Text{"fr": DateInWords(b, "fr"), "en": DateInWords(b, "en")}
	}
	foreigner := []para{{text: d.ForeignerNumber, st: stValue}}
	if d.ForeignerNumber == "" {
		foreigner = both(rules.Text{"fr": "Pas encore attribué", "en": "Not yet assigned"})
	}
	row1 := []cell{
		s.field(0, 4, "Nom / Surname", para{text: d.Surname, st: stStrong}),
		s.field(1, 4, "Prénoms / Given names", para{text: d.GivenNames, st: stStrong}),
		s.field(2, 4, "Né(e) le / Born on", both(born)...),
		s.field(3, 4, "Nationalité / Nationality", para{text: d.Nationality, st: stValue}),
	}
	ground := s.field(2, 4, "Motif / Ground", both(d.Ground)...)
	ground.w = s.width - ground.x
	s.section(t.both("pdf.section.holder"), s.rowHeight(row1)+3)
	s.rule(hairline, 0.3)
	s.space(2)
	s.row(row1...)
	s.space(2.5)
	s.row(
		s.field(0, 4, "N° étranger / Foreigner no.", foreigner...),
		s.field(1, 4, "Demande / Application", both(t.both("kind."+string(d.ApplicationKind)))...),
		ground,
	)
	s.space(4.5)
}

// documentRights prints the rights, the reason the attestation exists,
// in a frame that holds the validity in words, one right a row in French
// and English side by side, and, for an extension attestation after a
// permit, that the expired permit must go with it (and the note of the
// kind, if any).
func documentRights(s *sheet, d *Document, t wording) {
	const pad, gap, bullet = 4, 8, 3.5
	w := (s.width - 2*pad - gap) / 2
	pair := func(fr, en para) []cell {
		return []cell{{w: w, paras: []para{fr}}, {x: w + gap, w: w, paras: []para{en}}}
	}
	head := style{bold: true, size: 12, colour: rightsInk}
	validity := style{bold: true, size: 11.5, colour: ink}
	validityEN := style{bold: true, size: 11.5, colour: muted}
	valid := rules.Text{
		"fr": t.text("fr", "attestations.validity", day("fr", d.ValidFrom), day("fr", d.ValidUntil)),
		"en": t.text("en", "attestations.validity", day("en", d.ValidFrom), day("en", d.ValidUntil)),
	}
	rows := [][]cell{
		pair(para{text: t.text("fr", "pdf.section.rights"), st: head, after: 1.5}, para{text: t.text("en", "pdf.section.rights"), st: head, after: 1.5}),
		pair(para{text: valid["fr"], st: validity, after: 2}, para{text: valid["en"], st: validityEN, after: 2}),
	}
	fr := d.Rights.Words(func(key string, args ...any) string { return t.text("fr", key, args...) }, func(x time.Time) string { return day("fr", x) })
	en := d.Rights.Words(func(key string, args ...any) string { return t.text("en", key, args...) }, func(x time.Time) string { return day("en", x) })
	for i := range fr {
		rows = append(rows, []cell{
			{w: bullet, paras: []para{{text: "•", st: stRights}}},
			{x: bullet, w: w - bullet, paras: []para{{text: fr[i], st: stRights, after: 1}}},
			{x: w + gap, w: bullet, paras: []para{{text: "•", st: stRightsEN}}},
			{x: w + gap + bullet, w: w - bullet, paras: []para{{text: en[i], st: stRightsEN, after: 1}}},
		})
	}
	strong := style{bold: true, size: 10.5, colour: rightsInk}
	if d.WithExpiredPermit() {
		with := t.both("pdf.attestation.with_expired_permit")
		rows = append(rows, pair(para{text: with["fr"], st: strong}, para{text: with["en"], st: strong}))
	}
	if key := d.Note(); key != "" {
		note := t.both(key)
		rows = append(rows, pair(para{text: note["fr"], st: strong}, para{text: note["en"], st: strong}))
	}
	f := frame{border: rightsInk, fill: rightsFill, lineWidth: 1.2, pad: pad}
	s.section(t.both("pdf.section.rights"), s.boxHeight(f, rows...))
	s.boxed(f, rows...)
	s.space(4.5)
}

// The proof section: the QR code with its text under it on the left, and
// on the right how to check the attestation and what to do if it is
// refused.
const (
	proofLeft = 58 // the width of the QR code's column, in mm
	proofGap  = 6  // between the two columns
)

// documentProof prints the QR code with the code as text under it, for
// whoever cannot scan it, and beside them how to check the attestation
// and what to do if it is refused. When the two columns do not fit on a
// page (only absurd input makes them so tall), they are printed one
// after the other at full width.
func documentProof(s *sheet, d *Document, t wording) {
	right := s.width - proofLeft - proofGap
	code := codeCell(s, d.Code, proofLeft)
	check := checkRow(s, d, right, t)
	refusal := refusedRows(d, right, t)
	left := qrSize + 2 + s.height(code)
	tall := max(left, s.rowHeight(check)+3+s.boxHeight(refusedFrame, refusal...))
	s.section(t.both("pdf.attestation.check_title"), tall)
	if !s.fitsPage(tall) {
		s.ensure(qrSize)
		s.pdf.ImageOptions("qr", s.left, s.pdf.GetY(), qrSize, qrSize, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		s.pdf.SetY(s.pdf.GetY() + qrSize + 2)
		s.row(codeCell(s, d.Code, s.width))
		s.space(3)
		s.row(checkRow(s, d, s.width, t)...)
		s.space(3)
		s.boxed(refusedFrame, refusedRows(d, s.width, t)...)
		return
	}
	qrBeside(s, code, tall, right, func() {
		s.row(check...)
		s.space(3)
		s.boxed(refusedFrame, refusal...)
	})
}

// qrBeside prints the registered "qr" image with its code under it in the
// left column, and beside them what right prints, in a block tall mm high.
func qrBeside(s *sheet, code cell, tall, right float64, beside func()) {
	s.ensure(tall)
	y := s.pdf.GetY()
	s.pdf.ImageOptions("qr", s.left, y, qrSize, qrSize, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	s.pdf.SetY(y + qrSize + 2)
	s.column(0, proofLeft, func() { s.row(code) })
	s.pdf.SetY(y)
	s.column(proofLeft+proofGap, right, beside)
	s.pdf.SetY(y + tall)
}

// checkRow says, in French and English side by side in w mm, what the
// QR code holds and how to check the attestation, each column ending
// with the address of the verification page, kept inside its column.
func checkRow(s *sheet, d *Document, w float64, t wording) []cell {
	const gap = 6
	cw := (w - gap) / 2
	column := func(lang string, c colour) []para {
		return []para{
			{text: t.text(lang, "pdf.attestation.check_title"), st: style{bold: true, size: 9.5, colour: c}, after: 0.5},
			{text: t.text(lang, "pdf.attestation.check"), st: style{size: 8, colour: c}, after: 0.5},
			s.address(strings.TrimSpace(d.VerifyURL), style{bold: true, size: 9, colour: c}, cw),
		}
	}
	return []cell{{w: cw, paras: column("fr", ink)}, {x: cw + gap, w: cw, paras: column("en", muted)}}
}

// codeCell prints the signed code in monospace, w mm wide, cut into
// lines of equal length rather than at its spaces, which belong to the
// code (base45 has a space among its 45 characters): each space is
// shown as « ␣ », which a person typing the code would otherwise miss at
// the end of a line.
func codeCell(s *sheet, code string, w float64) cell {
	s.use(stCode)
	perLine := max(1, int(w/s.pdf.GetStringWidth("0")))
	chars := []rune(strings.ReplaceAll(strings.TrimSpace(code), " ", "␣"))
	var lines []string
	for len(chars) > perLine {
		lines = append(lines, string(chars[:perLine]))
		chars = chars[perLine:]
	}
	lines = append(lines, string(chars))
	label := rules.Text{"fr": "Code à saisir si le scan échoue", "en": "Code to type if scanning fails"}
	if strings.Contains(code, " ") {
		label["fr"] += " (␣" + nbsp + "=" + nbsp + "espace)"
		label["en"] += " (␣" + nbsp + "=" + nbsp + "space)"
	}
	return cell{w: w, paras: []para{
		{text: label["fr"], st: stCodeLabel},
		{text: label["en"], st: stCodeLabel, after: 0.8},
		{text: strings.Join(lines, "\n"), st: stCode},
	}}
}

// refusedFrame is the frame of the block on refusals: a note, in blue.
var refusedFrame = frame{border: noteInk, fill: noteFill, lineWidth: 0.4, pad: 3.5}

// refusedRows say, in French and English side by side in w mm, what the
// holder can do when an employer or an office will not accept the
// attestation: who must accept it, how they can check it, and whom to
// ask for help, quoting which number.
func refusedRows(d *Document, w float64, t wording) [][]cell {
	const gap = 6
	cw := (w - 2*refusedFrame.pad - gap) / 2
	lead := "pdf.attestation.refused.lead"
	if d.WithExpiredPermit() {
		lead = "pdf.attestation.refused.lead_with_permit"
	}
	number := strings.ReplaceAll(d.Number, " ", nbsp)
	head := style{bold: true, size: 9.5, colour: noteInk}
	column := func(lang string, leadSt, bodySt style) []para {
		tr := t.tr
		return []para{
			{text: tr.T(lang, "pdf.attestation.refused.title"), st: head, after: 1.2},
			{text: tr.T(lang, lead, day(lang, d.ValidUntil)), st: leadSt, after: 1},
			{text: tr.T(lang, "pdf.attestation.refused.help", number), st: bodySt},
		}
	}
	return [][]cell{{
		{w: cw, paras: column("fr", style{bold: true, size: 8, colour: ink}, style{size: 8, colour: ink})},
		{x: cw + gap, w: cw, paras: column("en", style{bold: true, size: 8, colour: muted}, style{size: 8, colour: muted})},
	}}
}
