package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/password"
)

// deskWords are what the help desk's pages say.
type deskWords struct {
	words      words
	app        appWords
	queue      string
	report     string // format: the report's reference
	answer     string
	submit     string
	incidents  string
	followHead string // format: the report's reference
}

var deskText = map[string]deskWords{
	"fr": {words: french, app: frenchApp, queue: "Signalements des usagers", report: "Signalement %s",
		answer: "Merci : la page est réparée, réessayez.", submit: "Envoyer la réponse", incidents: "Incidents du portail",
		followHead: "Signalement %s"},
	"en": {words: english, app: englishApp, queue: "Users' reports", report: "Report %s",
		answer: "Thank you: the page is fixed, try again.", submit: "Send the answer", incidents: "The portal's incidents",
		followHead: "Report %s"},
}

var deskSecret = regexp.MustCompile(`assistance@demo\.sejour\.localhost[^\n]*\n\s+second-factor secret: ([A-Z2-7=]+)`)

// helpDeskAnswers is the demonstration's help desk, on a desktop with
// JavaScript, logging in with its second factor, finding the report in
// the support queue, answering it and looking at the incidents; then
// the reporter, back on the follow page in their own browser, reads the
// answer. Every page is checked with axe-core.
func helpDeskAnswers(t *testing.T, m *app.Main, base, lang, reference string, reporter *browser, followURL string) {
	t.Helper()
	w := deskText[lang]
	var out bytes.Buffer
	if err := demo.Load(t.Context(), demo.Store{Accounts: m.DB.Accounts(), Files: m.DB.Files()}, clock.System{}, password.DefaultParams, &out); err != nil {
		t.Fatalf("load the demonstration: %v", err)
	}
	sec := deskSecret.FindStringSubmatch(out.String())
	if sec == nil {
		t.Fatalf("no second-factor secret printed for the help desk:\n%s", out.String())
	}
	b := newBrowser(t, base, options{dev: desktop, lang: map[string]string{"fr": "fr-FR", "en": "en-GB"}[lang]})
	wantStatus(t, "log-in form", b.open("/connexion"), http.StatusOK)
	b.fill("email", "assistance@demo.sejour.localhost")
	b.fill("password", demo.Password)
	wantStatus(t, "log in", b.follow(button("main", w.words.logInSubmit)), http.StatusOK)
	b.check("desk-second-factor", expected{lang: lang, heading: w.app.codeHeading})
	code, err := totp.GenerateCode(sec[1], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.fill("code", code)
	wantStatus(t, "second factor", b.follow(button("main", w.app.codeSubmit)), http.StatusOK)
	b.check("desk-queue", expected{lang: lang, heading: w.queue, texts: []string{reference}})
	wantStatus(t, "open the report", b.follow(link("main", reference)), http.StatusOK)
	heading := fmt.Sprintf(w.report, reference)
	b.check("desk-report", expected{lang: lang, heading: heading})
	b.fill("answer", w.answer)
	wantStatus(t, "answer", b.follow(button("main", w.submit)), http.StatusOK)
	b.check("desk-answered", expected{lang: lang, heading: heading, texts: []string{w.answer}})
	wantStatus(t, "incidents", b.open("/support/incidents"), http.StatusOK)
	b.check("desk-incidents", expected{lang: lang, heading: w.incidents})

	wantStatus(t, "the follow page again", reporter.open(strings.TrimPrefix(followURL, base)), http.StatusOK)
	reporter.check("report-answered", expected{lang: lang, heading: fmt.Sprintf(w.followHead, reference), texts: []string{w.answer}})
}
