package attest

import (
	"errors"
	"io"
	"strings"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// RenderDeclaration writes the signed record of a pre-hire declaration's
// outcome as an A4 PDF, in French with English beside it, in the style of
// the check record: the prefecture, the number, who declared which hire
// and when (keys pdf.declaration.*), the worker, the outcome and, when
// the prefecture refused, its reason; then the signed code as a QR code
// and as text. It needs only the declaration as stored.
func RenderDeclaration(w io.Writer, dec *permit.Declaration, cat *rules.Catalogue, tr *i18n.Catalogue, verifyURL string) (err error) {
	if dec == nil || dec.Code == "" || dec.Number == "" || dec.AnsweredAt == nil {
		return errors.New("attest: a declaration's record needs its number, outcome and code")
	}
	d := &Document{Kind: permit.AttestationDeclaration, Number: dec.Number, Version: 1, IssuedAt: dec.AnsweredAt.In(permit.Paris),
		Prefecture: dec.PrefectureName, Code: dec.Code, VerifyURL: verifyURL,
		Surname: dec.Surname, GivenNames: dec.GivenNames, BirthDate: dec.BirthDate, Ground: groundName(cat, dec.Ground)}
	return renderProof(w, tr, d, "Déclaration préalable à l'embauche · Pre-hire declaration", func(s *sheet, t wording) {
		declarationStatement(s, dec, t)
		checkHolder(s, d, &permit.WorkCheck{SIRET: dec.SIRET})
		declarationOutcome(s, dec, t)
	})
}

// declarationStatement says who declared which hire, when.
func declarationStatement(s *sheet, dec *permit.Declaration, t wording) {
	w := (s.width - 2*4 - 8) / 2
	column := func(lang string, body style) []para {
		return []para{
			{text: t.text(lang, "pdf.declaration.lead", dateTimeInWords(dec.DeclaredAt.In(permit.Paris), lang), dec.Organisation, dec.SIRET,
				day(lang, dec.StartDate), dec.Job, dec.WeeklyHours, t.text(lang, "declaration.contract."+string(dec.Contract))),
				st: style{bold: true, size: 9.5, colour: body.colour}, after: 1.5},
			{text: t.text(lang, "pdf.declaration.keep"), st: body},
		}
	}
	s.boxed(frame{border: noteInk, fill: noteFill, lineWidth: 0.6, pad: 4}, []cell{
		{w: w, paras: column("fr", stBody)},
		{x: w + 8, w: w, paras: column("en", stBodyEN)},
	})
	s.space(5)
}

// declarationOutcome prints the outcome in a frame, with the refusal's
// reason as the prefecture wrote it.
func declarationOutcome(s *sheet, dec *permit.Declaration, t wording) {
	const pad, gap = 4, 8
	w := (s.width - 2*pad - gap) / 2
	head := style{bold: true, size: 12, colour: rightsInk}
	lines := func(lang string, st style) []para {
		ps := []para{{text: t.text(lang, "pdf.declaration.outcome"), st: head, after: 1.5},
			{text: t.text(lang, "declaration.status."+string(dec.Status)), st: style{bold: true, size: 11, colour: st.colour}, after: 1},
			{text: t.text(lang, "pdf.declaration.at", dateTimeInWords(dec.AnsweredAt.In(permit.Paris), lang)), st: st, after: 1}}
		if dec.RefusalReason != "" {
			ps = append(ps, para{text: t.text(lang, "pdf.declaration.reason", dec.RefusalReason), st: st})
		}
		return ps
	}
	s.boxed(frame{border: rightsInk, fill: rightsFill, lineWidth: 0.8, pad: pad}, []cell{
		{w: w, paras: lines("fr", stBody)},
		{x: w + gap, w: w, paras: lines("en", stBodyEN)},
	})
	s.space(5)
}

// DeclarationFileName is the PDF's file name: the number, not the person.
func DeclarationFileName(number string) string {
	return "declaration-" + strings.ToLower(number) + ".pdf"
}
