package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
)

// A language chosen while logged in is the account's: another device
// gets it at log-in, and the mails are written in it. A switch that
// another site made the browser follow changes the cookie only.
func TestAccountKeepsItsLanguage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		const email, pw = "yasmina@example.org", "un jardin de citronniers à Oran"
		s.signUp(email, pw)
		if res := s.logIn(email, pw); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("log in: %d", res.StatusCode)
		}
		langOf := func() string {
			t.Helper()
			a, _, err := s.db.Accounts().AccountByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			return a.Lang
		}
		if got := langOf(); got != "fr" {
			t.Fatalf("a new account's language: %q, want fr", got)
		}
		switchTo := func(lang, fetchSite string) {
			t.Helper()
			req := httptest.NewRequest("GET", paths.Language.Format(lang)+"?suite="+url.QueryEscape(paths.Dashboard.String()), nil)
			req.Header.Set("Sec-Fetch-Site", fetchSite)
			if res := s.do(req); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("switch to %s: %d", lang, res.StatusCode)
			}
		}
		switchTo("ar", "same-origin")
		if got := langOf(); got != "ar" {
			t.Errorf("after the switch to Arabic the account's language is %q", got)
		}
		_, page := s.get(paths.Dashboard.String())
		mustContain(t, page, `<html lang="ar" dir="rtl"`, `<span aria-current="true" lang="ar" dir="rtl">العربية</span>`)

		switchTo("zh", "cross-site")
		if got := langOf(); got != "ar" {
			t.Errorf("a switch from another site changed the account's language to %q", got)
		}
		_, page = s.get(paths.Dashboard.String())
		mustContain(t, page, `<html lang="zh" dir="ltr"`) // the cookie of this browser did change

		// Another device: no cookie, a French browser; the log-in brings
		// the account's language back.
		s.cookie = map[string]string{}
		s.lang = "fr-FR"
		if res := s.logIn(email, pw); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("log in again: %d", res.StatusCode)
		}
		_, page = s.get(paths.Dashboard.String())
		mustContain(t, page, `<html lang="ar" dir="rtl"`)

		// A device where the person chose a language before logging in
		// keeps it, and the account takes it.
		s.cookie = map[string]string{}
		if res, _ := s.get(paths.Language.Format("es")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch before log-in: %d", res.StatusCode)
		}
		if res := s.logIn(email, pw); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("log in on the Spanish device: %d", res.StatusCode)
		}
		_, page = s.get(paths.Dashboard.String())
		mustContain(t, page, `<html lang="es"`)
		if got := langOf(); got != "es" {
			t.Errorf("a language chosen before log-in is not the account's: %q", got)
		}
		switchTo("ar", "same-origin")

		// A mail written now is in Arabic.
		s.post(paths.Forgot.String(), url.Values{"email": {email}})
		if _, err := s.uc.Accounts.AnswerPendingResets(ctx); err != nil {
			t.Fatal(err)
		}
		mails, err := s.db.Mails().RecentMails(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := i18n.MustLoad().T("ar", "mail.reset.subject")
		found := false
		for _, m := range mails {
			found = found || m.To == email && m.Subject == want
		}
		if !found {
			t.Errorf("no reset mail to %s with the Arabic subject %q", email, want)
		}
	})
}

// Every translated page says so and links to its French wording, shown
// for that one visit: the reader's language stays.
func TestFrenchWordingOfATranslatedPage(t *testing.T) {
	s := sqliteSite(t)
	if res, _ := s.get(paths.Language.Format("es") + "?suite=%2Fverifier"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch: %d", res.StatusCode)
	}
	cat := i18n.MustLoad()
	_, page := s.get(paths.Verify.String())
	mustContain(t, page, `<html lang="es" dir="ltr"`, cat.T("es", "lang.reference"),
		`href="/verifier?langue=fr" lang="fr" hreflang="fr" dir="ltr">Lire cette page en français</a>`)
	_, page = s.get(paths.Verify.String() + "?langue=fr")
	mustContain(t, page, `<html lang="fr" dir="ltr"`, cat.T("fr", "verify.heading"))
	mustNotContain(t, page, cat.T("fr", "lang.reference"))
	_, page = s.get(paths.Verify.String())
	mustContain(t, page, `<html lang="es"`, cat.T("es", "verify.heading"))
	// French readers see no such note.
	s.cookie = map[string]string{}
	_, page = s.get(paths.Verify.String())
	mustNotContain(t, page, cat.T("fr", "lang.reference"), "langue=fr")
}
