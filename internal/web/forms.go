package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/casework"

	"github.com/sejour/sejour/internal/permit"
)

// maxForm bounds the body of a form post, and maxField one value of a
// form, multipart or not: both far above what any use case accepts
// (5,000 characters of a message are at most 20 KB), so that a text
// over its limit reaches the use case, which says so with its number;
// they only bound what is read.
const (
	maxForm  = 512 << 10
	maxField = 256 << 10
)

var errInvalidForm = permit.Errorf(permit.EINVALID, "error.form_unreadable")

// ParseForm reads a bounded form body and checks every value
// (CheckValues). A body that cannot be read is invalid input, not a
// server fault; a value that is wrong is a field error, returned with
// r.PostForm filled all the same, so that the page shows the form again
// with what was typed.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return permit.Errorf(permit.EINVALID, "forms.error.too_large", maxForm>>10)
		}
		return errInvalidForm
	}
	return CheckValues(r.PostForm)
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

// multiLine are the fields written in a text area (messages, reports,
// reasons, notes): the only ones where a tab or a line break is text, and
// where a right-to-left mark may be needed; they are isolated wherever
// they are shown. TestEveryTextAreaIsMultiLine keeps the list true.
var multiLine = map[string]bool{
	"body": true, "description": true, "note": true, "reason": true, "explanation": true,
	"favourable_note": true, "close_reason": true, "reopen_reason": true, "undo_reason": true,
	"answer": true, "accept_note": true, "description_fr": true, "description_en": true,
	"code": true, // a verifier's pasted code, which may wrap
}

// secret are the fields never stored nor shown as typed: a direction mark
// is refused in no password.
var secret = map[string]bool{"password": true, "confirm": true}

// CheckValues checks every value of a form (CheckValue) and returns the
// field errors, nil when there is none.
func CheckValues(v url.Values) error {
	errs, args := map[string]string{}, map[string][]any{}
	for name, values := range v {
		for _, value := range values {
			if key, a := CheckValue(name, value); key != "" {
				errs[name], args[name] = key, a
				break
			}
		}
	}
	return permit.InvalidWith(errs, args)
}

// CheckValue says what is wrong with one value of the field name, as a
// translation key and its arguments, or "" when nothing is. Refused
// everywhere: a value over maxField, bytes that are not UTF-8, and the
// control characters (C0, DEL, C1: a NUL is refused by PostgreSQL, BEL
// and the like are no text), except a tab or a line break in a
// multi-line field. Refused in single-line fields (names, addresses,
// e-mail addresses, numbers), but for passwords: the invisible controls
// of the text's direction (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
// U+061C), which can make a name read differently from what it holds.
func CheckValue(name, value string) (string, []any) {
	if len(value) > maxField {
		return "forms.error.too_long", []any{maxField >> 10}
	}
	if !utf8.ValidString(value) {
		return "forms.error.encoding", nil
	}
	for _, c := range value {
		switch {
		case c == '\t' || c == '\n' || c == '\r':
			if !multiLine[name] {
				return "forms.error.control", nil
			}
		case c < 0x20 || c >= 0x7f && c <= 0x9f:
			return "forms.error.control", nil
		case Bidi(c) && !multiLine[name] && !secret[name]:
			return "forms.error.bidi", nil
		}
	}
	return "", nil
}

