package faulttest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/attempts"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/store"
)

// The size of the replay run: enough records that the replay is still
// going when the first kills come.
const (
	replayKills  = 4  // SIGKILLs while the server replays its journal
	replayDrafts = 48 // attempts in the journal
)

// TestKillDuringReplayOnSQLite fills the journal of an SQLite instance
// with attempts made through the real use case (a ticket from each
// draft's page, the attestation signed, the record fsynced), as a
// database outage would have, then starts the real server, which replays
// them, and kills it with SIGKILL while it does, several times. At the
// end every attempt is filed once, dated at the attempt, and the journal
// is empty. (A database cut needs PostgreSQL: TestKillDuringAttemptsAndReplay.)
func TestKillDuringReplayOnSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("kills the real server: skipped with -short")
	}
	began := time.Now()
	bin := build(t)
	relay := smtptest.Start(t)
	in := newInstance(t, "", relay)
	srv := newServer(t, bin, in.vars)
	srv.run(t, "migrate")
	db := in.open(t)
	defer db.Close()
	apps, _ := prepare(t, in, db, replayDrafts, 0)
	l := journalAttempts(t, in, db, apps)

	journal := filepath.Join(in.vars["SEJOUR_DATA_DIR"], "attempts", attempts.FileName)
	atKill := []int{journalRecords(t, journal)}
	var replayed []int // attempts the database had recorded at each kill
	for range replayKills {
		srv.start(t)
		srv.ready(t, readyLimit)
		pause(t.Context(), 5*time.Millisecond, 150*time.Millisecond)
		srv.kill()
		atKill = append(atKill, journalRecords(t, journal))
		replayed = append(replayed, replayedRows(t, db))
	}
	srv.start(t)
	srv.ready(t, readyLimit)
	waitEmpty(t, journal, replayLimit)
	checkAttempts(t, db, l, apps, relay)
	if err := srv.stop(); err != nil {
		t.Error(err)
	}
	t.Logf("%d attempts; records in the journal before the first start and at each kill: %v; replayed in the database at each kill: %v; whole run %s",
		len(l.attempts), atKill, replayed, time.Since(began).Round(100*time.Millisecond))
}

// journalAttempts records an attempt for every draft through the use
// case, as the filing handler does when the database fails.
func journalAttempts(t *testing.T, in *instance, db *store.DB, apps []applicant) *attemptLedger {
	t.Helper()
	ctx := t.Context()
	m := openApp(t, in, db)
	defer m.Journal.Close()
	l := &attemptLedger{attempts: map[int64]attemptAck{}, filed: map[int64]bool{}}
	for _, a := range apps {
		acc, _, err := db.Accounts().AccountByEmail(ctx, a.email)
		if err != nil {
			t.Fatal(err)
		}
		c, err := m.UseCases.Applications.View(ctx, acc, a.appID)
		if err != nil {
			t.Fatal(err)
		}
		ticket, err := m.UseCases.Attempts.Ticket(acc, c)
		if err != nil || ticket == "" {
			t.Fatalf("no ticket for application %d: %v", a.appID, err)
		}
		first := time.Now()
		p, err := m.UseCases.Attempts.Record(acc, a.appID, ticket, nil, "fr", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		l.attempts[a.appID] = attemptAck{number: p.Number, first: first, got: time.Now()}
	}
	return l
}
