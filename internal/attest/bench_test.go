package attest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/seal"
)

// The benchmarks measure issuing an attestation (its rights from the
// catalogue, its claims, the signature, the QR code, the PDF) and
// verifying its code, against the ceilings of the two expensive steps,
// measured in the same run: one bare ECDSA P-256 signature (and
// verification) of a SHA-256 digest, and one empty A4 page written by
// fpdf. docs/performance.md ("Attestations") has the figures:
//
//	go test ./internal/attest -run '^$' -bench 'Issue|Verify|Bare' -benchtime 2s -count 5

// issuance is what the portal holds when it issues an attestation: the
// keyring, the catalogues and the case, as casework loads it. The
// attestation is the sample's: the second extension attestation of a
// student's renewal in Marseille, with names that need the whole font.
type issuance struct {
	keys   *seal.Keyring
	cat    *rules.Catalogue
	tr     *i18n.Catalogue
	c      *casework.Case
	at     *permit.Attestation
	issued time.Time // a day the attestation is valid, for verification
}

func newIssuance(b *testing.B) *issuance {
	b.Helper()
	keys, err := seal.NewKeyring(clock.System{}.Now())
	if err != nil {
		b.Fatal(err)
	}
	cat := rules.MustLoad()
	ground, ok := cat.Ground("student")
	if !ok {
		b.Fatal("no student ground in the catalogue")
	}
	d := sampleAttestation()
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	return &issuance{
		keys: keys, cat: cat, tr: i18n.MustLoad(),
		c: &casework.Case{
			App: &permit.Application{ID: 4512, PersonID: 1, PrefectureID: 13, Ground: "student", Kind: permit.KindRenewal,
				State: permit.StateUnderReview},
			Person: &permit.Person{ID: 1, GivenNames: d.GivenNames, Surname: d.Surname, BirthDate: d.BirthDate,
				BirthPlace: "Dakar", Nationality: d.Nationality, ForeignerNumber: d.ForeignerNumber, PrefectureID: 13},
			Permit: &permit.Permit{ID: 1, PersonID: 1, Ground: "student", Number: "1301234567",
				ValidFrom: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), ValidTo: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)},
			Prefecture: &permit.Prefecture{ID: 13, Code: "13", Name: d.Prefecture, Departments: []string{"13"}},
			Ground:     ground,
		},
		at: &permit.Attestation{ID: 77, ApplicationID: 4512, Kind: d.Kind, Number: d.Number, Version: d.Version,
			ValidFrom: day(d.ValidFrom), ValidUntil: day(d.ValidUntil), AvailableFrom: day(d.ValidFrom).AddDate(0, 0, -15),
			IssuedAt: d.IssuedAt.UTC()},
		issued: d.IssuedAt.AddDate(0, 0, 20),
	}
}

// sign derives the rights and signs the claims, as casework does when it
// issues an attestation.
func (is *issuance) sign(b *testing.B) (string, rules.Granted) {
	r, err := is.cat.Rights(is.at.Kind, is.c.App.Ground, is.c.App.Kind, is.c.Permit, is.at.ValidUntil)
	if err != nil {
		b.Fatal(err)
	}
	code, err := seal.Sign(is.keys, seal.ClaimsOf(is.at, is.c.Person, is.c.App, is.c.Prefecture, r))
	if err != nil {
		b.Fatal(err)
	}
	return code, r
}

// render writes the PDF of the attestation with its code, as the portal
// does when the holder downloads it. RenderAttestation draws the QR code
// itself (qr.Image, then PNG), so the QR step is inside it.
func (is *issuance) render(b *testing.B, code string, r rules.Granted) {
	at := *is.at
	at.Code = code
	v := casework.AttestationView{Attestation: &at, Status: permit.AttestationValid, Rights: r}
	if err := RenderAttestation(io.Discard, DocumentFromCase(is.c, v, "https://sejour.example.fr/verifier"), is.tr); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkIssue is one attestation from the case to its PDF: rights,
// claims (seal.ClaimsOf), signature (seal.Sign), QR code and PDF
// (RenderAttestation, which draws the QR code), written to io.Discard.
func BenchmarkIssue(b *testing.B) {
	is := newIssuance(b)
	b.ReportAllocs()
	for b.Loop() {
		code, r := is.sign(b)
		is.render(b, code, r)
	}
}

// BenchmarkIssueSteps times the steps of BenchmarkIssue one by one. The
// pdf step is the whole of RenderAttestation, the qr step included: what
// the layout and the fonts cost is pdf − qr.
func BenchmarkIssueSteps(b *testing.B) {
	is := newIssuance(b)
	code, r := is.sign(b)
	b.Run("sign", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			is.sign(b)
		}
	})
	b.Run("qr", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := qrPNG(code); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pdf", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			is.render(b, code, r)
		}
	})
}

