package attest

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// darkBlock renders the first page of pdf at 50 dpi with poppler's
// pdftoppm and returns the height, in pixel rows, of the tallest run of
// rows at least four fifths dark across the page's text width: a filled
// dark block, which no page of sejour prints (a box's border or a rule is
// a pixel or two high).
func darkBlock(t *testing.T, pdf []byte) int {
	t.Helper()
	bin := poppler(t, "pdftoppm")
	dir := t.TempDir()
	path := filepath.Join(dir, "record.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(bin, "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, b)
	}
	f, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	left, right := b.Min.X+b.Dx()/10, b.Max.X-b.Dx()/10 // within the margins
	run, tallest := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		dark := 0
		for x := left; x < right; x++ {
			if luminance(img, x, y) < 0x60 {
				dark++
			}
		}
		if dark*5 >= (right-left)*4 {
			run++
			tallest = max(tallest, run)
		} else {
			run = 0
		}
	}
	return tallest
}

func luminance(img image.Image, x, y int) uint32 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (299*r + 587*g + 114*b) / 1000 >> 8
}

// TestRecordsPrintNoDarkBlock: the answer's box of a right-to-work check
// record and the outcome's box of a declaration record are drawn light,
// with their words readable, never as a black block (a frame without a
// fill colour was filled black).
func TestRecordsPrintNoDarkBlock(t *testing.T) {
	at := time.Date(2026, 12, 9, 15, 4, 5, 0, time.UTC)
	code := "SJ1:6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTF6.5NB0UD*PB2C07"
	var check, decl bytes.Buffer
	if err := RenderWorkCheck(&check, &permit.WorkCheck{Number: "VER-7KQM-2XHP", Organisation: "Boulangerie A", SIRET: "73282932000074",
		CheckedAt: at, GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-05-17", Work: "full", Until: at.AddDate(0, 3, 0),
		Basis: permit.BasisPermit, Ground: "employee", PrefectureName: "Préfecture de police", PrefectureCode: "75", Code: code},
		rules.MustLoad(), i18n.MustLoad(), "https://sejour.example/verifier"); err != nil {
		t.Fatal(err)
	}
	if err := RenderDeclaration(&decl, &permit.Declaration{Number: "DEC-7KQM-2XHP", Organisation: "Boulangerie A", SIRET: "73282932000074",
		DeclaredAt: at.AddDate(0, 0, -2), GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-05-17", StartDate: at.AddDate(0, 0, 5),
		Job: "Vendeuse", WeeklyHours: 35, Contract: permit.ContractFixedTerm, Status: permit.DeclarationAuthorised, AnsweredAt: &at,
		PrefectureName: "Préfecture de police", PrefectureCode: "75", Code: code},
		rules.MustLoad(), i18n.MustLoad(), "https://sejour.example/verifier"); err != nil {
		t.Fatal(err)
	}
	for name, pdf := range map[string][]byte{"check record": check.Bytes(), "declaration record": decl.Bytes()} {
		if n := darkBlock(t, pdf); n > 3 {
			t.Errorf("the %s prints a dark block %d pixel rows high (at 50 dpi)", name, n)
		}
	}
}
