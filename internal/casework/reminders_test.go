package casework_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
)

// sent is one row of the reminders table, with the Paris day it was
// written on.
type sent struct {
	kind    permit.ReminderKind
	subject string
	date    string
	on      string
	mail    bool
	sms     bool
}

func sentTo(t *testing.T, db *store.DB, accountID int64) []sent {
	t.Helper()
	rows, err := db.SQL().QueryContext(ctx, rebindTest(db, `SELECT kind, subject, due_on, created_at, mail_id IS NOT NULL, sms_id IS NOT NULL FROM reminders WHERE account_id = ? ORDER BY created_at, kind`), accountID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sent
	for rows.Next() {
		var s sent
		var at time.Time
		if err := rows.Scan(&s.kind, &s.subject, &s.date, &at, &s.mail, &s.sms); err != nil {
			t.Fatal(err)
		}
		s.on = permit.ParisDay(at).Format(time.DateOnly)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func rebindTest(db *store.DB, q string) string {
	if db.Dialect() != store.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sweepDay runs the reminders' sweep until it has no batch left, and
// returns how many it wrote.
func sweepDay(t *testing.T, r *casework.Reminders) int {
	t.Helper()
	total := 0
	for range 100 {
		n, err := r.SendDue(ctx)
		total += n
		if errors.Is(err, casework.ErrSweepUnfinished) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		return total
	}
	t.Fatal("the sweep never finished")
	return 0
}

func day(d time.Time) string { return d.Format(time.DateOnly) }

// TestRemindersOnAMovingClock walks a permit's life day by day. Awa's
// permit ends in 125 days: she is reminded when the renewal window opens
// and 30 days before it closes, each once and on that day, by mail and
// SMS (she gave a phone number); she files in the window, and hears no
// more of it. Her extension attestation is issued ahead of her permit's
// end; then the issuer stops (its sweep no longer runs): 15 days before
// the attestation ends, with nothing to replace it, she is reminded once.
// Ben, with the same permit, stops the closing reminder after the first
// one: he never gets it. Chloé, under review, is asked for documents:
// reminded 7 days before the deadline, once. Every day's sweep runs
// twice, and the second writes nothing.
func TestRemindersOnAMovingClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		start := clk.Now()
		at := func(d int) time.Time { return start.AddDate(0, 0, d) }
		end := permit.CivilDay(at(125))
		awa, awaApp, _ := w.draft(end)
		ben, _, _ := w.draft(end)
		if _, err := db.SQL().ExecContext(ctx, rebindTest(db, `UPDATE persons SET phone = ? WHERE account_id = ?`), "06 12 34 56 78", awa.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, rebindTest(db, `UPDATE accounts SET lang = ? WHERE id = ?`), "en", ben.ID); err != nil {
			t.Fatal(err)
		}
		agent, chloeApp := w.underReview()
		chloe := w.accountOf(chloeApp)
		docs, _ := w.cfg.Rules.RequiredDocuments("student", permit.KindRenewal)
		due := permit.CivilDay(at(30))
		if err := w.uc.Decisions.RequestCompletion(ctx, agent, chloeApp, casework.CompletionForm{Slots: []string{docs[0].ID},
			Reason: "Le justificatif est illisible.", DueOn: day(due)}); err != nil {
			t.Fatal(err)
		}
		win := w.cfg.Rules.RenewalWindow.Assess(end, end)
		rem := w.uc.Reminders
		issuerStops := 0
		last := 0
		for d := 0; d <= 240; d++ {
			clk.Set(at(d))
			if d == 10 {
				if err := rem.SetReceived(ctx, ben, []string{"window_opens", "attestation_ending", "completion_due"}); err != nil {
					t.Fatal(err)
				}
			}
			if d == 50 {
				if _, err := w.uc.Applications.File(ctx, awa, awaApp); err != nil {
					t.Fatal(err)
				}
			}
			if issuerStops == 0 {
				if _, err := w.uc.Attestations.SweepAttestations(ctx); err != nil && !errors.Is(err, casework.ErrSweepUnfinished) {
					t.Fatal(err)
				}
				if c, err := w.uc.Applications.View(ctx, awa, awaApp); err == nil && hasExtension(c) {
					issuerStops = d
				}
			}
			sweepDay(t, rem)
			if n := sweepDay(t, rem); n != 0 {
				t.Fatalf("day %d: the second sweep wrote %d", d, n)
			}
			last = d
		}
		if issuerStops == 0 {
			t.Fatal("no extension attestation was issued")
		}
		c, err := w.uc.Applications.View(ctx, awa, awaApp)
		if err != nil {
			t.Fatal(err)
		}
		api := extension(c)
		apiEnd := permit.CivilDay(api.ValidUntil)
		if permit.CivilDay(at(last)).Before(apiEnd) {
			t.Fatalf("the walk ends %s, before the attestation (%s)", day(at(last)), day(apiEnd))
		}
		want := []sent{
			{permit.ReminderWindowOpens, "", day(win.Opens), day(win.Opens), true, true},
			{permit.ReminderWindowClosing, "", day(win.Closes), day(win.Closes.AddDate(0, 0, -30)), true, true},
			{permit.ReminderAttestationEnding, "attestation:" + api.Number, day(apiEnd), day(apiEnd.AddDate(0, 0, -15)), true, true},
		}
		assertSent(t, "Awa", sentTo(t, db, awa.ID), want)
		benWant := want[0]
		benWant.sms = false // Ben gave no phone number
		assertSent(t, "Ben", sentTo(t, db, ben.ID), []sent{benWant})
		gotC := sentTo(t, db, chloe.ID)
		var completion []sent
		for _, s := range gotC {
			if s.kind == permit.ReminderCompletionDue {
				completion = append(completion, s)
			}
			if s.kind == permit.ReminderWindowOpens || s.kind == permit.ReminderWindowClosing {
				t.Errorf("Chloé filed, yet: %+v", s)
			}
		}
		assertSent(t, "Chloé", completion, []sent{{permit.ReminderCompletionDue, "", day(due), day(due.AddDate(0, 0, -7)), true, false}})
		// Each reminder has its one mail in the outbox, in French, with
		// the link to the settings page.
		mails, err := db.Mails().RecentMails(ctx, 500)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range mails {
			if strings.Contains(m.Text, "/tableau-de-bord/rappels") {
				n++
				if m.To == awa.Email && !strings.Contains(m.Text, "Bonjour") {
					t.Errorf("not in French: %q", m.Text)
				}
				if m.To == ben.Email && !strings.Contains(m.Text, "Hello") {
					t.Errorf("not in Ben's English: %q", m.Text)
				}
			}
		}
		if total := len(sentTo(t, db, awa.ID)) + len(sentTo(t, db, ben.ID)) + len(gotC); n != total {
			t.Errorf("%d reminder mails for %d reminders", n, total)
		}
	})
}

func (w *attemptWorld) accountOf(appID int64) *permit.Account {
	w.t.Helper()
	var id int64
	if err := w.db.SQL().QueryRowContext(ctx, rebindTest(w.db, `SELECT p.account_id FROM applications a JOIN persons p ON p.id = a.person_id WHERE a.id = ?`), appID).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	acc, err := w.db.AccountByID(ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return acc
}

func extension(c *casework.Case) *permit.Attestation {
	for _, a := range c.Attestations {
		if a.Kind == permit.AttestationExtension {
			return a.Attestation
		}
	}
	return nil
}

func hasExtension(c *casework.Case) bool { return extension(c) != nil }

// assertSent compares kinds, dates and days written (and the subject
// when want names one).
func assertSent(t *testing.T, who string, got, want []sent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d reminders %+v, want %d %+v", who, len(got), got, len(want), want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if w.subject == "" {
			g.subject = ""
		}
		if g != w {
			t.Errorf("%s, reminder %d: %+v, want %+v", who, i, g, w)
		}
	}
}

// A sweep that did not run for days still sends a reminder whose date is
// ahead, once, and never one whose date has passed.
func TestLateSweepSendsWhatIsStillUseful(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		start := clk.Now()
		end := permit.CivilDay(start.AddDate(0, 0, 125))
		acc, _, _ := w.draft(end)
		win := w.cfg.Rules.RenewalWindow.Assess(end, end)
		// Nothing ran from before the window until 3 days into it.
		clk.Set(start.AddDate(0, 0, 8))
		if n := sweepDay(t, w.uc.Reminders); n != 1 {
			t.Fatalf("late sweep wrote %d, want the window's opening", n)
		}
		// Then nothing until the window has closed: the closing reminder's
		// date has passed, it is not sent.
		clk.Set(start.AddDate(0, 0, 70))
		if n := sweepDay(t, w.uc.Reminders); n != 0 {
			t.Fatalf("after the window: %d written", n)
		}
		got := sentTo(t, db, acc.ID)
		if len(got) != 1 || got[0].kind != permit.ReminderWindowOpens || got[0].date != day(win.Opens) {
			t.Fatalf("%+v", got)
		}
	})
}

// DueReminders: an attestation that a later one replaces is not
// reminded; a revoked one neither; a filing receipt never (it proves no
// stay); a closed application's neither.
func TestDueRemindersSkipsWhatIsReplaced(t *testing.T) {
	cat := rules.MustLoad()
	today := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	ends := today.AddDate(0, 0, 10)
	app := &permit.Application{ID: 1, State: permit.StateUnderReview, Kind: permit.KindRenewal}
	api := &permit.Attestation{ID: 1, ApplicationID: 1, Kind: permit.AttestationExtension, Number: "API-1", ValidFrom: today.AddDate(0, -3, 0), ValidUntil: ends}
	next := &permit.Attestation{ID: 2, ApplicationID: 1, Kind: permit.AttestationExtension, Number: "API-2", ValidFrom: ends.AddDate(0, 0, 1), ValidUntil: ends.AddDate(0, 3, 0)}
	receipt := &permit.Attestation{ID: 3, ApplicationID: 1, Kind: permit.AttestationFilingReceipt, Number: "R-1", ValidFrom: today, ValidUntil: ends}
	revoked := &permit.Attestation{ID: 4, ApplicationID: 1, Kind: permit.AttestationExtension, Number: "API-9", ValidFrom: today, ValidUntil: ends, RevokedAt: &today}
	for _, tc := range []struct {
		name  string
		state permit.State
		atts  []*permit.Attestation
		want  int
	}{
		{"alone", permit.StateUnderReview, []*permit.Attestation{api}, 1},
		{"replaced", permit.StateUnderReview, []*permit.Attestation{api, next}, 0},
		{"receipt", permit.StateUnderReview, []*permit.Attestation{receipt}, 0},
		{"revoked", permit.StateUnderReview, []*permit.Attestation{revoked}, 0},
		{"handed over", permit.StateHandedOver, []*permit.Attestation{api}, 0},
	} {
		a := *app
		a.State = tc.state
		o := &permit.Overview{Applications: []*permit.Application{&a}, Attestations: map[int64][]*permit.Attestation{1: tc.atts}}
		got := casework.DueReminders(o, cat, today)
		if len(got) != tc.want {
			t.Errorf("%s: %+v, want %d", tc.name, got, tc.want)
		}
	}
}

