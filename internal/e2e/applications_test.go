package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
)

// appWords are the visible texts of an applicant's files, and of the
// agent who reviews them, in one language.
type appWords struct {
	words
	loggedOut string

	// dashboard
	profileFirst, fillProfile, noApplication, newApplication, withdrawnNotice string
	rejectionShort, who, by                                                   string // formats

	// profile
	profileHeading, profileIntro, profileSubmit, profileSaved, declaredHelp string
	competent, profileEmail                                                 string // formats

	// new application
	startHeading, startSubmit string

	// kinds, grounds, states, steps, actors
	renewal, changeOfStatus, student, employee                        string
	draft, submitted, underReview, incomplete, withdrawn              string
	stepDraft, stepSubmitted, stepUnderReview, stepIncomplete         string
	stepWithdrawn, prefectureActor, applicantActor, stage, prefecture string // stage, prefecture: formats

	// the application page
	inWindow, progress                              string // formats
	uploaded, send, currentFile                     string
	feeLabel, feeSave, feeSaved, fileApplication    string
	photoSave, photoSaved                           string
	receiptHeading, receiptWarning, receiptBackCase string
	completionHeading, completionBy, completionWhy  string // completionBy: format
	requestedBadge, resubmit, resubmitted           string

	// withdrawal
	withdrawLink, withdrawHeading, withdrawWhich, withdrawWarning, withdrawConfirm, withdrawReason string

	// agent
	agentHeading, agentCaption, staffHeading, startReview, reviewStarted string // staffHeading: format
	askHeading, askSubmit, askSent, healthInsurance, askReason           string
	messagesHeading                                                      string // the applicant's heading of the thread

	// the agent's second factor
	enrolHeading, enrolSubmit, recoveryHeading, recoveryContinue string
	codeHeading, codeSubmit                                      string

	// the checks before the decision: what is missing, the buttons that check
	grantUnchecked, identityToCheck, acceptPrefix, confirmIdentity string

	// the decision
	grantHeading, grantNote, grantSubmit, granted  string
	decidedOn, favourableKind, downloadAttestation string // decidedOn, downloadAttestation: formats
	readAttestation, attestationPageIntro          string // readAttestation: a format
	currentAttestations, attestationPDF            string // attestationPDF: format
	verifyHeading, verifySubmit, verifyValid       string

	// the applicant's data
	myDataHeading, myDataDownload string
}

var frenchApp = appWords{
	words:     french,
	loggedOut: "Vous êtes déconnecté. À bientôt.",

	profileFirst:    "Première étape : votre profil",
	noApplication:   "Vous n'avez aucune demande pour l'instant",
	fillProfile:     "Remplir mon profil",
	newApplication:  "Nouvelle demande",
	withdrawnNotice: "Votre demande est retirée.",
	rejectionShort:  "Sans réponse d'ici le %s : refus implicite.",
	who:             "Qui agit : %s",
	by:              "avant le %s",

	profileHeading: "Mon profil",
	profileIntro:   "Ces informations servent à toutes vos demandes. Écrivez-les comme sur votre passeport.",
	profileSubmit:  "Enregistrer mon profil",
	profileSaved:   "Votre profil est enregistré.",
	declaredHelp:   "Ces informations sont celles que vous avez déclarées ; la préfecture les vérifiera avec votre passeport.",
	competent:      "Préfecture compétente : %s.",
	profileEmail:   "Adresse électronique : %s (celle de votre compte ; c'est là que nous vous écrivons).",

	startHeading: "Nouvelle demande",
	startSubmit:  "Commencer ma demande",

	renewal: "Renouvellement", changeOfStatus: "Changement de statut", student: "Étudiant", employee: "Salarié",
	draft: "Brouillon", submitted: "Déposée", underReview: "En cours d'examen", incomplete: "Pièces demandées", withdrawn: "Retirée",
	stepDraft:       "Complétez votre dossier (pièces et timbre fiscal), puis déposez-le.",
	stepSubmitted:   "La préfecture vérifie que votre dossier est complet.",
	stepUnderReview: "La préfecture examine votre demande.",
	stepIncomplete:  "Envoyez les pièces demandées par la préfecture, puis renvoyez votre dossier.",
	stepWithdrawn:   "Vous avez retiré cette demande. Vous pouvez en faire une nouvelle à tout moment.",
	prefectureActor: "La préfecture", applicantActor: "Vous",
	stage:      "Étape : %s",
	prefecture: "Préfecture : %s.",

	inWindow:          "Vous êtes dans le délai : déposez votre demande au plus tard le %s.",
	progress:          "%d éléments prêts sur %d (pièces et timbre fiscal).",
	uploaded:          "Le fichier est enregistré.",
	send:              "Envoyer",
	currentFile:       ": %s",
	feeLabel:          "Numéro du timbre fiscal",
	feeSave:           "Enregistrer le numéro",
	feeSaved:          "Le numéro du timbre est enregistré.",
	photoSave:         "Enregistrer le code",
	photoSaved:        "Le code e-photo est enregistré.",
	fileApplication:   "Déposer ma demande",
	receiptHeading:    "Attestation de dépôt",
	receiptWarning:    "Elle ne prouve pas, à elle seule, que votre séjour est régulier.",
	receiptBackCase:   "Retour à la demande",
	completionHeading: "La préfecture vous demande des pièces",
	completionBy:      "À envoyer avant le %s.",
	completionWhy:     "Pourquoi :",
	requestedBadge:    "Demandée par la préfecture",
	resubmit:          "Renvoyer mon dossier",
	resubmitted:       "Votre dossier complété est renvoyé à la préfecture.",

	withdrawLink:    "Retirer cette demande",
	withdrawHeading: "Retirer ma demande",
	withdrawWhich:   "Demande : %s — %s.",
	withdrawWarning: "Vos autres demandes ne changent pas.",
	withdrawConfirm: "Oui, retirer cette demande",
	withdrawReason:  "J'ai déposé une autre demande.",

	agentHeading:    "File de travail",
	agentCaption:    "Demandes à instruire, par échéance",
	staffHeading:    "Demande n° %d",
	startReview:     "Commencer l'examen",
	reviewStarted:   "L'examen a commencé.",
	askHeading:      "Demander des pièces",
	askSubmit:       "Envoyer la demande de pièces",
	askSent:         "La demande de pièces est envoyée au demandeur.",
	healthInsurance: "Assurance maladie",
	askReason:       "Votre attestation d'assurance maladie manque au dossier.",
	messagesHeading: "Messages avec la préfecture",

	enrolHeading:     "Activer la double authentification",
	enrolSubmit:      "Activer",
	codeHeading:      "Code de vérification",
	codeSubmit:       "Vérifier",
	recoveryHeading:  "Vos codes de secours",
	recoveryContinue: "J'ai noté mes codes, continuer",

	grantUnchecked:  "Le titre ne peut être accordé qu'une fois le dossier vérifié.",
	identityToCheck: "l'identité, à vérifier sur le passeport",
	acceptPrefix:    "Accepter",
	confirmIdentity: "J'ai vérifié cette identité sur le passeport",

	grantHeading:         "Décision favorable",
	grantNote:            "Dossier complet, conditions remplies.",
	grantSubmit:          "Accorder le titre",
	granted:              "La décision favorable est enregistrée. L'attestation de décision favorable est délivrée au demandeur.",
	decidedOn:            "Décision favorable du %s",
	favourableKind:       "Attestation de décision favorable",
	downloadAttestation:  "Télécharger l'attestation (PDF) : %s",
	readAttestation:      "Lire l'attestation en ligne (page accessible)\u00a0: %s",
	attestationPageIntro: "Cette page dit tout ce que dit l'attestation en PDF",
	currentAttestations:  "Mes attestations en cours",
	attestationPDF:       "Télécharger le PDF de l'attestation n° %s",
	verifyHeading:        "Vérifier une attestation",
	verifySubmit:         "Vérifier",
	verifyValid:          "Attestation authentique et valable aujourd'hui",

	myDataHeading:  "Mes données",
	myDataDownload: "Télécharger mes données (zip)",
}

