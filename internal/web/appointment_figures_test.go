package web_test

import (
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// The appointment figures: in the agenda of a prefecture's supervisor
// (not an agent's), and on the public status page, FR and EN, without
// the name or the phone of anyone who booked.
func TestAppointmentFiguresPages(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		paris := s.prefecture("75", "75")
		bookingFixture(t, s)
		agenda := paths.StaffAgenda.Format(paris.ID)
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@paris.example", permit.RoleAgent, paris.ID)}
		if _, page := s.get(agenda); strings.Contains(page, `id="chiffres-75"`) {
			t.Error("an agent's agenda shows the figures")
		}
		s.cookie = map[string]string{web.SessionCookie: supervisorIn(t, s, "super@paris.example", paris.ID)}
		res, page := s.get(agenda)
		if res.StatusCode != 200 || !strings.Contains(page, `id="chiffres-75"`) || !strings.Contains(page, "Délai médian") ||
			!strings.Contains(page, "<td>1</td>") {
			t.Fatalf("the supervisor's agenda: %d\n%s", res.StatusCode, page)
		}
		s.cookie = nil
		res, page = s.get(paths.Status.String())
		if res.StatusCode != 200 || !strings.Contains(page, `id="chiffres-75"`) || !strings.Contains(page, "Chiffres des rendez-vous") {
			t.Fatalf("status page: %d\n%s", res.StatusCode, page)
		}
		if strings.Contains(page, "Zoé") || strings.Contains(page, "0611223344") {
			t.Errorf("the status page shows who booked:\n%s", page)
		}
		s.lang = "en"
		_, en := s.get(paths.Status.String())
		if !strings.Contains(en, "Median delay from request to the first free slot") {
			t.Errorf("status page in English:\n%s", en)
		}
	})
}
