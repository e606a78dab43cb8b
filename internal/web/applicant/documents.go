package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

// ReceiptRenderer writes filing receipts and attestations as PDFs.
type ReceiptRenderer interface {
	RenderReceipt(w io.Writer, rc *casework.Receipt) error
	RenderAttestation(w io.Writer, c *casework.Case, v casework.AttestationView, verifyURL string) error
}

// maxUploadOverhead is what a multipart body may carry besides the file.
const maxUploadOverhead = 64 << 10

// readUpload reads the one file of a multipart form, refusing a body over
// the upload limit before reading it all.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request, field string) (name string, data []byte, values map[string]string, err error) {
	limit := s.Documents.Limits.MaxBytes
	r.Body = http.MaxBytesReader(w, r.Body, limit+maxUploadOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, nil, permit.Invalid(map[string]string{field: "upload.unreadable"})
	}
	values = map[string]string{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, nil, uploadReadError(field, err, limit)
		}
		b, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return "", nil, nil, uploadReadError(field, err, limit)
		}
		if part.FormName() == field && part.FileName() != "" {
			name, data = part.FileName(), b
		} else if len(b) <= maxForm {
			values[part.FormName()] = string(b)
		}
	}
	if int64(len(data)) > limit {
		return "", nil, nil, permit.AsField(field, permit.Errorf(permit.EINVALID, "upload.too_large", int(limit>>20)))
	}
	return name, data, values, nil
}

func uploadReadError(field string, err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return permit.AsField(field, permit.Errorf(permit.EINVALID, "upload.too_large", int(limit>>20)))
	}
	return permit.Invalid(map[string]string{field: "upload.unreadable"})
}

// desk is where an application's file is worked on: the applicant's own
// page, or the counter's page for a person filed on their behalf. The same
// use cases answer both; only the page that shows the result differs.
type desk struct {
	url       func(id int64) string // the application's page
	formError func(s *Server, w http.ResponseWriter, r *http.Request, err error, values map[string]string) error
}

var (
	applicantDesk = desk{url: func(id int64) string { return "/demandes/" + strconv.FormatInt(id, 10) },
		formError: (*Server).caseFormError}
	counterDesk = desk{url: counterCaseURL, formError: (*Server).counterFormError}
)

func (s *Server) uploadDocument(w http.ResponseWriter, r *http.Request) error {
	return s.uploadAt(w, r, applicantDesk)
}

func (s *Server) removeDocument(w http.ResponseWriter, r *http.Request) error {
	return s.removeAt(w, r, applicantDesk)
}

func (s *Server) uploadAt(w http.ResponseWriter, r *http.Request, d desk) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	slot := r.PathValue("slot")
	field := "file-" + slot
	name, data, _, err := s.readUpload(w, r, field)
	if err == nil {
		_, err = s.Documents.Upload(r.Context(), account(r), id, slot, name, data)
		err = permit.AsField(field, err)
	}
	if err != nil {
		return d.formError(s, w, r, err, nil)
	}
	http.Redirect(w, r, d.url(id)+"?envoye#doc-"+slot, http.StatusSeeOther)
	return nil
}

func (s *Server) removeAt(w http.ResponseWriter, r *http.Request, d desk) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Documents.RemoveDocument(r.Context(), account(r), id, r.PathValue("slot")); err != nil {
		return err
	}
	http.Redirect(w, r, d.url(id)+"?retire#doc-"+r.PathValue("slot"), http.StatusSeeOther)
	return nil
}

// downloadDocument serves a document version to those who may see it, as
// an attachment with a safe name, never rendered in the page's origin.
func (s *Server) downloadDocument(w http.ResponseWriter, r *http.Request) error {
	return s.serveDocument(w, r, false)
}

// serveDocument sends a document version to someone allowed to see it: as
// a download, or inline for the staff's preview (images shown in the case
// page, PDFs in the browser's viewer).
func (s *Server) serveDocument(w http.ResponseWriter, r *http.Request, inline bool) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	docID, err := pathID(r, "doc")
	if err != nil {
		return err
	}
	d, rc, err := s.Documents.OpenDocument(r.Context(), account(r), id, docID)
	if err != nil {
		return err
	}
	return sendFile(w, d, rc, inline)
}

