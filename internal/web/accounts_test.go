package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/web"
)

const goodPassword = "trois chats sur un toit"

func TestSignUpConfirmLogInLogOut(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.signUp("Zoe@Example.org", goodPassword)
		res := s.logIn("zoe@example.org", goodPassword)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tableau-de-bord" {
			t.Fatalf("log-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		var sess *http.Cookie
		for _, c := range res.Cookies() {
			if c.Name == web.SessionCookie {
				sess = c
			}
		}
		if sess == nil || !sess.Secure || !sess.HttpOnly || sess.Path != "/" || sess.SameSite != http.SameSiteLaxMode || sess.Domain != "" {
			t.Fatalf("session cookie not __Host- safe: %+v", sess)
		}
		_, page := s.get(paths.Dashboard.String())
		mustContain(t, page, "<h1>Mon espace</h1>", "zoe@example.org", "Première étape\u00a0: votre profil", `href="/profil"`, `action="/deconnexion"`)

		res, _ = s.post(paths.LogOut.String(), nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("log-out: %d", res.StatusCode)
		}
		if _, ok := s.cookie[web.SessionCookie]; ok {
			t.Fatal("log-out left the session cookie")
		}
		_, page = s.get(res.Header.Get("Location"))
		mustContain(t, page, "Vous êtes déconnecté.", "Se connecter")
		// The old cookie no longer works either, even if a browser kept it.
		s.cookie[web.SessionCookie] = sess.Value
		if res, _ := s.get(paths.Dashboard.String()); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("session alive after log-out: %d", res.StatusCode)
		}
	})
}

func TestSignUpErrors(t *testing.T) {
	tests := []struct {
		name   string
		form   url.Values
		status int
		wants  []string
	}{
		{"short password", url.Values{"email": {"a@example.org"}, "password": {"court"}, "confirm": {"court"}}, 422,
			[]string{"au moins 12 caractères", `aria-invalid="true"`, `href="#password"`, `value="a@example.org"`, "<title>Erreur\u00a0: Créer un compte"}},
		{"common password", url.Values{"email": {"a@example.org"}, "password": {"123qweasdzxc"}, "confirm": {"123qweasdzxc"}}, 422,
			[]string{"trop courant"}},
		{"missing e-mail", url.Values{"password": {goodPassword}, "confirm": {goodPassword}}, 422,
			[]string{"Saisissez votre adresse électronique."}},
		{"bad e-mail", url.Values{"email": {"pas une adresse"}, "password": {goodPassword}, "confirm": {goodPassword}}, 422,
			[]string{"Saisissez une adresse électronique valide"}},
		{"mismatch", url.Values{"email": {"a@example.org"}, "password": {goodPassword}, "confirm": {goodPassword + "x"}}, 422,
			[]string{"ne sont pas identiques"}},
		{"oversized", url.Values{"email": {"a@example.org"}, "password": {strings.Repeat("x", 20000)}}, 422,
			[]string{"Le mot de passe est trop long", `href="#password"`}},
		{"form too large", url.Values{"email": {"a@example.org"}, "password": {strings.Repeat("x", 600<<10)}}, 422,
			[]string{"Le formulaire envoyé est trop long\u00a0: 512 Ko au plus.", "ERR-"}},
	}
	eachSite(t, func(t *testing.T, s *site) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, page := s.post(paths.SignUp.String(), tt.form)
				if res.StatusCode != tt.status {
					t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
				}
				mustContain(t, page, tt.wants...)
				mustNotContain(t, page, goodPassword)
			})
		}
		if mails, _ := s.db.Mails().RecentMails(t.Context(), 10); len(mails) != 0 {
			t.Fatalf("refused sign-ups sent %d mails", len(mails))
		}
		if _, _, err := s.db.Accounts().AccountByEmail(t.Context(), "a@example.org"); err == nil {
			t.Fatal("a refused sign-up created an account")
		}
	})
}

// A second sign-up with the same address looks exactly like a first one
// to whoever made it; the owner of the address is told by mail.
func TestSignUpDoesNotRevealAccounts(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.signUp("taken@example.org", goodPassword)
		form := url.Values{"email": {"taken@example.org"}, "password": {goodPassword}, "confirm": {goodPassword}}
		res, _ := s.post(paths.SignUp.String(), form)
		fresh := url.Values{"email": {"new@example.org"}, "password": {goodPassword}, "confirm": {goodPassword}}
		res2, _ := s.post(paths.SignUp.String(), fresh)
		if res.StatusCode != res2.StatusCode || res.Header.Get("Location") != res2.Header.Get("Location") {
			t.Fatalf("answers differ: %d %q vs %d %q", res.StatusCode, res.Header.Get("Location"), res2.StatusCode, res2.Header.Get("Location"))
		}
		s.lastLink("taken@example.org", "/mot-de-passe-oublie")
	})
}

