package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/paths"
)

// TestAppointmentFiguresOnTheStatusPage: after a booking, the public
// status page shows each prefecture's appointment figures as a table, on
// a 360-pixel phone without JavaScript, in French and English, axe-clean,
// without the name of the person who booked (issue 18, part 5).
func TestAppointmentFiguresOnTheStatusPage(t *testing.T) {
	m, base := startApp(t)
	seed(t, m, "chiffres@exemple.fr")
	b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
	wantStatus(t, "booking form", b.open(paths.Appointments.String()+"?place=75/cite&kind=counter_filing&reason=outage"), http.StatusOK)
	b.do("choose the first slot", chromedp.Click(`(//main//input[@name="slot"]/following-sibling::label)[1]`))
	b.fill("name", "Awa Figures")
	b.fill("email", "awa-figures@exemple.fr")
	wantStatus(t, "book", b.follow(button("main", frenchBooking.submit)), http.StatusOK)
	for _, w := range []struct{ lang, accept, heading, figures, median string }{
		{"fr", "fr-FR", "État du service", "Chiffres des rendez-vous", "Délai médian entre la demande et le premier créneau libre"},
		{"en", "en-GB", "Service status", "Appointment figures", "Median delay from request to the first free slot"},
	} {
		t.Run(w.lang, func(t *testing.T) {
			b := newBrowser(t, base, options{dev: phone, lang: w.accept, noScript: true})
			wantStatus(t, "status page", b.open(paths.Status.String()), http.StatusOK)
			st := b.check("status-figures-"+w.lang, expected{lang: w.lang, heading: w.heading, texts: []string{w.figures, w.median}})
			if strings.Contains(st.Text, "Awa Figures") {
				t.Error("the status page names who booked")
			}
		})
	}
}
