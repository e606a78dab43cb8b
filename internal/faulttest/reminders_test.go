package faulttest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
)

// The size of a reminder run: more than one batch of the sweep
// (casework's reminderBatch is 200), so that kills fall between batches
// as well as inside one.
const (
	reminded      = 450
	reminderKills = 4
)

// TestKillDuringReminders books reminded counter appointments for
// tomorrow, then runs the real server, whose start queues the reminder
// sweep, and kills it with SIGKILL while it writes the reminders,
// restarting it each time on the same database (issue 18). When the
// server has settled, every booking has exactly one reminder in the
// outbox, each delivered to the relay, and no reminder sweep is left
// waiting: a sweep that died at any line is resumed by the next start,
// and what it wrote before dying is not written again.
func TestKillDuringReminders(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("kills the real server while it writes reminders: skipped with -short")
	}
	onBothDatabases(t, reminderRun)
}

func reminderRun(t *testing.T, bin, dsn string, db *store.DB) {
	_, srv, db, relay := setUpRun(t, bin, dsn, db)
	bookAppointmentsTomorrow(t, db, reminded)
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	subject := tr.T("fr", "appointment_reminder.mail.subject")

	srv.start(t)
	srv.ready(t, readyLimit)
	// Each kill strikes while the sweep writes: once this start has
	// written a reminder more, after a random pause.
	var atKills []int // reminders written when each kill struck
	last := 0
	for range reminderKills {
		for wait := time.Now().Add(readyLimit); time.Now().Before(wait); time.Sleep(20 * time.Millisecond) {
			if w, _, _ := reminders(t, db, nil, subject); len(w) > last {
				break
			}
		}
		pause(t.Context(), 0, 150*time.Millisecond)
		srv.kill()
		w, _, _ := reminders(t, db, nil, subject)
		last = len(w)
		atKills = append(atKills, last)
		srv.start(t)
		srv.ready(t, readyLimit)
	}
	// Settled: every reminder written, and each delivered or held by a
	// delivery job that a killed process left running (River's rescuer
	// takes those back after five minutes, longer than the test waits).
	in := newInspector(t, db)
	var written, delivered map[string]int
	var rescue map[string]bool
	deadline := time.Now().Add(settleLimit)
	for {
		var ids map[string]int64
		written, delivered, ids = reminders(t, db, relay.Messages(), subject)
		jobs, err := in.list(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		states := in.jobs(&findings{killedJobs: map[string]int{}}, jobs)
		rescue = map[string]bool{}
		waiting := 0
		for to, id := range ids {
			switch {
			case delivered[to] > 0:
			case states[id] == rivertype.JobStateRunning:
				rescue[to] = true
			default:
				waiting++
			}
		}
		if (len(written) == reminded && waiting == 0) || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err := srv.stop(); err != nil {
		t.Error(err)
	}
	twice := 0
	for i := range reminded {
		to := reminderAddress(i)
		switch {
		case written[to] != 1:
			t.Errorf("%s: %d reminders in the outbox, want 1", to, written[to])
		case delivered[to] == 0 && !rescue[to]:
			t.Errorf("%s: its reminder was not delivered", to)
		case delivered[to] > 1:
			twice++ // a kill between the relay's answer and the mail's mark
		}
	}
	t.Logf("%d kills, %d starts; %d reminders written, %d delivered, %d delivered twice (killed between the relay's answer and the mark), %d waiting for River's rescue of a killed delivery; written when each kill struck: %v",
		reminderKills, srv.starts, len(written), len(delivered), twice, len(rescue), atKills)
}

func reminderAddress(i int) string { return fmt.Sprintf("rappel%d@exemple.org", i) }

// bookAppointmentsTomorrow books n appointments at the Cité (Paris) for
// tomorrow, through the store, each with its own counter and time.
func bookAppointmentsTomorrow(t *testing.T, db *store.DB, n int) {
	t.Helper()
	day := permit.ParisDay(time.Now()).AddDate(0, 0, 1)
	first := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, permit.Paris)
	st := store.Appointments{DB: db}
	for i := range n {
		at := first.Add(time.Duration(i/20) * 15 * time.Minute)
		b := &permit.Booking{PrefectureCode: "75", Site: "cite", Kind: "document_check", Reason: "outage",
			Name: fmt.Sprintf("Personne %d", i), Email: reminderAddress(i), Lang: "fr", Status: permit.BookingBooked,
			Counter: 1 + i%20, StartsAt: at, EndsAt: at.Add(15 * time.Minute), Deadline: at, Channel: permit.ChannelOnline}
		if err := st.Book(context.Background(), b, []permit.Cell{{Counter: b.Counter, At: at}}, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// reminders counts, per address, the reminders in the outbox and those
// the relay received, and gives the outbox mail of each address.
func reminders(t *testing.T, db *store.DB, received []smtptest.Message, subject string) (written, delivered map[string]int, ids map[string]int64) {
	t.Helper()
	mails, err := db.Mails().RecentMails(t.Context(), 100000)
	if err != nil {
		t.Fatal(err)
	}
	written, delivered, ids = map[string]int{}, map[string]int{}, map[string]int64{}
	for _, m := range mails {
		if m.Subject == subject {
			written[m.To]++
			ids[m.To] = m.ID
		}
	}
	for _, m := range received {
		if m.Subject == subject {
			for _, to := range m.To {
				delivered[to]++
			}
		}
	}
	return written, delivered, ids
}
