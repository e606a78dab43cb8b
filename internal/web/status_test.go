package web_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// statusDoc is the part of /api/v1/status the tests read.
type statusDoc struct {
	Stale     bool `json:"stale"`
	Functions []struct {
		Function string `json:"function"`
		State    string `json:"state"`
	} `json:"functions"`
	Outages []struct {
		ID          int64             `json:"id"`
		Status      string            `json:"status"`
		Description map[string]string `json:"description"`
		ReliefUntil string            `json:"relief_until"`
	} `json:"outages"`
}

func (s *site) status() statusDoc {
	s.t.Helper()
	res, page := s.get(paths.APIStatus.String())
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		s.t.Fatalf("status JSON: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), page)
	}
	var d statusDoc
	if err := json.Unmarshal([]byte(page), &d); err != nil {
		s.t.Fatalf("status JSON: %v\n%s", err, page)
	}
	return d
}

func (d statusDoc) state(f permit.Function) string {
	for _, x := range d.Functions {
		if x.Function == string(f) {
			return x.State
		}
	}
	return ""
}

// TestAdminDeclaresWhatTheStatusPageShows: an administrator declares an
// outage through the form (a form without reason is refused beside its
// field, nothing stored); the page, its feed and its JSON show it in
// both languages with its effect on deadlines, and the home page has the
// banner while it lasts. Applicants and agents cannot declare.
func TestAdminDeclaresWhatTheStatusPageShows(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		if d := s.status(); d.Stale || d.state(permit.FunctionFiling) != casework.StateOK || len(d.Outages) != 0 {
			t.Fatalf("at first: %+v", d)
		}
		_, home := s.get(paths.Home.String())
		mustNotContain(t, home, `id="etat-du-service"`)

		start := s.clk.Now().Add(-time.Hour).In(permit.Paris).Format("2006-01-02T15:04")
		form := url.Values{"kind": {"declared"}, "functions": {"filing", "attestations"}, "start": {start},
			"description_fr": {"Le stockage est en panne."}, "description_en": {"Storage is down."}, "relieves": {"oui"}}
		for _, who := range []struct {
			email string
			role  permit.Role
		}{{"awa@example.org", permit.RoleApplicant}, {"agent@example.org", permit.RoleAgent}} {
			s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, who.email, who.role, pref.ID)}
			form.Set("reason", "test")
			if res, _ := s.post(paths.AdminOutages.String(), form); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s declared an outage: %d", who.role, res.StatusCode)
			}
		}
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "admin@example.org", permit.RoleAdmin)}
		form.Del("reason")
		res, page := s.post(paths.AdminOutages.String(), form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("no reason: %d", res.StatusCode)
		}
		mustContain(t, page, `id="reason-error"`, "Indiquez le motif.", "Le stockage est en panne.")
		form.Set("reason", "Incident du stockage constaté par l'exploitation")
		res, _ = s.post(paths.AdminOutages.String(), form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("declare: %d", res.StatusCode)
		}
		_, detail := s.get(res.Header.Get("Location"))
		mustContain(t, detail, "La panne est enregistrée.", "Incident du stockage constaté par l&#39;exploitation")

		s.cookie = map[string]string{}
		d := s.status()
		if d.state(permit.FunctionFiling) != casework.StateDown || d.state(permit.FunctionMail) != casework.StateOK ||
			len(d.Outages) != 1 || d.Outages[0].Status != "ongoing" || d.Outages[0].Description["en"] != "Storage is down." {
			t.Fatalf("after the declaration: %+v", d)
		}
		_, fr := s.get(paths.Status.String())
		mustContain(t, fr, "En panne", "Le stockage est en panne.", "Dépôt des demandes en ligne",
			"comptera comme déposée à temps")
		s.lang = "en"
		_, en := s.get(paths.Status.String())
		mustContain(t, en, "Down", "Storage is down.", "will count as filed in time")
		_, home = s.get(paths.Home.String())
		mustContain(t, home, `id="etat-du-service"`, "The portal partly works", paths.Status.String())
		s.lang = ""

		res, feed := s.get(paths.StatusFeed.String())
		var atom struct {
			XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
			Entries []struct {
				Title   string `xml:"title"`
				Summary string `xml:"summary"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(feed), &atom); err != nil || res.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("feed: %v %s\n%s", err, res.Header.Get("Content-Type"), feed)
		}
		if len(atom.Entries) != 1 || !strings.Contains(atom.Entries[0].Summary, "Le stockage est en panne.") {
			t.Fatalf("feed entries: %+v", atom.Entries)
		}

		// The end is recorded: the outage moves to the history, with the
		// last relieved day.
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "admin2@example.org", permit.RoleAdmin)}
		list, _ := s.uc.Outages.List(t.Context(), s.account())
		end := s.clk.Now().In(permit.Paris)
		form.Set("end", end.Format("2006-01-02T15:04"))
		form.Set("reason", "Service rétabli")
		form.Set("version", "1")
		if res, page := s.post(paths.AdminOutage.Format(list[0].ID), form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct: %d\n%s", res.StatusCode, page)
		}
		s.cookie = map[string]string{}
		s.clk.Advance(time.Minute)
		d = s.status()
		want := permit.ParisDay(end).AddDate(0, 0, rules.MustLoad().Outages.ReliefDays).Format(time.DateOnly)
		if d.state(permit.FunctionFiling) != casework.StateOK || len(d.Outages) != 1 || d.Outages[0].Status != "ended" ||
			d.Outages[0].ReliefUntil != want {
			t.Fatalf("after the end: %+v, want relief until %s", d, want)
		}
	})
}

// TestStatusAnswersWithTheDatabaseDown: the database is closed; the
// status page, its JSON and the home page still answer, from what was
// last read (the planned maintenance) and from the checks this instance
// saw failing (filing down), and say the information may be incomplete.
func TestStatusAnswersWithTheDatabaseDown(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		admin := pendingAccount(t, s, "admin@example.org", permit.RoleAdmin)
		soon := s.clk.Now().Add(48 * time.Hour)
		if _, err := s.uc.Outages.Declare(t.Context(), admin, casework.OutageForm{Kind: "planned", Functions: []string{"counter"},
			Start: casework.FormatOutageTime(&soon), DescriptionFR: "Maintenance des rendez-vous", DescriptionEN: "Booking upgrade",
			Reason: "annonce"}); err != nil {
			t.Fatal(err)
		}
		if d := s.status(); d.Stale || len(d.Outages) != 1 {
			t.Fatalf("before: %+v", d)
		}
		failed := s.clk.Now()
		_ = s.uc.Outages.Observe(t.Context(), "database", false, failed)
		if err := s.db.Close(); err != nil {
			t.Fatal(err)
		}
		s.clk.Advance(time.Minute) // past the cache: the page tries the database
		d := s.status()
		if !d.Stale || d.state(permit.FunctionFiling) != casework.StateDown || d.state(permit.FunctionVerification) != casework.StateOK ||
			len(d.Outages) != 1 || d.Outages[0].Description["fr"] != "Maintenance des rendez-vous" {
			t.Fatalf("database down: %+v", d)
		}
		res, page := s.get(paths.Status.String())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status page with the database down: %d\n%s", res.StatusCode, page)
		}
		mustContain(t, page, "Informations peut-être incomplètes", "En panne", "Maintenance des rendez-vous")
		res, home := s.get(paths.Home.String())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("home with the database down: %d", res.StatusCode)
		}
		mustContain(t, home, `id="etat-du-service"`, "Dépôt des demandes en ligne")
		if res, _ := s.get(paths.StatusFeed.String()); res.StatusCode != http.StatusOK {
			t.Errorf("feed with the database down: %d", res.StatusCode)
		}
	})
}

// TestDashboardSaysTheReliefApplies: a renewal filed after its window is
// late; once the outage that stopped filing on the window's last day is
// declared, the dashboard says the filing counts as in time.
func TestDashboardSaysTheReliefApplies(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		cat := rules.MustLoad()
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "awa@example.org", permit.RoleApplicant)}
		s.profile("75011", "student", cat.RenewalWindow.ClosesDaysBefore-5)
		id := s.start(permit.KindRenewal, "student")
		s.complete(id)
		if res, page := s.post(paths.File.Format(id), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("file: %d\n%s", res.StatusCode, page)
		}
		_, dash := s.get(paths.Dashboard.String())
		mustNotContain(t, dash, "sejour-relief")
		_, page := s.get(paths.Application.Format(id))
		mustContain(t, page, "Demande déposée après la fin du délai")

		admin := pendingAccount(t, s, "admin@example.org", permit.RoleAdmin)
		start := s.clk.Now().AddDate(0, 0, -6)
		end := s.clk.Now().AddDate(0, 0, -2)
		if _, err := s.uc.Outages.Declare(t.Context(), admin, casework.OutageForm{Kind: "declared", Functions: []string{"filing"},
			Start: casework.FormatOutageTime(&start), End: casework.FormatOutageTime(&end), Relieves: true,
			DescriptionFR: "Panne", DescriptionEN: "Outage", Reason: "constatée"}); err != nil {
			t.Fatal(err)
		}
		res, dash := s.get(paths.Dashboard.String())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("dashboard: %d\n%s", res.StatusCode, dash)
		}
		mustContain(t, dash, "sejour-relief", "elle compte comme déposée à temps")
		_, page = s.get(paths.Application.Format(id))
		mustContain(t, page, "elle compte comme déposée à temps")
		mustNotContain(t, page, "Demande déposée après la fin du délai")
	})
}

// TestStatusIsRateLimited: one address gets 60 answers at once, then a
// 429 with Retry-After from the JSON and the page alike; another address
// is not held back.
func TestStatusIsRateLimited(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		for i := range 60 {
			path := paths.APIStatus.String()
			if i%2 == 1 {
				path = paths.Status.String()
			}
			if res, _ := s.get(path); res.StatusCode != http.StatusOK {
				t.Fatalf("request %d: %d", i+1, res.StatusCode)
			}
		}
		res, _ := s.get(paths.APIStatus.String())
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Errorf("61st JSON request: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
		if res, _ := s.get(paths.Status.String()); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("62nd request, the page: %d", res.StatusCode)
		}
		s.ip = "192.0.2.99"
		if res, _ := s.get(paths.Status.String()); res.StatusCode != http.StatusOK {
			t.Errorf("another address: %d", res.StatusCode)
		}
	})
}
