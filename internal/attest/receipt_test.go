package attest

import (
	"bytes"
	"flag"
	"github.com/sejour/sejour/internal/i18n"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleReceipt is a renewal filed in Bordeaux on 26 July 2026. Its names
// carry an apostrophe, accents, œ and €, which must survive the font.
func sampleReceipt() *Receipt {
	cest := time.FixedZone("CEST", 2*3600)
	cet := time.FixedZone("CET", 3600)
	filed := time.Date(2026, 7, 26, 10, 42, 0, 0, cest)
	doc := func(fr, en, file, sum string) FiledDocument {
		return FiledDocument{Name: rules.Text{"fr": fr, "en": en}, FileName: file, SHA256: sum}
	}
	return &Receipt{
		Number:          "DEP-2026-000123",
		IssuedAt:        filed,
		GivenNames:      "Aïssatou Chloé",
		Surname:         "N’DIAYE",
		BirthDate:       "1998-03-01",
		BirthPlace:      "Saint-Louis (Sénégal)",
		Nationality:     "Sénégalaise (SEN)",
		ForeignerNumber: "7501234567",
		Prefecture:      "Préfecture de la Gironde",
		Kind:            permit.KindRenewal,
		Ground:          rules.Text{"fr": "Étudiant", "en": "Student"},
		SubmittedAt:     filed,
		Documents: []FiledDocument{
			doc("Passeport", "Passport", "passeport.pdf", "3f2a9c01be77d1c4a0e8b2f6c3d9e1a7b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0"),
			doc("Photo d'identité (code e-photo)", "ID photo (e-photo code)", "ephoto-code.jpg", "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"),
			doc("Justificatif de domicile", "Proof of address", "attestation-hébergement-sœur.pdf", "0badc0ffee0ddf00d1234567890abcdef1234567890abcdef1234567890abcd"),
			doc("Justificatif de ressources", "Proof of resources", "relevés-bancaires-615€-par-mois.pdf", "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"),
			doc("Titre de séjour actuel", "Current residence permit", "titre-recto-verso.pdf", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
		},
		FeeStamp:              "1234 5678 9012 3456",
		ImplicitRejectionDate: time.Date(2026, 11, 26, 0, 0, 0, 0, cet),
		ReceiptURL:            "https://sejour.example.fr/attestations/DEP-2026-000123",
	}
}

func render(t *testing.T, r *Receipt) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderReceipt(&buf, r, i18n.MustLoad()); err != nil {
		t.Fatalf("RenderReceipt: %v", err)
	}
	return buf.Bytes()
}

var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

func pages(pdf []byte) int { return len(pageObject.FindAll(pdf, -1)) }

// The sample fills two pages: the first holds what the holder and anyone
// they show it to must read (warning, identity, application, deadline);
// the list of documents and how to correct errors follow.
func TestRenderReceiptIsTwoPagePDFWithEmbeddedFont(t *testing.T) {
	pdf := render(t, sampleReceipt())
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("output starts with %q, want %%PDF-", pdf[:min(len(pdf), 8)])
	}
	if n := pages(pdf); n != 2 {
		t.Errorf("pages = %d, want 2", n)
	}
	if !bytes.Contains(pdf, []byte("/FontFile2")) {
		t.Error("the TrueType font is not embedded")
	}
	if !bytes.Contains(pdf, []byte("/CreationDate (D:20260726084200)")) {
		t.Error("the creation date is not the issue date")
	}
}

// The same receipt must give the same bytes, so that a receipt issued
// again is the original. fpdf keeps fonts in maps, whose order changes
// from one iteration to the next: several renders catch a leak of it.
func TestRenderReceiptIsDeterministic(t *testing.T) {
	want := render(t, sampleReceipt())
	for i := 0; i < 5; i++ {
		if got := render(t, sampleReceipt()); !bytes.Equal(got, want) {
			t.Fatalf("render %d differs from the first one", i+2)
		}
	}
}

