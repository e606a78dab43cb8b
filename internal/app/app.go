// Package app assembles sejour from its parts: configuration, database,
// job queue, use cases and web server. main only parses the command line
// and calls it; end-to-end tests start the real program through it on a
// free port with a temporary database.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/web"
)

// Main is a running sejour process.
type Main struct {
	Config   *config.Config
	Logger   *slog.Logger
	Clock    clock.Clock
	DB       *store.DB
	Rules    *rules.Catalogue
	Tr       *i18n.Catalogue
	Accounts *casework.Accounts
	Web      *web.Server

	// PasswordParams may be lowered by tests; zero means the measured default.
	PasswordParams password.Params

	listener net.Listener
	server   *http.Server
}

// New returns a Main for a configuration; Open then connects it.
func New(cfg *config.Config, logger *slog.Logger) *Main {
	return &Main{Config: cfg, Logger: logger, Clock: clock.System{}}
}

// OpenDB connects to the database. The embedded SQLite file is migrated
// on the spot; PostgreSQL is migrated by `sejour migrate`, and a server
// whose schema is behind refuses to start rather than run on it.
func (m *Main) OpenDB(ctx context.Context) error {
	db, err := store.Open(ctx, m.Config.DatabaseURL, m.Config.SQLitePath(), m.Clock)
	if err != nil {
		return err
	}
	m.DB = db
	if db.Dialect() == store.SQLite {
		_, err := m.Migrate(ctx)
		return err
	}
	return m.checkSchema(ctx)
}

// OpenDBNoCheck connects without migrating or checking the schema, for
// `sejour migrate` itself.
func (m *Main) OpenDBNoCheck(ctx context.Context) error {
	db, err := store.Open(ctx, m.Config.DatabaseURL, m.Config.SQLitePath(), m.Clock)
	m.DB = db
	return err
}

// Migrate applies the pending migrations and returns how many ran.
func (m *Main) Migrate(ctx context.Context) (int, error) {
	return m.DB.Migrate(ctx)
}

func (m *Main) checkSchema(ctx context.Context) error {
	pending, err := m.DB.PendingMigrations(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w (run `sejour migrate` first)", err)
	}
	if pending > 0 {
		return fmt.Errorf("the database schema is %d migration(s) behind this version of sejour: run `sejour migrate` first", pending)
	}
	return nil
}

// Open connects everything and builds the web server, without listening.
func (m *Main) Open(ctx context.Context) error {
	if m.DB == nil {
		if err := m.OpenDB(ctx); err != nil {
			return err
		}
	}
	var err error
	if m.Rules, err = rules.Load(); err != nil {
		return err
	}
	if m.Tr, err = i18n.Load(); err != nil {
		return err
	}
	params := m.PasswordParams
	if params == (password.Params{}) {
		params = password.DefaultParams
	}
	m.Accounts = &casework.Accounts{
		Store: m.DB, Tr: m.Tr, Clock: m.Clock, Logger: m.Logger,
		BaseURL: m.Config.BaseURL, SessionTTL: m.Config.SessionTTL, Params: params,
	}
	m.Web, err = web.New(web.Options{
		Accounts: m.Accounts, DB: m.DB, Outbox: m.DB, Tr: m.Tr, Clock: m.Clock,
		Logger: m.Logger, BaseURL: m.Config.BaseURL, Dev: m.Config.Dev,
	})
	return err
}

// Listen opens the listening socket, so that Addr is known before Open
// builds the pages (tests listen on port 0, then set the base URL).
func (m *Main) Listen() error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.listener = ln
	return nil
}

// Addr is the address the server listens on (useful with port 0).
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Serve answers requests on the socket opened by Listen until ctx is cancelled, then shuts down
// gracefully: requests in flight get up to 10 seconds to finish.
func (m *Main) Serve(ctx context.Context) error {
	m.server = &http.Server{
		Handler:           m.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.listener) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.server.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases the database.
func (m *Main) Close() error {
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}
