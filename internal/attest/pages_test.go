package attest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// The receipt tells the holder to report a wrong detail with the very
// words of the site's link, in both languages: the catalogue's, not a
// name typed into the PDF's code that drifted away from the site.
func TestReceiptNamesTheSitesReportLink(t *testing.T) {
	tr := i18n.MustLoad()
	text := strings.Join(strings.Fields(pdftotext(t, render(t, sampleReceipt()), "-raw")), " ")
	for _, lang := range []string{"fr", "en"} {
		link := tr.T(lang, "support.nav.report")
		if !strings.Contains(text, link) {
			t.Errorf("the receipt does not name the site's link %q:\n%s", link, text)
		}
	}
	for _, old := range []string{"Signaler une erreur", "Report an error"} {
		if strings.Contains(text, old) {
			t.Errorf("the receipt names a link the site does not have: %q", old)
		}
	}
}

// The address of the verification page stays inside each language's
// column beside the QR code, instead of running across the gutter
// between French and English; a long address shrinks, then breaks after
// its slashes.
func TestVerifyAddressStaysInItsColumn(t *testing.T) {
	const mm = 72 / 25.4
	right := float64(210 - 2*16 - proofLeft - proofGap)
	cw := (right - 6) / 2
	left := float64(16 + proofLeft + proofGap)
	columns := [2][2]float64{{left, left + cw}, {left + cw + 6, 210 - 16}}
	for _, url := range []string{"https://sejour.example.fr/verifier", "https://titres-de-sejour.prefecture-exemple.interieur.gouv.fr/verifier"} {
		d := sampleAttestation()
		d.VerifyURL = url
		var in [2]string // the address's parts found in each column
		for _, w := range wordBox.FindAllStringSubmatch(pdftotext(t, renderDocument(t, d), "-bbox"), -1) {
			if len(w[5]) < 6 || !strings.Contains(url, w[5]) || !strings.ContainsAny(w[5], "/.-") && !strings.HasSuffix(url, w[5]) { // parts of the address only
				continue
			}
			x0, _ := strconv.ParseFloat(w[1], 64)
			x1, _ := strconv.ParseFloat(w[3], 64)
			placed := false
			for i, c := range columns {
				if x0 >= c[0]*mm-0.5 && x1 <= c[1]*mm+0.5 {
					in[i] += w[5]
					placed = true
				}
			}
			if !placed {
				t.Errorf("%s: %q runs from %.1f to %.1f mm, across the columns %v", url, w[5], x0/mm, x1/mm, columns)
			}
		}
		for i, got := range in {
			if got != url {
				t.Errorf("%s: column %d holds %q, want the whole address", url, i, got)
			}
		}
	}
}

// Every PDF (receipt, attestation, attempt, paper form) states its
// language and a title that readers show in place of the file name,
// outlines its sections for those who move through it by headings, and
// stays a valid PDF after its catalogue is completed. fpdf cannot tag a
// PDF: docs/attestation-format.md says what replaces the tags.
func TestPDFsCarryLanguageTitleAndOutline(t *testing.T) {
	tr := i18n.MustLoad()
	chans, err := rules.BackupChannels()
	if err != nil {
		t.Fatal(err)
	}
	var paper, attempt bytes.Buffer
	if err := RenderPaperForm(&paper, tr, chans, time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	proof := &casework.AttemptProof{Number: "TEN-2027-000001", At: time.Date(2027, 3, 15, 9, 30, 0, 0, permit.Paris), Code: "HC1:TEST",
		GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-12-08", Ground: "student", Kind: permit.KindRenewal, PrefectureName: "Préfecture de police"}
	if err := RenderAttempt(&attempt, proof, rules.MustLoad(), tr, "https://sejour.example.fr/verifier"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		pdf     []byte
		title   string
		outline []string
	}{
		{"receipt", render(t, sampleReceipt()), "Attestation de dépôt / Filing receipt DEP-2026-000123",
			[]string{"Attestation de dépôt / Filing receipt", "Titulaire / Holder", "Demande / Application", "Pièces déposées / Documents filed"}},
		{"attestation", renderDocument(t, sampleAttestation()), "Attestation de prolongation d’instruction / Extension attestation API-2027-004512",
			[]string{"Titulaire / Holder", "Ce que prouve cette attestation / What this attestation proves", "Vérifiez cette attestation / Check this attestation"}},
		{"attempt", attempt.Bytes(), "TEN-2027-000001", []string{"Titulaire / Holder", "Vérifiez cette attestation / Check this attestation"}},
		{"paper form", paper.Bytes(), tr.T("fr", "pdf.paper.title"), []string{tr.T("fr", "pdf.paper.identity") + " / " + tr.T("en", "pdf.paper.identity")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, want := range []string{"/Lang (fr-FR)", "/ViewerPreferences << /DisplayDocTitle true >>", "/PageMode /UseOutlines"} {
				if !bytes.Contains(tt.pdf, []byte(want)) {
					t.Errorf("the catalogue lacks %s", want)
				}
			}
			conf := model.NewDefaultConfiguration()
			conf.ValidationMode = model.ValidationStrict
			ctx, err := pdfcpu.ReadWithContext(t.Context(), bytes.NewReader(tt.pdf), conf)
			if err != nil {
				t.Fatalf("pdfcpu cannot read it: %v", err)
			}
			if err := validate.XRefTable(ctx); err != nil {
				t.Errorf("not a valid PDF: %v", err)
			}
			info := pdfinfo(t, tt.pdf)
			if title := info["Title"]; !strings.Contains(title, tt.title) {
				t.Errorf("title %q, want it to contain %q", title, tt.title)
			}
			marks, err := pdfcpu.Bookmarks(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range marks {
				got = append(got, strings.ReplaceAll(m.Title, "\u00a0", " "))
			}
			for _, want := range tt.outline {
				if !slices.Contains(got, want) {
					t.Errorf("the outline %q lacks %q", got, want)
				}
			}
		})
	}
}

// pdfinfo returns what poppler's pdfinfo reads of pdf's metadata, and
// fails the test if poppler reports an error in the file.
func pdfinfo(t *testing.T, pdf []byte) map[string]string {
	t.Helper()
	bin := poppler(t, "pdfinfo")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "-enc", "UTF-8", path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdfinfo: %v %s", err, stderr.String())
	}
	info := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	return info
}
