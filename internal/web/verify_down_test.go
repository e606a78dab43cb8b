package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// downSite is a site whose database can be taken away: closed (SQLite),
// or cut or frozen behind a TCP proxy (PostgreSQL).
type downSite struct {
	*site
	name string
	down func() // makes the database unavailable
}

// verifyWhileDown checks a genuine code, a changed code and the key set
// with the database gone: the page and the API say genuine, with the
// caveat that revocation could not be checked, within the lookup's bound,
// never 500 and never plain "valid".
func verifyWhileDown(t *testing.T, s downSite) {
	s.prefecture("75", "75")
	a := receiptCode(t, s.site)
	s.cookie = map[string]string{}
	s.down()

	start := time.Now()
	res, page := s.verifyCode(a.Code)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: the page with the database down: %d\n%s", s.name, res.StatusCode, page)
	}
	mustContain(t, page, "Attestation de dépôt authentique", "révocation n&#39;a pas pu être vérifiée", "Zoë N&#39;Diaye", a.Number)
	mustNotContain(t, page, "ne prouve pas le séjour régulier</h2>") // not the plain, checked answer

	req := httptest.NewRequest("POST", paths.APIVerify.String(), strings.NewReader(`{"code": "`+a.Code+`"}`))
	res = s.do(req)
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || out["status"] != "valid_unchecked" || out["revocation_checked"] != false || out["number"] != a.Number {
		t.Fatalf("%s: the API with the database down: %d %v", s.name, res.StatusCode, out)
	}
	t.Logf("%s: page and API answered in %v", s.name, time.Since(start).Round(time.Millisecond))
	if took := time.Since(start); took > 8*time.Second {
		t.Errorf("%s: two checks took %v with the database down", s.name, took)
	}

	bad := []byte(a.Code)
	bad[len(bad)/2] ^= 1
	_, page = s.verifyCode(string(bad))
	if !strings.Contains(page, "non authentique") && !strings.Contains(page, "pas un code d&#39;attestation") {
		t.Errorf("%s: a changed code with the database down was not refused", s.name)
	}
	mustNotContain(t, page, "Zoë")

	res, body := s.get(paths.KeySet.String())
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"kty"`) {
		t.Errorf("%s: key set with the database down: %d %s", s.name, res.StatusCode, body)
	}
}

func TestVerifyWithDatabaseClosed(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		verifyWhileDown(t, downSite{site: s, name: "closed", down: func() { s.db.Close() }})
	})
}

// TestVerifyWithPostgresUnreachable runs the same checks with PostgreSQL
// behind a TCP proxy that is cut (connections closed, nothing listens)
// or frozen (connections held, nothing answers).
func TestVerifyWithPostgresUnreachable(t *testing.T) {
	for _, mode := range []string{"cut", "frozen"} {
		t.Run(mode, func(t *testing.T) {
			clk := clock.NewFixed(storetest.Start)
			direct := storetest.Postgres(t, clk)
			u, err := url.Parse(direct.PostgresURL())
			if err != nil {
				t.Fatal(err)
			}
			p := startProxy(t, u.Host)
			u.Host = p.ln.Addr().String()
			db, err := store.Open(context.Background(), u.String(), "", clk)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			db.SetDelays(rules.MustLoad().Delays())
			s := newSite(t, db, clk)
			down := p.cut
			if mode == "frozen" {
				down = p.freeze
			}
			verifyWhileDown(t, downSite{site: s, name: mode, down: down})
		})
	}
}

// proxy forwards TCP connections to a target until it is cut or frozen.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	frozen bool
	closed bool
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			continue // frozen: held, never answered
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.track(up)
		go io.Copy(gate{p, up}, c)
		go io.Copy(gate{p, c}, up)
	}
}

// track keeps c to close it when cut, and says whether to forward it.
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns = append(p.conns, c)
	return !p.frozen
}

func (p *proxy) state() (frozen, closed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frozen, p.closed
}

func (p *proxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

// gate writes through while the proxy is not frozen; frozen, it waits
// (until cut), as a database that stopped answering.
type gate struct {
	p *proxy
	w io.Writer
}

func (g gate) Write(b []byte) (int, error) {
	for {
		frozen, closed := g.p.state()
		if closed {
			return 0, net.ErrClosed
		}
		if !frozen {
			return g.w.Write(b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOfflineVerifierPage: the offline verifier's page works as the
// online form without its script (it posts to /verifier), embeds its
// words, and its service worker is served from /verifier/, never cached
// for long, as JavaScript the CSP allows (same origin).
func TestOfflineVerifierPage(t *testing.T) {
	s := sqliteSite(t)
	res, page := s.get(paths.VerifyOffline.String())
	if res.StatusCode != http.StatusOK {
		t.Fatalf("offline verifier: %d", res.StatusCode)
	}
	mustContain(t, page, `action="`+paths.Verify.String()+`"`, `name="code"`, `id="offline-words"`, "verify-offline.js",
		`data-worker="`+paths.VerifyWorker.String()+`"`, `download="sejour-keys.json"`, "Attestation de dépôt")
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	res, js := s.get(paths.VerifyWorker.String())
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") ||
		res.Header.Get("Cache-Control") != "no-cache" || !strings.Contains(js, "addEventListener('fetch'") {
		t.Errorf("service worker: %d %v", res.StatusCode, res.Header)
	}
	_, page = s.get(paths.Verify.String())
	mustContain(t, page, `href="`+paths.VerifyOffline.String()+`"`, `href="`+paths.KeySet.String()+`" download=`)
}

// TestVerifyExpiredWithDatabaseClosed: a genuine code past its dates is
// expired whatever the database says, and the answer adds that its
// revocation could not be checked.
func TestVerifyExpiredWithDatabaseClosed(t *testing.T) {
	s := sqliteSite(t)
	s.prefecture("75", "75")
	a := receiptCode(t, s)
	s.cookie = map[string]string{}
	s.clk.Set(a.ValidUntil.AddDate(0, 0, 2))
	s.db.Close()
	_, page := s.verifyCode(a.Code)
	mustContain(t, page, "Attestation authentique mais expirée", "nous n&#39;avons pas pu vérifier maintenant si la préfecture l&#39;a retirée")
	res := s.do(httptest.NewRequest("POST", paths.APIVerify.String(), strings.NewReader(`{"code": "`+a.Code+`"}`)))
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	if out["status"] != "expired" || out["revocation_checked"] != false {
		t.Errorf("API, expired code with the database closed: %v", out)
	}
}
