package e2e

import (
	"net/http"
	"testing"

	"github.com/sejour/sejour/internal/rules"
)

// TestOutagePageForAnonymousVisitor: with the database gone, an anonymous
// visitor on a phone, without JavaScript, who tries to log in gets the
// outage page (a 503): what still works, each prefecture's backup
// channels, the paper form; in French and English, axe-clean, without
// sideways scrolling.
func TestOutagePageForAnonymousVisitor(t *testing.T) {
	chans, err := rules.BackupChannels()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		words
		heading string
		texts   []string
	}{
		{french, "Le portail ne peut pas traiter votre demande pour le moment",
			[]string{"Ce qui fonctionne encore", "Vérifier une attestation", "Suivre l'état du service", "formulaire papier de secours", "Joindre votre préfecture", "Du lundi au vendredi"}},
		{english, "The portal cannot handle your request right now",
			[]string{"What still works", "Verify an attestation", "Follow the state of the service", "backup paper form", "Reach your prefecture", "Monday to Friday"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			m, base := startApp(t)
			b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
			wantStatus(t, "home", b.open("/"), http.StatusOK)
			if tc.lang != "fr" {
				wantStatus(t, "switch language", b.follow(link("header", tc.switchLink)), http.StatusOK)
			}
			wantStatus(t, "log-in form", b.follow(link("header", tc.logIn)), http.StatusOK)
			m.DB.Close() // the database is gone: every query fails, as when it is cut off
			b.fill("email", "quelqu.un@exemple.fr")
			b.fill("password", "un mot de passe assez long")
			wantStatus(t, "log in during the outage", b.follow(button("main", tc.logInSubmit)), http.StatusServiceUnavailable)
			texts := tc.texts
			for _, c := range chans {
				texts = append(texts, c.Name, c.Phone, c.Counter)
			}
			b.check("outage", expected{lang: tc.lang, heading: tc.heading, texts: texts})
		})
	}
}
