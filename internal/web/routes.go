package web

import (
	"net/http"
	"strings"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// Who says who may call a route. Every route names one; guard enforces it
// before the handler runs, and routes_test.go tries every route as every
// kind of caller.
type Who int

const (
	Anyone     Who = iota // public: no session needed
	GuestOnly             // only when logged out (sign-up, log-in); others go to their home
	SignedIn              // any logged-in account
	Applicant             // applicants only
	Staff                 // agents (supervisors included) and admins only
	Supervisor            // supervisors and admins only
	AdminOnly             // admins only
	DevOnly               // only when the development pages are on, and only to this machine (loopback)
	// StaffPending is the second-factor pages: staff whose session has not
	// passed the second factor yet. The back office's other audiences
	// (Staff, Supervisor, AdminOnly, Support, HelpDesk) send such a session
	// here first.
	StaffPending
	Support  // the support queue: help desk, agents (supervisors included) and admins
	HelpDesk // the help desk and admins only (the incidents)
	// Employer is an employer's members (issue 14): the check and the
	// organisation's history. Checking needs no second factor, so that an
	// organisation signed up checks at once.
	Employer
	// EmployerAdmin is the administrators of an employer's organisation
	// (members, API keys), once their session passed the second factor.
	EmployerAdmin
	// APIClient is a program holding an organisation's API key
	// (Authorization: Bearer); a session counts for nothing, and a call
	// without a key is 401 before the handler runs.
	APIClient
)

// Route is one page or action: its pattern (method and path, as
// http.ServeMux reads them), who may call it, and its handler.
type Route struct {
	Pattern string
	Who     Who
	Handler HandlerFunc
	// Limit is the rate limit (a kind of limits.go, per client address)
	// of a route of the API that no key calls; empty: LimitAPIIP. A
	// route of API keys is limited per key (LimitAPIKey).
	Limit string
}

// SecondFactorPath is the page every back-office route sends a staff
// session to until it has passed the second factor.
const SecondFactorPath = string(paths.SecondFactor)

// coreRoutes are the routes that belong to no audience: the static files,
// and the development outbox.
func (s *Server) coreRoutes() []Route {
	return []Route{
		{Pattern: paths.Get(paths.Static), Who: Anyone, Handler: s.serveStatic},
		{Pattern: paths.Get(paths.PaperForm), Who: Anyone, Handler: s.paperForm},
		{Pattern: paths.Get(paths.DevMails), Who: DevOnly, Handler: s.devMails},
		{Pattern: paths.Get(paths.DevMail), Who: DevOnly, Handler: s.devMail},
		{Pattern: paths.Get(paths.APIOpenAPI), Who: Anyone, Handler: s.openAPI},
	}
}

// guard checks a route's audience, then runs its handler. An anonymous
// caller of a private page is sent to log in; a logged-in caller of the
// wrong role gets "not found", which says nothing about what exists.
func (s *Server) guard(rt Route) http.Handler {
	if _, path, _ := strings.Cut(rt.Pattern, " "); (strings.HasPrefix(path, APIPrefix) || strings.HasPrefix(rt.Pattern, APIPrefix)) &&
		(rt.Who == Anyone || rt.Who == APIClient) {
		return s.Handle(s.apiRoute(rt))
	}
	return s.Handle(func(w http.ResponseWriter, r *http.Request) error {
		a := Account(r)
		// A page that depends on the session must not be kept by the
		// browser or any cache: after log-out, Back would show it again.
		// Set here, before the handler, so that no page can forget it.
		if rt.Who.NeedsSession() || a != nil {
			w.Header().Set("Cache-Control", "no-store")
		}
		switch rt.Who {
		case GuestOnly:
			if a != nil {
				http.Redirect(w, r, HomeOf(a), http.StatusSeeOther)
				return nil
			}
		case SignedIn, Applicant, Staff, Supervisor, AdminOnly, Support, HelpDesk, Employer, EmployerAdmin:
			if a == nil {
				http.Redirect(w, r, paths.LogIn.String()+"?suite="+SafeNext(r.URL.RequestURI()), http.StatusSeeOther)
				return nil
			}
			if (rt.Who == Applicant && a.Role != permit.RoleApplicant) ||
				(rt.Who == Staff && !a.Staff()) ||
				(rt.Who == Supervisor && !a.Supervises()) ||
				(rt.Who == AdminOnly && !a.Admin()) ||
				(rt.Who == Support && !a.Backoffice()) ||
				(rt.Who == HelpDesk && !a.HelpDesk() && !a.Admin()) ||
				(rt.Who == Employer && !a.Employer()) ||
				(rt.Who == EmployerAdmin && !(a.Employer() && a.OrgAdmin)) {
				return permit.Errorf(permit.ENOTFOUND, "error.not_found")
			}
			if rt.Who != SignedIn && rt.Who != Applicant && rt.Who != Employer && casework.NeedsSecondFactor(a, Session(r)) {
				http.Redirect(w, r, SecondFactorPath+"?suite="+SafeNext(r.URL.RequestURI()), http.StatusSeeOther)
				return nil
			}
		case StaffPending:
			if a == nil {
				http.Redirect(w, r, paths.LogIn.String()+"?suite="+SafeNext(r.URL.RequestURI()), http.StatusSeeOther)
				return nil
			}
			if !a.SecondFactorRequired() {
				return permit.Errorf(permit.ENOTFOUND, "error.not_found")
			}
			if !casework.NeedsSecondFactor(a, Session(r)) {
				http.Redirect(w, r, HomeOf(a), http.StatusSeeOther)
				return nil
			}
		case DevOnly:
			if !s.Dev || !loopback(r) {
				return permit.Errorf(permit.ENOTFOUND, "error.not_found")
			}
		case APIClient:
			return permit.Errorf(permit.ENOTFOUND, "error.not_found") // a key's route is under /api/
		}
		return rt.Handler(w, r)
	})
}

// NeedsSession says whether only a logged-in caller gets the route's page:
// such pages are never stored by a cache.
func (w Who) NeedsSession() bool {
	switch w {
	case SignedIn, Applicant, Staff, Supervisor, AdminOnly, StaffPending, Support, HelpDesk, Employer, EmployerAdmin:
		return true
	}
	return false
}

// HomeOf is where an account lands after logging in.
func HomeOf(a *permit.Account) string {
	switch a.Role {
	case permit.RoleApplicant:
		return paths.Dashboard.String()
	case permit.RoleHelpDesk:
		return paths.Support.String()
	case permit.RoleEmployer:
		return paths.EmployerHome.String()
	}
	return paths.Agent.String()
}

// BearerKey is the API key of an Authorization: Bearer header, if any.
func BearerKey(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, key, ok := strings.Cut(h, " ")
	key = strings.TrimSpace(key)
	if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
		return "", false
	}
	return key, true
}