// failingReminders is the real store that fails a write after a number
// of them, as a sweep dying mid-batch.
type failingReminders struct {
	store.Reminders
	left atomic.Int64
}

func (f *failingReminders) WriteReminder(c context.Context, r *permit.Reminder, m *permit.Mail, s *permit.SMS) (bool, error) {
	if f.left.Add(-1) < 0 {
		return false, errors.New("killed")
	}
	return f.Reminders.WriteReminder(c, r, m, s)
}

// A sweep that dies in the middle of its batch and runs again writes each
// reminder once, mail included.
func TestSweepDyingMidBatchResumesWithoutDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		start := clk.Now()
		var accs []*permit.Account
		for i := range 5 {
			acc, _, _ := w.draft(permit.CivilDay(start.AddDate(0, 0, 100+i)))
			accs = append(accs, acc)
		}
		st := rooms.Of(db)
		failing := &failingReminders{Reminders: store.Reminders{DB: db}}
		failing.left.Store(2)
		st.Reminders = failing
		dying := casework.New(w.cfg, st, nil).Reminders
		if _, err := dying.SendDue(ctx); err == nil {
			t.Fatal("the dying sweep did not fail")
		}
		if n := sweepDay(t, w.uc.Reminders); n != 3 {
			t.Fatalf("the second sweep wrote %d, want the 3 left", n)
		}
		mails, _ := db.Mails().RecentMails(ctx, 100)
		per := map[string]int{}
		for _, m := range mails {
			if strings.Contains(m.Text, "/tableau-de-bord/rappels") {
				per[m.To]++
			}
		}
		for _, a := range accs {
			if per[a.Email] != 1 || len(sentTo(t, db, a.ID)) != 1 {
				t.Errorf("%s: %d mails, %d reminders", a.Email, per[a.Email], len(sentTo(t, db, a.ID)))
			}
		}
	})
}

