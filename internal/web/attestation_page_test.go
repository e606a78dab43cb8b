package web_test

import (
	"html"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// TestAttestationPageStatesWhatThePDFStates (issue 13 item 20): the PDFs
// cannot be tagged, so each attestation has a page, linked beside its
// PDF, that states the same facts: holder, birth date, number, validity,
// each right, and what to show with it. The facts are read from the
// PDF's own text (poppler's pdftotext).
func TestAttestationPageStatesWhatThePDFStates(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "awa@example.org")
		d.grant(nil)
		adf := s.sealed(d.id, permit.AttestationFavourable)
		d.cookie = d.applicant
		_, casePage := d.get(paths.Application.Format(d.id))
		text := paths.AttestationText.FormatIDs(d.id, adf.ID)
		mustContain(t, casePage, `href="`+text+`"`)
		res, page := d.get(text)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("attestation page: %d\n%s", res.StatusCode, page)
		}
		_, pdf := d.get(paths.Attestation.FormatIDs(d.id, adf.ID))
		inPDF := plain(pdfText(t, []byte(pdf)))
		onPage := plain(html.UnescapeString(regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(page, " ")))

		tr := i18n.MustLoad()
		p, err := s.db.PersonByAccount(t.Context(), accountID(t, s, "awa@example.org"))
		if err != nil {
			t.Fatal(err)
		}
		facts := []string{p.Surname, p.GivenNames, tr.Day("fr", p.BirthDate), p.Nationality, adf.Number,
			tr.T("fr", "attestations.validity", tr.Date("fr", adf.ValidFrom), tr.Date("fr", adf.ValidUntil)),
			tr.T("fr", "attestation_kind."+string(adf.Kind)), tr.T("fr", "pdf.attestation.note.favourable_decision"),
			tr.T("fr", "pdf.attestation.basis")}
		// Each right the page lists, word for word.
		rights := regexp.MustCompile(`(?s)<section[^>]*aria-labelledby="droits".*?</section>`).FindString(page)
		items := regexp.MustCompile(`<li>(.*?)</li>`).FindAllStringSubmatch(rights, -1)
		if len(items) < 3 {
			t.Fatalf("the page lists %d rights:\n%s", len(items), rights)
		}
		for _, it := range items {
			facts = append(facts, html.UnescapeString(it[1]))
		}
		for _, f := range facts {
			f = plain(f)
			if !strings.Contains(inPDF, f) {
				t.Errorf("the PDF does not state %q:\n%s", f, inPDF)
			}
			if !strings.Contains(onPage, f) {
				t.Errorf("the page does not state %q:\n%s", f, onPage)
			}
		}
		// Only the holder reaches it.
		d.cookie = d.agent
		if res, _ := d.get(text); res.StatusCode == http.StatusOK {
			t.Errorf("an agent opens the applicant's attestation page: %d", res.StatusCode)
		}
	})
}

// plain is text as compared: one kind of space and of apostrophe, and
// no line breaks, which the PDF puts where its columns end.
func plain(s string) string {
	s = strings.NewReplacer("\u00a0", " ", "’", "'", "\u202f", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// pdfText is the text of a PDF, in the order it is drawn; without poppler
// the test skips, unless CI or SEJOUR_REQUIRE_PDFTOOLS requires it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("SEJOUR_REQUIRE_PDFTOOLS") == "1" {
			t.Fatal("pdftotext (poppler-utils) is required here but not installed")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	path := filepath.Join(t.TempDir(), "attestation.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", "-raw", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
