package e2e

import (
	"net/http"
	"testing"

	"github.com/sejour/sejour/internal/paths"
)

// followWords are the visible texts of the follow-ups' pages.
type followWords struct {
	employerWords
	ask, followHeading, waiting, workerHeading, accept, active, proof, end, ended, endedByWorker string
}

var frenchFollow = followWords{employerWords: frenchEmployer,
	ask: "Demander à suivre ce droit au travail", followHeading: "Suivis du droit au travail", waiting: "en attente de la réponse de la personne",
	workerHeading: "Employeurs qui suivent mon droit au travail", accept: "Accepter", active: "Actif depuis le",
	proof: "Télécharger la preuve signée à jour (PDF)", end: "Arrêter le suivi", ended: "Le suivi est arrêté.", endedByWorker: "Arrêté par la personne le"}

var englishFollow = followWords{employerWords: englishEmployer,
	ask: "Ask to follow this right to work", followHeading: "Right-to-work follow-ups", waiting: "waiting for the person's answer",
	workerHeading: "Employers following my right to work", accept: "Accept", active: "Active since",
	proof: "Download the current signed proof (PDF)", end: "End the follow-up", ended: "The follow-up is ended.", endedByWorker: "Ended by the person on"}

// startsWith is a button in main whose words begin with text (the rest
// is for screen readers: whose follow-up it is).
func startsWith(text string) string {
	return `//main//button[starts-with(normalize-space(.), ` + xpathString(text) + `)]`
}

// TestFollowUpWithConsent is issue 14's part 5 in a browser, on a
// 360-pixel phone with JavaScript off, in French and English, axe-core
// on every page: the employer checks the worker's code and asks to
// follow; the worker sees the request on /partage and accepts; the
// employer sees the follow-up active with its proof; the worker ends it,
// and the employer sees it ended.
func TestFollowUpWithConsent(t *testing.T) {
	m, base := startApp(t)
	seed(t, m, "travailleuse@exemple.fr")
	worker, employer := employerSeed(t, m)
	acc, _, err := m.DB.Accounts().AccountByEmail(t.Context(), worker)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []followWords{frenchFollow, englishFollow} {
		t.Run(w.lang+"/phone-noscript", func(t *testing.T) {
			lang := map[string]string{"fr": "fr-FR", "en": "en-GB"}[w.lang]
			code, _, err := m.UseCases.WorkChecks.CreateShareCode(t.Context(), acc, "work")
			if err != nil {
				t.Fatal(err)
			}
			eb := newBrowser(t, base, options{dev: phone, lang: lang, noScript: true})
			logInAs(t, eb, w.words, employer)
			wantStatus(t, "check form", eb.open(paths.EmployerCheck.String()), http.StatusOK)
			eb.fill("share_code", code)
			eb.fill("birth_date", workerBirth)
			wantStatus(t, "check", eb.follow(button("main", w.submit)), http.StatusOK)
			eb.check("check-match", expected{lang: w.lang, heading: w.checkHeading, texts: []string{w.match, w.ask}})
			wantStatus(t, "ask to follow", eb.follow(button("main", w.ask)), http.StatusOK)
			eb.check("followups-asked", expected{lang: w.lang, heading: w.followHeading, texts: []string{"Awa", "Diallo", w.waiting}})

			wb := newBrowser(t, base, options{dev: phone, lang: lang, noScript: true})
			logInAs(t, wb, w.words, worker)
			wantStatus(t, "share page", wb.open(paths.Share.String()), http.StatusOK)
			wb.check("share-request", expected{lang: w.lang, heading: w.shareHeading, texts: []string{w.workerHeading, "Boulangerie E2E"}})
			wantStatus(t, "accept", wb.follow(startsWith(w.accept)), http.StatusOK)
			wb.check("share-accepted", expected{lang: w.lang, heading: w.shareHeading, texts: []string{w.active}})

			wantStatus(t, "follow-ups", eb.open(paths.FollowUps.String()), http.StatusOK)
			eb.check("followups-active", expected{lang: w.lang, heading: w.followHeading, texts: []string{w.active, w.proof}})

			wantStatus(t, "share page", wb.open(paths.Share.String()), http.StatusOK)
			wantStatus(t, "end", wb.follow(startsWith(w.end)), http.StatusOK)
			wb.check("share-ended", expected{lang: w.lang, heading: w.shareHeading, texts: []string{w.ended}})

			wantStatus(t, "follow-ups", eb.open(paths.FollowUps.String()), http.StatusOK)
			eb.check("followups-ended", expected{lang: w.lang, heading: w.followHeading, texts: []string{w.endedByWorker}})
		})
	}
}
