package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/paths"
)

// bookingWords are the words of the booking journey in one language.
type bookingWords struct {
	lang, heading, outage, seeSlots, urgent, name, submit, manageHeading, booked string
}

var (
	frenchBooking = bookingWords{lang: "fr", heading: "Prendre rendez-vous au guichet",
		outage: "Le portail ne marchait pas quand j'ai voulu déposer", seeSlots: "Voir les créneaux",
		urgent: "Votre situation est urgente : le délai court s'applique.", name: "Nom et prénom", submit: "Réserver",
		manageHeading: "Votre rendez-vous au guichet", booked: "Votre rendez-vous est réservé."}
	englishBooking = bookingWords{lang: "en", heading: "Book a counter appointment",
		outage: "The portal was not working when I tried to file", seeSlots: "See the slots",
		urgent: "Your situation is urgent: the short delay applies.", name: "Full name", submit: "Book",
		manageHeading: "Your counter appointment", booked: "Your appointment is booked."}
)

// TestBookingWithoutAnAccount: on a 360-pixel phone without JavaScript, in
// French and English, a person who has no account and whose online filing
// failed in an outage books a counter slot: the short delay applies, the
// slots are offered as radio buttons, the booking page gives its counter
// code, and the confirmation mail carries the booking's own link (issue
// 18). axe-core checks every page.
func TestBookingWithoutAnAccount(t *testing.T) {
	m, base := startApp(t)
	seed(t, m, "sans-compte@exemple.fr")
	for i, w := range []bookingWords{frenchBooking, englishBooking} {
		t.Run(w.lang+"/phone-noscript", func(t *testing.T) {
			lang := map[string]string{"fr": "fr-FR", "en": "en-GB"}[w.lang]
			b := newBrowser(t, base, options{dev: phone, lang: lang, noScript: true})
			wantStatus(t, "booking form", b.open(paths.Appointments.String()), http.StatusOK)
			b.check("booking-form", expected{lang: w.lang, heading: w.heading, texts: []string{w.outage}})
			b.do("choose the outage", chromedp.Click(`//label[@for="reason-outage"]`))
			wantStatus(t, "see the slots", b.follow(button("main", w.seeSlots)), http.StatusOK)
			b.check("booking-slots", expected{lang: w.lang, heading: w.heading, texts: []string{w.urgent, w.name}})
			b.do("choose the first slot", chromedp.Click(`(//main//input[@name="slot"]/following-sibling::label)[1]`))
			email := fmt.Sprintf("awa-%d@exemple.fr", i)
			b.fill("name", "Awa Traoré")
			b.fill("email", email)
			wantStatus(t, "book", b.follow(button("main", w.submit)), http.StatusOK)
			st := b.check("booking-done", expected{lang: w.lang, heading: w.manageHeading, texts: []string{w.booked, "RDV-"}})
			if !strings.Contains(st.URL, "/rendez-vous/gerer/") {
				t.Errorf("the booking's page is %s, want its own signed link", st.URL)
			}
			mails, err := m.DB.Mails().RecentMails(t.Context(), 20)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, ml := range mails {
				found = found || (ml.To == email && strings.Contains(ml.Text, "/rendez-vous/gerer/"))
			}
			if !found {
				t.Errorf("no confirmation mail with the booking's link to %s", email)
			}
		})
	}
}
