package web

import (
	"net/http"

	"github.com/sejour/sejour/internal/i18n"
)

// Recover is the panic middleware, for the error page's tests.
func (s *Server) Recover(next http.Handler) http.Handler { return s.recover(next) }

// NewPage is a page in lang outside any request, for the words' tests.
func NewPage(lang string, tr *i18n.Catalogue) *Page { return &Page{Lang: lang, tr: tr} }
