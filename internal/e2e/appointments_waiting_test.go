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

// TestFullCalendarWaitingListGetsTheAddedSlot: when every slot within the
// guaranteed delay is taken, a person (no account, on a phone without
// JavaScript) is put on the waiting list with its deadline, never told only
// "no slot"; a supervisor adds a session on the agenda, and the waiting
// request is given one of its slots at once (issue 18). axe-core checks
// every page.
func TestFullCalendarWaitingListGetsTheAddedSlot(t *testing.T) {
	m, base := startApp(t)
	ctx := t.Context()
	pref := &permit.Prefecture{Code: "93", Name: "Préfecture de la Seine-Saint-Denis", Departments: []string{"93"}}
	if err := m.DB.Files().CreatePrefecture(ctx, pref); err != nil {
		t.Fatal(err)
	}
	// Le Raincy has one counter, on Tuesday mornings: take every slot of
	// the short delay an outage gives.
	f := casework.BookingForm{Prefecture: "93", Site: "raincy", Kind: "document_check", Reason: "outage", Name: "Déjà Inscrit", Lang: "fr"}
	for i := 0; ; i++ {
		choice, err := m.UseCases.Appointments.Choice(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(choice.Slots) == 0 {
			break
		}
		if i == 100 {
			t.Fatal("the calendar is not full after 100 bookings")
		}
		f.Slot, f.Email = choice.Slots[0].Value(), fmt.Sprintf("inscrit%d@exemple.fr", i)
		if _, err := m.UseCases.Appointments.Book(ctx, nil, f); err != nil {
			t.Fatal(err)
		}
	}

	b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
	q := url.Values{"place": {"93/raincy"}, "kind": {"document_check"}, "reason": {"outage"}}
	wantStatus(t, "slots", b.open(paths.Appointments.String()+"?"+q.Encode()), http.StatusOK)
	b.check("calendar-full", expected{lang: "fr", heading: "Prendre rendez-vous au guichet",
		texts: []string{"Aucun créneau n'est libre", "M'inscrire sur la liste d'attente"}})
	b.fill("name", "Awa Traoré")
	b.fill("email", "attente@exemple.fr")
	wantStatus(t, "wait", b.follow(button("main", "Réserver")), http.StatusOK)
	st := b.check("waiting", expected{lang: "fr", heading: "Votre rendez-vous au guichet", texts: []string{"Vous êtes sur la liste d'attente"}})
	u, err := url.Parse(st.URL)
	if err != nil {
		t.Fatal(err)
	}
	booking := u.Path // the booking's own signed link

	secret := enrolledStaff(t, m, pref, "superviseure@prefecture93.exemple.fr", true)
	sb := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
	staffLogIn(t, sb, "superviseure@prefecture93.exemple.fr", secret)
	wantStatus(t, "agenda", sb.open(paths.StaffAgenda.Format(pref.ID)), http.StatusOK)
	sb.check("agenda", expected{lang: "fr", heading: "Rendez-vous du guichet : Préfecture de la Seine-Saint-Denis", texts: []string{"Awa Traoré"}})
	sb.do("choose Le Raincy", chromedp.SetValue(chromedp.ID("site"), "raincy"))
	day := time.Now().In(permit.Paris).AddDate(0, 0, 1)
	for rules.PublicHoliday(day) { // no counter opens on a public holiday
		day = day.AddDate(0, 0, 1)
	}
	sb.fill("day", day.Format(time.DateOnly))
	sb.fill("from", "14:00")
	sb.fill("to", "15:00")
	sb.fill("counters", "1")
	wantStatus(t, "add a session", sb.follow(button("main", "Ajouter la séance")), http.StatusOK)

	wantStatus(t, "the booking again", b.open(booking), http.StatusOK)
	b.check("offered", expected{lang: "fr", heading: "Votre rendez-vous au guichet", texts: []string{"Votre rendez-vous est réservé.", "14:00"}})
}
