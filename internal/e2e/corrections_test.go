package e2e

import (
	"net/http"
	"strings"

	"github.com/chromedp/chromedp"
)

// correctionWords are what the pages of a civil-data correction say.
type correctionWords struct {
	lockedHelp, askLink, formHeading, explanation, submit, sent string
	listHeading, reviewHeading, accept, accepted                string
	historyHeading, bySource                                    string
}

// The staff's review heading shows the names isolated (U+2068 … U+2069),
// so that a right-to-left override typed in a name cannot reorder it.
var correctionText = map[string]correctionWords{
	"fr": {
		lockedHelp:     "Une demande a été déposée avec cette identité : elle ne se modifie plus ici.",
		askLink:        "Demander la correction de mon identité",
		formHeading:    "Demander la correction de mon identité",
		explanation:    "Mon nom s'écrit sans apostrophe.",
		submit:         "Envoyer la demande",
		sent:           "Votre demande de correction est envoyée.",
		listHeading:    "Demandes de correction d'identité",
		reviewHeading:  "Correction demandée par \u2068N'Diaye\u2069 \u2068Zoë\u2069",
		accept:         "Accepter la correction",
		accepted:       "Correction acceptée : les données sont corrigées et les attestations réémises.",
		historyHeading: "Historique de mes données",
		bySource:       "Correction acceptée par la préfecture",
	},
	"en": {
		lockedHelp:     "An application was filed with this identity: it is no longer changed here.",
		askLink:        "Ask for a correction of my identity",
		formHeading:    "Ask for a correction of my identity",
		explanation:    "My surname has no apostrophe.",
		submit:         "Send the request",
		sent:           "Your correction request has been sent.",
		listHeading:    "Identity correction requests",
		reviewHeading:  "Correction asked by \u2068N'Diaye\u2069 \u2068Zoë\u2069",
		accept:         "Accept the correction",
		accepted:       "Correction accepted: the data is corrected and the attestations reissued.",
		historyHeading: "History of my data",
		bySource:       "Correction accepted by the prefecture",
	},
}

// correctTheName is the applicant, whose identity is locked once filed,
// asking for their surname to be corrected with a scan of their passport,
// and the agent accepting it; the applicant then reads the answer and
// the history of their data. Every page is checked like the others
// (axe-core included).
func (j *applicantJourney) correctTheName() {
	t, w := j.t, j.w
	cw := correctionText[w.lang]

	j.arrive("correction")
	b := j.b
	j.logIn(j.email)
	wantStatus(t, "profile", b.open("/profil"), http.StatusOK)
	j.check(j.step("profile-locked"), expected{lang: w.lang, heading: w.profileHeading, texts: []string{cw.lockedHelp, cw.askLink}})
	wantStatus(t, "correction form", b.follow(link("main", cw.askLink)), http.StatusOK)
	j.check(j.step("correction-form"), expected{lang: w.lang, heading: cw.formHeading})
	b.do("clear #surname", chromedp.Clear(chromedp.ID("surname")))
	b.fill("surname", "Ndiaye")
	b.fill("explanation", cw.explanation)
	path := scan(t, j.files, "passeport")
	b.do("choose the evidence", chromedp.SetUploadFiles(chromedp.ID("evidence"), []string{path}))
	wantStatus(t, "send the correction request", b.follow(button("main", cw.submit)), http.StatusOK)
	j.check(j.step("correction-sent"), expected{lang: w.lang, heading: w.profileHeading, texts: []string{cw.sent, "Ndiaye", "passeport.png"}})
	j.logOut()

	j.arrive("correction-agent")
	b = j.b
	j.logIn(agentEmail)
	j.secondFactor()
	wantStatus(t, "corrections", b.open("/agent/corrections"), http.StatusOK)
	j.check(j.step("corrections"), expected{lang: w.lang, heading: cw.listHeading, texts: []string{surname + " " + givenNames}})
	wantStatus(t, "open the request", b.follow(`//main//table//a`), http.StatusOK)
	j.check(j.step("correction-review"), expected{lang: w.lang, heading: cw.reviewHeading, texts: []string{"Ndiaye", cw.explanation, "passeport.png"}})
	wantStatus(t, "accept", b.follow(button("main", cw.accept)), http.StatusOK)
	// The request is headed with the person's name, now corrected.
	j.check(j.step("correction-accepted"), expected{lang: w.lang, heading: strings.Replace(cw.reviewHeading, surname, "Ndiaye", 1), texts: []string{cw.accepted}})
	j.logOut()

	j.arrive("corrected")
	b = j.b
	j.logIn(j.email)
	wantStatus(t, "profile", b.open("/profil"), http.StatusOK)
	st := j.check(j.step("profile-corrected"), expected{lang: w.lang, heading: w.profileHeading,
		texts: []string{cw.historyHeading, cw.bySource, "Ndiaye"}})
	if !strings.Contains(st.Text, surname) {
		t.Errorf("the history does not keep the former surname %q", surname)
	}
	j.logOut()
}
