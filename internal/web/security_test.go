package web_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/store/storetest"
)

func sqliteSite(t *testing.T) *site {
	clk := clock.NewFixed(storetest.Start)
	return newSite(t, storetest.SQLite(t, clk), clk)
}

func TestSecurityHeadersEverywhere(t *testing.T) {
	s := sqliteSite(t)
	for _, p := range []string{paths.Home.String(), paths.LogIn.String(), "/nowhere", paths.Healthz.String(), "/static/x/sejour.css"} {
		res, _ := s.get(p)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "script-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code", p)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: missing headers: %v", p, h)
		}
	}
}

func TestCrossSiteFormsRefused(t *testing.T) {
	s := sqliteSite(t)
	req := httptest.NewRequest("POST", paths.LogIn.String(), strings.NewReader("email=a%40example.org&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res := s.do(req)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", res.StatusCode)
	}
	mustContain(t, body(t, res), "venait d&#39;un autre site")
	req = httptest.NewRequest("POST", paths.LogOut.String(), nil)
	req.Header.Set("Origin", "https://evil.example")
	if res := s.do(req); res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin log-out: %d", res.StatusCode)
	}
}

func TestLogInIsRateLimited(t *testing.T) {
	s := sqliteSite(t)
	form := url.Values{"email": {"victim@example.org"}, "password": {"guess"}}
	var last *http.Response
	var page string
	for i := 0; i < 6; i++ {
		last, page = s.post(paths.LogIn.String(), form)
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th guess on one account: %d", last.StatusCode)
	}
	mustContain(t, page, "Trop de tentatives")
	// Another address from another IP is not affected...
	s.ip = "192.0.2.99"
	if res, _ := s.post(paths.LogIn.String(), url.Values{"email": {"other@example.org"}, "password": {"guess"}}); res.StatusCode != 422 {
		t.Fatalf("unrelated log-in limited: %d", res.StatusCode)
	}
	// ...and the limit lifts with time.
	s.clk.Advance(2 * 60e9)
	s.ip = "192.0.2.1"
	if res, _ := s.post(paths.LogIn.String(), form); res.StatusCode != 422 {
		t.Fatalf("after waiting: %d", res.StatusCode)
	}
	// Many addresses from one IP hit the per-IP limit.
	s.ip = "198.51.100.7"
	for i := 0; i < 21; i++ {
		last, _ = s.post(paths.LogIn.String(), url.Values{"email": {"spray" + string(rune('a'+i)) + "@example.org"}, "password": {"guess"}})
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("password spraying from one IP: %d", last.StatusCode)
	}
}

func TestResetIsRateLimited(t *testing.T) {
	s := sqliteSite(t)
	var last *http.Response
	for i := 0; i < 4; i++ {
		last, _ = s.post(paths.Forgot.String(), url.Values{"email": {"flood@example.org"}})
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th reset mail to one address: %d", last.StatusCode)
	}
}

var refRe = regexp.MustCompile(`ERR-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}`)

func TestErrorPages(t *testing.T) {
	s := sqliteSite(t)
	res, page := s.get("/nulle-part")
	if res.StatusCode != http.StatusNotFound || !refRe.MatchString(page) {
		t.Fatalf("404 page: %d, reference %v", res.StatusCode, refRe.FindString(page))
	}
	mustContain(t, page, "Cette page n&#39;existe pas", `<html lang="fr"`)

	s.lang = "en-GB,en;q=0.8"
	_, page = s.get("/nulle-part")
	mustContain(t, page, "This page does not exist", `<html lang="en"`)

	// An internal error shows a reference and no detail; a panic too.
	s.lang = ""
	for _, h := range []http.Handler{
		s.srv.Handle(func(w http.ResponseWriter, r *http.Request) error { return errors.New("secret detail: db password") }),
		s.srv.Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("secret detail") })),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", paths.Home.String(), nil))
		if rec.Code != 500 || !refRe.MatchString(rec.Body.String()) || strings.Contains(rec.Body.String(), "secret detail") {
			t.Errorf("internal error page: %d\n%s", rec.Code, rec.Body.String())
		}
	}
}

func TestLanguage(t *testing.T) {
	s := sqliteSite(t)
	_, page := s.get(paths.Home.String())
	mustContain(t, page, `<html lang="fr"`, "Votre titre de séjour, en ligne", `hreflang="en"`)
	s.lang = "en-US,en;q=0.9"
	_, page = s.get(paths.Home.String())
	mustContain(t, page, `<html lang="en"`, "Your residence permit, online")
	// The visible switch wins over the browser, and comes back to the page.
	res, _ := s.get(paths.Language.Format("fr") + "?suite=%2Fconnexion")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/connexion" {
		t.Fatalf("switch: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, page = s.get(paths.LogIn.String())
	mustContain(t, page, `<html lang="fr"`, "Se connecter")
	// The switch never sends anyone to another site.
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example"} {
		res, _ := s.get(paths.Language.Format("en") + "?suite=" + url.QueryEscape(next))
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("switch to %q redirected to %q", next, loc)
		}
	}
}

func TestHealth(t *testing.T) {
	s := sqliteSite(t)
	if res, b := s.get(paths.Healthz.String()); res.StatusCode != 200 || b != "ok\n" {
		t.Fatalf("healthz: %d %q", res.StatusCode, b)
	}
	if res, b := s.get(paths.Readyz.String()); res.StatusCode != 200 || b != "ready\n" {
		t.Fatalf("readyz: %d %q", res.StatusCode, b)
	}
	s.db.Close()
	if res, _ := s.get(paths.Readyz.String()); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database closed: %d", res.StatusCode)
	}
	if res, _ := s.get(paths.Healthz.String()); res.StatusCode != 200 {
		t.Fatalf("healthz must not depend on the database: %d", res.StatusCode)
	}
}

func TestStatic(t *testing.T) {
	s := sqliteSite(t)
	_, page := s.get(paths.Home.String())
	css := regexp.MustCompile(`/static/[0-9a-f]{12}/dsfr/dsfr\.min\.css`).FindString(page)
	if css == "" {
		t.Fatal("no versioned stylesheet link on the home page")
	}
	res, _ := s.get(css)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %v", res.StatusCode, res.Header)
	}
	for _, p := range []string{"/static/x/dsfr/README.md", "/static/x/../go.mod", "/static/x/nope.css", "/static/x/../../templates/home.html"} {
		if res, _ := s.get(p); res.StatusCode == http.StatusOK {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
}
