package web_test

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/clock"
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

// BenchmarkMetricsOverhead serves the same page by two servers, one with
// the metrics off and one with them on (SEJOUR_METRICS_ADDR set: every
// request timed and observed into the latency histogram by route pattern
// and status), alternately in the same loop, so that a loaded machine
// slows both alike. It reports each one's median time per request and their
// ratio (off ÷ on: 1 means the metrics cost nothing). /healthz is the
// cheapest page, where their cost shows most.
func BenchmarkMetricsOverhead(b *testing.B) {
	off, on := benchServerWith(b, nil), benchServerWith(b, map[string]string{"SEJOUR_METRICS_ADDR": "127.0.0.1:0"})
	if off.Metrics != nil || on.Metrics == nil {
		b.Fatal("the metrics are not off on one server and on on the other")
	}
	for _, page := range []struct{ name, path string }{{"healthz", paths.Healthz.String()}, {"home", paths.Home.String()}} {
		b.Run(page.name, func(b *testing.B) {
			var took [2][]time.Duration
			for b.Loop() {
				for i, m := range []*app.Main{off, on} {
					req := httptest.NewRequest("GET", page.path, nil)
					rec := httptest.NewRecorder()
					elapsed := clock.Stopwatch()
					m.Web.ServeHTTP(rec, req)
					took[i] = append(took[i], elapsed())
					if rec.Code != http.StatusOK {
						b.Fatalf("GET %s: status %d", page.path, rec.Code)
					}
				}
			}
			// Medians: a burst of another process's work spoils a few
			// requests of either server, not the middle one.
			median := func(d []time.Duration) float64 {
				slices.Sort(d)
				return float64(d[len(d)/2].Nanoseconds())
			}
			offNs, onNs := median(took[0]), median(took[1])
			b.ReportMetric(offNs, "off-ns/req")
			b.ReportMetric(onNs, "on-ns/req")
			b.ReportMetric(offNs/onNs, "off/on")
		})
	}
}
