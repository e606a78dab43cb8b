// Package public serves the pages anyone may open, with or without an
// account: the home page, the health checks, the attestation verifier
// (page, JSON API and key set), sign-up, log-in and log-out, the password
// reset, the language switch, and reporting a problem and following the
// report by its code.
package public

import (
	"runtime"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/web"
)

// Pages are the public pages. They render through the core server and
// call only the use cases named here.
type Pages struct {
	*web.Server
	Accounts *casework.Accounts
	Reports  *casework.Reports
	Verifier *casework.Verifier
	DB       web.Pinger             // the readiness check
	KeySet   func() ([]byte, error) // the public keys of attestation codes, as a JWK set
	qrSlots  chan struct{}
}

// New returns the public pages: p with the bound on photos of QR codes
// read at once (one per processor, as reading one is all computation).
func New(p Pages) *Pages {
	p.qrSlots = make(chan struct{}, runtime.GOMAXPROCS(0))
	return &p
}

// Routes are the public pages' routes.
func (s *Pages) Routes() []web.Route {
	return []web.Route{
		{Pattern: "GET /{$}", Who: web.Anyone, Handler: s.home},
		{Pattern: "GET /healthz", Who: web.Anyone, Handler: s.healthz},
		{Pattern: "GET /readyz", Who: web.Anyone, Handler: s.readyz},
		{Pattern: "GET /langue/{lang}", Who: web.Anyone, Handler: s.switchLanguage},
		{Pattern: "GET /verifier", Who: web.Anyone, Handler: s.verifyForm},
		{Pattern: "POST /verifier", Who: web.Anyone, Handler: s.verify},
		{Pattern: "POST /api/v1/verify", Who: web.Anyone, Handler: s.apiVerify},
		{Pattern: "GET /.well-known/sejour/keys.json", Who: web.Anyone, Handler: s.keySet},

		{Pattern: "GET /inscription", Who: web.GuestOnly, Handler: s.signUpForm},
		{Pattern: "POST /inscription", Who: web.GuestOnly, Handler: s.signUp},
		{Pattern: "GET /inscription/envoyee", Who: web.Anyone, Handler: s.signUpSent},
		{Pattern: "GET /confirmer/{token}", Who: web.Anyone, Handler: s.confirm},
		{Pattern: "GET /connexion", Who: web.GuestOnly, Handler: s.logInForm},
		{Pattern: "POST /connexion", Who: web.GuestOnly, Handler: s.logIn},
		{Pattern: "POST /deconnexion", Who: web.SignedIn, Handler: s.logOut},
		{Pattern: "GET /mot-de-passe-oublie", Who: web.Anyone, Handler: s.forgotForm},
		{Pattern: "POST /mot-de-passe-oublie", Who: web.Anyone, Handler: s.forgot},
		{Pattern: "GET /reinitialiser/{token}", Who: web.Anyone, Handler: s.resetForm},
		{Pattern: "POST /reinitialiser/{token}", Who: web.Anyone, Handler: s.reset},

		// Anyone reports a problem, and follows the report by its code.
		{Pattern: "GET /signaler", Who: web.Anyone, Handler: s.reportForm},
		{Pattern: "POST /signaler", Who: web.Anyone, Handler: s.report},
		{Pattern: "GET /suivi", Who: web.Anyone, Handler: s.lookupForm},
		{Pattern: "POST /suivi", Who: web.Anyone, Handler: s.lookup},
		{Pattern: "GET /suivi/{token}", Who: web.Anyone, Handler: s.follow},
		{Pattern: "POST /suivi/{token}", Who: web.Anyone, Handler: s.replyFollow},
		{Pattern: "GET /suivi/{token}/capture", Who: web.Anyone, Handler: s.followScreenshot},
	}
}
