// Package public serves the pages anyone may open, with or without an
// account: the home page, the health checks, the attestation verifier
// (page, JSON API and key set), sign-up, log-in and log-out, the password
// reset, the language switch, the status of the portal (page, feed and
// JSON), and reporting a problem and following the
// report by its code.
package public

import (
	"runtime"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/upload"
	"github.com/sejour/sejour/internal/web"
)

// Pages are the public pages. They render through the core server and
// call only the use cases named here.
type Pages struct {
	*web.Server
	Accounts *casework.Accounts
	Reports  *casework.Reports
	Verifier *casework.Verifier
	Outages  *casework.Outages // the public status
	// Appointments are the counter appointments anyone books (issue 18).
	Appointments *casework.Appointments
	// Statistics are the public figures on processing times (issue 16).
	Statistics *casework.Statistics
	DB         web.Pinger             // the readiness check
	KeySet     func() ([]byte, error) // the public keys of attestation codes, as a JWK set
	// Checks bounds the photos of QR codes read at once, with the
	// uploads' checks of the process (web.Options.Checks).
	Checks *upload.Gate
}

// New returns the public pages: p, with a gate of its own for the photos
// of QR codes when it has none (one read per processor, as reading one is
// all computation).
func New(p Pages) *Pages {
	if p.Checks == nil {
		p.Checks = upload.NewGate(upload.DefaultGateMemory, runtime.GOMAXPROCS(0))
	}
	return &p
}

// Routes are the public pages' routes.
func (s *Pages) Routes() []web.Route {
	return []web.Route{
		{Pattern: paths.Get(paths.Home), Who: web.Anyone, Handler: s.home},
		{Pattern: paths.Get(paths.Healthz), Who: web.Anyone, Handler: s.healthz},
		{Pattern: paths.Get(paths.Readyz), Who: web.Anyone, Handler: s.readyz},
		{Pattern: paths.Get(paths.Language), Who: web.Anyone, Handler: s.switchLanguage},
		{Pattern: paths.Get(paths.Verify), Who: web.Anyone, Handler: s.verifyForm},
		{Pattern: paths.Post(paths.Verify), Who: web.Anyone, Handler: s.verify},
		{Pattern: paths.Post(paths.APIVerify), Who: web.Anyone, Handler: s.apiVerify, Limit: "verify-ip"},
		{Pattern: paths.Preflight(paths.APIVerify), Who: web.Anyone, Handler: s.apiVerifyPreflight},
		{Pattern: paths.Get(paths.KeySet), Who: web.Anyone, Handler: s.keySet},
		{Pattern: paths.Get(paths.Status), Who: web.Anyone, Handler: s.status},
		{Pattern: paths.Get(paths.StatusFeed), Who: web.Anyone, Handler: s.statusFeed},
		{Pattern: paths.Get(paths.APIStatus), Who: web.Anyone, Handler: s.apiStatus, Limit: "status-ip"},
		{Pattern: paths.Get(paths.Statistics), Who: web.Anyone, Handler: s.statisticsPage},
		{Pattern: paths.Get(paths.StatisticsCSV), Who: web.Anyone, Handler: s.statisticsCSV},
		{Pattern: paths.Get(paths.StatisticsJSON), Who: web.Anyone, Handler: s.statisticsJSON},
		{Pattern: paths.Get(paths.StatisticsSchema), Who: web.Anyone, Handler: s.statisticsSchema},
		{Pattern: paths.Get(paths.VerifyOffline), Who: web.Anyone, Handler: s.verifyOffline},
		{Pattern: paths.Get(paths.VerifyWorker), Who: web.Anyone, Handler: s.Worker("verify-offline-sw.js")},

		{Pattern: paths.Get(paths.SignUp), Who: web.GuestOnly, Handler: s.Show("signup", "signup.title")},
		{Pattern: paths.Post(paths.SignUp), Who: web.GuestOnly, Handler: s.signUp},
		{Pattern: paths.Get(paths.SignUpSent), Who: web.Anyone, Handler: s.Show("signup_sent", "signup_sent.title")},
		{Pattern: paths.Get(paths.Confirm), Who: web.Anyone, Handler: s.confirm},
		{Pattern: paths.Get(paths.LogIn), Who: web.GuestOnly, Handler: s.logInForm},
		{Pattern: paths.Post(paths.LogIn), Who: web.GuestOnly, Handler: s.logIn},
		{Pattern: paths.Post(paths.LogOut), Who: web.SignedIn, Handler: s.logOut},
		{Pattern: paths.Get(paths.Forgot), Who: web.Anyone, Handler: s.Show("forgot", "forgot.title")},
		{Pattern: paths.Post(paths.Forgot), Who: web.Anyone, Handler: s.forgot},
		{Pattern: paths.Get(paths.Reset), Who: web.Anyone, Handler: s.Show("reset", "reset.title")},
		{Pattern: paths.Post(paths.Reset), Who: web.Anyone, Handler: s.reset},
		{Pattern: paths.Get(paths.Unlock), Who: web.Anyone, Handler: s.unlock},

		// Anyone reports a problem, and follows the report by its code.
		{Pattern: paths.Get(paths.Report), Who: web.Anyone, Handler: s.reportForm},
		{Pattern: paths.Post(paths.Report), Who: web.Anyone, Handler: s.report},
		{Pattern: paths.Get(paths.Follow), Who: web.Anyone, Handler: s.lookupForm},
		{Pattern: paths.Post(paths.Follow), Who: web.Anyone, Handler: s.lookup},
		{Pattern: paths.Get(paths.FollowCode), Who: web.Anyone, Handler: s.follow},
		{Pattern: paths.Post(paths.FollowCode), Who: web.Anyone, Handler: s.replyFollow},
		{Pattern: paths.Get(paths.FollowShot), Who: web.Anyone, Handler: s.followScreenshot},

		// Anyone books a counter appointment, with or without an account
		// (an agent for a caller), and manages it by its signed link.
		{Pattern: paths.Get(paths.Appointments), Who: web.Anyone, Handler: s.bookingPage},
		{Pattern: paths.Post(paths.Appointments), Who: web.Anyone, Handler: s.book},
		{Pattern: paths.Get(paths.AppointmentManage), Who: web.Anyone, Handler: s.manage},
		{Pattern: paths.Post(paths.AppointmentCancel), Who: web.Anyone, Handler: s.cancelBooking},
		{Pattern: paths.Post(paths.AppointmentMove), Who: web.Anyone, Handler: s.moveBooking},
	}
}
