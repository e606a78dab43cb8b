// Package web serves sejour's pages: server-rendered HTML (html/template,
// embedded and parsed once), styled with the State design system, usable
// without JavaScript. Handlers return errors; one function turns an error
// into a status and a translated page with a reference the user can quote.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/upload"
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

// Options are what the site is made of. The core keeps what its
// middleware needs (the session's accounts, the incidents' reports, the
// upload limit); package portal hands each audience the rest it needs.
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
	// TrustedProxies are the reverse proxies whose X-Forwarded-For gives
	// the client's address (SEJOUR_TRUSTED_PROXIES); with none, the
	// client is the TCP peer.
	TrustedProxies []netip.Prefix
	// LimitCapacity bounds the keys the rate limits keep in memory
	// (DefaultLimitCapacity when zero).
	LimitCapacity int
	// APIKeyRate is the requests an API key may make a minute
	// (SEJOUR_API_KEY_RATE; DefaultAPIKeyRate when zero).
	APIKeyRate int
	// Limits, when set, keeps the rate limits where every instance
	// counts against the same buckets (store.Limits); nil keeps them in
	// this process's memory.
	Limits LimitStore
	// KeySet returns the public keys of attestation codes, as a JWK set.
	KeySet func() ([]byte, error)
	// Health watches the database, the blob store and the mail relay
	// (/readyz, the outage page, the read-only mode); nil in unit tests
	// that build a server without one, where the database is pinged.
	Health *health.Monitor
	// PaperForm is the backup paper form's PDF, rendered at start-up
	// (attest.RenderPaperForm), served even when nothing else works.
	PaperForm []byte
	// Tokens sign the session proof cookie (decision 0009); nil: no proof.
	Tokens casework.TokenSigner
	// Checks bounds the checks of uploaded content running at once in
	// the process: the verifier's photos share it with the documents'
	// checks (casework.Config.Checks); nil: a gate of the verifier's own.
	Checks *upload.Gate
	// Previews draws the PDFs staff preview, weighed on Checks; nil: a
	// previewer of the back office's own on Checks.
	Previews *upload.Previewer
	// Observer is told of every answered request, with its route pattern
	// (package metrics); nil: none.
	Observer RequestObserver
}

// Server is the core of the HTTP face of sejour: the middleware, the
// route table with its audiences, rendering and errors, static files. The
// pages themselves are the audiences' (public, applicant, backoffice,
// support, admin), each a Part mounted by New; the core holds no use case
// but those its middleware needs (the session, the incidents).
type Server struct {
	// What every audience's pages share: the catalogues, the clock, the
	// logger, the site's address.
	Rules   *rules.Catalogue
	Tr      *i18n.Catalogue
	Clock   clock.Clock
	Logger  *slog.Logger
	BaseURL string
	Dev     bool // serve the development pages (mail outbox)
	// Health is the dependencies' monitor (Options.Health), nil when none.
	Health *health.Monitor
	// Modes is the read-only mode, an admin's or the monitor's.
	Modes *Modes

	incidents pendingIncidents // those the database could not take yet
	opts      Options
	views     *views
	static    *staticFiles
	limits    *limits
	inFlight  inFlight // the API's idempotency keys being answered now
	routes    []Route
	outage    *http.ServeMux // the routes a session proof may call
	handler   http.Handler
}

// A Part is one audience's pages: the routes it serves, each with who may
// call it. An audience is added by writing a Part and listing it where the
// program assembles the site (package portal).
type Part interface {
	Routes() []Route
}

// New builds a server: it parses the templates and hashes the static
// files once, asks parts for the audiences' pages (they render through
// the server it is given), and assembles the routes and middleware.
func New(o Options, parts func(*Server) []Part) (*Server, error) {
	s := &Server{Rules: o.Rules, Tr: o.Tr, Clock: o.Clock, Logger: o.Logger, BaseURL: o.BaseURL, Dev: o.Dev,
		Health: o.Health, Modes: &Modes{}, opts: o, limits: newLimits(o.Clock, o.LimitCapacity, o.APIKeyRate), outage: outageMux()}
	if o.Limits != nil {
		s.limits.share(o.Limits, o.Logger)
	}
	if o.Health != nil {
		s.Modes.follow(o.Health)
		o.Health.OnChange(s.whenBack)
	}
	var err error
	if s.static, err = newStaticFiles(); err != nil {
		return nil, err
	}
	if s.views, err = parseViews(s.static); err != nil {
		return nil, err
	}
	if _, err := openAPIJSON(); err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml: %w", err)
	}
	s.routes = s.coreRoutes()
	if parts != nil {
		for _, part := range parts(s) {
			s.routes = append(s.routes, part.Routes()...)
		}
	}
	mux := http.NewServeMux()
	for _, rt := range append(s.routes, s.apiFallbacks(s.routes)...) {
		mux.Handle(rt.Pattern, s.guard(rt))
	}
	mux.Handle("/", s.Handle(func(w http.ResponseWriter, r *http.Request) error {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}))
	cop := http.NewCrossOriginProtection()
	// The JSON verifier changes nothing and is meant for other sites' code.
	cop.AddInsecureBypassPattern(paths.Post(paths.APIVerify))
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.RenderError(w, r, permit.Errorf(permit.EFORBIDDEN, "error.cross_origin"))
	}))
	var routed http.Handler = mux
	if o.Observer != nil {
		routed = notePattern(mux)
	}
	s.handler = s.recover(s.clientAddress(securityHeaders(s.language(s.session(s.checkAddress(cop.Handler(s.readOnly(routed))))))))
	if o.Observer != nil {
		s.handler = s.observe(s.handler)
	}
	return s, nil
}

// Routes is the whole site map, the core's routes and every part's: what
// exists, and who may call it.
func (s *Server) Routes() []Route { return s.routes }

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }
