package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/upload"
)

// scannedPDF is a two-page PDF such as a scanner makes.
func scannedPDF(t *testing.T) []byte {
	t.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	doc.SetFont("Helvetica", "", 14)
	for page := range 2 {
		doc.AddPage()
		doc.Cell(80, 10, fmt.Sprintf("Justificatif, page %d", page+1))
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// previewedImage is what the browser shows at the preview's address.
type previewedImage struct {
	ContentType string `json:"type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
}

// TestStaffPreviewOfAPDF: on a phone without JavaScript an agent follows
// a PDF document's preview link from the case page and the browser shows
// a picture of its pages (an image document, drawn on the server), not a
// PDF viewer (issue 13 §11).
func TestStaffPreviewOfAPDF(t *testing.T) {
	m, base := startApp(t)
	paris := apptest.Paris(t, m.DB)
	acc, id := apptest.Renewal(t, m.DB, m.UseCases, m.Rules, 7, time.Now().UTC(), time.Now().UTC().AddDate(0, 3, 0), scannedPDF(t))
	if _, err := m.UseCases.Applications.File(t.Context(), acc, id); err != nil {
		t.Fatal(err)
	}
	email := "agent-apercu@prefecture.exemple.fr"
	secret := enrolledAgent(t, m, paris, email)
	b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
	staffLogIn(t, b, email, secret)
	wantStatus(t, "case", b.open(fmt.Sprintf("/agent/demandes/%d", id)), http.StatusOK)
	b.check("case", expected{lang: "fr", heading: fmt.Sprintf("Demande n° %d", id), texts: []string{"en image (ses 10 premières pages)"}})
	wantStatus(t, "preview", b.follow(`(//main//a[contains(normalize-space(.), "en image (ses 10 premières pages)")])[1]`), http.StatusOK)
	img := evaluate[previewedImage](b, "preview", `(() => { const i = document.images[0]; return {type: document.contentType, width: i ? i.naturalWidth : 0, height: i ? i.naturalHeight : 0}; })()`)
	if img.ContentType != "image/jpeg" || img.Width != upload.PreviewWidth || img.Height < 2*img.Width {
		t.Errorf("the preview shows %+v, want a JPEG of two A4 pages %d px wide", img, upload.PreviewWidth)
	}
	b.screenshot("preview")
}
