package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSignUpTooShortPassword sends the sign-up form with a password that
// is too short, without JavaScript, on a phone. The page must come back
// with the summary of errors on top (linking to the field), the message
// beside the field, the field marked invalid for screen readers, the
// address kept and the password not echoed; and it must pass axe too.
func TestSignUpTooShortPassword(t *testing.T) {
	for _, tc := range []struct {
		words
		title, summary, tooShort string
	}{
		{french, "Erreur : Créer un compte", "Le formulaire contient des erreurs",
			"Le mot de passe doit contenir au moins 12 caractères."},
		{english, "Error: Create an account", "There is a problem with the form",
			"The password must have at least 12 characters."},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			base := startServer(t)
			b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
			wantStatus(t, "home", b.open("/"), http.StatusOK)
			if tc.lang != "fr" {
				wantStatus(t, "switch language", b.follow(link("header", tc.switchLink)), http.StatusOK)
			}
			wantStatus(t, "sign-up form", b.follow(link("main", tc.signUp)), http.StatusOK)
			const email = "trop.court@exemple.fr"
			b.fill("email", email)
			b.fill("password", "court")
			b.fill("confirm", "court")
			wantStatus(t, "sign up", b.follow(button("main", tc.signUpSubmit)), http.StatusUnprocessableEntity)
			st := b.check("signup-too-short", expected{lang: tc.lang, heading: tc.signUpHeading, texts: []string{tc.summary, tc.tooShort}})
			if !strings.HasPrefix(strings.ReplaceAll(st.Title, "\u00a0", " "), tc.title) {
				t.Errorf("<title> %q should start with %q, so that a screen reader says the error first", st.Title, tc.title)
			}
			checkFieldError(t, b, fieldError{
				summary: tc.summary, field: "password", message: tc.tooShort,
				kept:  map[string]string{"email": email, "password": "", "confirm": ""},
				valid: []string{"email", "confirm"},
			})
		})
	}
}

// fieldError is how a form must show the error of one field.
type fieldError struct {
	summary string            // the title of the summary of errors
	field   string            // the id of the field in error
	message string            // its message, in the summary and beside it
	kept    map[string]string // the values the fields must hold
	valid   []string          // fields that must not be marked invalid
}

// formState is what checkFieldError reads from the page.
type formState struct {
	Summary      string            `json:"summary"`      // title of the role=alert box
	SummaryLinks map[string]string `json:"summaryLinks"` // href -> text
	Invalid      map[string]string `json:"invalid"`      // id -> aria-invalid
	DescribedBy  map[string]string `json:"describedBy"`  // id -> texts of aria-describedby
	Values       map[string]string `json:"values"`       // id -> value
}

const readForm = `(() => {
	const alert = document.querySelector('main [role=alert]');
	const links = {}, invalid = {}, describedBy = {}, values = {};
	if (alert) for (const a of alert.querySelectorAll('a')) links[a.getAttribute('href')] = a.innerText.trim();
	for (const f of document.querySelectorAll('main input')) {
		invalid[f.id] = f.getAttribute('aria-invalid') || '';
		describedBy[f.id] = (f.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
			.map(id => document.getElementById(id)).filter(Boolean).map(e => e.innerText.trim()).join(' | ');
		values[f.id] = f.value;
	}
	const title = alert && alert.querySelector('h2, h3, p');
	return {summary: title ? title.innerText.trim() : '', summaryLinks: links, invalid, describedBy, values};
})()`

func checkFieldError(t *testing.T, b *browser, want fieldError) {
	t.Helper()
	var st formState
	b.withScripts("read the form", func() {
		var err error
		if st, err = run(b, chromedp.Evaluate[formState](readForm)); err != nil {
			t.Fatalf("read the form: %v", err)
		}
	})
	if st.Summary != want.summary {
		t.Errorf("summary of errors (role=alert) titled %q, want %q", st.Summary, want.summary)
	}
	if got := st.SummaryLinks["#"+want.field]; got != want.message {
		t.Errorf("summary link to #%s says %q, want %q (links: %q)", want.field, got, want.message, st.SummaryLinks)
	}
	if st.Invalid[want.field] != "true" {
		t.Errorf("#%s has aria-invalid=%q, want \"true\"", want.field, st.Invalid[want.field])
	}
	if st.DescribedBy[want.field] != want.message {
		t.Errorf("#%s is described (aria-describedby) by %q, want %q", want.field, st.DescribedBy[want.field], want.message)
	}
	for _, id := range want.valid {
		if st.Invalid[id] != "" {
			t.Errorf("#%s has aria-invalid=%q, but it has no error", id, st.Invalid[id])
		}
	}
	for id, v := range want.kept {
		if st.Values[id] != v {
			t.Errorf("#%s holds %q after the error, want %q", id, st.Values[id], v)
		}
	}
}

// reference is the error reference a person can quote: ERR-, then two
// groups of four characters with no 0/O or 1/I to confuse.
var reference = regexp.MustCompile(`ERR-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}`)

// TestNotFound opens an address that does not exist. The page says so in
// the reader's language (chosen here by the browser's Accept-Language
// alone), gives a reference to quote, and leads back home.
func TestNotFound(t *testing.T) {
	for _, tc := range []struct {
		browserLang, lang, heading, message, refLabel, home, homeHeading string
	}{
		{"fr-FR", "fr", "Nous ne pouvons pas afficher cette page", "Cette page n'existe pas, ou vous n'y avez pas accès.",
			"Référence de l'erreur : ", "Retour à l'accueil", french.homeHeading},
		{"en-GB", "en", "We cannot show this page", "This page does not exist, or you do not have access to it.",
			"Error reference: ", "Back to the home page", english.homeHeading},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			base := startServer(t)
			b := newBrowser(t, base, options{dev: phone, lang: tc.browserLang})
			wantStatus(t, "unknown address", b.open("/cette-page-n-existe-pas"), http.StatusNotFound)
			st := b.check("not-found", expected{lang: tc.lang, heading: tc.heading, texts: []string{tc.message, tc.refLabel}})
			if !regexp.MustCompile(regexp.QuoteMeta(tc.refLabel) + reference.String()).MatchString(st.Text) {
				t.Errorf("the error page shows no reference like %q; it shows:\n%s", tc.refLabel+"ERR-XXXX-XXXX", st.Text)
			}
			wantStatus(t, "back home", b.follow(link("main", tc.home)), http.StatusOK)
			b.check("home", expected{lang: tc.lang, heading: tc.homeHeading})
		})
	}
}
