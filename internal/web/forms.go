package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sejour/sejour/internal/casework"

	"github.com/sejour/sejour/internal/permit"
)

// maxForm bounds the body of a form post: no form of these pages needs more.
const maxForm = 16 << 10

var errInvalidForm = permit.Errorf(permit.EINVALID, "error.form_unreadable")

// ParseForm reads a bounded form body; an oversized or broken body is
// invalid input, not a server fault.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return errInvalidForm
	}
	return nil
}

// FormValues is every value of a posted form, as a page re-shows them
// beside its errors.
func FormValues(v url.Values) map[string]string {
	out := make(map[string]string, len(v))
	for k := range v {
		out[k] = v.Get(k)
	}
	return out
}

// PathID reads a numeric path parameter; anything else is "not found".
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return id, nil
}

// maxUploadOverhead is what a multipart body may carry besides the file.
const maxUploadOverhead = 64 << 10

// ReadUpload reads the one file of a multipart form, refusing a body over
// the upload limit (the documents' limit, for every upload of the site)
// before reading it all.
func (s *Server) ReadUpload(w http.ResponseWriter, r *http.Request, field string) (name string, data []byte, values map[string]string, err error) {
	limit := s.opts.Documents.Limits.MaxBytes
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

// ReadMessage reads a message form: its text and an optional attachment.
func (s *Server) ReadMessage(w http.ResponseWriter, r *http.Request) (string, *casework.Attachment, error) {
	name, data, values, err := s.ReadUpload(w, r, "attachment")
	if err != nil {
		return values["body"], nil, err
	}
	var att *casework.Attachment
	if len(data) > 0 {
		att = &casework.Attachment{Filename: name, Data: data}
	}
	return values["body"], att, nil
}

// IsNotFound reports whether err is the domain's "not found".
func IsNotFound(err error) bool { return permit.ErrorCode(err) == permit.ENOTFOUND }