var englishApp = appWords{
	words:     english,
	loggedOut: "You are logged out. See you soon.",

	profileFirst:    "First step: your profile",
	noApplication:   "You have no application yet",
	fillProfile:     "Fill in my profile",
	newApplication:  "New application",
	withdrawnNotice: "Your application is withdrawn.",
	rejectionShort:  "No answer by %s: implicit refusal.",
	who:             "Who acts: %s",
	by:              "by %s",

	profileHeading: "My profile",
	profileIntro:   "This information is used for all your applications. Write it as on your passport.",
	profileSubmit:  "Save my profile",
	profileSaved:   "Your profile is saved.",
	declaredHelp:   "This is what you declared; the prefecture will check it against your passport.",
	competent:      "Competent prefecture: %s.",
	profileEmail:   "E-mail address: %s (your account's; this is where we write to you).",

	startHeading: "New application",
	startSubmit:  "Start my application",

	renewal: "Renewal", changeOfStatus: "Change of status", student: "Student", employee: "Employee",
	draft: "Draft", submitted: "Filed", underReview: "Under review", incomplete: "Documents requested", withdrawn: "Withdrawn",
	stepDraft:       "Complete your file (documents and fee stamp), then file it.",
	stepSubmitted:   "The prefecture checks that your file is complete.",
	stepUnderReview: "The prefecture is examining your application.",
	stepIncomplete:  "Send the documents the prefecture asked for, then send your file again.",
	stepWithdrawn:   "You withdrew this application. You can make a new one at any time.",
	prefectureActor: "The prefecture", applicantActor: "You",
	stage:      "Stage: %s",
	prefecture: "Prefecture: %s.",

	inWindow:          "You are within the window: file your application by %s at the latest.",
	progress:          "%d of %d items ready (documents and fee stamp).",
	uploaded:          "The file is saved.",
	send:              "Send",
	currentFile:       ": %s",
	feeLabel:          "Fee stamp number",
	feeSave:           "Save the number",
	feeSaved:          "The stamp number is saved.",
	photoSave:         "Save the code",
	photoSaved:        "The e-photo code is saved.",
	fileApplication:   "File my application",
	receiptHeading:    "Filing receipt",
	receiptWarning:    "On its own, it does not prove that your stay is lawful.",
	receiptBackCase:   "Back to the application",
	completionHeading: "The prefecture asks you for documents",
	completionBy:      "To send by %s.",
	completionWhy:     "Why:",
	requestedBadge:    "Asked for by the prefecture",
	resubmit:          "Send my file again",
	resubmitted:       "Your completed file was sent back to the prefecture.",

	withdrawLink:    "Withdraw this application",
	withdrawHeading: "Withdraw my application",
	withdrawWhich:   "Application: %s — %s.",
	withdrawWarning: "Your other applications do not change.",
	withdrawConfirm: "Yes, withdraw this application",
	withdrawReason:  "I filed another application.",

	agentHeading:    "Work queue",
	agentCaption:    "Applications to review, by deadline",
	staffHeading:    "Application no. %d",
	startReview:     "Start the review",
	reviewStarted:   "The review has started.",
	askHeading:      "Ask for documents",
	askSubmit:       "Send the request for documents",
	askSent:         "The request for documents was sent to the applicant.",
	healthInsurance: "Health insurance",
	askReason:       "Your health insurance certificate is missing from the file.",
	messagesHeading: "Messages with the prefecture",

	enrolHeading:     "Turn on two-step verification",
	enrolSubmit:      "Turn on",
	codeHeading:      "Verification code",
	codeSubmit:       "Verify",
	recoveryHeading:  "Your recovery codes",
	recoveryContinue: "I have written down my codes, continue",

	grantUnchecked:  "The permit can be granted only once the file is checked.",
	identityToCheck: "the identity, to check against the passport",
	acceptPrefix:    "Accept:",
	confirmIdentity: "I checked this identity against the passport",

	grantHeading:         "Favourable decision",
	grantNote:            "Complete file, conditions met.",
	grantSubmit:          "Grant the permit",
	granted:              "The favourable decision is recorded. The favourable-decision attestation is issued to the applicant.",
	decidedOn:            "Favourable decision of %s",
	favourableKind:       "Favourable-decision attestation",
	downloadAttestation:  "Download the attestation (PDF): %s",
	readAttestation:      "Read the attestation online (accessible page): %s",
	attestationPageIntro: "This page states everything the PDF attestation states",
	currentAttestations:  "My current attestations",
	attestationPDF:       "Download the PDF of attestation no. %s",
	verifyHeading:        "Verify an attestation",
	verifySubmit:         "Verify",
	verifyValid:          "Genuine attestation, valid today",

	myDataHeading:  "My data",
	myDataDownload: "Download my data (zip)",
}

// monthNames are the months as the pages write dates in words; the test
// keeps its own list, so that it does not trust the code it checks.
var monthNames = map[string][12]string{
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"ar": {"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"},
}

// inWords writes a date as a person reads it: "3 février 1999", "1er
// mars 2027", "3 February 1999".
func inWords(lang string, d time.Time) string {
	if lang == "zh" {
		return fmt.Sprintf("%d年%d月%d日", d.Year(), d.Month(), d.Day())
	}
	day := strconv.Itoa(d.Day())
	if lang == "fr" && d.Day() == 1 {
		day = "1er"
	}
	return day + " " + monthNames[lang][d.Month()-1] + " " + strconv.Itoa(d.Year())
}

