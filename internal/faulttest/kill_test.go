package faulttest

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// The size of a run: bounded, so that both databases fit well under
// three minutes on a loaded two-core machine.
const (
	kills        = 5                // SIGKILLs per database
	filers       = 3                // applicants' browsers filing at once
	draftsEach   = 16               // drafts each of them files, one after the other
	agents       = 2                // agents deciding at once
	loadLimit    = 90 * time.Second // the whole load, kills included
	settleLimit  = 60 * time.Second // for the last server to work its queue
	readyLimit   = 30 * time.Second // for one start
	killAfterMin = 300 * time.Millisecond
	killAfterMax = 1500 * time.Millisecond
)

// TestKillDuringFilingsAndDecisions runs the real server (the built
// binary) on the loopback while applicants file and agents decide over
// HTTP, and kills it with SIGKILL at random moments, restarting it each
// time on the same database. Then, the server running again, it checks
// on the database that every filing and decision the server acknowledged
// (its success redirect) is there, with its signed attestation and its
// mail, nothing twice, and no job left stuck or waiting (issue 11; the
// effects of an action commit with it, docs/architecture.md).
func TestKillDuringFilingsAndDecisions(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("kills the real server for about a minute: skipped with -short")
	}
	onBothDatabases(t, killRun)
}

// onBothDatabases builds the binary and gives it to run on SQLite (dsn
// empty, db nil), then on a PostgreSQL schema of its own, dropped at the
// end (db its connection).
func onBothDatabases(t *testing.T, run func(t *testing.T, bin, dsn string, db *store.DB)) {
	bin := build(t)
	t.Run("sqlite", func(t *testing.T) {
		run(t, bin, "", nil)
	})
	t.Run("postgres", func(t *testing.T) {
		db := storetest.Postgres(t, clock.System{})
		run(t, bin, db.PostgresURL(), db)
	})
}

// setUpRun sets up one run on one database: the mail relay, the
// instance, its server (migrated, not started), and the test's connection
// to the database (db, or the SQLite file's when db is nil).
func setUpRun(t *testing.T, bin, dsn string, db *store.DB) (*instance, *server, *store.DB, *smtptest.Server) {
	relay := smtptest.Start(t)
	in := newInstance(t, dsn, relay)
	srv := newServer(t, bin, in.vars)
	srv.run(t, "migrate")
	if db == nil {
		db = in.open(t)
		t.Cleanup(func() { db.Close() })
	}
	return in, srv, db, relay
}

// killRun is one run of the test on one database: dsn empty is the
// SQLite file of the data directory; db, when given, is the test's
// connection to the PostgreSQL schema.
func killRun(t *testing.T, bin, dsn string, db *store.DB) {
	began := time.Now()
	in, srv, db, relay := setUpRun(t, bin, dsn, db)
	apps, staff := prepare(t, in, db, filers*draftsEach, agents)
	t.Logf("prepared %d drafts and %d agents in %s", len(apps), len(staff), time.Since(began).Round(100*time.Millisecond))

	loadStart := time.Now()
	l := newLedger()
	ctx, cancel := context.WithTimeout(t.Context(), loadLimit)
	defer cancel()
	srv.start(t)
	srv.ready(t, readyLimit)
	stop := make(chan struct{})
	done := load(ctx, in.vars["SEJOUR_BASE_URL"], l, apps, staff, stop)
	for range kills {
		pause(ctx, killAfterMin, killAfterMax)
		srv.kill()
		srv.start(t)
		srv.ready(t, readyLimit)
	}
	close(stop)
	<-done
	if ctx.Err() != nil {
		t.Errorf("the load did not finish within %s", loadLimit)
	}
	loadTook := time.Since(loadStart)

	settleStart := time.Now()
	f := newInspector(t, db).settle(t, l, apps, relay, settleLimit)
	for _, p := range f.problems {
		t.Error(p)
	}
	if err := srv.stop(); err != nil {
		t.Error(err)
	}
	t.Logf("%d kills, %d starts; filings acknowledged %d, in the database %d; grants acknowledged %d, in the database %d; refusals acknowledged %d, in the database %d; committed but unanswered %d",
		kills, srv.starts, len(l.filed), f.filed, len(l.granted), f.granted, len(l.refused), f.refused, f.unacknowledged)
	t.Logf("requests without answer %d, declined answers %v; filing mails delivered %d (twice: %d), waiting for River's rescue %d; outbox %d mails, %d waiting for the rescue",
		l.unanswered, l.declined, f.delivered, f.twice, f.awaitRescue, f.outbox, f.outboxWaiting)
	t.Logf("jobs still running, left by killed processes until River's rescuer takes them back (5 min): %v", f.killedJobs)
	t.Logf("load with kills %s, queue settled in %s, whole run %s",
		loadTook.Round(100*time.Millisecond), time.Since(settleStart).Round(100*time.Millisecond), time.Since(began).Round(100*time.Millisecond))
}

// load starts the applicants' and the agents' browsers and returns a
// channel closed when they are all done: the applicants stop filing when
// stop is closed, the agents when every acknowledged filing is decided.
func load(ctx context.Context, base string, l *ledger, apps []applicant, staff []agent, stop <-chan struct{}) <-chan struct{} {
	filed := make(chan int64, len(apps))
	var filing, deciding sync.WaitGroup
	for i := range filers {
		filing.Go(func() { fileAll(ctx, base, l, apps[i*draftsEach:(i+1)*draftsEach], stop, filed) })
	}
	for _, ag := range staff {
		deciding.Go(func() { decideAll(ctx, base, l, ag, filed) })
	}
	done := make(chan struct{})
	go func() {
		filing.Wait()
		close(filed)
		deciding.Wait()
		close(done)
	}()
	return done
}