// sendFile writes an uploaded file (a document version, a correction's
// evidence) that was checked at upload, and closes it: never rendered in
// the page's origin, inline only for the staff's preview.
func sendFile(w http.ResponseWriter, d *permit.Document, rc io.ReadCloser, inline bool) error {
	defer rc.Close()
	h := attachmentHeaders(w, d.Kind, d.Filename, d.Size)
	if inline {
		h.Set("Content-Disposition", "inline")
		if d.Kind == "pdf" {
			// Browsers refuse to show a PDF in a sandboxed document; the
			// file was parsed at upload, and nothing else may load.
			h.Set("Content-Security-Policy", "default-src 'none'")
		}
	}
	_, err := io.Copy(w, rc)
	return err
}

// attachmentHeaders sets the headers of an uploaded file sent back: its
// checked type, a download with a cleaned name, never cached, and
// sandboxed should a browser render it anyway.
func attachmentHeaders(w http.ResponseWriter, kind, filename string, size int64) http.Header {
	h := w.Header()
	h.Set("Content-Type", contentType(kind))
	h.Set("Content-Disposition", mimeAttachment(filename))
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return h
}

func contentType(kind string) string {
	switch kind {
	case "pdf":
		return "application/pdf"
	case "jpeg":
		return "image/jpeg"
	case "png":
		return "image/png"
	}
	return "application/octet-stream"
}

// mimeAttachment builds a Content-Disposition header that every browser
// reads, with the UTF-8 name in filename* and an ASCII fallback.
func mimeAttachment(name string) string {
	ascii := []rune{}
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			r = '_'
		}
		ascii = append(ascii, r)
	}
	return `attachment; filename="` + string(ascii) + `"; filename*=UTF-8''` + pathEscape(name)
}

func pathEscape(s string) string {
	var b bytes.Buffer
	for _, c := range []byte(s) {
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strconv.FormatUint(uint64(c)>>4, 16) + strconv.FormatUint(uint64(c)&15, 16))
		}
	}
	return b.String()
}

// readMessage reads a message form: its text and an optional attachment.
func (s *Server) readMessage(w http.ResponseWriter, r *http.Request) (string, *casework.Attachment, error) {
	name, data, values, err := s.readUpload(w, r, "attachment")
	if err != nil {
		return values["body"], nil, err
	}
	var att *casework.Attachment
	if len(data) > 0 {
		att = &casework.Attachment{Filename: name, Data: data}
	}
	return values["body"], att, nil
}

// receiptView is the filing receipt as a page.
type receiptView struct {
	*Page
	Receipt *casework.Receipt
	Counter bool // printed at the counter, for a person filed on behalf
}

// CaseURL is the application's page the receipt belongs to: the
// applicant's, or the counter's.
func (v *receiptView) CaseURL() string {
	if v.Counter {
		return "/agent/guichet/demandes/" + strconv.FormatInt(v.Receipt.Case.App.ID, 10)
	}
	return "/demandes/" + strconv.FormatInt(v.Receipt.Case.App.ID, 10)
}

func (s *Server) receipt(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rc, err := s.Applications.Receipt(r.Context(), account(r), id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "receipt", &receiptView{Page: s.page(r, "receipt.title"), Receipt: rc})
	return nil
}

func (s *Server) receiptPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rc, err := s.Applications.Receipt(r.Context(), account(r), id)
	if err != nil {
		return err
	}
	return servePDF(w, "attestation-de-depot-"+rc.Filing.Number+".pdf", func(b *bytes.Buffer) error {
		return s.Receipts.RenderReceipt(b, rc)
	})
}

// servePDF renders a PDF into memory first, so that a failure gives the
// error page rather than half a file, and serves it as a private download.
func servePDF(w http.ResponseWriter, name string, render func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mimeAttachment(name))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err := w.Write(buf.Bytes())
	return err
}

// attestationPDF serves one of the applicant's attestations as a PDF, with
// its rights as the catalogue says them today and its signed QR code.
func (s *Server) attestationPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "att")
	if err != nil {
		return err
	}
	c, err := s.Applications.View(r.Context(), account(r), id)
	if err != nil {
		return err
	}
	for _, v := range c.Attestations {
		if v.ID == aid && v.Kind == permit.AttestationFilingReceipt {
			http.Redirect(w, r, "/demandes/"+r.PathValue("id")+"/recepisse.pdf", http.StatusSeeOther)
			return nil
		}
		if v.ID != aid || v.Code == "" {
			continue
		}
		return servePDF(w, "attestation-"+v.Number+"-v"+strconv.Itoa(v.Version)+".pdf", func(b *bytes.Buffer) error {
			return s.Receipts.RenderAttestation(b, c, v, s.BaseURL+"/verifier")
		})
	}
	return permit.Errorf(permit.ENOTFOUND, "error.not_found")
}
