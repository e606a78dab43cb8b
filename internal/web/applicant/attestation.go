package applicant

import (
	"net/http"

	"github.com/sejour/sejour/internal/attest"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// attestationView is an attestation as an accessible page: what its PDF
// states, from the same values (attest.DocumentFromCase), in the page's
// language. The PDFs cannot be tagged (docs/attestation-format.md), so
// this page is how a screen reader or a magnifier reads an attestation.
type attestationView struct {
	*web.Page
	Doc    *attest.Document
	AppID  int64
	PDFURL string
}

// attestationText shows one of the applicant's attestations as a page; a
// filing receipt has its own page.
func (s *Pages) attestationText(w http.ResponseWriter, r *http.Request) error {
	c, v, err := s.attestationOf(r)
	if err != nil {
		return err
	}
	if v.Kind == permit.AttestationFilingReceipt {
		http.Redirect(w, r, paths.Receipt.Format(c.App.ID), http.StatusSeeOther)
		return nil
	}
	s.Render(w, r, http.StatusOK, "attestation", &attestationView{Page: s.Page(r, "attestation_page.title"),
		Doc: attest.DocumentFromCase(c, v, s.BaseURL+paths.Verify.String()), AppID: c.App.ID,
		PDFURL: paths.Attestation.FormatIDs(c.App.ID, v.ID)})
	return nil
}
