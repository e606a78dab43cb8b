package web_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

// caller is one kind of visitor the route table is tried with.
type caller string

const (
	anon    caller = "anonymous"
	asApp   caller = "applicant"
	asAgent caller = "agent"
	asAdmin caller = "admin"
	// asAgentNo2FA is an agent whose session has not passed the second
	// factor (it has not even enrolled one).
	asAgentNo2FA caller = "agent-pending"
	// asHelpDesk answers reports for every prefecture and opens no case.
	asHelpDesk caller = "help-desk"
	// asEmpAdmin administers employer A and passed the second factor;
	// asEmpPending administers A too, without it; asEmpMember is a member
	// of employer B, who is not its admin (issue 14).
	asEmpAdmin   caller = "employer-admin"
	asEmpPending caller = "employer-pending"
	asEmpMember  caller = "employer-member"
)

var callers = []caller{anon, asApp, asAgent, asAdmin, asAgentNo2FA, asHelpDesk, asEmpAdmin, asEmpPending, asEmpMember}

// outcome is what a caller must get from a route: served (anything but a
// redirect to log in or a not-found), sent to log in, sent home, or not found.
type outcome string

const (
	served   outcome = "served"
	toLogin  outcome = "to-login"
	toHome   outcome = "to-home"
	notFound outcome = "not-found"
	to2FA    outcome = "to-second-factor"
	// noKey is an API call without an API key: 401, whatever the session.
	noKey outcome = "unauthorized"
)

// employers' callers get, on the audiences that are not theirs, what an
// applicant gets; on the second-factor pages, what their second factor
// says.
var employers = map[caller]outcome{asEmpAdmin: notFound, asEmpPending: notFound, asEmpMember: notFound}

// expectations is, for every audience, what each caller gets. A route
// whose audience is missing here fails the test.
var expectations = map[web.Who]map[caller]outcome{
	web.Anyone: {anon: served, asApp: served, asAgent: served, asAdmin: served, asAgentNo2FA: served, asHelpDesk: served,
		asEmpAdmin: served, asEmpPending: served, asEmpMember: served},
	web.GuestOnly: {anon: served, asApp: toHome, asAgent: toHome, asAdmin: toHome, asAgentNo2FA: toHome, asHelpDesk: toHome,
		asEmpAdmin: toHome, asEmpPending: toHome, asEmpMember: toHome},
	// Logging out works while the second factor is pending.
	web.SignedIn: {anon: toLogin, asApp: served, asAgent: served, asAdmin: served, asAgentNo2FA: served, asHelpDesk: served,
		asEmpAdmin: served, asEmpPending: served, asEmpMember: served},
	web.Applicant: with(employers, map[caller]outcome{anon: toLogin, asApp: served, asAgent: notFound, asAdmin: notFound, asAgentNo2FA: notFound, asHelpDesk: notFound}),
	// No back-office route answers a session without the second factor;
	// the help desk opens no case.
	web.Staff: with(employers, map[caller]outcome{anon: toLogin, asApp: notFound, asAgent: served, asAdmin: served, asAgentNo2FA: to2FA, asHelpDesk: notFound}),
	// The agents of this test are not supervisors.
	web.Supervisor: with(employers, map[caller]outcome{anon: toLogin, asApp: notFound, asAgent: notFound, asAdmin: served, asAgentNo2FA: notFound, asHelpDesk: notFound}),
	web.AdminOnly:  with(employers, map[caller]outcome{anon: toLogin, asApp: notFound, asAgent: notFound, asAdmin: served, asAgentNo2FA: notFound, asHelpDesk: notFound}),
	// The second-factor pages serve only sessions still pending, an
	// organisation's admin's too; the others go home; a member who
	// administers nothing has no second factor.
	web.StaffPending: {anon: toLogin, asApp: notFound, asAgent: toHome, asAdmin: toHome, asAgentNo2FA: served, asHelpDesk: toHome,
		asEmpAdmin: toHome, asEmpPending: served, asEmpMember: notFound},
	// The support queue: the agent answers the reports of their
	// prefecture (the test's report is linked to its application).
	web.Support:  with(employers, map[caller]outcome{anon: toLogin, asApp: notFound, asAgent: served, asAdmin: served, asAgentNo2FA: to2FA, asHelpDesk: served}),
	web.HelpDesk: with(employers, map[caller]outcome{anon: toLogin, asApp: notFound, asAgent: notFound, asAdmin: served, asAgentNo2FA: notFound, asHelpDesk: served}),
	// Employers' pages: every member checks, without a second factor
	// (routes naming one of A's records are B's "not found", below).
	web.Employer: {anon: toLogin, asApp: notFound, asAgent: notFound, asAdmin: notFound, asAgentNo2FA: notFound, asHelpDesk: notFound,
		asEmpAdmin: served, asEmpPending: served, asEmpMember: served},
	web.EmployerAdmin: {anon: toLogin, asApp: notFound, asAgent: notFound, asAdmin: notFound, asAgentNo2FA: notFound, asHelpDesk: notFound,
		asEmpAdmin: served, asEmpPending: to2FA, asEmpMember: notFound},
	// The API answers a key, never a session.
	web.APIClient: {anon: noKey, asApp: noKey, asAgent: noKey, asAdmin: noKey, asAgentNo2FA: noKey, asHelpDesk: noKey,
		asEmpAdmin: noKey, asEmpPending: noKey, asEmpMember: noKey},
}

