package e2e

import (
	"log/slog"
	"testing"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/config"
)

// startServer runs the real program, as `sejour serve` wires it, on a free
// loopback port with a fresh SQLite database and the development pages on
// (the outbox page is where the journeys read their mails). It returns the
// base URL; the server stops when the test ends.
func startServer(t *testing.T) string {
	t.Helper()
	_, base := startApp(t)
	return base
}

// startApp is startServer for the tests that also set up data through the
// program's own store (prefectures, staff accounts): it returns the
// running program as well.
func startApp(t *testing.T) (*app.Main, string) {
	t.Helper()
	env := map[string]string{
		"SEJOUR_ADDR":      "127.0.0.1:0",
		"SEJOUR_DATA_DIR":  t.TempDir(),
		"SEJOUR_DEV":       "true",
		"SEJOUR_LOG_LEVEL": "warn",
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	m := app.New(cfg, logger)
	if err := m.Listen(); err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = "http://" + m.Addr()
	t.Cleanup(func() { // after the server stopped (cleanups run last first)
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	apptest.Serve(t, m)
	return m, cfg.BaseURL
}
