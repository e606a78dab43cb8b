package attest

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// RenderPaperForm writes the backup paper form (formulaire papier de
// secours): an A4 application for a residence permit to fill in by hand
// and take to a prefecture's counter or send by post when the portal
// cannot take a filing, in French with English beside each label, with
// the prefectures' backup channels on its last part. It needs neither the
// database nor a session, so the outage page can always offer it. The
// wording comes from tr (keys pdf.paper.*); the output depends only on its
// arguments (its date is printed), so it can be served with a long cache.
func RenderPaperForm(w io.Writer, tr *i18n.Catalogue, chans []rules.BackupChannel, printed time.Time) (err error) {
	if tr == nil {
		return errors.New("attest: no translation catalogue")
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("attest: rendering the paper form: %v", p)
		}
	}()
	t := wording{tr}
	s := newSheet()
	s.pdf.SetTitle(t.text("fr", "pdf.paper.title")+" / "+t.text("en", "pdf.paper.title"), true)
	s.pdf.SetCreator("sejour", true)
	s.pdf.SetLang("fr-FR")
	s.pdf.SetCreationDate(printed.UTC())
	s.pdf.SetModificationDate(printed.UTC())
	s.pdf.AddPage()
	s.mark(t.text("fr", "pdf.paper.title") + " / " + t.text("en", "pdf.paper.title"))
	s.row(cell{w: s.width, paras: []para{
		{text: t.text("fr", "pdf.paper.title"), st: stTitle, after: 1},
		{text: t.text("en", "pdf.paper.title"), st: stTitleEN, after: 3},
	}})
	paperNotice(s, t)
	blank := func(fr, en string, labels ...string) {
		cells := make([]cell, len(labels))
		for i, key := range labels {
			cells[i] = s.field(i, len(labels), t.text("fr", key)+" / "+t.text("en", key), para{text: " ", st: stValue, after: 8})
		}
		s.heading(fr, en, s.rowHeight(cells))
		s.row(cells...)
		s.rule(hairline, 0.3)
		s.space(4)
	}
	blank(t.text("fr", "pdf.paper.identity"), t.text("en", "pdf.paper.identity"), "pdf.paper.surname", "pdf.paper.given_names", "pdf.paper.birth")
	s.row(s.field(0, 3, t.text("fr", "pdf.paper.nationality")+" / "+t.text("en", "pdf.paper.nationality"), para{text: " ", st: stValue, after: 8}),
		s.field(1, 3, t.text("fr", "pdf.paper.foreigner_number")+" / "+t.text("en", "pdf.paper.foreigner_number"), para{text: " ", st: stValue, after: 8}),
		s.field(2, 3, t.text("fr", "pdf.paper.birth_place")+" / "+t.text("en", "pdf.paper.birth_place"), para{text: " ", st: stValue, after: 8}))
	s.rule(hairline, 0.3)
	s.space(4)
	blank(t.text("fr", "pdf.paper.contact"), t.text("en", "pdf.paper.contact"), "pdf.paper.address", "pdf.paper.email", "pdf.paper.phone")
	kinds := []para{}
	for _, k := range []permit.Kind{permit.KindFirstIssue, permit.KindRenewal, permit.KindChangeOfStatus} {
		kinds = append(kinds, para{text: "☐  " + kindNames[k]["fr"] + " / " + kindNames[k]["en"], st: stValue, after: 1.5})
	}
	s.heading(t.text("fr", "pdf.paper.request"), t.text("en", "pdf.paper.request"), 30)
	s.row(cell{w: s.width / 2, paras: kinds},
		s.field(1, 2, t.text("fr", "pdf.paper.ground")+" / "+t.text("en", "pdf.paper.ground"), para{text: " ", st: stValue, after: 8}))
	s.space(4)
	blank(t.text("fr", "pdf.paper.signature"), t.text("en", "pdf.paper.signature"), "pdf.paper.place_date", "pdf.paper.sign")
	paperChannels(s, t, chans)
	return s.output(w)
}

// paperNotice says what the form is for and what it proves.
func paperNotice(s *sheet, t wording) {
	w := (s.width - 2*4 - 8) / 2
	s.boxed(frame{border: noteInk, fill: noteFill, lineWidth: 0.4, pad: 4}, []cell{
		{w: w, paras: []para{{text: t.text("fr", "pdf.paper.notice"), st: stBody}}},
		{x: w + 8, w: w, paras: []para{{text: t.text("en", "pdf.paper.notice"), st: stBodyEN}}},
	})
	s.space(5)
}

// paperChannels lists where the form goes: each prefecture's counter,
// postal address, phone and hours.
func paperChannels(s *sheet, t wording, chans []rules.BackupChannel) {
	s.heading(t.text("fr", "pdf.paper.where"), t.text("en", "pdf.paper.where"), 25)
	for _, c := range chans {
		s.row(
			s.field(0, 3, c.Name, para{text: c.Counter, st: stValue}, para{text: c.Hours["fr"], st: stValueEN}, para{text: c.Hours["en"], st: stValueEN}),
			s.field(1, 3, t.text("fr", "pdf.paper.post")+" / "+t.text("en", "pdf.paper.post"), para{text: c.Post, st: stValue}),
			s.field(2, 3, t.text("fr", "pdf.paper.phone")+" / "+t.text("en", "pdf.paper.phone"), para{text: c.Phone, st: stStrong}),
		)
		s.space(3)
	}
}