// pdftotext returns the text of pdf, or skips the test when poppler's
// pdftotext is not installed, unless CI or SEJOUR_REQUIRE_PDFTOOLS says
// the tools must be there. -raw keeps the order in which the page was
// drawn (each French block, then its English twin), which does not depend
// on poppler's guesses about columns.
func pdftotext(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	bin := poppler(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "receipt.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, append(append([]string{"-enc", "UTF-8"}, args...), path, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestRenderReceiptGolden compares the text of the sample receipt with
// testdata/receipt.golden.txt. After a deliberate change of wording or
// layout, run `go test ./internal/attest -run Golden -update` and review
// the diff of the golden file like any other change.
func TestRenderReceiptGolden(t *testing.T) {
	got := pdftotext(t, render(t, sampleReceipt()), "-raw")
	// No-break spaces are typography, not content: keep the golden file
	// free of invisible characters.
	got = strings.ReplaceAll(got, "\u00a0", " ")
	golden := filepath.Join("testdata", "receipt.golden.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("text differs from %s (run with -update if the change is intended):\n%s", golden, lineDiff(string(want), got))
	}
}

// poppler returns the path of one of poppler's tools, or skips the test
// when it is not installed, unless CI or SEJOUR_REQUIRE_PDFTOOLS says the
// tools must be there.
func poppler(t *testing.T, tool string) string {
	t.Helper()
	bin, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("SEJOUR_REQUIRE_PDFTOOLS") == "1" {
			t.Fatal(tool + " (poppler-utils) is required here but not installed")
		}
		t.Skip(tool + " (poppler-utils) is not installed")
	}
	return bin
}

// lineDiff lists the lines that differ, for a readable failure.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want " + strconv.Quote(wl) + "\n  got  " + strconv.Quote(gl) + "\n")
		}
	}
	return b.String()
}

func TestRenderReceiptRejectsIncompleteReceipt(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Receipt)
		want   string
	}{
		{"no number", func(r *Receipt) { r.Number = " " }, "number is empty"},
		{"no issue time", func(r *Receipt) { r.IssuedAt = time.Time{} }, "issue time is zero"},
		{"no name", func(r *Receipt) { r.Surname, r.GivenNames = "", "" }, "holder has no name"},
		{"no prefecture", func(r *Receipt) { r.Prefecture = "" }, "prefecture is empty"},
		{"unknown kind", func(r *Receipt) { r.Kind = "duplicate" }, "kind duplicate is unknown"},
		{"ground in French only", func(r *Receipt) { r.Ground["en"] = "" }, "ground name is missing"},
		{"deadline before filing", func(r *Receipt) { r.ImplicitRejectionDate = r.SubmittedAt.AddDate(0, -1, 0) }, "implicit rejection date"},
		{"short stamp", func(r *Receipt) { r.FeeStamp = "1234" }, "fee stamp is not 16 digits"},
		{"document without digest", func(r *Receipt) { r.Documents[2].SHA256 = "xyz" }, "document 3 has no SHA-256 digest"},
		{"document without file", func(r *Receipt) { r.Documents[0].FileName = "" }, "document 1 has no file name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleReceipt()
			tt.change(r)
			var buf bytes.Buffer
			err := RenderReceipt(&buf, r, i18n.MustLoad())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Error("an invalid receipt was partly written")
			}
		})
	}
}

// A holder without a foreigner number or fee stamp, with a partial birth
// date and no documents, still gets a complete receipt that says so.
func TestRenderReceiptOptionalFields(t *testing.T) {
	r := sampleReceipt()
	r.ForeignerNumber, r.FeeStamp, r.ReceiptURL = "", "", ""
	r.BirthDate = "1998-00-00"
	r.Documents = nil
	text := pdftotext(t, render(t, r), "-raw")
	for _, want := range []string{"Pas encore attribué", "Not yet assigned", "Aucun timbre enregistré", "1998-00-00", "Aucune pièce déposée."} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if strings.Contains(text, "Download this receipt again") {
		t.Error("the download line is printed without a URL")
	}
}

