package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// words are the visible texts of the journey in one language: the tests
// read the pages as a person does, so they look for these words.
type words struct {
	lang           string
	switchLink     string // the header link to this language, from the other one
	homeHeading    string
	signUp         string // the call to action of the home page
	signUpHeading  string
	signUpSubmit   string
	email          string
	password       string
	confirm        string
	sentHeading    string
	devMails       string // the header link to the development outbox
	mailsHeading   string
	mailSubject    string
	confirmHeading string
	confirmed      string
	logIn          string // the header link, and the link of the confirmation page
	logInHeading   string
	logInSubmit    string
	mySpace        string
	noApplication  string
	signedInAs     string
	logOut         string
}

var french = words{
	lang:           "fr",
	switchLink:     "Français",
	homeHeading:    "Votre titre de séjour, en ligne",
	signUp:         "Créer un compte",
	signUpHeading:  "Créer un compte",
	signUpSubmit:   "Créer mon compte",
	email:          "Adresse électronique",
	password:       "Mot de passe",
	confirm:        "Confirmez le mot de passe",
	sentHeading:    "Consultez votre messagerie",
	devMails:       "Courriels (développement)",
	mailsHeading:   "Courriels (mode développement)",
	mailSubject:    "Confirmez votre adresse – sejour",
	confirmHeading: "Confirmation de votre adresse électronique",
	confirmed:      "Votre adresse est confirmée. Vous pouvez vous connecter.",
	logIn:          "Se connecter",
	logInHeading:   "Se connecter",
	logInSubmit:    "Se connecter",
	mySpace:        "Mon espace",
	noApplication:  "Première étape : votre profil",
	signedInAs:     "Connecté avec l'adresse %s.",
	logOut:         "Se déconnecter",
}

var english = words{
	lang:           "en",
	switchLink:     "English",
	homeHeading:    "Your residence permit, online",
	signUp:         "Create an account",
	signUpHeading:  "Create an account",
	signUpSubmit:   "Create my account",
	email:          "E-mail address",
	password:       "Password",
	confirm:        "Confirm the password",
	sentHeading:    "Check your mailbox",
	devMails:       "Mails (development)",
	mailsHeading:   "Mails (development mode)",
	mailSubject:    "Confirm your address – sejour",
	confirmHeading: "Confirming your e-mail address",
	confirmed:      "Your address is confirmed. You can log in.",
	logIn:          "Log in",
	logInHeading:   "Log in",
	logInSubmit:    "Log in",
	mySpace:        "My space",
	noApplication:  "First step: your profile",
	signedInAs:     "Logged in as %s.",
	logOut:         "Log out",
}

// passphrase is long, and in no list of common or leaked passwords.
const passphrase = "cormoran vert sous la pluie de Brest 1987"

// TestJourney walks the whole first visit: home, sign-up, the mail, the
// confirmation, log-in, the empty dashboard, log-out. It runs in French
// and in English (reached by the language switch of the header, not by
// the browser's language), on a desktop screen, and on a phone with
// JavaScript off: the portal must work without it.
func TestJourney(t *testing.T) {
	for _, tc := range []struct {
		name     string
		words    words
		dev      device
		noScript bool
	}{
		{"fr/desktop", french, desktop, false},
		{"en/desktop", english, desktop, false},
		{"fr/phone-noscript", french, phone, true},
		{"en/phone-noscript", english, phone, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := startServer(t)
			b := newBrowser(t, base, options{dev: tc.dev, lang: "fr-FR", noScript: tc.noScript})
			journey(t, b, tc.words, fmt.Sprintf("e2e-%s-%s@exemple.fr", tc.words.lang, tc.dev.name))
		})
	}
}

func journey(t *testing.T, b *browser, w words, email string) {
	wantStatus(t, "home", b.open("/"), http.StatusOK)
	if w.lang != "fr" {
		b.check("home-fr", expected{lang: "fr", heading: french.homeHeading, header: []string{french.logIn, w.switchLink}})
		wantStatus(t, "switch language", b.follow(link("header", w.switchLink)), http.StatusOK)
	}
	b.check("home", expected{lang: w.lang, heading: w.homeHeading, header: []string{w.logIn}, hidden: []string{w.logOut}})

	wantStatus(t, "sign-up form", b.follow(link("main", w.signUp)), http.StatusOK)
	b.check("signup", expected{lang: w.lang, heading: w.signUpHeading, texts: []string{w.email, w.password, w.confirm}})
	b.fill("email", email)
	b.fill("password", passphrase)
	b.fill("confirm", passphrase)
	wantStatus(t, "sign up", b.follow(button("main", w.signUpSubmit)), http.StatusOK)
	b.check("signup-sent", expected{lang: w.lang, heading: w.sentHeading})

	wantStatus(t, "outbox", b.follow(link("header", w.devMails)), http.StatusOK)
	b.check("mails", expected{lang: w.lang, heading: w.mailsHeading, texts: []string{email, w.mailSubject}})
	wantStatus(t, "open the mail", b.follow("//main//tr[td[normalize-space(.)="+xpathString(email)+"]]//a"), http.StatusOK)
	b.check("mail", expected{lang: w.lang, heading: w.mailSubject, texts: []string{email}})
	wantStatus(t, "confirmation link", b.follow(`//main//a[contains(@href, "/confirmer/")]`), http.StatusOK)
	b.check("confirmed", expected{lang: w.lang, heading: w.confirmHeading, texts: []string{w.confirmed}})

	wantStatus(t, "log-in form", b.follow(link("main", w.logIn)), http.StatusOK)
	b.check("login", expected{lang: w.lang, heading: w.logInHeading, texts: []string{w.email, w.password}})
	b.fill("email", email)
	b.fill("password", passphrase)
	wantStatus(t, "log in", b.follow(button("main", w.logInSubmit)), http.StatusOK)
	b.check("dashboard", expected{
		lang: w.lang, heading: w.mySpace,
		texts:  []string{w.noApplication, fmt.Sprintf(w.signedInAs, email)},
		header: []string{w.mySpace, w.logOut}, hidden: notWithin(w.logOut, w.logIn),
	})

	wantStatus(t, "log out", b.follow(button("header", w.logOut)), http.StatusOK)
	b.check("logged-out", expected{lang: w.lang, heading: w.homeHeading, header: []string{w.logIn}, hidden: []string{w.logOut, w.mySpace}})
}

// notWithin is the words a header must not show, less those that are
// part of a word it shows: in Chinese "log out" (退出登录) holds "log in"
// (登录).
func notWithin(shown string, words ...string) []string {
	var out []string
	for _, w := range words {
		if !strings.Contains(shown, w) {
			out = append(out, w)
		}
	}
	return out
}

// wantStatus stops the test when a page did not answer as expected: the
// steps after it would only repeat the failure.
func wantStatus(t *testing.T, step string, got int64, want int) {
	t.Helper()
	if got != int64(want) {
		t.Fatalf("%s: HTTP status %d, want %d", step, got, want)
	}
}
