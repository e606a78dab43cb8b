package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/web"
)

// A supervisor closes a site for the day of a booking: the booking is
// not cancelled but listed on the agenda to be moved; other prefectures'
// staff and agents who do not supervise get "not found".
func TestClosureFromTheAgenda(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		paris, lyon := s.prefecture("75", "75"), s.prefecture("69", "69")
		id := bookingFixture(t, s)
		b, err := (store.Appointments{DB: s.db}).Booking(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		day := b.StartsAt.In(permit.Paris).Format("2006-01-02")
		closure := url.Values{"closure_site": {"cite"}, "closure_from": {day}}
		to := paths.StaffAgendaClosure.Format(paris.ID)
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@lyon.example", permit.RoleAgent, lyon.ID)}
		if res, _ := s.post(to, closure); res.StatusCode != http.StatusNotFound {
			t.Errorf("Lyon's agent closes Paris: %d", res.StatusCode)
		}
		s.cookie = map[string]string{web.SessionCookie: supervisorIn(t, s, "super@lyon.example", lyon.ID)}
		if res, _ := s.post(to, closure); res.StatusCode != http.StatusNotFound {
			t.Errorf("Lyon's supervisor closes Paris: %d", res.StatusCode)
		}
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@paris.example", permit.RoleAgent, paris.ID)}
		if res, _ := s.post(to, closure); res.StatusCode != http.StatusNotFound {
			t.Errorf("an agent closes a site: %d", res.StatusCode)
		}
		if _, page := s.get(paths.StaffAgenda.Format(paris.ID)); strings.Contains(page, "Fermer ce site") {
			t.Error("an agent is offered the closure form")
		}
		s.cookie = map[string]string{web.SessionCookie: supervisorIn(t, s, "super@paris.example", paris.ID)}
		res, page := s.post(to, url.Values{"closure_site": {"cite"}, "closure_from": {day}, "closure_to": {"2020-01-01"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Le dernier jour suit le premier") {
			t.Fatalf("a span that ends before it begins: %d\n%s", res.StatusCode, page)
		}
		if res, page := s.post(to, closure); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a supervisor closes a site: %d\n%s", res.StatusCode, page)
		}
		_, page = s.get(paths.StaffAgenda.Format(paris.ID))
		mustContain(t, page, "Rendez-vous pris pendant une fermeture, à déplacer", `id="m`+strconv.FormatInt(id, 10)+`"`, "Fermetures à venir")
		if b, _ := (store.Appointments{DB: s.db}).Booking(t.Context(), id); b.Status != permit.BookingBooked {
			t.Fatalf("the booking was cancelled by the closure: %+v", b)
		}
	})
}
