package e2e

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/permit"
)

// contactWords are the visible texts of the contact page and the
// transfers page, in one language.
type contactWords struct {
	heading, wrongPassword, saved, submit, pendingTitle string
	moved                                               string // format: the prefecture
	transfersHeading, closedToYou                       string
	timeline                                            string // format: from, to
}

var frenchContact = contactWords{
	heading:          "Mes coordonnées",
	wrongPassword:    "Mot de passe incorrect. Rien n’a été changé.",
	saved:            "Vos coordonnées sont enregistrées.",
	submit:           "Enregistrer mes coordonnées",
	pendingTitle:     "Nouvelle adresse électronique en attente",
	moved:            "Votre nouvelle adresse relève de : %s.",
	transfersHeading: "Dossiers transférés entre préfectures",
	closedToYou:      "Traité par une autre préfecture",
	timeline:         "Dossier transmis de « %s » à « %s » (changement d’adresse)",
}

var englishContact = contactWords{
	heading:          "My contact details",
	wrongPassword:    "Wrong password. Nothing was changed.",
	saved:            "Your contact details are saved.",
	submit:           "Save my details",
	pendingTitle:     "New e-mail address waiting for confirmation",
	moved:            "Your new address falls under: %s.",
	transfersHeading: "Files transferred between prefectures",
	closedToYou:      "Handled by another prefecture",
	timeline:         "File passed from “%s” to “%s” (change of address)",
}

// lyonName is the prefecture the applicant moves to.
const lyonName = "Préfecture du Rhône"

// TestContactPages: an applicant with a draft opens their contact page,
// types a wrong password (refused, nothing changed), moves to Lyon and
// asks for a new e-mail address; the draft's page shows the transfer; the
// Paris agent reads the transfers page. Every page passes axe-core, in
// French on a 360-pixel phone without JavaScript and in English on a
// desktop.
func TestContactPages(t *testing.T) {
	for _, tc := range []struct {
		name     string
		w        appWords
		c        contactWords
		dev      device
		noScript bool
	}{
		{"fr/phone-noscript", frenchApp, frenchContact, phone, true},
		{"en/desktop", englishApp, englishContact, desktop, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, base := startApp(t)
			email := fmt.Sprintf("moves-%s-%s@exemple.fr", tc.w.lang, tc.dev.name)
			seed(t, m, email)
			draft := placeInParis(t, m, email)
			lyon := &permit.Prefecture{Code: "69", Name: lyonName, Departments: []string{"69"}}
			if err := m.DB.Files().CreatePrefecture(t.Context(), lyon); err != nil {
				t.Fatal(err)
			}
			j := &applicantJourney{t: t, w: tc.w, email: email, files: t.TempDir(), today: civil(time.Now()),
				base: base, opts: options{dev: tc.dev, lang: "fr-FR", noScript: tc.noScript}}
			j.contactVisit(tc.c, draft)
		})
	}
}

// placeInParis gives the seeded applicant a profile in Paris and a draft
// renewal, through the program's own store (the profile's pages have
// their own journey), and returns the draft's number.
func placeInParis(t *testing.T, m *app.Main, email string) int64 {
	t.Helper()
	ctx := t.Context()
	acc, _, err := m.DB.Accounts().AccountByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	prefs, err := m.DB.Prefectures(ctx)
	if err != nil || len(prefs) != 1 {
		t.Fatalf("prefectures %v, %v", prefs, err)
	}
	p := &permit.Person{AccountID: acc.ID, GivenNames: givenNames, Surname: surname, BirthDate: "1999-02-03", BirthPlace: "Dakar, Sénégal",
		Nationality: "SEN", PrefectureID: prefs[0].ID, Address: permit.Address{Line: "3 rue des Lilas", Postcode: "75011", City: "Paris"}}
	today := civil(time.Now())
	pm := &permit.Permit{Ground: "student", Number: "AB1234567", ValidFrom: today.AddDate(-1, 0, 0), ValidTo: today.AddDate(0, 0, 90)}
	if err := m.DB.Files().SaveProfile(ctx, p, pm); err != nil {
		t.Fatal(err)
	}
	a := &permit.Application{PersonID: p.ID, PrefectureID: prefs[0].ID, Ground: "student", Kind: permit.KindRenewal, State: permit.StateDraft}
	if err := m.DB.Files().CreateApplication(ctx, a, permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func (j *applicantJourney) contactVisit(c contactWords, draft int64) {
	j.arrive("applicant")
	t, b, w := j.t, j.b, j.w
	j.logIn(j.email)
	j.check(j.step("dashboard"), expected{lang: w.lang, heading: w.mySpace})

	wantStatus(t, "contact page", b.open("/profil/coordonnees"), http.StatusOK)
	j.check(j.step("contact"), expected{lang: w.lang, heading: c.heading, texts: []string{"3 rue des Lilas, 75011 Paris", j.email, prefectureName}})
	b.replace("address_line", "12 quai Saint-Antoine")
	b.replace("postcode", "69002")
	b.replace("city", "Lyon")
	b.fill("password", "not the passphrase")
	wantStatus(t, "wrong password", b.follow(button("main", c.submit)), http.StatusUnprocessableEntity)
	j.check(j.step("contact-wrong-password"), expected{lang: w.lang, heading: c.heading, texts: []string{c.wrongPassword, "3 rue des Lilas, 75011 Paris"}})

	b.fill("password", passphrase)
	b.fill("email", "nouvelle-"+j.email)
	wantStatus(t, "move", b.follow(button("main", c.submit)), http.StatusOK)
	j.check(j.step("contact-moved"), expected{lang: w.lang, heading: c.heading, texts: []string{
		c.saved, fmt.Sprintf(c.moved, lyonName), "12 quai Saint-Antoine, 69002 Lyon", c.pendingTitle, "nouvelle-" + j.email}})

	wantStatus(t, "the draft", b.open("/demandes/"+strconv.FormatInt(draft, 10)), http.StatusOK)
	j.check(j.step("draft-moved"), expected{lang: w.lang, heading: w.renewal + " — " + w.student, texts: []string{
		fmt.Sprintf(w.prefecture, lyonName), fmt.Sprintf(c.timeline, prefectureName, lyonName)}})
	j.logOut()

	j.arrive("agent")
	b = j.b
	j.logIn(agentEmail)
	j.enrolSecondFactor()
	wantStatus(t, "transfers page", b.open("/agent/transferts"), http.StatusOK)
	j.check(j.step("transfers"), expected{lang: w.lang, heading: c.transfersHeading, texts: []string{c.closedToYou, lyonName}})
	j.logOut()
}

// replace sets a field that shows a value already, through the DOM as
// setDate does (typing would add to what is there).
func (b *browser) replace(id, value string) {
	b.t.Helper()
	b.do("replace #"+id, chromedp.SetAttributeValue(chromedp.ID(id), "value", value))
}
