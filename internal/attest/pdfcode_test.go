package attest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/upload"
)

// TestCodeFromPDFReadsBackTheCode: every signed PDF gives back, as text,
// exactly the code its QR code draws; a PDF without a code (a receipt
// rendered before signing, the paper form) gets ErrNoCode, and a file the
// uploads' checks refuse gets their refusal.
func TestCodeFromPDFReadsBackTheCode(t *testing.T) {
	gate := upload.NewGate(upload.DefaultGateMemory, 1)
	signedReceipt := sampleReceipt()
	signedReceipt.Code = sampleCode
	for name, pdf := range map[string][]byte{
		"extension attestation": renderDocument(t, sampleAttestation()),
		"favourable decision":   renderDocument(t, sampleFavourable()),
		"filing receipt":        render(t, signedReceipt),
	} {
		got, err := CodeFromPDF(t.Context(), gate, pdf)
		if err != nil || got != sampleCode {
			t.Errorf("%s: read %q, %v; want the code it was signed with", name, got, err)
		}
		// As docs/attestation-format.md (section 9) shows it.
		if !bytes.Contains(pdf, []byte("/Keywords ("+sampleCode+")")) {
			t.Errorf("%s: no /Keywords entry holding the code as a plain literal string", name)
		}
	}

	chans, err := rules.BackupChannels()
	if err != nil {
		t.Fatal(err)
	}
	var paper bytes.Buffer
	if err := RenderPaperForm(&paper, i18n.MustLoad(), chans, time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	unsigned := sampleReceipt()
	unsigned.Code = ""
	for name, pdf := range map[string][]byte{"paper form": paper.Bytes(), "unsigned receipt": render(t, unsigned)} {
		if got, err := CodeFromPDF(t.Context(), gate, pdf); !errors.Is(err, ErrNoCode) {
			t.Errorf("%s: %q, %v; want ErrNoCode", name, got, err)
		}
	}

	whole := renderDocument(t, sampleAttestation())
	for name, tc := range map[string]struct {
		data []byte
		key  string
	}{
		"cut short":  {whole[:len(whole)/2], upload.KeyPDFCorrupt},
		"not a PDF":  {[]byte("SJ1:NOT A PDF"), upload.KeyType},
		"empty":      {nil, upload.KeyEmpty},
		"only magic": {[]byte("%PDF-1.7\n%%EOF\n"), upload.KeyPDFCorrupt},
	} {
		_, err := CodeFromPDF(t.Context(), gate, tc.data)
		if key, _ := permit.ErrorMessage(err); permit.ErrorCode(err) != permit.EINVALID || key != tc.key {
			t.Errorf("%s: %v, want the refusal %s", name, err, tc.key)
		}
	}
}