// BenchmarkVerifyCode is the offline check of a code: decoding,
// signature, decompression and claims (seal.Verify).
func BenchmarkVerifyCode(b *testing.B) {
	is := newIssuance(b)
	code, _ := is.sign(b)
	b.ReportAllocs()
	for b.Loop() {
		res, err := seal.Verify(code, is.keys, is.issued)
		if err != nil {
			b.Fatal(err)
		}
		if res.Status != permit.AttestationValid {
			b.Fatalf("status %s", res.Status)
		}
	}
}

// bareDigest is what the bare signatures sign: the SHA-256 digest of a
// message the size of an attestation's compressed claims.
var bareDigest = sha256.Sum256(make([]byte, 240))

// BenchmarkBareECDSAP256 is the ceiling of the signing step: one ECDSA
// P-256 signature of a SHA-256 digest, with nothing around it.
func BenchmarkBareECDSAP256(b *testing.B) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ecdsa.SignASN1(rand.Reader, priv, bareDigest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBareECDSAP256Verify is the ceiling of verification: one ECDSA
// P-256 verification of a SHA-256 digest.
func BenchmarkBareECDSAP256Verify(b *testing.B) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	sig, err := ecdsa.SignASN1(rand.Reader, priv, bareDigest[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !ecdsa.VerifyASN1(&priv.PublicKey, bareDigest[:], sig) {
			b.Fatal("signature does not verify")
		}
	}
}

// BenchmarkBareEmptyPDFPage is the ceiling of the PDF step: fpdf writing
// one empty A4 page, with no font and no image, to io.Discard.
func BenchmarkBareEmptyPDFPage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		pdf := fpdf.New("P", "mm", "A4", "")
		pdf.AddPage()
		if err := pdf.Output(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBarePDFPage is the ceiling of the whole of issuing's PDF
// step: fpdf writing one A4 page with the attestation's three fonts
// (DejaVu Sans, its bold, DejaVu Sans Mono), a line of text in each, and
// its QR code's image, drawn and encoded once before the loop, placed as
// the attestation places it. BenchmarkIssue over this is what sejour's
// layout, wording, QR code and signature add to the library's own work.
func BenchmarkBarePDFPage(b *testing.B) {
	code, img := barePageInputs(b)
	b.ReportAllocs()
	for b.Loop() {
		barePage(b, code, img)
	}
}

// BenchmarkIssueParallel is BenchmarkIssue on every core at once, as the
// issuing jobs run (River's default queue, 4 workers an instance): its
// ns/op is the wall time per attestation of a mass reissue on this
// machine. BenchmarkBarePDFPageParallel is its ceiling.
func BenchmarkIssueParallel(b *testing.B) {
	is := newIssuance(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			code, r := is.sign(b)
			is.render(b, code, r)
		}
	})
}

// BenchmarkBarePDFPageParallel is BenchmarkBarePDFPage on every core.
func BenchmarkBarePDFPageParallel(b *testing.B) {
	code, img := barePageInputs(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			barePage(b, code, img)
		}
	})
}

// barePageInputs are the code and the PNG image of the QR code the bare
// page prints: the sample attestation's, made once.
func barePageInputs(b *testing.B) (string, []byte) {
	is := newIssuance(b)
	code, _ := is.sign(b)
	img, err := qrPNG(code)
	if err != nil {
		b.Fatal(err)
	}
	return code, img
}

// barePage writes the bare page to io.Discard.
func barePage(b *testing.B, code string, img []byte) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(family, "", bytes.Clone(fontRegular))
	pdf.AddUTF8FontFromBytes(family, "B", bytes.Clone(fontBold))
	pdf.AddUTF8FontFromBytes(monoFamily, "", bytes.Clone(fontMono))
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(img))
	pdf.AddPage()
	pdf.SetFont(family, "B", 18)
	pdf.CellFormat(0, 8, "Attestation de prolongation d’instruction", "", 1, "L", false, 0, "")
	pdf.SetFont(family, "", 10)
	pdf.CellFormat(0, 6, "Rodrigue-Éloïse N’Diaye-Øverland, née le 14 février 2001 à Dakar (Sénégal)", "", 1, "L", false, 0, "")
	pdf.SetFont(monoFamily, "", 6.5)
	pdf.CellFormat(0, 4, code[:90], "", 1, "L", false, 0, "")
	pdf.ImageOptions("qr", 16, 100, qrSize, qrSize, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	if err := pdf.Output(io.Discard); err != nil {
		b.Fatal(err)
	}
}
