package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// counterWords are the counter's and the claim's visible texts, in French.
var counterWords = struct {
	nav, searchHeading, searchSubmit, noneFound, create, newHeading, recordPerson, recorded string
	startSubmit, fileForPerson, receiptPaper, paperNote, issueCode, codeShown, printCode    string
	claimLink, claimHeading, claimSubmit, wrongCode, claimed, history                       string
}{
	nav: "Guichet", searchHeading: "Guichet\u00a0: déposer pour une personne", searchSubmit: "Rechercher",
	noneFound: "Aucune personne trouvée dans vos préfectures.", create: "Enregistrer une nouvelle personne",
	newHeading: "Enregistrer une nouvelle personne", recordPerson: "Enregistrer la personne", recorded: "La personne est enregistrée.",
	startSubmit: "Commencer la demande", fileForPerson: "Déposer la demande pour la personne",
	receiptPaper: "Récépissé de dépôt", paperNote: "Demande déposée sur formulaire papier à la " + prefectureName + ".",
	issueCode: "Créer un code de reprise", codeShown: "Code de reprise, affiché une seule fois :", printCode: "Imprimer le récépissé de la demande n° %d avec le code",
	claimLink: "Vous avez déposé au guichet\u00a0? Reprenez votre dossier", claimHeading: "Reprendre un dossier déposé au guichet",
	claimSubmit: "Reprendre mon dossier", wrongCode: "Ce code n’est pas reconnu.",
	claimed: "Votre dossier déposé au guichet est maintenant dans votre espace.", history: "Historique",
}

var counterCaseID = regexp.MustCompile(`/agent/guichet/demandes/(\d+)`)

