package web

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

// who says who may call a route. Every route names one; guard enforces it
// before the handler runs, and routes_test.go tries every route as every
// kind of caller.
type who int

const (
	anyone     who = iota // public: no session needed
	guestOnly             // only when logged out (sign-up, log-in); others go to their home
	signedIn              // any logged-in account
	applicant             // applicants only
	staff                 // agents (supervisors included) and admins only
	supervisor            // supervisors and admins only
	adminOnly             // admins only
	devOnly               // only when the development pages are on
	// staffPending is the second-factor pages: staff whose session has not
	// passed the second factor yet. The back office's other audiences
	// (staff, supervisor, adminOnly, support, helpDesk) send such a session
	// here first.
	staffPending
	support  // the support queue: help desk, agents (supervisors included) and admins
	helpDesk // the help desk and admins only (the incidents)
)

type route struct {
	pattern string
	who     who
	handler handlerFunc
}

// routes is the whole site map: what exists, and who may call it. The
// back office's parts keep their routes beside their handlers, in the
// routes_*.go files, and are listed here.
func (s *Server) routes() []route {
	var all []route
	for _, part := range [][]route{s.coreRoutes(), s.staffAuthRoutes(), s.queueRoutes(), s.auditRoutes(), s.counterRoutes(), s.decisionRoutes(), s.remedyRoutes(), s.supportRoutes(), s.contactRoutes()} {
		all = append(all, part...)
	}
	return all
}

// coreRoutes are the public pages, the applicant's and the first staff pages.
func (s *Server) coreRoutes() []route {
	return []route{
		{"GET /{$}", anyone, s.home},
		{"GET /healthz", anyone, s.healthz},
		{"GET /readyz", anyone, s.readyz},
		{"GET /static/{version}/{path...}", anyone, s.serveStatic},
		{"GET /langue/{lang}", anyone, s.switchLanguage},
		{"GET /verifier", anyone, s.verifyForm},
		{"POST /verifier", anyone, s.verify},
		{"POST /api/v1/verify", anyone, s.apiVerify},
		{"GET /.well-known/sejour/keys.json", anyone, s.keySet},

		{"GET /inscription", guestOnly, s.signUpForm},
		{"POST /inscription", guestOnly, s.signUp},
		{"GET /inscription/envoyee", anyone, s.signUpSent},
		{"GET /confirmer/{token}", anyone, s.confirm},
		{"GET /connexion", guestOnly, s.logInForm},
		{"POST /connexion", guestOnly, s.logIn},
		{"POST /deconnexion", signedIn, s.logOut},
		{"GET /mot-de-passe-oublie", anyone, s.forgotForm},
		{"POST /mot-de-passe-oublie", anyone, s.forgot},
		{"GET /reinitialiser/{token}", anyone, s.resetForm},
		{"POST /reinitialiser/{token}", anyone, s.reset},

		{"GET /tableau-de-bord", applicant, s.dashboard},
		{"GET /profil", applicant, s.profileForm},
		{"POST /profil", applicant, s.saveProfile},
		{"GET /demandes/nouvelle", applicant, s.startForm},
		{"POST /demandes/nouvelle", applicant, s.start},
		{"GET /demandes/{id}", applicant, s.application},
		{"POST /demandes/{id}/documents/{slot}", applicant, s.uploadDocument},
		{"POST /demandes/{id}/documents/{slot}/retirer", applicant, s.removeDocument},
		{"GET /demandes/{id}/fichiers/{doc}", applicant, s.downloadDocument},
		{"POST /demandes/{id}/timbre", applicant, s.feeStamp},
		{"POST /demandes/{id}/deposer", applicant, s.file},
		{"GET /demandes/{id}/recepisse", applicant, s.receipt},
		{"GET /demandes/{id}/recepisse.pdf", applicant, s.receiptPDF},
		{"GET /demandes/{id}/attestations/{att}", applicant, s.attestationPDF},
		{"POST /demandes/{id}/messages", applicant, s.postMessage},
		{"POST /demandes/{id}/completer", applicant, s.resubmit},
		{"GET /demandes/{id}/retrait", applicant, s.withdrawForm},
		{"POST /demandes/{id}/retrait", applicant, s.withdraw},

		{"GET /agent/demandes/{id}", staff, s.staffCase},
		{"POST /agent/demandes/{id}/instruction", staff, s.startReview},
		{"POST /agent/demandes/{id}/pieces", staff, s.requestCompletion},
		{"POST /agent/demandes/{id}/messages", staff, s.staffMessage},
		{"GET /agent/demandes/{id}/fichiers/{doc}", staff, s.downloadDocument},

		{"GET /dev/courriels", devOnly, s.devMails},
		{"GET /dev/courriels/{id}", devOnly, s.devMail},
	}
}

// guard checks a route's audience, then runs its handler. An anonymous
// caller of a private page is sent to log in; a logged-in caller of the
// wrong role gets "not found", which says nothing about what exists.
func (s *Server) guard(rt route) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		a := account(r)
		switch rt.who {
		case guestOnly:
			if a != nil {
				http.Redirect(w, r, homeOf(a), http.StatusSeeOther)
				return nil
			}
		case signedIn, applicant, staff, supervisor, adminOnly, support, helpDesk:
			if a == nil {
				http.Redirect(w, r, "/connexion?suite="+safeNext(r.URL.RequestURI()), http.StatusSeeOther)
				return nil
			}
			if (rt.who == applicant && a.Role != permit.RoleApplicant) ||
				(rt.who == staff && !a.Staff()) ||
				(rt.who == supervisor && !a.Supervises()) ||
				(rt.who == adminOnly && !a.Admin()) ||
				(rt.who == support && !a.Backoffice()) ||
				(rt.who == helpDesk && !a.HelpDesk() && !a.Admin()) {
				return permit.Errorf(permit.ENOTFOUND, "error.not_found")
			}
			if rt.who != signedIn && rt.who != applicant && casework.NeedsSecondFactor(a, session(r)) {
				http.Redirect(w, r, secondFactorPath+"?suite="+safeNext(r.URL.RequestURI()), http.StatusSeeOther)
				return nil
			}
		case staffPending:
			if a == nil {
				http.Redirect(w, r, "/connexion?suite="+safeNext(r.URL.RequestURI()), http.StatusSeeOther)
				return nil
			}
			if !a.Backoffice() {
				return permit.Errorf(permit.ENOTFOUND, "error.not_found")
			}
			if !casework.NeedsSecondFactor(a, session(r)) {
				http.Redirect(w, r, homeOf(a), http.StatusSeeOther)
				return nil
			}
		case devOnly:
			if !s.Dev {
				return permit.Errorf(permit.ENOTFOUND, "error.not_found")
			}
		}
		return rt.handler(w, r)
	})
}

// homeOf is where an account lands after logging in.
func homeOf(a *permit.Account) string {
	switch a.Role {
	case permit.RoleApplicant:
		return "/tableau-de-bord"
	case permit.RoleHelpDesk:
		return "/support"
	}
	return "/agent"
}
