package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
)

// employerWords are the visible texts of the share and check pages.
type employerWords struct {
	words
	shareHeading, work, create, newCode, revoke, revoked string
	employerHome, check, checkHeading, submit            string
	match, noMatch, record                               string
	declarations, declare, covered, referred, authorised string
	aboutYou                                             string
}

var frenchEmployer = employerWords{words: french,
	shareHeading: "Partager mon droit au travail", work: "Travail (un employeur)", create: "Créer le code",
	newCode: "Votre nouveau code", revoke: "Retirer ce code", revoked: "Le code est retiré",
	employerHome: "Boulangerie E2E", check: "Vérifier un droit au travail", checkHeading: "Vérifier un droit au travail",
	submit: "Vérifier", match: "Correspondance trouvée", noMatch: "Aucune correspondance", record: "Télécharger le relevé signé",
	declarations: "Déclarations préalables à l'embauche", declare: "Envoyer la déclaration",
	covered: "couverte par le droit au travail du salarié", referred: "transmise à la préfecture",
	authorised: "autorisée par la préfecture", aboutYou: "Déclarations d'embauche vous concernant"}

var englishEmployer = employerWords{words: english,
	shareHeading: "Share my right to work", work: "Work (an employer)", create: "Create the code",
	newCode: "Your new code", revoke: "Revoke this code", revoked: "The code is revoked",
	employerHome: "Boulangerie E2E", check: "Check a right to work", checkHeading: "Check a right to work",
	submit: "Check", match: "Match found", noMatch: "No match", record: "Download the signed record",
	declarations: "Pre-hire declarations", declare: "Send the declaration",
	covered: "covered by the worker's right to work", referred: "sent to the prefecture",
	authorised: "authorised by the prefecture", aboutYou: "Hiring declarations about you"}

// TestShareCodeCheckedByAnEmployer is issue 14's journey on a 360-pixel
// phone with JavaScript off, in French and English, axe-core on every
// page: the worker creates a work share code; the employer logs in,
// checks it with the birth date and gets the answer and its signed
// record (fetched, and verified offline); the employer declares a hire
// that the worker's student right covers (answered at once) and one of
// more hours than it allows, which the prefecture's agent authorises; the
// worker sees both on the dashboard; the worker revokes the code; the
// same check then says "no match".
func TestShareCodeCheckedByAnEmployer(t *testing.T) {
	m, base := startApp(t)
	seed(t, m, "travailleuse@exemple.fr")
	worker, employer := employerSeed(t, m)
	for i, w := range []employerWords{frenchEmployer, englishEmployer} {
		t.Run(w.lang+"/phone-noscript", func(t *testing.T) {
			lang := map[string]string{"fr": "fr-FR", "en": "en-GB"}[w.lang]
			wb := newBrowser(t, base, options{dev: phone, lang: lang, noScript: true})
			logInAs(t, wb, w.words, worker)
			wantStatus(t, "share page", wb.open("/partage"), http.StatusOK)
			wb.check("share", expected{lang: w.lang, heading: w.shareHeading})
			wb.do("choose work", chromedp.Click(`//label[@for="purpose-work"]`))
			wantStatus(t, "create the code", wb.follow(button("main", w.create)), http.StatusOK)
			wb.check("share-created", expected{lang: w.lang, heading: w.shareHeading, texts: []string{w.newCode}})
			code := evaluate[string](wb, "read the code", `document.getElementById('share-code').innerText`)
			if len(code) != 11 {
				t.Fatalf("the code shown is %q", code)
			}

			eb := newBrowser(t, base, options{dev: phone, lang: lang, noScript: true})
			logInAs(t, eb, w.words, employer)
			eb.check("employer-home", expected{lang: w.lang, heading: w.employerHome})
			wantStatus(t, "check form", eb.follow(link("main", w.check)), http.StatusOK)
			eb.check("check-form", expected{lang: w.lang, heading: w.checkHeading})
			eb.fill("share_code", strings.ToLower(code))
			eb.fill("birth_date", workerBirth)
			wantStatus(t, "check", eb.follow(button("main", w.submit)), http.StatusOK)
			eb.check("check-match", expected{lang: w.lang, heading: w.checkHeading, texts: []string{w.match, "Awa Diallo", w.record}})
			recordPDF(t, m, base, i+1)
			declareHires(t, m, base, eb, wb, w, code)

			wantStatus(t, "share page", wb.open("/partage"), http.StatusOK)
			wantStatus(t, "revoke", wb.follow(`//main//button[starts-with(normalize-space(.), `+xpathString(w.revoke)+`)]`), http.StatusOK)
			wb.check("share-revoked", expected{lang: w.lang, heading: w.shareHeading, texts: []string{w.revoked}})

			wantStatus(t, "check form", eb.open("/employeur/verifier"), http.StatusOK)
			eb.fill("share_code", code)
			eb.fill("birth_date", workerBirth)
			wantStatus(t, "check a revoked code", eb.follow(button("main", w.submit)), http.StatusNotFound)
			eb.check("check-no-match", expected{lang: w.lang, heading: w.checkHeading, texts: []string{w.noMatch}})
		})
	}
}

