package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store/storetest"
)

// caller is one kind of visitor the route table is tried with.
type caller string

const (
	anon    caller = "anonymous"
	asApp   caller = "applicant"
	asAgent caller = "agent"
	asAdmin caller = "admin"
)

// outcome is what a caller must get from a route: served (anything but a
// redirect to log in or a not-found), sent to log in, sent home, or not found.
type outcome string

const (
	served   outcome = "served"
	toLogin  outcome = "to-login"
	toHome   outcome = "to-home"
	notFound outcome = "not-found"
)

// expectations is, for every audience, what each caller gets. A route
// whose audience is missing here fails the test.
var expectations = map[who]map[caller]outcome{
	anyone:    {anon: served, asApp: served, asAgent: served, asAdmin: served},
	guestOnly: {anon: served, asApp: toHome, asAgent: toHome, asAdmin: toHome},
	signedIn:  {anon: toLogin, asApp: served, asAgent: served, asAdmin: served},
	applicant: {anon: toLogin, asApp: served, asAgent: notFound, asAdmin: notFound},
	staff:     {anon: toLogin, asApp: notFound, asAgent: served, asAdmin: served},
	// The agent of this test is not a supervisor.
	supervisor: {anon: toLogin, asApp: notFound, asAgent: notFound, asAdmin: served},
	adminOnly:  {anon: toLogin, asApp: notFound, asAgent: notFound, asAdmin: served},
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
	// A mail, so that the outbox page of mail 1 exists.
	if err := db.EnqueueMail(t.Context(), &permit.Mail{To: "x@example.org", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("{$}", "", "{version}", "v", "{path...}", "sejour.css", "{lang}", "en",
		"{token}", "sometoken", "{id}", strconv.FormatInt(id, 10), "{doc}", strconv.FormatInt(docs[0].ID, 10), "{slot}", docs[0].Slot, "{att}", strconv.FormatInt(atts[0].ID, 10),
		"{person}", strconv.FormatInt(app.PersonID, 10))
	for _, rt := range base.srv.routes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = fill.Replace(path)
		exp, ok := expectations[rt.who]
		if rt.who == devOnly {
			exp, ok = map[caller]outcome{anon: served, asApp: served, asAgent: served, asAdmin: served}, true
		}
		if !ok {
			t.Errorf("%s: no expectations for its audience", rt.pattern)
			continue
		}
		for _, c := range []caller{anon, asApp, asAgent, asAdmin} {
			want := exp[c]
			s := newSite(t, db, clk)
			s.srv.Files.Blobs = base.srv.Files.Blobs
			if c != anon {
				// A fresh session each time: the log-out route ends the one it gets.
				_, secret, err := s.srv.Accounts.LogIn(t.Context(), loginForm(string(c)+"@example.org"), "")
				if err != nil {
					t.Fatal(err)
				}
				s.cookie[sessionCookie] = secret
			}
			var res *http.Response
			if method == "POST" {
				res, _ = s.post(path, url.Values{})
			} else {
				res, _ = s.get(path)
			}
			got := classify(res)
			if got == notFound && want == served && strings.Contains(rt.pattern, "{token}") {
				got = served // a made-up token is not found by the handler, not refused by the guard
			}
			if got != want {
				t.Errorf("%s as %s: got %s (%d %s), want %s", rt.pattern, c, got, res.StatusCode, res.Header.Get("Location"), want)
			}
		}
	}
}

// TestDevPagesOffByDefault checks the development outbox does not exist
// outside development mode, whoever asks.
func TestDevPagesOffByDefault(t *testing.T) {
	s := newSite(t, storetest.SQLite(t, clock.NewFixed(storetest.Start)), clock.NewFixed(storetest.Start))
	s.srv.Dev = false
	for _, p := range []string{"/dev/courriels", "/dev/courriels/1"} {
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
	case res.StatusCode == http.StatusSeeOther && (loc == "/tableau-de-bord" || loc == "/agent"):
		return toHome
	}
	return served
}

// loggedIn makes a confirmed account of a role and returns a session secret.
func loggedIn(t *testing.T, s *site, email string, role permit.Role, prefectures ...int64) string {
	t.Helper()
	now := s.clk.Now()
	a := &permit.Account{Email: email, Role: role, Lang: "fr", ConfirmedAt: &now, Prefectures: prefectures}
	hash := mustHash(t, goodPassword)
	if err := s.db.CreateAccount(t.Context(), a, hash, nil, nil); err != nil {
		t.Fatal(err)
	}
	_, secret, err := s.srv.Accounts.LogIn(t.Context(), loginForm(email), "")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}