// Bidi reports whether c is an invisible control of the text's
// direction: the embeddings and overrides, the isolates, and the marks.
func Bidi(c rune) bool {
	return c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 || c == 0x200e || c == 0x200f || c == 0x061c
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
// before reading it all. Its other values are checked as ParseForm's
// are, the file's name as a single-line value of the file's field; on a
// field error, values hold everything typed, so that the page shows it
// again.
func (s *Server) ReadUpload(w http.ResponseWriter, r *http.Request, field string) (name string, data []byte, values map[string]string, err error) {
	limit := s.opts.Documents.Limits.MaxBytes
	r.Body = http.MaxBytesReader(w, r.Body, limit+maxUploadOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, nil, permit.Invalid(map[string]string{field: "upload.unreadable"})
	}
	values = map[string]string{}
	errs, args := map[string]string{}, map[string][]any{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, values, uploadReadError(field, err, limit)
		}
		isFile := part.FormName() == field && part.FileName() != ""
		bound := int64(maxField)
		if isFile {
			bound = limit
		}
		b, err := io.ReadAll(io.LimitReader(part, bound+1))
		if err != nil {
			return "", nil, values, uploadReadError(field, err, limit)
		}
		if isFile {
			name, data = part.FileName(), b
			if key, a := CheckValue(field+".name", name); key != "" {
				errs[field], args[field] = key, a
			}
			continue
		}
		values[part.FormName()] = string(b)
		if key, a := CheckValue(part.FormName(), string(b)); key != "" {
			errs[part.FormName()], args[part.FormName()] = key, a
		}
	}
	if int64(len(data)) > limit {
		errs[field], args[field] = "upload.too_large", []any{int(limit >> 20)}
	}
	if err := permit.InvalidWith(errs, args); err != nil {
		return "", nil, values, err
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

// MessageForm is a message form as posted.
type MessageForm struct {
	Body       string
	Attachment *casework.Attachment // nil without one
	Once       string               // the form's one-time key
}

// ReadMessage reads a message form: its text, an optional attachment and
// its one-time key. On a field error the text and the key are kept, for
// the page to show the form again.
func (s *Server) ReadMessage(w http.ResponseWriter, r *http.Request) (MessageForm, error) {
	name, data, values, err := s.ReadUpload(w, r, "attachment")
	f := MessageForm{Body: values["body"], Once: values[OnceField]}
	if err == nil && len(data) > 0 {
		f.Attachment = &casework.Attachment{Filename: name, Data: data}
	}
	return f, err
}

// IsNotFound reports whether err is the domain's "not found".
func IsNotFound(err error) bool { return permit.ErrorCode(err) == permit.ENOTFOUND }

// checkAddress refuses, before any page, an address whose path or query
// holds bytes that are not UTF-8 or a control character: a search or a
// filter reaches the database with what it holds, and PostgreSQL refuses
// a NUL with an error that would otherwise be a server fault. A
// direction control is text there (a name searched for may need one).
func (s *Server) checkAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if addressText(r.URL.Path) && queryText(r.URL.RawQuery) {
			next.ServeHTTP(w, r)
			return
		}
		s.RenderError(w, r, permit.Errorf(permit.EINVALID, "forms.error.address"))
	})
}

func queryText(raw string) bool {
	q, _ := url.ParseQuery(raw) // what parses, as r.URL.Query gives it to the pages
	for k, vs := range q {
		if !addressText(k) {
			return false
		}
		for _, v := range vs {
			if !addressText(v) {
				return false
			}
		}
	}
	return true
}

func addressText(v string) bool {
	key, _ := CheckValue("", v)
	return key == "" || key == "forms.error.bidi"
}

// OnceField is the hidden field of a form that creates something: its
// one-time key, drawn when the form is shown (Page.Once), so that the
// same form sent twice is recognised (docs/architecture.md, "Resends").
const OnceField = "envoi"

// Once is the one-time key of the page's form that creates something:
// the one it was sent with when it comes back with errors (nothing was
// made with it), else a new one.
func (p *Page) Once() string {
	if k := p.Values[OnceField]; casework.ValidResendKey(k) {
		return k
	}
	return casework.NewResendKey()
}

// Once runs create, the use case of a form that creates something of
// kind (permit.ResendMessage...), with the form's one-time key, and
// returns the id of what it made. A key that made something already
// returns that, creating nothing: the page answers a resend as it
// answered the first send. So does a key that a send committing meanwhile
// took (create then fails on the key, making nothing either).
func (s *Server) Once(r *http.Request, kind, key string, create func(ctx context.Context) (int64, error)) (int64, error) {
	var resends *casework.Resends
	if s.opts.UseCases != nil {
		resends = s.opts.UseCases.Resends
	}
	acc := Account(r)
	ctx, earlier, err := resends.Once(r.Context(), acc, kind, key)
	if err != nil || earlier != 0 {
		return earlier, err
	}
	id, err := create(ctx)
	if permit.ErrorCode(err) == permit.ECONFLICT {
		if _, earlier, lerr := resends.Once(r.Context(), acc, kind, key); lerr == nil && earlier != 0 {
			return earlier, nil
		}
	}
	return id, err
}
