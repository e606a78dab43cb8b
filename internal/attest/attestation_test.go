package attest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/qr"
	"github.com/sejour/sejour/internal/rules"
)

// sampleCode is a code signed by package seal with a throwaway key, for
// the extension attestation below: its length (403 characters) and its
// spaces are those of real codes.
const sampleCode = "SJ1:RRQT 9O60GO0RT1G QSP4P7R8CKG.M1UR:*P6HPM%O8AU3IS.PDG8CB2MC8C*JC0BD0SO9MBFAFS%F1FE4D9EJLZPEH:9ENSVD1OOV-3BF3THY7+EJ*USW63FRL0XF IAY32-1JF.KM+G HGX2ME94K2JDJL6JK:JM$JLPB7D/E/JC0.CF$C0-9.HBC-2D8NF225-1PAS*8WSE0BGGCT02UG**GIQ1Q$G%N2HKHB7MHN9R$5TW57ZADB9X-A9PPS$9R5964R:C5KX1Y77OV43ZAKI5C1TLN0000FGWUOB3R627BQGPEJ1PLC94AIL8JB10VD*DANYV%ZU5G1T-JP3TIKMIKC% 8UEED+8QDO27NOXG25LISG-N6J/J9ETS4EX-M9+I49VEROIQS"

// sampleAttestation is the second version of an extension attestation of
// a student's renewal in Marseille, valid for the second quarter of 2027.
// Its names and ground carry an apostrophe, accents, œ, € and « », which
// must survive the font.
func sampleAttestation() *Document {
	cet := time.FixedZone("CET", 3600)
	cest := time.FixedZone("CEST", 2*3600)
	until := time.Date(2027, 6, 30, 0, 0, 0, 0, cest)
	return &Document{
		Kind:            permit.AttestationExtension,
		Number:          "API-2027-004512",
		Version:         2,
		IssuedAt:        time.Date(2027, 3, 15, 9, 12, 0, 0, cet),
		GivenNames:      "Aïssatou Chloé Zoë",
		Surname:         "N’DIAYE-CŒUR",
		BirthDate:       "1998-03-01",
		ForeignerNumber: "7501234567",
		Nationality:     "Sénégalaise (SEN)",
		Prefecture:      "Préfecture des Bouches-du-Rhône",
		Ground:          rules.Text{"fr": "Étudiant « master » (ressources ≥ 615 € par mois)", "en": "Student “master’s” (resources ≥ €615 a month)"},
		ApplicationKind: permit.KindRenewal,
		ValidFrom:       time.Date(2027, 4, 1, 0, 0, 0, 0, cest),
		ValidUntil:      until,
		Rights: rules.Granted{
			Stay: true, StayUntil: until,
			Work:          rules.Work{Kind: rules.WorkLimitedHours, HoursPerYear: 964},
			TravelReentry: true, SocialRightsContinue: true,
		},
		Code:      sampleCode,
		VerifyURL: "https://sejour.example.fr/verifier",
	}
}

// sampleFavourable is a favourable-decision attestation of a first
// application on the ground of family life. It keeps the sample's code:
// rendering does not read the code, only prints it.
func sampleFavourable() *Document {
	d := sampleAttestation()
	d.Kind, d.Number, d.Version = permit.AttestationFavourable, "ADF-2027-000077", 1
	d.ApplicationKind = permit.KindFirstIssue
	d.Ground = rules.Text{"fr": "Vie privée et familiale", "en": "Private and family life"}
	d.ForeignerNumber = ""
	d.Rights.Work = rules.Work{Kind: rules.WorkFull}
	d.Rights.TravelReentry = false
	return d
}

func renderDocument(t *testing.T, d *Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderAttestation(&buf, d, i18n.MustLoad()); err != nil {
		t.Fatalf("RenderAttestation: %v", err)
	}
	return buf.Bytes()
}

