package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// TestAttestationsOnTime files a renewal in its window, lets the days
// pass with no decision, and checks that the extension attestation
// appears by itself 15 days before the permit ends, with its rights in
// words, that the holder is told by mail, and that sweeping again issues
// nothing more.
func TestAttestationsOnTime(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		id := s.applicantWithFiling("ontime@example.org") // student permit ending in 90 days
		applicant := s.cookie
		_, page := s.get(paths.Application.Format(id))
		mustContain(t, page, "Mes attestations", "Attestation de dépôt", "n° DEP-2026-")
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@pref.example", permit.RoleAgent, pref.ID)}
		if res, _ := s.post(paths.CaseStartReview.Format(id), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("start review: %d", res.StatusCode)
		}
		s.cookie = applicant

		s.clk.Advance(75 * 24 * time.Hour) // 9 February 2027: 16 days before the day after expiry
		if n, err := s.uc.Attestations.SweepAttestations(t.Context()); err != nil || n != 0 {
			t.Fatalf("sweep 16 days ahead: %d, %v", n, err)
		}
		s.clk.Advance(24 * time.Hour)
		if n, err := s.uc.Attestations.SweepAttestations(t.Context()); err != nil || n != 1 {
			t.Fatalf("sweep 15 days ahead: %d, %v", n, err)
		}
		if n, _ := s.uc.Attestations.SweepAttestations(t.Context()); n != 0 {
			t.Fatalf("a second sweep issued %d more", n)
		}
		// The sweep leaves the PDF to the issuing job it owes (no job
		// queue here: run it by hand), which keeps it and issues nothing.
		if n, err := s.uc.Attestations.IssueDue(t.Context(), id); err != nil || n != 0 {
			t.Fatalf("the issuing job after the sweep: %d, %v", n, err)
		}
		_, secret, err := s.uc.Accounts.LogIn(t.Context(), loginForm("ontime@example.org"), "") // months have passed
		if err != nil {
			t.Fatal(err)
		}
		s.cookie = map[string]string{web.SessionCookie: secret}
		_, page = s.get(paths.Application.Format(id))
		mustContain(t, page, "Attestation de prolongation d&#39;instruction", "n° API-2027-", "Valable bientôt",
			"Valable du 25 février 2027 au 24 mai 2027 inclus.", "Séjour régulier en France jusqu&#39;au 24 mai 2027 inclus.",
			"964 heures par an", "avec votre titre de séjour, même expiré")
		atts, _ := s.db.Attestations(t.Context(), id)
		api := atts[len(atts)-1]
		if api.Kind != permit.AttestationExtension || !strings.HasPrefix(api.Code, "SJ1:") {
			t.Fatalf("extension attestation: %+v", api)
		}
		res, pdf := s.get(paths.Attestation.FormatIDs(id, api.ID))
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("attestation PDF: %d %v", res.StatusCode, res.Header)
		}
		keptPDF(t, s, id, api, pdf)
		var told bool
		mails, _ := s.db.Mails().RecentMails(t.Context(), 20)
		for _, m := range mails {
			told = told || (m.To == "ontime@example.org" && strings.Contains(m.Subject, "prolongation"))
		}
		if !told {
			t.Fatal("the holder was not told of the extension attestation")
		}
	})
}
