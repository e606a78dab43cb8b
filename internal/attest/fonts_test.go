package attest

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/rules"
)

// Rendering a document leaves the embedded fonts as they were: fpdf
// writes into the font bytes it is given, and documents are rendered
// concurrently (issuing jobs, downloads), so each gets its own copy. A
// shared copy changed here showed as a data race in the simulation.
func TestRenderingLeavesTheEmbeddedFontsUntouched(t *testing.T) {
	sums := func() [3][32]byte {
		return [3][32]byte{sha256.Sum256(fontRegular), sha256.Sum256(fontBold), sha256.Sum256(fontMono)}
	}
	before := sums()
	chans, err := rules.BackupChannels()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := RenderPaperForm(&buf, i18n.MustLoad(), chans, time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	s := newSheet()
	s.useMono()
	s.pdf.AddPage()
	s.pdf.SetFont(monoFamily, "", 10)
	s.pdf.Cell(40, 10, "SJ1:0123456789")
	if err := s.pdf.Output(&bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if after := sums(); after != before {
		t.Fatalf("rendering changed the embedded fonts: %x, want %x", after, before)
	}
}
