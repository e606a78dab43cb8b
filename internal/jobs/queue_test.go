package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/jobs"
	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

var ctx = context.Background()

// wait bounds every wait of these tests, in real time.
const wait = 10 * time.Second

// database returns where River must live for db: the same SQLite writer
// pool, or the same PostgreSQL schema.
func database(t *testing.T, db *store.DB) jobs.Database {
	t.Helper()
	if db.Dialect() == store.SQLite {
		return jobs.Database{SQLite: db.SQL()}
	}
	return jobs.Database{PostgresURL: db.PostgresURL(), PostgresStore: db.SQL()}
}

// start migrates River's tables and starts a queue, stopped when the test
// ends (before the store's database is closed).
func start(t *testing.T, db *store.DB, clk clock.Clock, sender notify.Sender, before ...func(*jobs.Queue)) *jobs.Queue {
	t.Helper()
	d := database(t, db)
	logger := slog.New(slog.DiscardHandler)
	if err := jobs.Migrate(ctx, d, logger); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, d, logger); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	q, err := jobs.New(ctx, jobs.Options{Database: d, Store: db.Mails(), Sender: sender, Clock: clk, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range before {
		fn(q)
	}
	run(t, q)
	return q
}

// run starts the queue, and stops it when the test ends.
func run(t *testing.T, q *jobs.Queue) {
	t.Helper()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		if err := q.Stop(stopCtx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}

func smtpSender(t *testing.T, srv *smtptest.Server, clk clock.Clock) notify.Sender {
	t.Helper()
	s, err := notify.NewSMTP(&config.Config{
		SMTPHost: srv.Host, SMTPPort: srv.Port, SMTPTLS: "none",
		SMTPFrom: "sejour <ne-pas-repondre@sejour.localhost>",
	}, clk)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func enqueue(t *testing.T, db *store.DB, to string) *permit.Mail {
	t.Helper()
	m := &permit.Mail{To: to, Subject: "Confirmez votre adresse – sejour", Text: "Ouvrez ce lien : https://sejour.localhost/confirmer?jeton=" + to}
	if err := db.EnqueueMail(ctx, m); err != nil {
		t.Fatal(err)
	}
	return m
}

// eventually polls the mail until ok accepts it, or fails after wait.
func eventually(t *testing.T, db *store.DB, id int64, what string, ok func(*permit.Mail) bool) *permit.Mail {
	t.Helper()
	deadline := time.After(wait)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		m, err := db.Mails().Mail(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(m) {
			return m
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("mail %d: not %s within %s: %+v", id, what, wait, m)
		}
	}
}

func sent(m *permit.Mail) bool { return m.SentAt != nil }

func TestQueuedMailIsDelivered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		srv := smtptest.Start(t)
		q := start(t, db, clk, smtpSender(t, srv, clk))
		m := enqueue(t, db, "amina@example.org")
		if err := q.MailQueued(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		got := srv.WaitFor(t, "amina@example.org", wait)
		if got.Subject != m.Subject || strings.TrimSpace(got.Text) != m.Text {
			t.Errorf("received %q / %q, want %q / %q", got.Subject, got.Text, m.Subject, m.Text)
		}
		done := eventually(t, db, m.ID, "sent", sent)
		if !done.SentAt.Equal(clk.Now()) || done.Attempts != 1 || done.LastError != "" {
			t.Errorf("mail after delivery: %+v (clock %s)", done, clk.Now())
		}
	})
}

func TestSweepDeliversMailNeverAnnounced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		srv := smtptest.Start(t)
		m := enqueue(t, db, "bilal@example.org") // as if the process died before MailQueued
		start(t, db, clk, smtpSender(t, srv, clk))
		srv.WaitFor(t, "bilal@example.org", wait)
		eventually(t, db, m.ID, "sent", sent)
	})
}

func TestSentMailIsNotSentAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		srv := smtptest.Start(t)
		old := enqueue(t, db, "deja@example.org")
		if err := db.Mails().MarkMailSent(ctx, old.ID); err != nil {
			t.Fatal(err)
		}
		fresh := enqueue(t, db, "nouveau@example.org")
		// The delivery of the sent mail is queued first, so River takes it
		// no later than the fresh one's; Stop waits for both.
		q := start(t, db, clk, smtpSender(t, srv, clk), func(q *jobs.Queue) {
			if err := q.MailQueued(ctx, old.ID); err != nil {
				t.Fatal(err)
			}
		})
		if err := q.MailQueued(ctx, fresh.ID); err != nil {
			t.Fatal(err)
		}
		srv.WaitFor(t, "nouveau@example.org", wait)
		eventually(t, db, fresh.ID, "sent", sent)
		stopCtx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		if err := q.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		if got := srv.Messages(); len(got) != 1 || got[0].To[0] != "nouveau@example.org" {
			t.Errorf("server received %d messages, want only the fresh one: %+v", len(got), got)
		}
		if m, _ := db.Mails().Mail(ctx, old.ID); m.Attempts != 1 {
			t.Errorf("sent mail was attempted again: %+v", m)
		}
	})
}

// switchSender fails while failing is set, and passes mails on otherwise.
type switchSender struct {
	failing atomic.Bool
	next    notify.Sender
}

func (s *switchSender) Send(ctx context.Context, m *permit.Mail) error {
	if s.failing.Load() {
		return errors.New("relay down")
	}
	return s.next.Send(ctx, m)
}

func TestFailedDeliveryIsRetriedOnSimulatedTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		srv := smtptest.Start(t)
		sender := &switchSender{next: smtpSender(t, srv, clk)}
		sender.failing.Store(true)
		q := start(t, db, clk, sender)
		m := enqueue(t, db, "chloe@example.org")
		if err := q.MailQueued(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		failed := eventually(t, db, m.ID, "failed", func(m *permit.Mail) bool { return m.Attempts >= 1 })
		if failed.SentAt != nil || failed.LastError == "" {
			t.Fatalf("mail after a failed delivery: %+v", failed)
		}
		// River's first backoff is about a second. On a stopped clock it
		// never comes: the mail is not retried, however long we wait.
		time.Sleep(1500 * time.Millisecond)
		if m, _ := db.Mails().Mail(ctx, m.ID); m.Attempts != 1 {
			t.Fatalf("retried while the clock was stopped: %+v", m)
		}
		sender.failing.Store(false)
		clk.Advance(time.Minute)
		srv.WaitFor(t, "chloe@example.org", wait)
		done := eventually(t, db, m.ID, "sent", sent)
		if done.Attempts != 2 || done.LastError != "" {
			t.Errorf("mail after the retry: %+v", done)
		}
	})
}

func TestRefusedRecipientStaysInOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		srv := smtptest.Start(t)
		srv.Refuse("inconnu@example.org")
		q := start(t, db, clk, smtpSender(t, srv, clk))
		m := enqueue(t, db, "inconnu@example.org")
		if err := q.MailQueued(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		failed := eventually(t, db, m.ID, "failed", func(m *permit.Mail) bool { return m.Attempts >= 1 })
		if failed.SentAt != nil || failed.LastError == "" {
			t.Errorf("mail after a refused delivery: %+v", failed)
		}
	})
}

func TestWithoutSMTPMailsAreKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		m := enqueue(t, db, "dev@example.org")
		q := start(t, db, clk, notify.Keep{})
		if err := q.MailQueued(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		// A queue with SMTP delivers within a second or two (see above);
		// this one must leave the mail as it is.
		time.Sleep(2 * time.Second)
		got, err := db.Mails().Mail(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SentAt != nil || got.Attempts != 0 || got.LastError != "" {
			t.Errorf("kept mail was touched: %+v", got)
		}
	})
}

func TestNewRejectsIncompleteOptions(t *testing.T) {
	pool, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "unused.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var outbox *store.DB // never called: New must refuse before
	for name, opts := range map[string]jobs.Options{
		"no store":      {Database: jobs.Database{SQLite: pool}, Sender: notify.Keep{}},
		"no sender":     {Database: jobs.Database{SQLite: pool}, Store: outbox.Mails()},
		"no database":   {Store: outbox.Mails(), Sender: notify.Keep{}},
		"two databases": {Database: jobs.Database{SQLite: pool, PostgresURL: "postgres://localhost/x"}, Store: outbox.Mails(), Sender: notify.Keep{}},
	} {
		if _, err := jobs.New(ctx, opts); err == nil {
			t.Errorf("%s: New accepted %+v", name, opts)
		}
	}
	if err := jobs.Migrate(ctx, jobs.Database{}, nil); err == nil {
		t.Error("Migrate accepted an empty Database")
	}
}
