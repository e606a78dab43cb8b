package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

// bookingFixture holds the first filing slot of Paris's site next
// Monday at 09:00, for a caller named Zoé, and returns its number.
func bookingFixture(t *testing.T, s *site) int64 {
	t.Helper()
	now := s.clk.Now().In(permit.Paris)
	day := now.AddDate(0, 0, (8-int(now.Weekday()))%7+7)
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, permit.Paris)
	b := &permit.Booking{PrefectureCode: "75", Site: "cite", Kind: permit.BookingFiling, Reason: permit.ReasonNoEmail, Name: "Zoé Caller",
		Phone: "0611223344", Lang: "fr", Status: permit.BookingBooked, Counter: 1, StartsAt: start, EndsAt: start.Add(30 * time.Minute),
		Deadline: start.AddDate(0, 0, 7), Channel: permit.ChannelPhone}
	cells := []permit.Cell{{Counter: 1, At: start}, {Counter: 1, At: start.Add(15 * time.Minute)}}
	if err := (store.Appointments{DB: s.db}).Book(t.Context(), b, cells, nil); err != nil {
		t.Fatal(err)
	}
	return b.ID
}

func withTokens(t *testing.T) func(*casework.Config, *web.Options) {
	tokens, err := seal.NewTokens(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return func(c *casework.Config, _ *web.Options) { c.Tokens = tokens }
}

var slotRadio = regexp.MustCompile(`name="slot" value="([0-9]+:[0-9]+)"`)

// A person without an account books a slot after a failed filing, sees
// the booking's page with its code, gets the mail, and cancels from the
// link.
func TestBookingWithoutAnAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		s := newSiteWith(t, db, clk, nil, withTokens(t))
		s.prefecture("75", "75")
		res, page := s.get(paths.Appointments.String() + "?place=75/cite&kind=counter_filing&reason=outage")
		m := slotRadio.FindStringSubmatch(page)
		if res.StatusCode != 200 || m == nil || !strings.Contains(page, "Votre situation est urgente") {
			t.Fatalf("slots page: %d\n%s", res.StatusCode, page)
		}
		form := url.Values{"place": {"75/cite"}, "kind": {"counter_filing"}, "reason": {"outage"}, "slot": {m[1]},
			"name": {"Awa Traoré"}, "email": {"awa@mail.example"}, web.OnceField: {casework.NewResendKey()}}
		// Without a name nor an address: the fields say what is missing.
		bad := url.Values{"place": form["place"], "kind": form["kind"], "reason": form["reason"], "slot": form["slot"]}
		if res, page := s.post(paths.Appointments.String(), bad); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(page, "Indiquez votre nom") || !strings.Contains(page, "adresse électronique ou un numéro") {
			t.Fatalf("an empty form: %d\n%s", res.StatusCode, page)
		}
		res, _ = s.post(paths.Appointments.String(), form)
		manage := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(manage, "/rendez-vous/gerer/") {
			t.Fatalf("booking: %d %s", res.StatusCode, manage)
		}
		// The same form sent again makes nothing more and leads to the same page.
		if res, _ := s.post(paths.Appointments.String(), form); res.Header.Get("Location") != manage {
			t.Errorf("resend: %s, want %s", res.Header.Get("Location"), manage)
		}
		res, page = s.get(manage)
		if res.StatusCode != 200 || !strings.Contains(page, "Votre rendez-vous est réservé") || !strings.Contains(page, `<code id="code">RDV-`) {
			t.Fatalf("booking page: %d\n%s", res.StatusCode, page)
		}
		mails, _ := db.Mails().RecentMails(t.Context(), 10)
		if len(mails) != 1 || mails[0].To != "awa@mail.example" || !strings.Contains(mails[0].Text, "http://sejour.test"+manage) {
			t.Fatalf("mails: %+v", mails)
		}
		// A second person tries the slot just taken: a clear answer, and other slots.
		form2 := url.Values{"place": form["place"], "kind": form["kind"], "reason": form["reason"], "slot": form["slot"],
			"name": {"Ben"}, "phone": {"06 11 22 33 44"}}
		if res, page := s.post(paths.Appointments.String(), form2); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(page, "Choisissez un des créneaux proposés") || slotRadio.FindString(page) == "" {
			t.Fatalf("a taken slot: %d\n%s", res.StatusCode, page)
		}
		if res, _ := s.post(manage+"/annuler", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d", res.StatusCode)
		}
		if _, page := s.get(manage); !strings.Contains(page, "Ce rendez-vous est annulé") {
			t.Errorf("after cancelling:\n%s", page)
		}
		if res, _ := s.get(manage + "x"); res.StatusCode != http.StatusNotFound {
			t.Errorf("a forged link: %d", res.StatusCode)
		}
	})
}

// The agenda is the prefecture's staff's: another prefecture's agent and
// applicants get "not found", and only a supervisor adds a session.
func TestAgendaIsThePrefecturesOwn(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		paris, lyon := s.prefecture("75", "75"), s.prefecture("69", "69")
		id := bookingFixture(t, s)
		agenda := paths.StaffAgenda.Format(paris.ID)
		session := url.Values{"site": {"cite"}, "day": {"2026-12-04"}, "from": {"14:00"}, "to": {"15:00"}, "counters": {"1"}}
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@lyon.example", permit.RoleAgent, lyon.ID)}
		for _, try := range []func() *http.Response{
			func() *http.Response { res, _ := s.get(agenda); return res },
			func() *http.Response { res, _ := s.post(paths.StaffAgendaNoShow.Format(id), url.Values{}); return res },
			func() *http.Response {
				res, _ := s.post(paths.StaffAgendaSession.Format(paris.ID), session)
				return res
			},
		} {
			if res := try(); res.StatusCode != http.StatusNotFound {
				t.Errorf("Lyon's agent: %d, want 404", res.StatusCode)
			}
		}
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@paris.example", permit.RoleAgent, paris.ID)}
		res, page := s.get(agenda)
		if res.StatusCode != 200 || !strings.Contains(page, "Zoé Caller") {
			t.Fatalf("Paris's agenda: %d\n%s", res.StatusCode, page)
		}
		if strings.Contains(page, "Ajouter une séance") {
			t.Error("an agent is offered the supervisor's session form")
		}
		if res, _ := s.post(paths.StaffAgendaSession.Format(paris.ID), session); res.StatusCode != http.StatusNotFound {
			t.Errorf("an agent adds a session: %d", res.StatusCode)
		}
		if res, page := s.post(paths.StaffAgendaNoShow.Format(id), url.Values{}); res.StatusCode != http.StatusConflict {
			t.Errorf("an absence before the time: %d\n%s", res.StatusCode, page)
		}
		s.cookie = map[string]string{web.SessionCookie: supervisorIn(t, s, "super@paris.example", paris.ID)}
		if res, page := s.post(paths.StaffAgendaSession.Format(paris.ID), session); res.StatusCode != http.StatusSeeOther {
			t.Errorf("a supervisor adds a session: %d\n%s", res.StatusCode, page)
		}
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "someone@mail.example", permit.RoleApplicant)}
		if res, _ := s.get(agenda); res.StatusCode != http.StatusNotFound {
			t.Errorf("an applicant: %d", res.StatusCode)
		}
	})
}
