package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/upload"
)

// ReceiptRenderer writes filing receipts and attestations as PDFs.
type ReceiptRenderer interface {
	RenderReceipt(w io.Writer, rc *casework.Receipt) error
	RenderAttestation(w io.Writer, c *casework.Case, v casework.AttestationView, verifyURL string) error
	RenderAttempt(w io.Writer, p *casework.AttemptProof, verifyURL string) error
	RenderWorkCheck(w io.Writer, rec *permit.WorkCheck, verifyURL string) error
	RenderDeclaration(w io.Writer, d *permit.Declaration, verifyURL string) error
}

// ServeDocument sends a document version to someone allowed to see it: as
// a download, or, given a previewer, inline for the staff's preview
// (images as they are, PDFs drawn as a picture of their pages).
func ServeDocument(w http.ResponseWriter, r *http.Request, docs *casework.Documents, preview *upload.Previewer) error {
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	docID, err := PathID(r, "doc")
	if err != nil {
		return err
	}
	d, rc, err := docs.OpenDocument(r.Context(), Account(r), id, docID)
	if err != nil {
		return err
	}
	return SendFile(w, r, d, rc, preview)
}

// SendFile writes an uploaded file (a document version, a correction's
// evidence) that was checked at upload, and closes it: never rendered in
// the page's origin, and always sandboxed. Given a previewer it is shown
// inline, for the staff's preview: an image as it is, a PDF as the
// picture of its first pages the previewer draws, so that no PDF reader
// opens an applicant's file in the staff's browser (a browser's PDF
// viewer refuses a sandboxed document; issue 13 §11).
func SendFile(w http.ResponseWriter, r *http.Request, d *permit.Document, rc io.ReadCloser, preview *upload.Previewer) error {
	defer rc.Close()
	if preview != nil && d.Kind == "pdf" {
		data, err := io.ReadAll(io.LimitReader(rc, d.Size+1))
		if err != nil {
			return err
		}
		picture, err := preview.PDF(r.Context(), data)
		if errors.Is(err, upload.ErrPreview) {
			return permit.Errorf(permit.EINVALID, "upload.preview_failed")
		} else if err != nil {
			return err
		}
		h := AttachmentHeaders(w, "jpeg", "apercu.jpg", int64(len(picture)))
		h.Set("Content-Disposition", "inline")
		_, err = w.Write(picture)
		return err
	}
	h := AttachmentHeaders(w, d.Kind, d.Filename, d.Size)
	if preview != nil {
		h.Set("Content-Disposition", "inline")
	}
	_, err := io.Copy(w, rc)
	return err
}

// AttachmentHeaders sets the headers of an uploaded file sent back: its
// checked type, a download with a cleaned name, never cached, and
// sandboxed should a browser render it anyway.
func AttachmentHeaders(w http.ResponseWriter, kind, filename string, size int64) http.Header {
	h := w.Header()
	h.Set("Content-Type", contentType(kind))
	h.Set("Content-Disposition", Attachment(filename))
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

// Attachment builds a Content-Disposition header that every browser
// reads, with the UTF-8 name in filename* and an ASCII fallback.
func Attachment(name string) string {
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

// ServePDF renders a PDF into memory first, so that a failure gives the
// error page rather than half a file, and serves it as a private download.
func ServePDF(w http.ResponseWriter, name string, render func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", Attachment(name))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err := w.Write(buf.Bytes())
	return err
}

// ServeScreenshot sends a report's screenshot as an attachment, never
// rendered in the site's origin (as documents are).
func ServeScreenshot(w http.ResponseWriter, shot *permit.Screenshot, rc io.ReadCloser) error {
	defer rc.Close()
	AttachmentHeaders(w, shot.Kind, shot.Filename, shot.Size)
	_, err := io.Copy(w, rc)
	return err
}

// ServeEvidence sends the evidence of the correction request the path
// names ({correction}), to whoever casework lets read it: inline when
// given a previewer, else as a download.
func ServeEvidence(w http.ResponseWriter, r *http.Request, c *casework.Corrections, preview *upload.Previewer) error {
	id, err := PathID(r, "correction")
	if err != nil {
		return err
	}
	d, rc, err := c.CorrectionEvidence(r.Context(), Account(r), id)
	if err != nil {
		return err
	}
	return SendFile(w, r, d, rc, preview)
}