// Two instances sweep at once: every reminder is written once.
func TestRacingReminderSweeps(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, a, b *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, a, clk)
		start := clk.Now()
		const people = 6
		for i := range people {
			w.draft(permit.CivilDay(start.AddDate(0, 0, 100+i)))
		}
		other := casework.New(w.cfg, rooms.Of(b), nil).Reminders
		var wg sync.WaitGroup
		var total atomic.Int64
		for i := range 4 {
			r := w.uc.Reminders
			if i%2 == 1 {
				r = other
			}
			wg.Go(func() {
				n, err := r.SendDue(ctx)
				if err != nil {
					t.Error(err)
				}
				total.Add(int64(n))
			})
		}
		wg.Wait()
		var rows int
		if err := a.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM reminders`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if total.Load() != people || rows != people {
			t.Fatalf("%d written, %d rows; want %d", total.Load(), rows, people)
		}
	})
}

// The feed holds the account's counter appointments, timed; a revoked
// token finds nothing; staff have no feed.
func TestFeedHoldsTheAppointments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newApptWorld(t, db, clk)
		acc := &permit.Account{Email: "ana@mail.example", Role: permit.RoleApplicant, Lang: "en", ConfirmedAt: new(clk.Now())}
		if err := db.Accounts().CreateAccount(ctx, acc, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		friday := time.Date(2026, 11, 27, 9, 0, 0, 0, permit.Paris)
		b, err := w.uc.Appointments.Book(ctx, acc, form("Ana", casework.Slot{Counter: 1, StartsAt: friday}.Value()))
		if err != nil {
			t.Fatal(err)
		}
		token, err := w.uc.Reminders.NewFeed(ctx, acc)
		if err != nil || len(token) < 22 { // 128 bits in base64 at the least
			t.Fatalf("%q %v", token, err)
		}
		f, err := w.uc.Reminders.Feed(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range f.Dates {
			if d.Kind == permit.DateAppointment && d.At.Equal(friday) && d.Until.Equal(b.EndsAt) && d.Detail != "" {
				found = true
			}
		}
		if !found || f.Lang != "en" {
			t.Fatalf("no appointment at %v in %+v (%s)", friday, f.Dates, f.Lang)
		}
		if _, err := w.uc.Reminders.Feed(ctx, token+"x"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a wrong token: %v", err)
		}
		if err := w.uc.Reminders.RevokeFeed(ctx, acc); err != nil {
			t.Fatal(err)
		}
		if _, err := w.uc.Reminders.Feed(ctx, token); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a revoked token: %v", err)
		}
		if _, err := w.uc.Reminders.NewFeed(ctx, w.agent); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("staff made a feed: %v", err)
		}
	})
}