// with is the union of two tables of outcomes.
func with(a, b map[caller]outcome) map[caller]outcome {
	out := map[caller]outcome{}
	for _, m := range []map[caller]outcome{a, b} {
		for c, o := range m {
			out[c] = o
		}
	}
	return out
}

// TestEveryRouteStatesWhoMayCallIt tries every route of the site map as
// every kind of caller.
func TestEveryRouteStatesWhoMayCallIt(t *testing.T) {
	clk := clock.NewFixed(storetest.Start)
	db := storetest.SQLite(t, clk)
	base := newSite(t, db, clk)
	pref := base.prefecture("75", "75")
	// The applicant owns a filed application with documents; the agent
	// works for its prefecture: every identifier in the paths is real.
	id := base.applicantWithFiling(string(asApp) + "@example.org")
	docs, _ := db.Documents(t.Context(), id)
	app, _ := db.Application(t.Context(), id)
	atts, _ := db.Attestations(t.Context(), id)
	loggedIn(t, base, string(asAgent)+"@example.org", permit.RoleAgent, pref.ID)
	loggedIn(t, base, string(asAdmin)+"@example.org", permit.RoleAdmin)
	pendingAccount(t, base, string(asAgentNo2FA)+"@example.org", permit.RoleAgent, pref.ID)
	loggedIn(t, base, string(asHelpDesk)+"@example.org", permit.RoleHelpDesk)
	// A report by the applicant about their application, with a
	// screenshot, whose number is the application's: every {id} of the
	// support routes is real too.
	if report, _ := supportReportFixture(t, base, id); report.ID != id {
		t.Fatalf("the report is number %d, the application %d", report.ID, id)
	}
	// The staff account the admin pages disable and enable: none of the callers.
	target := pendingAccount(t, base, "target@example.org", permit.RoleAgent, pref.ID)
	// A mail, so that the outbox page of mail 1 exists.
	if err := db.EnqueueMail(t.Context(), &permit.Mail{To: "x@example.org", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	// A correction request of the applicant, with a document as evidence.
	person, _ := db.Person(t.Context(), app.PersonID)
	corr := &permit.Correction{PersonID: app.PersonID, RequestedBy: person.AccountID, Evidence: *docs[0],
		Fields: []permit.PersonChange{{Field: permit.FieldSurname, Old: "x", New: "y"}}}
	if err := db.Corrections().RequestCorrection(t.Context(), corr, 0, nil); err != nil {
		t.Fatal(err)
	}
	// An outage, which the admin pages show and correct.
	outage, _, err := store.Outages{DB: db}.RecordDetected(t.Context(), "mail", permit.OutageFunctionsOf("mail"), clk.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Employer A (its admin, and a second admin without a second
	// factor), employer B (a member), a share code of the applicant, a
	// check of A with it, and a key of A: every {id} of theirs is real.
	ids := employerFixture(t, base, person.BirthDate)
	// A booking in the agent's prefecture (whose agenda is {id}).
	ids["/agent/absences/"] = bookingFixture(t, base)
	ids["/agent/rendez-vous/"] = pref.ID
	ids["/agent/rendez-vous/accueil/"] = ids["/agent/absences/"]
	// Today's public statistics, whose open data is then served.
	if _, err := base.uc.Statistics.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("{outage}", strconv.FormatInt(outage.ID, 10), "{$}", "", "{version}", "v", "{path...}", "sejour.css", "{lang}", "en",
		"{token}", "sometoken", "{id}", strconv.FormatInt(id, 10), "{doc}", strconv.FormatInt(docs[0].ID, 10), "{slot}", docs[0].Slot, "{att}", strconv.FormatInt(atts[0].ID, 10),
		"{person}", strconv.FormatInt(app.PersonID, 10), "{correction}", strconv.FormatInt(corr.ID, 10),
		"{account}", strconv.FormatInt(target.ID, 10))
	for _, rt := range base.srv.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		// The longest prefix names the id (/partage/suivis/ before /partage/).
		prefixes := slices.SortedFunc(maps.Keys(ids), func(a, b string) int { return len(b) - len(a) })
		for _, prefix := range prefixes {
			if strings.HasPrefix(path, prefix) {
				path = strings.Replace(path, "{id}", strconv.FormatInt(ids[prefix], 10), 1)
			}
		}
		path = fill.Replace(path)
		exp, ok := expectations[rt.Who]
		if rt.Who == web.DevOnly {
			// Whoever they are, callers from another machine get nothing
			// (TestDevPagesLoopbackOnly shows the loopback side).
			exp, ok = with(employers, map[caller]outcome{anon: notFound, asApp: notFound, asAgent: notFound, asAdmin: notFound, asAgentNo2FA: notFound, asHelpDesk: notFound}), true
		}
		if rt.Who == web.Employer && strings.Contains(rt.Pattern, "{id}") {
			// A's record is not B's to open.
			exp = with(exp, map[caller]outcome{asEmpMember: notFound})
		}
		if !ok {
			t.Errorf("%s: no expectations for its audience", rt.Pattern)
			continue
		}
		for _, c := range callers {
			want := exp[c]
			s := newSite(t, db, clk)
			s.uc.Documents.Blobs = base.uc.Documents.Blobs
			if c != anon {
				// A fresh session each time: the log-out route ends the one it gets.
				_, secret, err := s.uc.Accounts.LogIn(t.Context(), loginForm(string(c)+"@example.org"), "")
				if err != nil {
					t.Fatal(err)
				}
				s.cookie[web.SessionCookie] = secret
				if c == asAgent || c == asAdmin || c == asHelpDesk || c == asEmpAdmin {
					passSecondFactor(t, s, secret)
				}
			}
			var res *http.Response
			if method == "POST" {
				res, _ = s.post(path, url.Values{})
			} else if method != "GET" {
				res = s.do(httptest.NewRequest(method, path, nil))
			} else {
				res, _ = s.get(path)
			}
			got := classify(res)
			if got == notFound && want == served && strings.Contains(rt.Pattern, "{token}") {
				got = served // a made-up token is not found by the handler, not refused by the guard
			}
			if got != want {
				t.Errorf("%s as %s: got %s (%d %s), want %s", rt.Pattern, c, got, res.StatusCode, res.Header.Get("Location"), want)
			}
			// A page behind the session is never stored, whoever asks
			// and whatever the answer (the page, a redirect, an error).
			if rt.Who.NeedsSession() && !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
				t.Errorf("%s as %s: Cache-Control %q, want no-store", rt.Pattern, c, res.Header.Get("Cache-Control"))
			}
		}
	}
}

// TestDevPagesOffByDefault checks the development outbox does not exist
// outside development mode, whoever asks.
func TestDevPagesOffByDefault(t *testing.T) {
	s := newSite(t, storetest.SQLite(t, clock.NewFixed(storetest.Start)), clock.NewFixed(storetest.Start))
	s.srv.Dev = false
	for _, p := range []string{paths.DevMails.String(), paths.DevMail.Format(1)} {
		if res, _ := s.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s with development pages off: %d", p, res.StatusCode)
		}
	}
}

func classify(res *http.Response) outcome {
	loc := res.Header.Get("Location")
	switch {
	case res.StatusCode == http.StatusNotFound:
		return notFound
	case res.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/connexion?suite="):
		return toLogin
	case res.StatusCode == http.StatusSeeOther && (loc == "/tableau-de-bord" || loc == "/agent" || loc == "/support" || loc == "/employeur"):
		return toHome
	case res.StatusCode == http.StatusUnauthorized:
		return noKey
	case res.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, web.SecondFactorPath+"?suite="):
		return to2FA
	}
	return served
}

