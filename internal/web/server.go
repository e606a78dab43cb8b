// Package web serves sejour's pages: server-rendered HTML (html/template,
// embedded and parsed once), styled with the State design system, usable
// without JavaScript. Handlers return errors; one function turns an error
// into a status and a translated page with a reference the user can quote.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// Pinger tells whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Outbox is what the development mail page reads.
type Outbox interface {
	RecentMails(ctx context.Context, limit int) ([]*permit.Mail, error)
	Mail(ctx context.Context, id int64) (*permit.Mail, error)
}

// Options are the parts a Server is made of.
type Options struct {
	Accounts *casework.Accounts
	*casework.UseCases
	Rules    *rules.Catalogue
	Receipts ReceiptRenderer
	DB       Pinger
	Outbox   Outbox
	Tr       *i18n.Catalogue
	Clock    clock.Clock
	Logger   *slog.Logger
	BaseURL  string
	Dev      bool // serve the development pages (mail outbox)
	// KeySet returns the public keys of attestation codes, as a JWK set.
	KeySet func() ([]byte, error)
}

// Server is the HTTP face of sejour.
type Server struct {
	Options
	views   *views
	static  *staticFiles
	limits  *limits
	qrSlots chan struct{}
	handler http.Handler
}

// New builds a server: it parses the templates and hashes the static
// files once, and assembles the routes and middleware.
func New(o Options) (*Server, error) {
	s := &Server{Options: o, limits: newLimits(o.Clock), qrSlots: make(chan struct{}, runtime.GOMAXPROCS(0))}
	var err error
	if s.static, err = newStaticFiles(); err != nil {
		return nil, err
	}
	if s.views, err = parseViews(s.static); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.guard(rt))
	}
	mux.Handle("/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}))
	cop := http.NewCrossOriginProtection()
	// The JSON verifier changes nothing and is meant for other sites' code.
	cop.AddInsecureBypassPattern("POST /api/v1/verify")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, permit.Errorf(permit.EFORBIDDEN, "error.cross_origin"))
	}))
	s.handler = s.recover(securityHeaders(s.language(s.session(cop.Handler(mux)))))
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }
