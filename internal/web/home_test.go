package web_test

import (
	"io/fs"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// german is the portal's catalogue plus a third language made of files
// only: the English files under locales/de/, naming the language
// "Deutsch" and greeting in German.
func german(t *testing.T) *i18n.Catalogue {
	t.Helper()
	src := os.DirFS("../i18n")
	fsys := fstest.MapFS{}
	err := fs.WalkDir(src, "locales", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src, path)
		fsys[path] = &fstest.MapFile{Data: b}
		if rest, ok := strings.CutPrefix(path, "locales/en/"); ok {
			de := strings.NewReplacer(`"English"`, `"Deutsch"`, "Your residence permit, online", "Ihr Aufenthaltstitel, online")
			fsys["locales/de/"+rest] = &fstest.MapFile{Data: []byte(de.Replace(string(b)))}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := i18n.LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestAThirdLanguageIsData: with a language added as files, the header
// offers it in its own name, a German browser gets it, and the switch
// goes to it; a language not offered is not found.
func TestAThirdLanguageIsData(t *testing.T) {
	s := sqliteSite(t)
	s.srv.Tr = german(t)
	_, page := s.get(paths.Home.String())
	mustContain(t, page, `<html lang="fr"`,
		`href="/langue/de?suite=%2F" lang="de" hreflang="de" dir="ltr">Deutsch</a>`,
		`href="/langue/en?suite=%2F" lang="en" hreflang="en" dir="ltr">English</a>`,
		`<span aria-current="true" lang="fr" dir="ltr">Français</span>`)
	if strings.Contains(page, `hreflang="fr"`) {
		t.Error("the switch offers the page's own language")
	}
	s.lang = "de-CH,de;q=0.9"
	_, page = s.get(paths.Home.String())
	mustContain(t, page, `<html lang="de"`, "Ihr Aufenthaltstitel, online", `hreflang="fr" dir="ltr">Français</a>`, `hreflang="en" dir="ltr">English</a>`)
	s.lang = ""
	res, _ := s.get(paths.Language.Format("de") + "?suite=%2Fconnexion")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/connexion" {
		t.Fatalf("switch to de: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, page = s.get(paths.Home.String())
	mustContain(t, page, `<html lang="de"`, "Ihr Aufenthaltstitel, online")
	if res, _ := s.get(paths.Language.Format("it")); res.StatusCode != http.StatusNotFound {
		t.Errorf("switch to a language not offered: %d, want 404", res.StatusCode)
	}
	_, page = s.get(paths.Home.String())
	mustContain(t, page, `<html lang="de"`)
}

// TestRenewalWindowWordsFollowTheCatalogue: the dashboard states the
// renewal window with the catalogue's days, not numbers typed in a
// translation.
func TestRenewalWindowWordsFollowTheCatalogue(t *testing.T) {
	s := sqliteSite(t)
	s.srv.Rules.RenewalWindow.OpensDaysBefore, s.srv.Rules.RenewalWindow.ClosesDaysBefore = 111, 44
	s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "fenetre@example.org", permit.RoleApplicant)}
	_, page := s.get(paths.Dashboard.String())
	mustContain(t, page, "entre 111 et 44 jours avant la fin de votre titre actuel")
}
