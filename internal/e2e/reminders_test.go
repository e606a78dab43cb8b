package e2e

import (
	"net/http"
	"testing"

	"github.com/sejour/sejour/internal/paths"
)

// TestRemindersPage is the reminders' page in a browser, on a 360-pixel
// phone with JavaScript off, axe-core on every page: the applicant
// saves the kinds, makes the calendar's address (shown once), and
// revokes it.
func TestRemindersPage(t *testing.T) {
	m, base := startApp(t)
	seed(t, m, "rappels@exemple.fr")
	b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
	logInAs(t, b, french, "rappels@exemple.fr")
	const heading = "Mes rappels et mon calendrier"
	wantStatus(t, "reminders", b.open(paths.Reminders.String()), http.StatusOK)
	b.check("reminders", expected{lang: "fr", heading: heading, texts: []string{"30 jours avant la fin de cette période", "Vous n'avez pas encore d'adresse de calendrier."}})
	wantStatus(t, "save", b.follow(button("main", "Enregistrer mes choix")), http.StatusOK)
	b.check("reminders-saved", expected{lang: "fr", heading: heading, texts: []string{"Vos choix sont enregistrés."}})
	wantStatus(t, "make the feed", b.follow(button("main", "Créer l'adresse de mon calendrier")), http.StatusOK)
	b.check("reminders-feed", expected{lang: "fr", heading: heading, texts: []string{"Adresse de mon calendrier", "Révoquer l'adresse"}})
	wantStatus(t, "revoke", b.follow(button("main", "Révoquer l'adresse")), http.StatusOK)
	b.check("reminders-revoked", expected{lang: "fr", heading: heading, texts: []string{"L'adresse de votre calendrier est révoquée"}})
}
