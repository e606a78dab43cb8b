package web_test

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// The page benchmarks run a request through the whole Server (recover,
// security headers, language, session lookup, cross-origin protection,
// routing, guard, template) on a real SQLite store. BenchmarkBareHandler
// writes bodies of the same sizes through the same recorder: the ratio
// between the two is what sejour itself costs per page. docs/performance.md
// keeps the figures.
//
// The Server is wired by internal/app, as `sejour serve` wires it (without
// listening or starting the job queue), so that the benchmarks measure the
// production stack whatever parts it gains.

// benchServer is sejour's web server on a fresh SQLite database in a
// temporary data directory, with the development pages off.
func benchServer(tb testing.TB) *app.Main {
	tb.Helper()
	return benchServerWith(tb, nil)
}

// benchServerWith is benchServer with more of the environment.
func benchServerWith(tb testing.TB, more map[string]string) *app.Main {
	tb.Helper()
	env := map[string]string{"SEJOUR_ADDR": "127.0.0.1:0", "SEJOUR_DATA_DIR": tb.TempDir()}
	maps.Copy(env, more)
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatal(err)
	}
	m := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.PasswordParams = cheap
	tb.Cleanup(func() { m.Close() })
	if err := m.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return m
}

// benchSession creates a confirmed applicant, logs in through POST
// /connexion and returns the session cookie the server set.
func benchSession(tb testing.TB, m *app.Main) *http.Cookie {
	tb.Helper()
	const pw = "trois chats sur un toit"
	hash, err := password.Hash(pw, cheap)
	if err != nil {
		tb.Fatal(err)
	}
	now := m.Clock.Now()
	a := &permit.Account{Email: "bench@example.org", Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: &now}
	if err := m.DB.Accounts().CreateAccount(context.Background(), a, hash, nil, nil); err != nil {
		tb.Fatal(err)
	}
	form := url.Values{"email": {a.Email}, "password": {pw}}
	req := httptest.NewRequest("POST", paths.LogIn.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	m.Web.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if strings.HasSuffix(c.Name, "_session") && c.Value != "" {
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
		tb.Fatalf("GET %s: status %d\n%s", path, rec.Code, rec.Body)
	}
	return rec.Body.Len()
}

func BenchmarkHomePage(b *testing.B) {
	benchPage(b, benchServer(b).Web, paths.Home.String(), nil)
}

func BenchmarkLogInPage(b *testing.B) {
	benchPage(b, benchServer(b).Web, paths.LogIn.String(), nil)
}

// BenchmarkDashboard is a logged-in page: each request looks its session up
// in the database.
func BenchmarkDashboard(b *testing.B) {
	m := benchServer(b)
	cookie := benchSession(b, m)
	benchPage(b, m.Web, paths.Dashboard.String(), cookie)
}

// BenchmarkBareHandler is the ceiling: a plain handler writing a body as
// large as each page, through the same request and recorder.
func BenchmarkBareHandler(b *testing.B) {
	m := benchServer(b)
	cookie := benchSession(b, m)
	for _, p := range []struct {
		name, path string
		cookie     *http.Cookie
	}{
		{"home", paths.Home.String(), nil},
		{"login", paths.LogIn.String(), nil},
		{"dashboard", paths.Dashboard.String(), cookie},
	} {
		body := []byte(strings.Repeat("x", pageSize(b, m.Web, p.path, p.cookie)))
		bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(body)
		})
		b.Run(p.name, func(b *testing.B) { benchPage(b, bare, p.path, p.cookie) })
	}
}

// BenchmarkMetricsOverhead serves the same pages with the metrics off and
// on (SEJOUR_METRICS_ADDR set: every request timed and observed into the
// latency histogram by route pattern and status): the ratio is what the
// metrics cost a request. /healthz is the cheapest page, where the cost
// shows most.
func BenchmarkMetricsOverhead(b *testing.B) {
	for _, on := range []bool{false, true} {
		env := map[string]string{}
		name := "off"
		if on {
			env["SEJOUR_METRICS_ADDR"] = "127.0.0.1:0"
			name = "on"
		}
		m := benchServerWith(b, env)
		if (m.Metrics != nil) != on {
			b.Fatalf("metrics %s, but Main.Metrics = %v", name, m.Metrics)
		}
		for page, path := range map[string]string{"healthz": paths.Healthz.String(), "home": paths.Home.String()} {
			b.Run(name+"/"+page, func(b *testing.B) { benchPage(b, m.Web, path, nil) })
		}
	}
}
