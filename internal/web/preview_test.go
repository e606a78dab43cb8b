package web_test

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/upload"
	"github.com/sejour/sejour/internal/web"
)

// payslipPDF is a plain two-page PDF, as a scanner or a payroll program
// makes.
func payslipPDF(t *testing.T) []byte {
	t.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	doc.SetFont("Helvetica", "", 12)
	for range 2 {
		doc.AddPage()
		doc.Cell(40, 10, "Bulletin de salaire")
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestStaffPreviewAPDFAsAPicture: an applicant's PDF reaches the staff's
// browser only as a JPEG picture of its pages, sandboxed like every
// uploaded file, never as a PDF a viewer would open in the portal's origin
// (issue 13 §11); the download still gives the PDF itself, as an
// attachment; the case page says what the preview shows.
func TestStaffPreviewAPDFAsAPicture(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "pdf-preview@example.org", permit.RoleApplicant)}
		s.profileWithCard("75011", "student", 365, 90)
		id := s.start(permit.KindRenewal, "student")
		c, err := s.uc.Applications.View(t.Context(), s.account(), id)
		if err != nil {
			t.Fatal(err)
		}
		slot := ""
		for _, it := range c.Checklist {
			if it.Doc.TakesFiles() {
				slot = it.Doc.ID
				break
			}
		}
		if res, page := s.upload(id, slot, "bulletin.pdf", payslipPDF(t)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d\n%s", res.StatusCode, page)
		}
		docs, err := s.db.Documents(t.Context(), id)
		if err != nil || len(docs) != 1 || docs[0].Kind != "pdf" {
			t.Fatalf("documents: %v %v", docs, err)
		}

		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent-pdf-preview@example.org", permit.RoleAgent, pref.ID)}
		res, pic := s.get(paths.CasePreview.FormatIDs(id, docs[0].ID))
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" || res.Header.Get("Content-Disposition") != "inline" {
			t.Fatalf("preview: %d %v", res.StatusCode, res.Header)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("preview's CSP %q: want default-src 'none' and sandbox", csp)
		}
		img, err := jpeg.Decode(strings.NewReader(pic))
		if err != nil {
			t.Fatalf("the preview is not a JPEG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != upload.PreviewWidth || b.Dy() < 2*b.Dx() {
			t.Errorf("preview of two A4 pages is %v", b)
		}
		res, pdf := s.get(paths.CaseDownload.FormatIDs(id, docs[0].ID))
		if !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || !strings.HasPrefix(pdf, "%PDF") {
			t.Errorf("download: %v", res.Header)
		}
		_, page := s.get(paths.Case.Format(id))
		mustContain(t, page, "en image (ses 10 premières pages)")
	})
}