// The sample holds on one page: an attestation is shown, photocopied
// and photographed, and a second sheet gets lost.
func TestRenderAttestationIsOnePagePDFWithEmbeddedFonts(t *testing.T) {
	for _, d := range []*Document{sampleAttestation(), sampleFavourable()} {
		pdf := renderDocument(t, d)
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("output starts with %q, want %%PDF-", pdf[:min(len(pdf), 8)])
		}
		if n := pages(pdf); n != 1 {
			t.Errorf("%s: pages = %d, want 1", d.Kind, n)
		}
		if n := bytes.Count(pdf, []byte("/FontFile2")); n != 3 {
			t.Errorf("%s: %d TrueType fonts embedded, want 3 (regular, bold, mono)", d.Kind, n)
		}
		if !bytes.Contains(pdf, []byte("/CreationDate (D:20270315081200)")) {
			t.Errorf("%s: the creation date is not the issue date", d.Kind)
		}
	}
}

// The same attestation must give the same bytes, so that an attestation
// downloaded again is the original.
func TestRenderAttestationIsDeterministic(t *testing.T) {
	want := renderDocument(t, sampleAttestation())
	for i := 0; i < 5; i++ {
		if got := renderDocument(t, sampleAttestation()); !bytes.Equal(got, want) {
			t.Fatalf("render %d differs from the first one", i+2)
		}
	}
}

// TestRenderAttestationGolden compares the text of the sample
// attestations with testdata/attestation_*.golden.txt. After a deliberate
// change of wording or layout, run
// `go test ./internal/attest -run Golden -update` and review the diff.
func TestRenderAttestationGolden(t *testing.T) {
	for name, d := range map[string]*Document{"extension": sampleAttestation(), "favourable": sampleFavourable()} {
		t.Run(name, func(t *testing.T) {
			got := strings.ReplaceAll(pdftotext(t, renderDocument(t, d), "-raw"), "\u00a0", " ")
			golden := filepath.Join("testdata", "attestation_"+name+".golden.txt")
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
		})
	}
}

// The rights are worded by the translation catalogue, so the PDF says
// what the portal's pages say; the expired permit is asked for only
// where the law asks for it.
func TestRenderAttestationRightsAndExpiredPermit(t *testing.T) {
	tr := i18n.MustLoad()
	tests := []struct {
		name          string
		d             *Document
		expiredPermit bool
	}{
		{"extension of a renewal", sampleAttestation(), true},
		{"extension of a first application", func() *Document {
			d := sampleAttestation()
			d.ApplicationKind = permit.KindFirstIssue
			return d
		}(), false},
		{"favourable decision", sampleFavourable(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Lines are joined, any space (no-break ones too) is one
			// space, and the PDF prints typographic apostrophes.
			norm := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "'", "’")), " ") }
			text := norm(pdftotext(t, renderDocument(t, tt.d), "-raw"))
			for _, lang := range []string{"fr", "en"} {
				words := tt.d.Rights.Words(func(key string, args ...any) string { return tr.T(lang, key, args...) },
					func(x time.Time) string { return i18n.Date(lang, x) })
				for _, w := range words {
					if !strings.Contains(text, norm(w)) {
						t.Errorf("text lacks the right %q", w)
					}
				}
			}
			for _, line := range []string{"À présenter avec votre titre de séjour expiré", "To be shown with your expired residence permit"} {
				if got := strings.Contains(text, line); got != tt.expiredPermit {
					t.Errorf("%q printed: %v, want %v", line, got, tt.expiredPermit)
				}
			}
		})
	}
}

// The code printed under the QR code, once its lines are joined and each
// « ␣ » typed as a space, is the code itself.
func TestRenderAttestationPrintsTypeableCode(t *testing.T) {
	d := sampleAttestation()
	text := pdftotext(t, renderDocument(t, d), "-raw")
	var typed strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "SJ1:") || typed.Len() > 0 && typed.Len() < len(d.Code) {
			typed.WriteString(strings.ReplaceAll(line, "␣", " "))
		}
	}
	if typed.String() != d.Code {
		t.Errorf("typed code\n%q\nwant\n%q", typed.String(), d.Code)
	}
}

