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

	"github.com/sejour/sejour/internal/attest"
	"github.com/sejour/sejour/internal/blob"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/jobs"
	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/upload"
	"github.com/sejour/sejour/internal/web"
	"github.com/sejour/sejour/internal/web/portal"
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
	UseCases *casework.UseCases
	Queue    *jobs.Queue
	Keys     *seal.Shared // the attestation signing keys, shared in the database
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
	if err := m.OpenDBNoCheck(ctx); err != nil {
		return err
	}
	if m.DB.Dialect() == store.SQLite {
		_, err := m.Migrate(ctx)
		return err
	}
	return m.checkSchema(ctx)
}

// OpenDBNoCheck connects without migrating or checking the schema, for
// `sejour migrate` itself.
func (m *Main) OpenDBNoCheck(ctx context.Context) error {
	if m.Rules == nil {
		cat, err := rules.Load()
		if err != nil {
			return err
		}
		m.Rules = cat
	}
	db, err := store.Open(ctx, m.Config.DatabaseURL, m.Config.SQLitePath(), m.Clock)
	if err != nil {
		return err
	}
	db.SetDelays(m.Rules.Delays()) // before migrating: migration 0006 computes deadlines
	m.DB = db
	return nil
}

// Migrate applies sejour's pending migrations, then the job queue's own,
// and returns how many of sejour's ran.
func (m *Main) Migrate(ctx context.Context) (int, error) {
	n, err := m.DB.Migrate(ctx)
	if err != nil {
		return n, err
	}
	return n, jobs.Migrate(ctx, m.jobsDatabase(), m.Logger)
}

// jobsDatabase tells the job queue where its tables live: on the store's
// own SQLite writer, or on the same PostgreSQL URL.
func (m *Main) jobsDatabase() jobs.Database {
	if m.DB.Dialect() == store.SQLite {
		return jobs.Database{SQLite: m.DB.SQL()}
	}
	return jobs.Database{PostgresURL: m.DB.PostgresURL(), PostgresStore: m.DB.SQL()}
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
	if m.Rules == nil {
		if m.Rules, err = rules.Load(); err != nil {
			return err
		}
	}
	m.DB.SetDelays(m.Rules.Delays())
	if m.Tr, err = i18n.Load(); err != nil {
		return err
	}
	if err := m.Rules.CheckLangs(m.Tr.Langs()); err != nil {
		return err // a language offered must be the catalogue's too
	}
	params := m.PasswordParams
	if params == (password.Params{}) {
		params = password.DefaultParams
	}
	sender, err := notify.New(m.Config, m.Clock)
	if err != nil {
		return err
	}
	m.Queue, err = jobs.New(ctx, jobs.Options{Database: m.jobsDatabase(), Store: m.DB.Mails(), Sender: sender, Clock: m.Clock, Logger: m.Logger,
		SweepAttestations: func(ctx context.Context) (int, error) {
			n, err := m.UseCases.Attestations.SweepAttestations(ctx)
			if errors.Is(err, casework.ErrSweepUnfinished) {
				err = errors.Join(err, jobs.ErrMore)
			}
			return n, err
		},
		IssueAttestations:   func(ctx context.Context, id int64) (int, error) { return m.UseCases.Attestations.IssueDue(ctx, id) },
		AnswerReset:         func(ctx context.Context, id int64) error { return m.Accounts.AnswerReset(ctx, id) },
		AnswerPendingResets: func(ctx context.Context) (int, error) { return m.Accounts.AnswerPendingResets(ctx) },
		RecordIncident: func(ctx context.Context, inc *permit.Incident) error {
			return m.UseCases.Reports.RecordIncident(ctx, inc)
		}})
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	// From here on, a write and the jobs it owes commit together.
	m.DB.SetJobs(m.Queue)
	m.Accounts = &casework.Accounts{
		Store: m.DB.Accounts(), Resets: m.DB.Accounts(), Tr: m.Tr, Clock: m.Clock, Logger: m.Logger,
		BaseURL: m.Config.BaseURL, SessionTTL: m.Config.SessionTTL, Params: params,
	}
	if err := m.OpenKeys(ctx); err != nil {
		return err
	}
	blobs, err := blob.New(m.Config.BlobDir())
	if err != nil {
		return err
	}
	limits := upload.DefaultLimits
	limits.MaxBytes = int64(m.Config.UploadMaxMB) << 20
	m.UseCases = casework.New(casework.Config{
		Blobs: blobs, Rules: m.Rules, Tr: m.Tr, Clock: m.Clock, Logger: m.Logger,
		BaseURL: m.Config.BaseURL, Limits: limits, Quota: int64(m.Config.UploadQuotaMB) << 20,
		LeadDays: m.Config.AttestationLeadDays, Sealer: seal.Sealer{Keys: m.Keys}, Codes: seal.Checker{Keys: m.Keys},
	}, rooms.Of(m.DB), m.Accounts)
	m.Web, err = portal.New(web.Options{
		Accounts: m.Accounts, UseCases: m.UseCases, Rules: m.Rules, Receipts: attest.ReceiptRenderer{Rules: m.Rules, Tr: m.Tr}, DB: m.DB, Outbox: m.DB.Mails(), Tr: m.Tr, Clock: m.Clock,
		Logger: m.Logger, BaseURL: m.Config.BaseURL, Dev: m.Config.Dev, KeySet: m.Keys.PublicKeySet,
		TrustedProxies: m.Config.TrustedProxies, LimitCapacity: m.Config.RateLimitKeys,
	})
	return err
}

// OpenKeys opens the attestation signing keys that every instance shares
// in the database, sealed with the configured key-encryption key, or with
// one made in the data directory when none is (the embedded
// demonstration); key files of earlier versions are imported once.
func (m *Main) OpenKeys(ctx context.Context) error {
	kek := m.Config.KeyEncryptionKey
	if kek == nil {
		if m.DB.Dialect() == store.Postgres {
			m.Logger.Warn("SEJOUR_KEY_ENCRYPTION_KEY is not set: the signing keys are sealed with a key of this data directory, which other instances do not have (docs/operations.md)",
				"file", m.Config.DefaultKEKFile())
		}
		var err error
		if kek, err = seal.LoadOrCreateKEK(m.Config.DefaultKEKFile()); err != nil {
			return fmt.Errorf("attestation signing keys: %w", err)
		}
	}
	keys, err := seal.Open(ctx, seal.Options{Store: m.DB.Keys(), KEK: kek, Clock: m.Clock, Logger: m.Logger,
		ImportDir: seal.KeyDir(m.Config.DataDir)})
	if err != nil {
		return fmt.Errorf("attestation signing keys: %w", err)
	}
	m.Keys = keys
	return nil
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
	// The queue runs on a context of its own: River treats a cancelled
	// context as a hard stop, and it must stop after the server drains.
	if err := m.Queue.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.listener) }()
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		serveErr = m.server.Shutdown(shutdownCtx)
		if err := <-errc; serveErr == nil && !errors.Is(err, http.ErrServerClosed) {
			serveErr = err
		}
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(serveErr, m.Queue.Stop(stopCtx))
}

// Close releases the database.
func (m *Main) Close() error {
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}
