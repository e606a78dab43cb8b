package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// waitingWords are the waiting list's words in one language.
type waitingWords struct {
	booking                                              bookingWords
	browser, noneFree, wait, waiting, agenda, addSession string
}

var waitingLangs = []waitingWords{
	{booking: frenchBooking, browser: "fr-FR", noneFree: "Aucun créneau n'est libre", wait: "M'inscrire sur la liste d'attente",
		waiting: "Vous êtes sur la liste d'attente", agenda: "Rendez-vous du guichet : Préfecture de la Seine-Saint-Denis",
		addSession: "Ajouter la séance"},
	{booking: englishBooking, browser: "en-GB", noneFree: "No slot is free by", wait: "Put me on the waiting list",
		waiting: "You are on the waiting list", agenda: "Counter appointments: Préfecture de la Seine-Saint-Denis",
		addSession: "Add the session"},
}

// TestFullCalendarWaitingListGetsTheAddedSlot: when every slot within the
// guaranteed delay is taken, a person (no account, on a phone without
// JavaScript, in French and English) is put on the waiting list with its
// deadline, never told only "no slot"; a supervisor adds a session on the
// agenda, and the waiting request is given one of its slots at once (issue
// 18). axe-core checks every page.
func TestFullCalendarWaitingListGetsTheAddedSlot(t *testing.T) {
	m, base := startApp(t)
	ctx := t.Context()
	pref := &permit.Prefecture{Code: "93", Name: "Préfecture de la Seine-Saint-Denis", Departments: []string{"93"}}
	if err := m.DB.Files().CreatePrefecture(ctx, pref); err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(permit.Paris)
	for i, w := range waitingLangs {
		t.Run(w.booking.lang+"/phone-noscript", func(t *testing.T) {
			// Le Raincy has one counter, on Tuesday mornings: take every
			// slot of the short delay an outage gives (and those left in
			// the session the run before added).
			f := casework.BookingForm{Prefecture: "93", Site: "raincy", Kind: "document_check", Reason: "outage", Name: "Déjà Inscrit", Lang: "fr"}
			for n := 0; ; n++ {
				choice, err := m.UseCases.Appointments.Choice(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(choice.Slots) == 0 {
					break
				}
				if n == 100 {
					t.Fatal("the calendar is not full after 100 bookings")
				}
				f.Slot, f.Email = choice.Slots[0].Value(), fmt.Sprintf("inscrit%d-%d@exemple.fr", i, n)
				if _, err := m.UseCases.Appointments.Book(ctx, nil, f); err != nil {
					t.Fatal(err)
				}
			}

			name := fmt.Sprintf("Awa Traoré %d", i+1)
			b := newBrowser(t, base, options{dev: phone, lang: w.browser, noScript: true})
			q := url.Values{"place": {"93/raincy"}, "kind": {"document_check"}, "reason": {"outage"}}
			wantStatus(t, "slots", b.open(paths.Appointments.String()+"?"+q.Encode()), http.StatusOK)
			b.check("calendar-full", expected{lang: w.booking.lang, heading: w.booking.heading, texts: []string{w.noneFree, w.wait}})
			b.fill("name", name)
			b.fill("email", fmt.Sprintf("attente%d@exemple.fr", i))
			wantStatus(t, "wait", b.follow(button("main", w.booking.submit)), http.StatusOK)
			st := b.check("waiting", expected{lang: w.booking.lang, heading: w.booking.manageHeading, texts: []string{w.waiting}})
			u, err := url.Parse(st.URL)
			if err != nil {
				t.Fatal(err)
			}
			booking := u.Path // the booking's own signed link

			email := fmt.Sprintf("superviseure-%s@prefecture93.exemple.fr", w.booking.lang)
			secret := enrolledStaff(t, m, pref, email, true)
			sb := newBrowser(t, base, options{dev: phone, lang: w.browser, noScript: true})
			staffLogIn(t, sb, email, secret)
			wantStatus(t, "agenda", sb.open(paths.StaffAgenda.Format(pref.ID)), http.StatusOK)
			sb.check("agenda", expected{lang: w.booking.lang, heading: w.agenda, texts: []string{name}})
			sb.do("choose Le Raincy", chromedp.SetValue(chromedp.ID("site"), "raincy"))
			day = day.AddDate(0, 0, 1)     // each run adds its session on a day of its own
			for rules.PublicHoliday(day) { // no counter opens on a public holiday
				day = day.AddDate(0, 0, 1)
			}
			sb.fill("day", day.Format(time.DateOnly))
			sb.fill("from", "14:00")
			sb.fill("to", "15:00")
			sb.fill("counters", "1")
			wantStatus(t, "add a session", sb.follow(button("main", w.addSession)), http.StatusOK)

			wantStatus(t, "the booking again", b.open(booking), http.StatusOK)
			b.check("offered", expected{lang: w.booking.lang, heading: w.booking.manageHeading, texts: []string{w.booking.booked, "14:00"}})
		})
	}
}
