package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/web"
	"github.com/sejour/sejour/internal/web/portal"
)

// rebuild gives the site a server built with changed options (trusted
// proxies, a smaller limit table), on the same database.
func (s *site) rebuild(change func(o *web.Options)) {
	s.t.Helper()
	o := s.uc
	change(&o)
	srv, err := portal.New(o)
	if err != nil {
		s.t.Fatal(err)
	}
	s.srv, s.uc = srv, o
}

// postVia posts a form through a proxy that says it forwarded for xff.
func (s *site) postVia(path string, form url.Values, xff string) *http.Response {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	return s.do(req)
}

func badLogIn(email string) url.Values {
	return url.Values{"email": {email}, "password": {"not the password"}}
}

// TestClientAddressThroughTrustedProxiesOnly: behind a trusted proxy, each
// client is limited on its own address, read right to left from
// X-Forwarded-For, so that a prefix it wrote itself changes nothing; a
// peer that is not a trusted proxy is the client, whatever it says.
func TestClientAddressThroughTrustedProxiesOnly(t *testing.T) {
	s := sqliteSite(t)
	s.rebuild(func(o *web.Options) { o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")} })
	s.ip = "10.0.0.1" // the reverse proxy
	// 30 clients, one bad log-in each: none is limited, though all come
	// through one proxy (before: the 21st was refused for everyone).
	for i := range 30 {
		if res := s.postVia(paths.LogIn.String(), badLogIn(fmt.Sprintf("p%d@example.org", i)), fmt.Sprintf("203.0.113.%d", i+1)); res.StatusCode != 422 {
			t.Fatalf("client %d behind the proxy: %d, want 422", i, res.StatusCode)
		}
	}
	// One client forging a new left-most address each time is still one
	// client: the right-most untrusted hop counts. Two trusted hops.
	var last *http.Response
	for i := range 21 {
		last = s.postVia(paths.LogIn.String(), badLogIn(fmt.Sprintf("q%d@example.org", i)), fmt.Sprintf("198.18.0.%d, 198.51.100.9, 10.0.0.2", i+1))
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("21st log-in of one client forging X-Forwarded-For: %d, want 429", last.StatusCode)
	}
	// A peer that is not a trusted proxy is limited on its own address.
	s.ip = "192.0.2.50"
	for i := range 21 {
		last = s.postVia(paths.LogIn.String(), badLogIn(fmt.Sprintf("r%d@example.org", i)), fmt.Sprintf("203.0.113.%d", 100+i))
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("21st log-in of an untrusted peer sending X-Forwarded-For: %d, want 429", last.StatusCode)
	}
	// With no trusted proxy at all, the header is ignored.
	s.rebuild(func(o *web.Options) { o.TrustedProxies = nil })
	s.ip = "10.0.0.1"
	for i := range 21 {
		last = s.postVia(paths.LogIn.String(), badLogIn(fmt.Sprintf("s%d@example.org", i)), fmt.Sprintf("203.0.113.%d", 150+i))
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("21st log-in with no trusted proxy: %d, want 429", last.StatusCode)
	}
}

// TestOwnerNotLockedOutByGuessesElsewhere: guesses on an account from
// elsewhere, one a minute or from many addresses, do not stop its owner
// at their usual address; past the account's ceiling the owner is mailed
// one unlock link, which unlocks the address it is followed from.
func TestOwnerNotLockedOutByGuessesElsewhere(t *testing.T) {
	s := sqliteSite(t)
	const owner = "owner@example.org"
	s.signUp(owner, goodPassword)
	if res := s.logIn(owner, goodPassword); res.StatusCode != http.StatusSeeOther { // 192.0.2.1: now a usual address
		t.Fatalf("first log-in: %d", res.StatusCode)
	}
	s.cookie = map[string]string{}
	// One guesser, one address: its pair is limited after 5...
	s.ip = "198.51.100.1"
	var last *http.Response
	for range 6 {
		last, _ = s.post(paths.LogIn.String(), badLogIn(owner))
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th guess from one address: %d, want 429", last.StatusCode)
	}
	// ...and one a minute from there does not touch the owner.
	for range 10 {
		s.clk.Advance(time.Minute)
		s.post(paths.LogIn.String(), badLogIn(owner))
	}
	s.ip = "192.0.2.1"
	if res := s.logIn(owner, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner after a guess a minute elsewhere: %d", res.StatusCode)
	}
	s.cookie = map[string]string{}
	// Many guessers, one try each: the account's ceiling stops them.
	refused := 0
	var page string
	for i := range 40 {
		s.ip = fmt.Sprintf("203.0.113.%d", i+1)
		last, page = s.post(paths.LogIn.String(), badLogIn(owner))
		if last.StatusCode == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused == 0 || last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("40 guesses from 40 addresses: none refused")
	}
	mustContain(t, page, "un lien vient de vous être envoyé")
	if n := s.mailsWith(owner, paths.Unlock.Format("")); n != 1 {
		t.Fatalf("%d unlock mails to the owner, want 1 (one an hour, however many refusals)", n)
	}
	// The owner at their usual address is not stopped by the ceiling.
	s.ip = "192.0.2.1"
	if res := s.logIn(owner, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner at their usual address past the ceiling: %d", res.StatusCode)
	}
	s.cookie = map[string]string{}
	// Elsewhere (travelling), the owner is stopped, until they follow the link.
	s.ip = "198.51.100.200"
	if res := s.logIn(owner, goodPassword); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("owner at a new address past the ceiling: %d, want 429", res.StatusCode)
	}
	link := s.lastLink(owner, "/connexion/debloquer/")
	res, _ := s.get(link)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/connexion?debloque" {
		t.Fatalf("unlock link: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, page = s.get(res.Header.Get("Location"))
	mustContain(t, page, "La connexion est débloquée pour cet appareil.")
	if res := s.logIn(owner, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner after the unlock link: %d", res.StatusCode)
	}
	if res, _ := s.get(link); res.StatusCode != http.StatusNotFound {
		t.Fatalf("unlock link used twice: %d, want 404", res.StatusCode)
	}
}

// mailsWith counts the mails to addr whose text holds a link to prefix.
func (s *site) mailsWith(addr, prefix string) int {
	s.t.Helper()
	mails, err := s.db.Mails().RecentMails(context.Background(), 50)
	if err != nil {
		s.t.Fatal(err)
	}
	n := 0
	for _, m := range mails {
		if m.To == addr && strings.Contains(m.Text, "http://sejour.test"+prefix) {
			n++
		}
	}
	return n
}

// TestLimitsSurviveAFloodOfAddresses is issue 13's scenario at a table of
// 200 keys: an account over its ceiling, then requests from 1,000
// distinct addresses. Before, the table was wiped when full and the
// account had fresh tries; now the addresses' keys are forgotten first.
func TestLimitsSurviveAFloodOfAddresses(t *testing.T) {
	s := sqliteSite(t)
	s.rebuild(func(o *web.Options) { o.LimitCapacity = 200 })
	const victim = "agent@example.org"
	locked := func() bool {
		for i := range 40 {
			s.ip = fmt.Sprintf("203.0.113.%d", i+1)
			if res, _ := s.post(paths.LogIn.String(), badLogIn(victim)); res.StatusCode == http.StatusTooManyRequests {
				return true
			}
		}
		return false
	}
	if !locked() {
		t.Fatal("the account's ceiling was never reached")
	}
	for i := range 1000 {
		s.ip = fmt.Sprintf("198.18.%d.%d", i/250, i%250+1)
		s.post(paths.Verify.String(), url.Values{"code": {"SJ1:X"}})
	}
	s.ip = "192.0.2.77"
	if res, _ := s.post(paths.LogIn.String(), badLogIn(victim)); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 1,000 addresses, a guess on the locked account: %d, want 429", res.StatusCode)
	}
}

// TestDevPagesLoopbackOnly: the development mail pages, which show reset
// links, answer this machine only; a proxy on this machine relaying
// someone else is not this machine.
func TestDevPagesLoopbackOnly(t *testing.T) {
	s := sqliteSite(t)
	for _, tt := range []struct {
		peer, xff string
		want      int
	}{
		{"127.0.0.1", "", http.StatusOK},
		{"::1", "", http.StatusOK},
		{"192.0.2.1", "", http.StatusNotFound},
		{"10.1.2.3", "127.0.0.1", http.StatusNotFound},
		{"127.0.0.1", "203.0.113.5", http.StatusNotFound},
	} {
		req := httptest.NewRequest("GET", paths.DevMails.String(), nil)
		if tt.xff != "" {
			req.Header.Set("X-Forwarded-For", tt.xff)
		}
		s.ip = tt.peer
		if strings.Contains(tt.peer, ":") {
			s.ip = "[" + tt.peer + "]"
		}
		if res := s.do(req); res.StatusCode != tt.want {
			t.Errorf("%s from %s (X-Forwarded-For %q): %d, want %d", paths.DevMails, tt.peer, tt.xff, res.StatusCode, tt.want)
		}
	}
}

// TestVerifyAPICrossOrigin: another site's script may call the JSON
// verifier: the preflight is answered, and the answer is shared, without
// credentials.
func TestVerifyAPICrossOrigin(t *testing.T) {
	s := sqliteSite(t)
	req := httptest.NewRequest("OPTIONS", paths.APIVerify.String(), nil)
	req.Header.Set("Origin", "https://employer.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	res := s.do(req)
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("preflight: %d, want 204", res.StatusCode)
	}
	for k, want := range map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST",
		"Access-Control-Allow-Headers": "Content-Type", "Access-Control-Allow-Credentials": ""} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("preflight %s: %q, want %q", k, got, want)
		}
	}
	req = httptest.NewRequest("POST", paths.APIVerify.String(), strings.NewReader(`{"code": "SJ1:X"}`))
	req.Header.Set("Origin", "https://employer.example")
	req.Header.Set("Content-Type", "application/json")
	res = s.do(req)
	if res.StatusCode != http.StatusBadRequest || res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("cross-origin POST: %d, Allow-Origin %q, Allow-Credentials %q", res.StatusCode,
			res.Header.Get("Access-Control-Allow-Origin"), res.Header.Get("Access-Control-Allow-Credentials"))
	}
	// Only this endpoint is shared.
	req = httptest.NewRequest("OPTIONS", paths.Verify.String(), nil)
	req.Header.Set("Origin", "https://employer.example")
	if res := s.do(req); res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("%s is shared across origins", paths.Verify)
	}
}

