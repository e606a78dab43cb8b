package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-ical"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

var feedRe = regexp.MustCompile(`http://sejour\.test(/calendrier/[A-Za-z0-9_-]+\.ics)`)

// TestRemindersPage: the applicant stops a kind with a checkbox (POST,
// same-site only); makes the calendar feed, whose address is shown once,
// served to anyone holding it as text/calendar that parses back with the
// renewal window, the filing's implicit-rejection date and its receipt;
// revoked, the address is not found. Another applicant sees and changes
// only their own settings; anonymous visitors and staff get neither page.
func TestRemindersPage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		s.renewalFiled("awa@example.org", 365)
		awa := s.account()
		res, page := s.get(paths.Reminders.String())
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="kind-window_closing" name="kind" value="window_closing" checked`) ||
			!strings.Contains(page, "30 jours avant la fin de cette période") {
			t.Fatalf("settings: %d\n%s", res.StatusCode, page)
		}
		res, _ = s.post(paths.Reminders.String(), url.Values{"kind": {"window_opens", "attestation_ending", "completion_due"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
		_, page = s.get(paths.Reminders.String() + "?enregistre")
		if !strings.Contains(page, `value="window_closing">`) || !strings.Contains(page, `value="window_opens" checked`) || !strings.Contains(page, "Vos choix sont enregistrés") {
			t.Fatalf("after saving:\n%s", page)
		}
		if res, _ := s.post(paths.Reminders.String(), url.Values{"kind": {"everything"}}); res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
			t.Errorf("an unknown kind: %d", res.StatusCode)
		}
		// A cross-site form is refused and changes nothing.
		req := httptest.NewRequest("POST", paths.Reminders.String(), strings.NewReader("kind=window_closing"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if res := s.do(req); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST: %d", res.StatusCode)
		}
		st, err := s.uc.Reminders.Settings(t.Context(), awa)
		if err != nil || !st.Stopped[permit.ReminderWindowClosing] || st.Stopped[permit.ReminderWindowOpens] {
			t.Fatalf("stopped: %+v %v", st, err)
		}

		// The feed.
		res, page = s.post(paths.ReminderFeed.String(), nil)
		m := feedRe.FindStringSubmatch(page)
		if res.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("new feed: %d\n%s", res.StatusCode, page)
		}
		feed := m[1]
		if _, again := s.get(paths.Reminders.String()); strings.Contains(again, feed) {
			t.Error("the feed's address is shown again")
		}
		anon := newSite(t, s.db, s.clk)
		res, ics := anon.get(feed)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") ||
			res.Header.Get("Cache-Control") != "private, no-store" {
			t.Fatalf("feed: %d %v\n%s", res.StatusCode, res.Header, ics)
		}
		cal, err := ical.NewDecoder(strings.NewReader(ics)).Decode()
		if err != nil {
			t.Fatal(err)
		}
		summaries := map[string]bool{}
		for _, e := range cal.Events() {
			sum, _ := e.Props.Text(ical.PropSummary)
			summaries[sum] = true
		}
		for _, want := range []string{"Début de la période de renouvellement", "Dernier jour pour renouveler à temps",
			"Dernier jour de validité de votre titre", "Date de refus implicite"} {
			if !summaries[want] {
				t.Errorf("no event %q in %v", want, summaries)
			}
		}
		if len(summaries) < 5 {
			t.Errorf("the filing receipt's period is missing: %v", summaries)
		}
		// Made again: the first address stops working.
		_, page = s.post(paths.ReminderFeed.String(), nil)
		second := feedRe.FindStringSubmatch(page)
		if second == nil || second[1] == feed {
			t.Fatal("no new address")
		}
		if res, _ := anon.get(feed); res.StatusCode != http.StatusNotFound {
			t.Errorf("the replaced address: %d", res.StatusCode)
		}
		if res, _ := s.post(paths.ReminderFeedRevoke.String(), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", res.StatusCode)
		}
		if res, _ := anon.get(second[1]); res.StatusCode != http.StatusNotFound {
			t.Errorf("a revoked address: %d", res.StatusCode)
		}
		for _, p := range []string{"/calendrier/nope.ics", "/calendrier/" + strings.TrimSuffix(strings.TrimPrefix(second[1], "/calendrier/"), ".ics")} {
			if res, _ := anon.get(p); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d", p, res.StatusCode)
			}
		}

		// Anonymous visitors are sent to log in; nothing changes.
		if res, _ := anon.get(paths.Reminders.String()); res.StatusCode == http.StatusOK {
			t.Errorf("anonymous settings page: %d", res.StatusCode)
		}
		if res, _ := anon.post(paths.Reminders.String(), url.Values{"kind": {}}); res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == paths.Reminders.String()+"?enregistre" {
			t.Error("an anonymous visitor saved settings")
		}
		// Another applicant sees and changes their own settings only.
		ben := newSite(t, s.db, s.clk)
		ben.cookie[web.SessionCookie] = loggedIn(t, ben, "ben@example.org", permit.RoleApplicant)
		_, page = ben.get(paths.Reminders.String())
		if !strings.Contains(page, `value="window_closing" checked`) {
			t.Error("Ben sees Awa's stopped kind")
		}
		ben.post(paths.Reminders.String(), url.Values{})
		ben.post(paths.ReminderFeedRevoke.String(), nil)
		if st, _ := s.uc.Reminders.Settings(t.Context(), awa); st.Stopped[permit.ReminderWindowOpens] {
			t.Error("Ben's save changed Awa's settings")
		}
		// Staff have no reminders page and cannot make a feed.
		agent := s.as("agent@prefecture.example", permit.RoleAgent)
		for _, do := range []func() *http.Response{
			func() *http.Response { r, _ := agent.get(paths.Reminders.String()); return r },
			func() *http.Response { r, _ := agent.post(paths.ReminderFeed.String(), nil); return r },
			func() *http.Response { r, _ := agent.post(paths.Reminders.String(), url.Values{}); return r },
		} {
			if r := do(); r.StatusCode == http.StatusOK || r.StatusCode == http.StatusSeeOther {
				t.Errorf("staff: %d", r.StatusCode)
			}
		}
		if st, _ := s.uc.Reminders.Settings(t.Context(), awa); !st.Stopped[permit.ReminderWindowClosing] || st.FeedSince != nil {
			t.Errorf("Awa's settings changed by others: %+v", st)
		}
	})
}