func TestConfirmLinkReplayed(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.post(paths.SignUp.String(), url.Values{"email": {"r@example.org"}, "password": {goodPassword}, "confirm": {goodPassword}})
		link := s.lastLink("r@example.org", "/confirmer/")
		if res := s.logIn("r@example.org", goodPassword); res.StatusCode != 422 {
			t.Fatalf("unconfirmed log-in: %d", res.StatusCode)
		}
		_, page := s.get(link)
		mustContain(t, page, "Votre adresse est confirmée")
		res, page := s.get(link)
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("replayed link: %d", res.StatusCode)
		}
		mustContain(t, page, "Ce lien n&#39;est plus valable")
		if res, _ := s.get("/confirmer/forged-token"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("forged link: %d", res.StatusCode)
		}
	})
}

func TestLogInErrorsLookAlike(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.signUp("known@example.org", goodPassword)
		res1, wrongPw := s.post(paths.LogIn.String(), url.Values{"email": {"known@example.org"}, "password": {"not the password"}})
		res2, noAccount := s.post(paths.LogIn.String(), url.Values{"email": {"nobody@example.org"}, "password": {"not the password"}})
		if res1.StatusCode != 422 || res2.StatusCode != 422 {
			t.Fatalf("statuses %d %d", res1.StatusCode, res2.StatusCode)
		}
		for _, page := range []string{wrongPw, noAccount} {
			mustContain(t, page, "Adresse électronique ou mot de passe incorrect.")
		}
		if _, ok := s.cookie[web.SessionCookie]; ok {
			t.Fatal("failed log-in set a session")
		}
	})
}

func TestLogInRotatesSession(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.signUp("rot@example.org", goodPassword)
		s.logIn("rot@example.org", goodPassword)
		first := s.cookie[web.SessionCookie]
		// Logging in again from the same browser replaces the session.
		s.cookie = map[string]string{web.SessionCookie: first}
		req := url.Values{"email": {"rot@example.org"}, "password": {goodPassword}}
		res, _ := s.post(paths.LogIn.String(), req)
		if res.StatusCode != http.StatusSeeOther {
			// guestOnly: a logged-in browser is sent home instead; log out first.
			t.Fatalf("second log-in: %d", res.StatusCode)
		}
		if s.cookie[web.SessionCookie] != first {
			t.Fatal("a logged-in visit to the log-in form must not create a session")
		}
		if _, err := s.uc.Accounts.Authenticate(t.Context(), first); err != nil {
			t.Fatalf("first session should still be valid: %v", err)
		}
		_, secret, err := s.uc.Accounts.LogIn(t.Context(), casework.LogInForm{Email: "rot@example.org", Password: goodPassword}, first)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.uc.Accounts.Authenticate(t.Context(), first); err == nil {
			t.Fatal("session not rotated at log-in: the old id still works")
		}
		if _, err := s.uc.Accounts.Authenticate(t.Context(), secret); err != nil {
			t.Fatal(err)
		}
	})
}

func TestExpiredAndForgedSessions(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.signUp("exp@example.org", goodPassword)
		s.logIn("exp@example.org", goodPassword)
		s.clk.Advance(13 * time.Hour)
		res, _ := s.get(paths.Dashboard.String())
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/connexion?suite=") {
			t.Fatalf("expired session: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if _, ok := s.cookie[web.SessionCookie]; ok {
			t.Fatal("expired cookie not cleared")
		}
		s.cookie[web.SessionCookie] = "forged-value"
		res, page := s.get(paths.Home.String())
		if res.StatusCode != 200 || !strings.Contains(page, "Se connecter") {
			t.Fatalf("forged cookie: %d", res.StatusCode)
		}
	})
}

func TestPasswordReset(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.signUp("reset@example.org", goodPassword)
		s.logIn("reset@example.org", goodPassword)
		oldSession := s.cookie[web.SessionCookie]
		s.cookie = map[string]string{}

		_, known := s.post(paths.Forgot.String(), url.Values{"email": {"reset@example.org"}})
		_, unknown := s.post(paths.Forgot.String(), url.Values{"email": {"ghost@example.org"}})
		if known != unknown {
			t.Fatal("the reset page answers differently for a known and an unknown address")
		}
		mustContain(t, known, "Si un compte existe pour cette adresse")
		link := s.lastLink("reset@example.org", "/reinitialiser/")

		res, page := s.post(link, url.Values{"password": {"court"}, "confirm": {"court"}})
		if res.StatusCode != 422 {
			t.Fatalf("weak new password: %d", res.StatusCode)
		}
		mustContain(t, page, "au moins 12 caractères")

		newPw := "une autre phrase de passe"
		res, _ = s.post(link, url.Values{"password": {newPw}, "confirm": {newPw}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/connexion?reinitialise" {
			t.Fatalf("reset: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		res, page = s.post(link, url.Values{"password": {"encore une autre phrase"}, "confirm": {"encore une autre phrase"}})
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("replayed reset link: %d", res.StatusCode)
		}
		mustContain(t, page, "Rien n&#39;a été changé")
		if res := s.logIn("reset@example.org", goodPassword); res.StatusCode != 422 {
			t.Fatalf("old password still works: %d", res.StatusCode)
		}
		if _, err := s.uc.Accounts.Authenticate(t.Context(), oldSession); err == nil {
			t.Fatal("sessions survive a password reset")
		}
		if res := s.logIn("reset@example.org", newPw); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("new password refused: %d", res.StatusCode)
		}
	})
}
