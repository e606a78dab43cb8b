package attest

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/upload"
)

// Every PDF sejour signs (filing receipt, attestations, attestation of
// attempted filing) carries its signed code twice: drawn as a QR code and
// printed for people, and, for programs, as the whole Keywords entry of
// the PDF's document information dictionary, an ASCII literal string
// (docs/attestation-format.md, section 9). A verifier reads the code back
// from there without rendering the PDF.

// carryCode puts the signed code where CodeFromPDF finds it. The code is
// base45 text (digits, capitals, space and $%*+-./:), so it is written as
// it is, with no encoding.
func carryCode(p *fpdf.Fpdf, code string) {
	if code != "" {
		p.SetKeywords(code, false)
	}
}

// ErrNoCode is CodeFromPDF's answer for a PDF that is sound but carries
// no sejour code: another program's PDF, or a scan of a printed
// attestation, whose QR code only a photo reader can see.
var ErrNoCode = errors.New("attest: the PDF holds no sejour code")

// codePDFLimits bound the reading of a PDF for its code: sejour's PDFs
// weigh tens of kilobytes and read in milliseconds.
var codePDFLimits = upload.Limits{MaxBytes: 10 * upload.MB, Timeout: 5 * time.Second}

// CodeFromPDF returns the signed code of a PDF sejour issued, read from its
// document information dictionary, through gate (weighted as the check of
// the PDF; ctx's error if ctx ends while it waits). The file first passes
// the uploads' checks (upload.Check: a PDF that parses, not encrypted, with
// no active content, bounded in size and time), whose refusals it returns
// as they are; a PDF that passes but carries no code gets ErrNoCode. The
// code is returned unverified: the verifier checks it like a pasted one.
func CodeFromPDF(ctx context.Context, gate *upload.Gate, data []byte) (string, error) {
	var code string
	err := gate.Do(ctx, upload.Cost(data, codePDFLimits), func() error {
		var err error
		code, err = codeFromPDF(data)
		return err
	})
	return code, err
}

// codeFromPDF is CodeFromPDF once through the gate.
func codeFromPDF(data []byte) (string, error) {
	kind, err := upload.Check(data, codePDFLimits)
	if err != nil {
		return "", err
	}
	if kind != upload.PDF {
		return "", permit.Errorf(permit.EINVALID, upload.KeyType)
	}
	kw, err := upload.PDFKeywords(data, codePDFLimits)
	if err != nil {
		return "", err
	}
	kw = strings.TrimSpace(kw)
	if !strings.HasPrefix(kw, seal.Prefix) {
		return "", ErrNoCode
	}
	return kw, nil
}
