package e2e

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
)

// TestCardCollectionAmongTheSlots: once the card is made, the applicant
// (on a 360-pixel phone without JavaScript, in French and English) picks
// a collection slot among those the prefecture's sites offer, and the
// page then shows the appointment with its counter code (issue 18, part
// 4). axe-core checks every page.
func TestCardCollectionAmongTheSlots(t *testing.T) {
	m, base := startApp(t)
	ctx := t.Context()
	paris := apptest.Paris(t, m.DB)
	now := time.Now().UTC()
	agent := &permit.Account{Email: "retrait@prefecture.exemple.fr", Role: permit.RoleAgent, Lang: "fr", ConfirmedAt: &now, Prefectures: []int64{paris.ID}}
	if err := m.DB.Accounts().CreateAccount(ctx, agent, "!", nil, nil); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash(passphrase, password.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range []struct{ lang, browser, logIn, step, pick, submit, booked, code, move string }{
		{"fr", "fr-FR", "Se connecter", "choisissez ci-dessous un créneau pour venir le retirer", "Choisissez un créneau pour venir retirer votre carte.",
			"Réserver ce créneau", "Votre rendez-vous pour retirer votre carte", "Code à présenter au guichet", "Déplacez ou annulez le rendez-vous"},
		{"en", "en-GB", "Log in", "choose a slot below to come and collect it", "Choose a slot to come and collect your card.",
			"Book this slot", "Your appointment to collect your card", "Code to show at the counter", "Move or cancel the appointment"},
	} {
		t.Run(w.lang+"/phone-noscript", func(t *testing.T) {
			acc, appID := apptest.Renewal(t, m.DB, m.UseCases, m.Rules, 700+i, now, now.AddDate(0, 3, 0), apptest.Scan(t))
			if err := m.DB.Accounts().SetPasswordHash(ctx, acc.ID, hash); err != nil {
				t.Fatal(err)
			}
			if _, err := m.UseCases.Applications.File(ctx, acc, appID); err != nil {
				t.Fatal(err)
			}
			d := m.UseCases.Decisions
			if err := d.StartReview(ctx, agent, appID); err != nil {
				t.Fatal(err)
			}
			apptest.Checked(t, m.UseCases, agent, appID)
			if err := d.DecideFavourable(ctx, agent, appID, ""); err != nil {
				t.Fatal(err)
			}
			if err := d.ProduceCard(ctx, agent, appID); err != nil {
				t.Fatal(err)
			}

			b := newBrowser(t, base, options{dev: phone, lang: w.browser, noScript: true})
			wantStatus(t, "log-in form", b.open("/connexion"), http.StatusOK)
			b.fill("email", acc.Email)
			b.fill("password", passphrase)
			wantStatus(t, "log in", b.follow(button("main", w.logIn)), http.StatusOK)
			page := "/demandes/" + strconv.FormatInt(appID, 10)
			wantStatus(t, "the application", b.open(page), http.StatusOK)
			heading := evaluate[string](b, "the application's heading", `document.querySelector('h1').innerText.trim()`)
			b.check("collection-pick", expected{lang: w.lang, heading: heading, texts: []string{w.step, w.pick}})
			b.do("choose the first slot", chromedp.Click(`(//div[@id="retrait"]//input[@name="slot"]/following-sibling::label)[1]`))
			wantStatus(t, "book the collection", b.follow(button("main", w.submit)), http.StatusOK)
			st := b.check("collection-booked", expected{lang: w.lang, heading: heading, texts: []string{w.booked, w.code, w.move, "RDV-"}})
			booking, err := m.UseCases.Appointments.StaffCollection(ctx, agent, appID)
			if err != nil || !booking.Held() || booking.Kind != permit.BookingCard {
				t.Fatalf("the collection booking: %+v, %v", booking, err)
			}
			if want := fmt.Sprintf("%02d:%02d", booking.StartsAt.In(permit.Paris).Hour(), booking.StartsAt.In(permit.Paris).Minute()); !strings.Contains(st.Text, want) {
				t.Errorf("the page does not show the booked time %s:\n%s", want, st.Text)
			}
		})
	}
}
