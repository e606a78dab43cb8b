package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store/storetest"
)

// The page benchmarks run a request through the whole Server (recover,
// security headers, language, session lookup, cross-origin protection,
// routing, guard, template) on a real SQLite store. BenchmarkBareHandler
// writes bodies of the same sizes through the same recorder: the ratio
// between the two is what sejour itself costs per page. docs/performance.md
// keeps the figures.

// benchServer is a production-like Server (development pages off) on a
// fresh, migrated SQLite database. It takes a testing.TB, where newSite
// needs a *testing.T.
func benchServer(tb testing.TB) *Server {
	tb.Helper()
	clk := clock.NewFixed(storetest.Start)
	db := storetest.SQLite(tb, clk)
	tr := i18n.MustLoad()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc := &casework.Accounts{Store: db, Tr: tr, Clock: clk, Logger: logger, BaseURL: "http://sejour.test",
		SessionTTL: 12 * time.Hour, Params: cheap}
	srv, err := New(Options{Accounts: acc, DB: db, Outbox: db, Tr: tr, Clock: clk, Logger: logger,
		BaseURL: "http://sejour.test"})
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

// benchSession creates a confirmed applicant, logs in through POST
// /connexion and returns the session cookie the server set.
func benchSession(tb testing.TB, srv *Server) *http.Cookie {
	tb.Helper()
	hash, err := password.Hash(goodPassword, cheap)
	if err != nil {
		tb.Fatal(err)
	}
	now := srv.Clock.Now()
	a := &permit.Account{Email: "bench@example.org", Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: &now}
	if err := srv.Accounts.Store.CreateAccount(context.Background(), a, hash, nil, nil); err != nil {
		tb.Fatal(err)
	}
	form := url.Values{"email": {a.Email}, "password": {goodPassword}}
	req := httptest.NewRequest("POST", "/connexion", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	tb.Fatalf("log-in set no session cookie: status %d\n%s", rec.Code, rec.Body)
	return nil
}

// benchPage measures GET path through h, failing on any status but 200.
func benchPage(b *testing.B, h http.Handler, path string, cookie *http.Cookie) {
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", path, nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: status %d", path, rec.Code)
		}
	}
}

// pageSize renders path once and returns the size of its body.
func pageSize(tb testing.TB, h http.Handler, path string, cookie *http.Cookie) int {
	tb.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s: status %d", path, rec.Code)
	}
	return rec.Body.Len()
}

func BenchmarkHomePage(b *testing.B) {
	benchPage(b, benchServer(b), "/", nil)
}

func BenchmarkLogInPage(b *testing.B) {
	benchPage(b, benchServer(b), "/connexion", nil)
}

// BenchmarkDashboard is a logged-in page: each request looks its session up
// in the database.
func BenchmarkDashboard(b *testing.B) {
	srv := benchServer(b)
	cookie := benchSession(b, srv)
	benchPage(b, srv, "/tableau-de-bord", cookie)
}

// BenchmarkBareHandler is the ceiling: a plain handler writing a body as
// large as each page, through the same request and recorder.
func BenchmarkBareHandler(b *testing.B) {
	srv := benchServer(b)
	cookie := benchSession(b, srv)
	for _, p := range []struct {
		name, path string
		cookie     *http.Cookie
	}{
		{"home", "/", nil},
		{"login", "/connexion", nil},
		{"dashboard", "/tableau-de-bord", cookie},
	} {
		body := []byte(strings.Repeat("x", pageSize(b, srv, p.path, p.cookie)))
		bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(body)
		})
		b.Run(p.name, func(b *testing.B) { benchPage(b, bare, p.path, p.cookie) })
	}
}
