// Package app assembles sejour from its parts: configuration, database,
// job queue, use cases and web server. main only parses the command line
// and calls it; end-to-end tests start the real program through it on a
// free port with a temporary database.
package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/sejour/sejour/internal/attempts"
	"github.com/sejour/sejour/internal/attest"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/jobs"
	"github.com/sejour/sejour/internal/metrics"
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
	Keys     *seal.Shared      // the attestation signing keys, shared in the database
	Journal  *attempts.Journal // filings attempted while the database was down
	Web      *web.Server
	Health   *health.Monitor  // probes the database, the blob store and the mail relay
	Metrics  *metrics.Metrics // nil unless SEJOUR_METRICS_ADDR is set

	// PasswordParams may be lowered by tests; zero means the measured default.
	PasswordParams password.Params

	// QueueClock, when set, is the clock the job queue schedules,
	// retries and rescues on, apart from Clock: the simulation that kills
	// its engine keeps River on the wall clock, which River's rescuer
	// reads whatever it is given, while the cases live on simulated days.
	QueueClock clock.Clock
	// QueuePoll, when set, is how often the job queue looks for jobs
	// another process queued (jobs.Options.PollInterval).
	QueuePoll time.Duration
	// QueueID, when set, names this process in the job queue's tables
	// (jobs.Options.ID).
	QueueID string
	// WebhookLoopback lets webhooks be registered and posted to loopback
	// addresses over http (tests; development sets it with SEJOUR_DEV).
	WebhookLoopback bool

	listener        net.Listener
	metricsListener net.Listener // nil unless SEJOUR_METRICS_ADDR is set
	server          *http.Server
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
	if _, err := rules.Appointments(); err != nil {
		return err // the counters' calendar is checked like the catalogue
	}
	params := m.PasswordParams
	if params == (password.Params{}) {
		params = password.DefaultParams
	}
	sender, err := notify.New(m.Config, m.Clock)
	if err != nil {
		return err
	}
	queueClock := m.QueueClock
	if queueClock == nil {
		queueClock = m.Clock
	}
	m.Queue, err = jobs.New(ctx, jobs.Options{Database: m.jobsDatabase(), Store: m.DB.Mails(), Sender: sender, Clock: queueClock, Logger: m.Logger, PollInterval: m.QueuePoll, ID: m.QueueID,
		SweepAttestations: func(ctx context.Context) (int, error) {
			n, err := m.observeSweep("attestations", m.UseCases.Attestations.SweepAttestations)(ctx)
			if errors.Is(err, casework.ErrSweepUnfinished) {
				err = errors.Join(err, jobs.ErrMore)
			}
			return n, err
		},
		IssueAttestations: func(ctx context.Context, id int64) (int, error) { return m.UseCases.Attestations.IssueDue(ctx, id) },
		AnswerReset:       func(ctx context.Context, id int64) error { return m.Accounts.AnswerReset(ctx, id) },
		AnswerPendingResets: func(ctx context.Context) (int, error) {
			return m.observeSweep("resets", m.Accounts.AnswerPendingResets)(ctx)
		},
		SweepSilence: func(ctx context.Context) (int, error) {
			n, err := m.observeSweep("silence", m.UseCases.Declarations.SweepSilence)(ctx)
			if errors.Is(err, casework.ErrSweepUnfinished) {
				err = errors.Join(err, jobs.ErrMore)
			}
			return n, err
		},
		RemindAppointments: func(ctx context.Context) (int, error) {
			n, err := m.observeSweep("reminders", m.UseCases.Appointments.SendReminders)(ctx)
			if errors.Is(err, casework.ErrSweepUnfinished) {
				err = errors.Join(err, jobs.ErrMore)
			}
			return n, err
		},
		RemindLegalDates: func(ctx context.Context) (int, error) {
			n, err := m.observeSweep("legal_reminders", m.UseCases.Reminders.SendDue)(ctx)
			if errors.Is(err, casework.ErrSweepUnfinished) {
				err = errors.Join(err, jobs.ErrMore)
			}
			return n, err
		},
		SMS: store.Reminders{DB: m.DB}, SMSSender: notify.LogSMS{Logger: m.Logger},
		RefreshStatistics:   func(ctx context.Context) (bool, error) { return m.UseCases.Statistics.Refresh(ctx) },
		NotifyFollowUpEvent: func(ctx context.Context, id int64) error { return m.UseCases.FollowUps.NotifyEvent(ctx, id) },
		DeliverWebhook:      func(ctx context.Context, id int64) error { return m.UseCases.FollowUps.DeliverWebhook(ctx, id) },
		SweepFollowUps: func(ctx context.Context) (int, error) {
			return m.observeSweep("followups", m.UseCases.FollowUps.SweepFollowUps)(ctx)
		},
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
	blobs, err := OpenBlobs(m.Config, m.Config.Blobs)
	if err != nil {
		return err
	}
	m.Health = m.newMonitor(blobs.Probe)
	m.openMetrics()
	if m.Journal == nil {
		if m.Journal, err = attempts.Open(m.Config.AttemptsPath()); err != nil {
			return err
		}
		if m.Journal.Torn > 0 || m.Journal.Damaged > 0 {
			m.Logger.Warn("attempts journal: a torn or damaged record was ignored (never acknowledged if torn)",
				"dir", m.Config.AttemptsPath(), "torn_bytes", m.Journal.Torn, "damaged", m.Journal.Damaged)
		}
	}
	limits := upload.DefaultLimits
	limits.MaxBytes = int64(m.Config.UploadMaxMB) << 20
	// One gate for every check of uploaded content in the process: the
	// documents' and the verifier's photos share its memory.
	checks := upload.NewGate(int64(m.Config.CheckMemoryMB)<<20, runtime.GOMAXPROCS(0))
	m.UseCases = casework.New(casework.Config{
		Blobs: blobs, Rules: m.Rules, Tr: m.Tr, Clock: m.Clock, Logger: m.Logger,
		BaseURL: m.Config.BaseURL, Limits: limits, Checks: checks, Quota: int64(m.Config.UploadQuotaMB) << 20,
		LeadDays: m.Config.AttestationLeadDays, Sealer: seal.Sealer{Keys: m.Keys}, Codes: seal.Checker{Keys: m.Keys},
		PDFs:    attest.ReceiptRenderer{Rules: m.Rules, Tr: m.Tr},
		Journal: m.Journal, Tokens: m.Keys.Tokens(), AttemptSealer: seal.Sealer{Keys: m.Keys.InMemory()},
		Webhooks: notify.NewWebhooks(m.WebhookLoopback || m.Config.Dev), WebhookLoopback: m.WebhookLoopback || m.Config.Dev,
	}, rooms.Of(m.DB), m.Accounts)
	paper, err := m.paperForm()
	if err != nil {
		return err
	}
	m.UseCases.Outages.Live = liveChecks(m.Health)
	m.Web, err = portal.New(web.Options{
		Accounts: m.Accounts, UseCases: m.UseCases, Rules: m.Rules, Receipts: attest.ReceiptRenderer{Rules: m.Rules, Tr: m.Tr}, DB: m.DB, Outbox: m.DB.Mails(), Tr: m.Tr, Clock: m.Clock,
		Logger: m.Logger, BaseURL: m.Config.BaseURL, Dev: m.Config.Dev, KeySet: m.Keys.PublicKeySet, Tokens: m.Keys.Tokens(), Checks: checks, Previews: upload.NewPreviewer(checks),
		Health: m.Health, PaperForm: paper, Observer: m.observer(),
		TrustedProxies: m.Config.TrustedProxies, LimitCapacity: m.Config.RateLimitKeys, APIKeyRate: m.Config.APIKeyRate,
		Limits: m.sharedLimits(),
	})
	return err
}

// sharedLimits is where the rate limits count: the database's table,
// shared by every instance on it (SEJOUR_RATE_LIMITS=shared, the default
// on PostgreSQL), or nil for this process's memory.
func (m *Main) sharedLimits() web.LimitStore {
	if m.Config.RateLimits != "shared" {
		return nil
	}
	tokens := m.Keys.Tokens()
	return store.Limits{DB: m.DB, Pseudonym: func(key string) string { return tokens.Pseudonym("rate-limit", key) }}
}

// paperForm renders the backup paper form once, so that the outage page
// can offer it whatever else fails.
func (m *Main) paperForm() ([]byte, error) {
	chans, err := rules.BackupChannels()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := attest.RenderPaperForm(&buf, m.Tr, chans, m.Clock.Now()); err != nil {
		return nil, fmt.Errorf("paper form: %w", err)
	}
	return buf.Bytes(), nil
}

// newMonitor builds the health monitor of what the server depends on: the
// database (read and write), the blob store, and the mail relay when one
// is configured.
func (m *Main) newMonitor(blobs health.Probe) *health.Monitor {
	probes := map[health.Check]health.Probe{
		health.Database: m.DB.Ping,
		health.Writes:   m.DB.PingWrite,
		health.Blobs:    blobs,
	}
	if m.Config.SMTPEnabled() {
		probes[health.Mail] = health.SMTPHello(net.JoinHostPort(m.Config.SMTPHost, strconv.Itoa(m.Config.SMTPPort)))
	}
	return health.New(health.Options{Probes: probes, Clock: m.Clock, Logger: m.Logger})
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
	if err := m.listenMetrics(); err != nil {
		ln.Close()
		return err
	}
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
	m.Health.Start(ctx)
	defer m.Health.Stop()
	watch, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	defer watchOutages(watch, m.Health, m.UseCases.Outages)()
	defer stopWatch()
	replayCtx, stopReplay := context.WithCancel(context.WithoutCancel(ctx))
	replayed := make(chan struct{})
	go func() { defer close(replayed); m.replayAttempts(replayCtx) }()
	defer func() { stopReplay(); <-replayed }()
	defer m.serveMetrics()()
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

// ReplayEvery is how often the journal of attempted filings is looked
// at; it touches the database only when it holds records.
const ReplayEvery = 2 * time.Second

// replayAttempts replays the journal of attempted filings whenever it
// holds records and the database answers, until ctx ends. A kill at any
// point is harmless: each attempt commits with its filing, once, and the
// next start goes on (casework.Attempts.Replay).
func (m *Main) replayAttempts(ctx context.Context) {
	t := time.NewTicker(ReplayEvery)
	defer t.Stop()
	for {
		rctx, cancel := context.WithTimeout(ctx, time.Minute)
		n, err := m.UseCases.Attempts.Replay(rctx)
		cancel()
		if n > 0 {
			m.Logger.Info("attempted filings replayed", "count", n)
		}
		if err != nil && ctx.Err() == nil {
			m.Logger.Warn("attempted filings not replayed yet; trying again", "err", err, "every", ReplayEvery)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close releases the database and the journal of attempts.
func (m *Main) Close() error {
	var err error
	if m.Journal != nil {
		err = m.Journal.Close()
	}
	if m.DB != nil {
		err = errors.Join(err, m.DB.Close())
	}
	return err
}