// hugeReceipt has a name, file names and a URL far longer than a line,
// and more documents than a page holds.
func hugeReceipt() *Receipt {
	r := sampleReceipt()
	r.GivenNames = strings.Repeat("Marie-Éléonore ", 30) + "Zoé"
	r.Surname = strings.Repeat("DE LA ROCHEFOUCAULD-", 12) + "FIN"
	r.BirthPlace = strings.Repeat("Saint-Rémy-de-Provence", 8)
	r.ReceiptURL = "https://sejour.example.fr/attestations/" + strings.Repeat("0123456789", 20)
	doc := r.Documents[0]
	r.Documents = nil
	for i := 1; i <= 60; i++ {
		d := doc
		d.Name = rules.Text{"fr": "Pièce complémentaire n° " + strconv.Itoa(i), "en": doc.Name["en"]}
		d.FileName = strings.Repeat("scan", 10*(i%3)) + "-" + strconv.Itoa(i) + ".pdf"
		r.Documents = append(r.Documents, d)
	}
	return r
}

func TestRenderReceiptBreaksPagesAndLines(t *testing.T) {
	pdf := render(t, hugeReceipt())
	n := pages(pdf)
	if n < 3 {
		t.Errorf("pages = %d, want the documents to spill over several pages", n)
	}
	text := strings.ReplaceAll(pdftotext(t, pdf, "-raw"), "\u00a0", " ")
	for _, want := range []string{"Pièce complémentaire n° 1\n", "Pièce complémentaire n° 60\n", "FIN", "Zoé", "page " + strconv.Itoa(n) + "/" + strconv.Itoa(n)} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	checkInsidePage(t, pdftotext(t, pdf, "-bbox"))
}

// A field taller than a whole page cannot be kept on one page; it is
// printed line after line across pages instead of running off the sheet.
func TestRenderReceiptFieldTallerThanAPage(t *testing.T) {
	r := sampleReceipt()
	r.GivenNames = strings.Repeat("Ab ", 4000)
	pdf := render(t, r)
	if n := pages(pdf); n < 5 {
		t.Errorf("pages = %d, want the name to flow over several pages", n)
	}
	checkInsidePage(t, pdftotext(t, pdf, "-bbox"))
}

// Characters outside the Basic Multilingual Plane make fpdf panic, and
// control characters have no glyph: both must still give a receipt.
func TestRenderReceiptUnprintableCharacters(t *testing.T) {
	r := sampleReceipt()
	r.GivenNames = "Zoé 😀\tAnn\x00e"
	r.BirthPlace = "王秀英 \U0010FFFF"
	text := pdftotext(t, render(t, r), "-raw")
	if !strings.Contains(text, "Zoé \ufffd Ann e") {
		t.Errorf("the given names are not printed with replacements:\n%s", text)
	}
}

// wordBox is a word's box in pdftotext -bbox output, in points.
var wordBox = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// checkInsidePage fails if a word is printed outside the 16 mm side
// margins, or below the 279 mm where the body of a page ends, unless it
// is part of the footer: the signs that a line was not wrapped or a page
// not broken.
func checkInsidePage(t *testing.T, bbox string) {
	t.Helper()
	const mm = 72 / 25.4
	footer := regexp.MustCompile(`^(Attestation|de|dépôt|/|Filing|receipt|·|N°|DEP-2026-000123|page|\d+/\d+)$`)
	words := wordBox.FindAllStringSubmatch(bbox, -1)
	if len(words) == 0 {
		t.Fatal("pdftotext -bbox found no words")
	}
	for _, w := range words {
		f := func(i int) float64 { v, _ := strconv.ParseFloat(w[i], 64); return v }
		inFooter := f(2) >= 284*mm && f(4) <= 290*mm && footer.MatchString(w[5])
		if f(1) < 16*mm-1 || f(3) > (210-16)*mm+1 || f(4) > 279*mm+1 && !inFooter {
			t.Errorf("word %q is outside the page's margins: x %s–%s, y %s–%s", w[5], w[1], w[3], w[2], w[4])
		}
	}
}

