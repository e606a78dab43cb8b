package web

import (
	"crypto/rand"
	"errors"
	"net/http"
	"strings"

	"github.com/sejour/sejour/internal/permit"
)

// handlerFunc is a page handler: it writes a response or returns an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// codes maps domain error codes to HTTP statuses, in one place.
var codes = map[string]int{
	permit.ECONFLICT:     http.StatusConflict,
	permit.EINVALID:      http.StatusUnprocessableEntity,
	permit.ENOTFOUND:     http.StatusNotFound,
	permit.EFORBIDDEN:    http.StatusForbidden,
	permit.EUNAUTHORIZED: http.StatusUnauthorized,
	permit.EUNAVAILABLE:  http.StatusServiceUnavailable,
	permit.ERATELIMIT:    http.StatusTooManyRequests,
	permit.EINTERNAL:     http.StatusInternalServerError,
}

func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// errorView is the error page: what happened in plain words, and a
// reference to quote to the help desk, which is also in the log.
type errorView struct {
	*Page
	Status    int
	Message   string
	Reference string
}

// renderError writes the error page. Internal errors are logged once,
// here, with the reference shown to the user; their detail never reaches
// the page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := permit.ErrorCode(err)
	status := codes[code]
	ref := newReference()
	if code == permit.EINTERNAL || code == permit.EUNAVAILABLE {
		s.Logger.Error("request failed", "ref", ref, "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p := s.page(r, "error.title")
	key, args := permit.ErrorMessage(err)
	if errors.Is(err, http.ErrHandlerTimeout) {
		key = "error.internal"
	}
	v := &errorView{Page: p, Status: status, Message: p.T(key, args...), Reference: ref}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "error", v)
}

// newReference returns a short reference, easy to read aloud on the phone:
// no 0/O or 1/I confusion.
func newReference() string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, 8)
	rand.Read(b)
	var sb strings.Builder
	sb.WriteString("ERR-")
	for i, c := range b {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}
