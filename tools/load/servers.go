package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for the schema of a PostgreSQL run

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
)

// cheap password parameters make the set-up log-ins quick; logging in is
// not what is measured (package password measures hashing).
var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// sessionCount is how many applicants log in for the logged-in routes;
// the clients share their sessions. It stays under the log-in rate limit
// of one address (20 at once).
const sessionCount = 8

// sejourServer is sejour, wired as `sejour serve` wires it, running in
// this process on a loopback port.
type sejourServer struct {
	url      string
	sessions []string // Cookie header values
	database string   // what it runs on, in words
	db       *sql.DB
	stop     func()
}

func (s *sejourServer) cookie(worker int, loggedIn bool) string {
	if !loggedIn {
		return ""
	}
	return s.sessions[worker%len(s.sessions)]
}

func startSejour(ctx context.Context, o options) (*sejourServer, error) {
	dir, err := os.MkdirTemp("", "sejour-load-")
	if err != nil {
		return nil, err
	}
	cleanups := undo{func() { os.RemoveAll(dir) }}
	stop := func() { cleanups.run() }
	// The load comes from loopback; the verify suite sends each request
	// with an address of its own in X-Forwarded-For, as a reverse proxy
	// would, so that the per-address limits count as they would in use.
	env := map[string]string{"SEJOUR_ADDR": "127.0.0.1:0", "SEJOUR_DATA_DIR": dir, "SEJOUR_LOG_LEVEL": "warn",
		"SEJOUR_TRUSTED_PROXIES": "127.0.0.1"}
	if o.postgres != "" {
		dsn, drop, err := postgresSchema(ctx, o.postgres)
		if err != nil {
			stop()
			return nil, err
		}
		cleanups.push(drop)
		env["SEJOUR_DATABASE_URL"] = dsn
	}
	m, err := openSejour(ctx, env, o)
	if err != nil {
		stop()
		return nil, err
	}
	cleanups.push(func() { m.Close() })
	serveCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Serve(serveCtx) }()
	cleanups.push(func() {
		cancel()
		if err := <-done; err != nil {
			fmt.Fprintln(os.Stderr, "load: sejour:", err)
		}
	})
	s := &sejourServer{url: "http://" + m.Addr(), stop: stop, db: m.DB.SQL(), database: "SQLite (WAL, synchronous=FULL)"}
	if o.postgres != "" {
		s.database = "PostgreSQL"
	}
	if s.sessions, err = logIn(ctx, m, s.url); err != nil {
		stop()
		return nil, err
	}
	return s, nil
}

// openSejour configures, listens and opens sejour, migrating a PostgreSQL
// schema first as `sejour migrate` would.
func openSejour(ctx context.Context, env map[string]string, o options) (*app.Main, error) {
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		return nil, err
	}
	m := app.New(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	m.PasswordParams = cheap
	if err := m.Listen(); err != nil {
		return nil, err
	}
	if err := loopbackURL("http://" + m.Addr()); err != nil {
		return nil, err
	}
	cfg.BaseURL = "http://" + m.Addr()
	if cfg.Postgres() {
		if err := m.OpenDBNoCheck(ctx); err != nil {
			return nil, err
		}
		if _, err := m.Migrate(ctx); err != nil {
			m.Close()
			return nil, err
		}
	}
	if err := m.Open(ctx); err != nil {
		m.Close()
		return nil, err
	}
	if o.demo {
		if err := demo.Load(ctx, demo.Store{Accounts: m.DB.Accounts(), Files: m.DB.Files()}, m.Clock, cheap, io.Discard); err != nil {
			m.Close()
			return nil, fmt.Errorf("load demonstration data: %w", err)
		}
	}
	if o.suite == "verify" {
		// The demonstration cases: one of them is granted, and its
		// attestation signed, which the verify suite checks.
		st := demo.Store{Accounts: m.DB.Accounts(), Files: m.DB.Files()}
		if err := demo.Cases(ctx, m.UseCases, st, cheap, m.Clock.Now(), io.Discard); err != nil {
			m.Close()
			return nil, fmt.Errorf("load demonstration cases: %w", err)
		}
	}
	return m, nil
}

// logIn creates confirmed applicants and logs each in through the log-in
// form, as a browser would; it returns their session cookies.
func logIn(ctx context.Context, m *app.Main, base string) ([]string, error) {
	const pw = "trois chats sur un toit"
	hash, err := password.Hash(pw, cheap)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	var cookies []string
	for i := range sessionCount {
		now := m.Clock.Now()
		a := &permit.Account{Email: fmt.Sprintf("load%d@example.org", i), Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: &now}
		if err := m.DB.Accounts().CreateAccount(ctx, a, hash, nil, nil); err != nil {
			return nil, err
		}
		form := url.Values{"email": {a.Email}, "password": {pw}}
		req, err := http.NewRequestWithContext(ctx, "POST", base+"/connexion", strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		res.Body.Close()
		c := sessionCookie(res)
		if c == "" {
			return nil, fmt.Errorf("log-in of %s: status %d and no session cookie", a.Email, res.StatusCode)
		}
		cookies = append(cookies, c)
	}
	return cookies, nil
}

// attestationCode returns the signed code of an attestation of the demo
// data that is neither revoked nor superseded, waiting up to a minute for
// the background jobs to sign the first.
func (s *sejourServer) attestationCode(ctx context.Context) (string, error) {
	for range 600 {
		var code string
		err := s.db.QueryRowContext(ctx, `SELECT code FROM attestations
			WHERE code <> '' AND revoked_at IS NULL AND superseded_at IS NULL ORDER BY id LIMIT 1`).Scan(&code)
		if !errors.Is(err, sql.ErrNoRows) {
			return code, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return "", errors.New("no signed attestation in the demo data after a minute")
}

func sessionCookie(res *http.Response) string {
	for _, c := range res.Cookies() {
		if strings.HasSuffix(c.Name, "_session") && c.Value != "" {
			return c.Name + "=" + c.Value
		}
	}
	return ""
}

// postgresSchema creates a schema of its own on the server of dsn and
// returns a URL that uses it, and a function that drops it.
func postgresSchema(ctx context.Context, dsn string) (string, func(), error) {
	b := make([]byte, 6)
	rand.Read(b)
	schema := "sejour_load_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create schema on PostgreSQL: %w", err)
	}
	drop := func() {
		dropCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(dropCtx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			fmt.Fprintln(os.Stderr, "load: drop schema", schema+":", err)
		}
		admin.Close()
	}
	u, err := url.Parse(dsn)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// bareServer is the ceiling: net/http answering each route with a static
// body as large as sejour's.
type bareServer struct {
	url  string
	stop func()
}

func startBare(sizes map[string]int) (*bareServer, error) {
	mux := http.NewServeMux()
	for path, n := range sizes {
		body := []byte(strings.Repeat("x", n))
		pattern := "GET " + path
		if strings.HasSuffix(path, "/") {
			pattern += "{$}"
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(body)
		})
	}
	return serveBare(mux)
}

// serveBare serves h on a loopback port of its own until stop.
func serveBare(h http.Handler) (*bareServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "load: bare server:", err)
		}
	}
	return &bareServer{url: "http://" + ln.Addr().String(), stop: stop}, nil
}

// undo is a stack of clean-ups, run last first.
type undo []func()

func (u *undo) push(f func()) { *u = append(*u, f) }

func (u undo) run() {
	for i := len(u) - 1; i >= 0; i-- {
		u[i]()
	}
}
