package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// TestVerifierReadsTheIssuedPDF: the verifier takes the PDF the portal
// issued, as downloaded, and answers as for its code; a PDF that carries
// no sejour code (here the backup paper form) and a broken PDF each get a
// translated error beside the upload field.
func TestVerifierReadsTheIssuedPDF(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "pdf@example.org")
		d.grant(url.Values{"favourable_note": {"Dossier complet."}})
		favourable := s.sealed(d.id, permit.AttestationFavourable)
		s.cookie = d.applicant
		_, receipt := s.get(paths.ReceiptPDF.Format(d.id))
		res, decision := s.get(paths.Attestation.FormatIDs(d.id, favourable.ID))
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("the attestation's PDF: %d %v", res.StatusCode, res.Header)
		}

		s.cookie = map[string]string{} // anyone may verify
		_, page := s.get(paths.Verify.String())
		mustContain(t, page, `accept="application/pdf,image/jpeg,image/png"`, "Ou le PDF de l&#39;attestation, ou une photo ou un scan")
		res, page = s.postMultipart(paths.Verify.String(), nil, "photo", "attestation-depot.pdf", []byte(receipt))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("the receipt's PDF: %d\n%s", res.StatusCode, page)
		}
		mustContain(t, page, "Attestation de dépôt authentique\u00a0: elle ne prouve pas le séjour régulier", "Zoë N&#39;Diaye")
		_, page = s.postMultipart(paths.Verify.String(), nil, "photo", "attestation.pdf", []byte(decision))
		mustContain(t, page, "Attestation authentique et valable aujourd&#39;hui", favourable.Number, "Zoë N&#39;Diaye")

		for _, tc := range []struct {
			name string
			pdf  []byte
			want string
		}{
			{"paper form", paperForm(t), "Ce PDF ne contient pas de code sejour\u00a0:"},
			{"broken", []byte("%PDF-1.4 not a PDF"), "Ce PDF est endommagé et ne peut pas être lu."},
		} {
			res, page := s.postMultipart(paths.Verify.String(), nil, "photo", "autre.pdf", tc.pdf)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422", tc.name, res.StatusCode)
			}
			mustContain(t, page, tc.want, `aria-describedby="photo-error"`)
			mustNotContain(t, page, "Zoë")
		}
	})
}
