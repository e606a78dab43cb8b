package web_test

import (
	"net/http"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/qr"
	"github.com/sejour/sejour/internal/web"
)

// TestReceiptPageShowsOneNumberAndItsQR: the receipt's page quotes one
// number, the issued receipt's (its filing's), and shows its signed code
// as a QR code that reads back; another applicant gets neither (issue 11
// §10).
func TestReceiptPageShowsOneNumberAndItsQR(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		id := s.applicantWithFiling("qr@example.org")
		owner := s.cookie
		rc := s.sealed(id, permit.AttestationFilingReceipt)
		_, page := s.get(paths.Receipt.Format(id))
		mustContain(t, page, rc.Number, `src="/demandes/`, `/recepisse/qr.png"`, "Vérifier cette attestation")
		res, png := s.get(paths.ReceiptQR.Format(id))
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("QR image: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		// The image is the receipt's own code drawn as a QR code (the
		// drawing is deterministic; reading one back is qr's own tests').
		if want, err := qr.Encode(rc.Code, 480); err != nil || png != string(want) {
			t.Fatalf("the QR image is not the receipt's code (%v)", err)
		}
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "other@example.org", permit.RoleApplicant)}
		if res, _ := s.get(paths.ReceiptQR.Format(id)); res.StatusCode != http.StatusNotFound {
			t.Errorf("another applicant reads the QR: %d, want 404", res.StatusCode)
		}
		s.cookie = owner
	})
}
