package attest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// RenderAttempt writes the attestation of an attempted filing as an A4
// PDF, in French with English beside it: the prefecture, the number, the
// moment of the attempt, the statement that the filing will be completed
// as of that moment (keys pdf.attempt.*), the holder and the application,
// and the signed code as a QR code and as text. It needs nothing but the
// proof (read from its verified code) and the catalogues, so it renders
// with the database down; the same proof gives the same bytes.
func RenderAttempt(w io.Writer, p *casework.AttemptProof, cat *rules.Catalogue, tr *i18n.Catalogue, verifyURL string) (err error) {
	if p == nil || p.Code == "" || p.Number == "" || p.At.IsZero() {
		return errors.New("attest: an attestation of attempt needs its number, moment and code")
	}
	if tr == nil {
		return errors.New("attest: no translation catalogue")
	}
	s, err := proofSheet(p.Code)
	if err != nil {
		return fmt.Errorf("attest: attempt %s: %w", p.Number, err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("attest: rendering attempt %s: %v", p.Number, r)
		}
	}()
	t := wording{tr: tr}
	d := &Document{Kind: permit.AttestationAttempt, Number: p.Number, Version: 1, IssuedAt: p.At.In(permit.Paris),
		Prefecture: p.PrefectureName, Code: p.Code, VerifyURL: verifyURL,
		Surname: p.Surname, GivenNames: p.GivenNames, BirthDate: p.BirthDate, ForeignerNumber: p.ForeignerNumber,
		ApplicationKind: p.Kind, Ground: groundName(cat, p.Ground)}
	describeDocument(s, d, t)
	s.pdf.AddPage()
	attemptTitle(s, d, t)
	attemptStatement(s, d, t)
	documentHolder(s, d, t)
	proofCode(s, d, t)
	return s.output(w)
}

// proofSheet is a new sheet ready for a document whose signed code it
// prints beside its QR code (proofCode): monospace font, QR image.
func proofSheet(code string) (*sheet, error) {
	png, err := qrPNG(code)
	if err != nil {
		return nil, err
	}
	s := newSheet()
	s.useMono()
	s.pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	return s, nil
}

// proofCode prints, under its heading, the QR code with the code as text
// under it, and how to check it beside.
func proofCode(s *sheet, d *Document, t wording) {
	text, right := codeCell(s, d.Code, proofLeft), s.width-proofLeft-proofGap
	check := checkRow(s, d, right, t)
	height := max(qrSize+2+s.height(text), s.rowHeight(check))
	s.section(t.both("pdf.attestation.check_title"), height)
	qrBeside(s, text, height, right, func() { s.row(check...) })
}

// groundName is a ground's name in every language, or its id.
func groundName(cat *rules.Catalogue, id permit.GroundID) rules.Text {
	if cat != nil {
		if g, ok := cat.Ground(id); ok {
			return g.Name
		}
	}
	return rules.Text{"fr": string(id), "en": string(id)}
}

// attemptTitle prints the prefecture, the number, the title and the
// moment of the attempt.
func attemptTitle(s *sheet, d *Document, t wording) {
	documentHead(s, d, t, "Demande de titre de séjour · Residence permit application")
	w := (s.width - 8) / 2
	s.row(
		cell{w: w, paras: []para{{text: "Tentative du " + dateTimeInWords(d.IssuedAt, "fr"), st: stStrong}}},
		cell{x: w + 8, w: w, paras: []para{{text: "Attempt of " + dateTimeInWords(d.IssuedAt, "en"), st: style{bold: true, size: stStrong.size, colour: muted}}}},
	)
	s.space(4.5)
}

// attemptStatement is what the attestation proves and promises, framed.
func attemptStatement(s *sheet, d *Document, t wording) {
	w := (s.width - 2*4 - 8) / 2
	column := func(lang string, body style) []para {
		when := dateTimeInWords(d.IssuedAt, lang)
		return []para{
			{text: t.text(lang, "pdf.attempt.lead", when), st: style{bold: true, size: 9.5, colour: body.colour}, after: 1.5},
			{text: t.text(lang, "pdf.attempt.promise"), st: body, after: 1},
			{text: t.text(lang, "pdf.attempt.not_stay"), st: body},
		}
	}
	s.boxed(frame{border: noteInk, fill: noteFill, lineWidth: 0.6, pad: 4}, []cell{
		{w: w, paras: column("fr", stBody)},
		{x: w + 8, w: w, paras: column("en", stBodyEN)},
	})
	s.space(5)
}

// AttemptFileName is the PDF's file name: the number, not the holder.
func AttemptFileName(number string) string {
	return "tentative-" + strings.ToLower(number) + ".pdf"
}
