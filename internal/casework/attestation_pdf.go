package casework

import (
	"bytes"
	"context"
	"io"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// PDFRenderer renders an attestation's PDF (package attest provides it).
type PDFRenderer interface {
	RenderAttestation(w io.Writer, c *Case, v AttestationView, verifyURL string) error
}

// keepPDF renders a signed attestation's PDF as issued and keeps it in
// the blob store, so that its holder downloads that very document ever
// after — also while the database only reads — rather than one rendered
// again from the file as it is on the day. Filing receipts are printed
// from their filing (Receipt) and are not kept here.
func (s *Attestations) keepPDF(ctx context.Context, c *Case, at *permit.Attestation) error {
	if !s.pdfOwed(at) {
		return nil
	}
	r, err := s.Rules.Rights(at.Kind, c.App.Ground, c.App.Kind, c.Permit, at.ValidUntil)
	if err != nil {
		return err
	}
	v := AttestationView{Attestation: at, Rights: r, Issuer: issuerAt(c.Moves, c.Prefecture, at.IssuedAt)}
	var b bytes.Buffer
	if err := s.PDFs.RenderAttestation(&b, c, v, s.BaseURL+paths.Verify.String()); err != nil {
		return err
	}
	sum, err := s.Blobs.Put(ctx, b.Bytes())
	if err != nil {
		return err
	}
	if err := s.Store.SetAttestationPDF(ctx, at.ID, sum); err != nil {
		return err
	}
	at.PDFSum = sum
	return nil
}

// pdfOwed says whether an attestation's PDF is to be kept and is not:
// signed, live, not a filing receipt (rendered with its filing).
func (s *Attestations) pdfOwed(at *permit.Attestation) bool {
	return s.PDFs != nil && s.Blobs != nil && at.Code != "" && at.PDFSum == "" && at.Kind != permit.AttestationFilingReceipt &&
		at.SupersededAt == nil && at.RevokedAt == nil
}

// AttestationPDF returns the PDF of one of a case's attestations: the one
// kept in the blob store when it was issued, or, for one issued before
// PDFs were kept (or whose keeping has not run yet), one rendered now.
func (s *core) AttestationPDF(ctx context.Context, c *Case, v AttestationView) ([]byte, error) {
	if v.PDFSum != "" && s.Blobs != nil {
		rc, err := s.Blobs.Open(ctx, v.PDFSum)
		if err == nil {
			defer rc.Close()
			return io.ReadAll(rc)
		}
		s.Logger.Warn("kept attestation PDF unreadable: rendered again", "attestation", v.ID, "blob", v.PDFSum, "err", err)
	}
	if s.PDFs == nil {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	var b bytes.Buffer
	if err := s.PDFs.RenderAttestation(&b, c, v, s.BaseURL+paths.Verify.String()); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