// loggedIn makes a confirmed account of a role and returns a session
// secret. A staff session has passed the second factor, enrolled with
// testTOTPSecret.
func loggedIn(t *testing.T, s *site, email string, role permit.Role, prefectures ...int64) string {
	t.Helper()
	pendingAccount(t, s, email, role, prefectures...)
	_, secret, err := s.uc.Accounts.LogIn(t.Context(), loginForm(email), "")
	if err != nil {
		t.Fatal(err)
	}
	if role != permit.RoleApplicant {
		passSecondFactor(t, s, secret)
	}
	return secret
}

// pendingAccount makes a confirmed account of a role, with the password
// goodPassword and, for staff, no second factor yet.
func pendingAccount(t *testing.T, s *site, email string, role permit.Role, prefectures ...int64) *permit.Account {
	t.Helper()
	now := s.clk.Now()
	a := &permit.Account{Email: email, Role: role, Lang: "fr", ConfirmedAt: &now, Prefectures: prefectures}
	if err := s.db.Accounts().CreateAccount(t.Context(), a, mustHash(t, goodPassword), nil, nil); err != nil {
		t.Fatal(err)
	}
	return a
}

// testTOTPSecret is the second-factor secret the test helpers enrol.
const testTOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// passSecondFactor makes a staff session pass the second factor, as if
// its owner had typed a fresh code, enrolling testTOTPSecret first when
// the account has no second factor yet.
func passSecondFactor(t *testing.T, s *site, sessionSecret string) {
	t.Helper()
	ctx := t.Context()
	a, err := s.uc.Accounts.Authenticate(ctx, sessionSecret)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.db.Accounts().SecondFactor(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	hash := casework.HashSecret(sessionSecret)
	if f.EnrolledAt == nil {
		if err := s.db.Accounts().StartEnrolment(ctx, a.ID, testTOTPSecret); err != nil {
			t.Fatal(err)
		}
		err = s.db.Accounts().Enrol(ctx, a.ID, hash, f.LastStep+1, nil)
	} else {
		err = s.db.Accounts().PassSecondFactor(ctx, a.ID, hash, f.LastStep+1)
	}
	if err != nil {
		t.Fatal(err)
	}
}