// TestRenderAttestationQRCodeReadsBack renders the page as a scan at
// 150 and 300 dpi would see it, and reads the QR code back from the
// image.
func TestRenderAttestationQRCodeReadsBack(t *testing.T) {
	tests := []struct {
		d   *Document
		dpi int
	}{{sampleAttestation(), 150}, {sampleAttestation(), 300}, {sampleFavourable(), 150}}
	for _, tt := range tests {
		if got := readQR(t, renderDocument(t, tt.d), tt.dpi); got != tt.d.Code {
			t.Errorf("%s at %d dpi: read %q, want %q", tt.d.Kind, tt.dpi, got, tt.d.Code)
		}
	}
}

// readQR renders every page of pdf as a PNG image at dpi with poppler's
// pdftoppm, and returns the first QR code read from one of them. It
// skips or fails when pdftoppm is missing as pdftotext does.
func readQR(t *testing.T, pdf []byte, dpi int) string {
	t.Helper()
	bin := poppler(t, "pdftoppm")
	dir := t.TempDir()
	path := filepath.Join(dir, "attestation.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(bin, "-png", "-r", strconv.Itoa(dpi), path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, b)
	}
	images, err := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if err != nil || len(images) == 0 {
		t.Fatalf("pdftoppm wrote no image (%v)", err)
	}
	var errs []string
	for _, name := range images {
		img, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		code, err := qr.DecodeBytes(img)
		if err == nil {
			return code
		}
		errs = append(errs, filepath.Base(name)+": "+err.Error())
	}
	t.Fatalf("no QR code read at %d dpi:\n%s", dpi, strings.Join(errs, "\n"))
	return ""
}

func TestRenderAttestationRejectsIncompleteDocument(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Document)
		want   string
	}{
		{"filing receipt", func(d *Document) { d.Kind = permit.AttestationFilingReceipt }, "printed by RenderReceipt"},
		{"unknown kind", func(d *Document) { d.Kind = "visa" }, "kind visa is unknown"},
		{"no number", func(d *Document) { d.Number = " " }, "number is empty"},
		{"no version", func(d *Document) { d.Version = 0 }, "version is not 1 or more"},
		{"no issue time", func(d *Document) { d.IssuedAt = time.Time{} }, "issue time is zero"},
		{"no name", func(d *Document) { d.Surname, d.GivenNames = "", "" }, "holder has no name"},
		{"no birth date", func(d *Document) { d.BirthDate = "" }, "birth date is empty"},
		{"no nationality", func(d *Document) { d.Nationality = "" }, "nationality is empty"},
		{"no prefecture", func(d *Document) { d.Prefecture = "" }, "prefecture is empty"},
		{"ground in French only", func(d *Document) { d.Ground["en"] = "" }, "ground name is missing"},
		{"unknown application kind", func(d *Document) { d.ApplicationKind = "duplicate" }, "application kind duplicate is unknown"},
		{"no first day", func(d *Document) { d.ValidFrom = time.Time{} }, "first valid day is zero"},
		{"no last day", func(d *Document) { d.ValidUntil = time.Time{} }, "last valid day is zero"},
		{"ends before it starts", func(d *Document) { d.ValidUntil = d.ValidFrom.AddDate(0, 0, -1) }, "last valid day is before the first"},
		{"unknown work", func(d *Document) { d.Rights.Work.Kind = "some" }, "right to work some is unknown"},
		{"no hours", func(d *Document) { d.Rights.Work.HoursPerYear = 0 }, "limited to no hours"},
		{"stay without end", func(d *Document) { d.Rights.StayUntil = time.Time{} }, "right to stay has no last day"},
		{"no code", func(d *Document) { d.Code = "" }, "signed code is empty"},
		{"no verification page", func(d *Document) { d.VerifyURL = "" }, "verification address is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sampleAttestation()
			tt.change(d)
			var buf bytes.Buffer
			err := RenderAttestation(&buf, d, i18n.MustLoad())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Error("an invalid attestation was partly written")
			}
		})
	}
}

