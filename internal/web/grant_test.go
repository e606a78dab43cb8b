package web_test

import (
	"html"
	"net/http"
	"net/url"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// TestGrantWaitsForTheChecks (issue 13, item 15): right after "Start the
// review" the case page offers no grant; it names each document still to
// accept and the identity to confirm, and a grant posted anyway is
// refused with the same list. Once the agent accepted the documents and
// confirmed the identity, the grant is offered and taken.
func TestGrantWaitsForTheChecks(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "unchecked@example.org")
		docs, err := s.uc.Rules.RequiredDocuments("student", permit.KindRenewal)
		if err != nil {
			t.Fatal(err)
		}
		var toAccept []string
		for _, doc := range docs {
			if doc.TakesFiles() && doc.Code == nil { // a slot given by its code has no file to accept
				toAccept = append(toAccept, html.EscapeString(doc.Name["fr"]+"\u00a0: pièce à accepter"))
			}
		}
		_, page := s.get(paths.Case.Format(d.id))
		mustContain(t, page, "Reste à vérifier", "l&#39;identité, à vérifier sur le passeport", `href="#identite"`)
		mustContain(t, page, toAccept...)
		mustNotContain(t, page, "Accorder le titre")

		page = d.step(paths.CaseGrant, url.Values{"favourable_note": {"Vu."}}, http.StatusUnprocessableEntity)
		mustContain(t, page, "Le titre ne peut pas encore être accordé. À vérifier d&#39;abord\u00a0:", "l&#39;identité, à vérifier sur le passeport")
		mustContain(t, page, toAccept...)
		if st := d.state(); st != permit.StateUnderReview {
			t.Fatalf("state after a refused grant: %s", st)
		}
		if atts, _ := s.db.Attestations(t.Context(), d.id); len(atts) != 1 || atts[0].Kind != permit.AttestationFilingReceipt {
			t.Fatalf("attestations after a refused grant: %+v", atts)
		}

		// One document rejected, the identity confirmed, the others
		// accepted: the rejected one is still missing, and named so.
		versions, _ := s.db.Documents(t.Context(), d.id)
		d.stepAt(paths.CaseReview.FormatIDs(d.id, versions[0].ID), url.Values{"verdict": {"reject"}, "reason": {"illegible"}}, http.StatusSeeOther)
		d.step(paths.CaseIdentity, nil, http.StatusSeeOther)
		for _, v := range versions[1:] {
			d.stepAt(paths.CaseReview.FormatIDs(d.id, v.ID), url.Values{"verdict": {"accept"}}, http.StatusSeeOther)
		}
		name, _ := s.uc.Rules.Document(versions[0].Slot)
		rejected := html.EscapeString(name.Name["fr"] + "\u00a0: pièce refusée, une nouvelle version est attendue")
		page = d.step(paths.CaseGrant, nil, http.StatusUnprocessableEntity)
		mustContain(t, page, rejected)
		mustNotContain(t, page, "l&#39;identité, à vérifier sur le passeport", toAccept[1])

		d.stepAt(paths.CaseReview.FormatIDs(d.id, versions[0].ID), url.Values{"verdict": {"accept"}}, http.StatusSeeOther)
		_, page = s.get(paths.Case.Format(d.id))
		mustContain(t, page, "Accorder le titre")
		mustNotContain(t, page, "Reste à vérifier")
		d.step(paths.CaseGrant, nil, http.StatusSeeOther)
		if st := d.state(); st != permit.StateFavourable {
			t.Fatalf("state after the checks and the grant: %s", st)
		}
	})
}