// The people and the place of the journey.
const (
	prefectureName = "Préfecture de police de Paris"
	givenNames     = "Zoë"
	surname        = "N'Diaye"
	agentEmail     = "agent.paris@prefecture.exemple.fr"
)

// feeStamp is application id's own timbre fiscal number: a stamp is
// used once across the portal.
func feeStamp(id int64) string { return fmt.Sprintf("%016d", 1234567890000000+id) }

// seed creates what exists before the applicant arrives: the prefecture
// competent for Paris, the applicant's confirmed account, and an agent
// of that prefecture, all through the program's own store.
func seed(t *testing.T, m *app.Main, applicantEmail string) {
	t.Helper()
	ctx := t.Context()
	pref := &permit.Prefecture{Code: "75", Name: prefectureName, Departments: []string{"75"}}
	if err := m.DB.Files().CreatePrefecture(ctx, pref); err != nil {
		t.Fatalf("create the prefecture: %v", err)
	}
	hash, err := password.Hash(passphrase, password.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, a := range []*permit.Account{
		{Email: applicantEmail, Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: &now},
		{Email: agentEmail, Role: permit.RoleAgent, Lang: "fr", ConfirmedAt: &now, Prefectures: []int64{pref.ID}},
	} {
		if err := m.DB.Accounts().CreateAccount(ctx, a, hash, nil, nil); err != nil {
			t.Fatalf("create the account %s: %v", a.Email, err)
		}
	}
}

// scan writes a small PNG, as a phone's photo of a paper, named after
// the document, and returns its path.
func scan(t *testing.T, dir, slot string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for x := range 48 {
		img.Set(x, x%32, color.RGBA{0, 0, 145, 255})
		img.Set(x, 31-x%32, color.RGBA{225, 0, 15, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, slot+".png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestApplications follows an applicant's files from the profile to the
// decision of the prefecture to ask for more: a renewal filed, a change of
// status filed beside it, the agent's request for a document, the answer,
// and the withdrawal of the second application. It runs in French on a
// phone without JavaScript, and in English on a desktop screen, the
// language chosen by the header's link.
func TestApplications(t *testing.T) {
	for _, tc := range []struct {
		name     string
		w        appWords
		dev      device
		noScript bool
	}{
		{"fr/phone-noscript", frenchApp, phone, true},
		{"en/desktop", englishApp, desktop, false},
	} {
		// Not in parallel: a run keeps two CPUs busy (server and browser).
		t.Run(tc.name, func(t *testing.T) {
			m, base := startApp(t)
			email := fmt.Sprintf("zoe-%s-%s@exemple.fr", tc.w.lang, tc.dev.name)
			seed(t, m, email)
			j := &applicantJourney{t: t, w: tc.w, email: email, files: t.TempDir(), today: civil(time.Now()),
				base: base, opts: options{dev: tc.dev, lang: "fr-FR", noScript: tc.noScript}}
			j.run()
		})
	}
}

// civil is the calendar day of t in Paris, as the pages print it.
func civil(t time.Time) time.Time { return permit.ParisDay(t) }

type applicantJourney struct {
	t      *testing.T
	base   string
	opts   options
	b      *browser // the browser of the person acting now
	phase  string   // names the screenshots of that person's visit
	w      appWords
	email  string
	files  string          // where the scans are written
	today  time.Time       // the day of the run
	window string          // what the renewal's page says of its window, before filing
	seen   map[string]bool // defects found on every page, reported once

	totpSecret string // the agent's second-factor secret, read at enrolment
	lastStep   int64  // the last TOTP time step used, never to be used again
}

// arrive starts a fresh browser for the next person (each has their own
// computer, and each visit its own time limit), opens the home page and,
// for the English run, switches the language with the header's link.
func (j *applicantJourney) arrive(phase string) {
	t, w := j.t, j.w
	j.phase = phase
	j.b = newBrowser(t, j.base, j.opts)
	b := j.b
	wantStatus(t, "home", b.open("/"), http.StatusOK)
	if w.lang != "fr" {
		j.check(j.step("home-fr"), expected{lang: "fr", heading: french.homeHeading, header: []string{w.switchLink}})
		wantStatus(t, "switch language", b.follow(link("header", w.switchLink)), http.StatusOK)
	}
	j.check(j.step("home"), expected{lang: w.lang, heading: w.homeHeading, header: []string{w.logIn}})
}

// step names a page checked, by the visit it belongs to: the pages of
// each browser are numbered from 1.
func (j *applicantJourney) step(name string) string { return j.phase + "-" + name }

// check is browser.check plus what every page of the files must also
// get right: its icons drawn, and, in English, no French typography.
// These two are reported once per run, at the first page showing them.
func (j *applicantJourney) check(step string, want expected) pageState {
	j.t.Helper()
	st := j.b.check(step, want)
	where := step + " (" + strings.TrimPrefix(st.URL, j.base) + ")"
	for _, el := range evaluate[[]string](j.b, "read the icons", undrawnIcons) {
		if j.once("icon " + iconClass.FindString(el)) {
			j.t.Errorf("%s: an icon class names no icon the page's styles define, so a plain square is drawn in its place: %s", where, el)
		}
	}
	if want.lang == "en" {
		// A code (an attestation's base45 payload) may hold " :" by
		// chance: its alphabet has both.
		text := st.Text
		for _, code := range evaluate[[]string](j.b, "read the codes", `[...document.querySelectorAll('.sejour-code, code')].map(e => e.innerText)`) {
			text = strings.ReplaceAll(text, code, "")
		}
		var colons []string
		for _, m := range frenchColon.FindAllString(text, -1) {
			if j.once("colon " + m) {
				colons = append(colons, m)
			}
		}
		if colons != nil {
			j.t.Errorf("%s: the English page writes colons the French way, with a space before them: %q", where, colons)
		}
	}
	return st
}

// once reports whether a defect is seen for the first time in the run.
func (j *applicantJourney) once(defect string) bool {
	if j.seen == nil {
		j.seen = map[string]bool{}
	}
	first := !j.seen[defect]
	j.seen[defect] = true
	return first
}

// undrawnIcons finds the design system's icons whose class has no
// definition: the design system still draws their ::before box, filled
// with the text colour, without the mask that would cut the icon out.
const undrawnIcons = `[...document.querySelectorAll('main [class*="fr-icon-"]')].filter(e => {
	const s = getComputedStyle(e, '::before');
	return s.content !== 'none' && (s.maskImage || s.webkitMaskImage || 'none') === 'none';
}).map(e => e.outerHTML.slice(0, e.outerHTML.indexOf('>') + 1))`

// iconClass picks the icon's class out of an element's opening tag.
var iconClass = regexp.MustCompile(`fr-icon-[a-z-]+`)

// frenchColon is a word, a space, then a colon: French typography.
var frenchColon = regexp.MustCompile(`\p{L}+ :`)

func (j *applicantJourney) run() {
	j.arrive("applicant")
	t, b, w := j.t, j.b, j.w
	j.logIn(j.email)
	j.check(j.step("dashboard-no-profile"), expected{lang: w.lang, heading: w.mySpace, texts: []string{w.profileFirst}})

	j.fillProfile()

	// 1. A renewal on the ground of the current permit, filed.
	j.window = fmt.Sprintf(w.inWindow, inWords(w.lang, j.today.AddDate(0, 0, 90-60)))
	renewal := j.startApplication(w.renewal, "renewal", w.student, "student", j.window)
	j.completeAndFile(renewal, w.renewal, w.student)

	// 2. While it is pending, a change of status, filed too.
	wantStatus(t, "my space", b.follow(link("header", w.mySpace)), http.StatusOK)
	st := j.check(j.step("dashboard-one-filed"), expected{lang: w.lang, heading: w.mySpace, texts: []string{w.newApplication}})
	j.wantCard(st, "dashboard-one-filed", renewal, w.renewal+" — "+w.student, w.submitted, w.stepSubmitted)
	wantStatus(t, "new application", b.follow(link("main", w.newApplication)), http.StatusOK)
	change := j.startApplication(w.changeOfStatus, "change_of_status", w.employee, "employee", "")
	j.completeAndFile(change, w.changeOfStatus, w.employee)

	wantStatus(t, "my space", b.follow(link("header", w.mySpace)), http.StatusOK)
	rejection := inWords(w.lang, j.today.AddDate(0, 4, 0))
	st = j.check(j.step("dashboard-two-filed"), expected{lang: w.lang, heading: w.mySpace})
	for _, c := range []struct {
		id    int64
		title string
	}{{renewal, w.renewal + " — " + w.student}, {change, w.changeOfStatus + " — " + w.employee}} {
		j.wantCard(st, "dashboard-two-filed", c.id, c.title, w.submitted, w.stepSubmitted,
			fmt.Sprintf(w.who, w.prefectureActor), fmt.Sprintf(w.by, rejection), fmt.Sprintf(w.rejectionShort, rejection))
	}

	// 3. The agent starts the review of the renewal and asks for a document.
	due := j.today.AddDate(0, 0, 20)
	j.arrive("agent")
	j.agentAsksForADocument(renewal, due)

	// 4. The applicant comes back, sends it and sends the file again.
	j.arrive("back")
	j.answerTheRequest(renewal, due)

	// 5. The applicant withdraws the change of status.
	j.withdraw(renewal, change)

	// 6. The agent grants the renewal; the applicant downloads the
	// favourable-decision attestation.
	j.arrive("decision")
	j.agentGrants(renewal)
	j.arrive("granted")
	j.downloadTheDecision(renewal)

	// 7. The applicant has their surname corrected, with evidence.
	j.correctTheName()
}

// secondFactor is a later log-in of the enrolled agent: the code of a
// time step after the last one used (the server refuses a step used
// before as a replay, and accepts one step ahead). When the journey runs
// fast enough for the next step ahead to be used already, it waits for
// the clock to move on.
func (j *applicantJourney) secondFactor() {
	t, b, w := j.t, j.b, j.w
	j.check(j.step("second-factor"), expected{lang: w.lang, heading: w.codeHeading})
	at := time.Now().Add(30 * time.Second)
	for at.Unix()/30 <= j.lastStep {
		time.Sleep(time.Until(time.Unix((j.lastStep+1)*30-30, 0)) + 100*time.Millisecond)
		at = time.Now().Add(30 * time.Second)
	}
	j.lastStep = at.Unix() / 30
	code, err := totp.GenerateCode(j.totpSecret, at)
	if err != nil {
		t.Fatal(err)
	}
	b.fill("code", code)
	wantStatus(t, "second factor", b.follow(button("main", w.codeSubmit)), http.StatusOK)
}

func (j *applicantJourney) agentGrants(id int64) {
	t, b, w := j.t, j.b, j.w
	j.logIn(agentEmail)
	j.secondFactor()
	staffHeading := fmt.Sprintf(w.staffHeading, id)
	wantStatus(t, "open the application", b.open("/agent/demandes/"+strconv.FormatInt(id, 10)), http.StatusOK)
	// Nothing is checked yet: the page says what is, and offers no grant.
	st := j.check(j.step("staff-case-to-check"), expected{lang: w.lang, heading: staffHeading,
		texts: []string{w.grantHeading, w.grantUnchecked, w.identityToCheck}})
	if strings.Contains(st.Text, w.grantSubmit) {
		t.Errorf("the grant is offered before the file is checked:\n%s", st.Text)
	}
	j.agentChecks()
	j.check(j.step("staff-case-to-decide"), expected{lang: w.lang, heading: staffHeading, texts: []string{w.grantHeading, w.grantSubmit}})
	b.fill("favourable_note", w.grantNote)
	wantStatus(t, "grant", b.follow(button("main", w.grantSubmit)), http.StatusOK)
	j.check(j.step("staff-case-granted"), expected{lang: w.lang, heading: staffHeading, texts: []string{w.granted, w.grantNote}})
	j.logOut()
}

// agentChecks accepts every document of the case page, one form after
// the other as an agent does, then confirms the identity.
func (j *applicantJourney) agentChecks() {
	t, b, w := j.t, j.b, j.w
	prefix, _ := json.Marshal(w.acceptPrefix)
	n := evaluate[int](b, "count the documents to accept",
		`[...document.querySelectorAll('main form button')].filter(e => e.textContent.trim().startsWith(`+string(prefix)+`)).length`)
	if n == 0 {
		t.Fatal("the case page offers no document to accept")
	}
	accept := `(//main//form//button[starts-with(normalize-space(.), ` + xpathString(w.acceptPrefix) + `)])`
	for i := 1; i <= n; i++ {
		wantStatus(t, fmt.Sprintf("accept document %d of %d", i, n), b.follow(fmt.Sprintf("%s[%d]", accept, i)), http.StatusOK)
	}
	wantStatus(t, "confirm the identity", b.follow(button("main", w.confirmIdentity)), http.StatusOK)
}

func (j *applicantJourney) downloadTheDecision(id int64) {
	t, b, w := j.t, j.b, j.w
	j.logIn(j.email)
	// The dashboard lists the attestation, with its PDF.
	st := j.check(j.step("dashboard-attestations"), expected{lang: w.lang, heading: w.mySpace, texts: []string{w.currentAttestations, w.favourableKind}})
	number := regexp.MustCompile(`ADF-\d{4}-\d+(?:-\d+)?`).FindString(st.Text)
	if number == "" || !strings.Contains(st.Text, fmt.Sprintf(w.attestationPDF, number)) {
		t.Errorf("the dashboard offers no PDF of the favourable-decision attestation; it shows:\n%s", st.Text)
	}
	title := w.renewal + " — " + w.student
	wantStatus(t, "open the renewal", b.open("/demandes/"+strconv.FormatInt(id, 10)), http.StatusOK)
	download := fmt.Sprintf(w.downloadAttestation, w.favourableKind)
	j.check(j.step("case-granted"), expected{lang: w.lang, heading: title, texts: []string{
		fmt.Sprintf(w.decidedOn, inWords(w.lang, j.today)), w.grantNote, w.favourableKind, download}})
	pdf := j.fetchLink(download)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the favourable-decision attestation did not download as a PDF: %q", pdf[:min(len(pdf), 40)])
	}
	// The same attestation as a page, for screen readers (the PDF is
	// not tagged).
	wantStatus(t, "read the attestation", b.follow(link("main", fmt.Sprintf(w.readAttestation, w.favourableKind))), http.StatusOK)
	heading := evaluate[string](b, "the attestation's heading", `document.querySelector('h1').innerText.trim()`)
	if !strings.HasPrefix(heading, w.favourableKind) {
		t.Errorf("the attestation page's heading is %q, want it to name %q", heading, w.favourableKind)
	}
	j.check(j.step("attestation-page"), expected{lang: w.lang, heading: heading, texts: []string{w.attestationPageIntro}})
	// The PDF, as downloaded, is what the holder sends to an employer:
	// the verifier takes it and says it is genuine and valid.
	path := filepath.Join(j.files, "attestation.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "verifier", b.open("/verifier"), http.StatusOK)
	b.do("choose the PDF", chromedp.SetUploadFiles(chromedp.ID("photo"), []string{path}))
	wantStatus(t, "verify the PDF", b.follow(button("main", w.verifySubmit)), http.StatusOK)
	j.check(j.step("verify-pdf"), expected{lang: w.lang, heading: w.verifyHeading, texts: []string{w.verifyValid, w.favourableKind, number}})
	// All their data, from the page that offers it.
	wantStatus(t, "my data", b.open("/mes-donnees"), http.StatusOK)
	j.check(j.step("my-data"), expected{lang: w.lang, heading: w.myDataHeading, texts: []string{w.myDataDownload, "donnees.json"}})
	j.logOut()
}

// fetchLink downloads what the link of the main part with that visible
// text leads to, as the browser would (with the person's session), and
// returns it; a status other than 200 fails the test.
func (j *applicantJourney) fetchLink(text string) []byte {
	t, b := j.t, j.b
	name, _ := json.Marshal(text)
	var got string
	b.withScripts("download "+text, func() {
		var err error
		got, err = run(b, chromedp.Evaluate[string](`(async () => {
		const a = [...document.querySelectorAll('main a')].find(a => a.innerText.replace(/\s+/g, ' ').trim() === `+string(name)+`);
		if (!a) return 'no link';
		const r = await fetch(a.href);
		if (r.status !== 200) return 'status ' + r.status;
		const bytes = new Uint8Array(await r.arrayBuffer());
		let bin = '';
		for (const c of bytes) bin += String.fromCharCode(c);
		return 'ok ' + btoa(bin);
	})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("download %s: %v", text, err)
		}
	})
	b64, ok := strings.CutPrefix(got, "ok ")
	if !ok {
		t.Fatalf("download %s: %s", text, got)
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// logIn logs in from any page, through the header's link; the caller
// checks the page the account lands on.
func (j *applicantJourney) logIn(email string) {
	t, b, w := j.t, j.b, j.w
	wantStatus(t, "log-in form", b.follow(link("header", w.logIn)), http.StatusOK)
	j.check(j.step("login"), expected{lang: w.lang, heading: w.logInHeading, texts: []string{w.email, w.password}})
	b.fill("email", email)
	b.fill("password", passphrase)
	wantStatus(t, "log in as "+email, b.follow(button("main", w.logInSubmit)), http.StatusOK)
}

func (j *applicantJourney) logOut() {
	t, b, w := j.t, j.b, j.w
	wantStatus(t, "log out", b.follow(button("header", w.logOut)), http.StatusOK)
	j.check(j.step("logged-out"), expected{lang: w.lang, heading: w.homeHeading, texts: []string{w.loggedOut}, header: []string{w.logIn}, hidden: []string{w.logOut}})
}

func (j *applicantJourney) fillProfile() {
	t, b, w := j.t, j.b, j.w
	wantStatus(t, "profile form", b.follow(link("main", w.fillProfile)), http.StatusOK)
	j.check(j.step("profile-empty"), expected{lang: w.lang, heading: w.profileHeading, texts: []string{w.profileIntro}})
	birth := time.Date(1999, 2, 3, 0, 0, 0, 0, time.UTC)
	from, to := j.today.AddDate(-1, 0, 0), j.today.AddDate(0, 0, 90)
	b.fill("given_names", givenNames)
	b.fill("surname", surname)
	b.setDate("birth_date", birth)
	b.fill("birth_place", "Dakar, Sénégal")
	b.fill("nationality", "SEN")
	b.fill("address_line", "3 rue des Lilas")
	b.fill("postcode", "75011")
	b.fill("city", "Paris")
	b.tick("has_permit")
	b.choose("permit_ground", "student")
	b.fill("permit_number", "AB1234567")
	b.setDate("permit_from", from)
	b.setDate("permit_to", to)
	wantStatus(t, "save the profile", b.follow(button("main", w.profileSubmit)), http.StatusOK)
	j.check(j.step("profile-saved"), expected{lang: w.lang, heading: w.profileHeading,
		texts: []string{w.profileSaved, w.declaredHelp, fmt.Sprintf(w.competent, prefectureName), fmt.Sprintf(w.profileEmail, j.email),
			"3 rue des Lilas, 75011 Paris"}})
	got := evaluate[map[string]string](b, "read the profile", `Object.fromEntries([...document.querySelectorAll('main form [name]')]
		.filter(f => f.type !== 'checkbox' || f.checked).map(f => [f.name, f.value]))`)
	for k, v := range map[string]string{
		// The address is shown beside the form: it changes on its own page.
		"given_names": givenNames, "surname": surname, "birth_date": "1999-02-03",
		"has_permit": "oui", "permit_ground": "student", "permit_from": from.Format(time.DateOnly), "permit_to": to.Format(time.DateOnly),
	} {
		if got[k] != v {
			t.Errorf("the saved profile shows %s=%q, want %q", k, got[k], v)
		}
	}
	wantStatus(t, "my space", b.follow(link("header", w.mySpace)), http.StatusOK)
	j.check(j.step("dashboard-no-application"), expected{lang: w.lang, heading: w.mySpace, texts: []string{w.noApplication}})
	wantStatus(t, "new application", b.follow(link("main", w.newApplication)), http.StatusOK)
}

var casePath = regexp.MustCompile(`/demandes/(\d+)(?:[?#]|$)`)

// startApplication chooses a kind and a ground on the form now shown,
// lands on the new draft and returns its number.
func (j *applicantJourney) startApplication(kindName, kind, groundName, ground, window string) int64 {
	t, b, w := j.t, j.b, j.w
	j.check(j.step("start-"+kind), expected{lang: w.lang, heading: w.startHeading})
	b.tick("kind-" + kind)
	b.tick("ground-" + ground)
	wantStatus(t, "start "+kind, b.follow(button("main", w.startSubmit)), http.StatusOK)
	texts := []string{fmt.Sprintf(w.prefecture, prefectureName), w.stepDraft}
	if window != "" {
		texts = append(texts, window)
	}
	st := j.check(j.step("draft-"+kind), expected{lang: w.lang, heading: kindName + " — " + groundName, texts: texts})
	m := casePath.FindStringSubmatch(st.URL)
	if m == nil {
		t.Fatalf("starting a %s led to %s, not to the new application", kind, st.URL)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	if a := j.readCase(); a.State != w.draft {
		t.Errorf("a new application is at the stage %q, want %q", a.State, w.draft)
	}
	return id
}

// completeAndFile sends a scan for every document of the checklist, one
// form after the other as a person does, records the fee stamp, files,
// and checks the filing receipt.
func (j *applicantJourney) completeAndFile(id int64, kindName, groundName string) {
	t, b, w := j.t, j.b, j.w
	docs := j.readCase().Docs
	if len(docs) == 0 {
		t.Fatalf("application %d: the page lists no document to provide", id)
	}
	for _, d := range docs {
		if d.Slot == "fee_stamp" && j.once("fee stamp slot") {
			t.Errorf("application %d: the checklist asks for a file of the fee stamp (#doc-fee_stamp), whose explanation says "+
				"one gives its 16-digit number, which the page records in its own form: the stamp is asked for, and counted, twice", id)
		}
	}
	for i, d := range docs {
		if d.Provided {
			t.Errorf("application %d: %s is provided before anything was sent", id, d.Slot)
		}
		j.provide(d, id, kindName+" — "+groundName, fmt.Sprintf(w.progress, i+1, len(docs)+1))
	}
	b.fill("fee_stamp", feeStamp(id))
	wantStatus(t, "save the fee stamp", b.follow(button("main", w.feeSave)), http.StatusOK)
	j.check(j.step("fee-stamp-"+strconv.FormatInt(id, 10)), expected{lang: w.lang, heading: kindName + " — " + groundName,
		texts: []string{w.feeSaved, fmt.Sprintf(w.progress, len(docs)+1, len(docs)+1)}})
	for _, d := range j.readCase().Docs {
		if !d.Provided {
			t.Errorf("application %d: %s is still missing after it was sent", id, d.Slot)
		}
	}

	wantStatus(t, "file", b.follow(button("main", w.fileApplication)), http.StatusOK)
	st := j.check(j.step("receipt-"+strconv.FormatInt(id, 10)), expected{lang: w.lang, heading: w.receiptHeading,
		texts: []string{w.receiptWarning, givenNames + " " + surname, kindName + " — " + groundName, prefectureName, inWords(w.lang, j.today)}})
	if !strings.HasSuffix(strings.TrimRight(st.URL, "/"), fmt.Sprintf("/demandes/%d/recepisse", id)) {
		t.Errorf("filing led to %s, not to the receipt of application %d", st.URL, id)
	}
	if !regexp.MustCompile(`DEP-\d{4}-`).MatchString(st.Text) {
		t.Errorf("the receipt shows no filing number DEP-YYYY-…:\n%s", st.Text)
	}
	for _, d := range docs {
		if !d.Code && !strings.Contains(st.Text, d.Slot+".png") {
			t.Errorf("the receipt does not list the file %s.png", d.Slot)
		}
	}
}

// provide gives one document of application id's checklist: its scan,
// or, for the photo, its e-photo code typed and saved.
func (j *applicantJourney) provide(d docItem, id int64, heading, progress string) {
	if !d.Code {
		j.upload(d.Slot, heading, progress)
		return
	}
	t, b, w := j.t, j.b, j.w
	b.fill("photo_code", fmt.Sprintf("EP%020d", id))
	wantStatus(t, "save the e-photo code", b.follow(button("main", w.photoSave)), http.StatusOK)
	texts := []string{w.photoSaved}
	if progress != "" {
		texts = append(texts, progress)
	}
	j.check(j.step("e-photo-"+strconv.FormatInt(id, 10)), expected{lang: w.lang, heading: heading, texts: texts})
}

// upload sends the scan of one document from its own form on the
// application page, and checks the page it comes back to: the same
// application (heading), scrolled to the document, with the file named.
func (j *applicantJourney) upload(slot, heading, progress string) {
	t, b, w := j.t, j.b, j.w
	path := scan(t, j.files, slot)
	b.do("choose the file for "+slot, chromedp.SetUploadFiles(chromedp.ID("file-"+slot), []string{path}))
	form := `//main//form[@enctype="multipart/form-data"][.//input[@id=` + xpathString("file-"+slot) + `]]//button[@type="submit"]`
	wantStatus(t, "send "+slot, b.follow(form), http.StatusOK)
	texts := []string{w.uploaded, fmt.Sprintf(w.currentFile, slot+".png")}
	if progress != "" {
		texts = append(texts, progress)
	}
	st := j.check(j.step("upload-"+slot), expected{lang: w.lang, heading: heading, texts: texts})
	if !strings.Contains(st.URL, "#doc-"+slot) {
		t.Errorf("after sending %s the page is %s, not scrolled to the document (#doc-%s)", slot, st.URL, slot)
	}
	for _, d := range j.readCase().Docs {
		if d.Slot == slot && !d.Provided {
			t.Errorf("%s is not marked provided after it was sent", slot)
		}
	}
}

func (j *applicantJourney) agentAsksForADocument(id int64, due time.Time) {
	t, b, w := j.t, j.b, j.w
	j.logIn(agentEmail)
	j.enrolSecondFactor()
	j.check(j.step("queue"), expected{lang: w.lang, heading: w.agentHeading, texts: []string{w.agentCaption}})
	rows := evaluate[[]string](b, "read the queue", `[...document.querySelectorAll('main tbody tr')].map(r => r.innerText.replace(/\s+/g, ' ').trim())`)
	want := fmt.Sprintf("%d %s %s %s — %s %s", id, surname, givenNames, w.renewal, w.student, w.submitted)
	listed := false
	for _, r := range rows {
		listed = listed || strings.HasPrefix(r, want)
	}
	if !listed {
		t.Errorf("queue: the agent's queue does not list %q; its rows are %q", want, rows)
	}
	staffHeading := fmt.Sprintf(w.staffHeading, id)
	wantStatus(t, "open the application", b.follow(link("main", strconv.FormatInt(id, 10))), http.StatusOK)
	j.check(j.step("staff-case-filed"), expected{lang: w.lang, heading: staffHeading,
		texts: []string{givenNames + " " + surname, w.renewal + " — " + w.student, "AB1234567"}})
	if s := j.readCase().State; s != w.submitted {
		t.Errorf("the agent sees the application at the stage %q, want %q", s, w.submitted)
	}
	j.wantStaffPerspective("staff-case-filed")
	wantStatus(t, "start the review", b.follow(button("main", w.startReview)), http.StatusOK)
	j.check(j.step("staff-case-review"), expected{lang: w.lang, heading: staffHeading, texts: []string{w.reviewStarted, w.askHeading}})
	if s := j.readCase().State; s != w.underReview {
		t.Errorf("after starting the review the stage is %q, want %q", s, w.underReview)
	}
	b.tick("slot-health_insurance")
	b.fill("reason", w.askReason)
	b.setDate("due_on", due)
	wantStatus(t, "ask for documents", b.follow(button("main", w.askSubmit)), http.StatusOK)
	j.check(j.step("staff-case-asked"), expected{lang: w.lang, heading: staffHeading, texts: []string{w.askSent, w.askReason}})
	if s := j.readCase().State; s != w.incomplete {
		t.Errorf("after asking for documents the stage is %q, want %q", s, w.incomplete)
	}
	j.logOut()
}

// enrolSecondFactor is the agent's first log-in past the password: the
// guard leads to the enrolment page, where the agent reads the secret,
// types the code an authenticator application would show, and goes on
// past the recovery codes to the page first asked for.
func (j *applicantJourney) enrolSecondFactor() {
	t, b, w := j.t, j.b, j.w
	j.check(j.step("enrol"), expected{lang: w.lang, heading: w.enrolHeading})
	secret := evaluate[string](b, "read the second-factor secret", `document.getElementById('totp-secret').textContent`)
	j.totpSecret = strings.ReplaceAll(secret, " ", "")
	now := time.Now()
	j.lastStep = now.Unix() / 30
	code, err := totp.GenerateCode(j.totpSecret, now)
	if err != nil {
		t.Fatalf("the secret %q on the enrolment page: %v", secret, err)
	}
	b.fill("code", code)
	wantStatus(t, "confirm the second factor", b.follow(button("main", w.enrolSubmit)), http.StatusOK)
	st := j.check(j.step("recovery-codes"), expected{lang: w.lang, heading: w.recoveryHeading})
	if n := len(regexp.MustCompile(`\b[a-z2-9]{5}-[a-z2-9]{5}\b`).FindAllString(st.Text, -1)); n != 10 {
		t.Errorf("enrolment: %d recovery codes shown, want 10", n)
	}
	wantStatus(t, "go on past the recovery codes", b.follow(link("main", w.recoveryContinue)), http.StatusOK)
}

func (j *applicantJourney) answerTheRequest(id int64, due time.Time) {
	t, b, w := j.t, j.b, j.w
	j.logIn(j.email)
	dueWords := inWords(w.lang, due)
	title := w.renewal + " — " + w.student
	st := j.check(j.step("dashboard-asked"), expected{lang: w.lang, heading: w.mySpace})
	j.wantCard(st, "dashboard-asked", id, title, w.incomplete, w.stepIncomplete,
		fmt.Sprintf(w.who, w.applicantActor), fmt.Sprintf(w.by, dueWords))
	wantStatus(t, "open the renewal", b.follow(link("main", title)), http.StatusOK)
	st = j.check(j.step("case-asked"), expected{lang: w.lang, heading: title, texts: []string{
		w.completionHeading, fmt.Sprintf(w.completionBy, dueWords), w.completionWhy + " " + w.askReason,
		w.healthInsurance, w.stepIncomplete,
	}})
	c := j.readCase()
	if c.State != w.incomplete {
		t.Errorf("the applicant sees the stage %q, want %q", c.State, w.incomplete)
	}
	if strings.Contains(st.Text, j.window) {
		t.Errorf("case-asked: the renewal was filed on %s, yet its page still tells the applicant %q", inWords(w.lang, j.today), j.window)
	}
	var asked []string
	for _, d := range c.Docs {
		if d.Requested {
			asked = append(asked, d.Slot)
			if !strings.Contains(d.Badges, w.requestedBadge) {
				t.Errorf("the requested document %s is not marked %q (badges: %q)", d.Slot, w.requestedBadge, d.Badges)
			}
		}
	}
	if len(asked) != 1 || asked[0] != "health_insurance" {
		t.Fatalf("the documents marked as requested are %q, want [health_insurance]", asked)
	}
	j.upload("health_insurance", title, "")
	wantStatus(t, "send the file again", b.follow(button("main", w.resubmit)), http.StatusOK)
	j.check(j.step("case-resubmitted"), expected{lang: w.lang, heading: title, texts: []string{
		w.resubmitted, w.stepUnderReview, fmt.Sprintf(w.stage, w.incomplete), fmt.Sprintf(w.stage, w.underReview),
	}})
	if s := j.readCase().State; s != w.underReview {
		t.Errorf("after sending the file again the stage is %q, want %q", s, w.underReview)
	}
}

func (j *applicantJourney) withdraw(renewal, change int64) {
	t, b, w := j.t, j.b, j.w
	title := w.changeOfStatus + " — " + w.employee
	wantStatus(t, "my space", b.follow(link("header", w.mySpace)), http.StatusOK)
	j.check(j.step("dashboard-before-withdrawal"), expected{lang: w.lang, heading: w.mySpace})
	wantStatus(t, "open the change of status", b.follow(link("main", title)), http.StatusOK)
	j.check(j.step("case-change"), expected{lang: w.lang, heading: title, texts: []string{w.stepSubmitted}})
	wantStatus(t, "withdrawal page", b.follow(link("main", w.withdrawLink)), http.StatusOK)
	j.check(j.step("withdraw"), expected{lang: w.lang, heading: w.withdrawHeading,
		texts: []string{fmt.Sprintf(w.withdrawWhich, w.changeOfStatus, w.employee), w.withdrawWarning}})
	b.fill("reason", w.withdrawReason)
	wantStatus(t, "withdraw", b.follow(button("main", w.withdrawConfirm)), http.StatusOK)
	st := j.check(j.step("dashboard-withdrawn"), expected{lang: w.lang, heading: w.mySpace, texts: []string{w.withdrawnNotice}})
	j.wantCard(st, "dashboard-withdrawn", change, title, w.withdrawn, w.stepWithdrawn)
	j.wantCard(st, "dashboard-withdrawn", renewal, w.renewal+" — "+w.student, w.underReview, w.stepUnderReview)
}

// wantStaffPerspective checks that the agent's page of an application
// speaks to the agent: the applicant is not "you", and the thread is not
// "with the prefecture", which the agent is.
func (j *applicantJourney) wantStaffPerspective(step string) {
	t, w := j.t, j.w
	t.Helper()
	p := evaluate[struct {
		Actors   []string `json:"actors"`
		Messages string   `json:"messages"`
	}](j.b, "read the history", `({
		actors: [...document.querySelectorAll('#historique ~ ol > li > p:first-child')].map(p => p.innerText.split(' — ').slice(1).join(' — ').trim()),
		messages: (document.getElementById('messages-titre') || {}).innerText || '',
	})`)
	if len(p.Actors) == 0 {
		t.Errorf("%s: the agent's page shows no history", step)
	}
	for _, a := range p.Actors {
		if a == w.applicantActor {
			t.Errorf("%s: the agent's page names the applicant %q, the word the applicant's own page uses: the history reads %q", step, a, p.Actors)
			break
		}
	}
	if p.Messages == w.messagesHeading {
		t.Errorf("%s: the agent's page titles the thread %q, as the applicant's page does; the agent is the prefecture", step, p.Messages)
	}
}

// caseState is what readCase finds on an application page, the
// applicant's or the agent's, or on the dashboard.
type caseState struct {
	State string    `json:"state"` // the stage badge, as written (not as styled)
	Docs  []docItem `json:"docs"`
	Cards []card    `json:"cards"`
}

type docItem struct {
	Slot      string `json:"slot"`
	Provided  bool   `json:"provided"`
	Requested bool   `json:"requested"`
	Code      bool   `json:"code"` // given as a typed code (the e-photo), not a file
	Badges    string `json:"badges"`
}

type card struct {
	Title      string `json:"title"`
	Href       string `json:"href"`
	State      string `json:"state"`
	Text       string `json:"text"`
	TitleFirst bool   `json:"titleFirst"` // the title is shown above the rest of the card
}

// readCase reads badges by their text content: the design system writes
// them in capitals, which innerText would return.
const readCase = `(() => {
	const text = e => e ? e.textContent.replace(/\s+/g, ' ').trim() : '';
	return {
		state: text(document.querySelector('main p > .fr-badge--info')),
		docs: [...document.querySelectorAll('main li[id^="doc-"]')].map(li => ({
			slot: li.id.slice(4),
			provided: !!li.querySelector('h3 .fr-badge--success'),
			requested: !!li.querySelector('h3 .fr-badge--new'),
			code: !!li.querySelector('input[name="photo_code"]'),
			badges: [...li.querySelectorAll('.fr-badge')].map(text).join(' | '),
		})),
		cards: [...document.querySelectorAll('main li.sejour-card')].map(li => ({
			title: text(li.querySelector('h3')),
			href: (li.querySelector('h3 a') || {}).getAttribute ? li.querySelector('h3 a').getAttribute('href') : '',
			state: text(li.querySelector('.fr-badge')),
			text: li.innerText.replace(/\s+/g, ' ').trim(),
			titleFirst: (() => {
				const h = li.querySelector('h3');
				if (!h) return false;
				const top = h.getBoundingClientRect().top;
				return [...li.querySelectorAll(':scope > :not(h3)')].every(e => e.getBoundingClientRect().top >= top);
			})(),
		})),
	};
})()`

func (j *applicantJourney) readCase() caseState {
	return evaluate[caseState](j.b, "read the application", readCase)
}

// wantCard checks the dashboard card of one application: its title and
// link, its stage, and the texts of its next step.
func (j *applicantJourney) wantCard(st pageState, step string, id int64, title, state string, texts ...string) {
	t := j.t
	t.Helper()
	for _, c := range j.readCase().Cards {
		if c.Href != fmt.Sprintf("/demandes/%d", id) {
			continue
		}
		if c.Title != title {
			t.Errorf("%s: the card of application %d is titled %q, want %q", step, id, c.Title, title)
		}
		if c.State != state {
			t.Errorf("%s: the card of application %d shows the stage %q, want %q", step, id, c.State, state)
		}
		if !c.TitleFirst && j.once("card order") {
			t.Errorf("%s: the card of application %d shows its next step above its title and its stage: the order seen differs "+
				"from the order read (WCAG 1.3.2); it reads: %s", step, id, c.Text)
		}
		for _, s := range texts {
			if !strings.Contains(c.Text, s) {
				t.Errorf("%s: the card of application %d does not say %q; it says:\n%s", step, id, s, c.Text)
			}
		}
		return
	}
	t.Errorf("%s: the dashboard has no card for application %d; it shows:\n%s", step, id, st.Text)
}

// evaluate runs a script that reads the page, with scripts on for the
// time of the reading.
func evaluate[T any](b *browser, step, js string) T {
	b.t.Helper()
	var v T
	b.withScripts(step, func() {
		var err error
		if v, err = run(b, chromedp.Evaluate[T](js)); err != nil {
			b.t.Fatalf("%s: %v", step, err)
		}
	})
	return v
}

// tick clicks the label of a checkbox or a radio button, as a person
// does: the design system draws its own box over the hidden input.
func (b *browser) tick(id string) {
	b.t.Helper()
	b.do("tick #"+id, chromedp.Click(`//label[@for=`+xpathString(id)+`]`))
}

// choose selects an option of a drop-down list by its value. The browser
// sets it through the DOM, not through a script of the page, so it works
// with JavaScript off.
func (b *browser) choose(id, value string) {
	b.t.Helper()
	b.do("choose "+value+" in #"+id,
		chromedp.SetAttributeValue(`//select[@id=`+xpathString(id)+`]/option[@value=`+xpathString(value)+`]`, "selected", "selected"))
}

// setDate fills a date field. The keys a person types into one depend on
// the browser's locale (day or month first, which headless chromium does
// not take from --lang), so the field is given its value through the DOM,
// as the date picker does: the server receives YYYY-MM-DD either way.
func (b *browser) setDate(id string, d time.Time) {
	b.t.Helper()
	b.do("set the date #"+id, chromedp.SetAttributeValue(chromedp.ID(id), "value", d.Format(time.DateOnly)))
}