// An empty document is refused with every missing field named at once,
// so that whoever assembles one fixes them all in one go.
func TestValidateListsEveryMissingField(t *testing.T) {
	err := (&Document{}).Validate()
	if err == nil {
		t.Fatal("an empty document is valid")
	}
	for _, want := range []string{"kind  is unknown", "number", "version", "issue time", "no name", "birth date", "nationality",
		"prefecture", "ground", "application kind", "first valid day", "last valid day is zero", "right to work", "signed code", "verification address"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v\ndoes not mention %q", err, want)
		}
	}
}

func TestRenderAttestationNeedsCatalogue(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderAttestation(&buf, sampleAttestation(), nil); err == nil || buf.Len() != 0 {
		t.Fatalf("err = %v, %d bytes written; want an error and nothing written", err, buf.Len())
	}
}

// A code too long for any QR code is an error, not a broken page.
func TestRenderAttestationCodeTooLong(t *testing.T) {
	d := sampleAttestation()
	d.Code = "SJ1:" + strings.Repeat("A", 5000)
	var buf bytes.Buffer
	if err := RenderAttestation(&buf, d, i18n.MustLoad()); err == nil || buf.Len() != 0 {
		t.Fatalf("err = %v, %d bytes written; want an error and nothing written", err, buf.Len())
	}
}

// Names, a prefecture and an address far longer than a line wrap inside
// their columns and push blocks to a second page; nothing runs off it.
func TestRenderAttestationLongNamesStayInsideThePage(t *testing.T) {
	d := sampleAttestation()
	d.GivenNames = strings.Repeat("Marie-Éléonore ", 20) + "Zoé"
	d.Surname = strings.Repeat("DE LA ROCHEFOUCAULD-", 8) + "FIN"
	d.Nationality = strings.Repeat("Saint-Christophe-et-Niévès ", 4)
	d.Prefecture = "Préfecture de police " + strings.Repeat("des Bouches-du-Rhône ", 6)
	d.VerifyURL = "https://sejour.example.fr/verifier/" + strings.Repeat("0123456789", 12)
	pdf := renderDocument(t, d)
	// Words longer than a column are cut anywhere: compare the text
	// without its spaces and line breaks.
	text := strings.Join(strings.Fields(pdftotext(t, pdf, "-raw")), "")
	for _, want := range []string{d.Surname, d.GivenNames, d.Prefecture, d.VerifyURL, "If this attestation is refused", "page 2/2"} {
		if !strings.Contains(text, strings.Join(strings.Fields(want), "")) {
			t.Errorf("text lacks %q", want)
		}
	}
	checkInsidePage(t, withoutFooter(pdftotext(t, pdf, "-bbox")))
	if got := readQR(t, pdf, 150); got != d.Code {
		t.Errorf("QR code read back as %q, want %q", got, d.Code)
	}
}

// attestationFooter matches the words of an attestation's footer.
var attestationFooter = regexp.MustCompile(`^(Attestation|de|prolongation|d’instruction|/|Extension|attestation|·|N°|API-2027-004512|version|\d+|page|\d+/\d+)$`)

// withoutFooter drops the footer's words from pdftotext -bbox output, so
// that checkInsidePage, written for the receipt's footer, checks the rest.
func withoutFooter(bbox string) string {
	const mm = 72 / 25.4
	return wordBox.ReplaceAllStringFunc(bbox, func(w string) string {
		m := wordBox.FindStringSubmatch(w)
		yMin, _ := strconv.ParseFloat(m[2], 64)
		yMax, _ := strconv.ParseFloat(m[4], 64)
		if yMin >= 284*mm && yMax <= 290*mm && attestationFooter.MatchString(m[5]) {
			return ""
		}
		return w
	})
}