// TestResetLinkPostsAreLimited: bogus new passwords posted to made-up
// links are refused (404) and, from one address, limited.
func TestResetLinkPostsAreLimited(t *testing.T) {
	s := sqliteSite(t)
	pw := url.Values{"password": {"une autre phrase de passe"}, "confirm": {"une autre phrase de passe"}}
	var last *http.Response
	for i := range 11 {
		last, _ = s.post(paths.Reset.Format(fmt.Sprintf("bogus%d", i)), pw)
		if i < 10 && last.StatusCode != http.StatusNotFound {
			t.Fatalf("bogus link %d: %d, want 404", i, last.StatusCode)
		}
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("11th post from one address: %d, want 429", last.StatusCode)
	}
}

// TestEveryResetLinkDiesWithOne: two links were mailed; using one ends
// the other.
func TestEveryResetLinkDiesWithOne(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		const addr = "twice@example.org"
		s.signUp(addr, goodPassword)
		s.post(paths.Forgot.String(), url.Values{"email": {addr}})
		first := s.lastLink(addr, "/reinitialiser/")
		s.clk.Advance(time.Second)
		s.post(paths.Forgot.String(), url.Values{"email": {addr}})
		second := s.lastLink(addr, "/reinitialiser/")
		if first == second {
			t.Fatal("one link for two requests")
		}
		pw := url.Values{"password": {"une autre phrase de passe"}, "confirm": {"une autre phrase de passe"}}
		if res, _ := s.post(second, pw); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("newest link: %d", res.StatusCode)
		}
		pw = url.Values{"password": {"la phrase de l'intrus"}, "confirm": {"la phrase de l'intrus"}}
		if res, _ := s.post(first, pw); res.StatusCode != http.StatusNotFound {
			t.Fatalf("older link after a reset: %d, want 404", res.StatusCode)
		}
		if res := s.logIn(addr, "une autre phrase de passe"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the password set by the newest link: %d", res.StatusCode)
		}
	})
}
