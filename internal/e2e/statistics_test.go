package e2e

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/store"
)

// TestStatisticsPage: on the demonstration's history, a visitor on a
// phone without JavaScript follows the footer's link to the public
// statistics, reads the country's figures, picks Paris in the filter
// and reads its figures by ground, in French and in English; every page
// passes axe and none scrolls sideways (the tables scroll in their own
// box).
func TestStatisticsPage(t *testing.T) {
	m, base := startApp(t)
	st := demo.Store{Accounts: m.DB.Accounts(), Files: m.DB.Files()}
	var out bytes.Buffer
	if err := demo.Load(t.Context(), st, m.Clock, password.DefaultParams, &out); err != nil {
		t.Fatalf("load the demonstration: %v", err)
	}
	if err := demo.LoadHistory(t.Context(), m.UseCases, st, store.Population{DB: m.DB}, m.Clock.Now(), &out); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang, browserLang, footer, heading, show string
		country, paris                           []string
	}{
		{"fr", "fr-FR", "Statistiques publiques", "Statistiques de traitement des demandes", "Afficher",
			[]string{"France entière", "Préfecture de police de Paris", "Méthode", "moins de 10 demandes", "non publié", "Licence Ouverte 2.0"},
			[]string{"Tous motifs", "Étudiant", "84 jours", "108 jours", "82,4 %", "84,6 %"}},
		{"en", "en-GB", "Public statistics", "Application processing statistics", "Show",
			[]string{"All of France", "Préfecture de police de Paris", "Method", "fewer than 10 applications", "not published", "Licence Ouverte 2.0"},
			[]string{"All grounds", "Student", "84 days", "108 days", "82.4 %", "84.6 %"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b := newBrowser(t, base, options{dev: phone, lang: tc.browserLang, noScript: true})
			wantStatus(t, "home", b.open("/"), http.StatusOK)
			wantStatus(t, "statistics", b.follow(link("footer", tc.footer)), http.StatusOK)
			b.check("statistics-country", expected{lang: tc.lang, heading: tc.heading, texts: tc.country})
			b.choose("prefecture", "75")
			wantStatus(t, "statistics of Paris", b.follow(button("main", tc.show)), http.StatusOK)
			b.check("statistics-paris", expected{lang: tc.lang, heading: tc.heading, texts: tc.paris})
		})
	}
}