// TestCounterFilingLaterClaimed follows the backup channel in a browser,
// on a phone without JavaScript: an agent records a person who has no
// account, files a renewal for them from a paper form, prints the
// récépissé and hands them a claim code; the person then signs in, gets a
// wrong code refused, enters the right one, and finds the application
// with its history in their space. Every page passes axe-core.
func TestCounterFilingLaterClaimed(t *testing.T) {
	m, base := startApp(t)
	email := "amina@exemple.fr"
	seed(t, m, email)
	j := &applicantJourney{t: t, w: frenchApp, email: email, files: t.TempDir(), today: civil(time.Now()),
		base: base, opts: options{dev: phone, lang: "fr-FR", noScript: true}}
	w, cw := j.w, counterWords

	j.arrive("counter")
	b := j.b
	j.logIn(agentEmail)
	j.enrolSecondFactor()
	wantStatus(t, "counter", b.follow(link("header", cw.nav)), http.StatusOK)
	j.check(j.step("search"), expected{lang: "fr", heading: cw.searchHeading})
	b.fill("foreigner_number", "7512345678")
	wantStatus(t, "search", b.follow(button("main", cw.searchSubmit)), http.StatusOK)
	j.check(j.step("search-none"), expected{lang: "fr", heading: cw.searchHeading, texts: []string{cw.noneFound}})

	wantStatus(t, "new person", b.follow(link("main", cw.create)), http.StatusOK)
	j.check(j.step("person-new"), expected{lang: "fr", heading: cw.newHeading})
	b.fill("given_names", "Amina")
	b.fill("surname", "Diallo")
	b.setDate("birth_date", time.Date(1998, 5, 6, 0, 0, 0, 0, time.UTC))
	b.fill("birth_place", "Conakry, Guinée")
	b.fill("nationality", "GIN")
	b.fill("foreigner_number", "7512345678")
	b.fill("address_line", "12 rue Oberkampf")
	b.fill("postcode", "75011")
	b.fill("city", "Paris")
	b.tick("has_permit")
	b.choose("permit_ground", "student")
	b.fill("permit_number", "CD7654321")
	b.setDate("permit_from", j.today.AddDate(-1, 0, 0))
	b.setDate("permit_to", j.today.AddDate(0, 0, 90))
	wantStatus(t, "record the person", b.follow(button("main", cw.recordPerson)), http.StatusOK)
	j.check(j.step("person"), expected{lang: "fr", heading: "Amina Diallo", texts: []string{cw.recorded}})

	for _, id := range []string{"kind-renewal", "ground-student", "channel-paper", "consent", "consent_how-signed_form"} {
		b.tick(id)
	}
	wantStatus(t, "start on behalf", b.follow(button("main", cw.startSubmit)), http.StatusOK)
	heading := w.renewal + " — " + w.student
	st := j.check(j.step("case"), expected{lang: "fr", heading: heading, texts: []string{"Formulaire papier"}})
	idm := counterCaseID.FindStringSubmatch(st.URL)
	if idm == nil {
		t.Fatalf("starting on behalf led to %s", st.URL)
	}
	var appID int64
	fmt.Sscan(idm[1], &appID)
	for _, d := range j.readCase().Docs {
		j.provide(d, appID, heading, "")
	}
	b.fill("fee_stamp", feeStamp(appID))
	wantStatus(t, "fee stamp", b.follow(button("main", w.feeSave)), http.StatusOK)
	j.check(j.step("fee-stamp"), expected{lang: "fr", heading: heading, texts: []string{w.feeSaved}})
	b.tick("confirm")
	wantStatus(t, "file for the person", b.follow(button("main", cw.fileForPerson)), http.StatusOK)
	j.check(j.step("receipt"), expected{lang: "fr", heading: cw.receiptPaper, texts: []string{cw.paperNote, w.receiptWarning, "Amina Diallo"}})

	// The agent, in a new visit, finds the person and hands them a code.
	j.arrive("code")
	b = j.b
	j.logIn(agentEmail)
	j.secondFactor()
	wantStatus(t, "counter", b.follow(link("header", cw.nav)), http.StatusOK)
	b.fill("surname", "diallo")
	b.setDate("birth_date", time.Date(1998, 5, 6, 0, 0, 0, 0, time.UTC))
	wantStatus(t, "search", b.follow(button("main", cw.searchSubmit)), http.StatusOK)
	j.check(j.step("search-found"), expected{lang: "fr", heading: cw.searchHeading, texts: []string{"Diallo", "7512345678"}})
	wantStatus(t, "person page", b.follow(link("main", "Diallo")), http.StatusOK)
	wantStatus(t, "issue a code", b.follow(button("main", cw.issueCode)), http.StatusOK)
	st = j.check(j.step("code"), expected{lang: "fr", heading: "Amina Diallo", texts: []string{cw.codeShown, fmt.Sprintf(cw.printCode, appID)}})
	code := regexp.MustCompile(`[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}`).FindString(st.Text)
	if code == "" {
		t.Fatalf("no claim code shown:\n%s", st.Text)
	}

	j.arrive("claimant")
	b = j.b
	j.logIn(email)
	wantStatus(t, "claim form", b.follow(link("main", cw.claimLink)), http.StatusOK)
	j.check(j.step("claim"), expected{lang: "fr", heading: cw.claimHeading})
	b.fill("code", "ACDE-FGHJ-KMNP")
	wantStatus(t, "wrong code", b.follow(button("main", cw.claimSubmit)), http.StatusUnprocessableEntity)
	j.check(j.step("claim-wrong"), expected{lang: "fr", heading: cw.claimHeading, texts: []string{cw.wrongCode}})
	b.do("type the right code", chromedp.SetAttributeValue(chromedp.ID("code"), "value", strings.ToLower(code)))
	wantStatus(t, "claim", b.follow(button("main", cw.claimSubmit)), http.StatusOK)
	st = j.check(j.step("claimed"), expected{lang: "fr", heading: w.mySpace, texts: []string{cw.claimed}})
	j.wantCard(st, "claimed", appID, heading, w.submitted, w.stepSubmitted)
	wantStatus(t, "the claimed application", b.follow(fmt.Sprintf(`//main//a[@href="/demandes/%d"]`, appID)), http.StatusOK)
	j.check(j.step("claimed-case"), expected{lang: "fr", heading: heading, texts: []string{cw.history, w.submitted}})
}
