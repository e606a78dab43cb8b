package attest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/rules"
)

// The type scale of attestations.
var (
	stTitle   = style{bold: true, size: 21, colour: ink}
	stTitleEN = style{size: 14, colour: muted}
	stHead    = style{bold: true, size: 11.5, colour: ink}
	stHeadEN  = style{size: 11.5, colour: muted}
	stLabel   = style{size: 7.5, colour: muted}
	stValue   = style{size: 10, colour: ink}
	stStrong  = style{bold: true, size: 10, colour: ink}
	stValueEN = style{size: 8.5, colour: muted}
	stBody    = style{size: 9, colour: ink}
	stBodyEN  = style{size: 9, colour: muted}
	stSmall   = style{size: 7.5, colour: muted}
)

// RenderReceipt writes r as a one- or two-page A4 PDF filing receipt
// (attestation de dépôt), in French with English beside or below each
// block. The legal wording (the notice, the implicit rejection) comes
// from tr (keys pdf.receipt.*). The output depends only on r and tr: the
// PDF's dates come from
// r.IssuedAt and it carries no random identifier, so rendering the same
// receipt again gives the same bytes, and a receipt can be re-issued
// identical to the original. It returns Validate's error, untouched, when
// r is incomplete.
func RenderReceipt(w io.Writer, r *Receipt, tr *i18n.Catalogue) (err error) {
	if err := r.Validate(); err != nil {
		return err
	}
	if tr == nil {
		return errors.New("attest: no translation catalogue")
	}
	// fpdf panics on some input it cannot lay out; nothing is written
	// before Output, so a panic can become an ordinary error.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("attest: rendering receipt %s: %v", r.Number, p)
		}
	}()
	s := newSheet()
	if r.Code != "" {
		png, err := qrPNG(r.Code)
		if err != nil {
			return fmt.Errorf("attest: QR code of receipt %s: %w", r.Number, err)
		}
		s.useMono()
		s.pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	}
	describe(s, r)
	s.pdf.AddPage()
	receiptTitle(s, r)
	receiptWarning(s, tr)
	receiptClaim(s, r)
	receiptHolder(s, r, wording{tr: tr})
	receiptApplication(s, r)
	receiptDeadline(s, r, tr)
	receiptProof(s, r, tr)
	receiptDocuments(s, r)
	receiptCorrections(s, r, wording{tr: tr})
	return s.output(w)
}

