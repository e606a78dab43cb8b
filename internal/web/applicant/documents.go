package applicant

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// desk is the applicant's own page as the place their file's documents,
// fee stamp and messages are worked on.
func (s *Pages) desk() web.Desk {
	return web.Desk{Server: s.Server, Applications: s.Applications, Documents: s.Documents, Messages: s.Messages,
		FormError: s.caseFormError, URL: paths.Application.Format}
}

func (s *Pages) uploadDocument(w http.ResponseWriter, r *http.Request) error {
	return s.desk().Upload(w, r)
}

func (s *Pages) removeDocument(w http.ResponseWriter, r *http.Request) error {
	return s.desk().Remove(w, r)
}

func (s *Pages) reuseDocuments(w http.ResponseWriter, r *http.Request) error {
	return s.desk().Reuse(w, r)
}

// downloadDocument serves a document version to those who may see it, as
// an attachment with a safe name, never rendered in the page's origin.
func (s *Pages) downloadDocument(w http.ResponseWriter, r *http.Request) error {
	return web.ServeDocument(w, r, s.Documents, nil)
}

// receiptOf is the receipt of the application the path names.
func (s *Pages) receiptOf(r *http.Request) (*casework.Receipt, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.Applications.Receipt(r.Context(), web.Account(r), id)
}

func (s *Pages) receipt(w http.ResponseWriter, r *http.Request) error {
	rc, err := s.receiptOf(r)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "receipt", &web.ReceiptView{Page: s.Page(r, "receipt.title"), Receipt: rc})
	return nil
}

func (s *Pages) receiptPDF(w http.ResponseWriter, r *http.Request) error {
	rc, err := s.receiptOf(r)
	if err != nil {
		return err
	}
	return web.ServeReceiptPDF(w, s.Receipts, rc)
}

// attestationPDF serves one of the applicant's attestations as a PDF, with
// its rights as the catalogue says them today and its signed QR code.
func (s *Pages) attestationPDF(w http.ResponseWriter, r *http.Request) error {
	c, v, err := s.attestationOf(r)
	if err != nil {
		return err
	}
	if v.Kind == permit.AttestationFilingReceipt {
		http.Redirect(w, r, paths.ReceiptPDF.Format(c.App.ID), http.StatusSeeOther)
		return nil
	}
	return web.ServePDF(w, "attestation-"+v.Number+"-v"+strconv.Itoa(v.Version)+".pdf", func(b *bytes.Buffer) error {
		pdf, err := s.Applications.AttestationPDF(r.Context(), c, v)
		b.Write(pdf)
		return err
	})
}

// attestationOf is the application and the signed attestation that the
// request's path names, among the applicant's own; anything else is not
// found.
func (s *Pages) attestationOf(r *http.Request) (*casework.Case, casework.AttestationView, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, casework.AttestationView{}, err
	}
	aid, err := web.PathID(r, "att")
	if err != nil {
		return nil, casework.AttestationView{}, err
	}
	c, err := s.Applications.View(r.Context(), web.Account(r), id)
	if err != nil {
		return nil, casework.AttestationView{}, err
	}
	for _, v := range c.Attestations {
		if v.ID == aid && (v.Code != "" || v.Kind == permit.AttestationFilingReceipt) {
			return c, v, nil
		}
	}
	return nil, casework.AttestationView{}, permit.Errorf(permit.ENOTFOUND, "error.not_found")
}
