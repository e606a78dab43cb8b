package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/paths"
)

var counterCode = regexp.MustCompile(`RDV-[0-9]+-\S+`)

// codeWords are the words of the counter's code page in one language.
type codeWords struct {
	booking                                                    bookingWords
	browser, channel, nav, heading, code, read, bookingHeading string
	arrived, kind, outage, start, searchHeading                string
}

var codeLangs = []codeWords{
	{booking: frenchBooking, browser: "fr-FR", channel: "La personne est", nav: "Accueillir un rendez-vous (code RDV)",
		heading: "Accueillir une personne qui a rendez-vous", code: "Code du rendez-vous", read: "Lire le code",
		bookingHeading: "Rendez-vous au guichet", arrived: "Arrivée notée à", kind: "Déposer une demande au guichet",
		outage: "Le portail ne marchait pas au moment du dépôt", start: "Commencer le dépôt au guichet",
		searchHeading: "Guichet\u00a0: déposer pour une personne"},
	{booking: englishBooking, browser: "en-GB", channel: "The person is", nav: "Welcome an appointment (RDV code)",
		heading: "Welcome a person who has an appointment", code: "Appointment code", read: "Read the code",
		bookingHeading: "Counter appointment", arrived: "Arrival recorded at", kind: "File an application at the counter",
		outage: "The portal was not working when they filed", start: "Start the filing at the counter",
		searchHeading: "Counter: file for a person"},
}

// TestCounterReadsTheCode: on a 360-pixel phone without JavaScript, in
// French and English, an agent books a slot for a caller on the phone,
// then, the day the caller comes, types the booking's code on the
// counter's page: the booking is shown with the arrival recorded and the
// way to start the filing, which leads to the counter's search prefilled
// with the caller's name (issue 18). axe-core checks every page.
func TestCounterReadsTheCode(t *testing.T) {
	m, base := startApp(t)
	paris := apptest.Paris(t, m.DB)
	for _, w := range codeLangs {
		t.Run(w.booking.lang+"/phone-noscript", func(t *testing.T) {
			email := "accueil-" + w.booking.lang + "@prefecture.exemple.fr"
			secret := enrolledAgent(t, m, paris, email)
			b := newBrowser(t, base, options{dev: phone, lang: w.browser, noScript: true})
			staffLogIn(t, b, email, secret)

			wantStatus(t, "booking form", b.open(paths.Appointments.String()), http.StatusOK)
			b.check("agent-booking-form", expected{lang: w.booking.lang, heading: w.booking.heading})
			b.do("choose the outage", chromedp.Click(`//label[@for="reason-outage"]`))
			wantStatus(t, "see the slots", b.follow(button("main", w.booking.seeSlots)), http.StatusOK)
			b.check("agent-booking-slots", expected{lang: w.booking.lang, heading: w.booking.heading, texts: []string{w.booking.name, w.channel}})
			b.do("choose the first slot", chromedp.Click(`(//main//input[@name="slot"]/following-sibling::label)[1]`))
			b.do("on the phone", chromedp.Click(`//label[@for="channel-phone"]`))
			b.fill("name", "Moussa Keïta")
			b.fill("phone", "06 12 34 56 78")
			wantStatus(t, "book", b.follow(button("main", w.booking.submit)), http.StatusOK)
			st := b.check("agent-booking-done", expected{lang: w.booking.lang, heading: w.booking.manageHeading, texts: []string{w.booking.booked}})
			code := counterCode.FindString(st.Text)
			if code == "" {
				t.Fatalf("no counter code on the booking's page:\n%s", st.Text)
			}

			wantStatus(t, "the queue", b.open(paths.Agent.String()), http.StatusOK)
			wantStatus(t, "the counter's code page", b.follow(`//main//a[normalize-space(.)=`+xpathString(w.nav)+`]`), http.StatusOK)
			b.check("counter-code-form", expected{lang: w.booking.lang, heading: w.heading, texts: []string{w.code}})
			b.fill("code", code)
			wantStatus(t, "read the code", b.follow(button("main", w.read)), http.StatusOK)
			b.check("counter-code-booking", expected{lang: w.booking.lang, heading: w.bookingHeading,
				texts: []string{"Moussa Keïta", "06 12 34 56 78", w.arrived, w.kind, w.outage, w.start}})
			wantStatus(t, "start the filing", b.follow(`//main//a[@id="start-filing"]`), http.StatusOK)
			st = b.check("counter-search-prefilled", expected{lang: w.booking.lang, heading: w.searchHeading})
			if !strings.Contains(st.URL, "surname=Ke%C3%AFta") {
				t.Errorf("the counter's search is %s, want it prefilled with the caller's name", st.URL)
			}
		})
	}
}
