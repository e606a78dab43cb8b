package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

// The counter reads a booking's code: Paris's agent sees the booking and
// the way to the filing, the arrival is recorded once and audited, and
// the agenda no longer offers the absence; Lyon's agent is told "not
// found" for the same code and the booking's page, a forged code too;
// applicants and anonymous visitors never reach the pages.
func TestCounterReadsTheBookingsCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		s := newSiteWith(t, db, clk, nil, withTokens(t))
		paris, lyon := s.prefecture("75", "75"), s.prefecture("69", "69")
		id := bookingFixture(t, s)
		code := s.uc.UseCases.Appointments.CounterCode(&permit.Booking{ID: id})
		read := url.Values{"code": {code}}
		booking := paths.StaffArrivalBooking.Format(id)

		for _, who := range []string{"", "applicant"} {
			s.cookie = nil
			if who != "" {
				s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "someone@mail.example", permit.RoleApplicant)}
			}
			for _, try := range []func() *http.Response{
				func() *http.Response { res, _ := s.get(paths.StaffArrival.String()); return res },
				func() *http.Response { res, _ := s.post(paths.StaffArrival.String(), read); return res },
				func() *http.Response { res, _ := s.get(booking); return res },
			} {
				if res := try(); res.StatusCode == http.StatusOK || res.StatusCode == http.StatusSeeOther && !strings.Contains(res.Header.Get("Location"), "connexion") {
					t.Errorf("%q: %d %s", who, res.StatusCode, res.Header.Get("Location"))
				}
			}
		}

		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@lyon.example", permit.RoleAgent, lyon.ID)}
		if res, page := s.post(paths.StaffArrival.String(), read); res.StatusCode != http.StatusNotFound || !strings.Contains(page, "Aucun rendez-vous de votre préfecture") {
			t.Errorf("Lyon's agent reads Paris's code: %d\n%s", res.StatusCode, page)
		}
		if res, _ := s.get(booking); res.StatusCode != http.StatusNotFound {
			t.Errorf("Lyon's agent opens Paris's booking: %d", res.StatusCode)
		}

		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@paris.example", permit.RoleAgent, paris.ID)}
		if res, page := s.get(paths.StaffArrival.String()); res.StatusCode != 200 || !strings.Contains(page, `name="code"`) {
			t.Fatalf("the form: %d\n%s", res.StatusCode, page)
		}
		if res, _ := s.post(paths.StaffArrival.String(), url.Values{"code": {code[:len(code)-1] + "x"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("a forged code: %d", res.StatusCode)
		}
		for i := 0; i < 2; i++ { // read twice: one arrival, one audit line
			res, _ := s.post(paths.StaffArrival.String(), url.Values{"code": {" " + strings.ToLower(code[:4]) + code[4:] + " "}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != booking {
				t.Fatalf("Paris's agent reads the code: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
		}
		res, page := s.get(booking)
		if res.StatusCode != 200 || !strings.Contains(page, "Zoé Caller") || !strings.Contains(page, "Arrivée notée") ||
			!strings.Contains(page, "Pas d&#39;adresse électronique") || !strings.Contains(page, `href="/agent/guichet?surname=Caller"`) {
			t.Fatalf("the booking at the counter: %d\n%s", res.StatusCode, page)
		}
		b, err := (store.Appointments{DB: db}).Booking(t.Context(), id)
		if err != nil || !b.Arrived() {
			t.Fatalf("the arrival is not recorded: %+v %v", b, err)
		}
		lines, err := db.Audit().AuditTrail(t.Context(), audit.Filter{Everywhere: true, Actions: []string{"appointment_arrived"}, Limit: 10})
		if err != nil || len(lines) != 1 {
			t.Errorf("audit lines of the arrival: %d %v", len(lines), err)
		}
		if _, page := s.get(paths.StaffAgenda.Format(paris.ID)); strings.Contains(page, paths.StaffAgendaNoShow.Format(id)) || !strings.Contains(page, "Arrivée notée") {
			t.Errorf("the agenda still offers the absence of an arrived person:\n%s", page)
		}
		if res, _ := s.post(paths.StaffAgendaNoShow.Format(id), url.Values{}); res.StatusCode != http.StatusConflict {
			t.Errorf("an absence after the arrival: %d", res.StatusCode)
		}
	})
}