// describe sets the document's metadata, running header and footer. The
// metadata names the receipt, not the holder: a file name or a browser
// tab should not reveal who the document is about.
func describe(s *sheet, r *Receipt) {
	p := s.pdf
	fr, en := receiptNames(r)
	p.SetTitle(printable(fr+" / "+en+" "+r.Number), true)
	p.SetSubject("Attestation de dépôt d’une demande de titre de séjour / Filing receipt for a residence permit application", true)
	p.SetAuthor(printable(r.Prefecture), true)
	p.SetCreator("sejour", true)
	carryCode(p, r.Code)
	p.SetLang("fr-FR")
	// fpdf writes these dates without a UTC offset, which readers take
	// as UTC.
	p.SetCreationDate(r.IssuedAt.UTC())
	p.SetModificationDate(r.IssuedAt.UTC())
	p.AliasNbPages("{nb}")
	running := fr + " / " + en + " · N°" + nbsp + r.Number
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

// receiptNames are the document's title in French and English: a
// récépissé for a paper filing, else an attestation de dépôt.
func receiptNames(r *Receipt) (fr, en string) {
	if r.Paper {
		return "Récépissé de dépôt", "Filing receipt (paper)"
	}
	return "Attestation de dépôt", "Filing receipt"
}

// receiptTitle prints the issuing prefecture, the title, and the number
// and date of the receipt.
func receiptTitle(s *sheet, r *Receipt) {
	fr, en := receiptNames(r)
	s.mark(fr + " / " + en)
	head := []para{
		{text: r.Prefecture, st: stStrong},
		{text: "Demande de titre de séjour · Residence permit application", st: stSmall, after: 2},
	}
	if r.Paper {
		head[1].after = 0.5
		head = append(head, para{text: "Déposée sur formulaire papier à la préfecture · Filed on a paper form at the prefecture", st: stSmall, after: 2})
	}
	s.row(cell{w: s.width, paras: head})
	s.rule(ink, 0.5)
	s.space(4)
	s.row(
		cell{w: 100, paras: []para{
			{text: fr, st: stTitle, after: 0.5},
			{text: en, st: stTitleEN},
		}},
		cell{x: 100, w: s.width - 100, align: "R", paras: []para{
			{text: "Numéro / Number", st: stLabel},
			{text: r.Number, st: stStrong, after: 1.5},
			{text: "Délivrée le / Issued on", st: stLabel},
			{text: dateTimeInWords(r.IssuedAt, "fr"), st: stValue},
			{text: dateTimeInWords(r.IssuedAt, "en"), st: stValueEN},
		}},
	)
	s.space(5)
}

// receiptWarning is the notice the law requires on a filing receipt,
// framed so that an employer or an official glancing at the page cannot
// miss it.
func receiptWarning(s *sheet, tr *i18n.Catalogue) {
	head := style{bold: true, size: 10.5, colour: alertInk}
	lead := style{bold: true, size: 9.5, colour: ink}
	leadEN := style{bold: true, size: 9.5, colour: muted}
	w := (s.width - 2*4 - 8) / 2
	column := func(lang string, lead, body style) []para {
		return []para{
			{text: tr.T(lang, "pdf.receipt.notice.title"), st: head, after: 1.5},
			{text: tr.T(lang, "pdf.receipt.notice.lead"), st: lead, after: 1.5},
			{text: tr.T(lang, "pdf.receipt.notice.extension"), st: body, after: 1},
			{text: tr.T(lang, "pdf.receipt.notice.valid_permit"), st: body},
		}
	}
	s.mark(tr.T("fr", "pdf.receipt.notice.title") + " / " + tr.T("en", "pdf.receipt.notice.title"))
	s.boxed(frame{border: alertInk, fill: alertFill, lineWidth: 0.8, pad: 4}, []cell{
		{w: w, paras: column("fr", lead, stBody)},
		{x: w + 8, w: w, paras: column("en", leadEN, stBodyEN)},
	})
	s.space(5)
}

// receiptClaim prints the code with which the holder takes the file over
// online, when an agent has just issued one.
func receiptClaim(s *sheet, r *Receipt) {
	if r.ClaimCode == "" {
		return
	}
	code := style{bold: true, size: 16, colour: ink}
	until := strings.ReplaceAll(DateInWords(r.ClaimExpires, "fr"), " ", nbsp)
	untilEN := strings.ReplaceAll(DateInWords(r.ClaimExpires, "en"), " ", nbsp)
	w := (s.width - 2*4 - 8) / 2
	s.boxed(frame{border: noteInk, fill: noteFill, lineWidth: 0.4, pad: 4}, []cell{
		{w: w, paras: []para{
			{text: "Suivre votre dossier en ligne", st: stStrong, after: 1},
			{text: r.ClaimCode, st: code, after: 1},
			{text: "Créez un compte sur le portail, puis saisissez ce code sur la page «" + nbsp + "Reprendre mon dossier" + nbsp + "». Il est valable jusqu’au " + until + " et ne sert qu’une fois. Gardez-le pour vous.", st: stBody}}},
		{x: w + 8, w: w, paras: []para{
			{text: "Follow your file online", st: stStrong, after: 1},
			{text: r.ClaimCode, st: code, after: 1},
			{text: "Create an account on the portal, then enter this code on the page “Take over my file”. It works until " + untilEN + " and only once. Keep it to yourself.", st: stBodyEN}}},
	})
	s.space(5)
}

// heading prints a section title, French then English, on the next page
// if the first next mm of the section would not fit under it.
func (s *sheet) heading(fr, en string, next float64) {
	h := stHead.lineHeight() + 2.5
	s.ensure(h + next)
	s.mark(fr + " / " + en)
	y := s.pdf.GetY()
	s.draw(cell{w: s.width, paras: []para{{text: fr, st: stHead}}}, y)
	s.use(stHead)
	x := s.pdf.GetStringWidth(fr + " ")
	s.draw(cell{x: x, w: s.width - x, paras: []para{{text: "/ " + en, st: stHeadEN}}}, y)
	s.pdf.SetY(y + stHead.lineHeight() + 0.8)
	s.rule(hairline, 0.3)
	s.pdf.SetY(y + h)
}

// field is a labelled value in a grid of n columns.
func (s *sheet) field(col, n int, label string, values ...para) cell {
	const gap = 6
	w := (s.width - gap*float64(n-1)) / float64(n)
	paras := append([]para{{text: label, st: stLabel, after: 0.4}}, values...)
	return cell{x: float64(col) * (w + gap), w: w, paras: paras}
}

// both is a value in French, then in English.
func both(t rules.Text) []para {
	return []para{{text: t["fr"], st: stValue}, {text: t["en"], st: stValueEN}}
}

// receiptHolder prints the holder's civil identity.
func receiptHolder(s *sheet, r *Receipt, t wording) {
	born := rules.Text{"fr": r.BirthDate, "en": r.BirthDate}
	if t, ok := parseDay(r.BirthDate); ok {
		born = rules.Text{"fr": DateInWords(t, "fr"), "en": DateInWords(t, "en")}
	}
	foreigner := []para{{text: r.ForeignerNumber, st: stValue}}
	if r.ForeignerNumber == "" {
		foreigner = both(rules.Text{"fr": "Pas encore attribué", "en": "Not yet assigned"})
	}
	row1 := []cell{
		s.field(0, 3, "Nom / Surname", para{text: r.Surname, st: stStrong}),
		s.field(1, 3, "Prénoms / Given names", para{text: r.GivenNames, st: stStrong}),
		s.field(2, 3, "Date de naissance / Date of birth", both(born)...),
	}
	holder := t.both("pdf.section.holder")
	s.heading(holder["fr"], holder["en"], s.rowHeight(row1))
	s.row(row1...)
	s.space(2.5)
	s.row(
		s.field(0, 3, "Lieu de naissance / Place of birth", para{text: r.BirthPlace, st: stValue}),
		s.field(1, 3, "Nationalité / Nationality", para{text: r.Nationality, st: stValue}),
		s.field(2, 3, "Numéro étranger / Foreigner number", foreigner...),
	)
	s.space(5)
}

// receiptApplication prints what was asked, where, when, and the fee.
func receiptApplication(s *sheet, r *Receipt) {
	stamp := []para{{text: maskedStamp(r.FeeStamp), st: stValue}, {text: "4 derniers chiffres / last 4 digits", st: stValueEN}}
	if r.FeeStamp == "" {
		stamp = both(rules.Text{"fr": "Aucun timbre enregistré", "en": "No stamp recorded"})
	}
	row1 := []cell{
		s.field(0, 3, "Type de demande / Application type", both(kindNames[r.Kind])...),
		s.field(1, 3, "Motif / Ground", both(r.Ground)...),
		s.field(2, 3, "Déposée le / Filed on",
			para{text: dateTimeInWords(r.SubmittedAt, "fr"), st: stValue},
			para{text: dateTimeInWords(r.SubmittedAt, "en"), st: stValueEN}),
	}
	s.heading("Demande", "Application", s.rowHeight(row1))
	s.row(row1...)
	s.space(2.5)
	s.row(
		s.field(0, 3, "Préfecture / Prefecture", para{text: r.Prefecture, st: stValue}),
		s.field(1, 3, "Timbre fiscal / Fee stamp", stamp...),
	)
	s.space(5)
}

// receiptDeadline says when silence becomes a refusal and what the
// holder can do then. It says plainly that an extension attestation does
// not stop that date (R.432-1/2): holders who believe otherwise miss the
// time limit for an appeal.
func receiptDeadline(s *sheet, r *Receipt, tr *i18n.Catalogue) {
	if r.Decided {
		w := (s.width - 2*4 - 8) / 2
		s.boxed(frame{border: noteInk, fill: noteFill, lineWidth: 0.4, pad: 4}, []cell{
			{w: w, paras: []para{{text: tr.T("fr", "pdf.receipt.no_longer_pending"), st: stBody}}},
			{x: w + 8, w: w, paras: []para{{text: tr.T("en", "pdf.receipt.no_longer_pending"), st: stBodyEN}}},
		})
		s.space(5)
		return
	}
	head := style{bold: true, size: 10.5, colour: noteInk}
	lead := style{bold: true, size: 9, colour: ink}
	leadEN := style{bold: true, size: 9, colour: muted}
	w := (s.width - 2*4 - 8) / 2
	column := func(lang string, lead, body style) []para {
		day := strings.ReplaceAll(DateInWords(r.ImplicitRejectionDate, lang), " ", nbsp)
		return []para{
			{text: tr.T(lang, "pdf.receipt.deadline.title"), st: head, after: 1.5},
			{text: tr.T(lang, "pdf.receipt.deadline.lead", day), st: lead, after: 1},
			{text: tr.T(lang, "pdf.receipt.deadline.body"), st: body},
		}
	}
	rows := []cell{
		{w: w, paras: column("fr", lead, stBody)},
		{x: w + 8, w: w, paras: column("en", leadEN, stBodyEN)},
	}
	s.section(rules.Text{"fr": tr.T("fr", "pdf.receipt.deadline.title"), "en": tr.T("en", "pdf.receipt.deadline.title")}, s.boxHeight(deadlineFrame, rows))
	s.boxed(deadlineFrame, rows)
	s.space(5)
}

// deadlineFrame is the frame of the block on the implicit rejection.
var deadlineFrame = frame{border: noteInk, fill: noteFill, lineWidth: 0.4, pad: 4}

// receiptCorrections says what to do when something printed is wrong,
// naming the site's own link to report a problem (its words come from
// the same catalogue key as the link), and where to download the receipt
// again.
func receiptCorrections(s *sheet, r *Receipt, t wording) {
	w := (s.width - 8) / 2
	number := strings.ReplaceAll(r.Number, " ", nbsp)
	cells := []cell{
		{w: w, paras: []para{{text: t.text("fr", "pdf.receipt.corrections.body", t.text("fr", "support.nav.report"), number), st: stBody}}},
		{x: w + 8, w: w, paras: []para{{text: t.text("en", "pdf.receipt.corrections.body", t.text("en", "support.nav.report"), number), st: stBodyEN}}},
	}
	title := t.both("pdf.receipt.corrections.title")
	s.heading(title["fr"], title["en"], s.rowHeight(cells))
	s.row(cells...)
	if r.ReceiptURL != "" {
		s.space(3)
		s.row(cell{w: s.width, paras: []para{
			{text: "Télécharger à nouveau cette attestation / Download this receipt again", st: stLabel, after: 0.4},
			{text: r.ReceiptURL, st: stValue},
		}})
	}
}

// The columns of the table of documents, in mm from the left margin.
var docColumns = [...]struct{ x, w float64 }{{0, 8}, {10, 70}, {84, 62}, {150, 28}}

// receiptDocuments prints the table of files filed, repeating its header
// on each page it spans.
func receiptDocuments(s *sheet, r *Receipt) {
	header := []cell{
		docCell(0, para{text: "N°", st: stLabel}),
		docCell(1, para{text: "Pièce / Document", st: stLabel}),
		docCell(2, para{text: "Fichier / File", st: stLabel}),
		docCell(3, para{text: "SHA-256", st: stLabel}),
	}
	rows := make([][]cell, len(r.Documents))
	for i, d := range r.Documents {
		rows[i] = []cell{
			docCell(0, para{text: strconv.Itoa(i + 1), st: stValue}),
			docCell(1, both(d.Name)...),
			docCell(2, para{text: d.FileName, st: stBody}),
			docCell(3, para{text: d.SHA256[:digestChars], st: stBody}),
		}
	}
	first := 0.0
	if len(rows) > 0 {
		first = s.rowHeight(rows[0]) + 2
	}
	s.heading("Pièces déposées", "Documents filed", s.rowHeight(header)+2+first)
	if len(rows) == 0 {
		s.row(cell{w: s.width, paras: both(rules.Text{"fr": "Aucune pièce déposée.", "en": "No document filed."})})
		s.space(5)
		return
	}
	s.tableRow(header)
	for _, row := range rows {
		if !s.fits(s.rowHeight(row) + 2) {
			s.pdf.AddPage()
			s.tableRow(header)
		}
		s.tableRow(row)
	}
	s.space(1)
	s.row(cell{w: s.width, paras: []para{
		{text: "SHA-256" + nbsp + ": début de l’empreinte du fichier reçu" + nbsp + "; elle permet de vérifier qu’un fichier est bien celui qui a été déposé.", st: stSmall},
		{text: "SHA-256: start of the fingerprint of the file received; it shows whether a file is the one that was filed.", st: stSmall},
	}})
	s.space(5)
}

// docCell is a cell in column i of the table of documents.
func docCell(i int, paras ...para) cell {
	return cell{x: docColumns[i].x, w: docColumns[i].w, paras: paras}
}

// tableRow prints one row of a table with a hairline under it.
func (s *sheet) tableRow(cells []cell) {
	s.row(cells...)
	s.pdf.SetY(s.pdf.GetY() + 1)
	s.rule(hairline, 0.2)
	s.pdf.SetY(s.pdf.GetY() + 1)
}

// parseDay reads a YYYY-MM-DD date; partial dates ("1990-00-00") fail.
func parseDay(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// receiptProof prints the receipt's signed code as a QR code, the code as
// text under it, and beside them where to check it: the filing receipt
// is a proof like the others, and an official can check that it is
// genuine and current. Nothing is printed before it is signed.
func receiptProof(s *sheet, r *Receipt, tr *i18n.Catalogue) {
	if r.Code == "" {
		return
	}
	right := s.width - proofLeft - proofGap
	code := codeCell(s, r.Code, proofLeft)
	check := []cell{{w: right, paras: []para{
		{text: wording{tr: tr}.text("fr", "pdf.receipt.check"), st: stBody, after: 0.5},
		{text: wording{tr: tr}.text("en", "pdf.receipt.check"), st: stBodyEN, after: 1},
		{text: strings.TrimSpace(r.VerifyURL), st: style{bold: true, size: 10, colour: ink}},
	}}}
	tall := max(qrSize+2+s.height(code), s.rowHeight(check))
	s.section(wording{tr: tr}.both("pdf.attestation.check_title"), tall)
	qrBeside(s, code, tall, right, func() { s.row(check...) })
	s.space(5)
}