const workerBirth = "1994-05-17"

// declareHires is the pre-hire declarations' part of the journey: the
// employer declares 15 hours a week (covered at once by the student's
// 964 hours a year) and 35 (referred); the agent, logged in once, answers
// the referred one; the employer sees it authorised; the worker sees both.
// The agent's pages are in French, as staffLogIn reads them.
func declareHires(t *testing.T, m *app.Main, base string, eb, wb *browser, w employerWords, code string) {
	t.Helper()
	prefs, err := m.DB.Prefectures(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	agent := "declarations-" + w.lang + "@prefecture.exemple" // one a language: a TOTP code is used once
	agentSecret := enrolledAgent(t, m, prefs[0], agent)
	start, err := m.Rules.Declarations.EarliestStart(permit.ParisDay(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	declare := func(hours, want string) *permit.Declaration {
		wantStatus(t, "employer home", eb.open(paths.EmployerHome.String()), http.StatusOK)
		wantStatus(t, "declarations", eb.follow(link("main", w.declarations)), http.StatusOK)
		eb.check("declarations", expected{lang: w.lang, heading: w.declarations})
		eb.fill("share_code", code)
		eb.fill("birth_date", workerBirth)
		eb.fill("surname", "Diallo")
		eb.fill("start_date", start.Format(time.DateOnly))
		eb.fill("job", "Vendeuse")
		eb.fill("weekly_hours", hours)
		eb.do("choose the contract", chromedp.Click(`//label[@for="contract-fixed_term"]`))
		wantStatus(t, "declare "+hours+" h", eb.follow(button("main", w.declare)), http.StatusOK)
		admin, _, err := m.DB.Accounts().AccountByEmail(t.Context(), "rh@boulangerie.exemple")
		if err != nil {
			t.Fatal(err)
		}
		list, err := m.UseCases.Declarations.List(t.Context(), casework.Checker{Account: admin})
		if err != nil || len(list) == 0 {
			t.Fatalf("declarations: %v", err)
		}
		heading := map[string]string{"fr": "Déclaration ", "en": "Declaration "}[w.lang] + list[0].Number
		eb.check("declared-"+hours, expected{lang: w.lang, heading: heading, texts: []string{want}})
		return list[0]
	}
	covered := declare("15", w.covered)
	referred := declare("35", w.referred)

	ab := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
	staffLogIn(t, ab, agent, agentSecret)
	wantStatus(t, "the agents' declarations", ab.open(paths.AgentDeclarations.String()), http.StatusOK)
	ab.check("agent-declarations", expected{lang: "fr", heading: "Déclarations préalables à l'embauche à examiner", texts: []string{referred.Number}})
	if strings.Contains(evaluate[string](ab, "read the queue", `document.querySelector('main').innerText`), covered.Number) {
		t.Errorf("the agents' queue lists a declaration answered at once")
	}
	wantStatus(t, "the declaration", ab.follow(link("main", referred.Number)), http.StatusOK)
	ab.check("agent-declaration", expected{lang: "fr", heading: "Déclaration " + referred.Number})
	ab.do("authorise", chromedp.Click(`//label[@for="outcome-authorised"]`))
	wantStatus(t, "answer", ab.follow(button("main", "Enregistrer la réponse")), http.StatusOK)
	ab.check("agent-answered", expected{lang: "fr", heading: "Déclarations préalables à l'embauche à examiner", texts: []string{"Réponse enregistrée"}})

	wantStatus(t, "the outcome", eb.open(paths.EmployerDeclaration.Format(referred.ID)), http.StatusOK)
	heading := map[string]string{"fr": "Déclaration ", "en": "Declaration "}[w.lang] + referred.Number
	eb.check("declaration-authorised", expected{lang: w.lang, heading: heading, texts: []string{w.authorised, w.record}})

	wantStatus(t, "the worker's dashboard", wb.open(paths.Dashboard.String()), http.StatusOK)
	wb.check("dashboard-declarations", expected{lang: w.lang, heading: w.mySpace, texts: []string{w.aboutYou, covered.Number, referred.Number}})
}

// employerSeed gives the seeded applicant a profile, and signs up an
// organisation whose admin is confirmed; both log in with passphrase.
func employerSeed(t *testing.T, m *app.Main) (worker, employer string) {
	t.Helper()
	ctx := t.Context()
	worker, employer = "travailleuse@exemple.fr", "rh@boulangerie.exemple"
	acc, _, err := m.DB.Accounts().AccountByEmail(ctx, worker)
	if err != nil {
		t.Fatal(err)
	}
	prefs, err := m.DB.Prefectures(ctx)
	if err != nil || len(prefs) == 0 {
		t.Fatalf("prefectures: %v", err)
	}
	p := &permit.Person{AccountID: acc.ID, GivenNames: "Awa", Surname: "Diallo", BirthDate: workerBirth, BirthPlace: "Bamako",
		Nationality: "MLI", PrefectureID: prefs[0].ID, Address: permit.Address{Line: "1 rue de la Paix", Postcode: "75002", City: "Paris"}}
	if err := m.DB.Files().CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	// A student card: 964 hours of work a year, until well after a hire.
	today := permit.ParisDay(time.Now())
	if err := m.DB.Files().CreatePermit(ctx, &permit.Permit{PersonID: p.ID, Ground: "student", Number: "TS00000001",
		ValidFrom: today.AddDate(-1, 0, 0), ValidTo: today.AddDate(0, 0, 200)}); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash(passphrase, password.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	o := &permit.Organisation{Name: "Boulangerie E2E", SIRET: "73282932000074", Address: permit.Address{Line: "2 rue du Bac", Postcode: "75007", City: "Paris"}}
	if err := (store.Employers{DB: m.DB}).SignUpOrganisation(ctx, o, &permit.Account{Email: employer, Lang: "fr", ConfirmedAt: &now}, hash, nil, nil); err != nil {
		t.Fatal(err)
	}
	return worker, employer
}

// logInAs logs in through the header's link.
func logInAs(t *testing.T, b *browser, w words, email string) {
	t.Helper()
	wantStatus(t, "home", b.open("/"), http.StatusOK)
	wantStatus(t, "log-in form", b.follow(link("header", w.logIn)), http.StatusOK)
	b.fill("email", email)
	b.fill("password", passphrase)
	wantStatus(t, "log in as "+email, b.follow(button("main", w.logInSubmit)), http.StatusOK)
}

// recordPDF fetches the n-th check record's PDF, as the page's link
// serves it, through the API with a key of the organisation, and verifies
// its signed code offline with the program's keys.
func recordPDF(t *testing.T, m *app.Main, base string, n int) {
	t.Helper()
	ctx := t.Context()
	admin, _, err := m.DB.Accounts().AccountByEmail(ctx, "rh@boulangerie.exemple")
	if err != nil {
		t.Fatal(err)
	}
	hist, err := m.UseCases.WorkChecks.History(ctx, admin)
	if err != nil || len(hist) != n {
		t.Fatalf("history: %d checks, %v; want %d", len(hist), err, n)
	}
	key, _, err := m.UseCases.Employers.CreateAPIKey(ctx, admin, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", base+paths.APIWorkCheck.Format(hist[0].ID), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	pdf, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Errorf("the record's PDF: %d, %d bytes", res.StatusCode, len(pdf))
	}
	r, err := seal.Verify(hist[0].Code, m.Keys, time.Now())
	if err != nil || r.Claims.Kind != permit.AttestationWorkCheck || r.Claims.Check == nil || r.Claims.Check.Organisation != "Boulangerie E2E" {
		t.Errorf("the record's code: %+v, %v", r, err)
	}
}
