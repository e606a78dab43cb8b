package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/attest"
	"github.com/sejour/sejour/internal/blob"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/upload"
	"github.com/sejour/sejour/internal/web"
	"github.com/sejour/sejour/internal/web/portal"
)

// cheap password parameters keep handler tests fast; the real ones are
// measured in package password.
var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// site is a Server under test with its real store, and a browser-like
// client that keeps cookies.
type site struct {
	t      *testing.T
	srv    *web.Server
	uc     web.Options // what the server was built from: its use cases
	db     *store.DB
	clk    *clock.Fixed
	cookie map[string]string
	ip     string
	lang   string // Accept-Language
	health *health.Monitor
}

func newSite(t *testing.T, db *store.DB, clk *clock.Fixed) *site {
	t.Helper()
	return newSiteWith(t, db, clk, nil, nil)
}

// newSiteWith is newSite with a given keyring (nil: a new one), and a
// last word on the use cases' and the server's options.
func newSiteWith(t *testing.T, db *store.DB, clk *clock.Fixed, keys *seal.Keyring, with func(*casework.Config, *web.Options)) *site {
	t.Helper()
	tr := i18n.MustLoad()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc := &casework.Accounts{Store: db.Accounts(), Resets: db.Accounts(), Tr: tr, Clock: clk, Logger: logger, BaseURL: "http://sejour.test",
		SessionTTL: 12 * 3600e9, Params: cheap}
	blobs, err := blob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cat := rules.MustLoad()
	if keys == nil {
		if keys, err = seal.NewKeyring(clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	cfg := casework.Config{Blobs: blobs, Rules: cat, Tr: tr, Clock: clk, Logger: logger,
		BaseURL: "http://sejour.test", Limits: upload.DefaultLimits, Quota: 50 << 20, LeadDays: 15,
		Sealer: seal.Sealer{Keys: keys}, Codes: seal.Checker{Keys: keys}, PDFs: attest.ReceiptRenderer{Rules: cat, Tr: tr},
		Webhooks: notify.NewWebhooks(true), WebhookLoopback: true}
	if cfg.Tokens, err = seal.NewTokens(bytes.Repeat([]byte{7}, 32)); err != nil {
		t.Fatal(err)
	}
	mon := health.New(health.Options{Clock: clk, Logger: logger, Timeout: 2 * time.Second, Probes: map[health.Check]health.Probe{
		health.Database: db.Ping, health.Writes: db.PingWrite, health.Blobs: blobs.Probe}})
	opts := web.Options{Accounts: acc, Rules: cat, Receipts: attest.ReceiptRenderer{Rules: cat, Tr: tr}, DB: db, Outbox: db.Mails(),
		Tr: tr, Clock: clk, Logger: logger, BaseURL: "http://sejour.test", Dev: true, KeySet: keys.PublicKeySet,
		Health: mon, PaperForm: paperForm(t)}
	if with != nil {
		with(&cfg, &opts)
	}
	opts.UseCases = casework.New(cfg, rooms.Of(db), acc)
	srv, err := portal.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, srv: srv, uc: opts, db: db, clk: clk, cookie: map[string]string{}, ip: "192.0.2.1", health: mon}
}

// paperForm is the backup paper form, rendered once for every site.
var paperForm = func() func(t *testing.T) []byte {
	var once sync.Once
	var pdf []byte
	var err error
	return func(t *testing.T) []byte {
		once.Do(func() {
			var buf bytes.Buffer
			chans, cerr := rules.BackupChannels()
			if err = cerr; err == nil {
				err = attest.RenderPaperForm(&buf, i18n.MustLoad(), chans, storetest.Start)
			}
			pdf = buf.Bytes()
		})
		if err != nil {
			t.Fatal(err)
		}
		return pdf
	}
}()

// eachSite runs fn against a fresh site on every database.
func eachSite(t *testing.T, fn func(t *testing.T, s *site)) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) { fn(t, newSite(t, db, clk)) })
}

func (s *site) do(req *http.Request) *http.Response {
	req.RemoteAddr = s.ip + ":1234"
	if s.lang != "" {
		req.Header.Set("Accept-Language", s.lang)
	}
	for k, v := range s.cookie {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(s.cookie, c.Name)
		} else {
			s.cookie[c.Name] = c.Value
		}
	}
	return res
}

func (s *site) get(path string) (*http.Response, string) {
	res := s.do(httptest.NewRequest("GET", path, nil))
	return res, body(s.t, res)
}

func (s *site) post(path string, form url.Values) (*http.Response, string) {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res := s.do(req)
	return res, body(s.t, res)
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// signUp creates and confirms an applicant through the pages, and
// returns nothing: the account can then log in.
func (s *site) signUp(email, pw string) {
	s.t.Helper()
	res, b := s.post(paths.SignUp.String(), url.Values{"email": {email}, "password": {pw}, "confirm": {pw}})
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("sign-up: status %d\n%s", res.StatusCode, b)
	}
	link := s.lastLink(email, "/confirmer/")
	if res, b := s.get(link); res.StatusCode != 200 {
		s.t.Fatalf("confirm: %d\n%s", res.StatusCode, b)
	}
}

func (s *site) logIn(email, pw string) *http.Response {
	s.t.Helper()
	res, _ := s.post(paths.LogIn.String(), url.Values{"email": {email}, "password": {pw}})
	return res
}

var linkRe = regexp.MustCompile(`http://sejour\.test(/\S+)`)

// lastLink returns the path of the newest link to prefix mailed to addr.
func (s *site) lastLink(addr, prefix string) string {
	s.t.Helper()
	// No job queue runs here: answer the reset requests as its job would.
	if _, err := s.uc.Accounts.AnswerPendingResets(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	mails, err := s.db.Mails().RecentMails(context.Background(), 50)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, m := range mails {
		if m.To != permit.NormalizeEmail(addr) {
			continue
		}
		if l := linkRe.FindStringSubmatch(m.Text); l != nil && strings.HasPrefix(l[1], prefix) {
			return l[1]
		}
	}
	s.t.Fatalf("no mail to %s with a link to %s", addr, prefix)
	return ""
}

// mustContain fails unless the page contains every string.
func mustContain(t *testing.T, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func mustNotContain(t *testing.T, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if strings.Contains(page, w) {
			t.Errorf("page contains %q", w)
		}
	}
}

func mustHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := password.Hash(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func loginForm(email string) casework.LogInForm {
	return casework.LogInForm{Email: email, Password: goodPassword}
}
