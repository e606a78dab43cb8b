package attest

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// RenderWorkCheck writes the signed record of a right-to-work check as an
// A4 PDF, in French with English beside it, in the attestations' style:
// the prefecture under whose authority the portal answered, the number,
// what was checked by whom and when (keys pdf.workcheck.*), the holder,
// the answer (the right to work in the catalogue's words, until when, on
// a pending renewal or not), and the signed code as a QR code and as
// text. It needs only the record as stored, so the same record always
// gives the same PDF.
func RenderWorkCheck(w io.Writer, rec *permit.WorkCheck, cat *rules.Catalogue, tr *i18n.Catalogue, verifyURL string) (err error) {
	if rec == nil || rec.Code == "" || rec.Number == "" || rec.CheckedAt.IsZero() {
		return errors.New("attest: a check record needs its number, moment and code")
	}
	d := &Document{Kind: permit.AttestationWorkCheck, Number: rec.Number, Version: 1, IssuedAt: rec.CheckedAt.In(permit.Paris),
		Prefecture: rec.PrefectureName, Code: rec.Code, VerifyURL: verifyURL,
		Surname: rec.Surname, GivenNames: rec.GivenNames, BirthDate: rec.BirthDate, Ground: groundName(cat, rec.Ground)}
	return renderProof(w, tr, d, "Droit au travail · Right to work", func(s *sheet, t wording) {
		checkStatement(s, d, rec, t)
		checkHolder(s, d, rec)
		checkAnswer(s, d, rec, t)
	})
}

// renderProof writes an employer's signed record (a check's, a
// declaration's) as one A4 page: its head under title, what body writes,
// then the signed code as a QR code and as text.
func renderProof(w io.Writer, tr *i18n.Catalogue, d *Document, title string, body func(*sheet, wording)) (err error) {
	if tr == nil {
		return errors.New("attest: no translation catalogue")
	}
	s, err := proofSheet(d.Code)
	if err != nil {
		return fmt.Errorf("attest: %s %s: %w", d.Kind, d.Number, err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("attest: rendering %s %s: %v", d.Kind, d.Number, r)
		}
	}()
	t := wording{tr: tr}
	describeDocument(s, d, t)
	s.pdf.AddPage()
	documentHead(s, d, t, title)
	body(s, t)
	proofCode(s, d, t)
	return s.output(w)
}

// checkStatement says who checked, when and how, framed.
func checkStatement(s *sheet, d *Document, rec *permit.WorkCheck, t wording) {
	w := (s.width - 2*4 - 8) / 2
	column := func(lang string, body style) []para {
		when := dateTimeInWords(d.IssuedAt, lang)
		return []para{
			{text: t.text(lang, "pdf.workcheck.lead", when, rec.Organisation, rec.SIRET), st: style{bold: true, size: 9.5, colour: body.colour}, after: 1.5},
			{text: t.text(lang, "pdf.workcheck.keep"), st: body},
		}
	}
	s.boxed(frame{border: noteInk, fill: noteFill, lineWidth: 0.6, pad: 4}, []cell{
		{w: w, paras: column("fr", stBody)},
		{x: w + 8, w: w, paras: column("en", stBodyEN)},
	})
	s.space(5)
}

// checkHolder prints the person checked, as the portal knows them.
func checkHolder(s *sheet, d *Document, rec *permit.WorkCheck) {
	born := rules.Text{"fr": d.BirthDate, "en": d.BirthDate}
	if b, ok := parseDay(d.BirthDate); ok {
		born = rules.Text{"fr": DateInWords(b, "fr"), "en": DateInWords(b, "en")}
	}
	s.rule(hairline, 0.3)
	s.space(2)
	s.row(
		s.field(0, 4, "Nom / Surname", para{text: d.Surname, st: stStrong}),
		s.field(1, 4, "Prénoms / Given names", para{text: d.GivenNames, st: stStrong}),
		s.field(2, 4, "Né(e) le / Born on", both(born)...),
		s.field(3, 4, "SIRET", para{text: rec.SIRET, st: stValue}),
	)
	s.space(4.5)
}

// checkAnswer prints the answer in a frame: the right to work, until
// when, and whether it rests on a pending renewal.
func checkAnswer(s *sheet, d *Document, rec *permit.WorkCheck, t wording) {
	const pad, gap = 4, 8
	w := (s.width - 2*pad - gap) / 2
	head := style{bold: true, size: 12, colour: rightsInk}
	lines := func(lang string, st style) []para {
		ps := []para{{text: t.text(lang, "pdf.workcheck.answer"), st: head, after: 1.5},
			{text: workWords(t, lang, rec), st: style{bold: true, size: 11, colour: st.colour}, after: 1}}
		if !rec.Until.IsZero() {
			ps = append(ps, para{text: t.text(lang, "pdf.workcheck.until", day(lang, rec.Until)), st: st, after: 1})
		}
		ps = append(ps, para{text: t.text(lang, "pdf.workcheck.basis."+string(rec.Basis)), st: st, after: 1})
		if rec.PendingRenewal {
			ps = append(ps, para{text: t.text(lang, "pdf.workcheck.pending"), st: st})
		}
		return ps
	}
	s.boxed(frame{border: rightsInk, fill: rightsFill, lineWidth: 0.8, pad: pad}, []cell{
		{w: w, paras: lines("fr", stBody)},
		{x: w + gap, w: w, paras: lines("en", stBodyEN)},
	})
	s.space(5)
}

// workWords says a record's right to work in the catalogue's words.
func workWords(t wording, lang string, rec *permit.WorkCheck) string {
	if rules.WorkKind(rec.Work) == rules.WorkLimitedHours {
		return t.text(lang, "rights.work.limited_hours", rec.WorkHours)
	}
	return t.text(lang, "rights.work."+rec.Work)
}

// WorkCheckFileName is the PDF's file name: the number, not the person.
func WorkCheckFileName(number string) string {
	return "verification-" + strings.ToLower(number) + ".pdf"
}
