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

// TestCounterReadsTheCode: on a 360-pixel phone without JavaScript, in
// French, an agent books a slot for a caller on the phone, then, the day
// the caller comes, types the booking's code on the counter's page: the
// booking is shown with the arrival recorded and the way to start the
// filing, which leads to the counter's search prefilled with the
// caller's name (issue 18). axe-core checks every page.
func TestCounterReadsTheCode(t *testing.T) {
	m, base := startApp(t)
	paris := apptest.Paris(t, m.DB)
	email := "accueil@prefecture.exemple.fr"
	secret := enrolledAgent(t, m, paris, email)
	b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
	staffLogIn(t, b, email, secret)

	wantStatus(t, "booking form", b.open(paths.Appointments.String()), http.StatusOK)
	b.check("agent-booking-form", expected{lang: "fr", heading: frenchBooking.heading})
	b.do("choose the outage", chromedp.Click(`//label[@for="reason-outage"]`))
	wantStatus(t, "see the slots", b.follow(button("main", frenchBooking.seeSlots)), http.StatusOK)
	b.check("agent-booking-slots", expected{lang: "fr", heading: frenchBooking.heading, texts: []string{frenchBooking.name, "La personne est"}})
	b.do("choose the first slot", chromedp.Click(`(//main//input[@name="slot"]/following-sibling::label)[1]`))
	b.do("on the phone", chromedp.Click(`//label[@for="channel-phone"]`))
	b.fill("name", "Moussa Keïta")
	b.fill("phone", "06 12 34 56 78")
	wantStatus(t, "book", b.follow(button("main", frenchBooking.submit)), http.StatusOK)
	st := b.check("agent-booking-done", expected{lang: "fr", heading: frenchBooking.manageHeading, texts: []string{frenchBooking.booked}})
	code := counterCode.FindString(st.Text)
	if code == "" {
		t.Fatalf("no counter code on the booking's page:\n%s", st.Text)
	}

	wantStatus(t, "the queue", b.open(paths.Agent.String()), http.StatusOK)
	wantStatus(t, "the counter's code page", b.follow(`//main//a[normalize-space(.)="Accueillir un rendez-vous (code RDV)"]`), http.StatusOK)
	b.check("counter-code-form", expected{lang: "fr", heading: "Accueillir une personne qui a rendez-vous", texts: []string{"Code du rendez-vous"}})
	b.fill("code", code)
	wantStatus(t, "read the code", b.follow(button("main", "Lire le code")), http.StatusOK)
	b.check("counter-code-booking", expected{lang: "fr", heading: "Rendez-vous au guichet",
		texts: []string{"Moussa Keïta", "06 12 34 56 78", "Arrivée notée à", "Déposer une demande au guichet", "Le portail ne marchait pas au moment du dépôt", "Commencer le dépôt au guichet"}})
	wantStatus(t, "start the filing", b.follow(`//main//a[@id="start-filing"]`), http.StatusOK)
	st = b.check("counter-search-prefilled", expected{lang: "fr", heading: "Guichet\u00a0: déposer pour une personne"})
	if !strings.Contains(st.URL, "surname=Ke%C3%AFta") {
		t.Errorf("the counter's search is %s, want it prefilled with the caller's name", st.URL)
	}
}