func TestWrapKeepsLinesInsideWidth(t *testing.T) {
	s := newSheet()
	const width = 40
	text := "Un texte ordinaire, puis unmotbeaucouptroplongpourtenirsurunelignemêmeentière et une URL https://example.fr/" + strings.Repeat("a", 120) + "\nnouvelle ligne"
	lines := s.wrap(text, stBody, width)
	s.use(stBody)
	for _, l := range lines {
		if w := s.pdf.GetStringWidth(l); w > width {
			t.Errorf("line %q is %.1f mm wide, more than %d", l, w, width)
		}
	}
	if got := strings.ReplaceAll(strings.Join(lines, ""), " ", ""); got != strings.ReplaceAll(strings.ReplaceAll(text, "\n", ""), " ", "") {
		t.Errorf("wrapping lost or changed text:\n%q", lines)
	}
	if len(lines) < 6 {
		t.Errorf("got %d lines, want the long words cut", len(lines))
	}
}

// No-break spaces glue « » and dates to their words.
func TestWrapDoesNotBreakAtNoBreakSpace(t *testing.T) {
	s := newSheet()
	for _, l := range s.wrap("une «"+nbsp+"décision implicite de rejet"+nbsp+"» le 26"+nbsp+"novembre"+nbsp+"2026", stBody, 25) {
		if strings.HasPrefix(l, "»") || strings.HasSuffix(l, "«") || strings.HasPrefix(l, "novembre") {
			t.Errorf("line %q breaks at a no-break space", l)
		}
	}
}

// TestDecidedReceiptAnnouncesNoImplicitRejection: once the application is
// decided (or withdrawn, or closed), its receipt no longer says that
// silence will become a refusal on some day (issue 11 §9).
func TestDecidedReceiptAnnouncesNoImplicitRejection(t *testing.T) {
	pending := strings.ReplaceAll(pdftotext(t, render(t, sampleReceipt()), "-raw"), "\u00a0", " ")
	r := sampleReceipt()
	r.Decided = true
	decided := strings.ReplaceAll(pdftotext(t, render(t, r), "-raw"), "\u00a0", " ")
	for _, text := range []string{"décision implicite de rejet", "Délai de réponse"} {
		if !strings.Contains(pending, text) {
			t.Errorf("the pending receipt lacks %q", text)
		}
		if strings.Contains(decided, text) {
			t.Errorf("the decided receipt still says %q", text)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(decided), " "), "n’attend plus de décision") {
		t.Errorf("the decided receipt does not say that it is no longer pending:\n%s", decided)
	}
}

// TestReceiptPrintsItsSignedCode: a signed filing receipt prints its QR
// code, which reads back, the code as text and the page that checks it
// (issue 11 §10); an unsigned one prints none.
func TestReceiptPrintsItsSignedCode(t *testing.T) {
	r := sampleReceipt()
	r.Code = sampleAttestation().Code
	r.VerifyURL = "https://sejour.example.fr/verifier"
	pdf := render(t, r)
	if got := readQR(t, pdf, 150); got != r.Code {
		t.Errorf("read %q, want the receipt's code", got)
	}
	text := strings.Join(strings.Fields(pdftotext(t, pdf)), " ")
	for _, want := range []string{r.VerifyURL, "Vérifier ce récépissé", r.Number} {
		if !strings.Contains(text, want) {
			t.Errorf("the signed receipt lacks %q", want)
		}
	}
	if strings.Contains(strings.Join(strings.Fields(pdftotext(t, render(t, sampleReceipt()))), " "), "Vérifier ce récépissé") {
		t.Error("an unsigned receipt offers a code to check")
	}
}
