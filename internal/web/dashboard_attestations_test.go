package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// TestDashboardShowsCurrentAttestations: the applicant's dashboard lists
// their current attestations, each with its kind, number, validity and
// application, and links to its PDF and to its page; a revoked one
// leaves the list.
func TestDashboardShowsCurrentAttestations(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "held@example.org")
		s.cookie = d.applicant
		_, page := s.get(paths.Dashboard.String())
		receipt := s.sealed(d.id, permit.AttestationFilingReceipt)
		mustContain(t, page, "Mes attestations en cours", "Attestation de dépôt", "n° "+receipt.Number,
			"Demande\u00a0: Renouvellement — Étudiant",
			`href="`+paths.ReceiptPDF.Format(d.id)+`"`, "Télécharger le PDF de l&#39;attestation n° "+receipt.Number,
			`href="`+paths.Receipt.Format(d.id)+`"`, "Voir l&#39;attestation n° "+receipt.Number+" et ce qu&#39;elle permet")

		s.cookie = d.agent
		d.grant(url.Values{"favourable_note": {"Dossier complet."}})
		adf := s.sealed(d.id, permit.AttestationFavourable)
		s.cookie = d.applicant
		_, page = s.get(paths.Dashboard.String())
		mustContain(t, page, "Attestation de décision favorable", "n° "+adf.Number,
			`href="`+paths.Attestation.FormatIDs(d.id, adf.ID)+`"`, `href="`+paths.AttestationText.FormatIDs(d.id, adf.ID)+`"`)
		if res, _ := s.get(paths.Attestation.FormatIDs(d.id, adf.ID)); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("the dashboard's PDF link: %d %v", res.StatusCode, res.Header)
		}

		if err := s.db.Issuance().Revoke(t.Context(), adf.ID, "test"); err != nil {
			t.Fatal(err)
		}
		_, page = s.get(paths.Dashboard.String())
		mustContain(t, page, "n° "+receipt.Number)
		mustNotContain(t, page, "n° "+adf.Number, "attestations/"+strconv.FormatInt(adf.ID, 10))
	})
}
